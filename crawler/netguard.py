"""Public addresses only (``OITCHECK_PUBLIC_ONLY``): a crawl started from a shared web page
must not be turned against the network it runs in.

The start URL is checked before the crawl starts (oitcheck.web); this downloader middleware
checks every request after that, links and redirects included, on the address the crawl
would connect to, so a public page that links to http://192.168.1.1/ is not fetched.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

PRIVATE_REASON = "private or loopback address, not fetched (public addresses only)"


def is_public(address: str) -> bool:
    """Is this IP address on the public internet?

    >>> [is_public(a) for a in ("8.8.8.8", "127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00::1", "0.0.0.0")]
    [True, False, False, False, False, False, False]
    >>> is_public("::ffff:192.168.1.1")
    False
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def host_addresses(host: str) -> list[str]:
    """Every address a host name resolves to (an IP literal is its own address)."""
    import socket

    host = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


def private_addresses(url: str) -> list[str]:
    """The non-public addresses the URL's host resolves to (empty: public). Raises OSError
    when the name does not resolve."""
    host = urlsplit(url).hostname or ""
    return [a for a in host_addresses(host) if not is_public(a)]


class PublicOnly:
    """Refuse requests whose host resolves to a non-public address (once per host)."""

    def __init__(self, stats):
        self.stats = stats
        self.verdict: dict[str, bool] = {}  # host -> public?

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("OITCHECK_PUBLIC_ONLY"):
            raise NotConfigured
        return cls(crawler.stats)

    async def process_request(self, request, spider=None):
        from scrapy.exceptions import IgnoreRequest
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import threads

        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            return None  # data: URLs and the like go nowhere
        host = parts.hostname or ""
        if host not in self.verdict:
            try:
                found = await maybe_deferred_to_future(threads.deferToThread(host_addresses, host))
                self.verdict[host] = all(is_public(a) for a in found)
            except OSError:
                return None  # the download reports the DNS failure itself
        if not self.verdict[host]:
            self.stats.inc_value("oitcheck/skipped/private address")
            raise IgnoreRequest(PRIVATE_REASON)
        return None
