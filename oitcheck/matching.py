"""The match stage: which checklist items a URL's labels name, and how strongly.

Labels are what a page or file is called: its title, headings, the texts of links to it,
its file name, a document's first lines. Each label is compared with every name of every
item (title, keywords, aliases):

- Thai names by rapidfuzz's ``partial_ratio`` (the best aligned substring, so
  "แผนการดำเนินงาน ประจำปีงบประมาณ 2569" still names "แผนดำเนินงาน") after connective
  words are set aside ("อำนาจและหน้าที่" is "อำนาจหน้าที่"), and by an order-insensitive
  score on Thai word tokens;
- Latin names ("e-service", "q&a", "news") and very short names only as whole words;
- names that consist of the agency's type ("นายกองค์การบริหารส่วนตำบล") carry no match:
  the agency's own name is on every page.

Only names are matched here; fiscal years, periods, parts and link kinds are the rules
stage (:mod:`oitcheck.rules`). Results per label are cached (labels repeat across pages),
so the cost of a site grows with its distinct labels, not its pages.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import numpy as np
from rapidfuzz import fuzz, process

from .thai import normalize

LABEL_MAX = 120  # characters of a label compared: a name further in is a mention, never a title
BODY_MAX = 20_000  # characters of body text searched for names
LABEL_CACHE = 4096  # labels whose results are kept
STRONG = 0.85  # a label that names the item
FIRST_WORD_MISSING = 0.85  # a fuzzy match without the name's first word falls below a candidate's score
CUTOFF = 70  # partial_ratio below this is no match at all
WEAK_BODY = 0.55  # topic score of a name found only in the body
BODY_SUPPORT = 0.15  # an exact name in the body lifts a label that nearly names the item ...
SUPPORTED_FROM = 0.75  # ... from this score up ("อำนาจและหน้าที่" 0.75); "ระเบียบข้าราชการท้องถิ่น" (0.74 against
# ผู้บริหารท้องถิ่น, a law PDF that names the executives in its text) is a different name, not a near one
MIN_STRIPPED = 8  # a name that is mostly the agency's type keeps at least this many characters, or is dropped
SHORT = 14  # names shorter than this must appear as they are: one letter off is another word ("ขององค์กร" is not "ผังองค์กร", "การประชุมสภา" not "ประชุมประชาคม")
ALIAS = 0.97  # an alias match ranks just below a keyword match of the same strength
TOKEN_SCORE = 0.9  # every word of a name, in any order, close together in a label
TOKEN_SLACK = 12  # characters of other words allowed between them

# Words that make a page a news post or event report about something, not the thing itself.
NEWS_CUES = ("ข่าว", "ประชุม", "กิจกรรม", "ลงพื้นที่", "ร่วมกับ", "มอบ", "จัดโครงการ", "อบรม", "ประชาคม",
             "จัดทำ")  # "แนวทางการจัดทำคู่มือ...", "การจัดทำแผน...": about making it, not the thing itself
# Words that say what kind of document a name is: แผน (plan) is not รายงาน (report). A label
# whose kind word differs from the name's, right before the match, is another document.
KIND_WORDS = ("แผน", "รายงาน", "คู่มือ", "ประกาศ", "สรุป", "มาตรการ", "หลักเกณฑ์", "นโยบาย", "สถิติ", "แบบ",
              "การประเมิน", "คำสั่ง", "ระเบียบ")
# Connectives set aside before comparing ("อำนาจและหน้าที่" names "อำนาจหน้าที่").
_CONNECTIVE = re.compile(r"\s*และ\s*")
_CODE_PREFIX = re.compile(r"^\s*(?:[o]\s?\.?\s?\d{1,2}\s*[.:)\-]?\s*|\d{1,2}(?:\.\d{1,2})*\s*[.)]\s*)")
_ASCII = re.compile(r"^[\x00-\x7f]+$")
_STOP_WORDS = {"และ", "หรือ", "ของ", "ที่", "ใน", "การ", "ความ", "ๆ", "-", "/", "(", ")"}


def name_words(phrase: str, words=None) -> tuple[str, ...]:
    """The content words of a name (pythainlp newmm), connectives and nominalisers left out.
    ``words`` is an optional word Trie (see :func:`words_in`); the default is pythainlp's
    whole dictionary.

    >>> name_words("ข้อมูลสถิติการให้บริการ")
    ('ข้อมูล', 'สถิติ', 'ให้บริการ')
    """
    from pythainlp.tokenize import word_tokenize

    return tuple(w for w in word_tokenize(phrase, custom_dict=words, engine="newmm", keep_whitespace=False)
                 if len(w) >= 2 and w not in _STOP_WORDS)


def words_in(phrases: list[str]):
    """A Trie of the dictionary words that occur in ``phrases``.

    newmm only ever uses dictionary words found in the text it cuts, so this small Trie
    segments the phrases exactly as the whole dictionary would, in a fraction of the time
    (building the 62,000-word Trie was the largest fixed cost of starting a crawl).

    >>> p = "รายงานผลการดำเนินงานประจำปี"
    >>> name_words(p, words_in([p])) == name_words(p)
    True
    """
    from pythainlp.corpus import thai_words
    from pythainlp.util import Trie

    joined = "\n".join(phrases)
    return Trie([w for w in thai_words() if w in joined])


@lru_cache(maxsize=65536)  # asked for every URL at every partial report: a pure function of the URL
def filename_label(url: str) -> str:
    """The last path segment of a URL, decoded, without extension: agencies name files well.

    >>> filename_label("https://x.go.th/files/O10_%E0%B8%81%E0%B8%B2%E0%B8%A3_2568.pdf")
    'o10 การ 2568'
    """
    path = unquote(urlsplit(url).path)
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if "." in name:
        name = name.rsplit(".", 1)[0]
    return normalize(re.sub(r"[_\-+]+", " ", name))


@lru_cache(maxsize=65536)
def clean_label(label: str, stop_phrases: tuple[str, ...] = ()) -> str:
    """A label as it is compared: no item-code prefix, the agency's name and type set aside.

    >>> clean_label("o2 คณะผู้บริหารองค์การบริหารส่วนตำบลหนองบัว", ("องค์การบริหารส่วนตำบลหนองบัว",))
    'คณะผู้บริหาร'
    """
    label = _CODE_PREFIX.sub("", label or "")
    for p in stop_phrases:
        if p in label:
            label = label.replace(p, " ")
    return re.sub(r"\s+", " ", label).strip()[:LABEL_MAX]


def _without_connectives(text: str) -> tuple[str, list[int]]:
    """``text`` without connective words, and for each kept character its index in ``text``."""
    keep, index, pos = [], [], 0
    for m in _CONNECTIVE.finditer(text):
        keep.append(text[pos:m.start()])
        index.extend(range(pos, m.start()))
        pos = m.end()
    keep.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(keep), index


def _object_of_tam(label: str, start: int) -> bool:
    """Whether the name at ``start`` follows ตาม ("according to"): the label is about
    something done under it (not ติดตาม, "follow up").

    >>> _object_of_tam("ผลการดำเนินงานตามแผนพัฒนาท้องถิ่น", 17)
    True
    >>> _object_of_tam("ผลการดำเนินงานตามแผนพัฒนาท้องถิ่น", 16)  # an alignment one character early
    True
    >>> _object_of_tam("รายงานการกำกับติดตามการดำเนินงาน", 20)
    False
    """
    # A fuzzy alignment may start a character or two early: look for ตาม ending close by.
    lo = max(0, start - 8)
    pos = label.rfind("ตาม", lo, start + 3)
    if pos < 0 or abs(pos + 3 - start) > 2 or label[max(0, pos - 3):pos] == "ติด":
        return False
    return not label[pos + 3:start].strip(" ") or pos + 3 > start


def head_word(phrase: str) -> str | None:
    """The kind word a name starts with (แผน, รายงาน, คู่มือ ...), or None.

    >>> head_word("แผนดำเนินงาน")
    'แผน'
    >>> head_word("e-service") is None
    True
    """
    for w in KIND_WORDS:
        if phrase.startswith(w):
            return w
    return None


def char_counts(text: str) -> np.ndarray:
    """How often each character occurs: Thai and ASCII each get a slot, everything else
    shares the last one (which can only overcount, keeping the bound in Matcher safe)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    slot = np.where((codes >= 0x0E00) & (codes < 0x0E80), codes - 0x0E00,
                    np.where(codes < 127, 128 + codes, 255))
    return np.bincount(slot, minlength=256).astype(np.int32)


@dataclass(frozen=True, slots=True)
class Hit:
    """A label (or the body) names an item: with what score, by which words."""

    item: int  # index of the item in the checklist
    score: float
    matched: str  # the words that matched, as they stand in ``label``
    label: str  # the whole label (the snippet shown)
    wording: str = ""  # which accepted title of the item the label names ("" = its own title)
    mention: bool = False  # the name stands deep in a long label or after news wording: a mention, not a title


class Matcher:
    """Built once per checklist; :meth:`label_hits` and :meth:`body_hits` find items."""

    def __init__(self, checklist, agency_terms: tuple[str, ...] = ()):
        self.checklist = checklist
        terms = tuple(sorted({normalize(t) for t in agency_terms if t}, key=len, reverse=True))
        self.agency_terms = terms
        self.phrases: list[str] = []
        self.owner: list[int] = []  # phrase index -> item index
        self.wording: list[str] = []  # phrase index -> which accepted title of its item it names
        self._alias: list[bool] = []  # phrase index -> an alias (an older or other name), not a keyword
        for idx, item in enumerate(checklist.items):
            mine: set[str] = set()
            aliases = set(item.aliases)
            for p, wording in item.named_phrases:
                stripped = self._strip(p, terms)
                if stripped and stripped not in mine:
                    mine.add(stripped)
                    self.phrases.append(stripped)
                    self.owner.append(idx)
                    self.wording.append(wording)
                    self._alias.append(p in aliases)
        # False friends, per item: a label containing one is something else ("นโยบายของผู้บริหาร").
        self._activity = [item.activity for item in checklist.items]
        # (One naming the agency's type is about the agency's name, which labels lose anyway.)
        self._nots = [tuple(n for n in item.nots if not any(t in n for t in terms)) for item in checklist.items]
        self._forms = [_without_connectives(p)[0] for p in self.phrases]
        self._latin = [bool(_ASCII.match(p)) for p in self.phrases]
        self._short = [len(p) < SHORT for p in self.phrases]
        self._latin_re = [re.compile(r"(?<![0-9a-z])" + re.escape(p) + r"(?![0-9a-z])") if lat else None
                          for p, lat in zip(self.phrases, self._latin)]
        self._head = [head_word(p) for p in self.phrases]
        trie = words_in(self.phrases)
        self._words = [name_words(p, trie) if not lat else () for p, lat in zip(self.phrases, self._latin)]
        self._fuzzy = [r for r in range(len(self.phrases)) if not self._latin[r] and not self._short[r]]
        self._counts = np.stack([char_counts(self._forms[r]) for r in self._fuzzy]) if self._fuzzy else None
        self._lengths = np.array([len(self._forms[r]) for r in self._fuzzy])
        self._len_bonus = [len(p) / 1000 for p in self.phrases]
        self._body_phrases = [(r, p) for r, p in enumerate(self.phrases) if not self._short[r] and len(p) >= 8]
        self._cache: OrderedDict[str, tuple[Hit, ...]] = OrderedDict()

    @staticmethod
    def _strip(phrase: str, terms: tuple[str, ...]) -> str:
        """A name with the agency's type set aside, or "" when little is left: "นายก อบต"
        minus the agency's type is a word on every page."""
        if not any(t in phrase for t in terms):
            return phrase
        stripped = clean_label(phrase, terms)
        return stripped if len(stripped) >= MIN_STRIPPED else ""

    # --- labels ------------------------------------------------------------------------
    def label_hits(self, label: str) -> tuple[Hit, ...]:
        """Items a (cleaned) label names, best score per item; cached."""
        got = self._cache.get(label)
        if got is not None:
            self._cache.move_to_end(label)
            return got
        got = self._label_hits(label)
        self._cache[label] = got
        if len(self._cache) > LABEL_CACHE:
            self._cache.popitem(last=False)
        return got

    def _label_hits(self, label: str) -> tuple[Hit, ...]:
        if len(label) < 2:
            return ()
        form, index = _without_connectives(label)
        scores: dict[int, tuple[float, int, int]] = {}  # phrase -> (score 0..1, start, end in label)
        for r, rx in enumerate(self._latin_re):
            if rx is not None:
                m = rx.search(label)
                if m:
                    scores[r] = (1.0, m.start(), m.end())
            elif self._short[r]:
                pos = label.find(self.phrases[r])
                if pos >= 0:
                    scores[r] = (1.0, pos, pos + len(self.phrases[r]))
        if self._fuzzy and form:
            maybe = self.may_reach_cutoff(form)
            # Scores in one C call; alignments (where the name stands) only for the few that reach the cut-off.
            quick = process.cdist([form], [self._forms[r] for r in maybe], scorer=fuzz.partial_ratio,
                                  score_cutoff=CUTOFF)[0] if maybe else ()
            for r, q in zip(maybe, quick):
                if not q:
                    continue
                al = fuzz.partial_ratio_alignment(self._forms[r], form, score_cutoff=CUTOFF)
                if al is None:
                    continue
                s = al.score / 100
                # A short label inside a long name ("ข้อมูล" in "ข้อมูลสถิติ...") names only part of it.
                covered = (al.src_end - al.src_start) / len(self._forms[r])
                if covered < 0.8:
                    s *= covered
                start = index[al.dest_start] if al.dest_start < len(index) else len(label)
                end = index[al.dest_end - 1] + 1 if 0 < al.dest_end <= len(index) else len(label)
                words = self._words[r]
                if len(words) >= 2 and s < 0.95 and words[0] not in label:
                    # The characters align but the name's first word is not there: "ฝ่ายแผนงานและ
                    # ความร่วมมือ" (a unit) shares the tail of "ลงนามความร่วมมือ", not its meaning.
                    s *= FIRST_WORD_MISSING
                token, t_start, t_end = self._token_score(r, label)
                # Where the name stands is where the winning score found it: the words of
                # "คู่มือสำหรับประชาชน" start at คู่มือ in "คู่มืองานบริการสำหรับประชาชน", not
                # where the characters happen to align best.
                scores[r] = (s, start, end) if s >= token else (token, t_start, t_end)
        if not scores:
            return ()
        # A label is what it is: the item whose name fits it best (longest name on ties)
        # keeps its score; others that fit less well, or only by a shorter name contained
        # in the winner's, are marked down ("การมีส่วนร่วม" inside "การมีส่วนร่วมของผู้บริหาร").
        winner = max(scores, key=lambda r: scores[r][0] + self._len_bonus[r])
        best: dict[int, Hit] = {}
        for r, (s, start, end) in scores.items():
            phrase = self.phrases[r]
            if any(n and n in label for n in self._nots[self.owner[r]]):
                continue
            # Each mark-down below says the label is something else, or only mentions the
            # item: such a hit is a "mention", never lifted by the body's words.
            mention = False
            w = winner
            if self.owner[w] != self.owner[r] and (
                    s < scores[w][0] - 0.04 or (phrase in self.phrases[w] and len(phrase) < len(self.phrases[w]))):
                s *= 0.8
                mention = True
            if self._alias[r]:
                s *= ALIAS  # an alias names the item a little less surely than its own words
            head = self._head[r]
            if head and head not in label[max(0, start - 12):start + len(head) + 2]:
                # A name that says what kind of document it is must say it in the label too:
                # "รายงานผลการดำเนินงาน" is not "แผนดำเนินงาน", the menu "การป้องกันการทุจริต" is no plan.
                s *= 0.7
                mention = True
            if _object_of_tam(label, start):
                # "ผลการดำเนินงานตามแผนพัฒนาท้องถิ่น" is a report on the plan, not the plan.
                s *= 0.7
                mention = True
            # A name deep inside a long label is a mention ("ประชุมจัดทำแผน..."), not a title.
            if start > 25 and len(label) > len(phrase) + 30:
                s *= 0.8
                mention = True
            if not self._activity[self.owner[r]] and any(cue in label[:max(start, 1)] for cue in NEWS_CUES):
                s *= 0.75
                mention = True
            item = self.owner[r]
            if s > (best[item].score if item in best else 0):
                # Shown to people: whole words, not a cut through one.
                while start > 0 and label[start - 1] != " ":
                    start -= 1
                while end < len(label) and label[end] != " ":
                    end += 1
                best[item] = Hit(item, round(s, 3), label[start:end], label, self.wording[r], mention)
        return tuple(best.values())

    def may_reach_cutoff(self, form: str) -> list[int]:
        """The fuzzy names that can reach the cut-off against a label, by character counts.

        partial_ratio >= 70 needs the shorter string (m characters) to share at least
        0.538 m characters with the other; 0.53 leaves room for rounding. This rules out
        most names before any alignment, and never one that could score as a candidate
        (tests/test_matching.py checks it against rapidfuzz itself)."""
        shared = np.minimum(self._counts, char_counts(form)).sum(axis=1)
        # A label under half a name's length covers under half of it: marked down below
        # MIN_TOPIC whatever the alignment (see _label_hits), so not aligned at all.
        maybe = np.nonzero((shared >= 0.53 * np.minimum(self._lengths, len(form)))
                           & (self._lengths <= 2 * len(form)))[0]
        return [self._fuzzy[k] for k in maybe.tolist()]

    def _token_score(self, r: int, label: str) -> tuple[float, int, int]:
        """All the words of a name, in any order, close together in the label: (score,
        start, end in the label)."""
        words = self._words[r]
        if len(words) < 2:
            return 0.0, 0, 0
        positions = []
        for w in words:
            pos = label.find(w)
            if pos < 0:
                return 0.0, 0, 0
            positions.append(pos)
        start, end = min(positions), max(p + len(w) for p, w in zip(positions, words))
        return (TOKEN_SCORE if end - start <= sum(map(len, words)) + TOKEN_SLACK else 0.0), start, end

    # --- body --------------------------------------------------------------------------
    def body_hits(self, text: str) -> dict[int, tuple[str, str, str]]:
        """Items whose name stands in the body text as it is: item -> (name, snippet, line).

        ``line`` is the block the name stands in, so the collector can tell a page's own
        words from site chrome repeated on every page."""
        body = text[:BODY_MAX]
        out: dict[int, tuple[str, str, str]] = {}
        if not body:
            return out
        for r, phrase in self._body_phrases:
            item = self.owner[r]
            if item in out:
                continue
            pos = body.find(phrase)
            if pos >= 0:
                start = max(0, pos - 80)
                snippet = body[start:pos + len(phrase) + 80].replace("\n", " ")
                line_start = body.rfind("\n", 0, pos) + 1
                line_end = body.find("\n", pos)
                line = body[line_start:line_end if line_end >= 0 else len(body)][:300]
                out[item] = (phrase, snippet, line)
        return out


@lru_cache(maxsize=8)
def matcher_for(checklist) -> Matcher:
    """The matcher of a checklist (its agency type's words set aside), built once per
    process and shared by the crawl's components: building one costs a few hundred ms."""
    return Matcher(checklist, checklist.agency.terms)
