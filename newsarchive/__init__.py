"""newsarchive: a static-site generator for a curated news archive."""

__version__ = "0.1.0"
