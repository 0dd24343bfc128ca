"""One dataclass per activity input and output (Temporal samples' convention)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.catalog import Catalog
from domain.resident import ResidentRecord
from domain.visit import (
    ApplicationRecord,
    FilledForm,
    IdCardData,
    Proposal,
    Signature,
    StoredObject,
)


@dataclass
class PinCatalogInput:
    visit_id: str


@dataclass
class IssueTicketInput:
    visit_id: str
    day: str


@dataclass
class LookupInput:
    visit_id: str
    staff: str
    card: IdCardData


@dataclass
class SearchResidentsInput:
    visit_id: str
    staff: str
    kind: str
    q: str


@dataclass
class VisitContext:
    """What filling and handoff both need to bind catalog sources."""

    visit_id: str
    ticket_no: int
    today: str
    staff: str
    counter: str
    applicant: IdCardData | None
    procedures: list[str]
    answers: dict[str, str]
    # The pinned catalog itself (visits pinned before 2026-11-26), or None and its digest.
    catalog: Catalog | None
    # Accepted 手続ナビ proposals: those for other counters go on the guidance sheet.
    accepted: list[Proposal] = field(default_factory=list)
    catalog_digest: str = ""


@dataclass
class NaviActivityInput:
    visit_id: str
    staff: str
    today: str
    atena_no: str
    procedures: list[str]
    facts: dict[str, str]
    catalog: Catalog | None  # as in VisitContext: None when catalog_digest names it
    catalog_digest: str = ""
    movers: list[str] = field(default_factory=list)  # empty: the whole household


@dataclass
class FillInput:
    context: VisitContext
    atena_no: str


@dataclass
class FillResult:
    # The record as read once: forms and CSV are bound to this same snapshot.
    resident: ResidentRecord
    forms: list[FilledForm]


@dataclass
class PrintInput:
    visit_id: str
    ticket_no: int
    forms: list[FilledForm]
    signature: Signature
    staff: str = ""
    subject: str = ""  # the resident's 宛名番号, for the audit log


@dataclass
class PrintResult:
    document: StoredObject
    font: str
    warnings: list[str] = field(default_factory=list)
    pages: int = 0


@dataclass
class PrinterInput:
    visit_id: str
    document_key: str
    counter: str
    staff: str
    subject: str
    copy: int = 0


@dataclass
class PrinterResult:
    printer: str
    job: str


@dataclass
class HandoffInput:
    context: VisitContext
    resident: ResidentRecord


@dataclass
class HandoffResult:
    records: list[ApplicationRecord]
