"""BPR consultants (BPR分析者): the event log of finished visits as XES or OCEL 2.0
(pseudonymized), where the time goes, and what-if simulation of the counter."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.auth import require
from api.deps import Gateway, SettingsDep
from domain.city_time import JST
from domain.counter_simulation import SimResult
from domain.ocel import write_ocel
from domain.process_analytics import Analysis
from domain.security import Permission, Principal
from domain.xes import write_xes
from madoguchi import bpr
from madoguchi.bpr import PeriodError

router = APIRouter(prefix="/api/bpr", tags=["BPR 業務改革"])
Analyst = Annotated[Principal, Depends(require(Permission.BPR_EXPORT))]
Since = Annotated[date | None, Query(description="first day (Japan time); default 30 days ago")]
Until = Annotated[date | None, Query(description="last day, inclusive; default today")]


def _period(since: date | None, until: date | None) -> bpr.Period:
    try:
        return bpr.period(since, until, datetime.now(JST).date())
    except PeriodError as e:
        raise HTTPException(422, str(e)) from e


@router.get("/event-log", response_class=Response)
async def event_log(
    gw: Gateway,
    p: Analyst,
    since: Since = None,
    until: Until = None,
    format: Annotated[Literal["xes", "ocel"], Query()] = "xes",
) -> Response:
    """Finished visits of the period: a start and complete event per step, the clerk
    (pseudonym) and counter as resources, procedures as objects. Ids are keyed hashes under
    a salt made for this export alone; no names, addresses or numbers."""
    span = _period(since, until)
    log = await bpr.load_log(gw, p, span)
    name = f"madoguchi-{span.since}-{span.until}-{secrets.token_hex(3)}"
    if format == "xes":
        body, media, ext = await run_in_threadpool(write_xes, log), "application/xml", "xes"
    else:
        body, media, ext = await run_in_threadpool(write_ocel, log), "application/json", "jsonocel"
    return Response(
        body.encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )


@router.get("/analytics", response_model=Analysis)
async def analytics(
    gw: Gateway, p: Analyst, settings: SettingsDep, since: Since = None, until: Until = None
) -> Analysis:
    """Per-step durations (median, p90) in business hours, variants, directly-follows graph."""
    log = await bpr.load_log(gw, p, _period(since, until))
    return await run_in_threadpool(bpr.analyse, settings, log)


class WhatIfRequest(BaseModel):
    counters: int = Field(ge=1, le=200, description="staffed counters today")
    changed_counters: int = Field(ge=1, le=200, description="staffed counters in the change")
    pre_application_share: float = Field(
        default=0.0, ge=0, le=1, description="share of 転入 visits pre-applied by QR"
    )
    month: int = Field(default=3, ge=1, le=12, description="season: 3 and 4 are the peak")
    days: int = Field(default=10, ge=1, le=60, description="simulated days to average")
    since: date | None = None
    until: date | None = None


@dataclass
class WhatIfAnswer:
    month: int
    samples_from: int
    results: list[SimResult]


@router.post("/what-if", response_model=WhatIfAnswer)
async def what_if(
    body: WhatIfRequest, gw: Gateway, p: Analyst, settings: SettingsDep
) -> WhatIfAnswer:
    """ "With N staff at these counters, what are the waits?" — the current process against a
    changed one, over the same simulated days; counter times from the period's visits."""
    log = await bpr.load_log(gw, p, _period(body.since, body.until))
    w = await run_in_threadpool(
        lambda: bpr.what_if(
            settings, log, counters=body.counters, changed_counters=body.changed_counters,
            pre_application_share=body.pre_application_share, month=body.month, days=body.days,
        )
    )  # fmt: skip
    return WhatIfAnswer(w.month, w.samples_from, w.results)
