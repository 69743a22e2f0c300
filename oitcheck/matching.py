"""Which checklist items a document is about: fuzzy Thai matching with rapidfuzz.

Labels (page title, headings, link text, file name, a document's first lines) are compared
with every name of every item by rapidfuzz's partial_ratio (the best aligned substring, so
"แผนการดำเนินงาน ประจำปีงบประมาณ 2569" still matches "แผนดำเนินงาน"), after a cheap
character-count bound has ruled out the names that cannot reach the cut-off. Body text is
searched exactly and only in a bounded prefix, so the cost of a document grows linearly
with its text and stops growing at the cap.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import numpy as np
from rapidfuzz import fuzz

from .dates import fiscal_years_in, month_years, period_of
from .evidence import Candidate, Document
from .thai import normalize

LABEL_MAX = 220  # characters of a label compared
BODY_MAX = 20_000  # characters of body text searched for names, years and parts
HEAD_CHARS = 300  # a document's first characters act as its title
LABEL_CACHE = 4096  # label score columns kept (about 1 KB each)
STRONG = 85  # partial_ratio at or above which a label names the item
WEAK_BODY = 0.55  # topic score of a name found only in the body

# Words that make a page a news post or event report about something, not the thing itself.
NEWS_CUES = ("ข่าว", "ประชุม", "กิจกรรม", "ลงพื้นที่", "ร่วมกับ", "มอบ", "จัดโครงการ", "อบรม", "ประชาคม")
# Off-site hosts that satisfy a link rule.
SOCIAL_HOSTS = ("facebook.com", "fb.com", "fb.me", "line.me", "lin.ee", "youtube.com", "tiktok.com",
                "twitter.com", "x.com", "instagram.com")
QA_HOSTS = ("m.me", "messenger.com", "line.me", "lin.ee")
QA_WORDS = ("กระดานถามตอบ", "เว็บบอร์ด", "webboard", "ถาม-ตอบ", "ถามตอบ", "q&a", "chatbot", "แชทบอท", "messenger", "line oa")
FORM_HOSTS = ("forms.gle", "docs.google.com", "forms.office.com")
ESERVICE_WORDS = ("e-service", "ยื่นคำร้องออนไลน์", "ยื่นคำขอออนไลน์", "แบบฟอร์มออนไลน์", "บริการออนไลน์")

_CODE_PREFIX = re.compile(r"^\s*(?:[o]\s?\.?\s?\d{1,2}\s*[.:)\-]?\s*|\d{1,2}(?:\.\d{1,2})*\s*[.)]\s*)")


def filename_label(url: str) -> str:
    """The last path segment of a URL, decoded, without extension: agencies name files well.

    >>> filename_label("https://x.go.th/files/O10_%E0%B9%81%E0%B8%9C%E0%B8%99_2568.pdf")
    'o10 แผน 2568'
    """
    path = unquote(urlsplit(url).path)
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if "." in name:
        name = name.rsplit(".", 1)[0]
    return normalize(re.sub(r"[_\-+]+", " ", name))


def _has_host(hosts: list[str], wanted: tuple[str, ...]) -> bool:
    return any(h == w or h.endswith("." + w) for h in hosts for w in wanted)


def link_rule_ok(kind: str | None, doc: Document) -> bool | None:
    """Whether a page offers the kind of link an item needs (social network, Q&A, form...)."""
    if kind is None:
        return None
    # Words in the page body do not make a channel; a link or a form does.
    texts = " ".join(doc.out_texts)
    if kind == "social":
        return _has_host(doc.out_hosts, SOCIAL_HOSTS)
    if kind == "qa":
        return _has_host(doc.out_hosts, QA_HOSTS) or doc.has_form or any(w in texts for w in QA_WORDS)
    if kind == "form":
        return doc.has_form or _has_host(doc.out_hosts, FORM_HOSTS)
    if kind == "eservice":
        return doc.has_form or _has_host(doc.out_hosts, FORM_HOSTS) or any(w in texts for w in ESERVICE_WORDS)
    return None


def head_word(phrase: str, words=None) -> str | None:
    """The first word of a multi-word Thai name (pythainlp newmm), which names the kind of
    document: แผน, รายงาน, คู่มือ, ประกาศ ... ``words`` is an optional word Trie (see
    :func:`words_in`); the default is pythainlp's whole dictionary.

    >>> head_word("แผนดำเนินงาน")
    'แผน'
    >>> head_word("e-service") is None
    True
    """
    from pythainlp.tokenize import word_tokenize

    tokens = [t for t in word_tokenize(phrase, custom_dict=words, engine="newmm") if t.strip()]
    if len(tokens) < 2 or not ("\u0e00" <= tokens[0][0] <= "\u0e7f") or len(tokens[0]) < 2:
        return None
    return tokens[0]


def words_in(phrases: list[str]):
    """A Trie of the dictionary words that occur in ``phrases``.

    newmm only ever uses dictionary words found in the text it cuts, so this small Trie
    segments the phrases exactly as the whole dictionary would, and is built in a fraction
    of the time (the 62,000-word Trie was the largest fixed cost of starting a crawl).

    >>> from pythainlp.tokenize import word_tokenize
    >>> p = "รายงานผลการดำเนินงานประจำปี"
    >>> word_tokenize(p, custom_dict=words_in([p])) == word_tokenize(p)
    True
    """
    from pythainlp.corpus import thai_words
    from pythainlp.util import Trie

    joined = "\n".join(phrases)
    return Trie([w for w in thai_words() if w in joined])


def char_counts(text: str) -> np.ndarray:
    """How often each character occurs: Thai and ASCII each get a slot, everything else
    shares the last one (which can only overcount, keeping the bound in Matcher safe)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    slot = np.where((codes >= 0x0E00) & (codes < 0x0E80), codes - 0x0E00,
                    np.where(codes < 127, 128 + codes, 255))
    return np.bincount(slot, minlength=256).astype(np.int32)


class Matcher:
    """Built once per checklist; :meth:`match` turns one Document into Candidates."""

    def __init__(self, checklist, fiscal_year: int | None = None):
        self.checklist = checklist
        self.fiscal_year = fiscal_year or checklist.year
        self.phrases: list[str] = []
        self.owner: list[int] = []  # phrase index -> item index
        for idx, item in enumerate(checklist.items):
            for p in item.phrases:
                self.phrases.append(p)
                self.owner.append(idx)
        self._owner = np.array(self.owner)
        self._short = np.array([len(p) < 5 for p in self.phrases])
        words = words_in(self.phrases)
        self._head = [head_word(p, words) for p in self.phrases]
        self._len_bonus = np.array([len(p) / 1000 for p in self.phrases])
        self._column: dict[str, np.ndarray] = {}  # label -> its scores against every phrase
        self._counts = np.stack([char_counts(p) for p in self.phrases])
        self._lengths = np.array([len(p) for p in self.phrases])

    def _scores(self, labels: list[str]) -> np.ndarray:
        """partial_ratio (cut at 70) of every phrase (rows) against every label (columns).

        Site-wide labels (menu headings, "ดาวน์โหลด", the agency's name) recur on every
        page, so their columns are kept in a bounded cache."""
        new = [lb for lb in labels if lb not in self._column]
        if new:
            if len(self._column) + len(new) > LABEL_CACHE:
                self._column.clear()  # bounded: start again, this document's labels included
                new = labels
            for lb in new:
                self._column[lb] = self._label_column(lb)
        return np.stack([self._column[lb] for lb in labels], axis=1)

    def _label_column(self, label: str) -> np.ndarray:
        """One label against every phrase, the same numbers as ``cdist`` gives.

        partial_ratio >= 70 needs the shorter string (m characters) to share at least
        0.538 m characters with the other (an edge window of k >= 0.538 m characters, with
        2*LCS/(m+k) >= 0.7); 0.53 leaves room for rounding. This count rules out most
        names before any alignment (about 1.5x faster than cdist on the benchmark's pages)."""
        counts = char_counts(label)
        shared = np.minimum(self._counts, counts).sum(axis=1)
        maybe = np.nonzero(shared >= 0.53 * np.minimum(self._lengths, len(label)))[0]
        column = np.zeros(len(self.phrases), dtype=np.float32)
        for r in maybe.tolist():
            column[r] = fuzz.partial_ratio(self.phrases[r], label, score_cutoff=70)
        return column

    # --- labels ----------------------------------------------------------------------
    def labels(self, doc: Document) -> list[str]:
        labels = [doc.title, *doc.headings[:6], *doc.anchors[:8], filename_label(doc.url)]
        if doc.is_document and doc.text:
            labels.append(doc.text[:HEAD_CHARS].replace("\n", " "))
        out = []
        for lb in labels:
            lb = _CODE_PREFIX.sub("", lb or "")[:LABEL_MAX].strip()
            if len(lb) >= 2 and lb not in out:
                out.append(lb)
        return out

    def match(self, doc: Document, min_topic: float = 0.5) -> list[Candidate]:
        """Candidates for every item this document may be evidence of."""
        if doc.is_ita_index:
            return []  # it names every item; the documents it links are the evidence
        labels = self.labels(doc)
        best: dict[int, tuple[float, str, str, str]] = {}  # item -> (score, where, matched, snippet)
        if labels:
            matrix = self._scores(labels)
            # A label is what it is: the item whose name fits it best (longest name on ties)
            # keeps its score; others that fit less well, or only by a shorter name contained
            # in the winner's, are marked down ("การมีส่วนร่วม" inside "การมีส่วนร่วมของผู้บริหาร").
            winner = (matrix + self._len_bonus[:, None]).argmax(axis=0)
            rows, cols = np.nonzero(matrix)
            for r, c in zip(rows.tolist(), cols.tolist()):
                phrase, label = self.phrases[r], labels[c]
                w = int(winner[c])
                outclassed = self.owner[w] != self.owner[r] and (
                    matrix[r, c] < matrix[w, c] - 4 or (phrase in self.phrases[w] and len(phrase) < len(self.phrases[w])))
                if self._short[r] and phrase not in label:
                    continue  # short names ("q&a", "line") must appear as they are
                al = fuzz.partial_ratio_alignment(phrase, label)
                s = al.score / 100
                if outclassed:
                    s *= 0.8
                # A short label inside a long name ("ข้อมูล" in "ข้อมูลสถิติ...") names only part of it.
                covered = (al.src_end - al.src_start) / len(phrase)
                if covered < 0.8:
                    s *= covered
                matched = label[al.dest_start : al.dest_end]
                # A name deep inside a long label is a mention ("ประชุมจัดทำแผน..."), not a title.
                # The head word says what kind of thing it is: แผน (plan) is not รายงานผล (report).
                head = self._head[r]
                if head and head not in label[max(0, al.dest_start - 2) : al.dest_end + 2]:
                    s *= 0.7
                if al.dest_start > 25 and len(label) > len(phrase) + 30:
                    s *= 0.8
                if any(cue in label[: max(al.dest_start, 1)] for cue in NEWS_CUES):
                    s *= 0.75
                item_idx = self.owner[r]
                if s > best.get(item_idx, (0,))[0]:
                    best[item_idx] = (s, "label", matched, label)
        body = doc.text[:BODY_MAX]
        if body:
            for r, phrase in enumerate(self.phrases):
                item_idx = self.owner[r]
                if best.get(item_idx, (0,))[0] >= WEAK_BODY or self._short[r] or len(phrase) < 8:
                    continue
                pos = body.find(phrase)
                if pos >= 0:
                    start = max(0, pos - 80)
                    snippet = body[start : pos + len(phrase) + 80].replace("\n", " ")
                    best[item_idx] = (WEAK_BODY, "body", phrase, snippet)
        wanted = set(best)
        lead_items = {i for i, it in enumerate(self.checklist.items) if it.code in doc.index_codes}
        out = []
        for idx in sorted(wanted | lead_items):
            score, where, matched, snippet = best.get(idx, (0.0, "index", "", doc.title or doc.url))
            if score < min_topic and idx not in lead_items:
                continue
            out.append(self._candidate(doc, idx, score, where, matched, snippet, idx in lead_items))
        return out

    # --- rule facts --------------------------------------------------------------------
    def _candidate(self, doc, idx, score, where, matched, snippet, lead) -> Candidate:
        item = self.checklist.items[idx]
        if item.rules.evidence == "document" and not doc.is_document and where == "body":
            score *= 0.8
        # A document's title is its first line: count it once, from the text.
        label_text = " ".join([doc.title if not doc.is_document else "", *doc.anchors[:8], filename_label(doc.url),
                               doc.text[:HEAD_CHARS] if doc.is_document else ""])
        years = fiscal_years_in(label_text)
        year_source = "label" if years else ""
        body = doc.text[:BODY_MAX]
        if not years and body:
            years = fiscal_years_in(body)
            year_source = "text" if years else ""
        period = period_of(label_text + "\n" + body[:3000]).kind if item.rules.period else "unknown"
        months = month_years(label_text + "\n" + body) if item.rules.period == "monthly" else []
        missing = []
        haystack = body or label_text
        for part in item.rules.parts:
            if not any(p in haystack for p in part.any):
                missing.append(part.name)
        return Candidate(
            code=item.code, url=doc.url, found_on=doc.found_on, kind=doc.kind, method=doc.method,
            topic=round(score, 3), where=where, matched=matched, snippet=snippet[:300],
            fiscal_years=years[:4], year_source=year_source,
            # Only a year read from OCR'd text is uncertain; no year at all is not an OCR year.
            year_from_ocr=doc.method.endswith("ocr") and year_source == "text",
            period=period, months=sorted(set(months))[:24], parts_missing=missing,
            link_ok=link_rule_ok(item.rules.link_kind, doc), lead=lead, error=doc.error,
        )
