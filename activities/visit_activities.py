"""The activities of a counter visit.

Each is safe to retry: reads are reads, tickets are keyed by visit, and files are written
under keys derived from the visit id, atomically, with deterministic content — so a retry
after a crash rewrites the same object instead of adding a second one.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session
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
    NaviActivityInput,
    PinCatalogInput,
    PrinterInput,
    PrinterResult,
    PrintInput,
    PrintResult,
    SearchResidentsInput,
    VisitContext,
)
from adapters import audit, form_store, outbox, residents, tickets
from adapters.catalog_files import current_catalog
from adapters.db import session_scope
from adapters.faults import hold_point
from adapters.ipp_printer import PrinterChoice, PrinterError, print_pdf
from adapters.object_store import ObjectStore
from adapters.outbox import NewRecord
from adapters.pinned_catalogs import PinnedCatalogs
from adapters.render_pool import RenderPool
from adapters.signature_image import signature_png
from domain.binding import HEAD, BindingContext, moving, named_in, staying
from domain.catalog import Catalog, Procedure, movers
from domain.catalog_view import workflow_view
from domain.forms import fill_form
from domain.handoff import build_row, record_id
from domain.matching import MAX_CANDIDATES, candidate, rank
from domain.navi import answered, household_facts, move_facts, navi_rules, propose
from domain.resident import ResidentRecord
from domain.resident_search import SearchKind
from domain.visit import ApplicationRecord, HouseholdMember, Proposal, ResidentCandidate
from madoguchi.logging import get_logger

log = get_logger(__name__)


def _member_order(r: ResidentRecord) -> tuple[bool, str, str]:
    # 世帯主 first, then by age, as the register lists a household.
    return (r.relationship != HEAD, r.birth_date.replace("-00", "-99"), r.atena_no)


def _procedure(catalog: Catalog, code: str) -> Procedure:
    proc = catalog.procedure(code)
    if proc is None:  # validated at the interview; a pinned catalog cannot lose it
        raise ApplicationError(f"procedure {code} not in catalog", non_retryable=True)
    return proc


def _with_households(session: Session, people: list[ResidentCandidate]) -> list[ResidentCandidate]:
    homes = residents.households(session, sorted({p.household_no for p in people}))
    for p in people:
        home = sorted(homes.get(p.household_no, []), key=_member_order)
        p.household = [_member_label(m) for m in home if m.atena_no != p.atena_no]
        p.members = [
            HouseholdMember(m.atena_no, _member_label(m), m.relationship == HEAD) for m in home
        ]
    return people


def _member_label(m: ResidentRecord) -> str:
    return f"{m.name}（{m.relationship}）"


def _records_of(
    ctx: VisitContext, proc: Procedure, resident: ResidentRecord, household: list[ResidentRecord]
) -> list[tuple[str, ResidentRecord]]:
    """(record id, whom it binds as) for each record ``proc`` writes: one for the visit's
    resident; for a move written per 異動者, one per person moving; for a 世帯変更届 beside
    a move that named its 異動者 on such a layout, one per person who stays — each record id
    stable per visit, procedure and person, so a retried handoff writes the same ones."""
    code = proc.code
    named = movers(ctx.answers)
    # Where everyone named moves, nobody stays to change: the resident's one record.
    if proc.per_stayer and named is not None and (stay := staying(household, named)):
        return [(record_id(ctx.visit_id, code, m.atena_no), m) for m in stay]
    if not proc.per_mover:
        return [(record_id(ctx.visit_id, code), resident)]
    people = moving(household, ctx.answers)
    if len(people) != len(named or household):
        # The register changed since the interview (someone named left the household):
        # writing the rest would drop a person's move without a word. Staff decide.
        raise ApplicationError(
            "異動者が世帯にいません（住民記録が変わりました） / a mover left the household",
            type="MoversChanged",
            non_retryable=True,
        )
    return [(record_id(ctx.visit_id, code, m.atena_no), m) for m in people]


def _binding(
    ctx: VisitContext,
    catalog: Catalog,
    resident: ResidentRecord,
    code: str,
    household: list[ResidentRecord] | None = None,
    context_url: str = "",
) -> BindingContext:
    proc = _procedure(catalog, code) if code else None
    return BindingContext(
        visit_id=ctx.visit_id,
        ticket_no=ctx.ticket_no,
        today=ctx.today,
        resident=resident,
        applicant=ctx.applicant,
        procedure_code=code,
        procedure_name=proc.name if proc else "",
        fee_yen=proc.fee_yen if proc else 0,
        answers=ctx.answers,
        record_id=record_id(ctx.visit_id, code) if code else "",
        staff=ctx.staff,
        counter=ctx.counter,
        household=household or [resident],
        guidance=[p for p in ctx.accepted if not p.at_this_counter],
        context_url=context_url,
        visit_procedures=ctx.procedures,
        city_name=catalog.city_name,
        mayor=catalog.mayor,
    )


class VisitActivities:
    def __init__(
        self,
        *,
        database_url: str,
        store: ObjectStore,
        catalog_dir: Path,
        font_path: Path,
        mjplus_font_path: Path | None = None,
        public_url: str = "",
        printers: PrinterChoice | None = None,
        renderer: RenderPool | None = None,
    ) -> None:
        self.database_url = database_url
        self.store = store
        self.catalog_dir = catalog_dir
        self.public_url = public_url.rstrip("/")
        self.printers = printers or PrinterChoice()
        self.renderer = renderer or RenderPool(font_path, mjplus_font_path, processes=0)
        self.pinned = PinnedCatalogs(store)

    def _catalog(self, catalog: Catalog | None, digest: str) -> Catalog:
        """The visit's pinned catalog: handed over whole (older visits) or by digest."""
        return catalog if catalog is not None else self.pinned.get(digest)

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
        catalog = current_catalog(self.catalog_dir)
        with session_scope(self.database_url) as session:
            form_store.ensure_seeded(session, self.catalog_dir, set(catalog.codes()))
            catalog = form_store.pin(session, catalog)
        catalog = self.pinned.keep(catalog)
        log.info("catalog pinned", catalog_version=catalog.version, forms=len(catalog.forms))
        return workflow_view(catalog)

    @activity.defn(name="propose_procedures")
    def propose_procedures(self, inp: NaviActivityInput) -> list[Proposal]:
        """手続ナビ over the subject's household and what the interview learned."""
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            household = self._household(session, inp.atena_no, inp.staff, inp.visit_id, "navi")
        moved = move_facts(household, inp.movers)
        if inp.movers:  # a move: what follows from it is about those who move
            household = named_in(household, inp.movers)
        facts = household_facts(household, inp.today) | moved | answered(inp.facts)
        catalog = self._catalog(inp.catalog, inp.catalog_digest)
        proposals = propose(navi_rules(catalog), inp.procedures, facts)
        log.info("procedures proposed", proposals=len(proposals))
        return proposals

    def _household(
        self, session: Session, atena_no: str, staff: str, visit_id: str, purpose: str
    ) -> list[ResidentRecord]:
        """The subject first, then their household; audited as one read of each person."""
        resident = residents.get(session, atena_no)
        read = audit.Entry(staff, "resident.read", visit_id=visit_id, subject=atena_no)
        if resident is None:
            audit.record_many(session, [replace(read, result="not_found", detail=purpose)])
            raise ApplicationError(
                "選択した住民が住民記録にありません / resident no longer in the register",
                type="ResidentNotFound",
                non_retryable=True,
            )
        members = residents.households(session, [resident.household_no])[resident.household_no]
        others = sorted((m for m in members if m.atena_no != atena_no), key=_member_order)
        # Written before anything read is handed on, in one turn of the chain's lock.
        audit.record_many(
            session,
            [replace(read, detail=purpose)]
            + [replace(read, subject=m.atena_no, detail=f"{purpose}: household") for m in others],
        )
        return [resident, *others]

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
            found = _with_households(
                session, rank(inp.card, residents.search_for_card(session, inp.card))
            )
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
            people = [candidate(r, 0, [kind.value]) for r in found if r.status == "住民"]
            people = _with_households(session, people)
        self._audit(
            inp.staff, "resident.search", inp.visit_id, "", f"kind={kind} results={len(found)}"
        )
        return people

    @activity.defn(name="fill_forms")
    def fill_forms(self, inp: FillInput) -> FillResult:
        bind_activity_log_context()
        ctx = inp.context
        catalog = self._catalog(ctx.catalog, ctx.catalog_digest)
        url = f"{self.public_url}/ui/visits/{ctx.visit_id}"
        forms = []
        with session_scope(self.database_url) as session:
            household = self._household(session, inp.atena_no, ctx.staff, ctx.visit_id, "forms")
            resident = household[0]
            for code in ctx.procedures:
                for form_code in _procedure(catalog, code).forms:
                    defn = form_store.get(session, form_code, catalog.forms[form_code])
                    binding = _binding(ctx, catalog, resident, code, household, url)
                    forms.append(fill_form(defn, binding))
            guide = catalog.guidance_form
            if guide and any(not p.at_this_counter for p in ctx.accepted):
                defn = form_store.get(session, guide, catalog.forms[guide])
                forms.append(fill_form(defn, _binding(ctx, catalog, resident, "", household, url)))
        log.info("forms filled", forms=len(forms))
        return FillResult(resident=resident, forms=forms)

    @activity.defn(name="print_forms")
    def print_forms(self, inp: PrintInput) -> PrintResult:
        """Render the signed forms to one PDF and keep it; the printer comes after."""
        bind_activity_log_context()
        with session_scope(self.database_url) as session:
            pairs = [(form_store.get(session, f.form_code, f.version), f) for f in inp.forms]
        pdf = self.renderer.render(
            pairs, header=f"受付番号 {inp.ticket_no}", signature=inp.signature
        )
        stored = self.store.put(f"visits/{inp.visit_id}/forms.pdf", pdf.data)
        # The signature on its own, vector and picture, bound to what it confirmed: the
        # form versions and the PDF they printed as.
        signed = {
            "visit_id": inp.visit_id,
            "signed_at": inp.signature.signed_at,
            "forms": [f"{f.form_code}@{f.version}" for f in inp.forms],
            "pdf_sha256": stored.sha256,
            "strokes": inp.signature.strokes,
        }
        self.store.put(
            f"visits/{inp.visit_id}/signature.json",
            json.dumps(signed, ensure_ascii=False, sort_keys=True).encode(),
        )
        self.store.put(f"visits/{inp.visit_id}/signature.png", signature_png(inp.signature.strokes))
        self._audit(inp.staff, "forms.render", inp.visit_id, inp.subject, f"pages={pdf.pages}")
        hold_point("print_forms.after_write", activity.heartbeat)
        log.info("forms rendered", pages=pdf.pages, bytes=stored.size, warnings=len(pdf.warnings))
        return PrintResult(document=stored, font=pdf.font, warnings=pdf.warnings, pages=pdf.pages)

    @activity.defn(name="send_to_printer")
    def send_to_printer(self, inp: PrinterInput) -> PrinterResult:
        """The stored PDF to the counter's printer, once per (visit, copy) even if retried."""
        bind_activity_log_context()
        printer = self.printers.for_counter(inp.counter)
        if not printer:
            return PrinterResult(printer="", job="")
        data = self.store.get(inp.document_key)
        try:
            job = print_pdf(printer, f"{inp.visit_id}-{inp.copy}", data)
        except PrinterError as e:
            raise ApplicationError(
                f"印刷できません / printer failed: {e}", type="PrinterError"
            ) from e
        self._audit(
            inp.staff, "forms.print", inp.visit_id, inp.subject, f"job={job} copy={inp.copy}"
        )
        log.info("forms printed", job=job, copy=inp.copy)
        return PrinterResult(printer=printer, job=str(job))

    @activity.defn(name="write_handoff")
    def write_handoff(self, inp: HandoffInput) -> HandoffResult:
        """The visit's records into the outbox, once; a batch takes them to the robot.
        A record the core system could not take as it is (a code missing from a table, a
        character CP932 cannot hold) is held for staff instead, and the visit says why."""
        bind_activity_log_context()
        ctx = inp.context
        catalog = self._catalog(ctx.catalog, ctx.catalog_digest)
        new: list[NewRecord] = []
        subjects: dict[str, str] = {}
        with session_scope(self.database_url) as session:
            household = [inp.resident]
            if any(
                (proc := _procedure(catalog, c)).per_mover or proc.per_stayer
                for c in ctx.procedures
            ):
                household = self._household(
                    session, inp.resident.atena_no, ctx.staff, ctx.visit_id, "handoff"
                )
            for code in ctx.procedures:
                proc = _procedure(catalog, code)
                layout = proc.layout
                for rid, person in _records_of(ctx, proc, inp.resident, household):
                    binding = replace(
                        _binding(ctx, catalog, person, code, household), record_id=rid
                    )
                    row = build_row(layout, binding)
                    new.append(
                        NewRecord(
                            rid, ctx.visit_id, code, layout, row.values, row.problems,
                            row.degraded,
                        )
                    )  # fmt: skip
                    if rid != record_id(ctx.visit_id, code):  # one of several people
                        subjects[rid] = _member_label(person)
            rows = outbox.enqueue(session, new)
            records = [
                ApplicationRecord(
                    record_id=r.record_id,
                    procedure_code=r.procedure_code,
                    layout=r.layout,
                    status="held" if r.status == outbox.HELD else "queued",
                    problems=json.loads(r.problems),
                    degraded=json.loads(r.degraded),
                    subject=subjects.get(r.record_id, ""),
                )
                for r in rows
            ]
        self._audit(
            ctx.staff,
            "handoff.enqueue",
            ctx.visit_id,
            inp.resident.atena_no,
            f"records={len(records)} held={sum(r.status == 'held' for r in records)}",
        )
        hold_point("write_handoff.after_write", activity.heartbeat)
        log.info("application records queued", records=len(records))
        return HandoffResult(records=records)
