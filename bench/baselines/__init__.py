"""Baselines measured beside tactful's own assessment in the same run."""
