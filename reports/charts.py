"""Score charts as inline SVG (matplotlib, text kept as text so the page's Thai fonts draw it)."""

from __future__ import annotations

import io

THAI_FONTS = ["Sarabun", "TH Sarabun New", "Noto Sans Thai", "Laksaman", "Garuda", "Loma", "DejaVu Sans"]


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    return svg[svg.find("<svg"):]


def bar_chart(labels: list[str], values: list[float], title: str, pass_mark: float = 85) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import logging

    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = [f for f in THAI_FONTS if f in installed] or ["DejaVu Sans"]
    with plt.rc_context({"svg.fonttype": "none", "font.family": families, "font.size": 11}):
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.0))
        colors = ["#2e7d32" if v >= pass_mark else "#f9a825" if v >= 50 else "#c62828" for v in values]
        bars = ax.barh(labels[::-1], values[::-1], color=colors[::-1])
        ax.set_xlim(0, 100)
        ax.axvline(pass_mark, color="#555", linestyle="--", linewidth=1)
        ax.set_title(title)
        for b, v in zip(bars, values[::-1]):
            ax.text(min(v + 1, 88), b.get_y() + b.get_height() / 2, f"{v:.2f}", va="center")
        ax.spines[["top", "right"]].set_visible(False)
        svg = _svg(fig)
        plt.close(fig)
    return svg
