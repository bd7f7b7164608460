"""Registered domains: linkspider's reading of the PSL equals tldextract's on every rule."""

from __future__ import annotations

import subprocess
import sys

import pytest
import tldextract

from linkspider.domains import SPECIAL_USE_SUFFIXES, registered_domain
from linkspider.psl import bundled_rules
from tests.conftest import DATA


@pytest.fixture(scope="module")
def reference():
    extract = tldextract.TLDExtract(
        cache_dir=None,
        suffix_list_urls=(),
        fallback_to_snapshot=True,
        include_psl_private_domains=True,
        extra_suffixes=SPECIAL_USE_SUFFIXES,
    )

    def domain(host: str) -> str:
        parts = extract.extract_str(host)
        return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else host

    return domain


def hosts_from_rules() -> list[str]:
    """Each rule of the list, below it, above it and in its wildcard or exception forms."""
    hosts = []
    for rule in bundled_rules():
        bare = rule.lstrip("!").replace("*.", "")
        ascii_rule = bare.encode("idna").decode("ascii") if not bare.isascii() else bare
        for host in (ascii_rule, f"x.{ascii_rule}", f"a.b.{ascii_rule}", f"www.{ascii_rule}."):
            hosts.append(host)
        if rule.startswith("*."):
            hosts.append(f"c.any.{ascii_rule}")
    return hosts


def test_every_rule_of_the_list_as_tldextract_reads_it(reference):
    hosts = hosts_from_rules()
    assert len(hosts) > 30_000
    mismatches = [
        (h, registered_domain(h), reference(h))
        for h in hosts
        if registered_domain(h) != reference(h)
    ]
    assert mismatches == []


def test_hosts_of_the_test_corpus_as_tldextract_reads_them(reference):
    from linkspider.extract import extract

    hosts = set()
    for page in sorted((DATA / "readability-dev").glob("*/source.html")):
        result = extract(
            page.read_bytes(), "http://fakehost/test/page.html", {"Content-Type": "text/html"}
        )
        hosts |= {edge.target_host for edge in result.edges}
    hosts |= {
        "xn--bcher-kva.example",
        "xn--fiqs8s.xn--fiqs8s",
        "127.0.0.1",
        "[::1]",
        "a..b.com",
        "-.com",
    }
    assert len(hosts) > 200
    assert {h: registered_domain(h) for h in hosts} == {h: reference(h) for h in hosts}


def test_registered_domains_do_not_import_tldextract():
    code = (
        "import sys; from linkspider.domains import registered_domain; "
        "registered_domain('www.bbc.co.uk'); print('tldextract' in sys.modules, 'requests' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
