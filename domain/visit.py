"""The data of one counter visit: human inputs, system results, and the visit's state.

Plain dataclasses so that they travel through Temporal's default data converter and can
be validated without I/O. Dates are ISO strings (``YYYY-MM-DD``; ``00`` for an unknown
month or day, as the register writes 不詳).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.steps import Step


class IdSource(StrEnum):
    MYNUMBER_CARD = "mynumber_card"  # マイナンバーカード 券面事項入力補助AP
    DRIVER_LICENSE = "driver_license"  # 運転免許証
    RESIDENCE_CARD = "residence_card"  # 在留カード (no text on the chip: staff entry or OCR)
    SPECIAL_PERMANENT = "special_permanent"  # 特別永住者証明書
    DRIVING_HISTORY = "driving_history"  # 運転経歴証明書
    MANUAL = "manual"  # typed by staff from any document


@dataclass
class StartVisit:
    visit_id: str
    # Pre-application (QR) or walk-in; kept for BPR analysis.
    channel: str = "walk_in"
    # Whose visit this is: only staff of this department (and counter group) may see it.
    department: str = ""
    counter_group: str = ""
    # How long the RPA may take before the visit needs attention.
    rpa_timeout_seconds: float = 3600.0
    # A worker that stops heartbeating loses its document activity after this long.
    heartbeat_seconds: float = 10.0
    # The 整理券 the API issued before starting the visit (since 2026-11-26: the clerk's
    # click waits for the number and Temporal's start, not for a worker). None: the visit
    # issues it itself (visits started before, and bare starts by the system or tests).
    ticket_no: int | None = None


@dataclass
class CallInput:
    counter: str
    staff: str


@dataclass
class IdCardData:
    """What the reader (or the clerk) took from the document shown at the counter."""

    source: IdSource
    name: str
    birth_date: str
    address: str = ""
    kana: str = ""
    sex: str = ""  # "1" male, "2" female, "9" not applicable (as on the My Number card)
    # The items the card reader filled in (the rest were typed by the clerk).
    read_by_device: list[str] = field(default_factory=list)


@dataclass
class HouseholdMember:
    """One person of the chosen resident's household, for choosing the 異動者 of a move."""

    atena_no: str
    label: str  # "氏名（続柄）"
    head: bool = False  # the 世帯主: a move without them needs a new one named


@dataclass
class ResidentCandidate:
    atena_no: str
    household_no: str
    name: str
    kana: str
    birth_date: str
    sex: str
    address: str
    relationship: str
    score: int
    matched_on: list[str] = field(default_factory=list)
    status: str = "住民"  # 住民状態: 住民, or 転入予定 before a 転入 is recorded
    # The others of the household, "氏名（続柄）", so staff can tell namesakes apart.
    household: list[str] = field(default_factory=list)
    # Everyone of the household, the resident included, in the register's order: whom a
    # move (転入・転居・転出) can name as 異動者.
    members: list[HouseholdMember] = field(default_factory=list)


@dataclass
class SearchInput:
    """A register search typed by staff; ``kind`` is a domain.resident_search.SearchKind."""

    kind: str
    q: str


@dataclass
class ChooseResidentInput:
    atena_no: str


@dataclass
class NaviInput:
    """What staff learned in the interview, for 手続ナビ: fact → "yes" | "no" ("" unknown)."""

    procedures: list[str]
    facts: dict[str, str] = field(default_factory=dict)
    # The 異動者 ticked so far (atena numbers, comma-separated): a move's related
    # procedures are about who moves (a child staying behind needs no 転校). Empty: the
    # whole household.
    movers: str = ""


class ProposalStatus(StrEnum):
    PROPOSE = "propose"  # every condition holds
    ASK = "ask"  # kept: a condition is unknown, ``ask`` says what to find out
    DROP = "drop"  # a condition fails; ``reasons`` says which


@dataclass
class Proposal:
    """One related procedure 手続ナビ suggests, with where to go and what to bring."""

    code: str
    title: str
    status: ProposalStatus
    place: str = ""
    procedure: str = ""  # a catalog procedure whose forms are filled when accepted
    at_this_counter: bool = False  # done here, so not on the guidance sheet
    bring: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    ask: list[str] = field(default_factory=list)


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


@dataclass
class ChooseProceduresInput:
    procedures: list[str]
    answers: dict[str, str] = field(default_factory=dict)
    # Staff's answer to each proposal of 手続ナビ that was not dropped: proposal code → decision.
    decisions: dict[str, Decision] = field(default_factory=dict)


@dataclass
class Signature:
    """Strokes from the tablet's signature pad, as points scaled to 0..1 of the pad."""

    strokes: list[list[list[float]]]
    signed_at: str = ""


@dataclass
class ConfirmInput:
    signature: Signature
    confirmed_form_codes: list[str]


class RpaOutcome(StrEnum):
    DONE = "done"
    ERROR = "error"


@dataclass
class RpaResultInput:
    record_id: str
    outcome: RpaOutcome
    message: str = ""


@dataclass
class ReprintInput:
    reason: str


@dataclass
class RequeueInput:
    """A supervisor sent the record to the next batch (the outbox already has it)."""

    record_id: str
    reason: str


@dataclass
class CorrectAnswersInput:
    """At review: interview answers corrected. The forms are filled again from them, so the
    printed forms and the application data keep the same values."""

    answers: dict[str, str]
    reason: str


@dataclass
class CancelInput:
    reason: str


@dataclass
class ReassignInput:
    """A supervisor hands the visit to another counter and/or clerk."""

    counter: str
    staff: str
    reason: str


@dataclass
class RetryInput:
    """A supervisor unstuck the visit's records (re-queued, batch run): wait for the robot
    again from now."""

    reason: str
    # Records the robot had failed that went back into the queue with this retry.
    requeued: list[str] = field(default_factory=list)


@dataclass
class FormField:
    key: str
    label: str
    value: str
    source: str = ""  # where the value came from (answer.* can be corrected at review)


@dataclass
class FilledTable:
    """A table of a form (household members, guidance items), formatted for print."""

    source: str
    columns: list[str]
    rows: list[list[str]]
    label: str = ""  # its caption on the form (異動した人（異動者）)


@dataclass
class FilledForm:
    form_code: str
    version: str
    title: str
    procedure_code: str
    fields: list[FormField]
    needs_signature: bool = True
    tables: list[FilledTable] = field(default_factory=list)


@dataclass
class StoredObject:
    key: str
    sha256: str
    size: int


@dataclass
class ApplicationRecord:
    """One line of 申請受付データ for the core system."""

    record_id: str
    procedure_code: str
    layout: str  # code@version
    # queued: waits in the outbox for a batch; held: cannot be written as it is (why in
    # problems) and waits for staff.
    status: str = "queued"
    problems: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)  # what the 縮退 table replaced
    # A layout written per 異動者 has a record per person moving: whose this one is.
    subject: str = ""


@dataclass
class StepEvent:
    step: Step
    entered_at: str
    # Who had the visit when it entered the step: the event log's resources.
    staff: str = ""
    counter: str = ""


@dataclass
class VisitState:
    visit_id: str
    step: Step
    step_entered_at: str
    channel: str = "walk_in"
    department: str = ""
    counter_group: str = ""
    ticket_no: int | None = None
    catalog_version: str = ""
    counter: str = ""
    staff: str = ""
    id_card: IdCardData | None = None
    candidates: list[ResidentCandidate] = field(default_factory=list)
    resident: ResidentCandidate | None = None
    procedures: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    navi_procedures: list[str] = field(default_factory=list)  # what 手続ナビ was asked about
    navi_facts: dict[str, str] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)
    forms: list[FilledForm] = field(default_factory=list)
    signed: bool = False
    documents: list[StoredObject] = field(default_factory=list)
    print_jobs: list[str] = field(default_factory=list)  # the printer's job ids
    records: list[ApplicationRecord] = field(default_factory=list)
    rpa_results: dict[str, RpaResultInput] = field(default_factory=dict)
    # What staff should know but need not act on (e.g. a glyph printed as a marker).
    warnings: list[str] = field(default_factory=list)
    needs_attention: bool = False
    attention_reason: str = ""
    cancel_reason: str = ""
    history: list[StepEvent] = field(default_factory=list)
    # Set only on an update's answer (workflow time): how fresh that answer is.
    answered_at: str = ""

    @classmethod
    def opened(cls, start: StartVisit, now: str) -> VisitState:
        """The visit as it stands when it opens (受付) — what the workflow starts from, and
        what the API answers with when it issued the ticket and started the visit itself."""
        return cls(
            visit_id=start.visit_id,
            step=Step.RECEPTION,
            step_entered_at=now,
            channel=start.channel,
            department=start.department,
            counter_group=start.counter_group,
            ticket_no=start.ticket_no,
            history=[StepEvent(Step.RECEPTION, now)],
        )

    def pending_records(self) -> list[str]:
        return [
            r.record_id
            for r in self.records
            if (res := self.rpa_results.get(r.record_id)) is None or res.outcome != RpaOutcome.DONE
        ]
