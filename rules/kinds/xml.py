"""Reading raw XML items (already parsed through defusedxml by the caller): the
small lookups every kind's reader uses, namespace-aware but forgiving."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def ns(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def find(item: ET.Element, name: str, namespace: str | None = None) -> ET.Element | None:
    for element in item.iter():
        if local(element.tag) == name and (namespace is None or ns(element.tag) == namespace):
            return element
    return None


def findall(item: ET.Element, name: str) -> Iterator[ET.Element]:
    for element in item.iter():
        if local(element.tag) == name:
            yield element


def by_name(item: ET.Element) -> dict[str, list[ET.Element]]:
    """Every element of ``item`` (itself included) by local name, in document order:
    ``findall`` for many names at the cost of one walk."""
    out: dict[str, list[ET.Element]] = {}
    for element in item.iter():
        out.setdefault(local(element.tag), []).append(element)
    return out


def pairs(element: ET.Element) -> Iterator[tuple[str, str]]:
    """``valueName``/``value`` children in order (CAP geocode and parameter)."""
    name = ""
    for child in element:
        tag = local(child.tag)
        if tag == "valueName":
            name = text(child)
        elif tag == "value" and name:
            yield name, text(child)


def floats(value: str) -> list[float]:
    """Every number in a space- or comma-separated list, or [] if any is not one."""
    out = []
    for token in value.replace(",", " ").split():
        try:
            out.append(float(token))
        except ValueError:
            return []
    return out
