"""Serve a folder on 127.0.0.1 (a free port) in a background thread: the demo site and
the test fixture sites. Quiet, threaded, and stoppable."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the crawl reports errors itself
        pass

    def end_headers(self):
        # Documents and pages are served fresh; ETag/Last-Modified come from the file.
        super().end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A crawler that stops reading (size limits, shutdown) is normal here, not an error.
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class LocalSite:
    """``with LocalSite(folder) as url:`` serves the folder until the block ends."""

    def __init__(self, root: str | Path, handler=None, host: str = "127.0.0.1", port: int = 0):
        handler = handler or _Quiet
        self.httpd = _Server((host, port), functools.partial(handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> str:
        self.thread.start()
        return self.url

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
