"""api/rest."""
