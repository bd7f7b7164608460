"""One declaration of each table: the files, the README and the code agree with it."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pyarrow.parquet as pq
from linkspider.pipelines.compact import compact_crawl
from linkspider.pipelines.writer import DatasetWriter

from linkspider import schema
from linkspider.extract import Edge
from linkspider.items import CrawledPage
from tests.conftest import REPO


def test_the_readme_data_dictionary_is_the_schema():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- data-dictionary: begin -->\n", 1)[1].split(
        "\n<!-- data-dictionary: end -->", 1
    )[0]
    assert block == schema.data_dictionary()


def test_edges_and_pages_fill_exactly_the_declared_columns():
    source_columns = {
        "crawl_id",
        "source_url",
        "source_host",
        "source_domain",
        "fetched_at",
        "source_depth",
        "rendered",
        "unchanged",
    }
    assert set(Edge._fields) == set(schema.LINKS.names) - source_columns
    page_fields = {f.name for f in fields(CrawledPage)} | {"outlink_count"}
    assert set(schema.PAGES.names) - {"crawl_id"} <= page_fields


def edge(i: int) -> Edge:
    return Edge(f"http://b{i % 3}.test/{i}", "", f"b{i % 3}.test", f"b{i % 3}.test", "t", None, None,
                ("nofollow",), True, "main", "text", i, True, 0.9, 0.1)  # fmt: skip


def check_file(path, table: schema.Table, crawl_id: str) -> None:
    meta = pq.read_metadata(path)
    assert meta.metadata[b"linkspider.schema_version"] == str(schema.SCHEMA_VERSION).encode()
    assert meta.metadata[b"linkspider.table"] == table.name.encode()
    assert meta.metadata[b"linkspider.crawl_id"] == crawl_id.encode()
    arrow = pq.read_schema(path)
    for column in table.columns:
        assert arrow.field(column.name).nullable == column.nullable, column.name
        assert arrow.field(column.name).type == column.type, column.name
    for i in range(meta.num_row_groups):
        sorting = meta.row_group(i).sorting_columns
        assert [arrow.names[s.column_index] for s in sorting] == list(table.sort)


def test_every_file_carries_the_schema_sort_order_and_metadata(tmp_path):
    writer = DatasetWriter(str(tmp_path), "c9", flush_rows=40)
    for p in range(12):
        writer.add(
            CrawledPage(
                f"http://a.test/{p}",
                "a.test",
                "a.test",
                200,
                datetime.now(UTC),
                0,
                edges=[edge(i) for i in range(10)],
            )
        )
    writer.close()
    flushed = sorted(tmp_path.rglob("*.parquet"))
    assert len(flushed) > 6
    compact_crawl(str(tmp_path), "c9", writer.next_sequence)
    compacted = sorted(tmp_path.rglob("*.parquet"))
    assert len(compacted) < len(flushed)
    for path in flushed + compacted:
        if path.exists():
            table = next(t for t in schema.PART_TABLES if t.name in path.parts)
            check_file(path, table, "c9")


def test_layout_names_the_tables_the_schema_declares():
    from linkspider.pipelines import layout

    assert tuple(t.name for t in schema.PART_TABLES) == layout.PART_TABLES
    assert schema.CRAWLS.name == layout.CRAWLS
    for table in schema.PART_TABLES:
        if table.partition is not None:
            column, domain = layout.PARTITIONS[table.name]
            assert column == table.partition.name and domain == table.sort[0]
