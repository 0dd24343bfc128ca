"""Binding catalog sources (``resident.name``, ``answer.copies`` …) to values, and formats.

Forms and CSV layouts both name their data by source path; this module is the one place
that knows what each path means, so a new form is data, not code. Tables bind one row per
household member (``member.*``) or per guidance item (``item.*``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import jaconv

from domain.catalog import MOVERS_HEAD, answer_for, movers
from domain.resident import SEX_LABELS, ResidentRecord
from domain.visit import IdCardData, IdSource, Proposal, ProposalStatus
from domain.wareki import iso_to_wareki


class BindingError(ValueError):
    pass


ID_SOURCE_LABELS = {
    IdSource.MYNUMBER_CARD: "マイナンバーカード",
    IdSource.DRIVER_LICENSE: "運転免許証",
    IdSource.RESIDENCE_CARD: "在留カード",
    IdSource.SPECIAL_PERMANENT: "特別永住者証明書",
    IdSource.DRIVING_HISTORY: "運転経歴証明書",
    IdSource.MANUAL: "その他（職員確認）",
}


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
    household: list[ResidentRecord] = field(default_factory=list)
    guidance: list[Proposal] = field(default_factory=list)
    context_url: str = ""  # where another counter's scanner opens this visit
    visit_procedures: list[str] = field(default_factory=list)
    city_name: str = ""
    mayor: str = ""


def age_on(birth_date: str, today: str) -> int | None:
    """Age in whole years, or None where the birth date is partly unknown (不詳)."""
    try:
        born = date.fromisoformat(birth_date)
        on = date.fromisoformat(today)
    except ValueError:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _resident_value(r: ResidentRecord, attr: str, today: str) -> str:
    if attr == "full_address":
        return r.full_address
    if attr == "sex_label":
        return SEX_LABELS.get(r.sex, "")
    if attr == "age":
        age = age_on(r.birth_date, today)
        return "" if age is None else str(age)
    if attr not in ResidentRecord.__dataclass_fields__:
        raise BindingError(f"unknown resident item: {attr}")
    return str(getattr(r, attr))


def _applicant_value(card: IdCardData | None, attr: str) -> str:
    if attr == "source_label":
        return ID_SOURCE_LABELS.get(card.source, "") if card else ""
    if attr != "source" and attr not in IdCardData.__dataclass_fields__:
        raise BindingError(f"unknown applicant item: {attr}")
    return "" if card is None else str(getattr(card, attr))


def resolve(source: str, ctx: BindingContext) -> str:
    scope, _, attr = source.partition(".")
    if scope == "resident":
        return _resident_value(ctx.resident, attr, ctx.today)
    if scope == "applicant":
        return _applicant_value(ctx.applicant, attr)
    if scope == "answer":
        return answer_for(ctx.answers, ctx.procedure_code, attr)
    if scope == "visit":
        values = {
            "id": ctx.visit_id,
            "ticket_no": str(ctx.ticket_no),
            "today": ctx.today,
            "staff": ctx.staff,
            "counter": ctx.counter,
            "context_url": ctx.context_url,
        }
        if attr not in values:
            raise BindingError(f"unknown visit item: {attr}")
        return values[attr]
    if scope == "procedure":
        values = {"code": ctx.procedure_code, "name": ctx.procedure_name, "fee": str(ctx.fee_yen)}
        if attr not in values:
            raise BindingError(f"unknown procedure item: {attr}")
        return values[attr]
    if scope == "household":
        values = {
            "count": str(len(ctx.household or [ctx.resident])),
            "head": ctx.resident.head_name,
        }
        if attr not in values:
            raise BindingError(f"unknown household item: {attr}")
        return values[attr]
    if scope == "city":
        values = {"name": ctx.city_name, "mayor": ctx.mayor}
        if attr not in values:
            raise BindingError(f"unknown city item: {attr}")
        return values[attr]
    if scope == "move":
        return _move_value(ctx, attr)
    if scope == "record" and attr == "id":
        return ctx.record_id
    raise BindingError(f"unknown source: {source}")


MOVE_KINDS = {"tennyu": "転入", "tenkyo": "転居", "tenshutsu": "転出", "setai_henko": "世帯変更"}
SETAI_HENKO = "setai_henko"


HEAD = "世帯主"


# The moves whose forms and records are about the 異動者 (世帯変更届 is about a household).
MOVING = frozenset({"tennyu", "tenkyo", "tenshutsu"})


def _new_head(ctx: BindingContext) -> str:
    """世帯主 of the 異動者 after the move: as the interview said, else the same one when the
    世帯主 moves too; the person themself when one moves alone; else unknown (the interview
    asks for it: domain.validation)."""
    if named := ctx.answers.get(MOVERS_HEAD, ""):
        return named
    people = moving(ctx.household or [ctx.resident], ctx.answers)
    if any(m.relationship == HEAD for m in people):
        return ctx.resident.head_name
    return people[0].name if len(people) == 1 else ""


def _move_value(ctx: BindingContext, attr: str) -> str:
    """The move this visit records, seen from any of its forms (国保, 介護 … share it).

    For a 転入 the register's record (状態 転入予定) already holds the new address and the
    前住所 from the 転出証明書; for 転居・転出 the new address is an interview answer.
    """
    r, a = ctx.resident, ctx.answers
    moving_in = r.status == "転入予定"
    # 世帯変更 moves nobody: beside a 転出 or 転居 its form keeps the address of those who stay.
    staying = ctx.procedure_code == SETAI_HENKO and not moving_in
    # The 異動者' new 世帯主 on the move's own forms and on a follow-up's beside a move that
    # named them (the 国保 異動届 of a child moving out alone is theirs); 世帯変更届 names
    # the staying household's.
    movers_head = not moving_in and (
        ctx.procedure_code in MOVING
        or (ctx.procedure_code != SETAI_HENKO and movers(a) is not None)
    )
    values = {
        # A move's own 住民異動届 ticks its own kind: the 転出 of the 世帯主 and the 世帯変更
        # of those who stay are two 届出 about different people. A follow-up (国保 …)
        # names every move of the visit.
        "kind": MOVE_KINDS[ctx.procedure_code]
        if ctx.procedure_code in MOVE_KINDS
        else "・".join(
            dict.fromkeys(MOVE_KINDS[p] for p in ctx.visit_procedures if p in MOVE_KINDS)
        ),
        "new_address": r.full_address
        if moving_in or staying
        else a.get("new_address", r.full_address),
        "old_address": (a.get("previous_address") or r.previous_address)
        if moving_in
        else r.full_address,
        "new_head": _new_head(ctx) if movers_head else a.get("new_head") or r.head_name,
        "old_head": "" if moving_in else r.head_name,
        "moved_on": a.get("moved_on", ""),
    }
    if attr not in values:
        raise BindingError(f"unknown move item: {attr}")
    return values[attr]


# Which household members a table lists: all, the 異動者 of a move, the under-18s, the 65s+
# (beside a move that named its 異動者, "all" and the age groups are taken from them).
MEMBER_SOURCES = frozenset({"household", "movers", "children", "seniors"})
TABLE_SOURCES = MEMBER_SOURCES | {"guidance"}


def _item_value(item: Proposal, attr: str) -> str:
    values = {
        "title": item.title,
        "place": item.place,
        "bring": "、".join(item.bring),
        "reason": "／".join(item.reasons),
        "procedure": item.procedure,
    }
    if attr not in values:
        raise BindingError(f"unknown guidance item: {attr}")
    return values[attr]


def table_rows(source: str, items: list[str], ctx: BindingContext) -> list[list[str]]:
    """The raw values of a table: one list per member or guidance item, one per column."""
    if source in MEMBER_SOURCES:
        return [[_member(m, i, ctx.today) for i in items] for m in _members(source, ctx)]
    if source == "guidance":
        return [[_item_value(g, i.partition(".")[2]) for i in items] for g in ctx.guidance]
    raise BindingError(f"unknown table source: {source}")


def _members(source: str, ctx: BindingContext) -> list[ResidentRecord]:
    household = ctx.household or [ctx.resident]
    if source == "movers":
        named = movers(ctx.answers)
        if ctx.procedure_code in MOVING or named is None:
            return moving(household, ctx.answers)
        # 世帯変更届 beside a move (the 世帯主 left): about the household that stays.
        return staying(household, named)
    # Beside a move that named its 異動者, a follow-up's form (国保, 介護保険, 児童手当,
    # 子ども医療) is about those who move: a grown child moving out alone does not bring
    # their parents onto a 国民健康保険 異動届. Without a move, or where it named nobody,
    # the whole household.
    people = moving(household, ctx.answers)
    if source == "household":
        return people
    lo, hi = (0, 18) if source == "children" else (65, 200)
    return [
        m for m in people if (age := age_on(m.birth_date, ctx.today)) is not None
        and lo <= age < hi
    ]  # fmt: skip


def moving(household: list[ResidentRecord], answers: dict[str, str]) -> list[ResidentRecord]:
    """The 異動者 of a move in the register's order: those the interview named, or the whole
    household where it named none. A name not in the household was refused at the interview."""
    named = movers(answers)
    return household if named is None else named_in(household, named)


def staying(household: list[ResidentRecord], leaving: list[str]) -> list[ResidentRecord]:
    """The people of ``household`` a move's 異動者 (these 宛名番号) leave behind, in the
    register's order: whom a 世帯変更届 beside the move is about, on its form and in its
    records alike."""
    gone = set(leaving)
    return [m for m in household if m.atena_no not in gone]


def named_in(household: list[ResidentRecord], atena_nos: list[str]) -> list[ResidentRecord]:
    """The people of ``household`` with these 宛名番号, in the register's order."""
    chosen = set(atena_nos)
    return [m for m in household if m.atena_no in chosen]


def _member(m: ResidentRecord, item: str, today: str) -> str:
    scope, _, attr = item.partition(".")
    if scope != "member":
        raise BindingError(f"a household column names member.<item>, not {item}")
    return _resident_value(m, attr, today)


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
    if fmt == "hiragana":
        return str(jaconv.kata2hira(value))
    if fmt == "katakana":
        return str(jaconv.hira2kata(value))
    if fmt == "copies":
        return f"{int(value)}通"
    raise BindingError(f"unknown format: {fmt}")


KNOWN_FORMATS = frozenset(
    {"text", "wareki", "zip", "yen", "iso_compact", "hiragana", "katakana", "copies"}
)

_SAMPLE_PERSON = ResidentRecord(
    atena_no="1", household_no="1", juminhyo_code="0", name="", kana="",
    birth_date="2000-01-01", sex="1", relationship="", head_name="", postal_code="",
    address="",
)  # fmt: skip
_SAMPLE = BindingContext(
    visit_id="v", ticket_no=1, today="2026-01-01", resident=_SAMPLE_PERSON, applicant=None,
    procedure_code="p", procedure_name="p", fee_yen=0,
)  # fmt: skip
_SAMPLE_ITEM = Proposal(code="x", title="x", status=ProposalStatus.PROPOSE)


def check_source(source: str) -> str | None:
    """Why a source path means nothing, or None when it binds."""
    try:
        resolve(source, _SAMPLE)
    except BindingError as e:
        return str(e)
    return None


def check_item(table: str, item: str) -> str | None:
    """Why a table column's item means nothing for this table, or None."""
    try:
        if table != "guidance":
            _member(_SAMPLE_PERSON, item, _SAMPLE.today)
        else:
            scope, _, attr = item.partition(".")
            if scope != "item":
                return f"a guidance column names item.<item>, not {item}"
            _item_value(_SAMPLE_ITEM, attr)
    except BindingError as e:
        return str(e)
    return None
