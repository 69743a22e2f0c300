"""Items the spider yields. Documents are :class:`oitcheck.evidence.Document` (a dataclass,
which Scrapy accepts as an item); these two carry what is not a document."""

from dataclasses import dataclass

from oitcheck.evidence import Document  # noqa: F401  (re-exported: the main item)


@dataclass
class IndexLead:
    """The agency's ITA index page gives ``url`` as the evidence for item ``code``."""

    code: str
    url: str
    found_on: str


@dataclass
class CrawlError:
    """A URL that could not be fetched or read; ``reason`` is short and plain."""

    url: str
    reason: str
    found_on: str = ""
    anchor: str = ""
    index_code: str | None = None
