"""oitcheck: check an agency website against the ITA OIT checklist before the assessors do.

Exit codes: 0 done; 1 a --fail-under threshold was not met; 2 wrong usage;
3 the site could not be crawled (down, or not a website); 4 the crawl was interrupted
(a partial report was written); 5 a checklist or input file is invalid.
"""

from __future__ import annotations

import argparse
import json
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
  oitcheck checklists --year 2568                the items of one year
  oitcheck score verdicts.json --year 2566       scores for a list of verdicts ("what if we publish O12?")
  oitcheck history example.go.th                 the trend of earlier runs
  oitcheck batch province.csv --parallel 4       many sites (CSV: name,url,year); add --scrapyd URL to scale out
  oitcheck eval                                  accuracy on the labelled test sites

exit codes:
  0 done   1 --fail-under not met   2 wrong usage   3 site down or not a website
  4 crawl interrupted (partial report written)   5 invalid checklist or input file

ภาษาไทย: oitcheck crawl <เว็บไซต์ของหน่วยงาน> แล้วเปิด oit-report/report.html
"""


def _fail_under(text: str) -> dict[int, float]:
    """'80' -> both indicators; '9=80,10=60' -> per indicator."""
    out = {}
    try:
        for part in text.split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                if k.strip() not in ("9", "10"):
                    raise ValueError
                out[int(k)] = float(v)
            else:
                out[9] = out[10] = float(part)
    except ValueError:
        raise argparse.ArgumentTypeError("use a score like 80, or per indicator like 9=80,10=60") from None
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oitcheck", description=__doc__.split("\n\n")[0],
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def crawl_options(sp, out_default="oit-report"):
        sp.add_argument("--year", type=int, help="ITA year of the checklist (default: the latest the tool has)")
        sp.add_argument("--out", type=Path, default=Path(out_default), help=f"report folder (default: ./{out_default})")
        sp.add_argument("--max-pages", type=int, help="stop after this many responses (default 3000)")
        sp.add_argument("--max-depth", type=int, help="clicks from the start page (default 6)")
        sp.add_argument("--max-minutes", type=float, help="wall-time budget (default 30)")
        sp.add_argument("--no-ocr", action="store_true", help="do not OCR scanned PDFs and images (faster)")
        sp.add_argument("--timeout", type=float, metavar="SECONDS", help="per-URL download timeout (default 30)")
        sp.add_argument("--fail-under", type=_fail_under, metavar="SCORE",
                        help="exit 1 when a predicted score is below SCORE: '80' or '9=80,10=60'")
        sp.add_argument("--history", type=Path, metavar="DB", help="history database (default: ~/.local/share/oitcheck/history.sqlite)")
        sp.add_argument("--no-history", action="store_true", help="do not record this run")
        sp.add_argument("--job-dir", type=Path, help="keep crawl state here; run again with the same folder to resume")
        sp.add_argument("--cache", type=Path, metavar="DIR", help="HTTP + OCR cache for nightly runs (revalidates with ETag/Last-Modified)")
        sp.add_argument("--quiet", action="store_true", help="print only errors")

    c = sub.add_parser("crawl", help="crawl a site and write the report",
                       description="Crawl an agency website and predict its OIT result (indicators 9 and 10).")
    c.add_argument("url", help="the agency's website, e.g. https://www.example.go.th")
    crawl_options(c)

    d = sub.add_parser("demo", help="serve the bundled demo agency site on 127.0.0.1 and check it",
                       description="Builds a small Thai agency site, serves it on 127.0.0.1 and crawls it.")
    crawl_options(d)

    cl = sub.add_parser("checklists", help="list the ITA years and items the tool knows")
    cl.add_argument("--year", type=int, help="show one year's items")

    s = sub.add_parser("score", help="recompute scores from a verdicts file",
                       description="VERDICTS.json: a report.json, or {\"O1\": \"pass\", \"O2\": \"fail\", ...}, or a list of {code, status}.")
    s.add_argument("verdicts", type=Path)
    s.add_argument("--year", type=int, help="checklist year (default: the file's, else the latest)")

    h = sub.add_parser("history", help="the trend of earlier runs of a site")
    h.add_argument("site")
    h.add_argument("--db", type=Path, help="history database")

    b = sub.add_parser("batch", help="crawl many sites from a CSV and summarise them",
                       description="SITES.csv has the columns name,url and optionally year. Each site gets its own "
                                   "folder under --out; summary.csv, summary.xlsx and index.html list them all. "
                                   "Run the same command again to finish an interrupted batch.")
    b.add_argument("sites", type=Path)
    b.add_argument("--out", type=Path, default=Path("oit-batch"), help="batch folder (default: ./oit-batch)")
    b.add_argument("--parallel", type=int, default=3, help="sites crawled at once on this machine (default 3)")
    b.add_argument("--scrapyd", metavar="URL[,URL...]", help="run the jobs on these Scrapyd nodes instead (shared --out folder)")
    b.add_argument("--max-pages", type=int)
    b.add_argument("--max-minutes", type=float)
    b.add_argument("--no-ocr", action="store_true")
    b.add_argument("--cache", type=Path, metavar="DIR", help="HTTP + OCR cache shared by the nightly runs")
    b.add_argument("--redo", action="store_true", help="crawl every site again, even those already done")

    e = sub.add_parser("eval", help="precision and recall on the labelled fixture sites")
    e.add_argument("--year", type=int)
    e.add_argument("--ocr", action="store_true", help="include the scanned-PDF scenarios (slower)")
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
        print("หยุดโดยผู้ใช้ / interrupted", file=sys.stderr)
        return EXIT_PARTIAL


def _check_year(year):
    from . import checklist as checklists

    if year and year not in checklists.years():
        known = ", ".join(map(str, checklists.years()))
        raise SystemExit(_err(f"ไม่มีรายการตรวจของปี {year} / no checklist for {year} (known: {known})", EXIT_USAGE))


def _err(msg: str, code: int) -> int:
    print(f"oitcheck: {msg}", file=sys.stderr)
    return code


def cmd_crawl(args, url: str | None = None) -> int:
    from .crawl import CrawlOptions, run_crawls

    _check_year(args.year)
    url = url or args.url
    if "://" not in url:
        url = "http://" + url
    if not url.startswith(("http://", "https://")):
        return _err(f"ไม่ใช่ URL ของเว็บไซต์ / not a website URL: {url}", EXIT_USAGE)
    opts = CrawlOptions(out=args.out, year=args.year, max_pages=args.max_pages, max_depth=args.max_depth,
                        max_minutes=args.max_minutes, ocr=not args.no_ocr, job_dir=args.job_dir,
                        cache_dir=args.cache, progress=False if args.quiet else None,
                        extra={"DOWNLOAD_TIMEOUT": args.timeout} if args.timeout else {})
    [report] = run_crawls([(url, opts)])
    return finish(report, args, url)


def finish(report: dict | None, args, url: str) -> int:
    if report is None:
        return _err(f"ตรวจไม่สำเร็จ / the crawl did not start: {url}", EXIT_UNREACHABLE)
    crawl = report["crawl"]
    if crawl["pages"] == 0:
        start_err = next((e["reason"] for e in crawl["errors"] if e["url"].rstrip("/") == url.rstrip("/")), None)
        if crawl["documents"]:
            why = "the address is a file, not a web page / ลิงก์นี้เป็นไฟล์ ไม่ใช่หน้าเว็บไซต์"
        else:
            why = start_err or (crawl["errors"][0]["reason"] if crawl["errors"] else "no page answered")
        return _err(f"เข้าเว็บไซต์ไม่ได้ / cannot crawl {url}: {why}", EXIT_UNREACHABLE)
    if not getattr(args, "no_history", False):
        from .history import History

        changes = History(args.history).record(report)
        if changes:
            report["changes"] = changes
            from oitcheck.reports import write_all

            write_all(report, args.out)
    if not args.quiet:
        print_summary(report, args.out)
    if report.get("partial"):
        return _err("การตรวจหยุดก่อนจบ รายงานยังไม่สมบูรณ์ / crawl interrupted: partial report written", EXIT_PARTIAL)
    if args.fail_under:
        low = [f"{k}: {report['scores'][f'indicator_{k}']:.2f} < {v:g}" for k, v in args.fail_under.items()
               if report["scores"][f"indicator_{k}"] < v]
        if low:
            return _err("คะแนนต่ำกว่าเกณฑ์ / below --fail-under: indicator " + ", ".join(low), EXIT_FAIL_UNDER)
    return EXIT_OK


def print_summary(report: dict, out: Path) -> None:
    items = report["items"]
    cl, crawl, s = report["checklist"], report["crawl"], report["scores"]
    print(f"OIT {cl['year']} · {report['site']} · {crawl['pages']} pages, {crawl['documents']} documents, "
          f"{len(crawl['errors'])} errors")
    names = {9: "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล", 10: "ตัวชี้วัดที่ 10 การป้องกันการทุจริต"}
    for ind in (9, 10):
        mine = [i for i in items if i["indicator"] == ind]
        ok = sum(1 for i in mine if i["status"] == "pass")
        print(f"  {names[ind]}: {s[f'indicator_{ind}']:.2f} (ระดับ {s['bands'][f'indicator_{ind}']}) · "
              f"passed {ok}/{len(mine)} items")
    gaps = [i["code"] for i in items if i["status"] != "pass"]
    if gaps:
        print(f"  ยังขาด / gaps: {', '.join(gaps)}")
    print(f"  รายงาน / report: {Path(out) / 'report.html'} (also report.json, report.xlsx, gaps.csv)")


def cmd_demo(args) -> int:
    from . import checklist as checklists

    from .demo.scenarios import demo_scenarios
    from .demo.serve import LocalSite
    from .demo.sitegen import build_site

    _check_year(args.year)
    checklist = checklists.load(args.year)
    with tempfile.TemporaryDirectory(prefix="oitcheck-demo-") as tmp:
        build_site(Path(tmp), checklist, demo_scenarios(checklist))
        with LocalSite(tmp) as url:
            if not args.quiet:
                print(f"demo site: {url}")
            return cmd_crawl(args, url=url)


def cmd_checklists(args) -> int:
    from . import checklist as checklists

    try:
        if args.year:
            _check_year(args.year)
            c = checklists.load(args.year)
            print(f"{c.name} ({c.status}) · {len(c.items)} items · scoring: {c.scoring_rule}")
            for sub in c.subindicators:
                print(f"\n{sub.code} {sub.title} (weight {sub.weight:g})")
                for it in c.items:
                    if it.subindicator == sub.code:
                        r = it.rules
                        rule = ", ".join(x for x in (f"year: {r.fiscal_year}" if r.fiscal_year != "any" else "",
                                                     r.period or "", r.link_kind and f"link: {r.link_kind}" or "",
                                                     r.parts and "parts: " + "/".join(p.name for p in r.parts) or "") if x)
                        print(f"  {it.code:<4} {it.title}" + (f"  [{rule}]" if rule else ""))
            return EXIT_OK
        for y in checklists.years():
            c = checklists.load(y)
            print(f"{y}  {len(c.items):>2} items  {c.status:<11} {c.name}")
        return EXIT_OK
    except checklists.ChecklistError as exc:
        return _err(str(exc), EXIT_INPUT)


def load_verdicts(path: Path) -> tuple[dict[str, bool], int | None]:
    data = json.loads(path.read_text("utf-8"))
    year = None
    if isinstance(data, dict) and "items" in data:
        year = data.get("checklist", {}).get("year")
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
        elif str(status).lower() in ("pass", "มี", "true", "1"):
            out[code] = True
        elif str(status).lower() in ("fail", "ไม่มี", "false", "0"):
            out[code] = False
        else:
            raise ValueError(f"{code}: status must be pass or fail, not {status!r}")
    return out, year


def cmd_score(args) -> int:
    from . import checklist as checklists

    from .scoring import score

    try:
        verdicts, file_year = load_verdicts(args.verdicts)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _err(f"อ่านไฟล์ผลไม่ได้ / cannot read {args.verdicts}: {exc}", EXIT_INPUT)
    year = args.year or file_year
    _check_year(year)
    c = checklists.load(year)
    try:
        s = score(c, verdicts)
    except KeyError as exc:
        return _err(str(exc.args[0]), EXIT_INPUT)
    print(json.dumps({"year": c.year, "indicator_9": s["indicator_9"], "indicator_10": s["indicator_10"],
                      "subindicators": s["subindicators"], "bands": s["bands"]}, ensure_ascii=False, indent=1))
    return EXIT_OK


def cmd_history(args) -> int:
    from .history import History

    rows = History(args.db).trend(args.site)
    if not rows:
        return _err(f"ยังไม่มีประวัติของ {args.site} / no runs recorded for {args.site}", EXIT_INPUT)
    print(f"{'finished':<26} {'year':>4} {'ind. 9':>7} {'ind. 10':>7} {'passed':>7}")
    for r in rows:
        print(f"{r['finished']:<26} {r['year']:>4} {r['indicator_9']:>7.2f} {r['indicator_10']:>7.2f} {r['passed']:>3}/{r['items']:<3}")
    return EXIT_OK


def cmd_batch(args) -> int:
    from .batch import BatchError, finished, read_sites, run_local, run_scrapyd, summarize

    try:
        jobs = read_sites(args.sites, args.out)
    except BatchError as exc:
        return _err(str(exc), EXIT_INPUT)
    args.out.mkdir(parents=True, exist_ok=True)
    todo = jobs if args.redo else [j for j in jobs if not finished(j)]
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
    status = {}
    if todo and args.scrapyd:
        try:
            status = run_scrapyd(todo, args.scrapyd.split(","), settings)
        except (BatchError, OSError) as exc:
            return _err(f"Scrapyd: {exc}", EXIT_UNREACHABLE)
    elif todo:
        if args.cache:
            extra += ["--cache", str(args.cache)]
        status = run_local(todo, args.parallel, extra + ["--no-history"])
    rows = summarize(jobs, status, args.out)
    ok = sum(r["status"] == "ok" for r in rows)
    print(f"{ok}/{len(rows)} sites done · summary: {args.out / 'index.html'} (also summary.csv, summary.xlsx)")
    return EXIT_OK if ok == len(rows) else EXIT_UNREACHABLE


def cmd_eval(args) -> int:
    from .demo.evaluate import run_eval

    return run_eval(args.year, with_ocr=args.ocr)


COMMANDS = {"crawl": cmd_crawl, "demo": cmd_demo, "checklists": cmd_checklists, "score": cmd_score,
            "history": cmd_history, "eval": cmd_eval, "batch": cmd_batch}


if __name__ == "__main__":
    sys.exit(main())
