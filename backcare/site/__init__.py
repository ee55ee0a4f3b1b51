"""The site front: the pages and page parts staff and clients share.

Sign-in and the second step, passkeys, the account pages, the navigation, the admin site, and
the flows both fronts run (the intake questionnaire, step by step). The staff and portal fronts
import it; it imports the domain apps and never a front above it (the ``layers`` contract)."""
