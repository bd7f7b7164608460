"""Extraction away from the reactor: worker processes with a time and a memory limit.

:meth:`Extractor.extract` runs the pure :func:`linkspider.extract.extract` in one
of ``LINKSPIDER_EXTRACT_WORKERS`` worker processes and awaits the answer (the
crawl calls it from :class:`linkspider.middlewares.ExtractionMiddleware`), so that:

* the reactor keeps downloading while a page is parsed (other hosts' requests
  never wait for a slow page), and extraction runs beside it on another core;
* a page that takes longer than ``LINKSPIDER_EXTRACT_TIMEOUT`` seconds, or needs
  more than ``LINKSPIDER_EXTRACT_MEMORY`` MB, costs that page only: its worker
  is killed and replaced, and the page gets a row saying why (``extraction took
  longer than 20 s``, ``extraction ran out of memory``, ``extraction crashed``),
  so it is recorded once and never fetched again, not even on a resume;
* anything else a worker meets is the extraction's own business (it never
  raises on hostile input).

``LINKSPIDER_EXTRACT_WORKERS = 0`` extracts in the crawl's own process, without
those limits (for debugging).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import resource
import time
from collections.abc import Mapping

from selectolax.lexbor import SelectolaxError

from linkspider.domains import registered_domain
from linkspider.extract import Extraction, Limits, extract, failure_message
from linkspider.urls import host_of

logger = logging.getLogger(__name__)


#: seconds a new worker may take to start (import linkspider, check its C walk)
STARTUP_TIMEOUT = 120.0


def _serve(connection, limits: Limits, memory_mb: int) -> None:
    """A worker: extract each page it is sent, until the pipe closes."""
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    connection.send_bytes(b"ready")  # imports done: the time limit counts from here
    while True:
        try:
            job = connection.recv_bytes()
        except (EOFError, OSError):
            return
        body, url, headers, status = pickle.loads(job)
        started = time.process_time()
        try:
            result = extract(body, url, headers, status=status, limits=limits, strict=True)
        except MemoryError:
            result = None
        except SelectolaxError as exc:
            # Lexbor fails to parse valid or invalid HTML alike only when an allocation fails
            result = None if memory_mb > 0 else _failed(url, status, failure_message(exc))
        except Exception as exc:
            result = _failed(url, status, failure_message(exc))
        del body, job
        seconds = time.process_time() - started
        try:
            answer = pickle.dumps((result, seconds), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            answer = pickle.dumps((None, seconds))
        connection.send_bytes(answer)


class _Worker:
    def __init__(self, context, limits: Limits, memory_mb: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, limits, memory_mb), name="linkspider-extract", daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class Extractor:
    """``result, seconds = await extractor.extract(body, url, headers, status)``."""

    def __init__(
        self, workers: int = 1, timeout: float = 20.0, memory_mb: int = 2048, limits: Limits | None = None
    ) -> None:  # fmt: skip
        self.limits = limits or Limits()
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.workers = workers
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded reactor
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Worker] = []

    def _start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.workers):
            worker = _Worker(self._context, self.limits, self.memory_mb)
            self._all.append(worker)
            self._idle.put_nowait(worker)

    async def extract(
        self, body: bytes, url: str, headers: Mapping | None, status: int
    ) -> tuple[Extraction, float]:
        """The page's extraction and the CPU seconds it took."""
        if self.workers <= 0:
            started = time.process_time()
            result = extract(body, url, headers, status=status, limits=self.limits)
            return result, time.process_time() - started
        if self._idle is None:
            self._start()
        worker = await self._idle.get()
        try:
            result = await self._run(worker, body, url, headers, status)
        finally:
            if worker.process.is_alive():
                self._idle.put_nowait(worker)
            else:  # killed or crashed: a new one takes its place
                self._all.remove(worker)
                worker.stop()
                fresh = _Worker(self._context, self.limits, self.memory_mb)
                self._all.append(fresh)
                self._idle.put_nowait(fresh)
        return result

    async def _answer(self, worker: _Worker, timeout: float) -> bytes:
        """The worker's next message, within ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fileno = worker.connection.fileno()
        loop.add_reader(fileno, lambda: readable.done() or readable.set_result(None))
        try:
            await asyncio.wait_for(readable, timeout)
        finally:
            loop.remove_reader(fileno)
        return worker.connection.recv_bytes()

    async def _run(self, worker: _Worker, body, url, headers, status) -> tuple[Extraction, float]:
        job = pickle.dumps(
            (body, url, _headers_dict(headers), status), protocol=pickle.HIGHEST_PROTOCOL
        )
        try:
            if not worker.ready:  # a new worker: its start-up does not count against the page
                await self._answer(worker, STARTUP_TIMEOUT)
                worker.ready = True
            worker.connection.send_bytes(job)
            del job
            answer = await self._answer(worker, self.timeout)
        except TimeoutError:
            worker.process.kill()
            worker.process.join(5)
            return _failed(
                url, status, f"extraction took longer than {self.timeout:g} s"
            ), self.timeout
        except (EOFError, OSError):
            worker.process.join(5)
            code = worker.process.exitcode
            return _failed(url, status, f"extraction crashed (exit status {code})"), 0.0
        result, seconds = pickle.loads(answer)
        if result is None:
            return _failed(
                url, status, f"extraction ran out of memory ({self.memory_mb} MB)"
            ), seconds
        return result, seconds

    def close(self) -> None:
        for worker in self._all:
            worker.stop()
        self._all = []
        self._idle = None


def _headers_dict(headers: Mapping | None) -> dict:
    """Headers a worker can unpickle: Scrapy's ``Headers`` as lists of bytes values."""
    if not headers:
        return {}
    getlist = getattr(headers, "getlist", None)
    if getlist is None:
        return dict(headers)
    return {key: getlist(key) for key in headers}


def _failed(url: str, status: int, error: str) -> Extraction:
    host = host_of(url)
    return Extraction(
        url=url, host=host, domain=registered_domain(host), status=status, error=error
    )
