"""The Public Suffix List, read from the snapshot tldextract bundles, without importing it.

linkspider's registered domains (:mod:`linkspider.domains`) follow tldextract's
algorithm exactly (its trie walk, wildcards and exceptions, private section
included, punycode labels decoded before matching) on the same snapshot file;
``tests/test_domains.py`` checks the two agree on every rule of the list.  This
module exists because importing tldextract imports ``requests`` (a quarter of a
second), which the ``linkspider`` command cannot afford at start-up.

>>> suffixes = PublicSuffixes.bundled(extra=("test",))
>>> suffixes.split("www.bbc.co.uk"), suffixes.split("alice.blogspot.com"), suffixes.split("a.shop.test")
(('bbc', 'co.uk'), ('alice', 'blogspot.com'), ('shop', 'test'))
>>> suffixes.split("www.ck"), suffixes.split("a.b.ck"), suffixes.split("intranet")
(('www', 'ck'), ('a', 'b.ck'), ('intranet', ''))
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable
from pathlib import Path

_RULE = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)
_PRIVATE_SECTION = "// ===BEGIN PRIVATE DOMAINS==="


def snapshot_path() -> Path:
    """The PSL snapshot bundled with tldextract (found without importing the package)."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("tldextract is not installed: it carries the Public Suffix List")
    return Path(next(iter(spec.submodule_search_locations))) / ".tld_set_snapshot"


def bundled_rules(private: bool = True) -> list[str]:
    """The rules of the snapshot, as tldextract parses them (``*.`` and ``!`` kept)."""
    text = snapshot_path().read_text(encoding="utf-8")
    public, _, private_text = text.partition(_PRIVATE_SECTION)
    rules = [m.group("suffix") for m in _RULE.finditer(public)]
    if private:
        rules += [m.group("suffix") for m in _RULE.finditer(private_text)]
    return rules


def _decode(label: str) -> str:
    """A label as the list writes it: punycode decoded (tldextract's ``_decode_punycode``)."""
    lowered = label.lower()
    if lowered.startswith("xn--"):
        import idna

        try:
            return idna.decode(lowered)
        except (UnicodeError, IndexError):
            pass
    return lowered


class _Node:
    __slots__ = ("children", "end")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False


class PublicSuffixes:
    """A suffix trie; :meth:`split` gives ``(domain label, public suffix)`` of a host."""

    def __init__(self, rules: Iterable[str]) -> None:
        self._root = _Node()
        for rule in rules:
            node = self._root
            for label in reversed(rule.split(".")):
                node = node.children.setdefault(label, _Node())
            node.end = True

    @classmethod
    def bundled(cls, extra: Iterable[str] = (), private: bool = True) -> PublicSuffixes:
        """The snapshot's public rules (and private ones), plus ``extra`` suffixes."""
        return cls([*bundled_rules(private), *extra])

    def split(self, host: str) -> tuple[str, str]:
        """``(domain label, public suffix)``; the label is ``''`` when the host is a suffix,
        the suffix ``''`` when no rule matches."""
        labels = host.rstrip(".").split(".")
        node = self._root
        suffix_at = at = len(labels)
        for label in reversed(labels):
            decoded = _decode(label)
            child = node.children.get(decoded)
            if child is not None:
                at -= 1
                node = child
                if node.end:
                    suffix_at = at
                continue
            if "*" in node.children:  # a wildcard takes this label, unless excepted
                suffix_at = at if "!" + decoded in node.children else at - 1
            break
        if suffix_at == len(labels):
            return labels[-1], ""
        domain = labels[suffix_at - 1] if suffix_at > 0 else ""
        return domain, ".".join(labels[suffix_at:])
