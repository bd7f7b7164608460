"""The browser's only way out: a loopback proxy that checks every destination.

A rendered page drives Chromium: navigations and their redirects, fetch/XHR,
iframes, scripts, images, WebSockets.  Playwright's request routing does not
see redirects or WebSockets, so a filter at the page level cannot stop a page
from reaching ``127.0.0.1`` or ``169.254.169.254``.  This proxy sits below the
page: Chromium is started with it as its only proxy (loopback included,
``<-loopback>``), and it

* accepts HTTP requests in absolute form and ``CONNECT`` tunnels (HTTPS,
  WebSockets), one request per connection;
* checks each destination as the plain downloader does
  (:mod:`linkspider.safety`): a literal IP must be public, special-use private
  names are refused, and a name is resolved **once** and refused if any
  address it resolves to is not public;
* connects to exactly the address it checked, or, when the user has a proxy
  (``http_proxy`` / ``https_proxy``), hands the request to it (which then
  resolves the name itself: the same caveat as for plain downloads);
* answers ``403`` to anything refused, and counts it.

It runs on a thread of its own with its own event loop, started before the
browser and stopped with the crawl.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import threading
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from linkspider.safety import forbidden_address, special_use_verdict

logger = logging.getLogger(__name__)

_MAX_HEAD = 64 * 1024
Resolver = Callable[[str, int], Awaitable[list[str]]]


class Refused(Exception):
    """A destination the browser may not reach."""


async def _system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class GuardProxy:
    """``proxy = GuardProxy(upstream); url = proxy.start(); ...; proxy.stop()``."""

    def __init__(self, upstream: str | None = None, resolve: Resolver = _system_resolve) -> None:
        self.upstream = urlsplit(upstream) if upstream else None
        self._resolve = resolve
        self.allowed = 0
        #: (destination, reason) of every refusal, for the log and the tests
        self.refused: list[tuple[str, str]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> str:
        """Start serving on a free loopback port; returns the proxy URL."""
        self._thread = threading.Thread(target=self._run, name="linkspider-guard", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._server is None:
            raise RuntimeError("the browser's guard proxy did not start")
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """Close the server and every open connection, then end the thread."""
        if self._loop is not None and self._server is not None and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        if self._thread is not None:
            self._thread.join(10)

    async def _shutdown(self) -> None:
        self._server.close()
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.get_running_loop().stop()

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._handle, "127.0.0.1", 0, limit=_MAX_HEAD)
            )
        finally:
            self._ready.set()
        loop.run_forever()
        loop.close()

    # -- the checks -------------------------------------------------------------------

    async def check(self, host: str, port: int) -> list[str]:
        """The addresses to connect to (empty: hand the name to the upstream proxy).

        Raises :class:`Refused` for a destination the plain downloader would refuse.
        """
        host = host.strip("[]").rstrip(".").lower()
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            pass
        else:
            if forbidden_address(host):
                raise Refused(f"{host} is not a public address")
            return [host]
        verdict = special_use_verdict(host)
        if verdict:
            raise Refused(f"{host} is a special-use private name")
        if verdict is False:  # never resolves on the public DNS
            return []
        try:
            addresses = await self._resolve(host, port)
        except OSError:
            addresses = []
        bad = [a for a in addresses if forbidden_address(a)]
        if bad:
            raise Refused(f"{host} resolves to {bad[0]}, not a public address")
        return addresses

    # -- one client connection --------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            await self._serve(head, reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            pass
        except asyncio.CancelledError:  # the crawl is over
            pass
        except Exception:  # one bad request must not end the proxy
            logger.exception("guard proxy: unexpected error")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, head: bytes, reader, writer) -> None:
        request_line, _, rest = head.partition(b"\r\n")
        try:
            method, target, version = request_line.decode("latin-1").split(" ")
        except ValueError:
            await _reply(writer, 400, "Bad Request")
            return
        if method.upper() == "CONNECT":
            host, _, port_text = target.rpartition(":")
            port = int(port_text) if port_text.isdigit() else 443
        else:
            parts = urlsplit(target)
            if parts.scheme not in ("http", "ws") or not parts.hostname:
                await _reply(writer, 405, "Only absolute http URLs and CONNECT")
                return
            host, port = parts.hostname, parts.port or 80
        destination = f"{host}:{port}"
        try:
            addresses = await self.check(host, port)
        except Refused as exc:
            self.refused.append((destination, str(exc)))
            logger.info("guard proxy refused %s %s: %s", method, destination, exc)
            await _reply(writer, 403, f"refused by linkspider: {exc}")
            return
        self.allowed += 1
        try:
            upstream_reader, upstream_writer = await self._open(host, port, addresses)
        except OSError as exc:
            await _reply(writer, 502, f"cannot reach {destination}: {exc}")
            return
        try:
            if method.upper() == "CONNECT":
                if self.upstream is not None:
                    upstream_writer.write(
                        f"CONNECT {destination} HTTP/1.1\r\nHost: {destination}\r\n\r\n".encode()
                    )
                    answer = await upstream_reader.readuntil(b"\r\n\r\n")
                    writer.write(answer)
                    if b" 200 " not in answer.split(b"\r\n", 1)[0] + b" ":
                        return
                else:
                    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                if self.upstream is None:  # origin form to the server itself
                    parts = urlsplit(target)
                    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                upstream_writer.write(_one_request(method, target, version, rest))
            await _pipe_both(reader, writer, upstream_reader, upstream_writer)
        finally:
            upstream_writer.close()

    async def _open(self, host: str, port: int, addresses: list[str]):
        if self.upstream is not None:
            return await asyncio.open_connection(
                self.upstream.hostname, self.upstream.port or 80, limit=_MAX_HEAD
            )
        if not addresses:
            raise OSError(f"{host} does not resolve")
        error: OSError | None = None
        for address in addresses:  # exactly the addresses checked
            try:
                return await asyncio.open_connection(address, port, limit=_MAX_HEAD)
            except OSError as exc:
                error = exc
        raise error or OSError(f"cannot connect to {host}")


def _one_request(method: str, target: str, version: str, rest: bytes) -> bytes:
    """The request head again, asking for one request on this connection."""
    lines = [
        line
        for line in rest.split(b"\r\n")
        if line and not line.lower().startswith((b"connection:", b"proxy-connection:"))
    ]
    lines.append(b"Connection: close")
    return f"{method} {target} {version}\r\n".encode("latin-1") + b"\r\n".join(lines) + b"\r\n\r\n"


_REASONS = {400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed", 502: "Bad Gateway"}


async def _reply(writer: asyncio.StreamWriter, status: int, reason: str) -> None:
    body = reason.encode("utf-8", "replace")
    writer.write(
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(ConnectionError, OSError):
        await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.write_eof()


async def _pipe_both(reader, writer, upstream_reader, upstream_writer) -> None:
    await writer.drain()
    tasks = [
        asyncio.ensure_future(_pipe(reader, upstream_writer)),
        asyncio.ensure_future(_pipe(upstream_reader, writer)),
    ]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    # the server's side ending ends the exchange; the client's side ending may be a
    # half-close while the answer is still coming
    if tasks[1] not in done:
        await asyncio.wait([tasks[1]], timeout=60)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
