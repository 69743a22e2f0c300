"""Score charts as inline SVG (matplotlib, text kept as text so the page's Thai fonts draw it).

Bars carry their names (sub-indicator titles, not only codes), the ITA target (85) is a
labelled line, and each value stands where it can be read: white inside a dark bar, dark
inside a light one, dark beside a bar too short to hold it.
"""

from __future__ import annotations

import io

THAI_FONTS = ["Sarabun", "TH Sarabun New", "Noto Sans Thai", "Laksaman", "Garuda", "Loma", "DejaVu Sans"]
PASS, MIDDLE, LOW = "#2e7d32", "#f9a825", "#c62828"  # at or above the target, 50 and over, below 50
TEXT_DARK, TEXT_LIGHT = "#1a1a1a", "#ffffff"
INSIDE_MIN = 18  # a bar shorter than this (points) shows its value beside it
LABEL_WIDTH = 30  # visible characters of a bar's name per line


def bar_colour(value: float, pass_mark: float) -> str:
    return PASS if value >= pass_mark else MIDDLE if value >= 50 else LOW


def value_text_colour(bar: str) -> str:
    """Readable text on a bar: white on dark green and red, dark on amber.

    >>> value_text_colour(PASS), value_text_colour(MIDDLE)
    ('#ffffff', '#1a1a1a')
    """
    r, g, b = (int(bar[i:i + 2], 16) for i in (1, 3, 5))
    luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255
    return TEXT_DARK if luminance > 0.55 else TEXT_LIGHT


_MARKS = set(chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))  # Thai marks take no width


def visible_len(text: str) -> int:
    """Characters that take space (Thai vowels above/below and tone marks do not).

    >>> visible_len("ที่"), len("ที่")
    (1, 3)
    """
    return sum(1 for ch in text if ch not in _MARKS)


def _words(text: str) -> list[str]:
    """Thai words of a chart label. newmm only uses dictionary words found in the text it
    cuts, so a Trie of those words cuts it as the whole dictionary would, without building
    the 62,000-word Trie (two seconds) for one chart."""
    try:
        from pythainlp.corpus import thai_words
        from pythainlp.tokenize import word_tokenize
        from pythainlp.util import Trie
    except ImportError:  # pragma: no cover - pythainlp is a dependency; cut by characters then
        return list(text)
    return word_tokenize(text, custom_dict=Trie([w for w in thai_words() if w in text]), engine="newmm",
                         keep_whitespace=True)


def wrap_label(label: str, width: int = LABEL_WIDTH, lines: int = 2) -> str:
    """A long Thai name on at most ``lines`` lines, broken between words (Thai writes no
    spaces between words; pythainlp finds them).

    >>> wrap_label("9.1 ข้อมูลพื้นฐาน")
    '9.1 ข้อมูลพื้นฐาน'
    >>> print(wrap_label("10.1 การดำเนินการเพื่อป้องกันการทุจริตในประเด็นสินบน", 28))
    10.1 การดำเนินการเพื่อป้องกันการ
    ทุจริตในประเด็นสินบน
    """
    if visible_len(label) <= width:
        return label
    out = [""]
    for w in _words(label):
        if out[-1] and visible_len(out[-1] + w) > width:
            out.append(w.lstrip())
        else:
            out[-1] += w
    out = [line.strip() for line in out if line.strip()]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1].rstrip() + "…"
    return "\n".join(out)


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    return svg[svg.find("<svg"):]


def bar_chart(labels: list[str], values: list[float], title: str, pass_mark: float = 85,
              target_label: str = "เป้าหมาย 85 / target") -> str:
    import logging

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = [f for f in THAI_FONTS if f in installed] or ["DejaVu Sans"]
    names = [wrap_label(x) for x in labels]
    rows = sum(n.count("\n") + 1 for n in names)
    with plt.rc_context({"svg.fonttype": "none", "font.family": families, "font.size": 11}):
        fig, ax = plt.subplots(figsize=(7.5, 0.42 * rows + 0.5 * len(names) + 1.1))
        colours = [bar_colour(v, pass_mark) for v in values]
        bars = ax.barh(names[::-1], values[::-1], color=colours[::-1])
        ax.set_xlim(0, 100)
        ax.axvline(pass_mark, color="#444", linestyle="--", linewidth=1)
        ax.text(pass_mark, len(names) - 0.45, target_label, ha="center", va="bottom", fontsize=9, color="#444",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.set_title(title, pad=20, loc="left", fontweight="bold")
        for b, v, colour in zip(bars, values[::-1], colours[::-1]):
            y = b.get_y() + b.get_height() / 2
            if v >= INSIDE_MIN:
                ax.text(v - 1.2, y, f"{v:.2f}", va="center", ha="right", color=value_text_colour(colour),
                        fontweight="bold")
            else:
                ax.text(v + 1.2, y, f"{v:.2f}", va="center", ha="left", color=TEXT_DARK, fontweight="bold")
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        svg = _svg(fig)
        plt.close(fig)
    return svg
