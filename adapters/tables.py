"""The application database's tables."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ResidentRow(SQLModel, table=True):
    __tablename__ = "residents"

    atena_no: str = Field(primary_key=True, max_length=15)
    household_no: str = Field(index=True, max_length=15)
    juminhyo_code: str = Field(max_length=11, index=True)
    name: str = Field(max_length=100)
    kana: str = Field(max_length=100)
    birth_date: str = Field(index=True, max_length=10)
    sex: str = Field(max_length=1)
    relationship: str = Field(max_length=20)
    head_name: str = Field(max_length=100)
    postal_code: str = Field(max_length=7)
    address: str = Field(max_length=200)
    katagaki: str = Field(default="", max_length=100)
    resident_type: str = Field(default="日本人", max_length=10)
    status: str = Field(default="住民", max_length=10)
    tsusho: str = Field(default="", max_length=100)
    kyuuji: str = Field(default="", max_length=100)
    romaji: str = Field(default="", max_length=200)
    nationality: str = Field(default="", max_length=100)
    zairyu_shikaku: str = Field(default="", max_length=100)
    zairyu_expiry: str = Field(default="", max_length=10)
    became_resident_on: str = Field(default="", max_length=10)
    idou_jiyu: str = Field(default="", max_length=20)
    idou_on: str = Field(default="", max_length=10)
    previous_address: str = Field(default="", max_length=200)
    extras: str = Field(default="{}", max_length=4000)  # the city's own columns, kept as JSON
    # Search keys: the name folded for variants, the kana folded for spelling.
    name_key: str = Field(index=True, max_length=100)
    kana_key: str = Field(index=True, max_length=100)
    address_key: str = Field(default="", index=True, max_length=200)


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("day", "number", name="uq_ticket_day_number"),)

    visit_id: str = Field(primary_key=True, max_length=64)
    day: str = Field(max_length=10)
    number: int
    issued_at: datetime = Field(default_factory=_utcnow)


class AuditRow(SQLModel, table=True):
    """Who read or changed what: append-only, each row chained to the one before by hash."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_utcnow, index=True)
    actor: str = Field(max_length=64, index=True)
    role: str = Field(default="", max_length=200)
    terminal: str = Field(default="", max_length=100)
    action: str = Field(max_length=64, index=True)
    visit_id: str = Field(default="", max_length=64, index=True)
    subject: str = Field(default="", max_length=64, index=True)
    result: str = Field(default="ok", max_length=32)
    detail: str = Field(default="", max_length=500)
    prev_hash: str = Field(default="", max_length=64)
    row_hash: str = Field(default="", max_length=64)


class ImportRow(SQLModel, table=True):
    """One inbound file and what became of it."""

    __tablename__ = "imports"

    file_key: str = Field(primary_key=True, max_length=300)
    sha256: str = Field(index=True, max_length=64)
    kind: str = Field(default="", max_length=10)
    rows: int = 0
    status: str = Field(default="running", max_length=20)  # running|done|rejected|duplicate
    reason: str = Field(default="", max_length=500)
    applied: int = 0
    quarantined: int = 0
    started_at: datetime = Field(default_factory=_utcnow)
    finished_at: datetime | None = None


class ImportChunkRow(SQLModel, table=True):
    """A chunk of a file already applied: written in the same transaction as its rows."""

    __tablename__ = "import_chunks"

    file_key: str = Field(primary_key=True, max_length=300)
    chunk: int = Field(primary_key=True)
    applied: int = 0
    quarantined: int = 0


class QuarantineRow(SQLModel, table=True):
    __tablename__ = "import_quarantine"

    id: int | None = Field(default=None, primary_key=True)
    file_key: str = Field(index=True, max_length=300)
    row: int
    item: str = Field(max_length=40)
    reason: str = Field(max_length=300)


class ResidentHistoryRow(SQLModel, table=True):
    """Every change an import made to a resident: before and after, and why."""

    __tablename__ = "resident_history"

    id: int | None = Field(default=None, primary_key=True)
    atena_no: str = Field(index=True, max_length=15)
    file_key: str = Field(max_length=300)
    row: int
    idou_jiyu: str = Field(default="", max_length=20)
    idou_on: str = Field(default="", max_length=10)
    before: str = Field(default="", max_length=8000)  # JSON, empty when the person is new
    after: str = Field(max_length=8000)
    at: datetime = Field(default_factory=_utcnow)


class AuditAnchorRow(SQLModel, table=True):
    """Where the chain starts after old entries were purged under the retention rule."""

    __tablename__ = "audit_anchor"

    id: int | None = Field(default=None, primary_key=True)
    purged_through_id: int
    last_hash: str = Field(max_length=64)
    rows_purged: int
    at: datetime = Field(default_factory=_utcnow)
    actor: str = Field(max_length=64)


class RoleRow(SQLModel, table=True):
    __tablename__ = "roles"

    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=100)
    scope: str = Field(max_length=20)
    permissions: str = Field(max_length=2000)  # JSON list of permission codes
    updated_at: datetime = Field(default_factory=_utcnow)
    updated_by: str = Field(default="", max_length=64)


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    staff_id: str = Field(primary_key=True, max_length=40)
    display_name: str = Field(max_length=100)
    roles: str = Field(max_length=500)  # JSON list of role codes
    department: str = Field(max_length=40)
    counter_group: str = Field(max_length=40)
    password_hash: str = Field(default="", max_length=200)
    card_id_hash: str | None = Field(default=None, max_length=64, unique=True)
    pin_hash: str = Field(default="", max_length=200)
    active: bool = Field(default=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=_utcnow)
    deactivated_at: datetime | None = Field(default=None)


class SessionRow(SQLModel, table=True):
    """A login. Only the token's hash is stored: a stolen table holds no usable session."""

    __tablename__ = "sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    staff_id: str = Field(index=True, max_length=40)
    csrf_token: str = Field(max_length=64)
    kind: str = Field(max_length=10)  # cookie | bearer
    terminal: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=_utcnow)
    last_seen_at: datetime = Field(default_factory=_utcnow)


class FormVersionRow(SQLModel, table=True):
    """Every version of every form definition ever uploaded; never changed once stored."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, index=True)
    version: str = Field(max_length=20)
    title: str = Field(max_length=200)
    body: str  # the definition as uploaded (JSON)
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=_utcnow)
    uploaded_by: str = Field(max_length=64)


class FormCurrentRow(SQLModel, table=True):
    """Which version of each form new visits pin (publish and restore move it)."""

    __tablename__ = "form_current"

    code: str = Field(primary_key=True, max_length=40)
    version: str = Field(max_length=20)
    published_at: datetime = Field(default_factory=_utcnow)
    published_by: str = Field(max_length=64)


class HandoffLayoutRow(SQLModel, table=True):
    """The layout a record was made with (code@version), so a batch written later uses the
    same header, encoding and line ending even after the catalog moved on."""

    __tablename__ = "handoff_layouts"

    ref: str = Field(primary_key=True, max_length=80)
    body: str = Field(max_length=100_000)


class HandoffRecordRow(SQLModel, table=True):
    """One application record in the outbox: pending → batched → done, or held / error."""

    __tablename__ = "handoff_records"

    record_id: str = Field(primary_key=True, max_length=120)
    visit_id: str = Field(index=True, max_length=64)
    procedure_code: str = Field(max_length=40)
    layout: str = Field(index=True, max_length=80)
    values_json: str = Field(max_length=100_000)
    status: str = Field(index=True, max_length=16)
    problems: str = Field(default="[]", max_length=10_000)
    degraded: str = Field(default="[]", max_length=10_000)
    batch_id: str | None = Field(default=None, index=True, max_length=120)
    attempt: int = 0  # how many batches it has been in
    outcome_message: str = Field(default="", max_length=1000)
    reported_by: str = Field(default="", max_length=64)
    reported_at: datetime | None = None
    report_seq: int = 0  # bumps with every report that changed something
    delivered_seq: int = 0  # the last report the visit has received
    created_at: datetime = Field(default_factory=_utcnow, index=True)


class HandoffBatchRow(SQLModel, table=True):
    """One CSV file for the robot: open (records reserved) → ready → done."""

    __tablename__ = "handoff_batches"

    batch_id: str = Field(primary_key=True, max_length=120)
    layout: str = Field(index=True, max_length=80)
    status: str = Field(index=True, max_length=16)
    record_count: int = 0
    object_key: str = Field(default="", max_length=300)
    manifest_key: str = Field(default="", max_length=300)
    sha256: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=_utcnow, index=True)
    ready_at: datetime | None = None
    lease_id: str = Field(default="", max_length=64)
    lease_holder: str = Field(default="", max_length=64)
    lease_until: datetime | None = None
    claims: int = 0


class TabletPairingRow(SQLModel, table=True):
    """A one-time code staff show on the counter screen and type into the tablet."""

    __tablename__ = "tablet_pairings"

    code: str = Field(primary_key=True, max_length=12)
    counter: str = Field(max_length=20)
    created_by: str = Field(max_length=64)
    expires_at: datetime


class TabletRow(SQLModel, table=True):
    """A paired tablet: it may show and sign only what its counter sends it."""

    __tablename__ = "tablets"

    token_hash: str = Field(primary_key=True, max_length=64)
    counter: str = Field(index=True, max_length=20)
    paired_by: str = Field(max_length=64)
    paired_at: datetime = Field(default_factory=_utcnow)


class TabletRequestRow(SQLModel, table=True):
    """What a counter sent to its tablet: one visit at a time, until signed or timed out."""

    __tablename__ = "tablet_requests"

    counter: str = Field(primary_key=True, max_length=20)
    visit_id: str = Field(max_length=64)
    language: str = Field(max_length=10)
    sent_by: str = Field(max_length=64)
    expires_at: datetime
