"""Where rows go: the directories of the dataset and the names of its files.

``links/`` is Hive-partitioned by ``target_bucket``, a function of
``target_domain`` that DuckDB computes with built-in functions, so a query for
one domain names its partition in the WHERE clause::

    target_bucket = 'b' || left(md5(target_domain), 1)

``outlinks/`` holds the same rows partitioned by ``source_bucket``, the same
function of ``source_domain``.  ``pages/`` is one directory; ``crawls/`` holds
one file per crawl (``crawl-<crawl_id>.parquet``, replaced as a whole).  The
other files are ``part-<crawl_id>-<sequence>-<random>.parquet``.  Nothing here
imports pyarrow: the ``linkspider`` command lists datasets with it.

>>> target_bucket("example.com")
'b5'
>>> bucket_sql("'example.com'")
"'b' || left(md5('example.com'), 1)"
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

#: The SQL expression of the partition key; ``{domain}`` is a SQL expression.
BUCKET_SQL = "'b' || left(md5({domain}), 1)"

#: The same expression in other engines (README: "Other engines"); ``{domain}`` is a string
#: expression.  Trino's ``to_hex`` is upper case: without ``lower`` six buckets in ten
#: would never match.  DuckDB's and Spark's are checked by the tests.
BUCKET_EXPRESSIONS = {
    "DuckDB": BUCKET_SQL,
    "Spark SQL, Hive, Databricks": "concat('b', substr(md5({domain}), 1, 1))",
    "Trino, Presto, Athena": "'b' || substr(lower(to_hex(md5(to_utf8({domain})))), 1, 1)",
    "BigQuery": "CONCAT('b', SUBSTR(TO_HEX(MD5({domain})), 1, 1))",
}

#: The partition column of each partitioned table, and the domain column it is computed from.
PARTITIONS = {
    "links": ("target_bucket", "target_domain"),
    "outlinks": ("source_bucket", "source_domain"),
}
#: The tables whose files are ``part-...`` files written by flushes and merged by compaction.
PART_TABLES = ("links", "outlinks", "pages")
CRAWLS = "crawls"
#: The tables with one file per crawl, replaced whole, and their file-name prefixes.
CRAWL_FILES = {CRAWLS: "crawl", "ranks": "ranks", "page_ranks": "page-ranks"}
#: ``history/``: a version of the table is a manifest naming its files (one per bucket);
#: an update writes the next version's files, then its manifest, then deletes the old ones.
HISTORY = "history"
_MANIFEST = re.compile(r"^_manifest-(\d{5,})\.json$")


@lru_cache(maxsize=262_144)
def bucket(domain: str) -> str:
    """The partition value of a registered domain (``target_bucket``, ``source_bucket``)."""
    return "b" + hashlib.md5(domain.encode("utf-8")).hexdigest()[0]


target_bucket = bucket


def bucket_sql(domain_expr: str) -> str:
    """``BUCKET_SQL`` for a SQL expression (a column name, or a ``?`` parameter)."""
    return BUCKET_SQL.format(domain=domain_expr)


_PART = re.compile(
    r"^(?P<hidden>\.)?part-(?P<crawl_id>.+)-(?P<sequence>\d{5,})-[0-9a-f]{8}"
    r"(?:~(?P<worker>[A-Za-z0-9._-]+))?\.parquet(?P<tmp>\.[0-9a-f]+\.tmp)?$"
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
    >>> parse_part_name("part-c1-00003-0123abcd~host-42.parquet")
    PartName(crawl_id='c1', sequence=3, temporary=False)
    >>> parse_part_name("notes.txt") is None
    True
    """
    match = _PART.match(name)
    if match is None or bool(match["hidden"]) != bool(match["tmp"]):
        return None
    return PartName(match["crawl_id"], int(match["sequence"]), bool(match["tmp"]))


def part_name(crawl_id: str, sequence: int, worker: str | None = None) -> str:
    """A file name unique across crawls, runs and resumes; sorts by crawl then sequence.
    A worker of a shared crawl puts its name in it (``~worker``).

    >>> part_name("c1", 7).startswith("part-c1-00007-") and part_name("c1", 7).endswith(".parquet")
    True
    >>> part_name("c1", 7, "box-12").endswith("~box-12.parquet")
    True
    """
    suffix = f"~{worker}" if worker else ""
    return f"part-{crawl_id}-{sequence:05d}-{uuid.uuid4().hex[:8]}{suffix}.parquet"


def temp_path(final_path: str) -> str:
    """A hidden name beside ``final_path`` that no ``*.parquet`` glob matches."""
    head, tail = os.path.split(final_path)
    return os.path.join(head, f".{tail}.{uuid.uuid4().hex[:6]}.tmp")


def crawl_file_name(table: str, crawl_id: str) -> str:
    """The one file of a crawl in a table with a file per crawl (``CRAWL_FILES``).

    >>> crawl_file_name("ranks", "c1"), parse_crawl_file_name("ranks", "ranks-c1.parquet")
    ('ranks-c1.parquet', 'c1')
    """
    return f"{CRAWL_FILES[table]}-{crawl_id}.parquet"


def parse_crawl_file_name(table: str, name: str) -> str | None:
    prefix = CRAWL_FILES[table] + "-"
    if name.startswith(prefix) and name.endswith(".parquet"):
        return name[len(prefix) : -len(".parquet")]
    return None


def crawl_file_path(table: str, crawl_id: str) -> str:
    """That file's path relative to the dataset root (``/``-separated).

    >>> crawl_file_path("crawls", "c1")
    'crawls/crawl-c1.parquet'
    """
    return f"{table}/{crawl_file_name(table, crawl_id)}"


def manifest_name(version: int) -> str:
    """The manifest of a version of ``history/``.

    >>> manifest_name(3), parse_manifest_name("_manifest-00003.json"), parse_manifest_name("x")
    ('_manifest-00003.json', 3, None)
    """
    return f"_manifest-{version:05d}.json"


def parse_manifest_name(name: str) -> int | None:
    match = _MANIFEST.match(name)
    return int(match[1]) if match else None


def history_file_name(version: int) -> str:
    """A file of a version of ``history/`` (in a ``target_bucket=`` directory)."""
    return f"history-{version:05d}-{uuid.uuid4().hex[:8]}.parquet"


def read_history_manifest(root: str) -> dict | None:
    """The newest manifest of ``history/`` (None when there is none): ``version``,
    ``crawls`` (applied, in order), ``files`` (relative to ``history/``)."""
    base = os.path.join(root, HISTORY)
    try:
        versions = [v for n in os.listdir(base) if (v := parse_manifest_name(n)) is not None]
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not versions:
        return None
    with open(os.path.join(base, manifest_name(max(versions))), encoding="utf-8") as handle:
        return json.load(handle)


def _join(root: str, relative: str) -> str:
    if root.startswith("s3://"):
        return f"{root}/{relative}"
    return os.path.join(root, *relative.split("/"))


def _local_reader(root: str) -> Callable[[str], bytes]:
    def read(relative: str) -> bytes:
        with open(_join(root, relative), "rb") as handle:
            return handle.read()

    return read


def _local_names(root: str) -> list[str]:
    """The relative names :meth:`Inventory.from_names` looks at, in a local dataset."""

    def listdir(*parts: str) -> list[str]:
        try:
            return sorted(os.listdir(os.path.join(root, *parts)))
        except (FileNotFoundError, NotADirectoryError):
            return []

    names = []
    for table in (*PART_TABLES, *CRAWL_FILES, HISTORY):
        for name in listdir(table):
            if table in PARTITIONS and name.startswith(PARTITIONS[table][0] + "="):
                names += [f"{table}/{name}/{n}" for n in listdir(table, name)]
            else:
                names.append(f"{table}/{name}")
    return names


def ordered_crawls(crawl_ids: Iterable[str], records: dict[str, dict]) -> list[str]:
    """The crawls oldest first: those without a ``crawls/`` row (from before that table,
    older) by id, then the recorded ones by start time.

    >>> ordered_crawls({"old", "c1", "c2"}, {"c1": {"started_at": 2}, "c2": {"started_at": 1}})
    ['old', 'c2', 'c1']
    """
    legacy = sorted(set(crawl_ids) - set(records))
    return legacy + sorted(records, key=lambda c: (records[c]["started_at"], c))


class DataFile(NamedTuple):
    path: str
    crawl_id: str
    #: the partition value of a partitioned table's file, else None
    bucket: str | None


class Inventory:
    """The files of a dataset, from their names alone (no file is opened).

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("links/target_bucket=b5/" + part_name("c1", 1), "pages/" + part_name("c1", 1), "crawls/crawl-c2.parquet"):
    ...     (root / name).parent.mkdir(parents=True, exist_ok=True); (root / name).touch()
    >>> inventory = Inventory.scan(str(root))
    >>> sorted(inventory.crawl_ids()), [f.bucket for f in inventory.files("links")]
    (['c1', 'c2'], ['b5'])
    """

    def __init__(
        self, root: str, files: dict[str, list[DataFile]], manifest: dict | None = None
    ) -> None:
        self.root = root
        self._files = files
        #: the newest manifest of ``history/`` (None: no history yet)
        self.manifest = manifest

    @classmethod
    def scan(cls, root: str) -> Inventory:
        """The files under ``root``: a directory, or ``s3://bucket/prefix`` (one listing)."""
        if root.startswith("s3://"):
            from linkspider.storage import Remote

            return Remote(root).inventory()
        return cls.from_names(root, _local_names(root), _local_reader(root))

    @classmethod
    def from_names(cls, root: str, names: Iterable[str], read: Callable[[str], bytes]) -> Inventory:
        """The dataset files among ``names`` (paths relative to ``root``, ``/``-separated,
        sorted); ``read(relative)`` reads a file (the manifest of ``history/``)."""
        files: dict[str, list[DataFile]] = {
            name: [] for name in (*PART_TABLES, *CRAWL_FILES, HISTORY)
        }
        manifests: dict[int, str] = {}
        for relative in names:
            table, _, rest = relative.partition("/")
            if table in PARTITIONS:
                directory, _, name = rest.partition("/")
                column, _, value = directory.partition("=")
                if column != PARTITIONS[table][0] or not value or "/" in name:
                    continue
            elif table in PART_TABLES or table in CRAWL_FILES:
                name, value = rest, None
                if "/" in name:
                    continue
            elif table == HISTORY and (version := parse_manifest_name(rest)) is not None:
                manifests[version] = relative
                continue
            else:
                continue
            if table in PART_TABLES:
                part = parse_part_name(name)
                if part is not None and not part.temporary:
                    files[table].append(DataFile(_join(root, relative), part.crawl_id, value))
            elif (crawl_id := parse_crawl_file_name(table, name)) is not None:
                files[table].append(DataFile(_join(root, relative), crawl_id, None))
        manifest = None
        if manifests:
            manifest = json.loads(read(manifests[max(manifests)]))
            for name in manifest["files"]:
                value = name.split("/", 1)[0].partition("=")[2]
                files[HISTORY].append(
                    DataFile(_join(root, f"{HISTORY}/{name}"), manifest["crawls"][-1], value)
                )
        return cls(root, files, manifest)

    def files(
        self, table: str, crawl_ids: set[str] | None = None, bucket: str | None = None
    ) -> list[DataFile]:
        """The files of ``table``, of the given crawls and partition (all by default)."""
        return [
            f
            for f in self._files[table]
            if (crawl_ids is None or f.crawl_id in crawl_ids)
            and (bucket is None or f.bucket == bucket)
        ]

    def crawl_ids(self, table: str | None = None) -> set[str]:
        """Crawls with files (in ``table``, or anywhere)."""
        tables = [table] if table else [t for t in self._files if t != HISTORY]
        return {f.crawl_id for t in tables for f in self._files[t]}

    def has(self, crawl_id: str) -> bool:
        return any(
            f.crawl_id == crawl_id
            for t, files in self._files.items()
            if t != HISTORY
            for f in files
        )

    def empty(self) -> bool:
        return not any(self._files.values())
