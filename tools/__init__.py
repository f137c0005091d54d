"""Developer tools that drive the built site in a real browser (screenshots, audits)."""
