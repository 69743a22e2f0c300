"""The Scrapy project: one spider (``site``), its items and the evidence pipeline."""
