"""Building the learned assessment: the labelled headline set, its split by day, and
the deterministic trainer that writes the model file shipped in ``rules/data``.

Nothing here is imported at run time; the scorer in ``rules`` reads only the model
file this package writes.
"""
