"""The directly-follows graph as SVG: steps left to right in the order visits meet them,
forward flows as arcs above, loops and backward flows below, each with count and time."""

from __future__ import annotations

from xml.sax.saxutils import escape

from domain.process_analytics import Analysis
from domain.steps import STEP_LABELS_JA, Step

W, H, GAP, TOP = 110, 54, 40, 150


def duration_label(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}時間{int(seconds % 3600 // 60)}分"
    if seconds >= 60:
        return f"{int(seconds // 60)}分{int(seconds % 60)}秒"
    return f"{seconds:.1f}秒"


def _label(step: str) -> str:
    return STEP_LABELS_JA[Step(step)] if step in {s.value for s in Step} else step


def render(a: Analysis) -> str:
    order = [s.step for s in a.steps]
    x_of = {step: 20 + i * (W + GAP) for i, step in enumerate(order)}
    stats = {s.step: s for s in a.steps}
    parts: list[str] = []
    most = max((e.count for e in a.edges), default=1)
    for e in a.edges:
        if e.source not in x_of or e.target not in x_of:
            continue
        x1, x2 = x_of[e.source] + W / 2, x_of[e.target] + W / 2
        forward = x2 > x1
        adjacent = forward and x2 - x1 == W + GAP
        width = 1 + 5 * e.count / most
        label = f"{e.count}件 {duration_label(e.median_seconds)}"
        if adjacent:
            y = TOP + H / 2
            parts.append(
                f'<line x1="{x1 + W / 2:.0f}" y1="{y:.0f}" x2="{x2 - W / 2:.0f}" y2="{y:.0f}" '
                f'stroke-width="{width:.1f}" class="edge" marker-end="url(#a)"/>'
                f'<text x="{(x1 + x2) / 2:.0f}" y="{y - 8:.0f}" class="el">{e.count}件</text>'
            )
            continue
        lift = 40 + abs(x2 - x1) / 6
        y = TOP if forward else TOP + H
        cy = y - lift if forward else y + lift
        parts.append(
            f'<path d="M{x1:.0f},{y:.0f} Q{(x1 + x2) / 2:.0f},{cy:.0f} {x2:.0f},{y:.0f}" '
            f'stroke-width="{width:.1f}" class="edge" marker-end="url(#a)"/>'
            f'<text x="{(x1 + x2) / 2:.0f}" y="{(y + cy) / 2 + (0 if forward else 12):.0f}" '
            f'class="el">{escape(label)}</text>'
        )
    for step in order:
        x, s = x_of[step], stats[step]
        parts.append(
            f'<g data-step="{step}"><rect x="{x}" y="{TOP}" width="{W}" height="{H}" rx="6" '
            f'class="node"/><text x="{x + W / 2}" y="{TOP + 22}">{escape(_label(step))}</text>'
            f'<text x="{x + W / 2}" y="{TOP + 40}" class="el">{s.count}件 '
            f"{duration_label(s.median_seconds)}</text></g>"
        )
    width = 40 + len(order) * (W + GAP)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {TOP * 2 + H}" '
        f'width="{width}" height="{TOP * 2 + H}" role="img" '
        'aria-label="プロセスマップ（直接後続グラフ）">'
        "<defs><marker id='a' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' "
        "markerHeight='6' orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='#444'/></marker>"
        "</defs><style>text{font:13px sans-serif;fill:#111;text-anchor:middle}"
        ".el{font-size:11px;fill:#333}.node{fill:#eef4fb;stroke:#1a4d8f}"
        ".edge{fill:none;stroke:#555}</style>" + "".join(parts) + "</svg>"
    )
