"""A site's indicators 9 and 10 over its runs, as an SVG image (matplotlib, server-side).

Runs that reached no page are drawn as marks on the axis, labelled, never as a zero score.
"""

from __future__ import annotations

import io

THAI_FONTS = ["Sarabun", "TH Sarabun New", "Noto Sans Thai", "Laksaman", "Garuda", "Loma", "DejaVu Sans"]
MAX_RUNS = 60  # the chart shows the latest runs only
PASS_MARK = 85


def trend_svg(rows: list[dict]) -> str:
    """``rows`` as oitcheck.history.History.trend returns them (oldest first)."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = [f for f in THAI_FONTS if f in installed] or ["DejaVu Sans"]
    rows = rows[-MAX_RUNS:]
    with plt.rc_context({"svg.fonttype": "none", "font.family": families, "font.size": 10}):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        xs = list(range(len(rows)))
        ok = [(x, r) for x, r in zip(xs, rows) if r["outcome"] == "ok"]
        for key, label, color in (("indicator_9", "ตัวชี้วัดที่ 9 / indicator 9", "#1565c0"),
                                  ("indicator_10", "ตัวชี้วัดที่ 10 / indicator 10", "#ef6c00")):
            ax.plot([x for x, _ in ok], [r[key] for _, r in ok], marker="o", label=label, color=color)
        failed = [x for x, r in zip(xs, rows) if r["outcome"] != "ok"]
        if failed:
            ax.plot(failed, [2] * len(failed), linestyle="none", marker="x", color="#c62828", markersize=9,
                    label="เข้าเว็บไซต์ไม่ได้ / unreachable (no score)")
        ax.axhline(PASS_MARK, color="#777", linestyle="--", linewidth=1)
        ax.set_ylim(0, 100)
        ax.set_xlim(-0.5, max(len(rows) - 0.5, 0.5))
        ax.set_xticks(xs)
        ax.set_xticklabels([(r["finished"] or "")[:16].replace("T", " ") for r in rows], rotation=30, ha="right", fontsize=8)
        ax.set_title("คะแนนคาดการณ์ในแต่ละครั้งที่ตรวจ / predicted scores by run")
        ax.spines[["top", "right"]].set_visible(False)
        if rows:
            ax.legend(loc="lower left", fontsize=8, frameon=False)
        else:
            ax.text(0, 50, "ยังไม่มีผลตรวจ / no runs yet", ha="center")
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
        plt.close(fig)
    return buf.getvalue()
