"""Fixture sites that only show their ITA items once JavaScript runs (hand-written HTML and
small same-origin scripts, no build step), for tests/test_render.py.

- :func:`build_app_site`: a college-like Next.js-style app. Every page is an empty shell
  (``<div id="__next">``) filled by a script; the ITA hub ``/ITA`` renders its item list from
  a JSON endpoint it fetches (``/api/ita/<year>.json``); the per-item pages ``/ITA/<year>/01``
  ... are server-rendered but linked only from that client-side list; ``sitemap.xml`` lists
  only ``/``.
- :func:`build_click_site`: a server-rendered home and an ITA hub whose category cards,
  once clicked, mount an accordion whose items, once clicked, mount the item links (nothing
  of them is in the HTML, the DOM before the clicks, inline data or the sitemap). Two items
  are reached by a click that navigates (``location.href`` and ``history.pushState``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from oitcheck.demo.wording import WORDING

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
COLLEGE = "วิทยาลัยเทคนิคตัวอย่าง"


def _fmt(text: str, fy: int, month: str = "") -> str:
    return text.format(ORG=COLLEGE, FY=fy, PFY=fy - 1, FY_TH=str(fy).translate(THAI_DIGITS),
                       PFY_TH=str(fy - 1).translate(THAI_DIGITS), MONTH=month)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def item_path(year: int, n: int) -> str:
    return f"/ITA/{year}/{n:02d}"


def _item_pages(root: Path, checklist) -> list[dict]:
    """One server-rendered page per item, in the college's words; returns the hub's data."""
    fy = checklist.year
    data = []
    for n, item in enumerate(checklist.items, 1):
        _kind, title_t, body_t = WORDING[item.topic]
        title = _fmt(title_t, fy, "ตุลาคม")
        body = "".join(f"<p>{html.escape(_fmt(x, fy, 'ตุลาคม'))}</p>" for x in body_t)
        _write(root, item_path(fy, n).lstrip("/") + "/index.html",
               f"<!doctype html><html lang=th><head><meta charset=utf-8><title>{html.escape(title)}</title></head>"
               f"<body><nav><a href='/'>หน้าแรก</a></nav><h1>{html.escape(title)}</h1>{body}"
               f"<p>{COLLEGE} ปีงบประมาณ {fy}</p></body></html>")
        data.append({"code": item.code, "title": item.title, "indicator": item.subindicator or str(item.indicator),
                     "n": n})
    return data


def _shell(title: str, script: str, manifest: bool = True) -> str:
    extra = '<script src="/_next/static/b1/_buildManifest.js" defer></script>' if manifest else ""
    return (f"<!doctype html><html lang=th><head><meta charset=utf-8><title>{title}</title>{extra}</head>"
            f'<body><div id="__next"></div><script src="/_next/static/chunks/{script}"></script></body></html>')


_APP_HOME_JS = """
document.getElementById('__next').innerHTML =
  '<header><h1>%(college)s</h1><nav><a href="/">หน้าแรก</a> <a href="/about">เกี่ยวกับวิทยาลัย</a> ' +
  '<a href="/ITA">ITA การประเมินคุณธรรมและความโปร่งใส</a></nav></header>' +
  '<main><p>ยินดีต้อนรับสู่เว็บไซต์ของวิทยาลัย</p></main>';
"""

_APP_ITA_JS = """
(async () => {
  const root = document.getElementById('__next');
  root.innerHTML = '<p>กำลังโหลด...</p>';
  const res = await fetch('/api/ita/%(year)s.json');
  const data = await res.json();
  let out = '<h1>ITA ' + data.year + ' การเปิดเผยข้อมูลสาธารณะ (OIT)</h1>';
  for (const group of data.groups) {
    out += '<section><h2>ตัวชี้วัดย่อยที่ ' + group.indicator + '</h2><ul>';
    for (const it of group.items)
      out += '<li><a href="' + it.path + '">' + it.code + ' ' + it.title + '</a></li>';
    out += '</ul></section>';
  }
  root.innerHTML = out;
})();
"""


def build_app_site(root: Path, checklist) -> dict:
    """The college app: see the module's doc. Returns the item URL paths by code."""
    root = Path(root)
    year = checklist.year
    data = _item_pages(root, checklist)
    groups: dict[str, list] = {}
    for d in data:
        groups.setdefault(d["indicator"], []).append(
            {"code": d["code"], "title": d["title"], "path": item_path(year, d["n"])})
    api = {"year": year, "groups": [{"indicator": k, "items": v} for k, v in groups.items()]}
    _write(root, f"api/ita/{year}.json", json.dumps(api, ensure_ascii=False))
    _write(root, "index.html", _shell(COLLEGE, "home.js"))
    _write(root, "about/index.html", _shell(COLLEGE, "home.js"))
    _write(root, "ITA/index.html", _shell(f"ITA | {COLLEGE}", "ita.js"))
    _write(root, "_next/static/chunks/home.js", _APP_HOME_JS % {"college": COLLEGE})
    _write(root, "_next/static/chunks/ita.js", _APP_ITA_JS % {"year": year})
    # Pages Router's manifest: the static routes (the item route is dynamic, so not listed).
    _write(root, "_next/static/b1/_buildManifest.js",
           'self.__BUILD_MANIFEST={"/":["static/chunks/home.js"],"/about":["static/chunks/home.js"],'
           '"/ITA":["static/chunks/ita.js"],"/ITA/[year]/[n]":["static/chunks/item.js"],'
           'sortedPages:["/","/ITA","/ITA/[year]/[n]","/_app","/_error","/about"]};self.__BUILD_MANIFEST_CB&&self.__BUILD_MANIFEST_CB()')
    _write(root, "sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                "<url><loc>/</loc></url></urlset>")
    _write(root, "robots.txt", "User-agent: *\nAllow: /\n")
    return {d["code"]: item_path(year, d["n"]) for d in data}


_CLICK_HUB_JS = """
// The hub's data lives in this script only: cards -> accordion -> links, mounted on click.
const YEAR = %(year)s;
const GROUPS = %(groups)s;
const NAVIGATE = %(navigate)s;  // item number -> how its button leaves the page
const pad = n => (n < 10 ? '0' : '') + n;
function itemContent(it) {
  const url = '/ITA/' + YEAR + '/' + pad(it.n);
  const how = NAVIGATE[it.n];
  const div = document.createElement('div');
  div.className = 'content';
  if (!how) {
    div.innerHTML = '<p>เอกสารประกอบ</p><a href="' + url + '">ดูข้อมูล</a>';
  } else {
    const b = document.createElement('button');
    b.type = 'button'; b.textContent = 'เปิดดูข้อมูล';
    b.onclick = () => {
      if (how === 'location') { location.href = url; return; }
      history.pushState({}, '', url);
      document.getElementById('app').innerHTML = '<p>กำลังโหลด...</p>';
    };
    div.appendChild(b);
  }
  return div;
}
function accordion(group) {
  const acc = document.createElement('div');
  acc.className = 'accordion';
  for (const it of group.items) {
    const h = document.createElement('h3');
    const t = document.createElement('button');
    t.type = 'button';
    t.setAttribute('aria-expanded', 'false');
    t.textContent = it.code + ' ' + it.title;
    t.onclick = () => {
      const open = t.getAttribute('aria-expanded') === 'true';
      t.setAttribute('aria-expanded', open ? 'false' : 'true');
      if (open) { h.nextSibling && h.nextSibling.className === 'content' && h.nextSibling.remove(); return; }
      h.after(itemContent(it));
    };
    h.appendChild(t);
    acc.appendChild(h);
  }
  return acc;
}
for (const card of document.querySelectorAll('.card')) {
  card.addEventListener('click', () => {
    const group = GROUPS.find(g => g.indicator === card.dataset.group);
    if (card.nextSibling && card.nextSibling.className === 'accordion') { card.nextSibling.remove(); return; }
    card.after(accordion(group));
  });
}
"""


def build_click_site(root: Path, checklist, navigate: dict[int, str] | None = None) -> dict:
    """The click hub: see the module's doc. ``navigate``: item number -> "location" or
    "push" (its button navigates instead of showing a link). Returns item paths by code."""
    root = Path(root)
    year = checklist.year
    data = _item_pages(root, checklist)
    navigate = navigate if navigate is not None else {3: "location", 4: "push"}
    groups: dict[str, list] = {}
    for d in data:
        groups.setdefault(d["indicator"], []).append({"code": d["code"], "title": d["title"], "n": d["n"]})
    cards = "".join(f'<div class="card" role="button" tabindex="0" data-group="{html.escape(k)}">'
                    f"<h2>ตัวชี้วัดย่อยที่ {html.escape(k)}</h2><p>{len(v)} รายการ</p></div>" for k, v in groups.items())
    intro = ("<p>วิทยาลัยเปิดเผยข้อมูลสาธารณะตามแนวทางการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ "
             "เลือกตัวชี้วัดย่อยเพื่อดูรายการข้อมูลและเอกสารประกอบของแต่ละข้อ</p>") * 3
    _write(root, "ita.html",
           f"<!doctype html><html lang=th><head><meta charset=utf-8><title>ITA {year} | {COLLEGE}</title></head>"
           f"<body><nav><a href='/'>หน้าแรก</a></nav><div id=\"app\"><h1>การประเมินคุณธรรมและความโปร่งใส ITA {year}</h1>"
           f"{intro}{cards}</div><script src=\"/static/hub.js\"></script></body></html>")
    _write(root, "static/hub.js", _CLICK_HUB_JS % {
        "year": year, "groups": json.dumps([{"indicator": k, "items": v} for k, v in groups.items()], ensure_ascii=False),
        "navigate": json.dumps({str(k): v for k, v in navigate.items()})})
    _write(root, "index.html",
           f"<!doctype html><html lang=th><head><meta charset=utf-8><title>{COLLEGE}</title></head><body>"
           f"<h1>{COLLEGE}</h1><nav><a href='/'>หน้าแรก</a> <a href='/ita.html'>ITA {year}</a></nav>"
           "<p>ยินดีต้อนรับสู่เว็บไซต์ของวิทยาลัย</p></body></html>")
    _write(root, "sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                "<url><loc>/</loc></url></urlset>")
    return {d["code"]: item_path(year, d["n"]) for d in data}
