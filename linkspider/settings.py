"""Scrapy settings for linkspider: polite, safe defaults for unattended crawls.

Every ``LINKSPIDER_*`` setting is documented in the README.
"""

BOT_NAME = "linkspider"
SPIDER_MODULES = ["linkspider.spiders"]
NEWSPIDER_MODULE = "linkspider.spiders"
# linkspider's `crawl` command: exits 1 when the crawl could not write its dataset
COMMANDS_MODULE = "linkspider.commands"

USER_AGENT = "linkspider/0.1 (backlink research crawler)"

# --- Politeness -------------------------------------------------------------
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# --- Safety -----------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # bytes; bigger bodies are cancelled (a page row says so)
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 2
DNS_TIMEOUT = 20
# one resolution per name, checked and connected to (no DNS rebinding; see linkspider.safety)
TWISTED_DNS_RESOLVER = "linkspider.safety.GuardedResolver"
# Redirects are handled by the spider (each hop is an edge and a page row);
# Scrapy's RedirectMiddleware still serves robots.txt requests.
REDIRECT_MAX_TIMES = 20

# --- Breadth-first order (discovery crawls) ---------------------------------
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

DOWNLOADER_MIDDLEWARES = {
    # before robots.txt (100): a refused host gets no robots.txt request either
    "linkspider.safety.PrivateAddressMiddleware": 50,
    # robots.txt by RFC 9309: an unreachable one (5xx, network error) disallows everything
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "linkspider.robots.RobotsTxt": 100,
    # a shared crawl (LINKSPIDER_REDIS_URL): one pace per host across all workers; after
    # robots.txt, so that a request waiting for its host's robots.txt holds no slot
    "linkspider.shared_politeness.SharedPoliteness": 110,
    # closest to the engine: each page response, decompressed and final, is parsed once
    # (in a worker process) before the spider sees it
    "linkspider.middlewares.ExtractionMiddleware": 10,
}
SPIDER_MIDDLEWARES = {
    # depth is tracked by the spider itself (redirect hops keep their depth)
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
ITEM_PIPELINES = {
    "linkspider.pipelines.parquet.ParquetPipeline": 300,
}

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# --- linkspider -------------------------------------------------------------
# Every LINKSPIDER_* setting has its default in linkspider/config.py (LinkspiderConfig),
# read and checked once per crawl; the README's settings table is generated from it.

EXTENSIONS = {
    "linkspider.extensions.StatsFile": 500,
    "linkspider.progress.Progress": 500,
    "linkspider.shared_worker.SharedWorker": 500,
}
# scrapy-playwright, set up when pages may be rendered and a browser is found
ADDONS = {"linkspider.render.RenderAddon": 0}

# The frontier waits on disk (memory stays flat); with JOBDIR, linkspider's own
# crash-safe store is what a resume rebuilds it from (see linkspider/scheduler.py).
SCHEDULER = "linkspider.scheduler.FrontierScheduler"
