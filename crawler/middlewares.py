"""Downloader middlewares of our own: only what Scrapy does not say by itself."""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, but a loop (A -> B -> A) is reported as one.

    Without this the duplicate filter silently drops the second visit to A, and the report
    could not say why the link led nowhere.
    """

    def _redirect(self, redirected, request, reason):
        seen = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in seen:
            raise IgnoreRequest(f"redirect loop: {' -> '.join(seen[-3:])} -> {redirected.url}")
        return super()._redirect(redirected, request, reason)
