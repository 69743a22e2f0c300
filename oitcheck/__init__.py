"""oitcheck: predict an agency's OIT (ITA indicators 9 and 10) result from its own website.

The plain-function core lives here (Thai text, documents, matching, verdicts, scoring);
the Scrapy project is in ``crawler/``, checklist data in ``checklists/``, writers in ``reports/``.
"""

__version__ = "0.1.0"

import os as _os

# Installed, crawler/, reports/ and checklists/ are subpackages of oitcheck (setuptools
# package-dir). In a source checkout they stand beside this package, and a program started
# from the checkout (`scrapy crawl site` reads scrapy.cfg and puts the checkout first on
# sys.path) imports this folder rather than the installed package: look for them there too.
_here = _os.path.dirname(__file__)
_checkout = _os.path.dirname(_here)
if not _os.path.isdir(_os.path.join(_here, "crawler")) and _os.path.isfile(_os.path.join(_checkout, "crawler", "__init__.py")):
    __path__.append(_checkout)  # noqa: F821 (a package's own __path__)
