"""Packaged data for the rules layer (read-only at run time)."""
