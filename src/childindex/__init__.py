"""childindex."""
