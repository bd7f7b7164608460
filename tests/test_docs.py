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


def test_the_readme_gives_each_engines_bucket_expression_as_the_code_has_it():
    from linkspider.pipelines.layout import BUCKET_EXPRESSIONS

    readme = (REPO / "README.md").read_text(encoding="utf-8").replace("\\|", "|")
    for engine, expression in BUCKET_EXPRESSIONS.items():
        assert f"| {engine} | `{expression.format(domain='target_domain')}`" in readme, engine


def test_the_readme_names_every_command_and_option():
    from linkspider.cli import build_parser

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in commands.items():
        assert f"`{name}" in readme, name
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in readme, (name, option)
