"""One module per page, each with its ``router`` and its permission (or a public path)."""
