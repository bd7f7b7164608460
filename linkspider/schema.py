"""The dataset's tables, declared once.

Each column is declared here, once: its name, Arrow type, whether it may be
NULL, what it means and an example.  Everything else is derived from these
declarations: the Arrow schemas the writer builds batches with (non-NULL
columns are REQUIRED in the Parquet files), the sort order and Parquet
``sorting_columns`` of every file, the key/value metadata of every file
(``linkspider.schema_version``, ``linkspider.table``, ``linkspider.crawl_id``),
and the README's data dictionary (``python -m linkspider.schema`` prints it; a
test checks the README holds exactly that).  The extraction core's
:class:`~linkspider.extract.Edge` fields and the crawl's
:class:`~linkspider.items.CrawledPage` fields are checked against them.

>>> LINKS.names[:3], PAGES.sort, OUTLINKS.sort
(('crawl_id', 'source_url', 'source_host'), ('url',), ('source_domain', 'source_url'))
>>> LINKS.arrow.field("img_alt").nullable, LINKS.arrow.field("target_url").nullable
(True, False)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa

#: Bumped when a column is added, removed or changes meaning.
SCHEMA_VERSION = 6

TIMESTAMP = pa.timestamp("us", tz="UTC")
_SQL_TYPES = {
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "FLOAT",
    pa.float64(): "DOUBLE",
    TIMESTAMP: "TIMESTAMP WITH TIME ZONE",
    pa.list_(pa.string()): "VARCHAR[]",
    pa.list_(pa.float32()): "FLOAT[]",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    doc: str
    example: str = ""

    @property
    def sql_type(self) -> str:
        """The column's type as DuckDB shows it.

        >>> Column("x", pa.int16(), False, "").sql_type
        'SMALLINT'
        """
        return _SQL_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    #: the order of the rows in every file
    sort: tuple[str, ...]
    #: a Hive partition column (a directory level, not in the files), documented with the table
    partition: Column | None = None
    #: the data dictionary refers to this table's columns instead of listing them again
    same_columns_as: str | None = None

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def __getitem__(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @cached_property
    def arrow(self) -> pa.Schema:
        """The Arrow schema of the table's files (without their metadata)."""
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    def empty_select(self, names: tuple[str, ...] | None = None) -> str:
        """SQL: a SELECT of no rows with the table's columns (or those of ``names``), typed.

        >>> PAGE_RANKS.empty_select(("url", "pagerank"))
        'SELECT NULL::VARCHAR AS url, NULL::DOUBLE AS pagerank WHERE false'
        """
        columns = [self[name] for name in names] if names else self.columns
        return (
            "SELECT "
            + ", ".join(f"NULL::{c.sql_type} AS {c.name}" for c in columns)
            + " WHERE false"
        )

    def metadata(self, crawl_id: str) -> dict[bytes, bytes]:
        """The key/value metadata every file of this table carries."""
        return {
            b"linkspider.schema_version": str(SCHEMA_VERSION).encode(),
            b"linkspider.table": self.name.encode(),
            b"linkspider.crawl_id": crawl_id.encode(),
        }

    def sorting_columns(self):
        """The Parquet ``sorting_columns`` of the table's files."""
        import pyarrow.parquet as pq

        return [pq.SortingColumn(self.names.index(name)) for name in self.sort]

    def markdown(self) -> str:
        """The data dictionary of the table, as the README has it."""
        lines = [f"### `{self.name}/` ({self.doc})", ""]
        columns = (*self.columns, *([self.partition] if self.partition else []))
        if self.same_columns_as:
            lines += [f"The columns of `{self.same_columns_as}/`, and:", ""]
            columns = columns[len(self.columns) :]
        lines += ["| column | type | NULL | meaning | example |", "|---|---|---|---|---|"]
        for c in columns:
            kind = c.sql_type + (" (partition)" if c is self.partition else "")
            example = f"`{c.example}`" if c.example else ""
            doc = c.doc.replace("|", "\\|")
            lines.append(
                f"| `{c.name}` | {kind} | {'yes' if c.nullable else 'no'} | {doc} | {example} |"
            )
        return "\n".join(lines)


S, B = pa.string(), pa.bool_()

LINKS = Table(
    "links",
    "one row per edge",
    (
        Column("crawl_id", S, False, "crawl that recorded the edge", "20261123T204200Z"),
        Column("source_url", S, False, "page the edge was found on (after redirects; for a redirect edge, the redirecting URL)", "http://a.test/post"),
        Column("source_host", S, False, "host of `source_url`", "www.a.test"),
        Column("source_domain", S, False, "registered domain of `source_host`", "a.test"),
        Column("target_url", S, False, "resolved absolute http(s) URL, as the URL standard serializes it, without fragment", "http://b.test/x?y=1"),
        Column("target_fragment", S, False, "fragment without `#`, `''` if none, at most 1,024 characters", "section-2"),
        Column("target_host", S, False, "host of `target_url` (punycode, lowercase; IPv6 in brackets)", "xn--bcher-kva.example"),
        Column("target_domain", S, False, "registered domain of `target_host` (`bücher.example` is `xn--bcher-kva.example`)", "xn--bcher-kva.example"),
        Column("anchor_text", S, False, "link text (its `textContent` without the code of scripts and styles inside it), whitespace collapsed, entities decoded, at most 512 characters; `''` for image, area, redirect, canonical and refresh edges", "the study"),
        Column("img_alt", S, True, "`alt` of the image of an image link, or of an `<area>`; NULL otherwise", "C logo"),
        Column("title", S, True, "the link's `title` attribute; NULL if absent", "C & co"),
        Column("rel", pa.list_(S), False, "`rel` tokens, lowercased, in order (the first 16, and any `nofollow`, `sponsored`, `ugc` after them)", "[nofollow, noopener]"),
        Column("nofollow", B, False, "effective nofollow: `rel` has it, or the page's meta robots or X-Robots-Tag says nofollow or none", "true"),
        Column("sponsored", B, False, "`rel` has `sponsored`", "false"),
        Column("ugc", B, False, "`rel` has `ugc` (user-generated content)", "false"),
        Column("dofollow", B, False, "the link passes credit as search engines count it: not `nofollow`, `sponsored` or `ugc`", "true"),
        Column("region", S, False, "`header`, `nav`, `main`, `aside`, `footer`, `comment` or `body` for a link in the page; `meta` for a redirect, canonical or refresh (see Regions; `body` in files before schema version 6, read as `meta`)", "main"),
        Column("link_type", S, False, "`text`, `image` (an `<a>` with an image and no text), `area`, `redirect`, `canonical`, `refresh`", "text"),
        Column("position", pa.int32(), False, "ordinal of the edge on its page, 0-based, dense, in document order", "7"),
        Column("is_external", B, False, "`source_domain != target_domain`", "true"),
        Column("fetched_at", TIMESTAMP, False, "when the source page was processed (UTC)", "2026-11-23 20:52:19+00"),
        Column("source_depth", pa.int16(), False, "link hops from a seed to the source page", "1"),
        Column("region_score", pa.float32(), False, "calibrated confidence in `region`, 0..1: how often the model's decision path was right on labelled pages (1.0 for edges outside the DOM)", "0.978"),
        Column("link_density", pa.float32(), True, "share of the text of the link's innermost block container that is link text, as Readability measures text (each run of whitespace one character); NULL outside the DOM", "0.12"),
        Column("rendered", B, False, "the edge was extracted from the browser-rendered DOM", "false"),
        Column("unchanged", B, False, "carried forward from the recrawled crawl: the source page answered 304 Not Modified (see Recrawls)", "false"),
    ),
    sort=("target_domain", "target_url"),
    partition=Column("target_bucket", S, False, "`'b' || left(md5(target_domain), 1)`: one of 16 partitions (see Output layout)", "b5"),
)  # fmt: skip

OUTLINKS = Table(
    "outlinks",
    "the rows of `links/` again, partitioned and sorted by source, for lookups by source page, host or domain",
    LINKS.columns,
    sort=("source_domain", "source_url"),
    partition=Column("source_bucket", S, False, "`'b' || left(md5(source_domain), 1)`", "b3"),
    same_columns_as="links",
)

PAGES = Table(
    "pages",
    "one row per URL the crawl fetched or tried",
    (
        Column("crawl_id", S, False, "crawl", "20261123T204200Z"),
        Column("url", S, False, "the requested URL", "http://a.test/"),
        Column("host", S, False, "host of `url`", "www.a.test"),
        Column("domain", S, False, "registered domain of `host`", "a.test"),
        Column("status", pa.int16(), True, "HTTP status; NULL when there was no response (network error, robots.txt)", "200"),
        Column("content_type", S, True, "`Content-Type` header as sent", "text/html; charset=utf-8"),
        Column("encoding", S, True, "encoding used to decode the body (WHATWG name, lowercase; see Encodings)", "windows-1251"),
        Column("fetched_at", TIMESTAMP, False, "when the response (or failure) was processed (UTC)", "2026-11-23 20:52:19+00"),
        Column("depth", pa.int16(), False, "link hops from a seed", "0"),
        Column("title", S, True, "`<title>`, whitespace collapsed, at most 1,024 characters", "A home"),
        Column("canonical_url", S, True, "first `<link rel=canonical>`, resolved", "http://a.test/"),
        Column("lang", S, True, "`<html lang>`", "en"),
        Column("meta_robots", S, True, "content of `<meta name=robots>` (several joined with `, `)", "noindex, nofollow"),
        Column("x_robots_tag", S, True, "`X-Robots-Tag` header(s)", "noarchive"),
        Column("outlink_count", pa.int32(), False, "edges recorded for the page", "42"),
        Column("edges_dropped", pa.int32(), False, "edges not recorded because of the per-page cap or the URL length cap", "0"),
        Column("bytes", pa.int64(), True, "body size in bytes (after content decoding); NULL without a response", "51234"),
        Column("error", S, True, "why the page has no edges, NULL if it was parsed: `HTTP 404`, `binary body`, `not HTML (image/png)`, `not HTML (text/plain, sniffed: no Content-Type)`, `empty body`, `robots.txt disallowed`, `robots.txt unreachable (…)`, `refused: …` (a private address), `redirect without Location (302)`, `multiple Location headers (302)`, `extraction took longer than 20 s`, `extraction ran out of memory (2048 MB)`, `extraction crashed (…)`, or the network error", "HTTP 500"),
        Column("rendered", B, False, "the row comes from the browser-rendered DOM", "false"),
        Column("render_error", S, True, "why a render was attempted and failed (the row then holds the plain fetch's result)", "TimeoutError: …"),
        Column("topic_terms", pa.list_(S), False, "the page's topic signature: the 32 most frequent terms of its main content (see Relevance); `[]` without text", "[python, packaging, wheel]"),
        Column("topic_weights", pa.list_(pa.float32()), False, "the weight of each of `topic_terms`, `1 + ln(count)` scaled to unit length", "[0.41, 0.33, 0.2]"),
        Column("etag", S, True, "`ETag` response header, for the next recrawl's conditional request", '"5f2a-1b3"'),
        Column("last_modified", S, True, "`Last-Modified` response header, as sent", "Tue, 24 Nov 2026 08:00:00 GMT"),
        Column("unchanged", B, False, "the page answered 304 Not Modified to a recrawl (`status` 304): the other columns and its edges are the recrawled crawl's, carried forward without parsing", "false"),
    ),
    sort=("url",),
)  # fmt: skip

CRAWLS = Table(
    "crawls",
    "one row per crawl, rewritten when it starts, resumes and ends",
    (
        Column("crawl_id", S, False, "the crawl", "20261123T204200Z"),
        Column("status", S, False, "`running`; at the end `finished`, `stopped` (a signal, a close condition) or `failed` (the dataset could not be written)", "finished"),
        Column("started_at", TIMESTAMP, False, "when the crawl's first run started (UTC)", "2026-11-23 20:42:00+00"),
        Column("finished_at", TIMESTAMP, True, "when its last run ended; NULL while running", "2026-11-23 21:02:13+00"),
        Column("finish_reason", S, True, "Scrapy's finish reason of the last run (`finished`, `shutdown`, `write_failed`, `closespider_pagecount` ...)", "finished"),
        Column("runs", pa.int16(), False, "runs of the crawl: 1, and one more per resume from its JOBDIR", "1"),
        Column("seeds", pa.list_(S), False, "the seed URLs", "[http://a.test/]"),
        Column("scope", S, False, "`site` or `web`", "site"),
        Column("spider_arguments", S, False, "the `-a` arguments of the first run, as a JSON object", '{"max_depth": "3"}'),
        Column("settings", S, False, "the settings that shaped the crawl, as a JSON object (every `LINKSPIDER_*`, robots.txt, concurrency, delays, user agent, JOBDIR)", '{"ROBOTSTXT_OBEY": true}'),
        Column("pages", pa.int64(), False, "rows of the crawl in `pages/` when the row was written", "10020"),
        Column("edges", pa.int64(), False, "rows of the crawl in `links/`", "1762897"),
        Column("outlinks", B, False, "the crawl's edges are in `outlinks/` too (`LINKSPIDER_SOURCE_INDEX`)", "true"),
        Column("linkspider_version", S, False, "version of linkspider that wrote the row", "0.2.0"),
        Column("schema_version", pa.int16(), False, "version of the dataset's schema its files follow", "3"),
        Column("pruned_at", TIMESTAMP, True, "when `linkspider prune` deleted the crawl's files (its edges live on in `history/`); NULL while they are kept", "2026-12-01 09:00:00+00"),
    ),
    sort=("crawl_id",),
)  # fmt: skip

RANKS = Table(
    "ranks",
    "authority of each host and registered domain of a crawl's link graph (`linkspider rank`; see Authority)",
    (
        Column("crawl_id", S, False, "the crawl whose edges make the graph", "20261123T204200Z"),
        Column("level", S, False, "`host` or `domain`", "domain"),
        Column("node", S, False, "the host or registered domain", "example.com"),
        Column("pagerank", pa.float64(), False, "PageRank (damping 0.85, uniform teleport); sums to 1 over a level", "0.000127"),
        Column("harmonic_centrality", pa.float64(), False, "sum over the other nodes of 1 / the length of the shortest path from them to this one; estimated from sampled sources above `LINKSPIDER_RANK_EXACT_NODES` nodes", "1834.5"),
        Column("harmonic_exact", B, False, "`harmonic_centrality` is exact (false: estimated)", "true"),
        Column("in_nodes", pa.int64(), False, "distinct other nodes linking to it with credit", "211"),
        Column("in_links", pa.int64(), False, "edges from other nodes to it that pass credit", "5120"),
        Column("out_nodes", pa.int64(), False, "distinct other nodes it links to with credit", "35"),
        Column("pagerank_rank", pa.int64(), False, "1 for the highest PageRank of its level (ties by name)", "12"),
        Column("harmonic_rank", pa.int64(), False, "1 for the highest harmonic centrality of its level", "9"),
    ),
    sort=("level", "node"),
)  # fmt: skip

PAGE_RANKS = Table(
    "page_ranks",
    "PageRank of every page (URL) of a crawl's link graph",
    (
        Column("crawl_id", S, False, "the crawl", "20261123T204200Z"),
        Column("url", S, False, "a URL at either end of an edge of the crawl", "http://a.test/post"),
        Column("pagerank", pa.float64(), False, "PageRank over the graph of URLs; sums to 1", "0.0000031"),
    ),
    sort=("url",),
)  # fmt: skip

HISTORY = Table(
    "history",
    "one row per edge ever recorded, across crawls: when it was first and last seen, and whether it is lost (see History)",
    (
        Column("source_url", S, False, "page the edge is on", "http://a.test/post"),
        Column("source_host", S, False, "host of `source_url`", "www.a.test"),
        Column("source_domain", S, False, "registered domain of `source_host`", "a.test"),
        Column("target_url", S, False, "the edge's target", "http://b.test/x?y=1"),
        Column("target_host", S, False, "host of `target_url`", "b.test"),
        Column("target_domain", S, False, "registered domain of `target_host`", "b.test"),
        Column("occurrence", pa.int32(), False, "1 for the first edge from `source_url` to `target_url` in page order, 2 for the second ...: with the two URLs, the edge's identity across crawls", "1"),
        Column("anchor_text", S, False, "`anchor_text` when last seen", "the study"),
        Column("img_alt", S, True, "`img_alt` when last seen", "C logo"),
        Column("rel", pa.list_(S), False, "`rel` when last seen", "[nofollow]"),
        Column("nofollow", B, False, "`nofollow` when last seen", "false"),
        Column("dofollow", B, False, "`dofollow` when last seen", "true"),
        Column("region", S, False, "`region` when last seen", "main"),
        Column("link_type", S, False, "`link_type` when last seen", "text"),
        Column("is_external", B, False, "`source_domain != target_domain`", "true"),
        Column("first_seen", TIMESTAMP, False, "when a crawl first recorded the edge (its source page's `fetched_at`)", "2026-10-01 08:00:00+00"),
        Column("last_seen", TIMESTAMP, False, "when a crawl last recorded it", "2026-11-23 20:52:19+00"),
        Column("first_crawl", S, False, "the crawl of `first_seen`", "20261001T080000Z"),
        Column("last_crawl", S, False, "the crawl of `last_seen`", "20261123T204200Z"),
        Column("times_seen", pa.int32(), False, "crawls that recorded it", "4"),
        Column("lost_at", TIMESTAMP, True, "when a crawl after `last_seen` found it gone (the source page's `fetched_at` then, or that crawl's end for `not_recrawled`); NULL while live", "2026-11-23 20:52:19+00"),
        Column("lost_crawl", S, True, "the crawl of `lost_at`", "20261123T204200Z"),
        Column("lost_reason", S, True, "why: `link_removed`, `page_gone`, `page_redirected`, `page_error`, `noindex`, `not_recrawled` (as `linkspider changes` says)", "link_removed"),
    ),
    sort=("target_domain", "target_url"),
    partition=LINKS.partition,
)  # fmt: skip

TABLES = (LINKS, OUTLINKS, PAGES, CRAWLS, RANKS, PAGE_RANKS, HISTORY)
BY_NAME = {table.name: table for table in TABLES}
#: The tables written by flushes as part files, and merged by compaction.
PART_TABLES = (LINKS, OUTLINKS, PAGES)


def data_dictionary() -> str:
    """The README's data dictionary: every table's columns."""
    return "\n\n".join(table.markdown() for table in TABLES)


if __name__ == "__main__":
    sys.stdout.write(data_dictionary() + "\n")
