"""Other systems that read the clinic's records (a physician's EHR, a research registry): their
registration by the owner, SMART Backend Services sign-in and the short-lived tokens they use."""
