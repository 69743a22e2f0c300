"""The decide stage: is there a disclosure that names the item and passes its rules?

Plain functions over Candidates; no network, no Scrapy. Every reason says what was found
and why it falls short, from the step that decided (naming, a rule, the crawl, the tool).
"""

from __future__ import annotations

from urllib.parse import unquote

from . import rules
from .model import Candidate, Reason, Verdict

TOPIC_PASS = 0.85  # a label that names the item
TOPIC_PASS_LEAD = 0.6  # linked for this item from the ITA index page: weaker naming suffices
TOPIC_SURE = 0.9  # a pass named less clearly than this is worth a look
BROKEN_SHOWN = 3  # broken links named one by one in an item's reasons; the rest are counted
MAX_EVIDENCE = 12  # evidence URLs kept per item (a year of monthly summaries; the ITAS sheet lists them)


def evidence_rank(c: Candidate, wants_document: bool = False):
    """Strength of the match first, then an ITA-page lead, then the kind of evidence the
    item wants; the URL breaks ties, so the order never depends on the crawl's order."""
    return (round(c.topic, 2), c.lead, c.is_document == wants_document if wants_document else True,
            c.where == "label", c.kind != "image", -len(c.url), c.url)


def naming(item, c: Candidate) -> Reason | None:
    """The reason a candidate does not name the item strongly enough, or None."""
    if c.method == "failed":
        return _unreadable(c)
    if c.placeholder == "construction":
        return Reason("placeholder", f"พบหน้า {_short_url(c.url)} ที่มีแต่หัวข้อ ยังไม่มีเนื้อหา (กำลังปรับปรุง)",
                      f"found {_short_url(c.url)} with the heading but no content yet (under construction)", "match")
    if c.placeholder == "empty":
        return Reason("placeholder", f"พบหน้า {_short_url(c.url)} ที่มีแต่หัวข้อ ไม่มีเนื้อหา เอกสาร หรือภาพ",
                      f"found {_short_url(c.url)} with the heading but nothing under it (no text, document or picture)",
                      "match")
    if c.placeholder == "broken":
        return Reason("placeholder", f"พบหน้า {_short_url(c.url)} แต่เอกสารหรือภาพในหน้านั้นเปิดไม่ได้",
                      f"found {_short_url(c.url)}, but the document or picture it shows does not open", "crawl")
    if c.looks_like and not c.lead and not c.planned:
        return Reason("other_content", f"พบหน้า {_short_url(c.url)} ชื่อตรงกับหัวข้อ แต่เอกสารในหน้าเป็นเรื่องอื่น (ตรงกับข้อ {c.looks_like})",
                      f"found {_short_url(c.url)} titled as this item, but the document it shows is another one "
                      f"(it looks like {c.looks_like})", "match")
    need = TOPIC_PASS_LEAD if c.lead else TOPIC_PASS
    if c.topic >= need:
        return None
    if c.lead and c.planned:  # `oitcheck answers`: the URL the agency plans to enter
        what = f"«{c.snippet[:60]}»" if c.snippet and c.snippet != c.url else _short_url(c.url)
        other_th = f" (ตรงกับข้อ {c.looks_like} มากกว่า)" if c.looks_like else ""
        other_en = f" (it looks like {c.looks_like})" if c.looks_like else ""
        return Reason("wrong_url", f"URL ที่จะกรอกสำหรับ {item.code} เป็น {what} ไม่ใช่เรื่องนี้{other_th}",
                      f"the URL planned for {item.code} is {what}, not this item{other_en}", "match")
    if c.lead and not c.looks_like:
        # The agency's own ITA page gives this document for the item and nothing says it is
        # something else: taken as given (an assessor opens exactly this link), and marked
        # for a look by eye (_review), since its title does not say so.
        return None
    if c.lead:
        return Reason("lead_off_topic", f"ลิงก์ในหน้า ITA สำหรับ {item.code} ชี้ไปที่เนื้อหาเรื่องอื่น (ตรงกับข้อ {c.looks_like} มากกว่า)",
                      f"the ITA page links {item.code} to content about something else (it looks like {c.looks_like})",
                      "match")
    where = _short_url(c.url)
    if c.where == "body":
        return Reason("mention", f"พบเพียงการกล่าวถึง «{c.matched}» ในเนื้อหาของ {where} ไม่ใช่ตัวเอกสาร",
                      f"only mentioned («{c.matched}») in the text of {where}, not the disclosure itself", "match")
    return Reason("weak_name", f"พบ {where} ชื่อ «{c.matched}» ใกล้เคียงแต่ไม่ตรงกับหัวข้อนี้",
                  f"found {where} named «{c.matched}», close to this item but not it", "match")


def _short_url(url: str) -> str:
    u = unquote(url).split("://", 1)[-1]
    return u if len(u) <= 70 else u[:40] + "…" + u[-25:]


def _unreadable(c: Candidate) -> Reason:
    if c.error and "scanned" in c.error:
        return Reason("unreadable", "พบเอกสารแต่เป็นภาพสแกนที่อ่านไม่ได้",
                      "found, but the document is scanned and could not be read", "rules")
    if c.error:
        return Reason("unreadable", f"พบลิงก์แต่เปิดเอกสารไม่ได้ ({c.error})",
                      f"found a link, but the document could not be read ({c.error})", "crawl")
    return Reason("unreadable", "พบเอกสารแต่อ่านข้อความไม่ได้", "found, but the document's text could not be read", "rules")


def _review(item, best: Candidate) -> Reason | None:
    if best.year_conflict:
        return Reason("review_year", f"ปีของเอกสารไม่ตรงกัน ควรตรวจด้วยตา: {best.year_conflict.split(' / ')[0]}",
                      f"the document's year is uncertain, check it by eye: {best.year_conflict.split(' / ')[-1]}", "rules")
    if best.year_from_ocr and best.fiscal_years:
        y = best.fiscal_years[0]
        return Reason("review_year", f"ปี {y} อ่านจาก OCR ควรตรวจด้วยตา", f"year {y} was read by OCR: check it by eye", "rules")
    if best.lead and best.topic < TOPIC_PASS_LEAD:
        return Reason("review_lead", f"หน้า ITA ให้ลิงก์นี้สำหรับ {item.code} แต่ชื่อเอกสารไม่ได้บอกว่าเป็นเรื่องนี้ ควรตรวจด้วยตา",
                      f"the ITA page gives this link for {item.code}, but its title does not say so: check it by eye",
                      "match")
    if not best.lead and best.topic < TOPIC_SURE:
        return Reason("review_name", f"ชื่อ «{best.matched}» ตรงกับหัวข้อไม่ชัดนัก ควรตรวจด้วยตา",
                      f"the name «{best.matched}» matches the item only loosely: check it by eye", "match")
    return None


def decide(item, candidates: list[Candidate], ctx: rules.Context, broken_leads: list[tuple[str, str]] = (),
           not_found: Reason | None = None, planned: bool = False) -> Verdict:
    """One item's verdict from its candidates.

    ``broken_leads`` are (url, reason) pairs: links the ITA index page gives for this item
    that could not be fetched (with ``planned``, `oitcheck answers`: the URLs the agency
    plans to enter). ``not_found`` is the reason to give when nothing at all was found (it
    says how much of the site was looked at).
    """
    wants_doc = item.rules.evidence == "document"
    ranked = sorted(candidates, key=lambda c: evidence_rank(c, wants_doc), reverse=True)
    checked = []
    for c in ranked:
        fails = [r for r in [naming(item, c)] if r] or rules.check(item, c, ctx)
        # An implausible OCR year is a misreading, not the agency's fault: a person looks.
        if fails and all(r.kind == "ocr_year" for r in fails):
            c.year_conflict = c.year_conflict or fails[0].th + " / " + fails[0].en
            fails = []
        checked.append((c, fails))
    passing = [c for c, fails in checked if not fails]
    # Found: something names the item and is its content: not an empty page with its heading,
    # not a page with none of the item's required parts (a page titled อำนาจหน้าที่ that cites no law).
    parts = len(item.rules.parts)

    def shows_item(c: Candidate) -> bool:
        return ((c.topic >= TOPIC_PASS or (c.lead and (c.topic >= TOPIC_PASS_LEAD or not c.looks_like)))
                and not c.placeholder and not (c.looks_like and not c.lead and not c.planned)
                and not (parts and len(c.parts_missing) == parts))

    if passing:
        short = rules.item_check(item, passing, ctx)
        if short is not None:
            return Verdict(item.code, "fail", True, 0.75, [short], passing[:MAX_EVIDENCE], near=passing[0])
        best = passing[0]
        named = max(best.topic, TOPIC_PASS_LEAD) if best.lead else best.topic  # a lead is the agency's own word
        conf = min(1.0, named) * (0.85 if best.year_from_ocr else 1.0)
        reasons = [Reason("found", "พบ", "found", "decide")]
        if best.wording:
            reasons.append(Reason("wording", f"พบในชื่อ «{best.wording}»", f"found as «{best.wording}»", "match"))
        host = best.url.split("://", 1)[-1].split("/", 1)[0]
        if best.kind == "link":
            # Never fetched (see LinkAdmission): say so, rather than vouch for a form we did not open.
            reasons.append(Reason("form_link", f"พบลิงก์ไปยังแบบฟอร์มออนไลน์ ({host}) ซึ่งไม่ได้เปิดตรวจ ควรลองใช้ดูว่ายังรับคำขอได้",
                                  f"a link to an online form ({host}), not opened: try it to see that it still takes requests",
                                  "decide"))
        elif best.off_site:
            # Found on another host that the agency's own pages link: assessors may or may not accept it.
            reasons.append(Reason("off_site", f"เก็บไว้นอกเว็บไซต์ ({host}) ผู้ประเมินอาจไม่ยอมรับ ควรเผยแพร่บนเว็บไซต์ของหน่วยงาน",
                                  f"hosted off-site ({host}): assessors may not accept it; publish it on the agency's own site",
                                  "decide"))
        review = _review(item, best)
        return Verdict(item.code, "pass", True, round(conf, 2), reasons, passing[:MAX_EVIDENCE],
                       review=review is not None, review_reason=review)

    shown_broken = broken_leads[:BROKEN_SHOWN]
    if planned:
        reasons = [Reason("broken_url", f"URL ที่จะกรอกสำหรับ {item.code} เปิดไม่ได้ ({why}): {url}",
                          f"the URL planned for {item.code} does not open ({why}): {url}", "crawl")
                   for url, why in shown_broken]
    else:
        reasons = [Reason("broken_lead", f"ลิงก์ในหน้า ITA สำหรับ {item.code} เสีย ({why}): {url}",
                          f"the ITA page's link for {item.code} is broken ({why}): {url}", "crawl")
                   for url, why in shown_broken]
    if len(broken_leads) > BROKEN_SHOWN:
        # A hub that links twenty press releases on a retired host: the clerk reads three and a
        # count, not a wall; every one stays in the report's crawl errors.
        rest = len(broken_leads) - BROKEN_SHOWN
        reasons.append(Reason(reasons[0].kind, f"และอีก {rest} ลิงก์ที่เปิดไม่ได้ (ดู «ข้อผิดพลาดระหว่างตรวจ»)",
                              f"and {rest} more links that do not open (see the crawl errors)", "crawl"))
    review = closest = None

    def closeness(cf):  # one that names the item, failing the fewest rules (ties keep the evidence order)
        return (cf[1][0].step == "match" if cf[1] else False, len(cf[1]))

    checked.sort(key=closeness)
    shown = [c for c, _ in checked if shows_item(c)]
    found = bool(shown) or bool(broken_leads)
    if checked:
        # Explain with the closest candidate.
        closest, fails = checked[0]
        reasons.extend(fails)
        if closest.method == "failed" and closest.topic >= TOPIC_PASS_LEAD:
            review = Reason("review_unreadable", "เปิดเอกสารที่น่าจะเป็นหลักฐานไม่ได้ ควรตรวจด้วยตา",
                            "the file that looks like the evidence could not be read: check it by eye", "rules")
    if not reasons:
        reasons.append(not_found or Reason("not_found", "ไม่พบบนเว็บไซต์", "not found on the site", "decide"))
    # The evidence of a failing item is what shows it (on the wrong year, without its parts ...).
    # Found only through the ITA page's broken links, it has none: a file that merely sounds
    # alike is where it was nearly found (``near``), not its evidence.
    if found:
        evidence = shown[:MAX_EVIDENCE]
    else:
        evidence = [c for c, _ in checked if c.topic >= TOPIC_PASS_LEAD or c.lead][:MAX_EVIDENCE]
    return Verdict(item.code, "fail", found, 0.75 if found else 0.9, reasons, evidence,
                   review=review is not None, review_reason=review, near=closest)
