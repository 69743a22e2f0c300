"""The pages: start a check, watch it, read and download the results, follow many sites.

Every page is rendered by Jinja2 with autoescape on (crawled text is untrusted), served
under a strict Content-Security-Policy (scripts and styles from this server only), and
every form that changes something carries a per-session CSRF token.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, abort, flash, get_flashed_messages, jsonify, redirect, render_template, request, \
    send_file, session, url_for

from .. import checklist
from ..batch import BatchError, read_sites
from .runner import DOWNLOADS, Runner, read_progress
from .safety import LOOPBACK_NAMES, Refused, check_reachable_publicly, same_secret, website
from .store import SITE_SORTS, Store

MAX_REQUEST_BYTES = 2 * 1024 * 1024  # the largest form or CSV upload (a province's list is a few kB)
MAX_BATCH_SITES = 1000
MAX_PAGES_LIMIT = 20000
TOKEN_COOKIE = "oitcheck_token"
TOKEN_COOKIE_DAYS = 30

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# report.html is one self-contained file: its own inline styles and data: images, no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"
MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv",
        ".json": "application/json"}

OUTCOME_WORDS = {
    "ok": ("ตรวจเสร็จ", "done"),
    "unreachable": ("เข้าเว็บไซต์ไม่ได้", "unreachable"),
    "interrupted": ("หยุดก่อนจบ", "interrupted"),
    "local_error": ("ปัญหาที่เครื่องนี้", "local problem"),
    "input_error": ("ข้อมูลนำเข้าไม่ถูกต้อง", "invalid input"),
    "cancelled": ("ยกเลิก", "cancelled"),
    "error": ("ผิดพลาด", "error"),
}
STATE_WORDS = {"queued": ("รอคิว", "queued"), "running": ("กำลังตรวจ", "running"), "done": ("จบแล้ว", "finished")}


@dataclass
class Config:
    data: Path
    db: Path
    host: str = "127.0.0.1"
    port: int = 8080
    token: str = ""
    token_required: bool = False  # bound beyond loopback
    public_only: bool = False  # refuse private addresses
    parallel: int = 2
    scrapyd: tuple[str, ...] = ()


def secret_key(data: Path) -> bytes:
    """The session-signing key, kept in the data folder so a restart keeps sessions."""
    path = data / ".session-key"
    try:
        return path.read_bytes()
    except OSError:
        key = secrets.token_bytes(32)
        path.touch(mode=0o600)
        path.write_bytes(key)
        return key


def outcome_words(outcome: str | None) -> str:
    th, en = OUTCOME_WORDS.get(outcome or "", (outcome or "", outcome or ""))
    return f"{th} / {en}"


def create_app(config: Config, store: Store, runner: Runner) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret_key(config.data), MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", TEMPLATES_AUTO_RELOAD=False)
    # Templates are *.html.j2: Flask's default would leave them unescaped. Always escape.
    app.jinja_env.autoescape = True
    app.jinja_env.globals.update(outcome_words=outcome_words, STATE_WORDS=STATE_WORDS, DOWNLOADS=DOWNLOADS)
    app.jinja_env.filters["score"] = lambda v: "–" if v is None else f"{v:.2f}"
    app.jinja_env.filters["when"] = lambda v: (v or "")[:16].replace("T", " ")

    agencies = checklist.agencies()
    years = {a: checklist.years(a) for a in checklist.agency_types()}
    all_years = sorted({y for ys in years.values() for y in ys}, reverse=True)

    # --- the gate: host, token, CSRF --------------------------------------------------------

    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        return session["csrf"]

    app.jinja_env.globals["csrf_token"] = csrf_token

    def bearer() -> str | None:
        auth = request.headers.get("Authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    @app.before_request
    def gate():
        try:
            host = urlsplit("//" + (request.host or "")).hostname or ""
        except ValueError:
            host = ""
        if not config.token_required and host not in LOOPBACK_NAMES and not host.startswith("127."):
            # Loopback only: a page elsewhere cannot reach us under a DNS name it controls.
            return _refuse(400, "ชื่อโฮสต์ไม่ถูกต้อง / this server answers only to localhost and 127.0.0.1")
        if request.path.startswith("/api/"):
            if not same_secret(bearer(), config.token):
                return jsonify(error="Authorization: Bearer <token> needed"), 401
            return None  # a header a browser never adds by itself: no CSRF check needed
        if request.path == "/login":
            return None
        if config.token_required and not (same_secret(bearer(), config.token)
                                           or same_secret(request.cookies.get(TOKEN_COOKIE), config.token)):
            return _refuse(401, "ต้องใช้รหัสเข้าใช้ (token) ที่แสดงเมื่อเริ่มเซิร์ฟเวอร์ เปิด /login?token=... / "
                                "this server needs the token it printed at start: open /login?token=...")
        if request.method == "POST":
            origin = request.headers.get("Origin")
            # The host only: behind a TLS proxy the scheme differs from what we see.
            if origin and urlsplit(origin).netloc != request.host:
                return _refuse(403, "คำขอจากเว็บไซต์อื่น / a request from another site was refused")
            if not same_secret(request.form.get("csrf"), session.get("csrf", "")):
                return _refuse(400, "แบบฟอร์มหมดอายุ โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง / the form expired: reload the page "
                                    "and try again")
        return None

    def _refuse(code: int, text: str):
        return Response(render_template("message.html.j2", text=text, code=code), code)

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        # same-origin: the browser still sends Origin with our forms (no-referrer would make it
        # "null"), and no address of ours (/login?token=...) leaks to the sites a report links.
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(413)
    def too_large(_exc):
        return _refuse(413, f"ไฟล์หรือข้อมูลใหญ่เกินไป (ไม่เกิน {MAX_REQUEST_BYTES // 1024 // 1024} MB) / "
                            f"the upload is too large (at most {MAX_REQUEST_BYTES // 1024 // 1024} MB)")

    @app.errorhandler(500)
    def failed(_exc):
        return _refuse(500, "เกิดข้อผิดพลาดที่เซิร์ฟเวอร์ / something went wrong on the server (see its log)")

    @app.errorhandler(404)
    def not_found(_exc):
        return _refuse(404, "ไม่พบหน้านี้ / not found")

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    @app.route("/login", methods=["GET", "POST"])
    def login():
        given = request.values.get("token")
        if given is None:
            return render_template("login.html.j2")
        if not same_secret(given, config.token):
            return _refuse(401, "รหัสไม่ถูกต้อง / wrong token")
        resp = redirect(url_for("index"))
        resp.set_cookie(TOKEN_COOKIE, config.token, max_age=TOKEN_COOKIE_DAYS * 86400, httponly=True, samesite="Lax")
        return resp

    # --- start a check ------------------------------------------------------------------------

    def check_form(values) -> tuple[str, str, int | None, dict]:
        """URL, agency, year and options from a form (or the API), or Refused."""
        url = website(values.get("url", ""))
        if config.public_only:
            check_reachable_publicly(url)
        agency = values.get("agency") or "lao"
        if agency not in years:
            raise Refused(f"ไม่รู้จักประเภทหน่วยงาน / unknown agency type: {agency[:40]}")
        year = values.get("year") or ""
        if year and (not year.isdigit() or int(year) not in years[agency]):
            raise Refused(f"ไม่มีรายการตรวจปี {year[:10]} ของ {agency} / no {agency} checklist for {year[:10]}")
        options: dict = {}
        if values.get("no_ocr"):
            options["no_ocr"] = True
        pages = (values.get("max_pages") or "").strip()
        if pages:
            if not pages.isdigit() or not 1 <= int(pages) <= MAX_PAGES_LIMIT:
                raise Refused(f"จำนวนหน้าสูงสุดต้องเป็น 1-{MAX_PAGES_LIMIT} / max pages: 1 to {MAX_PAGES_LIMIT}")
            options["max_pages"] = int(pages)
        return url, agency, int(year) if year else None, options

    @app.get("/")
    def index():
        return render_template("index.html.j2", agencies=agencies, all_years=all_years, jobs=store.jobs(limit=20),
                               queued=store.queued_count(), config=config)

    @app.post("/checks")
    def start_check():
        try:
            url, agency, year, options = check_form(request.form)
        except Refused as exc:
            flash(str(exc), "error")
            return redirect(url_for("index"))
        job_id = runner.submit(url, agency, year, options)
        return redirect(url_for("job_page", job_id=job_id))

    @app.post("/api/checks")
    def api_check():
        """For cron and scripts: ``curl -H 'Authorization: Bearer TOKEN' -d url=... /api/checks``."""
        try:
            url, agency, year, options = check_form(request.values)
        except Refused as exc:
            return jsonify(error=str(exc)), 400
        job_id = runner.submit(url, agency, year, options, trigger="api")
        return jsonify(id=job_id, url=url_for("job_page", job_id=job_id, _external=True)), 202

    # --- one job -------------------------------------------------------------------------------

    def job_or_404(job_id: int) -> dict:
        job = store.job(job_id)
        if job is None:
            abort(404)
        return job

    def progress_of(job: dict) -> dict:
        if job["state"] == "done":
            now = {"pages": job["pages"] or 0, "documents": job["documents"] or 0,
                   "items_found": job["found"] or 0, "items": job["items"] or 0}
        else:
            now = read_progress(job["folder"])
        return {"id": job["id"], "state": job["state"], "state_words": "{} / {}".format(*STATE_WORDS[job["state"]]),
                "outcome": job["outcome"], "outcome_words": outcome_words(job["outcome"]) if job["outcome"] else "",
                "reason": job["reason"] or "", "exit_code": job["exit_code"], "created": job["created"],
                "started": job["started"], "finished": job["finished"], **now}

    @app.get("/jobs/<int:job_id>")
    def job_page(job_id: int):
        job = job_or_404(job_id)
        report = _report(job)
        files = [n for n in DOWNLOADS if job["folder"] and (Path(job["folder"]) / n).is_file()]
        return render_template("job.html.j2", job=job, p=progress_of(job), report=report, files=files,
                               has_html=bool(job["folder"]) and (Path(job["folder"]) / "report.html").is_file())

    @app.get("/jobs/<int:job_id>/progress")
    def job_progress(job_id: int):
        return jsonify(progress_of(job_or_404(job_id)))

    @app.post("/jobs/<int:job_id>/cancel")
    def job_cancel(job_id: int):
        job_or_404(job_id)
        if runner.cancel(job_id):
            flash("กำลังหยุดการตรวจ / stopping the check", "info")
        return redirect(url_for("job_page", job_id=job_id))

    @app.get("/jobs/<int:job_id>/report.html")
    def job_report(job_id: int):
        job = job_or_404(job_id)
        path = Path(job["folder"] or "/nonexistent") / "report.html"
        if job["state"] != "done" or not path.is_file():
            abort(404)
        resp = send_file(path, mimetype="text/html", max_age=0)
        resp.headers["Content-Security-Policy"] = REPORT_CSP
        return resp

    @app.get("/jobs/<int:job_id>/files/<name>")
    def job_file(job_id: int, name: str):
        job = job_or_404(job_id)
        if name not in DOWNLOADS or not job["folder"] or not (Path(job["folder"]) / name).is_file():
            abort(404)
        stem = re.sub(r"[^a-z0-9]+", "-", job["site"].lower()).strip("-")[:40]
        return send_file(Path(job["folder"]) / name, mimetype=MIME[Path(name).suffix], as_attachment=True,
                         download_name=f"{stem}-{job_id}-{name}", max_age=0)

    # --- sites ---------------------------------------------------------------------------------

    @app.get("/sites")
    def sites():
        sort = request.args.get("sort", "site")
        sort = sort if sort in SITE_SORTS else "site"
        desc = request.args.get("desc") == "1"
        return render_template("sites.html.j2", sites=store.sites(sort, desc), sort=sort, desc=desc)

    @app.get("/site")
    def site_page():
        key = request.args.get("key", "")
        jobs = store.jobs(limit=200, site=key)
        if not jobs:
            abort(404)
        good = next((j for j in jobs if j["outcome"] == "ok"), None)
        changes = (_report(good) or {}).get("changes") if good else None
        schedules = [s for s in store.schedules() if s["kind"] == "site" and _site_key(s["url"]) == key]
        return render_template("site.html.j2", key=key, jobs=jobs, latest=jobs[0], good=good, changes=changes,
                               schedules=schedules, runs=store.history.trend(key), years=years, agencies=agencies)

    @app.get("/site/trend.svg")
    def site_trend():
        from .charts import trend_svg

        rows = store.history.trend(request.args.get("key", ""))
        resp = Response(trend_svg(rows), mimetype="image/svg+xml")
        resp.headers["Content-Security-Policy"] = CHART_CSP
        return resp

    # --- batches --------------------------------------------------------------------------------

    @app.get("/batches")
    def batches():
        return render_template("batches.html.j2", batches=store.batches(), agencies=agencies)

    @app.post("/batches")
    def start_batch():
        upload = request.files.get("sites")
        if upload is None or not upload.filename:
            flash("เลือกไฟล์ CSV ก่อน / choose a CSV file first", "error")
            return redirect(url_for("batches"))
        data = upload.read(MAX_REQUEST_BYTES + 1)
        sites, problems, encoding = _batch_sites(data, config)
        if not sites:
            flash("ไม่มีเว็บไซต์ที่ตรวจได้ในไฟล์ / no site to check in the file: " + "; ".join(problems[:5]), "error")
            return redirect(url_for("batches"))
        options = {"no_ocr": True} if request.form.get("no_ocr") else {}
        name = Path(upload.filename).name[:100]
        batch_id = store.add_batch(name, encoding, sites)
        for s in sites:
            runner.submit(s["url"], s["agency"], s["year"], options, "batch", s["name"], batch_id)
        flash(f"อ่านไฟล์เป็น {encoding}: เริ่มตรวจ {len(sites)} แห่ง / read as {encoding}: {len(sites)} checks queued", "info")
        for p in problems[:20]:
            flash(p, "error")
        return redirect(url_for("batch_page", batch_id=batch_id))

    @app.get("/batches/<int:batch_id>")
    def batch_page(batch_id: int):
        batch = store.batch(batch_id) or abort(404)
        schedules = [s for s in store.schedules() if s["kind"] == "batch" and s["batch_id"] == batch_id]
        return render_template("batch.html.j2", batch=batch, jobs=store.jobs(limit=MAX_BATCH_SITES * 3, batch_id=batch_id),
                               schedules=schedules)

    # --- nightly ----------------------------------------------------------------------------------

    @app.get("/schedules")
    def schedules():
        return render_template("schedules.html.j2", schedules=store.schedules(), agencies=agencies,
                               batches={b["id"]: b for b in store.batches()})

    @app.post("/schedules")
    def add_schedule():
        at = request.form.get("at", "")
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
            flash("เวลาต้องเป็น HH:MM เช่น 02:00 / the time is HH:MM, like 02:00", "error")
            return redirect(url_for("schedules"))
        if request.form.get("batch_id"):
            batch = store.batch(int(request.form["batch_id"])) if request.form["batch_id"].isdigit() else None
            if batch is None:
                abort(404)
            store.add_schedule("batch", at, name=batch["name"], batch_id=batch["id"], options={"no_ocr": True}
                               if request.form.get("no_ocr") else {})
        else:
            try:
                url, agency, year, options = check_form(request.form)
            except Refused as exc:
                flash(str(exc), "error")
                return redirect(url_for("schedules"))
            store.add_schedule("site", at, url=url, agency=agency, year=year, options=options)
        flash(f"ตั้งเวลาตรวจทุกคืนเวลา {at} แล้ว / scheduled every night at {at}", "info")
        return redirect(url_for("schedules"))

    @app.post("/schedules/<int:schedule_id>/delete")
    def delete_schedule(schedule_id: int):
        store.delete_schedule(schedule_id)
        flash("ยกเลิกการตั้งเวลาแล้ว / schedule removed", "info")
        return redirect(url_for("schedules"))

    @app.context_processor
    def messages():
        return {"messages": get_flashed_messages(with_categories=True)}

    return app


def _site_key(url: str) -> str:
    from ..history import site_key

    return site_key(url)


def _report(job: dict | None) -> dict | None:
    if not job or not job.get("folder") or job["state"] != "done":
        return None
    try:
        return json.loads((Path(job["folder"]) / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _batch_sites(data: bytes, config: Config) -> tuple[list[dict], list[str], str]:
    """Sites of an uploaded CSV, read as `oitcheck batch` reads it (UTF-8 with or without BOM,
    windows-874); rows that cannot be checked are listed, not silently dropped."""
    import tempfile

    if len(data) > MAX_REQUEST_BYTES:
        return [], ["ไฟล์ใหญ่เกินไป / the file is too large"], ""
    with tempfile.TemporaryDirectory(prefix="oitcheck-upload-") as tmp:
        path = Path(tmp) / "sites.csv"
        path.write_bytes(data)
        try:
            jobs, encoding = read_sites(path, Path(tmp) / "out")
        except BatchError as exc:
            return [], [str(exc).replace(str(path), "CSV")], ""
    sites, problems = [], []
    known = set(checklist.agency_types())
    for job in jobs[:MAX_BATCH_SITES]:
        try:
            url = website(job.url)
            if config.public_only:
                check_reachable_publicly(url)
            if job.agency not in known:
                raise Refused(f"ไม่รู้จักประเภทหน่วยงาน / unknown agency type {job.agency[:40]}")
            if job.year and job.year not in checklist.years(job.agency):
                raise Refused(f"ไม่มีรายการตรวจปี {job.year} / no checklist for {job.year}")
        except Refused as exc:
            problems.append(f"{job.name[:80]}: {exc}")
            continue
        sites.append({"name": job.name[:200], "url": url, "year": job.year, "agency": job.agency})
    if len(jobs) > MAX_BATCH_SITES:
        problems.append(f"ตรวจได้ครั้งละไม่เกิน {MAX_BATCH_SITES} แห่ง / at most {MAX_BATCH_SITES} sites per file")
    return sites, problems, encoding
