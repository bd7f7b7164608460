"""Defaults that both the crawl's settings (:mod:`linkspider.config`) and the ``linkspider``
command use; here because the command must not import the crawl's modules (it starts
without Scrapy, selectolax or scipy)."""

from __future__ import annotations

#: ``LINKSPIDER_RANK_EXACT_NODES``, ``rank --exact-nodes``
RANK_EXACT_NODES = 10_000
#: ``LINKSPIDER_RANK_SAMPLES``, ``rank --samples``: 256 sources keep the error of every one of
#: the 1,000 most central nodes under 5% on bench/rank.py's 50,000-node graph
RANK_SAMPLES = 256
