"""WHATWG URL conformance: every http(s) case of urltestdata.json."""

from __future__ import annotations

import html
import json

import pytest

from linkspider.extract import extract
from linkspider.urls import resolve
from tests.conftest import DATA

URLTESTDATA = DATA / "whatwg-url" / "urltestdata.json"


def _cases():
    for case in json.loads(URLTESTDATA.read_text(encoding="utf-8")):
        if not isinstance(case, dict):
            continue
        base = case.get("base")
        if not base or not base.startswith(("http:", "https:")):
            continue
        if case.get("failure"):
            yield case, None
        elif case["href"].startswith(("http:", "https:")):
            href, fragment = case["href"], case["hash"][1:]
            if case["hash"]:
                href = href[: -len(case["hash"])]
            elif href.endswith("#"):
                href = href[:-1]
            yield case, (href, fragment, case["hostname"])
        else:
            yield case, "not-http"


CASES = list(_cases())


def test_enough_cases():
    assert len(CASES) > 150
    assert sum(1 for _, e in CASES if e is None) > 30


@pytest.mark.parametrize(
    ("case", "expected"), CASES, ids=lambda c: repr(c.get("input")) if isinstance(c, dict) else ""
)
def test_resolve_matches_the_standard(case, expected):
    got = resolve(case["input"], case["base"])
    if expected is None or expected == "not-http":
        assert got is None
    else:
        assert got == expected


def test_every_case_through_a_real_page():
    """The same cases as <a href> in a page based at `base`: one edge or none, as the standard says."""
    mismatches = []
    for case, expected in CASES:
        href = case["input"]
        stripped = href.strip(
            " \t\n\r\f\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
        )
        if "\x00" in href or not stripped or stripped.startswith("#"):
            continue  # NUL is replaced by the HTML parser; empty/fragment-only hrefs are not edges
        page = extract(
            f'<a href="{html.escape(href)}">x</a>'.encode(),
            case["base"],
            {"content-type": "text/html; charset=utf-8"},
        )
        got = [(e.target_url, e.target_fragment, e.target_host) for e in page.edges]
        want = [] if expected in (None, "not-http") else [expected]
        if got != want:
            mismatches.append((href, case["base"], got, want))
    assert mismatches == []
