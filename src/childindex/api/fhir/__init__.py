"""api/fhir."""
