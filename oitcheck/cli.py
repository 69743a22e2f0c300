"""oitcheck: check an agency website against the ITA OIT checklist before the assessors do.

Exit codes: 0 done; 1 a --fail-under threshold was not met; 2 wrong usage or a local
problem (output folder, input file); 3 the site could not be crawled (down, or not a
website: no report is written, the last good one stays); 4 the crawl was interrupted (a
partial report, marked as such); 5 an invalid checklist or input file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_FAIL_UNDER, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_PARTIAL, EXIT_INPUT = 0, 1, 2, 3, 4, 5

EPILOG = """\
examples:
  oitcheck demo                                  crawl the bundled demo site, report in ./oit-report
  oitcheck crawl https://www.example.go.th       check your site against the latest checklist
  oitcheck crawl example.go.th --year 2568 --out report-2568 --max-pages 2000
  oitcheck crawl example.go.th --fail-under 9=80,10=60   exit 1 if a predicted score is lower
  oitcheck crawl college.ac.th --agency ovec     a vocational college's own checklist
  oitcheck answers planned.csv --year 2568       check the URLs you plan to enter in ITAS (CSV/XLSX: code,url[,url...])
  oitcheck answers oit-report/itas.xlsx          ... or the ITAS sheet a crawl wrote, after your edits
  oitcheck checklists --year 2568                the items of one year
  oitcheck score report.json                     scores for a list of verdicts ("what if we publish O12?")
  oitcheck history example.go.th                 the trend of earlier runs
  oitcheck batch province.csv --parallel 4       many sites (CSV: name,url[,year][,agency]); --scrapyd URL to scale out
  oitcheck web                                   a web page to start checks and read results (127.0.0.1:8080)
  oitcheck eval                                  accuracy on the labelled test sites

exit codes:
  0 done   1 --fail-under not met   2 wrong usage or a local problem (output folder, input file)
  3 site down or not a website (nothing written; the last good report stays)
  4 crawl interrupted (partial report, marked partial)   5 invalid checklist or input file

ภาษาไทย: oitcheck crawl <เว็บไซต์ของหน่วยงาน> แล้วเปิด oit-report/report.html
"""


WEB_EPILOG = """\
examples:
  oitcheck web                          open http://127.0.0.1:8080/ in a browser on this computer
  oitcheck web --host 0.0.0.0           the office network: open the /login?token=... address it prints
  oitcheck web --parallel 4 --data /srv/oitcheck      a province's server, everything under /srv/oitcheck

nightly checks: schedule them on a site's page (the server runs them), or from cron:
  0 2 * * * curl -fsS -H "Authorization: Bearer $OITCHECK_WEB_TOKEN" -d url=https://www.example.go.th \\
            http://127.0.0.1:8080/api/checks
  (start the server with the same --token; or let cron run `oitcheck crawl ... --history DB`
   with the server's database: its runs join the site's history chart)

ภาษาไทย: oitcheck web แล้วเปิด http://127.0.0.1:8080/ ในเบราว์เซอร์
"""


def _fail_under(text: str) -> dict[int, float]:
    """'80' -> both indicators; '9=80,10=60' -> per indicator. Anything else is refused.

    >>> _fail_under("9=80,10=60")
    {9: 80.0, 10: 60.0}
    """
    out: dict[int, float] = {}
    parts = [p.strip() for p in text.split(",")]
    try:
        if len(parts) == 1 and "=" not in parts[0]:
            v = float(parts[0])
            out = {9: v, 10: v}
        else:
            for part in parts:
                k, sep, v = part.partition("=")
                if not sep or k.strip() not in ("9", "10") or int(k) in out:
                    raise ValueError
                out[int(k)] = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use one score like 80, or per indicator like 9=80,10=60") from None
    if any(not 0 <= v <= 100 for v in out.values()):
        raise argparse.ArgumentTypeError(f"{text!r}: scores are between 0 and 100")
    return out


def _agencies() -> list[str]:
    from .checklist import agency_types

    return agency_types()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oitcheck", description=__doc__.split("\n\n")[0],
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def checklist_options(sp):
        sp.add_argument("--year", type=int, help="ITA year of the checklist (default: the latest the tool has)")
        sp.add_argument("--agency", default="lao", choices=_agencies(),
                        help="agency type: lao (อบต., เทศบาล, อบจ.; default) or ovec (vocational colleges)")

    def crawl_options(sp, out_default="oit-report"):
        checklist_options(sp)
        sp.add_argument("--out", type=Path, default=Path(out_default), help=f"report folder (default: ./{out_default})")
        sp.add_argument("--max-pages", type=int, metavar="N", help="fetch at most N pages and documents (default 3000)")
        sp.add_argument("--max-depth", type=int, metavar="N", help="clicks from the start page (default 6)")
        sp.add_argument("--max-minutes", type=float, metavar="M", help="wall-time budget (default 30)")
        sp.add_argument("--no-ocr", action="store_true", help="do not OCR scanned PDFs and images (faster)")
        sp.add_argument("--no-js", action="store_true", help="never render pages in a headless browser")
        sp.add_argument("--timeout", type=float, metavar="SECONDS", help="per-URL download timeout (default 30)")
        sp.add_argument("--fail-under", type=_fail_under, metavar="SCORE",
                        help="exit 1 when a predicted score is below SCORE: '80' or '9=80,10=60'")
        sp.add_argument("--history", type=Path, metavar="DB", help="history database (default: ~/.local/share/oitcheck/history.sqlite)")
        sp.add_argument("--no-history", action="store_true", help="do not record this run")
        sp.add_argument("--job-dir", type=Path, help="keep crawl state here; run again with the same folder to resume")
        sp.add_argument("--cache", type=Path, metavar="DIR",
                        help="HTTP + OCR cache for nightly runs (every URL is revalidated: changed pages are fetched again)")
        sp.add_argument("--quiet", action="store_true", help="print only errors")
        sp.add_argument("--public-only", action="store_true",
                        help="fetch nothing on loopback, private or link-local addresses (links and redirects "
                             "included); oitcheck web sets it when it serves other machines")

    c = sub.add_parser("crawl", help="crawl a site and write the report", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Crawl an agency website and predict its OIT result (indicators 9 and 10). "
                                   "A bare domain is tried with https first, then http.")
    c.add_argument("url", help="the agency's website, e.g. https://www.example.go.th")
    crawl_options(c)

    d = sub.add_parser("demo", help="serve the bundled demo agency site on 127.0.0.1 and check it",
                       description="Builds a small Thai agency site, serves it on 127.0.0.1 and crawls it.")
    crawl_options(d)

    a = sub.add_parser("answers", help="check the answers you plan to enter in ITAS (only those URLs)",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="ANSWERS.csv or .xlsx: one row per item, its code and the URL(s) you plan to enter "
                                   "(code,url[,url...]; a header row is optional), or an itas.xlsx/itas.csv this tool "
                                   "wrote. Fetches exactly those URLs and what they link one click down, as an assessor "
                                   "clicking through would, judges each item only on its own URLs and writes the same "
                                   "reports. Items not in the file count as ไม่มี.")
    a.add_argument("answers", type=Path, metavar="ANSWERS")
    checklist_options(a)
    a.add_argument("--out", type=Path, default=Path("oit-answers"), help="report folder (default: ./oit-answers)")
    a.add_argument("--site", help="the agency's website (default: the host most of the URLs are on)")
    a.add_argument("--no-ocr", action="store_true", help="do not OCR scanned PDFs and images (faster)")
    a.add_argument("--timeout", type=float, metavar="SECONDS", help="per-URL download timeout (default 30)")
    a.add_argument("--fail-under", type=_fail_under, metavar="SCORE", help="exit 1 when a predicted score is below SCORE")
    a.add_argument("--quiet", action="store_true", help="print only errors")

    cl = sub.add_parser("checklists", help="list the ITA years and items the tool knows")
    checklist_options(cl)
    cl.add_argument("--sources", action="store_true", help="with --year: print each item's source too")

    s = sub.add_parser("score", help="recompute scores from a verdicts file",
                       description="VERDICTS.json: a report.json, or {\"O1\": \"pass\", \"O2\": \"fail\", ...}, or a list of {code, status}.")
    s.add_argument("verdicts", type=Path)
    s.add_argument("--year", type=int, help="checklist year (default: the file's, else the latest)")
    s.add_argument("--agency", choices=_agencies(), help="agency type (default: the file's, else lao)")

    h = sub.add_parser("history", help="the trend of earlier runs of a site")
    h.add_argument("site")
    h.add_argument("--db", type=Path, help="history database")

    b = sub.add_parser("batch", help="crawl many sites from a CSV and summarise them",
                       description="SITES.csv has the columns name,url and optionally year and agency (UTF-8, with or "
                                   "without BOM, or windows-874 as Excel on Thai Windows saves it). Each site gets its own "
                                   "folder under --out; summary.csv, summary.xlsx and index.html list them all. "
                                   "Run the same command again to finish an interrupted batch and retry failed sites.")
    b.add_argument("sites", type=Path)
    b.add_argument("--out", type=Path, default=Path("oit-batch"), help="batch folder (default: ./oit-batch)")
    b.add_argument("--parallel", type=int, default=3, help="sites crawled at once on this machine (default 3)")
    b.add_argument("--scrapyd", metavar="URL[,URL...]", help="run the jobs on these Scrapyd nodes instead (shared --out folder)")
    b.add_argument("--max-pages", type=int)
    b.add_argument("--max-minutes", type=float)
    b.add_argument("--no-ocr", action="store_true")
    b.add_argument("--no-js", action="store_true", help="never render pages in a headless browser")
    b.add_argument("--cache", type=Path, metavar="DIR", help="HTTP + OCR cache shared by the nightly runs")
    b.add_argument("--history", type=Path, metavar="DB", help="history database for every site's runs")
    b.add_argument("--redo", action="store_true", help="crawl every site again, even those already done")

    w = sub.add_parser("web", help="a web page to start checks, watch them and read the results",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=WEB_EPILOG,
                       description="Serve a web page where a clerk starts a check (URL, agency type, ITA year),\n"
                                   "watches its progress, opens the report and downloads the XLSX/CSV/JSON files;\n"
                                   "a provincial office follows many sites (sortable), uploads a CSV of sites and\n"
                                   "schedules nightly checks. Each check runs as its own `oitcheck crawl` process.")
    w.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only). Any other address, "
                        "e.g. 0.0.0.0 for the office network, needs the token printed at start")
    w.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    w.add_argument("--data", type=Path, metavar="DIR",
                   help="keep runs, and the database unless --history, in DIR "
                        "(default: runs in ~/.local/share/oitcheck/web, the database shared with `oitcheck crawl`)")
    w.add_argument("--history", type=Path, metavar="DB", help="the SQLite history database (jobs, sites and "
                   "schedules are kept there too)")
    w.add_argument("--parallel", type=int, default=2, metavar="N",
                   help="checks run at once (default 2); more wait in a queue")
    w.add_argument("--scrapyd", metavar="URL[,URL...]",
                   help="run the checks on these Scrapyd nodes instead (they must share the --data folder)")
    w.add_argument("--allow-private", action="store_true",
                   help="with --host beyond 127.0.0.1: also crawl loopback and private addresses "
                        "(refused by default, so a shared server cannot be turned against its own network)")
    w.add_argument("--token", default=os.environ.get("OITCHECK_WEB_TOKEN"),
                   help="the access token (default: a new random one each start, or $OITCHECK_WEB_TOKEN); "
                        "also what /api/checks takes, e.g. from cron")

    e = sub.add_parser("eval", help="precision and recall on the labelled fixture sites, or a report against a "
                       "person's judgement of a real site (--truth)",
                       description="Without --truth: build the labelled fixture sites, crawl them and print precision "
                                   "and recall of 'pass'. With --truth FILE REPORT: compare a crawl's report of a real "
                                   "site with an assessor's own judgement of it, item by item (topic recall with the "
                                   "right evidence URL, and how many found items point at the right page).",
                       epilog="examples:\n  oitcheck eval\n  oitcheck eval --ocr --year 2568\n"
                              "  oitcheck crawl http://127.0.0.1:18101/ --year 2566 --out hangdong-report\n"
                              "  oitcheck eval --truth hangdong/truth.yaml hangdong-report",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("--year", type=int)
    e.add_argument("--ocr", action="store_true", help="include the scanned-PDF scenarios (slower)")
    e.add_argument("--truth", type=Path, metavar="FILE",
                   help="a truth file (YAML: items: {O1: {published: true, evidence: [URL, ...]}}) written by a person")
    e.add_argument("report", nargs="?", type=Path, help="with --truth: the report folder or report.json to judge")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("oitcheck: หยุดโดยผู้ใช้ / interrupted", file=sys.stderr)
        return EXIT_PARTIAL
    except BrokenPipeError:
        # `oitcheck checklists | head`: the reader left; that is not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _check_year(year, agency: str = "lao"):
    from . import checklist

    known = checklist.years(agency)
    if year and year not in known:
        raise SystemExit(_err(f"ไม่มีรายการตรวจของปี {year} / no {agency} checklist for {year} "
                              f"(known: {', '.join(map(str, known))})", EXIT_USAGE))


def _err(msg: str, code: int) -> int:
    print(f"oitcheck: {msg}", file=sys.stderr)
    return code


def check_out_folder(out: Path) -> str | None:
    """Why the report cannot be written to ``out`` (a local problem), or None."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".oitcheck-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def website_url(text: str) -> tuple[str | None, bool]:
    """(URL, scheme guessed?) for what a user typed; None when it is not a website address.

    >>> website_url("example.go.th")
    ('https://example.go.th', True)
    >>> website_url("ftp://x")[0] is None
    True
    """
    from urllib.parse import urlsplit

    text = text.strip()
    guessed = "://" not in text
    url = "https://" + text if guessed else text
    if not url.startswith(("http://", "https://")) or any(ch.isspace() for ch in url):
        return None, guessed
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None, guessed
    if not host or ("." not in host and host != "localhost"):
        return None, guessed
    return url, guessed


def cmd_crawl(args, url: str | None = None) -> int:
    from .crawl import CrawlOptions, run_crawls

    _check_year(args.year, args.agency)
    url, guessed = (url, False) if url else website_url(args.url)
    if url is None:
        return _err(f"ไม่ใช่ URL ของเว็บไซต์ / not a website address: {args.url}", EXIT_USAGE)
    problem = check_out_folder(args.out)
    if problem:
        return _err(f"เขียนรายงานลงโฟลเดอร์ {args.out} ไม่ได้ ({problem}) ปัญหาอยู่ที่เครื่องนี้ ไม่ใช่เว็บไซต์ / "
                    f"cannot write the report to {args.out}: {problem} (a local problem, not the website's)", EXIT_USAGE)
    extra = {"DOWNLOAD_TIMEOUT": args.timeout} if args.timeout else {}
    if guessed:
        extra["OITCHECK_HTTP_FALLBACK"] = True  # a bare domain: https first, then http
    if args.public_only:
        extra["OITCHECK_PUBLIC_ONLY"] = True
    opts = CrawlOptions(out=args.out, year=args.year, agency=args.agency, max_pages=args.max_pages,
                        max_depth=args.max_depth, max_minutes=args.max_minutes, ocr=not args.no_ocr, js=not args.no_js,
                        job_dir=args.job_dir, cache_dir=args.cache, progress=False if args.quiet else None,
                        history=args.history, record_history=not args.no_history, extra=extra)
    [result] = run_crawls([(url, opts)])
    return report_outcome(result, args)


def report_outcome(result, args) -> int:
    """Print how the run ended and return its exit code."""
    if result.outcome in ("unreachable", "not_a_site"):
        return _err(f"เข้าเว็บไซต์ไม่ได้ / cannot crawl {result.url}: {result.reason}. "
                    f"ไม่ได้เขียนรายงาน รายงานเดิมใน {args.out} ยังอยู่ / no report written; "
                    f"the folder's earlier report is unchanged", EXIT_UNREACHABLE)
    if result.outcome == "local_error":
        return _err(f"เขียนรายงานไม่ได้ / cannot write the report: {result.reason} "
                    f"(ปัญหาอยู่ที่เครื่องนี้ / a local problem)", EXIT_USAGE)
    report = result.report
    if result.outcome == "interrupted":
        if report is None:
            return _err("การตรวจถูกหยุด ยังไม่ได้เขียนรายงาน / crawl interrupted before any report was written",
                        EXIT_PARTIAL)
        if not args.quiet:
            print_summary(report, args.out)
        return _err("การตรวจหยุดก่อนจบ รายงานยังไม่สมบูรณ์ / crawl interrupted: the report in "
                    f"{args.out} is partial and says so", EXIT_PARTIAL)
    if not args.quiet:
        print_summary(report, args.out)
    if args.fail_under:
        low = [f"{k}: {report.scores.indicators[str(k)]:.2f} < {v:g}" for k, v in args.fail_under.items()
               if report.scores.indicators.get(str(k), 0.0) < v]
        if low:
            return _err("คะแนนต่ำกว่าเกณฑ์ / below --fail-under: indicator " + ", ".join(low), EXIT_FAIL_UNDER)
    return EXIT_OK


def print_summary(report, out: Path) -> None:
    cl, crawl, s = report.checklist, report.crawl, report.scores
    if report.mode == "answers":
        print(f"OIT {cl.year} · ตรวจคำตอบที่จะกรอกใน ITAS / planned answers · {crawl.pages} pages, "
              f"{crawl.documents} documents, {len(crawl.errors)} errors")
    else:
        print(f"OIT {cl.year} · {report.site} · {crawl.pages} pages, {crawl.documents} documents, "
              f"{len(crawl.errors)} errors")
    if not crawl.complete:
        from .collect import STOPPED_WORDS

        th, en = STOPPED_WORDS.get(crawl.stopped_by or "interrupted", ("", ""))
        print(f"  ตรวจไม่ครบทั้งเว็บไซต์ เพราะ{th} / the crawl did not cover the whole site: {en}")
    for number, title in cl.indicators.items():
        mine = [i for i in report.items if str(i.indicator) == number]
        ok = sum(1 for i in mine if i.status == "pass")
        print(f"  ตัวชี้วัดที่ {number} {title}: {s.indicators[number]:.2f} (ระดับ {s.bands[f'indicator_{number}']}) · "
              f"passed {ok}/{len(mine)} items")
    if s.oit is not None:
        how = "สัดส่วนข้อที่ผ่าน / share of items passed" if s.oit_method == "item_share" else \
            "เฉลี่ยตัวชี้วัดที่ 9 และ 10 / mean of indicators 9 and 10"
        points = f" · {s.oit_weighted:.2f}/{s.oit_points:g} คะแนนใน ITA / points of the ITA total" \
            if s.oit_weighted is not None and s.oit_points else ""
        print(f"  OIT: {s.oit:.2f} ({how}){points}")
    gaps = [i.code for i in report.items if i.status != "pass"]
    if report.mode == "answers":
        unanswered = [it.code for it in report.items if it.reason_details and it.reason_details[0].kind == "no_answer"]
        for it in report.items:
            if it.code not in unanswered:
                mark = "ผ่าน / pass" if it.status == "pass" else "ไม่ผ่าน / fail"
                print(f"  {it.code:<4} {mark}: {it.reasons[0] if it.reasons else ''}")
        if unanswered:
            print(f"  ไม่ได้ระบุ URL (นับเป็น ไม่มี) / no URL planned: {', '.join(unanswered)}")
    elif gaps:
        print(f"  ยังขาด / gaps: {', '.join(gaps)}")
    if report.fix_first:
        top = report.fix_first[0]
        pts = ", ".join(f"+{v:.2f} คะแนน ตัวชี้วัดที่ {k}" for k, v in top.points.items())
        print(f"  แก้ข้อนี้ก่อน / fix first: {top.code} {top.title} ({pts})")
    review = [i.code for i in report.items if i.review]
    if review:
        print(f"  ควรตรวจด้วยตา / check by eye: {', '.join(review)}")
    names = sorted(p.name for p in Path(out).iterdir() if p.name in (
        "report.html", "report.json", "report.xlsx", "gaps.csv", "itas.xlsx", "itas.csv"))
    print(f"  รายงาน / report: {Path(out) / 'report.html'} ({', '.join(names)})")


def cmd_answers(args) -> int:
    from . import checklist
    from .answers import AnswersError, check_answers, read_answers
    from .crawl import CrawlOptions

    _check_year(args.year, args.agency)
    try:
        c = checklist.load(args.year, agency=args.agency)
        planned = read_answers(args.answers, {it.code for it in c.items})
    except (AnswersError, checklist.ChecklistError) as exc:
        return _err(f"อ่านไฟล์คำตอบไม่ได้ / cannot read the answers: {exc}", EXIT_INPUT)
    site = None
    if args.site:
        site, _ = website_url(args.site)
        if site is None:
            return _err(f"ไม่ใช่ URL ของเว็บไซต์ / not a website address: {args.site}", EXIT_USAGE)
    problem = check_out_folder(args.out)
    if problem:
        return _err(f"เขียนรายงานลงโฟลเดอร์ {args.out} ไม่ได้ ({problem}) / cannot write to {args.out}: {problem}", EXIT_USAGE)
    n = sum(len(u) for u in planned.values())
    if not args.quiet:
        print(f"{args.answers}: {len(planned)} ข้อ {n} URL / items, URLs planned; "
              f"{len(c.items) - len(planned)} ข้อไม่มีในไฟล์ (นับเป็น ไม่มี) / items not in the file count as ไม่มี")
    extra = {"DOWNLOAD_TIMEOUT": args.timeout} if args.timeout else {}
    opts = CrawlOptions(out=args.out, year=c.year, agency=args.agency, ocr=not args.no_ocr,
                        progress=False if args.quiet else None, extra=extra)
    return report_outcome(check_answers(planned, opts, site), args)


def cmd_demo(args) -> int:
    from . import checklist

    from .demo.scenarios import demo_scenarios
    from .demo.serve import LocalSite
    from .demo.sitegen import build_site

    _check_year(args.year, args.agency)
    c = checklist.load(args.year, agency=args.agency)
    with tempfile.TemporaryDirectory(prefix="oitcheck-demo-") as tmp:
        build_site(Path(tmp), c, demo_scenarios(c))
        with LocalSite(tmp) as url:
            if not args.quiet:
                print(f"demo site: {url}")
            return cmd_crawl(args, url=url)


def cmd_checklists(args) -> int:
    from . import checklist
    from .rules import REGISTRY

    try:
        if args.year:
            _check_year(args.year, args.agency)
            c = checklist.load(args.year, agency=args.agency)
            print(f"{c.name} ({c.status}) · {len(c.items)} items · {c.unconfirmed} not confirmed by two sources"
                  f" · scoring: {c.scoring_rule}")
            print(f"weights: {c.scoring_source}")
            if c.bands_source:
                print(f"levels (AA-F): {c.bands_source}")
            print(f"file (edit it to correct the year, then run this command again): {c.path}")
            for sub in c.subindicators:
                print(f"\n{sub.code} {sub.title} (weight {sub.weight:g})")
                for it in c.items:
                    if it.subindicator == sub.code:
                        rule = ", ".join(filter(None, (REGISTRY[k].describe(v) for k, v in it.rules.items()
                                                       if k in REGISTRY and v not in (None, (), "any"))))
                        mark = "" if it.confidence == "confirmed" else f" ({it.confidence})"
                        alt = "".join(f" / หรือ {a.title}" for a in it.alternatives)
                        print(f"  {it.code:<4} {it.title}{alt}{mark}" + (f"  [{rule}]" if rule else ""))
                        if args.sources and it.source:
                            print(f"         source: {it.source}")
            return EXIT_OK
        for agency in ([args.agency] if args.agency != "lao" else checklist.agency_types()):
            for y in checklist.years(agency):
                c = checklist.load(y, agency=agency)
                print(f"{agency:<5} {y}  {len(c.items):>2} items  {c.status:<11} {c.name}")
        return EXIT_OK
    except checklist.ChecklistError as exc:
        return _err(str(exc), EXIT_INPUT)


def load_verdicts(path: Path) -> tuple[dict[str, bool], int | None, str | None]:
    data = json.loads(path.read_text("utf-8"))
    year = agency = None
    if isinstance(data, dict) and "items" in data:
        year = data.get("checklist", {}).get("year")
        agency = data.get("agency") or data.get("checklist", {}).get("agency_type")
        data = data["items"]
    if isinstance(data, list):
        pairs = {d["code"]: d["status"] for d in data}
    elif isinstance(data, dict):
        pairs = data
    else:
        raise ValueError("expected a report.json, a {code: status} object or a list of {code, status}")
    out = {}
    for code, status in pairs.items():
        if isinstance(status, bool):
            out[code] = status
        elif str(status).lower() in ("pass", "มี", "ผ่าน", "true", "1"):
            out[code] = True
        elif str(status).lower() in ("fail", "ไม่มี", "ไม่ผ่าน", "false", "0"):
            out[code] = False
        else:
            raise ValueError(f"{code}: status must be pass or fail, not {status!r}")
    return out, year, agency


def cmd_score(args) -> int:
    from . import checklist
    from .scoring import score

    try:
        verdicts, file_year, file_agency = load_verdicts(args.verdicts)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _err(f"อ่านไฟล์ผลไม่ได้ / cannot read {args.verdicts}: {exc}", EXIT_INPUT)
    if file_year and args.year and file_year != args.year:
        return _err(f"ไฟล์นี้เป็นผลของปี {file_year} ไม่ใช่ {args.year} / {args.verdicts} is a {file_year} report: "
                    f"scoring it with the {args.year} items would mix two checklists (leave out --year)", EXIT_USAGE)
    agency = args.agency or file_agency or "lao"
    if file_agency and args.agency and file_agency != args.agency:
        return _err(f"{args.verdicts} is for agency type {file_agency}, not {args.agency}", EXIT_USAGE)
    year = args.year or file_year
    _check_year(year, agency)
    c = checklist.load(year, agency=agency)
    try:
        s = score(c, verdicts)
    except KeyError as exc:
        return _err(str(exc.args[0]), EXIT_INPUT)
    print(json.dumps({"year": c.year, "agency": agency, "indicator_9": s.indicator_9, "indicator_10": s.indicator_10,
                      "indicators": s.indicators, "oit": s.oit, "oit_weighted": s.oit_weighted, "oit_points": s.oit_points,
                      "oit_method": s.oit_method, "subindicators": s.subindicators, "bands": s.bands},
                     ensure_ascii=False, indent=1))
    return EXIT_OK


def cmd_history(args) -> int:
    from .history import History

    rows = History(args.db).trend(args.site)
    if not rows:
        return _err(f"ยังไม่มีประวัติของ {args.site} / no runs recorded for {args.site}", EXIT_INPUT)
    print(f"{'finished':<26} {'agency':<6} {'year':>4} {'ind. 9':>7} {'ind. 10':>7} {'passed':>7}  outcome")
    for r in rows:
        if r["outcome"] != "ok":
            print(f"{r['finished']:<26} {r['agency']:<6} {r['year']:>4} {'-':>7} {'-':>7} {'-':>7}  "
                  f"{r['outcome']}: {r['reason']}")
            continue
        note = "" if r["complete"] else " (incomplete crawl)"
        print(f"{r['finished']:<26} {r['agency']:<6} {r['year']:>4} {r['indicator_9']:>7.2f} {r['indicator_10']:>7.2f} "
              f"{r['passed']:>3}/{r['items']:<3}  ok{note}")
    return EXIT_OK


def cmd_batch(args) -> int:
    from .batch import BatchError, needs_run, read_sites, run_local, run_scrapyd, summarize

    try:
        jobs, encoding = read_sites(args.sites, args.out)
    except BatchError as exc:
        return _err(str(exc), EXIT_USAGE)
    print(f"{args.sites}: read as {encoding}", file=sys.stderr)
    problem = check_out_folder(args.out)
    if problem:
        return _err(f"เขียนโฟลเดอร์ {args.out} ไม่ได้ / cannot write to {args.out}: {problem} (a local problem)", EXIT_USAGE)
    todo = jobs if args.redo else [j for j in jobs if needs_run(j)]
    print(f"{len(jobs)} sites, {len(jobs) - len(todo)} already done, {len(todo)} to crawl", file=sys.stderr)
    extra, settings = [], {}
    if args.max_pages:
        extra += ["--max-pages", str(args.max_pages)]
        settings["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if args.max_minutes:
        extra += ["--max-minutes", str(args.max_minutes)]
        settings["CLOSESPIDER_TIMEOUT"] = int(args.max_minutes * 60)
    if args.no_ocr:
        extra.append("--no-ocr")
        settings["OITCHECK_OCR"] = False
    if args.no_js:
        extra.append("--no-js")
        settings["OITCHECK_JS"] = False
    if args.history:
        extra += ["--history", str(args.history)]
        settings["OITCHECK_HISTORY"] = str(args.history.resolve())
    else:
        extra.append("--no-history")
        settings["OITCHECK_HISTORY_ENABLED"] = False
    if todo and args.scrapyd:
        try:
            run_scrapyd(todo, args.scrapyd.split(","), settings)
        except (BatchError, OSError) as exc:
            return _err(f"Scrapyd: {exc}", EXIT_UNREACHABLE)
    elif todo:
        if args.cache:
            extra += ["--cache", str(args.cache)]
        run_local(todo, args.parallel, extra)
    rows = summarize(jobs, args.out)
    ok = sum(r["outcome_code"] == "ok" for r in rows)
    print(f"{ok}/{len(rows)} sites done · summary: {args.out / 'index.html'} (also summary.csv, summary.xlsx)")
    failed = [r for r in rows if r["outcome_code"] != "ok"]
    for r in failed:
        print(f"  {r['name']}: {r['outcome']} / {r['outcome_code']} {r['reason']}", file=sys.stderr)
    return EXIT_OK if not failed else EXIT_UNREACHABLE


def cmd_web(args) -> int:
    from .web import serve

    if args.parallel < 1:
        return _err("--parallel ต้องอย่างน้อย 1 / --parallel must be at least 1", EXIT_USAGE)
    if args.token is not None and len(args.token) < 16:
        return _err("รหัส --token ต้องยาวอย่างน้อย 16 ตัวอักษร / --token needs at least 16 characters", EXIT_USAGE)
    try:
        return serve(host=args.host, port=args.port, data=args.data, db=args.history, parallel=args.parallel,
                     scrapyd=args.scrapyd.split(",") if args.scrapyd else None, allow_private=args.allow_private,
                     token=args.token)
    except OSError as exc:
        return _err(f"เปิดเซิร์ฟเวอร์ไม่ได้ / cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_USAGE)


def cmd_eval(args) -> int:
    if args.truth or args.report:
        if not (args.truth and args.report):
            return _err("ต้องระบุทั้ง --truth และรายงาน / --truth needs a report folder or report.json, and the other way round",
                        EXIT_USAGE)
        from .demo.truth import run_truth

        try:
            return run_truth(args.truth, args.report, sys.stdout)
        except (OSError, ValueError) as exc:
            return _err(f"อ่านไฟล์ไม่ได้ / cannot read the truth file or the report: {exc}", EXIT_INPUT)
    from .demo.evaluate import run_eval

    return run_eval(args.year, with_ocr=args.ocr)


COMMANDS = {"crawl": cmd_crawl, "answers": cmd_answers, "demo": cmd_demo, "checklists": cmd_checklists,
            "score": cmd_score, "history": cmd_history, "eval": cmd_eval, "batch": cmd_batch, "web": cmd_web}


if __name__ == "__main__":
    sys.exit(main())
