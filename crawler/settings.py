"""Scrapy settings for the OIT crawl: polite to small agency servers, bounded everywhere.

Every bound here can be overridden per run (CLI options map onto them; see oitcheck.cli).
"""

import os

BOT_NAME = "oitcheck"
SPIDER_MODULES = ["oitcheck.crawler.spiders"]
NEWSPIDER_MODULE = "oitcheck.crawler.spiders"
USER_AGENT = "oitcheck/0.1 (ITA OIT self-check crawler; +https://pypi.org/project/oitcheck/)"

ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"

# Politeness: a few parallel requests per site, adapted to the server's latency. On a fast
# server AutoThrottle's delay falls to ~0, so we are never slower than we need to be.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 6
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 10
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
# Outputs of one response processed at once. Scrapy starts this many asyncio tasks for every
# response (2.13+); our pipeline is synchronous, so the default 100 bought nothing and cost a
# quarter of a million tasks per 2,000 pages: with 8, that crawl took 19.8 s instead of 23.3 s
# (medians of four runs each, taking turns).
CONCURRENT_ITEMS = 8

# Bounds: every crawl ends.
DEPTH_LIMIT = 6
CLOSESPIDER_PAGECOUNT = 3000
CLOSESPIDER_TIMEOUT = 30 * 60
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 40 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
REDIRECT_MAX_TIMES = 8
# Thai file names are nine characters a letter once percent-encoded: Scrapy's 2083 would
# drop real documents. The trap guard bounds URLs by their decoded length instead.
URLLENGTH_LIMIT = 16000
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Handle error statuses in the spider's errback so each gets a per-URL reason.
HTTPERROR_ALLOW_ALL = False
# Old agency sites often run expired or self-signed certificates; the content still counts
# for the assessment, so fetch it (the report notes TLS problems Scrapy reports).
DOWNLOADER_CLIENT_TLS_METHOD = "TLS"

# Breadth-first: the ITA index page (usually 1-2 clicks from home) is read before the
# documents it links, so its leads are known when they arrive.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "oitcheck.crawler.middlewares.LoopAwareRedirectMiddleware": 600,
    "oitcheck.crawler.middlewares.PageBudget": 60,
    "oitcheck.crawler.netguard.PublicOnly": 50,  # only with OITCHECK_PUBLIC_ONLY
}
# Which links are followed (on the site, not media, not a trap, not admin, depth), before
# Scrapy's own offsite and depth middlewares see them.
SPIDER_MIDDLEWARES = {"oitcheck.crawler.middlewares.LinkAdmission": 950}
ITEM_PIPELINES = {"oitcheck.crawler.pipelines.EvidencePipeline": 300}
EXTENSIONS = {"oitcheck.crawler.extensions.Progress": 500, "oitcheck.crawler.extensions.ProcessSetup": 100}

# Nightly mode turns these on (oitcheck crawl --cache): revalidate with ETag/Last-Modified.
HTTPCACHE_ENABLED = False
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_DIR = "httpcache"

# oitcheck's own settings (defaults; the CLI and `-s` override them).
OITCHECK_YEAR = None  # ITA year; None = latest checklist
OITCHECK_AGENCY = "lao"  # agency type: which checklists (checklists/<agency>-<year>.yaml)
OITCHECK_OUT = "oit-report"  # report folder
OITCHECK_OCR = True  # OCR scanned PDFs and images (needs tesseract)
OITCHECK_OCR_PAGES = 4
OITCHECK_OCR_SECONDS = 90
OITCHECK_READER_THREADS = 4  # documents read at once, off the download thread (PDFium calls take turns)
OITCHECK_PRIORITY_URLS = []  # fetched first (the CLI fills it from the last report in --out)
OITCHECK_MAX_QUERY_VARIANTS = 1000  # distinct query strings per path before it is a trap
OITCHECK_MAX_CALENDAR_VARIANTS = 60  # date-keyed query strings per path before it is an endless calendar
OITCHECK_HISTORY_ENABLED = True  # record every run (and what changed) in the history database
OITCHECK_HISTORY = None  # its path; None = ~/.local/share/oitcheck/history.sqlite
OITCHECK_OUTCOME_FILE = None  # batch on Scrapyd: where to say how the run ended (ok, unreachable ...)
OITCHECK_HTTP_FALLBACK = False  # a bare domain was given: try http when https fails
OITCHECK_PUBLIC_ONLY = False  # refuse private, loopback and link-local addresses (a shared oitcheck web)
OITCHECK_RECORD = os.environ.get("OITCHECK_RECORD") or None  # developers: every item the spider yields, as JSON lines (oitcheck.collect.replay reads it)
OITCHECK_RUN_ID = None  # set by the runner so it can tell this run's files from an earlier run's
OITCHECK_ANSWERS = None  # `oitcheck answers`: {item code: [planned URLs]}; only those (and one click down) are read
OITCHECK_SNAPSHOT_SECONDS = float(os.environ.get("OITCHECK_SNAPSHOT_SECONDS", 10))  # partial report period

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Scrapy re-parses a callback's source to warn about `return` in generators; its cache is
# keyed on bound methods that die young, so it re-parsed on most responses (~5% of crawl
# time, benchmarks/run.py). Our callbacks return nothing.
WARN_ON_GENERATOR_RETURN_VALUE = False
FEED_EXPORT_ENCODING = "utf-8"

# Pages that need a browser (an app shell, links only in inline data, an ITA hub whose item
# links mount on click) are rendered in headless Chromium (oitcheck.render); --no-js turns it off.
OITCHECK_JS = True
OITCHECK_CHROMIUM = os.environ.get("OITCHECK_CHROMIUM", "/usr/bin/chromium")  # Debian's chromium
OITCHECK_JS_MAX_PAGES = int(os.environ.get("OITCHECK_JS_MAX_PAGES", 20))  # pages rendered per crawl
OITCHECK_JS_PAGE_SECONDS = float(os.environ.get("OITCHECK_JS_PAGE_SECONDS", 60))  # per rendered page: loading, clicking, collecting links
OITCHECK_JS_MAX_CLICKS = 200  # controls clicked per page (each once)
OITCHECK_JS_CLICK_DEPTH = 3  # levels: a year switch, a category card, an accordion item
OITCHECK_JS_CONCURRENCY = 2  # pages rendered at once (one browser)
