"""News text, read by a learned linear model.

``features`` turns a title (and the start of a summary) into named features: words,
word pairs, casualty figures, event and context vocabulary from a data file, and
time cues. ``model`` scores those features with the weights that
``training/train.py`` wrote into ``rules/data/news_model.json.gz`` and explains the
score by its largest contributions. ``assess`` turns the scores into an
``Assessment``. Pure: no I/O beyond reading the two packaged data files once, no
clock.
"""
