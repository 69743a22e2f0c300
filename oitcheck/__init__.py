"""oitcheck: predict an agency's OIT (ITA indicators 9 and 10) result from its own website.

The plain-function core lives here (Thai text, documents, matching, verdicts, scoring);
the Scrapy project is in ``crawler/``, checklist data in ``checklists/``, writers in ``reports/``.
"""

__version__ = "0.1.0"
