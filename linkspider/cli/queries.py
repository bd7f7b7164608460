"""The SQL behind each ``linkspider`` command: one query each, over the views of
:mod:`linkspider.cli.dataset` (``links``, ``outlinks``, ``pages``, ``crawls``).

Parameters are bound (``$target``, ``$domain`` ...), never formatted into the SQL;
``{filters}`` stands for the options shared by every command (external edges
only unless ``--internal``, ``--dofollow``, ``--region``), and ``{where}`` for the
target's or source's own condition.  ``linkspider sql --print-views`` prints the
views and the table macros built from the same text.
"""

from __future__ import annotations

from typing import NamedTuple

from linkspider.sql import NOINDEX_SQL, OCCURRENCE, ONE_ROW_PER_PAGE, PAGE_LOSS_SQL, sql_string
from linkspider.value import AUTHORITY_SQL, Weights, value_sql

#: Columns of ``backlinks`` and ``outlinks``: the edge, where it is, what it is worth.
EDGE_COLUMNS = (
    "source_url", "source_domain", "target_url", "target_fragment", "anchor_text", "img_alt",
    "title", "rel", "nofollow", "sponsored", "ugc", "dofollow", "region", "link_type",
    "position", "is_external", "fetched_at", "crawl_id",
)  # fmt: skip


class Query(NamedTuple):
    sql: str
    #: the columns a terminal table shows (all of them go to csv, json, jsonl and parquet);
    #: an entry may be a SQL expression ``... AS name``
    shown: tuple[str, ...]


#: In a terminal table, an image link shows its image's alt as its text.
_SHOWN_ANCHOR = (
    "CASE WHEN anchor_text = '' AND img_alt IS NOT NULL THEN '[image] ' || img_alt "
    "ELSE anchor_text END AS anchor_text"
)


#: What ``backlinks`` adds to each edge (:mod:`linkspider.value`, and ``history``).
VALUE_COLUMNS = (
    "authority", "relevance", "anchor_class", "position_score", "sitewide", "sitewide_pages",
    "link_value", "first_seen", "last_seen",
)  # fmt: skip
#: ``backlinks --sort``: the ORDER BY of each choice
BACKLINK_ORDER = {
    "source": "source_domain, source_url, position",
    "value": "link_value DESC, source_domain, source_url, position",
}

BACKLINKS = Query(
    f"""SELECT {", ".join(EDGE_COLUMNS + VALUE_COLUMNS)}
FROM ({{valued}})
WHERE true{{filters}}
ORDER BY {{order}}""",
    ("source_url", _SHOWN_ANCHOR, "target_url", "region", "dofollow", "anchor_class", "link_value"),
)
#: the rows ``{valued}`` values: every backlink of the target, before the filters, with
#: when it was first and last seen (``history``: also by crawls since pruned)
BACKLINK_EDGES = f"""SELECT e.*, least(h.first_seen, e.fetched_at) AS first_seen,
       greatest(h.last_seen, e.fetched_at) AS last_seen
FROM (SELECT *, {OCCURRENCE} AS occurrence FROM links WHERE {{where}}) e
LEFT JOIN history h
  ON h.source_url = e.source_url AND h.target_url = e.target_url AND h.occurrence = e.occurrence"""

OUTLINKS = Query(
    f"""SELECT {", ".join(EDGE_COLUMNS)}
FROM outlinks
WHERE {{where}}{{filters}}
ORDER BY source_url, position""",
    ("source_url", "position", "target_url", _SHOWN_ANCHOR, "region", "dofollow"),
)

REFDOMAINS = Query(
    f"""SELECT source_domain,
       count(*) AS links,
       count(DISTINCT source_url) AS pages,
       count(*) FILTER (WHERE dofollow) AS dofollow_links,
       min(fetched_at) AS first_fetched,
       max(fetched_at) AS last_fetched,
       max(authority) AS authority,
       min(harmonic_rank) AS harmonic_rank
FROM links
LEFT JOIN ({AUTHORITY_SQL}) r ON r.crawl_id = links.crawl_id AND r.domain = links.source_domain
WHERE {{where}}{{filters}}
GROUP BY source_domain
ORDER BY links DESC, source_domain""",
    ("source_domain", "links", "pages", "dofollow_links", "authority", "last_fetched"),
)

# An image link's text is its image's alt (an <area> has only its alt).
ANCHORS = Query(
    """SELECT anchor,
       count(*) AS links,
       count(DISTINCT source_domain) AS refdomains,
       count(*) FILTER (WHERE dofollow) AS dofollow_links,
       round(count(*) / sum(count(*)) OVER (), 4) AS share
FROM (
    SELECT CASE WHEN link_type IN ('image', 'area') THEN coalesce(img_alt, '')
                ELSE anchor_text END AS anchor,
           source_domain, dofollow
    FROM links
    WHERE {where}{filters}
)
GROUP BY anchor
ORDER BY links DESC, anchor""",
    ("anchor", "links", "refdomains", "dofollow_links", "share"),
)

#: ``top --by``: the key column and its name in the output
TOP_KEYS = {
    "domains": ("target_domain", "domain"),
    "hosts": ("target_host", "host"),
    "pages": ("target_url", "url"),
}

TOP = Query(
    """SELECT {key} AS {name},
       count(DISTINCT source_domain) AS refdomains,
       count(*) AS links,
       count(*) FILTER (WHERE dofollow) AS dofollow_links
FROM links
WHERE true{filters}
GROUP BY {key}
ORDER BY refdomains DESC, links DESC, {name}""",
    ("{name}", "refdomains", "links", "dofollow_links"),
)

#: ``rank``: the domains it ranked, most central first.
RANKS = Query(
    """SELECT node AS domain, harmonic_centrality, harmonic_rank, pagerank, pagerank_rank,
       in_nodes, in_links, out_nodes, harmonic_exact, crawl_id
FROM ranks
WHERE level = 'domain'
ORDER BY harmonic_rank, crawl_id""",
    ("domain", "harmonic_rank", "harmonic_centrality", "pagerank_rank", "pagerank", "in_nodes"),
)

#: ``crawls``: every column of the ``crawls/`` table (a crawl from before it has a few).
CRAWL_COLUMNS = (
    "crawl_id", "status", "started_at", "finished_at", "finish_reason", "runs", "seeds",
    "scope", "pages", "edges", "outlinks", "spider_arguments", "settings",
    "linkspider_version", "schema_version", "pruned_at",
)  # fmt: skip

#: ``history``: TARGET's backlinks over every crawl applied to ``history/``.
HISTORY_COLUMNS = (
    "source_url", "target_url", "occurrence", "anchor_text", "status", "first_seen",
    "last_seen", "times_seen", "lost_at", "lost_reason", "first_crawl", "last_crawl",
    "lost_crawl", "source_domain", "target_domain", "img_alt", "rel", "nofollow", "dofollow",
    "region", "link_type", "is_external",
)  # fmt: skip
#: ``history --lost`` / ``--live``
HISTORY_STATES = {"lost": " AND lost_at IS NOT NULL", "live": " AND lost_at IS NULL"}
HISTORY = Query(
    f"""SELECT {", ".join("CASE WHEN lost_at IS NULL THEN 'live' ELSE 'lost' END AS status" if c == "status" else c for c in HISTORY_COLUMNS)}
FROM history
WHERE {{where}}{{filters}}{{state}}
ORDER BY source_domain, source_url, target_url, occurrence""",
    ("source_url", "target_url", "status", "first_seen", "last_seen", "times_seen", "lost_reason"),
)
CRAWLS = Query(
    f"SELECT {', '.join(CRAWL_COLUMNS)} FROM crawls ORDER BY started_at, crawl_id",
    ("crawl_id", "status", "started_at", "finished_at", "pages", "edges", "seeds"),
)

#: The target's (``links``) or source's (``outlinks``) condition, by kind; $domain picks
#: the partition and the row groups, the rest narrows inside them.
TARGET_WHERE = {
    "domain": "target_domain = $domain",
    "host": "target_domain = $domain AND target_host = $value",
    "url": "target_domain = $domain AND target_url = $value",
}
SOURCE_WHERE = {
    "domain": "source_domain = $domain",
    "host": "source_domain = $domain AND source_host = $value",
    "url": "source_domain = $domain AND source_url = $value",
}


def filters(internal: bool, dofollow: bool, regions: list[str] | None) -> str:
    """The shared options as SQL conditions (values are checked words, quoted).

    >>> filters(False, True, ["main", "nav"])
    " AND is_external AND dofollow AND region IN ('main', 'nav')"
    """
    out = ""
    if not internal:
        out += " AND is_external"
    if dofollow:
        out += " AND dofollow"
    if regions:
        out += f" AND region IN ({', '.join(sql_string(r) for r in regions)})"
    return out


#: Table macros for your own DuckDB (``linkspider sql --print-views``): a lookup by domain.
MACROS = (
    """CREATE OR REPLACE MACRO backlinks(domain, internal := false) AS TABLE
SELECT * FROM links
WHERE target_bucket = linkspider_bucket(domain) AND target_domain = domain
  AND (internal OR is_external);
CREATE OR REPLACE MACRO outlinks_of(domain, internal := false) AS TABLE
SELECT * FROM outlinks
WHERE source_bucket = linkspider_bucket(domain) AND source_domain = domain
  AND (internal OR is_external);
CREATE OR REPLACE MACRO refdomains(domain, internal := false) AS TABLE
SELECT source_domain, count(*) AS links, count(DISTINCT source_url) AS pages,
       count(*) FILTER (WHERE dofollow) AS dofollow_links,
       min(fetched_at) AS first_fetched, max(fetched_at) AS last_fetched
FROM backlinks(domain, internal := internal)
GROUP BY source_domain
ORDER BY links DESC, source_domain;
CREATE OR REPLACE MACRO anchors(domain, internal := false) AS TABLE
SELECT anchor, count(*) AS links, count(DISTINCT source_domain) AS refdomains,
       count(*) FILTER (WHERE dofollow) AS dofollow_links,
       round(count(*) / sum(count(*)) OVER (), 4) AS share
FROM (SELECT CASE WHEN link_type IN ('image', 'area') THEN coalesce(img_alt, '')
                  ELSE anchor_text END AS anchor, source_domain, dofollow
      FROM backlinks(domain, internal := internal))
GROUP BY anchor
ORDER BY links DESC, anchor;
CREATE OR REPLACE MACRO link_values(domain) AS TABLE
"""
    + value_sql(
        "SELECT * FROM links WHERE target_bucket = linkspider_bucket(domain) "
        "AND target_domain = domain",
        Weights(),
    )
    + ";\n"
)

#: ``changes``: edges matched across two crawls by (source_url, target_url, occurrence among
#: the page's edges to that target, in page order); ``{where}`` is the target's condition.
CHANGE_COLUMNS = (
    "source_url", "target_url", "occurrence", "anchor_text", "change", "reason", "reasons",
    "nofollow_before", "nofollow_after", "anchor_before", "anchor_after", "rel_before",
    "rel_after", "region_before", "region_after", "source_status_after", "source_domain",
    "target_domain", "is_external", "dofollow", "region", "from_crawl", "to_crawl",
)  # fmt: skip
_CHANGE_EXPRESSIONS = {
    "reason": "reasons[1] AS reason",
    "from_crawl": "$from_crawl AS from_crawl",
    "to_crawl": "$to_crawl AS to_crawl",
}
#: one crawl's edges (``{{where}}``: the target), numbered among equal (source, target) pairs
_CRAWL_EDGES = f"""SELECT *, {OCCURRENCE} AS occurrence
    FROM links WHERE crawl_id = {{crawl}} AND {{{{where}}}}"""
#: one crawl's pages, one row per URL, with whether the page says noindex
_CRAWL_PAGES = f"""SELECT *, {NOINDEX_SQL.format(p="pages")} AS noindex FROM pages WHERE crawl_id = {{crawl}}
    {ONE_ROW_PER_PAGE}"""
_PAGE_LOSS = PAGE_LOSS_SQL.format(p="pb").replace("\n", "\n" + " " * 15)
CHANGES = Query(
    f"""WITH a AS (
    {_CRAWL_EDGES.format(crawl="$from_crawl")}
), b AS (
    {_CRAWL_EDGES.format(crawl="$to_crawl")}
), pa AS (
    {_CRAWL_PAGES.format(crawl="$from_crawl")}
), pb AS (
    {_CRAWL_PAGES.format(crawl="$to_crawl")}
), matched AS (
    SELECT coalesce(a.source_url, b.source_url) AS source_url,
           coalesce(a.target_url, b.target_url) AS target_url,
           coalesce(a.occurrence, b.occurrence) AS occurrence,
           coalesce(b.anchor_text, a.anchor_text) AS anchor_text,
           a.source_url IS NOT NULL AS before, b.source_url IS NOT NULL AS after,
           a.nofollow AS nofollow_before, b.nofollow AS nofollow_after,
           CASE WHEN a.link_type IN ('image', 'area') THEN coalesce(a.img_alt, '') ELSE a.anchor_text END AS anchor_before,
           CASE WHEN b.link_type IN ('image', 'area') THEN coalesce(b.img_alt, '') ELSE b.anchor_text END AS anchor_after,
           a.rel AS rel_before, b.rel AS rel_after,
           a.region AS region_before, b.region AS region_after,
           coalesce(b.source_domain, a.source_domain) AS source_domain,
           coalesce(b.target_domain, a.target_domain) AS target_domain,
           coalesce(b.is_external, a.is_external) AS is_external,
           coalesce(b.dofollow, a.dofollow) AS dofollow,
           coalesce(b.region, a.region) AS region
    FROM a FULL OUTER JOIN b
      ON a.source_url = b.source_url AND a.target_url = b.target_url AND a.occurrence = b.occurrence
), reasoned AS (  -- the reasons decide the change: a link on a page now noindex is lost
    SELECT m.*, pb.status AS source_status_after,
           CASE
               WHEN NOT m.after AND pb.url IS NULL THEN ['not_recrawled']
               WHEN NOT m.after THEN [{_PAGE_LOSS}]
               WHEN NOT m.before AND pa.url IS NOT NULL AND pa.error IS NULL THEN ['new_link']
               WHEN NOT m.before THEN ['new_page']
               WHEN pb.noindex AND NOT coalesce(pa.noindex, false) THEN ['noindex']
               ELSE list_filter([
                   CASE WHEN NOT m.nofollow_before AND m.nofollow_after THEN 'nofollow_added' END,
                   CASE WHEN m.nofollow_before AND NOT m.nofollow_after THEN 'nofollow_removed' END,
                   CASE WHEN m.anchor_before IS DISTINCT FROM m.anchor_after THEN 'anchor_changed' END,
                   CASE WHEN list_filter(m.rel_before, lambda r: r <> 'nofollow')
                             IS DISTINCT FROM list_filter(m.rel_after, lambda r: r <> 'nofollow')
                        THEN 'rel_changed' END,
                   CASE WHEN m.region_before <> m.region_after THEN 'region_changed' END
               ], lambda r: r IS NOT NULL)
           END AS reasons
    FROM matched m
    LEFT JOIN pa ON pa.url = m.source_url
    LEFT JOIN pb ON pb.url = m.source_url
), judged AS (
    SELECT *,
           CASE WHEN NOT after OR reasons = ['noindex'] THEN 'lost'
                WHEN NOT before THEN 'new'
                ELSE 'changed'
           END AS change
    FROM reasoned
)
SELECT {", ".join(_CHANGE_EXPRESSIONS.get(c, c) for c in CHANGE_COLUMNS)}
FROM judged
WHERE len(reasons) > 0{{filters}}
ORDER BY change, reason, source_url, target_url, occurrence""",
    ("change", "reason", "source_url", "target_url", "anchor_text"),
)
