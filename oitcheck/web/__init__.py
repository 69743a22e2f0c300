"""`oitcheck web`: a web page to start checks, watch them and read the results, for people
who do not use a terminal.

The server (Flask on waitress) runs each check as its own `oitcheck crawl` process (or on
Scrapyd nodes), keeps jobs, sites and nightly schedules in the history database, and
serves the same report.html and downloads the command line writes. Nothing imports this
package but oitcheck.cli.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

log = logging.getLogger(__name__)

SERVER_THREADS = 8
MAX_HEADER_BYTES = 64 * 1024


def default_data() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(base) / "oitcheck" / "web"


def serve(host: str = "127.0.0.1", port: int = 8080, data: Path | None = None, db: Path | None = None,
          parallel: int = 2, scrapyd: list[str] | None = None, allow_private: bool = False, token: str | None = None,
          out=sys.stdout) -> int:
    """Run the server until Ctrl-C or SIGTERM; running crawls are then interrupted (each
    writes its partial report) and recorded as interrupted."""
    import fcntl

    from waitress import create_server

    from ..history import default_db
    from .app import MAX_REQUEST_BYTES, Config, create_app
    from .runner import SCHEDULER_TICK_SECONDS, Runner
    from .safety import is_loopback, new_token
    from .store import Store

    # A --data folder holds everything of its instance; the default one shares the history
    # database with `oitcheck crawl` and `oitcheck history`.
    db = Path(db).expanduser().resolve() if db else (Path(data).expanduser().resolve() / "history.sqlite" if data
                                                     else default_db())
    data = Path(data).expanduser().resolve() if data else default_data()
    data.mkdir(parents=True, exist_ok=True)
    lock = open(data / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(f"oitcheck: มีเซิร์ฟเวอร์อื่นใช้โฟลเดอร์ {data} อยู่แล้ว / another oitcheck web already uses {data}",
              file=sys.stderr)
        return 2
    loopback = is_loopback(host)
    config = Config(data=data, db=db, host=host, port=port, token=token or new_token(), token_required=not loopback,
                    public_only=not loopback and not allow_private, parallel=parallel, scrapyd=tuple(scrapyd or ()))
    store = Store(db)
    tick = float(os.environ.get("OITCHECK_SCHEDULER_SECONDS") or SCHEDULER_TICK_SECONDS)
    runner = Runner(store, data, parallel=parallel, scrapyd=list(scrapyd or []), public_only=config.public_only,
                    tick=tick)
    app = create_app(config, store, runner)
    server = create_server(app, host=host, port=port, threads=SERVER_THREADS, ident="oitcheck",
                           max_request_body_size=MAX_REQUEST_BYTES + 64 * 1024, max_request_header_size=MAX_HEADER_BYTES,
                           clear_untrusted_proxy_headers=True)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{server.effective_port}/"
    runner.start()
    print(f"oitcheck web: {base} (ข้อมูล / data: {data}, ฐานข้อมูล / database: {db})", file=out, flush=True)
    print(f"  ตรวจพร้อมกันได้ {parallel} แห่ง / up to {parallel} checks at once"
          + (f" on Scrapyd {', '.join(scrapyd)}" if scrapyd else ""), file=out, flush=True)
    if config.token_required:
        print(f"  รหัสเข้าใช้ (แสดงครั้งเดียว) / token (shown once): {config.token}", file=out, flush=True)
        print(f"  เปิด / open: {base}login?token={config.token}", file=out, flush=True)
        if config.public_only:
            print("  ไม่ตรวจที่อยู่ภายในเครือข่าย / private and loopback addresses are refused (--allow-private)",
                  file=out, flush=True)
    elif token:
        print("  /api/checks ใช้รหัสที่ให้ด้วย --token / /api/checks takes the --token you gave", file=out, flush=True)
    print("  หยุดด้วย Ctrl-C / stop with Ctrl-C", file=out, flush=True)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        print("oitcheck web: หยุด / stopping (running checks are interrupted and keep a partial report)",
              file=out, flush=True)
        server.close()
        runner.stop()
        lock.close()
    return 0
