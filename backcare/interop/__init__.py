"""FHIR R4 for physicians' systems: the clinic's records as FHIR resources (read, search,
``$everything``), the HL7 Bulk Data ``$export`` and ``backcare fhir export``."""
