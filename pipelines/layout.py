"""Where rows go: the reverse-index layout of ``links/`` and the file naming.

``links/`` is Hive-partitioned by ``target_bucket``, a function of
``target_domain`` that DuckDB computes with built-in functions, so a query for
one domain names its partition in the WHERE clause::

    target_bucket = 'b' || left(md5(target_domain), 1)

>>> target_bucket("example.com")
'b5'
>>> bucket_sql("'example.com'")
"'b' || left(md5('example.com'), 1)"
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from functools import lru_cache
from typing import NamedTuple

#: The SQL expression of the partition key; ``{domain}`` is a SQL expression.
BUCKET_SQL = "'b' || left(md5({domain}), 1)"


@lru_cache(maxsize=262_144)
def target_bucket(domain: str) -> str:
    """The ``target_bucket`` partition value of a registered domain."""
    return "b" + hashlib.md5(domain.encode("utf-8")).hexdigest()[0]


def bucket_sql(domain_expr: str) -> str:
    """``BUCKET_SQL`` for a SQL expression (a column name, or a ``?`` parameter)."""
    return BUCKET_SQL.format(domain=domain_expr)


_PART = re.compile(
    r"^(?P<hidden>\.)?part-(?P<crawl_id>.+)-(?P<sequence>\d{5,})-[0-9a-f]{8}\.parquet"
    r"(?P<tmp>\.[0-9a-f]+\.tmp)?$"
)


class PartName(NamedTuple):
    crawl_id: str
    sequence: int
    #: a temporary name (``.part-...tmp``): a write that did not finish
    temporary: bool


def parse_part_name(name: str) -> PartName | None:
    """What a file name of the dataset says (None for any other name).

    >>> parse_part_name("part-c1-00007-0123abcd.parquet")
    PartName(crawl_id='c1', sequence=7, temporary=False)
    >>> parse_part_name(".part-c-1-00012-0123abcd.parquet.4f2a.tmp")
    PartName(crawl_id='c-1', sequence=12, temporary=True)
    >>> parse_part_name("notes.txt") is None
    True
    """
    match = _PART.match(name)
    if match is None or bool(match["hidden"]) != bool(match["tmp"]):
        return None
    return PartName(match["crawl_id"], int(match["sequence"]), bool(match["tmp"]))


def part_name(crawl_id: str, sequence: int) -> str:
    """A file name unique across crawls, runs and resumes; sorts by crawl then sequence.

    >>> part_name("c1", 7).startswith("part-c1-00007-") and part_name("c1", 7).endswith(".parquet")
    True
    """
    return f"part-{crawl_id}-{sequence:05d}-{uuid.uuid4().hex[:8]}.parquet"


def temp_path(final_path: str) -> str:
    """A hidden name beside ``final_path`` that no ``*.parquet`` glob matches."""
    head, tail = os.path.split(final_path)
    return os.path.join(head, f".{tail}.{uuid.uuid4().hex[:6]}.tmp")
