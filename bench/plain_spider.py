"""The baseline of bench/crawl.py: plain Scrapy, LinkExtractor, one item per link."""

from __future__ import annotations

import scrapy
from scrapy.linkextractors import LinkExtractor


class PlainSpider(scrapy.Spider):
    name = "plain"

    def __init__(self, seeds: str = "", domain: str = "", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [s if "://" in s else f"http://{s}/" for s in seeds.split(",") if s]
        self.allowed_domains = [domain]
        self.extractor = LinkExtractor()

    def parse(self, response):
        for link in self.extractor.extract_links(response):
            yield {
                "source": response.url,
                "url": link.url,
                "text": link.text,
                "nofollow": link.nofollow,
            }
            yield response.follow(link, callback=self.parse)
