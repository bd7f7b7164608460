"""A linkspider dataset as the ``linkspider`` command reads it: its crawls and DuckDB views.

The command never globs the whole dataset for a lookup: it lists the files
once (:class:`~linkspider.pipelines.layout.Inventory`, names only), keeps those
of the crawls asked for (``--crawl``) and, for a lookup by target or source
domain, of that domain's partition, and defines the views ``links``,
``outlinks``, ``pages`` and ``crawls`` over exactly those files.  The commands'
SQL (:mod:`linkspider.cli.queries`) reads the views.

Crawls written before schema version 3 have no ``sponsored``, ``ugc`` and
``dofollow`` columns: the views compute them from ``rel`` and ``nofollow`` there;
pages from before version 4 get empty topic signatures, and rows from before version 5 no
validators and `unchanged = false`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import duckdb

from linkspider import schema, topics, value
from linkspider.pipelines.layout import BUCKET_SQL, PARTITIONS, Inventory, ordered_crawls
from linkspider.sql import DERIVED, REWRITTEN, crawl_filter, sql_list, sql_string
from linkspider.storage import StorageError, is_remote, register

#: Tables of one file per crawl written by ``linkspider rank`` (a crawl may have none yet).
RANK_TABLES = ("ranks", "page_ranks")


#: ``history/`` rows last seen by a crawl before schema version 6 may hold ``body`` for ``meta``
_HISTORY_REGION = REWRITTEN["links"][6]["region"]


class DatasetError(ValueError):
    """The data directory cannot answer: missing, empty, unknown crawl, unreadable file."""


class Dataset:
    def __init__(self, root: str) -> None:
        #: in object storage (``s3://bucket/prefix``): read through linkspider.storage
        self.remote = is_remote(root)
        if self.remote:
            self.root = root.rstrip("/")
            try:
                self.inventory = Inventory.scan(self.root)
            except (OSError, StorageError) as exc:
                raise DatasetError(f"cannot read {root}: {exc}") from exc
        else:
            self.root = os.path.abspath(root)
            if not os.path.isdir(self.root):
                raise DatasetError(
                    f"no data directory {root!r} (set --data DIR or $LINKSPIDER_DATA)"
                )
            self.inventory = Inventory.scan(self.root)
        if self.inventory.empty():
            raise DatasetError(
                f"{root!r} holds no linkspider dataset (no links/, pages/ or crawls/ files); "
                "crawl with `scrapy crawl discover`, or try `linkspider demo`"
            )
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        if self.remote:
            register(self.con)
        self._records: dict[str, dict[str, Any]] | None = None

    def rescan(self) -> None:
        """List the files again (after a command wrote some)."""
        self.inventory = Inventory.scan(self.root)
        self._records = None

    # -- crawls ---------------------------------------------------------------

    def records(self) -> dict[str, dict[str, Any]]:
        """The ``crawls/`` rows by crawl id (crawls from before that table have none)."""
        if self._records is None:
            files = self.inventory.files("crawls")
            self._records = {}
            if files:
                rel = self.con.sql(
                    f"SELECT * FROM read_parquet({sql_list(f.path for f in files)}, "
                    "union_by_name = true)"
                )
                names = rel.columns
                for row in rel.fetchall():
                    record = dict(zip(names, row, strict=True))
                    self._records[record["crawl_id"]] = record
        return self._records

    def crawl_ids(self, pruned: bool = False) -> list[str]:
        """Every crawl, oldest first: recorded ones by start time, after the unrecorded
        ones (older, from before the ``crawls/`` table) by id; pruned ones (no files
        left: ``linkspider prune``) only with ``pruned``."""
        records = self.records()
        return [
            c
            for c in ordered_crawls(self.inventory.crawl_ids(), records)
            if pruned or records.get(c, {}).get("pruned_at") is None
        ]

    def select(self, spec: str) -> list[str]:
        """The crawls ``--crawl`` names: an id, ``latest`` or ``all``."""
        crawls = self.crawl_ids()
        if spec == "all":
            return crawls
        if spec == "latest":
            return crawls[-1:]
        if spec not in crawls:
            known = ", ".join(crawls[-10:])
            raise DatasetError(f"no crawl {spec!r} in {self.root}; its crawls: {known}")
        return [spec]

    def legacy(self, crawls: Iterable[str], version: int = 3) -> set[str]:
        """Those of ``crawls`` whose files follow a schema older than ``version``."""
        records = self.records()
        return {
            c
            for c in crawls
            if c not in records or (records[c].get("schema_version") or 0) < version
        }

    def indexed(self, crawl_id: str) -> bool:
        """Are the crawl's edges in ``outlinks/`` too?"""
        record = self.records().get(crawl_id)
        return bool(record and record.get("outlinks")) and bool(
            self.inventory.files("outlinks", {crawl_id})
        )

    # -- views ----------------------------------------------------------------

    def define_views(
        self,
        crawls: list[str],
        *,
        links_bucket: str | None = None,
        outlinks_bucket: str | None = None,
        portable: bool = False,
    ) -> str:
        """Create the views over the files of ``crawls`` (for a lookup: of one partition);
        returns their SQL.  ``portable``: globs instead of file lists (``--print-views``),
        so that the views also see the crawls added later."""
        statements = [
            "CREATE OR REPLACE MACRO linkspider_bucket(domain) AS "
            + BUCKET_SQL.format(domain="domain"),
            topics.SQL_MACRO,
            *value.MACROS,
        ]
        if portable:
            for table in ("links", "outlinks", "pages", "crawls"):
                statements.append(self._portable_view(table, crawls))
            if self.inventory.files("history"):
                pattern = sql_string(f"{self.root}/history/*/*.parquet")
                statements.append(
                    f"CREATE OR REPLACE VIEW history AS SELECT * REPLACE ({_HISTORY_REGION} AS region) "
                    f"FROM read_parquet({pattern}, hive_partitioning = true)"
                )
            for table in RANK_TABLES:
                if self.inventory.files(table):
                    pattern = sql_string(f"{self.root}/{table}/*.parquet")
                    statements.append(
                        f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet({pattern})"
                        + self._crawl_filter(crawls)
                    )
        else:
            indexed = [c for c in crawls if self.indexed(c)]
            unindexed = [c for c in crawls if c not in indexed]
            statements.append(self._view("links", [("links", crawls, links_bucket)]))
            # crawls written without LINKSPIDER_SOURCE_INDEX: their links/, every partition
            parts = [("outlinks", indexed, outlinks_bucket), ("links", unindexed, None)]
            statements.append(self._view("outlinks", [p for p in parts if p[1]]))
            statements.append(self._view("pages", [("pages", crawls, None)]))
            statements.append(self._crawls_view(crawls))
            statements.append(self._history_view(links_bucket))
            for table in RANK_TABLES:
                files = self.inventory.files(table, set(crawls))
                statements.append(
                    f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet({sql_list(f.path for f in files)})"
                    if files
                    else f"CREATE OR REPLACE VIEW {table} AS {schema.BY_NAME[table].empty_select()}"
                )
        for statement in statements:
            self.con.execute(statement)
        return ";\n".join(statements) + ";\n"

    def _history_view(self, bucket: str | None) -> str:
        """``history``: every crawl's edges with first/last seen (of one partition for a
        lookup); not restricted by ``--crawl``: it is the history of them all."""
        files = self.inventory.files("history", bucket=bucket)
        if not files:
            return f"CREATE OR REPLACE VIEW history AS {schema.HISTORY.empty_select()}"
        return (
            f"CREATE OR REPLACE VIEW history AS SELECT * REPLACE ({_HISTORY_REGION} AS region) "
            f"FROM read_parquet({sql_list(f.path for f in files)}, hive_partitioning = true)"
        )

    def _read(self, table: str, source: str, crawls: list[str]) -> str:
        """``SELECT`` from ``source`` (a read_parquet argument) with the columns of the
        current schema (:data:`linkspider.sql.DERIVED` for files that lack them)."""
        options = ", hive_partitioning = true" if table in PARTITIONS else ""
        added, replaced = [], []
        for version, columns in DERIVED.get(table, {}).items():
            legacy = self.legacy(crawls, version)
            if legacy and legacy >= set(crawls):  # no file has them
                added += [f"{expr} AS {name}" for name, expr in columns.items()]
            elif legacy:
                replaced += [
                    f"coalesce({name}, {expr}) AS {name}" for name, expr in columns.items()
                ]
        for version, columns in REWRITTEN.get(table, {}).items():
            if self.legacy(crawls, version):
                replaced += [f"{expr} AS {name}" for name, expr in columns.items()]
        if replaced:
            options += ", union_by_name = true"
        select = "*"
        if replaced:
            select += f" REPLACE ({', '.join(replaced)})"
        if added:
            select += ", " + ", ".join(added)
        return f"SELECT {select} FROM read_parquet({source}{options})"

    def _view(self, name: str, parts: list[tuple[str, list[str], str | None]]) -> str:
        selects = []
        for table, crawls, wanted in parts:
            files = self.inventory.files(table, set(crawls), wanted)
            if files:
                read = self._read(table, sql_list(f.path for f in files), crawls)
                selects.append(
                    _as_outlinks(read) if (name, table) == ("outlinks", "links") else read
                )
        if not selects:
            # nothing to read: an empty view with the columns of the table's files
            table = parts[0][0] if parts else name
            anyone = self.inventory.files(table) or self.inventory.files("links")
            if not anyone:
                return (
                    f"CREATE OR REPLACE VIEW {name} AS SELECT NULL::VARCHAR AS crawl_id WHERE false"
                )
            read = self._read(table, sql_string(anyone[0].path), [anyone[0].crawl_id])
            return f"CREATE OR REPLACE VIEW {name} AS {read} WHERE false"
        return f"CREATE OR REPLACE VIEW {name} AS " + " UNION ALL BY NAME ".join(selects)

    def _portable_view(self, table: str, crawls: list[str]) -> str:
        pattern = (
            f"{self.root}/{table}/*/*.parquet"
            if table in PARTITIONS
            else f"{self.root}/{table}/*.parquet"
        )
        if table == "crawls":
            return f"CREATE OR REPLACE VIEW crawls AS SELECT * FROM read_parquet({sql_string(pattern)}, union_by_name = true)"
        read = self._read(table, sql_string(pattern), self.crawl_ids())
        read += self._crawl_filter(crawls)
        unindexed = [c for c in crawls if not self.indexed(c)]
        if table == "outlinks" and unindexed:
            # crawls written without the source index: their edges from links/
            links = self._read("links", sql_string(f"{self.root}/links/*/*.parquet"), unindexed)
            links += crawl_filter(unindexed)
            read = f"{read} UNION ALL BY NAME {_as_outlinks(links)}"
        return f"CREATE OR REPLACE VIEW {table} AS {read}"

    def _crawl_filter(self, crawls: list[str]) -> str:
        """Keep the rows of ``crawls`` (nothing to say when they are all the crawls)."""
        return "" if set(crawls) == set(self.crawl_ids()) else crawl_filter(crawls)

    def _crawls_view(self, crawls: list[str]) -> str:
        """The ``crawls/`` rows of ``crawls``; a crawl from before that table gets a row
        computed from its pages (status ``unknown``)."""
        selects = []
        recorded = self.inventory.files("crawls", set(crawls))
        if recorded:
            selects.append(
                f"SELECT * FROM read_parquet({sql_list(f.path for f in recorded)}, union_by_name = true)"
            )
        legacy = [c for c in crawls if c not in self.records()]
        pages = self.inventory.files("pages", set(legacy))
        if pages:
            selects.append(
                "SELECT crawl_id, 'unknown' AS status, min(fetched_at) AS started_at, "
                "max(fetched_at) AS finished_at, count(*)::BIGINT AS pages "
                f"FROM read_parquet({sql_list(f.path for f in pages)}) GROUP BY crawl_id"
            )
        if not selects:
            return (
                "CREATE OR REPLACE VIEW crawls AS SELECT NULL::VARCHAR AS crawl_id, "
                "NULL::VARCHAR AS status WHERE false"
            )
        return "CREATE OR REPLACE VIEW crawls AS " + " UNION ALL BY NAME ".join(selects)

    def crawls_sql(self) -> str:
        """The ``crawls`` command's query: the columns the view has, in the documented order."""
        from linkspider.cli.queries import CRAWL_COLUMNS

        have = {d[0] for d in self.con.execute("SELECT * FROM crawls LIMIT 0").description}
        columns = [c for c in CRAWL_COLUMNS if c in have]
        return f"SELECT {', '.join(columns)} FROM crawls ORDER BY started_at, crawl_id"


def _as_outlinks(read: str) -> str:
    """Rows of ``links/`` as ``outlinks/`` has them: partitioned by source, not target."""
    return (
        "SELECT * EXCLUDE (target_bucket), linkspider_bucket(source_domain) AS source_bucket "
        f"FROM ({read})"
    )
