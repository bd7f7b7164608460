"""``-a recrawl=CRAWL_ID``: what a recrawl needs of the earlier crawl.

A recrawl fetches the earlier crawl's pages again with conditional requests
(``If-None-Match`` with the page's ``ETag``, ``If-Modified-Since`` with its
``Last-Modified``, both from ``pages/``).  A page that answers 304 Not Modified
is not parsed: its earlier row and edges are carried forward into the new crawl
(``unchanged = true``).  :class:`EarlierCrawl` reads the earlier crawl's pages
and edges once, when the crawl opens, into Arrow tables sorted by URL (about
the size of those rows in memory: some 250 bytes per edge); a 304 then costs a
slice and the Python objects of its edges, a fraction of a parse.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from typing import Any

from linkspider import schema
from linkspider.extract import Edge
from linkspider.pipelines import crawls as crawl_records
from linkspider.pipelines.layout import Inventory
from linkspider.sql import DERIVED, ONE_ROW_PER_PAGE, sql_list, sql_string

logger = logging.getLogger(__name__)

#: The ``pages`` columns a carried-forward row takes from the earlier crawl.
CARRIED_PAGE_COLUMNS = (
    "host", "domain", "content_type", "encoding", "title", "canonical_url", "lang",
    "meta_robots", "x_robots_tag", "bytes", "edges_dropped", "rendered", "topic_terms",
    "topic_weights", "etag", "last_modified",
)  # fmt: skip


class RecrawlError(ValueError):
    """The earlier crawl cannot be recrawled (unknown, pruned, no pages)."""


def earlier_arguments(root: str, crawl_id: str) -> dict[str, str]:
    """The spider arguments of the crawl a recrawl fetches again (its seeds and scope
    among them): a recrawl's defaults.  Raises :class:`RecrawlError` for a crawl the
    dataset has no pages of."""
    if not Inventory.scan(root).files(schema.PAGES.name, {crawl_id}):
        raise RecrawlError(
            f"-a recrawl={crawl_id!r}: {root} has no pages of that crawl "
            "(see `linkspider crawls`; a pruned crawl cannot be recrawled)"
        )
    record = crawl_records.read_record(root, crawl_id)
    if record is None:
        return {}
    arguments = json.loads(record.get("spider_arguments") or "{}")
    arguments.pop("crawl_id", None)
    arguments.pop("recrawl", None)
    if "seeds" not in arguments and record.get("seeds"):
        arguments["seeds"] = ",".join(record["seeds"])
    return arguments


class EarlierCrawl:
    """The earlier crawl's pages and edges, for a recrawl of it: Arrow tables sorted by
    URL and an offset per URL (a 304 then costs a slice, not a query)."""

    def __init__(self, root: str, crawl_id: str) -> None:
        import duckdb

        self.crawl_id = crawl_id
        self.arguments = earlier_arguments(root, crawl_id)
        inventory = Inventory.scan(root)
        pages = inventory.files(schema.PAGES.name, {crawl_id})
        # the same edges are in outlinks/ sorted by source, or else in links/
        edges = inventory.files("outlinks", {crawl_id}) or inventory.files(
            schema.LINKS.name, {crawl_id}
        )
        spill = tempfile.mkdtemp(prefix=f".recrawl-{crawl_id}-", dir=root)
        con = duckdb.connect()
        try:
            con.execute("SET enable_progress_bar = false")
            con.execute(f"SET temp_directory = {sql_string(spill)}")
            con.execute("SET memory_limit = '512MB'")
            # crawls from before schema 5 have no validators, before 3 no sponsored/ugc/dofollow:
            # a typed empty select adds the missing columns (NULL), DERIVED fills them
            validators = schema.PAGES.empty_select(("etag", "last_modified"))
            page_source = (
                f"SELECT * FROM read_parquet({sql_list(f.path for f in pages)}, "
                f"union_by_name = true) UNION ALL BY NAME {validators}"
            )
            self.pages = con.sql(
                f"SELECT * FROM ({page_source}) {ONE_ROW_PER_PAGE} ORDER BY url"
            ).to_arrow_table()
            names = ("source_url", *Edge._fields)
            empty = schema.LINKS.empty_select(names)
            if edges:
                derived = DERIVED["links"][3]
                columns = ", ".join(
                    f"coalesce({n}, {derived[n]}) AS {n}" if n in derived else n for n in names
                )
                table = con.sql(
                    f"SELECT {columns} FROM (SELECT * FROM read_parquet("
                    f"{sql_list(f.path for f in edges)}, union_by_name = true) "
                    f"UNION ALL BY NAME {empty}) ORDER BY source_url, position"
                ).to_arrow_table()
            else:
                table = con.sql(empty).to_arrow_table()
        finally:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
        self._page_row = {url: i for i, url in enumerate(self.pages.column("url").to_pylist())}
        self._edge_runs: dict[str, tuple[int, int]] = {}
        sources = table.column("source_url").to_pylist()
        start = 0
        for i in range(1, len(sources) + 1):
            if i == len(sources) or sources[i] != sources[start]:
                self._edge_runs[sources[start]] = (start, i - start)
                start = i
        self.edges_table = table.drop_columns(["source_url"])

    def urls(self) -> list[tuple[str, int, str | None, str | None]]:
        """``(url, depth, etag, last_modified)`` of every page the earlier crawl fetched,
        shallowest first."""
        columns = [
            self.pages.column(n).to_pylist() for n in ("url", "depth", "etag", "last_modified")
        ]
        return sorted(zip(*columns, strict=True), key=lambda row: (row[1], row[0]))

    def page(self, url: str) -> dict[str, Any] | None:
        """The earlier crawl's row of ``url`` (None if it has none)."""
        i = self._page_row.get(url)
        return None if i is None else self.pages.slice(i, 1).to_pylist()[0]

    def edges(self, url: str) -> list[Edge]:
        """The earlier crawl's edges of the page ``url``, in page order."""
        run = self._edge_runs.get(url)
        if run is None:
            return []
        rows = self.edges_table.slice(*run)
        columns = [rows.column(name).to_pylist() for name in Edge._fields]
        return [Edge._make(values) for values in zip(*columns, strict=True)]

    def close(self) -> None:
        self.pages = self.edges_table = None
        self._page_row, self._edge_runs = {}, {}
