"""Chromium as the oracle: what a real browser makes of a page's links and encoding.

Debian's Chromium through Playwright (never downloaded), scripts off, talking
only to a :class:`tests.webserver.LocalWeb` as its proxy (which refuses
CONNECT), and every request that is not a document navigation aborted: no
byte leaves the machine.
"""

from __future__ import annotations

import os

import pytest

from linkspider.render import find_browser
from tests.webserver import LocalWeb

BROWSER = find_browser()


def require_browser() -> None:
    """Skip without a browser; in CI, a missing browser is a failure."""
    if BROWSER is None:
        reason = "no Chromium on this machine (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser conformance tests: {reason}")
        pytest.skip(reason)


# What the page's links are, for Chromium: HTML a/area with href (a.href, null when it
# does not parse: a.protocol is ':' then), and SVG a (href, else xlink:href) resolved
# the way the document resolves a URL (a detached HTML anchor: document base and encoding).
_READ = """() => {
  const XHTML = 'http://www.w3.org/1999/xhtml', SVG = 'http://www.w3.org/2000/svg';
  const resolve = (value) => {
    const t = document.createElement('a');
    t.setAttribute('href', value);
    return t.protocol === ':' ? null : t.href;
  };
  const links = [], texts = [];
  for (const a of document.querySelectorAll('a, area')) {
    if (a.namespaceURI === XHTML) {
      if (a.hasAttribute('href')) {
        links.push([a.getAttribute('href'), a.protocol === ':' ? null : a.href]);
        texts.push(a.textContent);
      }
    } else if (a.namespaceURI === SVG && a.localName === 'a') {
      const value = a.getAttribute('href') ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
      if (value !== null) {
        links.push([value, resolve(value)]);
        texts.push(a.textContent);
      }
    }
  }
  return {charset: document.characterSet, links, texts, base: document.baseURI, title: document.title};
}"""


class Chromium:
    """``with Chromium(web) as browser: browser.read("http://a.test/")``."""

    def __init__(self, web: LocalWeb) -> None:
        self.web = web

    def __enter__(self) -> Chromium:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=BROWSER,
            proxy={"server": self.web.proxy_url, "bypass": "<-loopback>"},
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        self._context = self._browser.new_context(java_script_enabled=False)
        self._context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.resource_type == "document" else route.abort()
            ),
        )
        self._page = self._context.new_page()
        return self

    def __exit__(self, *exc: object) -> None:
        self._browser.close()
        self._playwright.stop()

    def read(self, url: str) -> dict:
        """``{charset, links: [[href attribute, resolved or None], ...], texts: [each link's
        textContent], base, title}``."""
        self._page.goto(url, wait_until="domcontentloaded")
        return self._page.evaluate(_READ)
