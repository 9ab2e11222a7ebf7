"""How long a post is on each network, counted the way the network counts it, and
how the network shows its links, mentions and hashtags.

The rules' parameters live in one data file, ``rules/data/text_rules.json``: limits,
URL weight, which code point ranges X counts as one, whether a network counts code
points or grapheme clusters, and the patterns for links, mentions and hashtags. The
composer page embeds the same file for its live counter (``web/static/text_rules.js``),
and a test runs that counter under node on shared inputs against ``measure`` here.

- X: 280, weighted: code points in the light ranges (Latin, Greek, Cyrillic,
  general punctuation) count 1, others (CJK) 2; a grapheme cluster holding an emoji
  counts 2 as a whole (a family emoji, a flag); every http(s) URL counts 23, and
  so does a bare domain with a common top-level domain (``shop.com``).
- Mastodon: 500 (or the instance's limit), code points; every URL counts as 23 and
  a remote mention ``@user@domain`` counts as ``@user``.
- Bluesky: 300 grapheme clusters, URLs counted in full.
- LinkedIn: 3,000 and Facebook: 63,206 code points; other networks code points, no
  limit of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import regex


@cache
def rules_data() -> dict[str, Any]:
    """The rules file as loaded (also what the composer page embeds)."""
    raw = resources.files("rules.data").joinpath("text_rules.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def network_rules(network: str) -> dict[str, Any]:
    """One network's rules, the defaults filled in."""
    data = rules_data()
    own = data["networks"].get(network, {})
    merged = {**data["default"], **own}
    merged["link_display"] = {**data["default"]["link_display"], **own.get("link_display", {})}
    return merged


def networks() -> tuple[str, ...]:
    return tuple(rules_data()["networks"])


_DATA = rules_data()
URL_RE = regex.compile(_DATA["url_pattern"])
EMOJI_RE = regex.compile(_DATA["emoji_pattern"])
GRAPHEME_RE = regex.compile(r"\X")
URL_WEIGHT = 23

LIMITS: dict[str, int] = {
    name: rules["limit"]
    for name, rules in _DATA["networks"].items()
    if rules.get("limit") is not None
}


def link_pattern(network: str) -> str:
    """What ``network`` takes for a link: an ``http(s)://`` address, and for X also
    a bare domain with a known top-level domain (``shop.com/spring``)."""
    bare = network_rules(network)["bare_url_pattern"]
    url = _DATA["url_pattern"]
    return f"(?:{url})|(?:{bare})" if bare else url


@cache
def _pattern(source: str) -> regex.Pattern[str]:
    return regex.compile(source)


def graphemes(text: str) -> int:
    return len(GRAPHEME_RE.findall(text))


def _weighted(text: str, rules: dict[str, Any]) -> int:
    light = rules["light_ranges"]
    total = 0
    for cluster in GRAPHEME_RE.findall(text):
        if EMOJI_RE.search(cluster):
            total += rules["emoji_weight"]
            continue
        for char in cluster:
            point = ord(char)
            total += 1 if any(lo <= point <= hi for lo, hi in light) else rules["default_weight"]
    return total


def measure(text: str, network: str) -> int:
    """The length of ``text`` as ``network`` counts it (code points for others)."""
    rules = network_rules(network)
    rest = text
    if rules["remote_mention_pattern"]:
        rest = _pattern(rules["remote_mention_pattern"]).sub(r"\1", rest)
    links = 0
    if rules["url_weight"] is not None:
        link_re = _pattern(link_pattern(network))
        links = len(link_re.findall(rest)) * rules["url_weight"]
        rest = link_re.sub("", rest)
    if rules["count"] == "weighted":
        return links + _weighted(rest, rules)
    if rules["count"] == "graphemes":
        return links + graphemes(rest)
    return links + len(rest)


def limit_of(network: str, limit: int | None = None) -> int | None:
    """``limit`` when an account sets one, else the network's own limit (or None)."""
    return limit if limit is not None else LIMITS.get(network)


def unit_of(network: str) -> str:
    return str(network_rules(network)["unit"])


def length_error(text: str, network: str, limit: int | None = None) -> str | None:
    """A message when ``text`` is too long for ``network`` (``limit`` overrides the
    network's default), else ``None``. Empty text is an error on every network."""
    if not text.strip():
        return "Text must not be empty."
    cap = limit_of(network, limit)
    if cap is None:
        return None
    size = measure(text, network)
    if size > cap:
        return f"Text is {size} {unit_of(network)} as {network} counts them; the limit is {cap}."
    return None


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a post as a network shows it: ``kind`` is ``text``, ``link``,
    ``mention`` or ``hashtag``; ``shown`` is what a reader sees (a link shortened
    the way the network shortens it), ``text`` what was typed."""

    kind: str
    text: str
    shown: str


@cache
def _token_re(network: str) -> regex.Pattern[str]:
    rules = network_rules(network)
    return regex.compile(
        f"(?<link>{link_pattern(network)})"
        f"|(?<mention>{rules['mention_pattern']})"
        f"|(?<hashtag>{_DATA['hashtag_pattern']})",
    )


def shown_link(url: str, network: str) -> str:
    """A link as ``network`` displays it: without ``https://`` (and ``www.``) and
    cut to its display length with an ellipsis, where the network does so."""
    display = network_rules(network)["link_display"]
    shown = url
    if display["strip_scheme"]:
        shown = regex.sub(r"^[Hh][Tt][Tt][Pp][Ss]?://", "", shown)
    if display["strip_www"]:
        shown = regex.sub(r"^[Ww][Ww][Ww]\.", "", shown)
    if display["max"] is not None and len(shown) > display["max"]:
        shown = shown[: display["max"]] + "…"
    return shown


def segments(text: str, network: str) -> list[Segment]:
    """``text`` cut into plain text, links, mentions and hashtags, as ``network``
    recognises them; line breaks stay in the text pieces."""
    out: list[Segment] = []
    at = 0
    for found in _token_re(network).finditer(text):
        if found.start() > at:
            plain = text[at : found.start()]
            out.append(Segment("text", plain, plain))
        kind = found.lastgroup or "text"
        piece = found.group()
        out.append(Segment(kind, piece, shown_link(piece, network) if kind == "link" else piece))
        at = found.end()
    if at < len(text):
        out.append(Segment("text", text[at:], text[at:]))
    return out


@dataclass(frozen=True, slots=True)
class Preview:
    """A text as one network would count and show it, against ``limit``."""

    network: str
    label: str
    text: str
    length: int
    limit: int | None
    unit: str
    error: str | None
    url_weight: int | None
    segments: tuple[Segment, ...]

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else self.limit - self.length


def preview(text: str, network: str, limit: int | None = None) -> Preview:
    """How ``network`` counts and shows ``text`` (``limit`` overrides its own)."""
    rules = network_rules(network)
    return Preview(
        network=network,
        label=str(rules["label"] if network in rules_data()["networks"] else network),
        text=text,
        length=measure(text, network),
        limit=limit_of(network, limit),
        unit=str(rules["unit"]),
        error=length_error(text, network, limit),
        url_weight=rules["url_weight"],
        segments=tuple(segments(text, network)),
    )
