"""The documentation's relative links lead somewhere, and the README's commands exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", REPO / "CHANGELOG.md", REPO / "bench" / "README.md"]
DOCS += sorted((REPO / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(doc):
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_bench_scripts_named_in_the_docs_exist():
    text = "".join(doc.read_text(encoding="utf-8") for doc in DOCS)
    for script in set(re.findall(r"bench/(\w+\.py)", text)):
        assert (REPO / "bench" / script).exists(), script
