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

#: An edge's rank among its page's edges to the same target, in page order: with the two
#: URLs, the edge's identity across crawls (``changes``, ``history/``, ``backlinks``).
OCCURRENCE = "row_number() OVER (PARTITION BY crawl_id, source_url, target_url ORDER BY position)"
#: One ``pages`` row per crawl and URL: the rendered one when a page was rendered too.
ONE_ROW_PER_PAGE = (
    "QUALIFY row_number() OVER (PARTITION BY crawl_id, url ORDER BY rendered DESC) = 1"
)

#: Columns added by a schema version, by table, and how to compute them for older files.
DERIVED = {
    "links": {
        3: {
            "sponsored": "list_contains(rel, 'sponsored')",
            "ugc": "list_contains(rel, 'ugc')",
            "dofollow": DOFOLLOW,
        },
        5: {"unchanged": "false"},
    },
    "pages": {
        4: {"topic_terms": "[]::VARCHAR[]", "topic_weights": "[]::FLOAT[]"},
        5: {"etag": "NULL::VARCHAR", "last_modified": "NULL::VARCHAR", "unchanged": "false"},
    },
}
DERIVED["outlinks"] = DERIVED["links"]

#: Columns whose values files before a schema version hold differently, rewritten as the
#: current schema holds them (the expressions give current files' values unchanged).
REWRITTEN = {
    "links": {
        # before 6 an edge outside the DOM (redirect, canonical, refresh) was in region body
        6: {
            "region": "CASE WHEN link_type IN ('redirect', 'canonical', 'refresh') "
            "THEN 'meta' ELSE region END"
        },
    },
}
REWRITTEN["outlinks"] = REWRITTEN["links"]

#: The page says noindex (``{p}``: a ``pages`` row alias), in its meta robots or header.
NOINDEX_SQL = (
    "regexp_matches(lower(coalesce({p}.meta_robots, '') || ',' || coalesce({p}.x_robots_tag, '')), "
    "'(^|[^a-z])(noindex|none)([^a-z]|$)')"
)
#: Why an edge is missing from a page the crawl fetched (``{p}``: that page's row, with a
#: ``noindex`` column).  A 304 (a conditional recrawl) carried its edges: never a loss.
PAGE_LOSS_SQL = """CASE
    WHEN {p}.status IN (404, 410) THEN 'page_gone'
    WHEN {p}.status BETWEEN 300 AND 399 AND {p}.status <> 304 THEN 'page_redirected'
    WHEN {p}.status IS NULL OR {p}.status >= 400 OR {p}.error IS NOT NULL THEN 'page_error'
    WHEN {p}.noindex THEN 'noindex'
    ELSE 'link_removed'
END"""


def sql_string(text: object) -> str:
    """A SQL string literal (of ``str(text)``: a path is fine)."""
    return "'" + str(text).replace("'", "''") + "'"


def sql_list(items: Iterable[object]) -> str:
    """A SQL list of string literals (``read_parquet``'s list of files)."""
    return "[" + ", ".join(sql_string(i) for i in items) + "]"


def crawl_filter(crawls: Iterable[str]) -> str:
    """`` WHERE crawl_id IN (...)`` for ``crawls``."""
    return f" WHERE crawl_id IN ({', '.join(map(sql_string, crawls))})"
