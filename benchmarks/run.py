"""Benchmark: how fast, how big, against bare Scrapy. Prints its figures.

    .venv/bin/python benchmarks/run.py            # 2,000 and 4,000 pages
    .venv/bin/python benchmarks/run.py --quick    # 300 pages, for a smoke run

Generates a local agency site (pages + PDF/DOCX/XLSX documents, some scanned), serves it on
127.0.0.1 and measures, in one run: (1) bare Scrapy following links, (2) the full
`oitcheck crawl` pipeline with OCR off; then extraction speed per format, OCR cost per page,
and matching time against text length. Peak RSS is sampled from each crawl process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from oitcheck import checklist as checklists  # noqa: E402
from oitcheck.demo.docmaker import make_docx, make_pdf, make_scanned_pdf, make_xlsx  # noqa: E402
from oitcheck.demo.serve import LocalSite  # noqa: E402
from oitcheck.demo.sitegen import build_site  # noqa: E402

WORDS = "การพัฒนา ชุมชน ถนน ประปา โครงการ งบประมาณ ประชาชน ตำบล หมู่บ้าน กิจกรรม ".split()


def big_site(root: Path, pages: int, documents: int, scanned: int) -> dict:
    """A realistic site (the labelled generator) plus filler news pages and documents."""
    c = checklists.load(2568)
    build_site(root, c, {}, filler_pages=0)
    kinds = {"pdf": 0, "docx": 0, "xlsx": 0, "scanned": 0}
    docs = []
    for i in range(documents):
        kind = "scanned" if i < scanned else ("pdf", "pdf", "docx", "xlsx")[i % 4]
        lines = [f"เอกสารเผยแพร่ ฉบับที่ {i} ปีงบประมาณ 2568"] + [" ".join(WORDS[(i + j) % len(WORDS)] for j in range(12))] * 20
        data = {"pdf": make_pdf, "docx": make_docx, "xlsx": make_xlsx, "scanned": make_scanned_pdf}[kind](lines)
        name = f"files/bench_{i:04d}.{'pdf' if kind == 'scanned' else kind}"
        (root / name).write_bytes(data)
        docs.append(name)
        kinds[kind] += 1
    per_index = 50
    for i in range(pages):
        links = [f"<a href='/news/b{(i * 7 + k) % pages}.html'>ข่าว {k}</a>" for k in (1, 2, 3)]
        if docs and i % max(1, pages // len(docs)) == 0:
            links.append(f"<a href='/{docs[(i // max(1, pages // len(docs))) % len(docs)]}'>ดาวน์โหลด</a>")
        body = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(120))
        (root / "news" / f"b{i}.html").write_text(
            f"<html><head><meta charset=utf-8><title>ข่าวกิจกรรม {i}</title></head><body><h1>กิจกรรม {i}</h1>"
            f"<p>{body}</p>{' '.join(links)}</body></html>", "utf-8")
    for p in range(0, pages, per_index):
        items = "".join(f"<li><a href='/news/b{i}.html'>ข่าว {i}</a></li>" for i in range(p, min(p + per_index, pages)))
        nxt = f"<a href='/archive/{p // per_index + 1}.html'>ถัดไป</a>" if p + per_index < pages else ""
        (root / "archive").mkdir(exist_ok=True)
        (root / "archive" / f"{p // per_index}.html").write_text(
            f"<html><head><meta charset=utf-8><title>คลังข่าว</title></head><body><ul>{items}</ul>{nxt}</body></html>", "utf-8")
    listing = "".join(f"<li><a href='/{d}'>เอกสาร {i}</a></li>" for i, d in enumerate(docs))
    (root / "documents.html").write_text(f"<html><head><meta charset=utf-8><title>เอกสาร</title></head><body><ul>{listing}</ul></body></html>", "utf-8")
    index = (root / "index.html").read_text("utf-8")
    (root / "index.html").write_text(index.replace("</ul>", "<li><a href='/archive/0.html'>คลังข่าว</a></li><li><a href='/documents.html'>เอกสาร</a></li></ul>", 1), "utf-8")
    return kinds


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, stdout) of a child process, RSS sampled every 0.1 s."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.1)
    out, err = proc.communicate()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}): {err[-2000:]}")
    return time.perf_counter() - start, peak / 2**20, out


def crawl_pair(pages: int, documents: int, scanned: int, tmp: Path, repeats: int = 1) -> list[dict]:
    """Bare Scrapy and the full crawl on one generated site, ``repeats`` times, taking turns
    (which goes first alternates, so a machine that slows down or speeds up mid-run weighs on
    both alike)."""
    root = tmp / f"site{pages}"
    kinds = big_site(root, pages, documents, scanned)
    runs = []
    with LocalSite(root) as url:
        for n in range(repeats):
            runs.append(_pair(url, pages, kinds, tmp / f"report{pages}-{n}", bare_first=n % 2 == 0))
    return runs


def _pair(url: str, pages: int, kinds: dict, out: Path, bare_first: bool) -> dict:
    def bare(*variant):
        return run_measured([sys.executable, "benchmarks/bare_spider.py", url, *variant])

    def full():
        return run_measured([sys.executable, "-m", "oitcheck", "crawl", url, "--year", "2568", "--out", str(out),
                             "--no-history", "--no-ocr", "--quiet", "--max-pages", str(pages * 3), "--max-depth", "50"])

    if bare_first:
        tuned, (full_s, full_rss, _), plain = bare(), full(), bare("plain")
    else:
        plain, (full_s, full_rss, _), tuned = bare("plain"), full(), bare()
    report = json.loads((out / "report.json").read_text("utf-8"))
    crawl = report["crawl"]
    full_n = crawl["stats"].get("response_received_count", crawl["pages"] + crawl["documents"])
    full_crawl_s = crawl["stats"]["elapsed_time_seconds"]
    return {
        "pages_generated": pages, "documents_generated": kinds,
        "bare": _bare_figures(*tuned),
        "plain": _bare_figures(*plain),
        "full": {"responses": full_n, "seconds": round(full_s, 2), "per_second": round(full_n / full_s, 1),
                 "crawl_seconds": round(full_crawl_s, 2), "crawl_per_second": round(full_n / full_crawl_s, 1),
                 "peak_rss_mb": round(full_rss),
                 "pages": crawl["pages"], "documents": crawl["by_kind"], "match_seconds": crawl["match_seconds"]},
    }


def _bare_figures(seconds: float, rss: float, out: str) -> dict:
    """What a bare-Scrapy run measured: its last line says responses and the engine's seconds."""
    n, crawl_s = out.strip().splitlines()[-1].split()
    n, crawl_s = int(n), float(crawl_s)
    return {"responses": n, "seconds": round(seconds, 2), "per_second": round(n / seconds, 1),
            "crawl_seconds": round(crawl_s, 2), "crawl_per_second": round(n / crawl_s, 1), "peak_rss_mb": round(rss)}


def extraction_speed(tmp: Path) -> dict:
    from oitcheck.documents import extract
    from oitcheck.ocr import OcrEngine

    text = [" ".join(WORDS[(j + k) % len(WORDS)] for k in range(12)) for j in range(35)]
    samples = {"pdf (text layer, 5 pages)": (make_pdf(text * 5), "a.pdf", 5), "docx": (make_docx(text * 5), "a.docx", 1),
               "xlsx": (make_xlsx(text * 5), "a.xlsx", 1)}
    out = {}
    for name, (data, fname, pages) in samples.items():
        n = 20
        t = time.perf_counter()
        for _ in range(n):
            extract(data, fname)
        out[name] = round((time.perf_counter() - t) / n / pages * 1000, 2)
    engine = OcrEngine(tmp / "ocr")
    scan = make_scanned_pdf(text[:20])
    t = time.perf_counter()
    ex = extract(scan, "s.pdf", ocr=engine)
    out["scanned pdf, OCR (per page)"] = round((time.perf_counter() - t) / max(ex.ocr_pages, 1) * 1000, 1)
    t = time.perf_counter()
    extract(scan, "s.pdf", ocr=engine)
    out["scanned pdf, OCR cache hit"] = round((time.perf_counter() - t) * 1000, 2)
    return out


def photo_site(tmp: Path) -> dict:
    """The real อบต. of issue 13 in miniature: about 300 URLs, 270 of them photos, crawled with
    the defaults (OCR and JavaScript rendering on), as a clerk runs it."""
    from oitcheck.demo.patterns import add_patterns

    root = tmp / "photo-site"
    c = checklists.load(2568)
    build_site(root, c, {}, filler_pages=4)
    add_patterns(root, "องค์การบริหารส่วนตำบลตัวอย่าง", 2568, photos=270, activity_posts=0)
    urls = sum(1 for p in root.rglob("*") if p.is_file() and p.suffix in (".html", ".pdf", ".docx", ".xlsx", ".jpg", ".png"))
    out = tmp / "photo-report"
    with LocalSite(root) as url:
        seconds, rss, _ = run_measured([sys.executable, "-m", "oitcheck", "crawl", url, "--year", "2568", "--out", str(out),
                                        "--no-history", "--quiet"])
    report = json.loads((out / "report.json").read_text("utf-8"))
    crawl = report["crawl"]
    return {"urls": urls, "seconds": round(seconds, 1), "peak_rss_mb": round(rss), "pages": crawl["pages"],
            "documents": crawl["documents"], "errors": len(crawl["errors"]), "photos_skipped": crawl["skipped"].get("photo", 0),
            "ocr_pages": crawl["stats"].get("oitcheck/ocr_pages", 0), "browser_started": crawl["browser_started"]}


def matching_cost() -> list[tuple[int, float]]:
    """One document through the match and rules stages: its facts while its text is in
    memory (names in the body, years, parts), then its labels against every item."""
    from oitcheck.collect import Collector
    from oitcheck.matching import matcher_for
    from oitcheck.model import Document
    from oitcheck.thai import normalize

    c = checklists.load(2568)
    m = matcher_for(c)
    base = normalize(" ".join(WORDS) + " รายงานผลการดำเนินงาน ประจำปีงบประมาณ 2567 ")
    rows = []
    for n in (1_000, 2_000, 4_000, 8_000, 16_000):
        text = (base * (n // len(base) + 1))[:n]
        reps = 20
        t = time.perf_counter()
        for i in range(reps):
            m._cache.clear()  # every document is new: no label-cache hits
            col = Collector(c, "http://x/")
            doc = Document(url=f"http://x/a{i}.pdf", kind="pdf", text=text, method="text-layer")
            col.add_document(doc)
            col.candidates(col.records[doc.url])
        rows.append((n, (time.perf_counter() - t) / reps * 1000))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one small site (300 pages), for a smoke run")
    ap.add_argument("--pages", type=int, nargs="*", help="site sizes to run (default: 2000 4000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each crawler per site, taking turns (default 3; "
                    "a shared 2-core machine varies by a third from run to run, so one pair says little)")
    args = ap.parse_args()
    sizes = [(300, 60, 3)] if args.quick else [(n, n * 3 // 20, n // 200) for n in (args.pages or [2000, 4000])]
    with tempfile.TemporaryDirectory(prefix="oitcheck-bench-") as tmp:
        tmp = Path(tmp)
        print(f"== crawl throughput (OCR off; same politeness settings for both; {args.repeat} runs each, taking turns) ==")
        for pages, docs, scanned in sizes:
            runs = crawl_pair(pages, docs, scanned, tmp, args.repeat)
            r = runs[-1]
            print(f"site: {pages} pages + {sum(r['documents_generated'].values())} documents {r['documents_generated']}")
            # "crawling" is the engine's own elapsed time (what throughput means); "end to end"
            # adds process start-up and, for oitcheck, writing the four reports.
            crawling, whole, plain_crawling, plain_whole = [], [], [], []
            for n, run in enumerate(runs, 1):
                b, p, f = run["bare"], run["plain"], run["full"]
                for name, x in (("bare Scrapy    ", b), ("bare, plain    ", p), ("oitcheck crawl ", f)):
                    print(f"  run {n} {name}: {x['responses']:>5} responses; crawling {x['crawl_seconds']:>5.1f} s = "
                          f"{x['crawl_per_second']:>6.1f}/s; end to end {x['seconds']:>5.1f} s = {x['per_second']:>6.1f}/s; "
                          f"peak RSS {x['peak_rss_mb']} MB")
                crawling.append(f["crawl_per_second"] / b["crawl_per_second"])
                whole.append(f["per_second"] / b["per_second"])
                plain_crawling.append(f["crawl_per_second"] / p["crawl_per_second"])
                plain_whole.append(f["per_second"] / p["per_second"])
            print(f"  ratio full/bare, each run: crawling {', '.join(f'{x:.2f}' for x in crawling)}; "
                  f"end to end {', '.join(f'{x:.2f}' for x in whole)}")
            print(f"  ratio full/bare, median  : {float(np.median(crawling)):.2f} crawling, {float(np.median(whole)):.2f} end to end"
                  " (bare with all our settings)")
            print(f"  ratio full/plain, median : {float(np.median(plain_crawling)):.2f} crawling, "
                  f"{float(np.median(plain_whole)):.2f} end to end (bare with Scrapy's own CONCURRENT_ITEMS)")
            b, f = r["bare"], r["full"]
            docs_n = sum(v for k, v in f["documents"].items() if k != "html")
            per_kind = ", ".join(f"{k} {v} ({v / f['crawl_seconds']:.1f}/s)" for k, v in sorted(f["documents"].items()))
            print(f"  fetched and read by kind: {per_kind}")
            print(f"  matching {f['match_seconds']:.2f} s in all = "
                  f"{f['match_seconds'] / max(f['pages'] + docs_n, 1) * 1000:.2f} ms per page or document")
        print("== a site of about 300 URLs, 270 of them photos (defaults: OCR and JavaScript on) ==")
        ph = photo_site(tmp)
        print(f"  {ph['urls']} URLs on disk; crawled {ph['pages']} pages + {ph['documents']} documents in {ph['seconds']} s end to end, "
              f"peak RSS {ph['peak_rss_mb']} MB; photos skipped unread {ph['photos_skipped']}, OCR'd pages {ph['ocr_pages']}, "
              f"errors {ph['errors']}, browser started: {ph['browser_started']}")
        print("== extraction, ms per page ==")
        for k, v in extraction_speed(tmp).items():
            print(f"  {k:<30} {v}")
        print("== matching cost against text length (one document, whole 2568 checklist) ==")
        rows = matching_cost()
        for n, ms in rows:
            print(f"  {n:>6} chars: {ms:7.2f} ms")
        slope, fixed = np.polyfit([n / 1000 for n, _ in rows], [ms for _, ms in rows], 1)
        worst = max(abs(fixed + slope * n / 1000 - ms) for n, ms in rows)
        print(f"  straight-line fit: {fixed:.2f} ms + {slope:.3f} ms per 1k chars (largest miss {worst:.2f} ms)")


if __name__ == "__main__":
    main()
