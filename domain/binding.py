"""Binding catalog sources (``resident.name``, ``answer.copies`` …) to values, and formats.

Forms and CSV layouts both name their data by source path; this module is the one place
that knows what each path means, so a new form is data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.resident import SEX_LABELS, ResidentRecord
from domain.visit import IdCardData
from domain.wareki import iso_to_wareki


class BindingError(ValueError):
    pass


@dataclass
class BindingContext:
    visit_id: str
    ticket_no: int
    today: str  # ISO date of the visit's step, from workflow time
    resident: ResidentRecord
    applicant: IdCardData | None
    procedure_code: str
    procedure_name: str
    fee_yen: int
    answers: dict[str, str] = field(default_factory=dict)
    record_id: str = ""
    staff: str = ""
    counter: str = ""


def _resident_value(r: ResidentRecord, attr: str) -> str:
    if attr == "full_address":
        return r.full_address
    if attr == "sex_label":
        return SEX_LABELS.get(r.sex, "")
    if attr not in ResidentRecord.__dataclass_fields__:
        raise BindingError(f"unknown resident item: {attr}")
    return str(getattr(r, attr))


def resolve(source: str, ctx: BindingContext) -> str:
    scope, _, attr = source.partition(".")
    if scope == "resident":
        return _resident_value(ctx.resident, attr)
    if scope == "applicant":
        if ctx.applicant is None:
            return ""
        if attr == "source":
            return str(ctx.applicant.source)
        if attr not in IdCardData.__dataclass_fields__:
            raise BindingError(f"unknown applicant item: {attr}")
        return str(getattr(ctx.applicant, attr))
    if scope == "answer":
        return ctx.answers.get(attr, "")
    if scope == "visit":
        values = {
            "id": ctx.visit_id,
            "ticket_no": str(ctx.ticket_no),
            "today": ctx.today,
            "staff": ctx.staff,
            "counter": ctx.counter,
        }
        if attr not in values:
            raise BindingError(f"unknown visit item: {attr}")
        return values[attr]
    if scope == "procedure":
        values = {"code": ctx.procedure_code, "name": ctx.procedure_name, "fee": str(ctx.fee_yen)}
        if attr not in values:
            raise BindingError(f"unknown procedure item: {attr}")
        return values[attr]
    if scope == "record" and attr == "id":
        return ctx.record_id
    raise BindingError(f"unknown source: {source}")


def format_value(value: str, fmt: str) -> str:
    if fmt == "text" or value == "":
        return value
    if fmt == "wareki":
        return iso_to_wareki(value)
    if fmt == "zip":
        digits = value.replace("-", "")
        return f"〒{digits[:3]}-{digits[3:]}" if len(digits) == 7 else value
    if fmt == "yen":
        return f"{int(value):,}円"
    if fmt == "iso_compact":
        return value.replace("-", "")
    raise BindingError(f"unknown format: {fmt}")


KNOWN_FORMATS = frozenset({"text", "wareki", "zip", "yen", "iso_compact"})
