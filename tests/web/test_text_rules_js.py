"""The composer's live counter and preview (web/static/text_rules.js, run under node)
agree with the server's rules (rules/text.py) on every network, for the same inputs:
both read rules/data/text_rules.json, and this holds them to one answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest

from rules.text import measure, networks, rules_data, segments

SCRIPT = Path(__file__).parents[2] / "web" / "static" / "text_rules.js"
NODE = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)

# Each input is one that counting rules are known to get wrong somewhere.
INPUTS = [
    "",
    "plain ascii text",
    "Flash sale: 30% off today only!",
    "😀",
    "👍🏽 thumbs up, skin tone",
    "👨‍👩‍👧‍👦 family (a ZWJ sequence)",
    "🏳️‍🌈 flag with ZWJ and a variation selector",
    "🇫🇷🇺🇸 two flags",
    "1️⃣ keycap",
    "© ® ™ symbols",
    "日本語のテキスト",
    "한국어 텍스트 and 한글",
    "中文，标点。",
    "हिन्दी में लिखा",
    "مرحبا بالعالم",
    "e\u0301 combining acute, a\u0308\u0304 stacked marks",
    "Z\u0351\u0352\u0353algo",
    "see https://example.com/a/very/long/path?q=1&r=2#frag",
    "HTTPS://EXAMPLE.COM/UPPER",
    "https://example.com, then text.",
    "(https://example.com/in-parens)",
    'quoted "https://example.com/q" end',
    "two https://a.example/1 and http://b.example/2 links",
    "no scheme: example.com and www.example.org/path",
    "bare shop.co.uk/sale, t.co/abc, e.g. a.b and file.txt, sub.domain.io.",
    "alice@example.com, @bob.com, #tag.com, x.com@y and https://a.example/b.com",
    "UPPER.COM and mixed.Com/Path?x=1",
    "ftp://not.a.web.link",
    "hi @alice and @bob@mastodon.social and @carol.bsky.social",
    "email alice@example.com is not a mention",
    "@longer_than_fifteen_chars handle",
    "#Sale #2026 #café #日本 a#b &#39; ##double",
    "line one\nline two\n\nline four",
    "tabs\tand\u00a0no-break\u2003em\u3000ideographic spaces",
    "next line\x85char",
    "zero\u200bwidth\u200djoiner\u2060",
    "mixed 😀 https://example.com/😀 @x #y 日本",
    "a" * 280,
    "a" * 281,
    "👍" * 150,
    ("word " * 120).strip(),
    "\u2018quotes\u2019 \u201cand\u201d \u2032primes\u2033",
]

RUNNER = """
const { make } = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { data, cases } = JSON.parse(input);
  const rules = make(data);
  const out = cases.map(([text, network]) => ({
    length: rules.measure(text, network),
    segments: rules.segments(text, network),
  }));
  process.stdout.write(JSON.stringify(out));
});
"""


def _node() -> str:
    if NODE is None:
        reason = "node is not installed: the JavaScript counter cannot be compared"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (required under CI)")
        pytest.skip(reason)
    return NODE


def _run_js(cases: list[tuple[str, str]]) -> list[dict[str, object]]:
    payload = json.dumps({"data": rules_data(), "cases": cases})
    done = subprocess.run(
        [_node(), "-e", RUNNER, str(SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: list[dict[str, object]] = json.loads(done.stdout)
    return result


CASES = [(text, network) for network in networks() for text in INPUTS]


def test_the_js_counter_and_preview_agree_with_the_server_on_every_network():
    answers = _run_js(CASES)
    assert len(answers) == len(CASES)
    disagreements = []
    for (text, network), answer in zip(CASES, answers, strict=True):
        expected = {
            "length": measure(text, network),
            "segments": [asdict(s) for s in segments(text, network)],
        }
        if answer != expected:
            disagreements.append((network, text, expected, answer))
    assert not disagreements, disagreements[:3]


def test_the_inputs_exercise_what_differs_between_networks():
    """The comparison is only worth something if the networks count these inputs
    differently: a family emoji, CJK and a long link must not all count alike."""
    family = "👨‍👩‍👧‍👦 family (a ZWJ sequence)"
    assert measure(family, "bluesky") < measure(family, "mastodon")
    assert measure("日本語のテキスト", "x") == 2 * measure("日本語のテキスト", "mastodon")
    link = "see https://example.com/a/very/long/path?q=1&r=2#frag"
    assert measure(link, "x") == measure(link, "mastodon") == 4 + 23 < measure(link, "bluesky")
    assert measure("hi @alice and @bob@mastodon.social", "mastodon") == len("hi @alice and @bob")
    assert measure("e\u0301", "x") == 2 and measure("e\u0301", "bluesky") == 1
    # X takes a bare domain for a link; Mastodon needs the scheme.
    assert measure("at shop.com", "x") == 3 + 23
    assert measure("at shop.com", "mastodon") == len("at shop.com")


def test_a_changed_rule_changes_the_js_answer_too():
    """The counter reads the rules it is given, not a copy of its own: a limit or a
    URL weight changed in the data changes its count."""
    data = json.loads(json.dumps(rules_data()))
    data["networks"]["x"]["url_weight"] = 5
    payload = json.dumps({"data": data, "cases": [["see https://example.com/long", "x"]]})
    done = subprocess.run(
        [_node(), "-e", RUNNER, str(SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["length"] == 4 + 5
