"""JavaScript rendering with scrapy-playwright: when, with which browser, and cheaply.

When (``-a render=auto``): after the plain fetch, the extraction core reports
``render_hint`` for pages that look like an app shell (see :func:`shell_reason`):

* an empty framework root (``#root``, ``#app``, ``#__next``, ``#__nuxt``,
  ``#svelte``, ``app-root``, ``[data-reactroot]``, ``[ng-app]``) and a script;
* a ``<noscript>`` that mentions JavaScript, and fewer than 10 links;
* scripts, fewer than 200 characters of visible text and at most 3 links.

Only such pages are fetched again through the browser, within
``LINKSPIDER_RENDER_BUDGET_PER_DOMAIN`` renders per registered domain.
``render=always`` fetches every page through the browser; ``never`` never.

Which browser: ``LINKSPIDER_BROWSER`` if set, else the first of
``chromium``, ``chromium-browser``, ``google-chrome``, ``google-chrome-stable``
on ``PATH``, else a Chromium installed by ``playwright install``.  None is
ever downloaded.
"""

from __future__ import annotations

import glob
import ipaddress
import logging
import os
import shutil
from collections import Counter
from urllib.parse import urlsplit

from linkspider.config import RENDER_MODES, LinkspiderConfig
from linkspider.guard import GuardProxy
from linkspider.safety import forbidden_address, special_use_verdict

logger = logging.getLogger(__name__)

SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_BLOCKED_RESOURCES = frozenset(("image", "media", "font"))


def find_browser(configured: str | None = None) -> str | None:
    """Path of a Chromium to drive, or ``None``.  Never downloads anything."""
    if configured:
        path = shutil.which(configured) or (configured if os.access(configured, os.X_OK) else None)
        if path is None:
            logger.warning("LINKSPIDER_BROWSER=%s is not an executable", configured)
        return path
    for name in SYSTEM_BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or os.path.expanduser(
        "~/.cache/ms-playwright"
    )
    for pattern in (
        "chromium-*/chrome-linux*/chrome",
        "chromium_headless_shell-*/chrome-linux*/headless_shell",
    ):
        for path in sorted(glob.glob(os.path.join(root, pattern)), reverse=True):
            if os.access(path, os.X_OK):
                return path
    return None


def _private_host(url: str) -> bool:
    """A literal private address or a special-use private name (no DNS here: the guard
    proxy resolves names)."""
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return bool(special_use_verdict(host))
    return forbidden_address(host)


def abort_request(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: skip images, media and fonts (cheap renders)."""
    return request.resource_type in _BLOCKED_RESOURCES


def abort_request_no_private(request) -> bool:
    """Also refuse subresources on private addresses (literal IPs and special-use names)."""
    return request.resource_type in _BLOCKED_RESOURCES or _private_host(request.url)


def proxy_from_environment() -> dict | None:
    """Playwright's ``proxy`` launch option from ``http_proxy``/``https_proxy``/``no_proxy``."""
    server = next(
        (
            os.environ[k]
            for k in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY")
            if os.environ.get(k)
        ),
        None,
    )
    if not server:
        return None
    proxy = {"server": server}
    bypass = os.environ.get("no_proxy") or os.environ.get("NO_PROXY")
    if bypass:
        proxy["bypass"] = bypass
    return proxy


#: Chromium's own traffic off: updates, safe browsing, metrics, sync, translation,
#: prefetching, pings, WebRTC outside the proxy, QUIC.
BROWSER_ARGS = (
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--safebrowsing-disable-auto-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-pings",
    "--dns-prefetch-disable",
    "--disable-quic",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,DialMediaRouteProvider,"
    "NetworkTimeServiceQuerying,SafeBrowsingRealTimeUrlLookups,PrivacySandboxSettings4",
)


def playwright_settings(
    config: LinkspiderConfig, browser: str, guard_url: str | None = None
) -> dict:
    """The scrapy-playwright settings linkspider uses (set before settings freeze).

    ``guard_url``: the browser's only proxy (:mod:`linkspider.guard`), loopback
    included; without it (private addresses allowed) the user's proxy, if any.
    """
    args = list(BROWSER_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox as root
    launch = {"executable_path": browser, "headless": True, "args": args}
    proxy = (
        {"server": guard_url, "bypass": "<-loopback>"} if guard_url else proxy_from_environment()
    )
    if proxy:
        launch["proxy"] = proxy
    allow_private = config.allow_private_addresses
    return {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        },
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": config.render_timeout * 1000,
        "PLAYWRIGHT_MAX_CONTEXTS": config.render_max_contexts,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": config.render_pages_per_context,
        "PLAYWRIGHT_ABORT_REQUEST": abort_request if allow_private else abort_request_no_private,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }


class RenderAddon:
    """Scrapy add-on: sets scrapy-playwright up when pages may be rendered.

    ``update_settings`` runs before the crawler's settings freeze: unless
    ``LINKSPIDER_RENDER`` is ``never`` (``-a render=never`` sets it), it looks
    for a browser and, with one, starts the browser's guard proxy (unless
    private addresses are allowed) and configures scrapy-playwright to launch
    it through the guard.  :attr:`browser` says what was found; the spider
    degrades (``auto``) or stops (``always``) without one.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.browser: str | None = None
        self.guard: GuardProxy | None = None

    @classmethod
    def from_crawler(cls, crawler) -> RenderAddon:
        from scrapy import signals

        addon = cls(crawler)
        crawler.signals.connect(addon.engine_stopped, signal=signals.engine_stopped)
        return addon

    def update_settings(self, settings) -> None:
        config = LinkspiderConfig.from_settings(settings)
        if config.render == "never":
            return
        self.browser = find_browser(config.browser)
        if self.browser is None:
            return
        guard_url = None
        if not config.allow_private_addresses:
            # every byte the browser sends goes through the same checks as plain requests
            upstream = proxy_from_environment()
            self.guard = GuardProxy(upstream["server"] if upstream else None)
            guard_url = self.guard.start()
        settings.setdict(playwright_settings(config, self.browser, guard_url), priority="addon")

    def engine_stopped(self) -> None:
        """Stop the guard proxy, and count what it refused."""
        if self.guard is None:
            return
        self.guard.stop()
        if self.guard.refused:
            self.crawler.stats.set_value("linkspider/render/guard_refused", len(self.guard.refused))
            logger.warning(
                "the browser tried %d requests to private addresses, all refused (first: %s)",
                len(self.guard.refused),
                "; ".join(f"{d}: {r}" for d, r in self.guard.refused[:3]),
            )


class RenderCoordinator:
    """The spider's side of rendering: which pages go to the browser, in which context.

    ``auto`` sends a page whose plain fetch looks like an app shell, within the
    per-domain budget; ``always`` every page.  Browser contexts are numbered and
    replaced every ``recycle`` renders; a retired context is closed once its
    last page is released.
    """

    def __init__(self, mode: str, budget_per_domain: int, recycle: int) -> None:
        if mode not in RENDER_MODES:
            raise ValueError(f"render mode {mode!r}: expected one of {', '.join(RENDER_MODES)}")
        self.mode = mode
        self.budget_per_domain = budget_per_domain
        self.recycle = max(1, recycle)
        self.renders: Counter[str] = Counter()
        self.serial = 0
        self.open_pages: Counter[str] = Counter()

    def within_budget(self, domain: str) -> bool:
        """Count a render of ``domain`` if its budget allows it."""
        if self.renders[domain] >= self.budget_per_domain:
            return False
        self.renders[domain] += 1
        return True

    def _current(self) -> str:
        return f"linkspider-{self.serial // self.recycle}"

    def request_meta(self) -> dict:
        """The ``playwright`` meta of one more render."""
        context = self._current()
        self.serial += 1
        self.open_pages[context] += 1
        return {
            "playwright": True,
            "playwright_include_page": True,
            "playwright_context": context,
            "playwright_page_goto_kwargs": {"wait_until": "load"},
        }

    async def release(self, meta: dict) -> None:
        """Close the render's page, and its context once retired and idle."""
        context = meta.get("playwright_context")
        page = meta.pop("playwright_page", None)
        if context:
            self.open_pages[context] -= 1
        if page is None:
            return
        browser_context = page.context
        try:
            await page.close()
            if context != self._current() and self.open_pages[context] <= 0:
                self.open_pages.pop(context, None)
                await browser_context.close()
        except Exception as exc:  # a dead browser: nothing left to close
            logger.debug("closing render page failed: %s", exc)
