"""A dataset in object storage: ``LINKSPIDER_OUTPUT=s3://bucket/prefix``, ``--data s3://...``.

The bucket is reached with pyarrow's S3 client, configured by the standard AWS
variables: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``
(or the other sources of the AWS credential chain: profiles, instance roles),
``AWS_REGION`` / ``AWS_DEFAULT_REGION``, and ``AWS_ENDPOINT_URL_S3`` /
``AWS_ENDPOINT_URL`` for an S3-compatible server (MinIO, Ceph, R2, moto ...; path-style
requests).

Readers see whole files only: an object appears when its upload completes (a
single PUT, or a multipart upload's completion), never in part, and no
temporary object is ever written.

A crawl into object storage works in a local directory, the *staging*
(:class:`Staging`): the writer, the compaction, the ranks, the ``crawls/`` row and
the history run there exactly as for a local dataset, and every file is
published (uploaded) once it is complete:

* each flush's files are uploaded before the flush is committed (a page's lease
  ends, ``JOBDIR`` records it): a committed page's rows are in the bucket;
* at the end of the crawl the staging first gets what the end needs from the bucket
  (the crawl's files written by other workers of a shared crawl, ``crawls/`` rows,
  the history and the crawls it has not applied yet), then publishes what the end
  wrote, new files before the deletes of those they replace (the manifest of
  ``history/`` after its files), as in a local dataset.

DuckDB reads such a dataset with its ``httpfs`` extension (README: "Object
storage"); the ``linkspider`` command, whose DuckDB may have no ``httpfs`` (it is
downloaded from DuckDB's site), gives DuckDB this module's S3 client instead
(:func:`register`).

>>> split_url("s3://bucket/a/prefix/")
('bucket', 'a/prefix')
>>> is_remote("s3://bucket"), is_remote("/data/links")
(True, False)
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from functools import cache
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

SCHEME = "s3://"


class StorageError(ValueError):
    """An object-storage location that cannot be used (bad URL, no bucket, no access)."""


def is_remote(location: str) -> bool:
    """Whether ``location`` (``LINKSPIDER_OUTPUT``, ``--data``) is in object storage."""
    return str(location).startswith(SCHEME)


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> ``(bucket, prefix)`` (prefix without slashes at its ends)."""
    if not is_remote(url):
        raise StorageError(f"{url!r} is not an s3://bucket/prefix URL")
    bucket, _, prefix = url[len(SCHEME) :].partition("/")
    if not bucket or "?" in url or "#" in url:
        raise StorageError(f"{url!r}: give object storage as s3://bucket/prefix")
    return bucket, prefix.strip("/")


@cache
def filesystem():
    """pyarrow's S3 client, from the standard AWS variables (one per process)."""
    from pyarrow import fs

    options: dict = {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if not parts.netloc:
            raise StorageError(f"AWS_ENDPOINT_URL={endpoint!r} names no host")
        options |= {"endpoint_override": parts.netloc, "scheme": parts.scheme or "https"}
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        options["region"] = region
    return fs.S3FileSystem(**options)


class Remote:
    """A dataset's objects: ``relative`` names are paths under the dataset (``links/...``)."""

    def __init__(self, url: str) -> None:
        self.bucket, self.prefix = split_url(url)
        self.url = f"{SCHEME}{self.bucket}/{self.prefix}".rstrip("/")
        self.fs = filesystem()

    def key(self, relative: str) -> str:
        """The path of an object in pyarrow's terms (``bucket/prefix/relative``)."""
        return "/".join(p for p in (self.bucket, self.prefix, relative) if p)

    def list(self) -> dict[str, int]:
        """Every object of the dataset: relative name -> size (one listing, paginated)."""
        from pyarrow import fs

        base = self.key("")
        try:
            infos = self.fs.get_file_info(
                fs.FileSelector(base, recursive=True, allow_not_found=True)
            )
        except OSError as exc:
            raise StorageError(f"cannot list {self.url}: {_reason(exc)}") from exc
        return {
            info.path[len(base) + 1 :]: info.size for info in infos if info.type == fs.FileType.File
        }

    def inventory(self, listing: dict[str, int] | None = None):
        """The dataset's :class:`~linkspider.pipelines.layout.Inventory`, from ``listing``
        (:meth:`list`'s answer; listed now if not given)."""
        from linkspider.pipelines.layout import Inventory

        listing = self.list() if listing is None else listing
        return Inventory.from_names(self.url, sorted(listing), self.read_bytes)

    def check(self) -> None:
        """Raise :class:`StorageError` unless the bucket exists and can be listed."""
        from pyarrow import fs

        try:
            info = self.fs.get_file_info(self.bucket)
        except OSError as exc:
            raise StorageError(f"cannot reach {self.url}: {_reason(exc)}") from exc
        if info.type != fs.FileType.Directory:
            raise StorageError(f"{self.url}: no bucket {self.bucket!r}")
        self.list()

    def read_bytes(self, relative: str) -> bytes:
        with self.fs.open_input_stream(self.key(relative)) as stream:
            return stream.read()

    def upload(self, local_path: str, relative: str) -> None:
        """One object, whole or not at all (pyarrow: one PUT, or a completed multipart)."""
        with (
            open(local_path, "rb") as source,
            self.fs.open_output_stream(
                self.key(relative), metadata={"Content-Type": "application/octet-stream"}
            ) as target,
        ):
            shutil.copyfileobj(source, target, 8 << 20)

    def download(self, relative: str, local_path: str) -> None:
        """The object into ``local_path`` (written under a temporary name, then renamed)."""
        os.makedirs(os.path.dirname(local_path), exist_ok=True)
        tmp = os.path.join(os.path.dirname(local_path), f".{uuid.uuid4().hex}.download")
        try:
            with self.fs.open_input_stream(self.key(relative)) as source, open(tmp, "wb") as out:
                shutil.copyfileobj(source, out, 8 << 20)
            os.replace(tmp, local_path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def delete(self, relatives: Iterable[str]) -> None:
        for relative in relatives:
            with contextlib.suppress(FileNotFoundError):
                self.fs.delete_file(self.key(relative))


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def register(con) -> None:
    """Let DuckDB connection ``con`` read ``s3://`` paths through :func:`filesystem`
    (the ``linkspider`` command's DuckDB need not have ``httpfs``)."""
    from fsspec.implementations.arrow import ArrowFSWrapper

    class S3(ArrowFSWrapper):
        protocol = "s3"

    con.register_filesystem(S3(filesystem()))


class Staging:
    """The local directory a crawl into ``url`` writes in, and what it has published.

    ``directory``: where (created if needed); default a new temporary directory,
    removed by :meth:`close`.  Files are published under the same relative names.
    """

    def __init__(self, url: str, directory: str | None = None) -> None:
        self.remote = Remote(url)
        self.temporary = directory is None
        self.root = directory or tempfile.mkdtemp(prefix="linkspider-staging-")
        os.makedirs(self.root, exist_ok=True)

    def local(self, relative: str) -> str:
        return os.path.join(self.root, relative)

    def pull(self, relatives: Iterable[str], listing: dict[str, int]) -> int:
        """Download the objects not in the staging yet (same size as in ``listing``,
        :meth:`Remote.list`'s answer: already there)."""
        count = 0
        for relative in relatives:
            path = self.local(relative)
            if os.path.exists(path) and os.path.getsize(path) == listing.get(relative):
                continue
            self.remote.download(relative, path)
            count += 1
        return count

    def publish(self, relatives: Iterable[str]) -> None:
        """Upload these files of the staging, in this order."""
        for relative in relatives:
            self.remote.upload(self.local(relative), relative)

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)

    # -- a crawl's files -----------------------------------------------------

    def relative(self, path: str) -> str:
        """The relative name of a path of this staging or of the bucket."""
        for base in (self.remote.url, self.root):
            if path.startswith(base + "/") or path.startswith(base + os.sep):
                return path[len(base) + 1 :].replace(os.sep, "/")
        raise ValueError(f"{path!r} is not in {self.root} or {self.remote.url}")

    def _crawl_parts(self, inventory, crawl_id: str) -> set[str]:
        from linkspider.pipelines.layout import PART_TABLES

        return {self.relative(f.path) for t in PART_TABLES for f in inventory.files(t, {crawl_id})}

    def withdraw(self, relatives: Iterable[str]) -> None:
        """Delete published files (a flush whose commit failed); never raises."""
        try:
            self.remote.delete(relatives)
        except OSError as exc:
            logger.warning(
                "could not delete %s objects of a failed flush: %s", self.remote.url, exc
            )

    def remove_uncommitted(self, crawl_id: str, committed: set[str]) -> list[str]:
        """Delete the crawl's objects no committed flush lists (a resumed ``JOBDIR`` crawl:
        files uploaded by a flush the killed run never committed)."""
        stray = sorted(self._crawl_parts(self.remote.inventory(), crawl_id) - set(committed))
        self.remote.delete(stray)
        return stray

    def pull_record(self, crawl_id: str) -> None:
        """The crawl's ``crawls/`` row into the staging (a resumed or shared crawl)."""
        from linkspider.pipelines.layout import CRAWLS, crawl_file_path

        relative = crawl_file_path(CRAWLS, crawl_id)
        with contextlib.suppress(FileNotFoundError):  # a new crawl has none yet
            self.remote.download(relative, self.local(relative))

    def pull_crawl(self, crawl_id: str, tables: Iterable[str]) -> int:
        """A crawl's files of ``tables`` and its ``crawls/`` row (a recrawl reads them)."""
        listing = self.remote.list()
        remote = self.remote.inventory(listing)
        self.pull_record(crawl_id)
        files = sorted(self.relative(f.path) for t in tables for f in remote.files(t, {crawl_id}))
        return self.pull(files, listing)

    def prepare_end(self, crawl_id: str, history: bool) -> int:
        """Make the staging hold what the end of ``crawl_id`` reads: its files written by
        other workers, and with ``history`` what :meth:`prepare_history` gets.  Files of
        other crawls that the bucket no longer has are removed from the staging.
        Returns the files downloaded."""
        from linkspider.pipelines.layout import PART_TABLES, Inventory

        listing = self.remote.list()
        remote = self.remote.inventory(listing)
        local = Inventory.scan(self.root)
        for table in PART_TABLES:
            for f in local.files(table):
                if f.crawl_id != crawl_id and self.relative(f.path) not in listing:
                    os.unlink(f.path)
        pulled = self.pull(sorted(self._crawl_parts(remote, crawl_id)), listing)
        if history:
            pulled += self.prepare_history(exclude=crawl_id, listing=listing)
        return pulled

    def prepare_history(
        self, exclude: str | None = None, listing: dict[str, int] | None = None
    ) -> int:
        """The ``crawls/`` rows, the newest version of ``history/`` and the files of the
        crawls it has not applied yet (but ``exclude``), from the bucket (as ``listing``,
        :meth:`Remote.list`'s answer, says it is; listed now if not given)."""
        from linkspider.history import applicable
        from linkspider.pipelines.crawls import read_record
        from linkspider.pipelines.layout import CRAWLS, HISTORY, manifest_name

        listing = self.remote.list() if listing is None else listing
        remote = self.remote.inventory(listing)
        shutil.rmtree(self.local(HISTORY), ignore_errors=True)  # the bucket's is the one
        records = sorted(n for n in listing if n.startswith(CRAWLS + "/"))
        for relative in records:  # small, and replaced in place: always fetched
            self.remote.download(relative, self.local(relative))
        want: list[str] = []
        if remote.manifest is not None:
            want += [self.relative(f.path) for f in remote.files(HISTORY)]
            want.append(f"{HISTORY}/{manifest_name(remote.manifest['version'])}")
        applied = set(remote.manifest["crawls"]) if remote.manifest else set()
        for other in sorted(remote.crawl_ids() - applied - {exclude}):
            if applicable(read_record(self.root, other)):
                want += sorted(self._crawl_parts(remote, other))
        return len(records) + self.pull(want, listing)

    def publish_end(self, crawl_id: str) -> None:
        """Publish what the end of ``crawl_id`` wrote in the staging: its files (compacted),
        ranks, the new version of ``history/``, then delete what they replace, then its
        ``crawls/`` row."""
        from linkspider.pipelines.layout import CRAWL_FILES, CRAWLS, Inventory, crawl_file_path

        listing = self.remote.list()
        remote = self.remote.inventory(listing)
        local = Inventory.scan(self.root)
        mine, theirs = self._crawl_parts(local, crawl_id), self._crawl_parts(remote, crawl_id)
        uploads = sorted(mine - set(listing))
        stale = sorted(theirs - mine)
        for table in CRAWL_FILES:
            relative = crawl_file_path(table, crawl_id)
            if table != CRAWLS and os.path.exists(self.local(relative)):
                uploads.append(relative)
        history_uploads, history_stale = self._history_changes(listing)
        self.publish(uploads + history_uploads)
        self.remote.delete(stale + history_stale)
        record = crawl_file_path(CRAWLS, crawl_id)
        if os.path.exists(self.local(record)):
            self.publish([record])
        logger.info(
            "published crawl %s to %s: %d files uploaded, %d replaced files deleted",
            crawl_id, self.remote.url, len(uploads) + len(history_uploads),
            len(stale) + len(history_stale),
        )  # fmt: skip

    def publish_history(self) -> None:
        """Publish the staging's new version of ``history/`` (its files, then its manifest),
        then delete the bucket's older version."""
        uploads, stale = self._history_changes(self.remote.list())
        self.publish(uploads)
        self.remote.delete(stale)

    def _history_changes(self, listing: dict[str, int]) -> tuple[list[str], list[str]]:
        """What publishes the staging's newest version of ``history/`` if the bucket lacks
        it: (uploads in order, the manifest last; objects of older versions to delete)."""
        from linkspider.pipelines.layout import HISTORY, manifest_name, read_history_manifest

        manifest = read_history_manifest(self.root)
        if manifest is None:
            return [], []
        current = f"{HISTORY}/{manifest_name(manifest['version'])}"
        if current in listing:
            return [], []
        files = [f"{HISTORY}/{n}" for n in manifest["files"]]
        uploads = [*(n for n in files if n not in listing), current]
        stale = sorted({n for n in listing if n.startswith(HISTORY + "/")} - {*files, current})
        return uploads, stale
