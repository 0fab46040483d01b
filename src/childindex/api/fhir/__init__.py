"""FHIR R4: ``Patient`` read and search, drawn from the same redacted views as the JSON API."""
