"""SQL text the dataset's DuckDB readers share: literals, and which edges pass credit.

Values that reach SQL as text (file paths, crawl ids, regions) go through
:func:`sql_string`; everything a user types is bound as a parameter instead.

>>> sql_string("it's"), sql_list(["a", "b'c"]), crawl_filter(["c1"])
("'it''s'", "['a', 'b''c']", " WHERE crawl_id IN ('c1')")
"""

from __future__ import annotations

from collections.abc import Iterable

#: An edge passes credit (``dofollow``): not nofollow, sponsored or ugc, computed from
#: ``nofollow`` and ``rel`` (so that it also holds for files from before schema version 3).
DOFOLLOW = "NOT (nofollow OR list_contains(rel, 'sponsored') OR list_contains(rel, 'ugc'))"


def sql_string(text: object) -> str:
    """A SQL string literal (of ``str(text)``: a path is fine)."""
    return "'" + str(text).replace("'", "''") + "'"


def sql_list(items: Iterable[object]) -> str:
    """A SQL list of string literals (``read_parquet``'s list of files)."""
    return "[" + ", ".join(sql_string(i) for i in items) + "]"


def crawl_filter(crawls: Iterable[str]) -> str:
    """`` WHERE crawl_id IN (...)`` for ``crawls``."""
    return f" WHERE crawl_id IN ({', '.join(map(sql_string, crawls))})"
