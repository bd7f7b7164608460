"""Crash-safe crawl state: the frontier committed together with the Parquet it produced.

With ``JOBDIR`` set, a SQLite database ``JOBDIR/linkspider.sqlite`` is the
source of truth of a crawl:

* ``urls``: every URL the crawl decided to fetch, with its depth, and
  whether its page row and edges are *committed* (``done``);
* ``flushes``: every committed write, with the files it added;
* ``meta``: the crawl id and the domains in scope.

Each flush of the dataset writer first puts its files in place, then, in one
SQLite transaction, marks the flushed pages done, records the URLs discovered
since the previous commit and lists the files.  A crash anywhere leaves either
the whole flush committed or none of it: on resume, files of uncommitted
flushes are deleted, queued URLs are scheduled again, and pages that were
processed but not committed are simply fetched again.  So a crawl killed with
SIGKILL and resumed ends with exactly the rows of an uninterrupted one.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from linkspider.pipelines.layout import PART_TABLES, parse_part_name

logger = logging.getLogger(__name__)

DB_NAME = "linkspider.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    depth INTEGER NOT NULL,
    redirects INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS flushes (sequence INTEGER PRIMARY KEY, files TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS retired (path TEXT PRIMARY KEY);
"""


def saved_crawl_id(jobdir: str) -> str | None:
    """The crawl a JOBDIR holds (None for a new one), read without changing anything."""
    path = os.path.join(jobdir, DB_NAME)
    if not os.path.exists(path):
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'crawl_id'").fetchone()
    except sqlite3.OperationalError:  # no meta table yet
        return None
    finally:
        db.close()
    return row[0] if row else None


@dataclass
class Resumed:
    """What a previous run left: enough to continue where it was committed."""

    crawl_id: str
    allowed_domains: set[str]
    last_sequence: int
    known: set[str] = field(default_factory=set)  # every URL ever scheduled
    per_domain: dict[str, int] = field(default_factory=dict)
    queued: list[tuple[str, str, int, int]] = field(
        default_factory=list
    )  # url, domain, depth, redirects
    committed_files: set[str] = field(default_factory=set)


class CrawlState:
    """The SQLite store behind a resumable crawl (one per JOBDIR)."""

    def __init__(self, jobdir: str) -> None:
        os.makedirs(jobdir, exist_ok=True)
        self.path = os.path.join(jobdir, DB_NAME)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._discovered: list[tuple[str, str, int, int]] = []

    # -- reading ---------------------------------------------------------------

    def load(self) -> Resumed | None:
        """The previous run's state, or ``None`` for a new crawl."""
        with self._lock:
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if "crawl_id" not in meta:
                return None
            resumed = Resumed(
                crawl_id=meta["crawl_id"],
                allowed_domains=set(json.loads(meta.get("allowed_domains", "[]"))),
                last_sequence=self._db.execute(
                    "SELECT coalesce(max(sequence), 0) FROM flushes"
                ).fetchall()[0][0],
            )
            for url, domain, depth, redirects, done in self._db.execute(
                "SELECT url, domain, depth, redirects, done FROM urls ORDER BY depth, rowid"
            ):
                resumed.known.add(url)
                resumed.per_domain[domain] = resumed.per_domain.get(domain, 0) + 1
                if not done:
                    resumed.queued.append((url, domain, depth, redirects))
            for (files,) in self._db.execute("SELECT files FROM flushes"):
                resumed.committed_files.update(json.loads(files))
            for (path,) in self._db.execute("SELECT path FROM retired"):
                resumed.committed_files.discard(path)
            return resumed

    # -- writing ---------------------------------------------------------------

    def start(
        self, crawl_id: str, allowed_domains: Iterable[str], seeds: list[tuple[str, str, int, int]]
    ) -> None:
        """Record a new crawl and its seeds, so a crash before the first flush loses nothing."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO urls (url, domain, depth, redirects) VALUES (?, ?, ?, ?)",
                seeds,
            )
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('crawl_id', ?)", (crawl_id,))
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('allowed_domains', ?)",
                (json.dumps(sorted(allowed_domains)),),
            )
            self._db.execute("COMMIT")

    def discovered(self, url: str, domain: str, depth: int, redirects: int) -> None:
        """A URL was scheduled (reactor thread); it is committed with the next flush."""
        self._discovered.append((url, domain, depth, redirects))

    def take_discovered(self) -> list[tuple[str, str, int, int]]:
        """Hand the URLs discovered since the last call to a flush (reactor thread)."""
        taken, self._discovered = self._discovered, []
        return taken

    def commit(
        self,
        sequence: int,
        files: list[str],
        pages_done: list[str],
        discovered: list[tuple[str, str, int, int]],
        allowed_domains: Iterable[str],
    ) -> None:
        """Record a flush whose files are in place (writer thread): all or nothing."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR IGNORE INTO urls (url, domain, depth, redirects) VALUES (?, ?, ?, ?)",
                    discovered,
                )
                db.executemany("UPDATE urls SET done = 1 WHERE url = ?", ((u,) for u in pages_done))
                db.execute("INSERT INTO flushes VALUES (?, ?)", (sequence, json.dumps(files)))
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('allowed_domains', ?)",
                    (json.dumps(sorted(allowed_domains)),),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def replace(self, sequence: int, new_files: list[str], old_files: list[str]) -> None:
        """Commit a compaction: the new files replace the old ones, all or nothing."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("INSERT INTO flushes VALUES (?, ?)", (sequence, json.dumps(new_files)))
                db.executemany(
                    "INSERT OR IGNORE INTO retired VALUES (?)", ((p,) for p in old_files)
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()


def remove_uncommitted(root: str, crawl_id: str, committed: set[str]) -> list[str]:
    """Delete files of ``crawl_id`` that no committed flush lists, and its stray temp files.

    ``committed`` holds paths relative to ``root``; other crawls' files are
    never touched.  Returns the relative paths removed.
    """
    removed = []
    for table in PART_TABLES:
        for directory, _, names in os.walk(os.path.join(root, table)):
            for name in names:
                part = parse_part_name(name)
                if part is None or part.crawl_id != crawl_id:
                    continue
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                if part.temporary or relative not in committed:
                    os.unlink(path)
                    removed.append(relative)
    return removed
