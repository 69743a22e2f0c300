"""The baseline: plain Scrapy following every same-site link (documents included), no
extraction. Same politeness settings as oitcheck's crawler, so the ratio measures our work.

    python benchmarks/bare_spider.py URL          # every setting of oitcheck's crawler (tuned)
    python benchmarks/bare_spider.py URL plain    # ... but Scrapy's own CONCURRENT_ITEMS (100)

oitcheck's CONCURRENT_ITEMS (8) is a speed setting of ours, not politeness: the tuned baseline
gets it too (the strict comparison), the plain one shows Scrapy as a user runs it."""

import sys

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor

import oitcheck.crawler.settings as ours


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, url, **kw):
        super().__init__(**kw)
        self.start_urls = [url]
        self.allowed_domains = ["127.0.0.1"]
        self.links = LinkExtractor(deny_extensions=[])  # documents too, as oitcheck fetches them

    def parse(self, response):
        if not hasattr(response, "text") or b"html" not in response.headers.get(b"Content-Type", b""):
            return
        for link in self.links.extract_links(response):
            yield response.follow(link.url, callback=self.parse)


if __name__ == "__main__":
    settings = {k: getattr(ours, k) for k in dir(ours) if k.isupper() and not k.startswith("OITCHECK")}
    for k in ("ITEM_PIPELINES", "EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "SPIDER_MODULES",
              "NEWSPIDER_MODULE"):
        settings.pop(k, None)
    settings["LOG_LEVEL"] = "ERROR"
    # The same budgets as the oitcheck run in benchmarks/run.py (no page cap, depth 50).
    settings["CLOSESPIDER_PAGECOUNT"] = 0
    settings["DEPTH_LIMIT"] = 50
    if sys.argv[2:] == ["plain"]:
        settings.pop("CONCURRENT_ITEMS", None)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, url=sys.argv[1])
    process.start()
    # responses, then seconds from the engine's start to its stop (start-up excluded)
    print(crawler.stats.get_value("response_received_count", 0), crawler.stats.get_value("elapsed_time_seconds", 0))
