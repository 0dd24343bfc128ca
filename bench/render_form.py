"""Rendering one pre-filled A4 form with MJ characters: reportlab (what madoguchi uses)
against the same form through HTML and WeasyPrint.

Fills the 住民異動届 for a family whose names carry IVS sequences, renders it N times each
way, and prints p50 / p95 per render, the PDF sizes and the ratio.

    .venv/bin/python -m bench.render_form --runs 200
"""

from __future__ import annotations

import argparse
import html
import statistics
import time
from pathlib import Path

from adapters import form_store
from adapters.catalog_files import load_catalog
from adapters.pdf_forms import load_fonts, render_forms
from domain.forms import fill_form
from domain.visit import FilledForm, Signature
from madoguchi.form_admin import _sample
from madoguchi.settings import REPO_ROOT

FONT = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")


def _html(form: FilledForm) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(f.label)}</th><td>{html.escape(f.value)}</td></tr>"
        for f in form.fields
    )
    table = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
        for t in form.tables
        for row in t.rows
    )
    return f"""<html><head><style>
@font-face {{ font-family: mj; src: url(file://{FONT}); }}
@page {{ size: A4; margin: 15mm; }}
body {{ font-family: mj; font-size: 11pt; }}
h1 {{ text-align: center; font-size: 16pt; }}
table {{ width: 100%; border-collapse: collapse; margin-bottom: 4mm; }}
th, td {{ border: 0.6pt solid black; padding: 1.5mm; text-align: left; }}
th {{ background: #eee; width: 25%; font-size: 8.5pt; }}
</style></head><body><h1>{html.escape(form.title)}</h1>
<table>{rows}</table><table>{table}</table><div style="border:0.6pt solid;height:22mm">署名</div>
</body></html>"""


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--weasy-runs", type=int, default=30)
    args = parser.parse_args()

    catalog = load_catalog(REPO_ROOT / "catalog")
    defs = {
        d.code: d for d, _ in form_store.load_files(REPO_ROOT / "catalog", set(catalog.codes()))
    }
    defn = defs["idou"]
    form = fill_form(defn, _sample("tennyu"))
    fonts = load_fonts(FONT)
    sig = Signature([[[0.1, 0.6], [0.3, 0.3], [0.5, 0.6]]])
    render_forms([(defn, form)], header="bench", signature=sig, fonts=fonts)  # warm caches

    times, size = [], 0
    for _ in range(args.runs):
        t = time.perf_counter()
        pdf = render_forms([(defn, form)], header="bench", signature=sig, fonts=fonts)
        times.append((time.perf_counter() - t) * 1000)
        size = len(pdf.data)
    per_form = {}
    for code, d in defs.items():
        f = fill_form(d, _sample((d.procedures or ["tennyu"])[0]))
        per_form[code] = len(render_forms([(d, f)], header="b", signature=sig, fonts=fonts).data)

    from weasyprint import HTML  # an optional comparison, not a dependency of madoguchi

    doc = _html(form)
    HTML(string=doc).write_pdf()
    w_times, w_size = [], 0
    for _ in range(args.weasy_runs):
        t = time.perf_counter()
        data = HTML(string=doc).write_pdf()
        w_times.append((time.perf_counter() - t) * 1000)
        w_size = len(data or b"")

    print(
        f"reportlab  住民異動届 (MJ/IVS names), {args.runs} renders: "
        f"p50 {statistics.median(times):.1f} ms, p95 {_p(times, 0.95):.1f} ms, {size / 1024:.0f} KB"
    )
    print(
        f"weasyprint same content as HTML, {args.weasy_runs} renders: "
        f"p50 {statistics.median(w_times):.1f} ms, p95 {_p(w_times, 0.95):.1f} ms, "
        f"{w_size / 1024:.0f} KB"
    )
    ratio = statistics.median(w_times) / statistics.median(times)
    print(f"ratio weasyprint / reportlab (p50): {ratio:.1f}x")
    print(
        f"largest of the {len(per_form)} shipped forms: "
        f"{max(per_form.values()) / 1024:.0f} KB ({max(per_form, key=lambda k: per_form[k])})"
    )


if __name__ == "__main__":
    main()
