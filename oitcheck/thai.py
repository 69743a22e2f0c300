"""Thai text normalisation: the one place where broken Thai is repaired.

Every comparison in the tool (keywords against page text, years, item titles) runs on
text that went through :func:`normalize`, on both sides.

>>> normalize("ประจําปีงบประมาณ พ.ศ. ๒๕๖๘")
'ประจำปีงบประมาณ พ.ศ. 2568'
>>> normalize("องค์การบริหารส่วนต าบล")
'องค์การบริหารส่วนตำบล'
>>> normalize("แผนดำาเนินงาน\\u200b  ประจำปี")
'แผนดำเนินงาน ประจำปี'
"""

from __future__ import annotations

import functools
import re
import unicodedata

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Zero-width and bidi controls that Word and CMSs scatter through Thai text.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")
# Thai combining marks (above/below vowels, tone marks, thanthakhat, nikhahit).
_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
# A space (or NBSP) wrongly placed before a combining mark: "น ้ำ" -> "น้ำ".
_SPACE_BEFORE_MARK = re.compile(f"[ \u00a0]+(?=[{_MARKS}])")
# PDF extractors split SARA AM into NIKHAHIT + SARA AA, in either order, sometimes twice.
_AM_DUP = re.compile("\u0e33\u0e32|\u0e4d\u0e32|\u0e32\u0e4d")
# pdfminer-style loss of NIKHAHIT: "ต าบล" for "ตำบล". SARA AA never starts a Thai word,
# so a consonant (plus optional tone mark), a space and SARA AA can only be a lost SARA AM.
_LOST_AM = re.compile("(?<=[\u0e01-\u0e2e])([\u0e48-\u0e4b]?) \u0e32")
# NIKHAHIT, tone mark, SARA AA ("นํ้า") and SARA AM before its tone mark ("นำ้"): the
# order Word and OCR produce; Unicode wants tone mark, then SARA AM.
_NIKHAHIT_TONE_AA = re.compile("\u0e4d([\u0e48-\u0e4b])\u0e32")
_AM_TONE = re.compile("\u0e33([\u0e48-\u0e4b])")
# The same vowel or mark typed twice ("ก่่อน"), which fonts draw as one.
_REPEATED_MARK = re.compile("([\u0e30-\u0e3a\u0e47-\u0e4e])\\1+")
# A PDF font that maps SARA AA to SARA AM (Word's Thai fonts exported to PDF): true SARA AM
# comes out after a space ("ส ำรวจ"), SARA AA as SARA AM ("ควำม", "กำร"). The space before a
# combining vowel can only be this glitch, so it marks the text to repair.
_SPACED_AM = re.compile("([\u0e01-\u0e2e][\u0e48-\u0e4b]?)[ \u00a0]\u0e33")
_THAI_RUN = re.compile("[\u0e01-\u0e4e]+")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def thai_digits_to_arabic(text: str) -> str:
    """Replace Thai digits with Arabic ones.

    >>> thai_digits_to_arabic("๒๕๖๘")
    '2568'
    """
    return text.translate(THAI_DIGITS)


def normalize(text: str, keep_newlines: bool = False) -> str:
    """Repair and canonicalise Thai text for matching.

    NFC only (NFKD would split SARA AM), never rapidfuzz's default_process (it drops
    Thai vowels). Latin letters are lower-cased so "E-Service" matches "e-service".
    The repairs are those of pythainlp.util.normalize (vowel order, repeated marks) plus
    the PDF/OCR ones, as a few compiled regexes: this runs on every page and document,
    and pythainlp's per-vowel passes were the crawl's largest cost (see benchmarks/).
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = thai_digits_to_arabic(text)
    if _SPACED_AM.search(text):
        text = repair_am_for_aa(text)
    text = _SPACE_BEFORE_MARK.sub("", text)
    text = _LOST_AM.sub("\\1\u0e33", text)
    text = _NIKHAHIT_TONE_AA.sub("\\1\u0e33", text)
    text = _AM_DUP.sub("\u0e33", text)
    text = _AM_DUP.sub("\u0e33", text)  # "ำาา" style doubles
    text = _AM_TONE.sub("\\1\u0e33", text)
    text = _REPEATED_MARK.sub("\\1", text)
    text = text.replace("\u0e40\u0e40", "\u0e41")  # two SARA E typed for SARA AE: "เเผน" -> "แผน"
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    if keep_newlines:
        text = _NEWLINES.sub("\n", _SPACES.sub(" ", text))
    else:
        text = re.sub(r"\s+", " ", text)
    return text.strip().lower()


def repair_am_for_aa(text: str) -> str:
    """Undo the PDF font glitch that writes SARA AA as SARA AM and SARA AM after a space.

    Each SARA AM is turned back into SARA AA only where the dictionary reads the word better
    so (fewer unknown letters, then fewer words): real SARA AM (ประจำ, ดำเนิน) stays.

    >>> repair_am_for_aa("แบบส ำรวจควำมพึงพอใจของผู้รับบริกำร")
    'แบบสำรวจความพึงพอใจของผู้รับบริการ'
    >>> repair_am_for_aa("วิทยำลัยเทคนิค แผนปฏิบัติรำชกำรประจำปี")
    'วิทยาลัยเทคนิค แผนปฏิบัติราชการประจำปี'
    """
    text = _SPACED_AM.sub("\\1\u0e33", text)
    return _THAI_RUN.sub(lambda m: _best_reading(m.group()) if "\u0e33" in m.group() else m.group(), text)


def _best_reading(run: str) -> str:
    # Each SARA AM is judged on the words around it (a word's reach either side), so a long
    # run of Thai without spaces costs in proportion to its length.
    for at in [i for i, ch in enumerate(run) if ch == "\u0e33"]:
        lo, hi = max(0, at - WORD_MAX), min(len(run), at + WORD_MAX + 1)
        window = run[lo:hi]
        flipped = window[:at - lo] + "\u0e32" + window[at - lo + 1:]
        if _reading_cost(flipped) < _reading_cost(window):
            run = run[:lo] + flipped + run[hi:]
    return run


WORD_MAX = 20  # letters: longer dictionary entries are compounds, read as their parts


@functools.lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    # pythainlp's word list only (16 MB), not its newmm tokenizer, whose trie adds 60 MB
    # to a crawl for the few documents that need this repair.
    from pythainlp.corpus import thai_words

    return frozenset(w for w in thai_words() if len(w) <= WORD_MAX)


@functools.lru_cache(maxsize=4096)
def _reading_cost(run: str) -> tuple[int, int]:
    """(letters in no dictionary word, words) of the best segmentation of ``run``."""
    words = _dictionary()
    n = len(run)
    none = (n + 1, n + 1)
    best = [none] * (n + 1)
    best[0] = (0, 0)
    for i in range(n):
        unknown, count = best[i]
        best[i + 1] = min(best[i + 1], (unknown + 1, count + 1))
        for j in range(i + 2, min(n, i + WORD_MAX) + 1):
            if run[i:j] in words:
                best[j] = min(best[j], (unknown, count + 1))
    return best[n]


def thai_ratio(text: str) -> float:
    """Share of letters that are Thai (0..1); spaces, digits and punctuation ignored.

    >>> thai_ratio("แผนงาน plan")
    0.6
    """
    thai = count_thai(text)
    # Every character of the Thai block counts as a letter (marks too); elsewhere, isalpha.
    letters = thai + sum(map(str.isalpha, THAI_CHAR.sub("", text)))
    if not letters:
        return 0.0
    return round(thai / letters, 4)


THAI_CHAR = re.compile("[\u0e00-\u0e7f]")


def count_thai(text: str) -> int:
    """Characters of the Thai block (letters, vowels, marks, digits).

    Counted by a regex: a Python loop over every character of every page was a visible
    share of a crawl's CPU time.

    >>> count_thai("แผนงาน plan ๒๕๖๘")
    10
    """
    return len(THAI_CHAR.findall(text))


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# Letters of a script a Thai agency's document hardly uses: Greek, Coptic, Cyrillic ... A Thai
# font embedded without a Unicode map often comes out as such letters ("ιεϔλνυϒκϔλ"), each
# glyph standing for a Thai one, so the text layer says nothing and only OCR can read it.
_OTHER_SCRIPT = re.compile("[\u0370-\u052f\u1f00-\u1fff]")
OTHER_SCRIPT_MAX = 0.3  # share of the letters above which a text layer is another script's glyphs
_BROKEN_AM = re.compile("\u0e33\u0e32|\u0e4d\u0e32")


def text_quality(raw: str) -> tuple[float, str]:
    """Score extracted text 0..1 and say why it is poor; decides whether to OCR.

    Signals: no text at all, private-use glyphs (fonts without a ToUnicode map), split
    SARA AM runs, spaces before marks, and a low share of Thai letters.

    >>> text_quality("แผนดำเนินงานประจำปีงบประมาณ พ.ศ. 2568")[0]
    1.0
    >>> text_quality("")
    (0.0, 'no text layer')
    >>> text_quality("φϭϔϡθχωωμνυϒσϔε νυϒσϗμωμνυϒσϔευϔτϊεϔτνυϒϊϭϔνϗ")  # a real เทศบาล's budget PDF
    (0.1, 'glyphs of another script (font has no Unicode map)')
    """
    stripped = raw.strip()
    if len(stripped) < 20:
        return 0.0, "no text layer"
    n = len(stripped)
    pua = len(_PRIVATE_USE.findall(stripped)) / n
    if pua > 0.05:
        return 0.1, "private-use glyphs (font has no Unicode map)"
    letters = sum(1 for c in stripped if c.isalpha())
    if letters and len(_OTHER_SCRIPT.findall(stripped)) / letters > OTHER_SCRIPT_MAX:
        return 0.1, "glyphs of another script (font has no Unicode map)"
    score = 1.0
    reason = "ok"
    if _BROKEN_AM.search(stripped):
        # Repairable by normalize(); only a small penalty.
        score -= 0.1
        reason = "split SARA AM (repaired)"
    marks_after_space = len(re.findall(f" [{_MARKS}]", stripped))
    if marks_after_space / n > 0.02:
        score -= 0.4
        reason = "marks detached from letters"
    replacement = stripped.count("\ufffd") / n
    if replacement > 0.02:
        score -= 0.5
        reason = "undecodable characters"
    if letters / n < 0.3:
        score -= 0.5
        reason = "mostly non-letters"
    return round(max(score, 0.0), 2), reason
