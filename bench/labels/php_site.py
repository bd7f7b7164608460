"""PHP's built-in web server on 127.0.0.1, for the builders of PHP sites (WordPress, MediaWiki).

    with php_site(root, port) as fetch:
        page = fetch("/index.php?title=Main_Page")

Every request goes to 127.0.0.1 with ``Host: fakehost`` (the site's name in its settings),
through no proxy.  The server is stopped when the block ends.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def php_site(root: Path, port: int, probe: str = "/") -> Iterator[Callable[[str], bytes]]:
    """Serve ``root``; once ``probe`` answers (the server is up), yield ``fetch(path)``."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def fetch(path: str) -> bytes:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Host": "fakehost"}
        )
        with opener.open(request, timeout=60) as response:
            return response.read()

    server = subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{port}", "-t", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):  # a build step, not a test: poll until it listens (10 s at most)
            try:
                fetch(probe)
                break
            except OSError:
                time.sleep(0.1)
        yield fetch
    finally:
        server.terminate()
        server.wait()
