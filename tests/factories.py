"""Inputs a test visit needs, built from the seeded demo city."""

from __future__ import annotations

from sqlmodel import select

from adapters import residents
from adapters.db import session_scope
from adapters.tables import ResidentRow
from domain.resident import ResidentRecord
from domain.visit import (
    CallInput,
    ChooseProceduresInput,
    ConfirmInput,
    IdCardData,
    IdSource,
    Signature,
)


def resident(database_url: str, *, name_contains: str = "") -> ResidentRecord:
    with session_scope(database_url) as session:
        stmt = select(ResidentRow).order_by(ResidentRow.atena_no)
        for row in session.exec(stmt):
            if name_contains in row.name:
                return residents.to_record(row)
    raise LookupError(f"no demo resident with {name_contains!r}")


def card_for(r: ResidentRecord) -> IdCardData:
    return IdCardData(
        source=IdSource.MYNUMBER_CARD, name=r.name, birth_date=r.birth_date, sex=r.sex
    )


CALL = CallInput(counter="C01", staff="staff01")
PROCEDURES = ChooseProceduresInput(
    procedures=["tenkyo", "juminhyo"],
    answers={
        "new_address": "香川県高松市番町一丁目8番15号",
        "moved_on": "2026-11-20",
        "copies": "2",
    },
)
SIGNATURE = Signature(strokes=[[[0.1, 0.5], [0.2, 0.3], [0.35, 0.6]], [[0.5, 0.5], [0.8, 0.4]]])
CONFIRM = ConfirmInput(signature=SIGNATURE, confirmed_form_codes=["idou_tenkyo", "juminhyo_seikyu"])

# The department and counter group test visits and test staff belong to.
HOME = {"department": "shimin", "counter_group": "honcho"}
