"""The yearly personnel update (人事異動): a staff roster in, a plan of changes out.

The roster is the city's full list of counter staff; whoever is missing from it is
deactivated (never deleted: their audit history stays theirs). Parsing names the row, the
column and the reason for every problem, and nothing is applied while any row is bad.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

COLUMNS = ["staff_id", "display_name", "roles", "department", "counter_group", "active", "card_id"]
REQUIRED = ["staff_id", "display_name", "roles", "department", "counter_group"]
_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
_CARD = re.compile(r"^[0-9A-Fa-f]{8,64}$")
_TRUE, _FALSE = {"1", "true", "yes", "有効"}, {"0", "false", "no", "無効"}


@dataclass(frozen=True)
class RosterEntry:
    staff_id: str
    display_name: str
    roles: tuple[str, ...]
    department: str
    counter_group: str
    active: bool = True
    card_id: str = ""


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1 is the header; data starts at 2, as a spreadsheet shows it
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.row}行目 {self.column}: {self.message}"


def parse_roster(text: str, known_roles: set[str]) -> tuple[list[RosterEntry], list[RowProblem]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            RowProblem(1, ",".join(missing), "必須の列がありません / required columns missing")
        ]
    entries: list[RosterEntry] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for n, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        bad = [RowProblem(n, c, "空です / empty") for c in REQUIRED if not row.get(c)]
        for c in ("staff_id", "department", "counter_group"):
            if row.get(c) and not _CODE.match(row[c]):
                bad.append(
                    RowProblem(n, c, "英数字・-_ で40文字までです / letters, digits, - or _")
                )
        if row.get("staff_id") in seen:
            bad.append(RowProblem(n, "staff_id", "同じ職員IDが2回あります / duplicate staff id"))
        roles = tuple(sorted(r.strip() for r in row.get("roles", "").split(";") if r.strip()))
        for r in roles:
            if r not in known_roles:
                bad.append(RowProblem(n, "roles", f"未登録のロールです: {r} / unknown role"))
        active_text = row.get("active", "1").lower() or "1"
        if active_text not in _TRUE | _FALSE:
            bad.append(RowProblem(n, "active", "1 か 0 です / must be 1 or 0"))
        if row.get("card_id") and not _CARD.match(row["card_id"]):
            bad.append(RowProblem(n, "card_id", "16進数8〜64桁です / 8-64 hex digits"))
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in row.get("display_name", "")):
            bad.append(RowProblem(n, "display_name", "制御文字は使えません / control characters"))
        if len(row.get("display_name", "")) > 100:
            bad.append(RowProblem(n, "display_name", "100文字までです / too long"))
        problems += bad
        if not bad:
            seen.add(row["staff_id"])
            entries.append(
                RosterEntry(
                    row["staff_id"],
                    row["display_name"],
                    roles,
                    row["department"],
                    row["counter_group"],
                    active_text in _TRUE,
                    row.get("card_id", ""),
                )
            )
    return entries, problems


@dataclass
class Change:
    staff_id: str
    what: str  # add | roles | placement | name | card | deactivate | reactivate
    before: str = ""
    after: str = ""


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def count(self, what: str) -> int:
        return sum(1 for c in self.changes if c.what == what)


def plan(current: list[RosterEntry], roster: list[RosterEntry]) -> Plan:
    """What applying ``roster`` to the ``current`` accounts would change."""
    now = {e.staff_id: e for e in current}
    result = Plan()
    for new in roster:
        old = now.get(new.staff_id)
        if old is None:
            result.changes.append(Change(new.staff_id, "add", after=";".join(new.roles)))
            continue
        before = len(result.changes)
        if old.roles != new.roles:
            result.changes.append(
                Change(new.staff_id, "roles", ";".join(old.roles), ";".join(new.roles))
            )
        if (old.department, old.counter_group) != (new.department, new.counter_group):
            result.changes.append(
                Change(
                    new.staff_id,
                    "placement",
                    f"{old.department}/{old.counter_group}",
                    f"{new.department}/{new.counter_group}",
                )
            )
        if old.display_name != new.display_name:
            result.changes.append(Change(new.staff_id, "name"))
        if new.card_id:
            result.changes.append(Change(new.staff_id, "card"))
        if old.active != new.active:
            result.changes.append(
                Change(new.staff_id, "reactivate" if new.active else "deactivate")
            )
        if len(result.changes) == before:
            result.unchanged += 1
    listed = {e.staff_id for e in roster}
    for old in current:
        if old.staff_id not in listed and old.active:
            result.changes.append(
                Change(old.staff_id, "deactivate", before="名簿にありません / not on the roster")
            )
    return result
