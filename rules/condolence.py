"""Suggested condolence texts: chosen by channel tone and incident kind, filled with
the place, and fitted to the network's length limit. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rules.text import length_error

# Incident kinds that share a template.
KIND_TEMPLATE = {
    "hurricane": "storm",
    "typhoon": "storm",
    "cyclone": "storm",
    "tornado": "storm",
    "stabbing": "shooting",
    "terror": "shooting",
    "bombing": "shooting",
    "tsunami": "earthquake",
    "landslide": "flood",
    "fire": "wildfire",
}


def _candidates(templates: Mapping[str, Mapping[str, str]], tone: str, kind: str) -> list[str]:
    family = KIND_TEMPLATE.get(kind, kind)
    out = []
    for tone_name in (tone, "formal"):
        texts = templates.get(tone_name, {})
        for key in (kind, family, "default"):
            if key in texts and texts[key] not in out:
                out.append(texts[key])
    return out


def _shorten(text: str, network: str, limit: int | None) -> str:
    """Drop trailing sentences until the text fits; keep at least the first one."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    while len(sentences) > 1 and length_error(" ".join(sentences), network, limit):
        sentences.pop()
    return " ".join(sentences)


def suggest(
    templates: Mapping[str, Mapping[str, str]],
    tone: str,
    kind: str,
    place: str,
    network: str,
    limit: int | None = None,
) -> str:
    """The suggested text for one channel account. Falls back to shorter templates,
    then to fewer sentences, and finally to a shorter place name, so that the text
    fits the network's limit."""
    for template in _candidates(templates, tone, kind):
        text = _shorten(template.format(place=place), network, limit)
        if length_error(text, network, limit) is None:
            return text
    fallback = _candidates(templates, "formal", "default")[-1]
    return _shorten(fallback.format(place=place.split(" and ")[0]), network, limit)
