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
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

RENDER_MODES = ("never", "auto", "always")
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_BLOCKED_RESOURCES = frozenset(("image", "media", "font"))
_PRIVATE_SUFFIXES = ("localhost", "local", "internal")


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


def shell_reason(
    scripts: int, links: int, text_ink: int, noscript_js: bool, empty_root: bool
) -> str | None:
    """Why a plain-fetched page needs a browser to show its links, or ``None``.

    >>> shell_reason(scripts=3, links=0, text_ink=40, noscript_js=False, empty_root=True)
    'empty app root'
    >>> shell_reason(scripts=0, links=2, text_ink=900, noscript_js=True, empty_root=False)
    'noscript asks for JavaScript'
    >>> shell_reason(scripts=2, links=1, text_ink=120, noscript_js=False, empty_root=False)
    'app shell: little text, few links'
    >>> shell_reason(scripts=5, links=40, text_ink=5000, noscript_js=False, empty_root=False) is None
    True
    """
    if empty_root and scripts:
        return "empty app root"
    if noscript_js and links < 10:
        return "noscript asks for JavaScript"
    if scripts and text_ink < 200 and links <= 3:
        return "app shell: little text, few links"
    return None


def _private_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host.rsplit(".", 1)[-1] in _PRIVATE_SUFFIXES
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global


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


def playwright_settings(settings, browser: str, guard_url: str | None = None) -> dict:
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
    allow_private = settings.getbool("LINKSPIDER_ALLOW_PRIVATE_ADDRESSES")
    return {
        "DOWNLOAD_HANDLERS": {
            "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
            "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        },
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.getint("LINKSPIDER_RENDER_TIMEOUT")
        * 1000,
        "PLAYWRIGHT_MAX_CONTEXTS": settings.getint("LINKSPIDER_RENDER_MAX_CONTEXTS"),
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.getint("LINKSPIDER_RENDER_PAGES_PER_CONTEXT"),
        "PLAYWRIGHT_ABORT_REQUEST": abort_request if allow_private else abort_request_no_private,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    }
