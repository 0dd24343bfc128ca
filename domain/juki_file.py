"""Inbound 住民記録 files: the manifest, the header, and each row's validity.

A file is accepted or rejected whole on its manifest, encoding and header; then each row
either becomes a register record or is quarantined with the row number, the item and the
reason, and the rest of the file still applies. Pure functions: the import activities do
the reading and writing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.juminhyo_code import is_valid as juminhyo_code_ok
from domain.validation import check_iso_date

RESIDENT_TYPES = frozenset({"日本人", "外国人"})
# 転入予定: the previous municipality announced the move (転出証明書情報); not yet recorded.
STATUSES = frozenset({"住民", "消除", "転入予定"})
SEXES = frozenset({"1", "2", "9"})
IDOU_JIYU = frozenset(
    {
        "",
        "転入",
        "転居",
        "転出",
        "出生",
        "死亡",
        "世帯変更",
        "国外転入",
        "国外転出",
        "職権修正",
        "初期",
    }
)
DATE_ITEMS = ("birth_date", "became_resident_on", "idou_on", "zairyu_expiry")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class FileRejected(ValueError):
    """The whole file is refused; nothing of it may be applied."""


@dataclass(frozen=True)
class Column:
    item: str
    required: bool


@dataclass(frozen=True)
class Manifest:
    file: str
    kind: str  # full | delta
    rows: int
    sha256: str
    generated_at: str


@dataclass(frozen=True)
class Quarantined:
    file: str
    row: int  # header is row 1
    item: str
    reason: str


@dataclass
class ParsedRow:
    row: int
    items: dict[str, str]
    extras: dict[str, str] = field(default_factory=dict)


def parse_manifest(raw: Mapping[str, object]) -> Manifest:
    try:
        m = Manifest(
            file=str(raw["file"]),
            kind=str(raw["kind"]),
            rows=int(str(raw["rows"])),
            sha256=str(raw["sha256"]).lower(),
            generated_at=str(raw["generated_at"]),
        )
    except (KeyError, ValueError) as e:
        raise FileRejected(f"マニフェストが不正です / bad manifest: {e}") from None
    if m.kind not in ("full", "delta"):
        raise FileRejected(f"マニフェストの kind は full か delta です / unknown kind {m.kind}")
    return m


def check_file(manifest: Manifest, data: bytes) -> str:
    """The file's text, or FileRejected: checksum, encoding and row count must all agree."""
    if hashlib.sha256(data).hexdigest() != manifest.sha256:
        raise FileRejected(
            "sha256 がマニフェストと一致しません / checksum does not match the manifest"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FileRejected(
            f"UTF-8 ではありません（{e.start}バイト目） / not UTF-8 at byte {e.start}"
        ) from None
    rows = sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    if rows != manifest.rows:
        raise FileRejected(
            f"行数がマニフェストと一致しません（{rows} ≠ {manifest.rows}） / row count differs"
        )
    return text


def header_map(header: list[str], layout: Mapping[str, Column]) -> dict[str, str]:
    """Column name → item for the known columns; unknown columns are kept as extras."""
    missing = [name for name, col in layout.items() if col.required and name not in header]
    if missing:
        raise FileRejected(f"必須の列がありません / required columns missing: {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise FileRejected("同じ名前の列が2つあります / duplicate column names")
    return {name: layout[name].item for name in header if name in layout}


def rows(text: str, layout: Mapping[str, Column]) -> Iterator[ParsedRow]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    mapping = header_map(header, layout)
    for n, values in enumerate(reader, start=2):
        items: dict[str, str] = {}
        extras: dict[str, str] = {}
        for name, value in zip(header, values, strict=False):
            if name in mapping:
                items[mapping[name]] = value.strip()
            else:
                extras[name] = value
        yield ParsedRow(n, items, extras)


def problems(row: ParsedRow, layout: Mapping[str, Column], today: date) -> list[tuple[str, str]]:
    """(item, reason) for everything wrong with one row; empty means it applies."""
    found: list[tuple[str, str]] = []
    it = row.items
    for item, value in it.items():
        if _CONTROL.search(value):
            found.append((item, "制御文字が含まれています / control characters in the value"))
    for col in layout.values():
        if col.required and not it.get(col.item):
            found.append((col.item, "必須項目が空です / required item is empty"))
    if it.get("juminhyo_code") and not juminhyo_code_ok(it["juminhyo_code"]):
        found.append(("juminhyo_code", "住民票コードの検査数字が合いません / bad check digit"))
    for item, allowed in (
        ("resident_type", RESIDENT_TYPES),
        ("status", STATUSES),
        ("sex", SEXES),
        ("idou_jiyu", IDOU_JIYU),
    ):
        if it.get(item) and it[item] not in allowed:
            found.append((item, f"未知のコードです: {it[item]} / unknown code"))
    for item in DATE_ITEMS:
        if it.get(item):
            # 在留期間の満了の日 lies in the future by nature.
            horizon = date(today.year + 20, 12, 31) if item == "zairyu_expiry" else today
            if (why := check_iso_date(it[item], horizon)) is not None:
                found.append((item, why))
    postal = it.get("postal_code", "")
    if postal and not (len(postal) == 7 and postal.isdigit()):
        found.append(("postal_code", "郵便番号は7桁の数字です / 7 digits"))
    if it.get("resident_type") == "外国人" and not it.get("nationality"):
        found.append(
            ("nationality", "外国人住民には国籍等が必要です / required for foreign residents")
        )
    return found
