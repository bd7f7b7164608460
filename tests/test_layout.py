"""The partition key in every engine that reads the dataset: DuckDB, Spark, Polars, pyarrow.

A reader that computes the bucket differently from the writer silently reads an
empty partition, so each engine's expression (README, "Other engines") is run
here where the engine is installable, over a real dataset and over domains of
every shape (IDNA, long, digits, hyphens), and compared with what was written.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import string

import duckdb
import pytest
from linkspider.pipelines.layout import BUCKET_EXPRESSIONS, BUCKET_SQL, bucket
from linkspider.pipelines.writer import DatasetWriter

from tests.test_writer import DOMAINS, fill

#: domains of every shape, a few thousand: every one of the 16 buckets many times over
SAMPLE = [
    *DOMAINS,
    "xn--bcher-kva.example", "xn--fiqs8s.cn", "a.b.c.d.co.uk", "1-2-3.net", "x" * 63 + ".com",
]  # fmt: skip
_rng = random.Random(7)
SAMPLE += [
    "".join(_rng.choices(string.ascii_lowercase + string.digits + "-", k=_rng.randint(1, 40)))
    + _rng.choice([".com", ".org", ".co.uk", ".de", ".io"])
    for _ in range(3000)
]
EXPECTED = [bucket(d) for d in SAMPLE]


def test_every_bucket_occurs_and_matches_md5():
    assert {b for b in EXPECTED} == {f"b{c}" for c in "0123456789abcdef"}
    assert EXPECTED[0] == "b" + hashlib.md5(SAMPLE[0].encode()).hexdigest()[0]


def test_duckdb_expression():
    got = duckdb.execute(
        f"SELECT {BUCKET_SQL.format(domain='d')} FROM unnest($s) WITH ORDINALITY AS t(d, i) ORDER BY i",
        {"s": SAMPLE},
    ).fetchall()
    assert [b for (b,) in got] == EXPECTED


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("layout")
    writer = DatasetWriter(str(root), "c1", flush_rows=5_000, row_group_size=512)
    fill(writer, pages=200, per_page=20)
    writer.close()
    return root


def backlinks_by_scan(root, domain: str) -> list[tuple]:
    return sorted(
        duckdb.execute(
            "SELECT source_url, target_url, position FROM "
            f"read_parquet('{root}/links/*/*.parquet', hive_partitioning = true) "
            "WHERE target_domain = $d",
            {"d": domain},
        ).fetchall()
    )


def test_polars_reads_one_partition(dataset):
    pl = pytest.importorskip("polars")
    for domain in DOMAINS[:40]:
        b = "b" + hashlib.md5(domain.encode()).hexdigest()[0]  # as the README writes it
        frame = (
            pl.scan_parquet(f"{dataset}/links/*/*.parquet", hive_partitioning=True)
            .filter(pl.col("target_bucket") == b, pl.col("target_domain") == domain)
            .select("source_url", "target_url", "position")
            .collect()
        )
        assert sorted(frame.iter_rows()) == backlinks_by_scan(dataset, domain)


def test_pyarrow_reads_one_partition(dataset):
    import pyarrow.dataset as ds

    links = ds.dataset(f"{dataset}/links", format="parquet", partitioning="hive")
    for domain in DOMAINS[:40]:
        b = "b" + hashlib.md5(domain.encode()).hexdigest()[0]
        table = links.to_table(
            columns=["source_url", "target_url", "position"],
            filter=(ds.field("target_bucket") == b) & (ds.field("target_domain") == domain),
        )
        rows = sorted(zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True))
        assert rows == backlinks_by_scan(dataset, domain)


def test_spark_expression_and_partition_read(dataset):
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run the Spark check: install a Java runtime (default-jre-headless)"
            )
        pytest.skip("no Java runtime for Spark")
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("linkspider-buckets")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    try:
        spark.sparkContext.setLogLevel("ERROR")
        expression = BUCKET_EXPRESSIONS["Spark SQL, Hive, Databricks"]
        frame = spark.createDataFrame([(i, d) for i, d in enumerate(SAMPLE)], "i INT, d STRING")
        frame.createOrReplaceTempView("sample")
        got = spark.sql(f"SELECT {expression.format(domain='d')} FROM sample ORDER BY i").collect()
        assert [row[0] for row in got] == EXPECTED

        spark.read.parquet(f"{dataset}/links").createOrReplaceTempView("links")
        for domain in DOMAINS[:10]:
            rows = spark.sql(
                "SELECT source_url, target_url, position FROM links "
                f"WHERE target_bucket = {expression.format(domain='target_domain')} "
                f"AND target_bucket = {expression.format(domain=repr(domain))} "
                f"AND target_domain = {domain!r}"
            ).collect()
            assert sorted(tuple(r) for r in rows) == backlinks_by_scan(dataset, domain)
    finally:
        spark.stop()


def test_trino_needs_lower_and_the_documented_forms_agree():
    """Trino and BigQuery are not installable here: their expressions are checked by
    emulating their functions' documented output (upper- and lower-case hex)."""
    trino = BUCKET_EXPRESSIONS["Trino, Presto, Athena"]
    assert "lower(to_hex(md5(to_utf8({domain}))))" in trino
    upper = {"b" + hashlib.md5(d.encode()).hexdigest().upper()[0] for d in SAMPLE}
    assert len(upper - set(EXPECTED)) == 6  # without lower(): b A..F never match
    assert "TO_HEX(MD5({domain}))" in BUCKET_EXPRESSIONS["BigQuery"]  # TO_HEX is lower case
