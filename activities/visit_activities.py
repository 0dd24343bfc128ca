"""The activities of a counter visit.

Each is safe to retry: reads are reads, tickets are keyed by visit, and files are written
under keys derived from the visit id, atomically, with deterministic content — so a retry
after a crash rewrites the same object instead of adding a second one.
"""

from __future__ import annotations

from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.context import bind_activity_log_context
from activities.inputs import (
    FillInput,
    FillResult,
    HandoffInput,
    HandoffResult,
    IssueTicketInput,
    LookupInput,
    PinCatalogInput,
    PrintInput,
    PrintResult,
    SearchResidentsInput,
    VisitContext,
)
from adapters import audit, residents, tickets
from adapters.catalog_files import load_catalog
from adapters.db import session_scope
from adapters.faults import hold_point
from adapters.object_store import ObjectStore
from adapters.pdf_forms import render_forms
from domain.binding import BindingContext
from domain.catalog import Catalog, CsvLayout, Procedure
from domain.forms import fill_form
from domain.handoff import csv_row, record_id, render_csv
from domain.matching import MAX_CANDIDATES, candidate, rank
from domain.resident import ResidentRecord
from domain.resident_search import SearchKind
from domain.visit import ApplicationRecord, ResidentCandidate
from madoguchi.logging import get_logger

log = get_logger(__name__)


def _procedure(catalog: Catalog, code: str) -> Procedure:
    proc = catalog.procedure(code)
    if proc is None:  # validated at the interview; a pinned catalog cannot lose it
        raise ApplicationError(f"procedure {code} not in catalog", non_retryable=True)
    return proc


def _binding(ctx: VisitContext, resident: ResidentRecord, code: str) -> BindingContext:
    proc = _procedure(ctx.catalog, code)
    return BindingContext(
        visit_id=ctx.visit_id,
        ticket_no=ctx.ticket_no,
        today=ctx.today,
        resident=resident,
        applicant=ctx.applicant,
        procedure_code=code,
        procedure_name=proc.name,
        fee_yen=proc.fee_yen,
        answers=ctx.answers,
        record_id=record_id(ctx.visit_id, code),
        staff=ctx.staff,
        counter=ctx.counter,
    )


class VisitActivities:
    def __init__(
        self, *, database_url: str, store: ObjectStore, catalog_dir: Path, font_path: Path
    ) -> None:
        self.database_url = database_url
        self.store = store
        self.catalog_dir = catalog_dir
        self.font_path = font_path

    def _audit(self, actor: str, action: str, visit_id: str, subject: str, detail: str) -> None:
        # A retried activity audits again: each entry is one real print or write.
        with session_scope(self.database_url) as session:
            audit.record(
                session, actor=actor or "system", action=action, visit_id=visit_id,
                subject=subject, detail=detail, terminal="worker",
            )  # fmt: skip

    @activity.defn(name="pin_catalog")
    def pin_catalog(self, inp: PinCatalogInput) -> Catalog:
        bind_activity_log_context()
        catalog = load_catalog(self.catalog_dir)
        log.info("catalog pinned", catalog_version=catalog.version)
        return catalog

    @activity.defn(name="issue_ticket")
    def issue_ticket(self, inp: IssueTicketInput) -> int:
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            number = tickets.issue(session, inp.visit_id, inp.day)
        log.info("ticket issued", ticket_no=number)
        return number

    @activity.defn(name="lookup_residents")
    def lookup_residents(self, inp: LookupInput) -> list[ResidentCandidate]:
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            found = rank(inp.card, residents.search_for_card(session, inp.card))
            audit.record(
                session,
                actor=inp.staff,
                action="resident.search",
                visit_id=inp.visit_id,
                detail=f"candidates={len(found)}",
            )
        log.info("register searched", found=len(found))
        return found

    @activity.defn(name="search_residents")
    def search_residents(self, inp: SearchResidentsInput) -> list[ResidentCandidate]:
        bind_activity_log_context()
        kind = SearchKind(inp.kind)
        with session_scope(self.database_url) as session:
            found = residents.search(session, kind, inp.q, MAX_CANDIDATES)
        self._audit(
            inp.staff, "resident.search", inp.visit_id, "", f"kind={kind} results={len(found)}"
        )
        return [candidate(r, 0, [kind.value]) for r in found if r.status == "住民"]

    @activity.defn(name="fill_forms")
    def fill_forms(self, inp: FillInput) -> FillResult:
        bind_activity_log_context()
        ctx = inp.context
        with session_scope(self.database_url) as session:
            resident = residents.get(session, inp.atena_no)
            audit.record(
                session,
                actor=ctx.staff,
                action="resident.read",
                visit_id=ctx.visit_id,
                subject=inp.atena_no,
                result="ok" if resident else "not_found",
            )
        if resident is None:
            raise ApplicationError(
                "選択した住民が住民記録にありません / resident no longer in the register",
                type="ResidentNotFound",
                non_retryable=True,
            )
        forms = [
            fill_form(_procedure(ctx.catalog, code).form, _binding(ctx, resident, code))
            for code in ctx.procedures
        ]
        log.info("forms filled", forms=len(forms))
        return FillResult(resident=resident, forms=forms)

    @activity.defn(name="print_forms")
    def print_forms(self, inp: PrintInput) -> PrintResult:
        bind_activity_log_context()
        pdf = render_forms(
            inp.forms,
            header=f"受付番号 {inp.ticket_no}",
            signature=inp.signature,
            font_path=self.font_path,
        )
        stored = self.store.put(f"visits/{inp.visit_id}/forms.pdf", pdf.data)
        self._audit(inp.staff, "forms.print", inp.visit_id, inp.subject, f"pages={len(inp.forms)}")
        hold_point("print_forms.after_write", activity.heartbeat)
        log.info(
            "forms printed", pages=len(inp.forms), bytes=stored.size, warnings=len(pdf.warnings)
        )
        return PrintResult(document=stored, font=pdf.font, warnings=pdf.warnings)

    @activity.defn(name="write_handoff")
    def write_handoff(self, inp: HandoffInput) -> HandoffResult:
        bind_activity_log_context()
        ctx = inp.context
        groups: dict[str, tuple[CsvLayout, list[str]]] = {}
        for code in ctx.procedures:
            proc = _procedure(ctx.catalog, code)
            groups.setdefault(proc.layout.code, (proc.layout, []))[1].append(code)
        records: list[ApplicationRecord] = []
        objects = []
        for layout_code, (layout, codes) in sorted(groups.items()):
            rows = [csv_row(layout, _binding(ctx, inp.resident, code)) for code in codes]
            key = f"outbound/applications/{layout_code}/{ctx.visit_id}.csv"
            objects.append(self.store.put(key, render_csv(layout, rows)))
            records += [
                ApplicationRecord(
                    record_id=record_id(ctx.visit_id, code),
                    procedure_code=code,
                    layout=f"{layout.code}@{layout.version}",
                    object_key=key,
                )
                for code in codes
            ]
        self._audit(
            ctx.staff,
            "handoff.write",
            ctx.visit_id,
            inp.resident.atena_no,
            f"records={len(records)}",
        )
        hold_point("write_handoff.after_write", activity.heartbeat)
        log.info("application data written", records=len(records), files=len(objects))
        return HandoffResult(records=records, objects=objects)
