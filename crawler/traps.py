"""Crawler-trap detection: endless calendars, session ids, query-string explosions.

Plain and offline-testable: ``TrapGuard.check(url)`` returns None to go on, or the reason
the URL is a trap. The link-admission middleware counts what each rule skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

SESSION_PARAMS = re.compile(r"^(phpsessid|jsessionid|sid|sessionid|session_id|aspsessionid\w*|cfid|cftoken|s)$", re.I)
_JSESSION_PATH = re.compile(r";jsessionid=[^/?#]*", re.I)
DATE_PARAM = re.compile(r"^(date|day|month|year|y|m|d|cal|calendar|week|time|ts|start|end)$", re.I)

# File kinds never fetched: media and archives are not OIT evidence and can be huge.
DENY_EXTENSIONS = {
    "mp4", "avi", "mov", "wmv", "flv", "mkv", "webm", "mp3", "wav", "ogg", "m4a", "wma",
    "zip", "rar", "7z", "gz", "tar", "bz2", "exe", "msi", "dmg", "iso", "apk", "bin",
    "css", "js", "ico", "woff", "woff2", "ttf", "eot", "svg", "swf",
}


def strip_session(url: str) -> str:
    """Remove session ids so the same page is not fetched once per visitor session.

    >>> strip_session("http://a.go.th/x.php;jsessionid=AB12?id=3&PHPSESSID=zz")
    'http://a.go.th/x.php?id=3'
    """
    url = _JSESSION_PATH.sub("", url)
    parts = urlsplit(url)
    if not parts.query:
        return url
    q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not SESSION_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(q)))


def denied_extension(url: str) -> bool:
    path = urlsplit(url).path.lower()
    last = path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1] in DENY_EXTENSIONS


MAX_URL_CHARS = 500  # decoded characters: a Thai file name is one character per letter, not nine
MAX_QUERY_VARIANTS = 1000  # distinct query strings per path: a news list of a thousand posts is a site, not a loop
MAX_CALENDAR_VARIANTS = 60  # date-keyed variants per path: five years of months, then it is an endless calendar
MAX_REPEAT = 3  # the same path segment more often than this is a relative-link loop (/a/b/a/b/...)


class TrapGuard:
    """Says which URLs are crawler traps, and counts how many each rule skipped."""

    def __init__(self, max_query_variants: int = MAX_QUERY_VARIANTS, max_url_length: int = MAX_URL_CHARS,
                 max_repeat: int = MAX_REPEAT, max_calendar_variants: int = MAX_CALENDAR_VARIANTS):
        self.max_query_variants = max_query_variants
        self.max_calendar_variants = max_calendar_variants
        self.max_url_length = max_url_length
        self.max_repeat = max_repeat
        self._variants: dict[str, set[int]] = defaultdict(set)

    def check(self, url: str) -> str | None:
        """None when the URL may be fetched, else a short reason (trap kinds named).

        >>> g = TrapGuard(max_calendar_variants=2)
        >>> [g.check(f"http://a.go.th/cal.php?date=2568-01-0{d}") for d in (1, 2, 3)]
        [None, None, 'trap: endless calendar variants of /cal.php']
        >>> g.check("http://a.go.th/ข่าว/" + "ก" * 300 + ".html") is None  # 2,700 characters percent-encoded
        True
        """
        if len(unquote(url)) > self.max_url_length:
            return "trap: URL too long"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(segments.count(s) for s in segments) > self.max_repeat:
            return "trap: repeating path segments"
        if parts.query:
            keys = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
            calendar = any(DATE_PARAM.match(k) for k in keys)
            cap = self.max_calendar_variants if calendar else self.max_query_variants
            seen = self._variants[parts.path]
            q = hash(parts.query)
            if q not in seen:
                if len(seen) >= cap:
                    kind = "calendar" if calendar else "query-string"
                    return f"trap: endless {kind} variants of {parts.path or '/'}"
                seen.add(q)
        return None
