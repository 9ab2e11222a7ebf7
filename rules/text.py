"""How long a post is on each network, counted the way the network counts it.

- X: 280, weighted: most Latin, Greek, Cyrillic and punctuation count 1, other
  characters (CJK, emoji) 2; every http(s) URL counts as 23 whatever its length.
- Mastodon: 500 (or the instance's limit), code points; every URL counts as 23 and
  a remote mention ``@user@domain`` counts as ``@user``.
- Bluesky: 300 grapheme clusters, URLs counted in full.
- LinkedIn: 3,000 and Facebook: 63,206 code points.
"""

from __future__ import annotations

import regex

URL_RE = regex.compile(r"https?://[^\s<>\"']+", regex.IGNORECASE)
MENTION_RE = regex.compile(r"(?<![\w@])(@[\w.]+)@[\w.-]+\.\w+")
GRAPHEME_RE = regex.compile(r"\X")
URL_WEIGHT = 23

LIMITS: dict[str, int] = {
    "x": 280,
    "mastodon": 500,
    "bluesky": 300,
    "linkedin": 3000,
    "facebook": 63206,
}

# Code point ranges X counts as 1 (its published "v3" configuration); the rest count 2.
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _x_weight(cluster: str) -> int:
    first = ord(cluster[0])
    return 1 if any(lo <= first <= hi for lo, hi in _X_LIGHT) else 2


def graphemes(text: str) -> int:
    return len(GRAPHEME_RE.findall(text))


def measure(text: str, network: str) -> int:
    """The length of ``text`` as ``network`` counts it (code points for others)."""
    if network == "x":
        rest = URL_RE.sub("", text)
        urls = len(URL_RE.findall(text))
        return urls * URL_WEIGHT + sum(_x_weight(c) for c in GRAPHEME_RE.findall(rest))
    if network == "mastodon":
        rest = MENTION_RE.sub(r"\1", text)
        urls = len(URL_RE.findall(rest))
        return urls * URL_WEIGHT + len(URL_RE.sub("", rest))
    if network == "bluesky":
        return graphemes(text)
    return len(text)


def length_error(text: str, network: str, limit: int | None = None) -> str | None:
    """A message when ``text`` is too long for ``network`` (``limit`` overrides the
    network's default), else ``None``. Empty text is an error on every network."""
    if not text.strip():
        return "Text must not be empty."
    cap = limit if limit is not None else LIMITS.get(network)
    if cap is None:
        return None
    size = measure(text, network)
    if size > cap:
        unit = "graphemes" if network == "bluesky" else "characters"
        return f"Text is {size} {unit} as {network} counts them; the limit is {cap}."
    return None
