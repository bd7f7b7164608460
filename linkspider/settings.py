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
LINKSPIDER_OUTPUT = "data"
LINKSPIDER_MAX_TEXT_LENGTH = 512
LINKSPIDER_MAX_EDGES_PER_PAGE = 100_000
LINKSPIDER_MAX_EDGE_URL_LENGTH = 8192
LINKSPIDER_MAX_NESTING_DEPTH = 128  # deeper start tags are left out before parsing
LINKSPIDER_MAX_ATTRIBUTES = 64  # an element's further attributes are left out before parsing
LINKSPIDER_EXTRACT_WORKERS = 2  # worker processes that extract pages (0: in the crawl's process)
LINKSPIDER_EXTRACT_TIMEOUT = 20  # seconds a page's extraction may take
LINKSPIDER_EXTRACT_MEMORY = 2048  # MB of address space a worker may use (0: no limit)
LINKSPIDER_TRAP_MAX_SEGMENT_REPEATS = 2
LINKSPIDER_TRAP_MAX_PATH_SEGMENTS = 20
LINKSPIDER_TRAP_MAX_URL_LENGTH = 2048
LINKSPIDER_TRAP_MAX_QUERY_VARIANTS = 1000
LINKSPIDER_MAX_REDIRECTS = 20
LINKSPIDER_ALLOW_PRIVATE_ADDRESSES = False  # True: allow loopback/private/link-local targets
LINKSPIDER_FLUSH_ROWS = 100_000
LINKSPIDER_FLUSH_PAGE_ROWS = 50_000
LINKSPIDER_ROW_GROUP_SIZE = 32_768
LINKSPIDER_COMPACT_ON_CLOSE = (
    True  # merge the crawl's files into sorted files per bucket at the end
)
LINKSPIDER_COMPACT_MEMORY = "128MB"  # DuckDB memory limit for that merge (it spills beyond)
LINKSPIDER_COMPACT_MAX_ROWS = 4_000_000  # a bigger bucket becomes several sorted files
LINKSPIDER_FLUSH_BYTES = 64 * 1024 * 1024
LINKSPIDER_STATS_FILE = None  # path: the final crawl stats as JSON
# seconds to wait before each retry of a write that failed; then the crawl stops (exit 1)
LINKSPIDER_WRITE_RETRY_PAUSES = [1, 4, 10]

EXTENSIONS = {
    "linkspider.extensions.StatsFile": 500,
}

# The frontier waits on disk (memory stays flat); with JOBDIR, linkspider's own
# crash-safe store is what a resume rebuilds it from (see linkspider/scheduler.py).
SCHEDULER = "linkspider.scheduler.FrontierScheduler"
LINKSPIDER_DISK_FRONTIER = True
LINKSPIDER_FRONTIER_DIR = None  # default: the system's temporary directory

# --- JavaScript rendering (scrapy-playwright; configured by the spider when a browser exists)
LINKSPIDER_BROWSER = None  # path or name of a Chromium; default: detect (never downloaded)
LINKSPIDER_RENDER_TIMEOUT = 20  # seconds for a rendered navigation
LINKSPIDER_RENDER_BUDGET_PER_DOMAIN = 200  # renders per registered domain (render=auto)
LINKSPIDER_RENDER_MAX_CONTEXTS = 2
LINKSPIDER_RENDER_PAGES_PER_CONTEXT = 4
LINKSPIDER_RENDER_CONTEXT_RECYCLE = 50  # a browser context is replaced after this many renders
