"""Seed lists: a file (one URL or bare domain a line) or a comma-separated string.

>>> parse_seeds("example.com, https://www.Example.org/start#x")
['http://example.com/', 'https://www.example.org/start']
>>> parse_seeds(["# comment", "", "  a.test  # my site"])
['http://a.test/']
>>> parse_seeds("ftp://x.org/")
Traceback (most recent call last):
...
linkspider.seeds.SeedError: seed 1 ('ftp://x.org/'): not an http(s) URL or domain
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from linkspider.urls import resolve

DEFAULT_SEEDS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "seeds.txt")


class SeedError(ValueError):
    """A seed that cannot be crawled, with its line number."""


def _normalize(seed: str) -> str | None:
    if "://" not in seed:
        seed = f"http://{seed}"
    resolved = resolve(seed, seed)
    if resolved is None or not resolved[2]:
        return None
    return resolved[0]


def parse_seeds(lines: str | Iterable[str]) -> list[str]:
    """Normalized, de-duplicated seed URLs in their given order."""
    if isinstance(lines, str):
        lines = lines.split(",")
    seeds: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if " #" in line or "\t#" in line:  # trailing comment
            line = re.split(r"\s#", line, maxsplit=1)[0].strip()
        if not line or line.startswith("#"):
            continue
        url = _normalize(line)
        if url is None:
            raise SeedError(f"seed {number} ({line!r}): not an http(s) URL or domain")
        if url not in seen:
            seen.add(url)
            seeds.append(url)
    return seeds


def load_seeds(spec: str | None) -> list[str]:
    """Seeds from a file path if one exists, else from a comma-separated list."""
    spec = spec or DEFAULT_SEEDS
    if os.path.isfile(spec):
        with open(spec, encoding="utf-8-sig") as handle:
            seeds = parse_seeds(handle.read().splitlines())
        where = spec
    else:
        if os.sep in spec and "://" not in spec and not spec.count(","):
            raise SeedError(f"seeds file not found: {spec}")
        seeds = parse_seeds(spec)
        where = "the seeds argument"
    if not seeds:
        raise SeedError(f"no seeds in {where}")
    return seeds
