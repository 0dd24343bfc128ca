"""手数料: what a visit's certificates cost, for the clerk to collect at the counter (会計)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.catalog import Catalog, answer_for

# The interview question that says how many copies a certificate is for.
COUNT_KEY = "copies"


@dataclass(frozen=True)
class FeeLine:
    procedure: str  # its name, as the screen shows it
    count: int
    yen: int  # count × the procedure's fee
    per_copy: bool  # counted in 通 (a certificate), or once (e.g. 印鑑登録)


def fee_lines(catalog: Catalog, procedures: list[str], answers: dict[str, str]) -> list[FeeLine]:
    """One line per chosen procedure that costs something, in the order chosen."""
    lines = []
    for code in procedures:
        proc = catalog.procedure(code)
        if proc is None or not proc.fee_yen:
            continue
        per_copy = any(q.key == COUNT_KEY for q in proc.questions)
        raw = answer_for(answers, code, COUNT_KEY) if per_copy else ""
        # The count was validated at 手続選択; a visit without one pays for one.
        count = int(raw) if raw.isdecimal() else 1
        lines.append(FeeLine(proc.name, count, count * proc.fee_yen, per_copy))
    return lines
