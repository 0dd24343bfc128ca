"""The BPR screen (BPR分析): period, exports, where the time goes on the BPMN diagram, the
process map, variants, and a what-if run of the counter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.auth import authenticated, require
from api.deps import Gateway, SettingsDep
from api.ui_pages import page
from domain.city_time import JST
from domain.security import Permission, Principal
from domain.steps import STEP_LABELS_JA, Step
from madoguchi import bpmn_models, bpr
from madoguchi.bpr import PeriodError

router = APIRouter(include_in_schema=False)
Analyst = Annotated[Principal, Depends(require(Permission.BPR_EXPORT))]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _number(value: str | None, default: float, lo: float, hi: float) -> float:
    try:
        return min(hi, max(lo, float(value))) if value else default
    except ValueError:
        return default


@router.get("/ui/bpr", response_class=HTMLResponse)
async def bpr_screen(
    request: Request, gw: Gateway, p: Analyst, settings: SettingsDep
) -> HTMLResponse:
    q = request.query_params
    today = datetime.now(JST).date()
    try:
        span = bpr.period(_date(q.get("since")), _date(q.get("until")), today)
        error = ""
    except PeriodError as e:
        span, error = bpr.period(None, None, today), str(e)
    log = await bpr.load_log(gw, p, span)
    analysis = await run_in_threadpool(bpr.analyse, settings, log)
    counters = int(_number(q.get("counters"), 8, 1, 200))
    changed = int(_number(q.get("changed_counters"), counters, 1, 200))
    share = _number(q.get("pre_application_share"), 30, 0, 100) / 100
    month = int(_number(q.get("month"), 3, 1, 12))
    whatif = None
    if q.get("simulate"):
        whatif = await run_in_threadpool(
            lambda: bpr.what_if(
                settings, log, counters=counters, changed_counters=changed,
                pre_application_share=share, month=month,
            )
        )  # fmt: skip
    labels = {s.value: label for s, label in STEP_LABELS_JA.items()}
    return page(
        request,
        "bpr.html",
        {
            "span": span,
            "error": error,
            "a": analysis,
            "labels": labels,
            "heatmap": bpr.heatmap_svg(analysis) if analysis.cases else "",
            "process_map": bpr.process_map_svg_of(analysis) if analysis.cases else "",
            "model": bpr.model_svg(),
            "whatif": whatif,
            "chart": bpr.wait_chart_svg(whatif) if whatif else "",
            "form": {"counters": counters, "changed_counters": changed,
                     "share": round(share * 100), "month": month},
            "Step": Step,
        },
    )  # fmt: skip


@router.get("/ui/bpmn", response_class=HTMLResponse)
async def bpmn_screen(
    request: Request, p: Annotated[Principal, Depends(authenticated)]
) -> HTMLResponse:
    """The process models as diagrams: the visit and each procedure's variant (with what
    the procedure does at each step on hover and below)."""
    names = bpmn_models.model_names()
    name = request.query_params.get("model", names[0])
    if name not in names:
        name = names[0]
    return page(
        request,
        "bpmn.html",
        {"names": names, "name": name, "svg": bpr.model_svg(name), "notes": bpr.notes(name)},
    )
