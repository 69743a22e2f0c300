"""Safe by default: what a check may be started on, and who may use the page.

- Only http(s) addresses of websites.
- Bound beyond loopback (``--host 0.0.0.0``) every request needs the token, and no crawl
  may reach a loopback, private or link-local address (the host is resolved here, and the
  crawl refuses such addresses for every link it follows) unless ``--allow-private``.
- Bound to loopback, only the loopback host names are answered (a page elsewhere cannot
  reach this server through a DNS name it controls).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from urllib.parse import urlsplit

from ..crawler.netguard import private_addresses

MAX_URL_CHARS = 2000
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST_PORT = re.compile(r"^[^:/]+:\d+(/|$)")


def is_loopback(host: str) -> bool:
    """Is this bind address reachable from this machine only?

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5", "::")]
    [True, True, True, False, False, False]
    """
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a token someone sent with ours."""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


class Refused(ValueError):
    """A check that must not start; the message is for the user (Thai / English)."""


def website(text: str) -> str:
    """The URL to crawl for what a user typed, or :class:`Refused`.

    >>> website(" example.go.th ")
    'https://example.go.th'
    >>> website("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    oitcheck.web.safety.Refused: ใช้ได้เฉพาะที่อยู่ http:// หรือ https:// / only http(s) website addresses: javascript:alert(1)
    """
    text = (text or "").strip()
    if not text or len(text) > MAX_URL_CHARS or any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise Refused(f"ไม่ใช่ที่อยู่เว็บไซต์ / not a website address: {text[:200]}")
    # "javascript:x" and "mailto:x" have a scheme; "example.go.th:8080/x" is a host and port.
    has_scheme = _SCHEME.match(text) and not _HOST_PORT.match(text)
    url = text if has_scheme else "https://" + text
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise Refused(f"ใช้ได้เฉพาะที่อยู่ http:// หรือ https:// / only http(s) website addresses: {text[:200]}")
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise Refused(f"ไม่ใช่ที่อยู่เว็บไซต์ / not a website address: {text[:200]}") from None
    if not host or ("." not in host and ":" not in host and host != "localhost") or parts.username or parts.password:
        raise Refused(f"ไม่ใช่ที่อยู่เว็บไซต์ / not a website address: {text[:200]}")
    return url


def check_reachable_publicly(url: str) -> None:
    """Refuse a URL whose host is (or resolves to) a loopback, private or link-local address."""
    try:
        private = private_addresses(url)
    except OSError:
        return  # a name that does not resolve: the crawl reports the site unreachable
    if private:
        raise Refused(f"เซิร์ฟเวอร์นี้เปิดให้เครื่องอื่นใช้ จึงไม่ตรวจที่อยู่ภายในเครือข่าย ({', '.join(private[:3])}) "
                      f"/ this server is shared: it does not crawl private, loopback or link-local addresses "
                      f"(start it with --allow-private to allow them)")
