"""申請受付データ as the core system gets it: layouts as data, code tables, date formats,
and characters CP932 cannot hold — reported per record and held, never replaced silently."""

from __future__ import annotations

import copy
import csv
import io
import json
from typing import Any

import pytest

from adapters.catalog_files import load_layouts
from domain.catalog import CsvLayout
from domain.csv_layout import LayoutError, parse_code_tables, parse_degradation, parse_layout
from domain.handoff import build_row, render_csv
from madoguchi.settings import REPO_ROOT
from tests.unit.test_forms_and_handoff import MJ_NAME, ctx

PUA_NAME = "\ue000田　一郎"  # an MJ+ character mapped into the Private Use Area
CATALOG = REPO_ROOT / "catalog"


def layouts() -> dict[str, CsvLayout]:
    return load_layouts(CATALOG)


def with_encoding(layout: CsvLayout, encoding: str, degrade: bool = False) -> CsvLayout:
    out = copy.deepcopy(layout)
    out.encoding, out.degrade = encoding, degrade
    if degrade:
        out.degradation = layouts()["fukushi"].degradation
    return out


def named(name: str) -> Any:
    c = ctx("tenkyo", {"new_address": "高松市番町1丁目, 2番", "moved_on": "2026-11-20"})
    c.resident.name = c.resident.head_name = name
    c.applicant.name = name  # type: ignore[union-attr]
    return c


def test_utf8_layout_keeps_ivs_and_pua_and_uses_code_tables_and_date_format() -> None:
    idou = layouts()["idou"]
    row = build_row(idou, named(MJ_NAME))
    assert not row.held and row.degraded == []
    data = render_csv(idou, [row.values])
    assert data.endswith(b"\r\n") and not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert rows[0]["受付番号"] == "v1-tenkyo"
    assert rows[0]["異動事由"] == "21"  # 転居 through code table idou_jiyu
    assert rows[0]["続柄"] == "01"  # 世帯主 through zokugara
    assert rows[0]["異動年月日"] == "20261120"
    assert rows[0]["新住所"] == "高松市番町1丁目, 2番"  # quoted, not split
    assert rows[0]["氏名"] == MJ_NAME  # the IVS kept as it is
    pua = build_row(idou, named(PUA_NAME))
    assert not pua.held and PUA_NAME in render_csv(idou, [pua.values]).decode("utf-8")


def test_cp932_reports_ivs_and_pua_per_column_and_holds_the_record() -> None:
    sjis = with_encoding(layouts()["idou"], "cp932")
    row = build_row(sjis, named("渡邉\U000e0110　\ue000子"))
    assert row.held
    why = "CP932で表せない文字 U+E0110(IVS) U+E000(PUA) / characters the encoding cannot hold"
    assert row.problems == [f"氏名: {why}", f"新世帯主: {why}", f"届出人氏名: {why}"]
    plain = build_row(sjis, named("渡辺　一郎"))
    assert not plain.held
    assert render_csv(sjis, [plain.values]).decode("cp932").splitlines()[1].count("渡辺　一郎") == 3


def test_the_degradation_table_replaces_and_records_but_never_hides_the_rest() -> None:
    sjis = with_encoding(layouts()["idou"], "cp932", degrade=True)
    row = build_row(sjis, named("𠮷田　剝子"))
    assert not row.held
    assert row.values[6] == "吉田　剥子"
    assert row.degraded == [f"{c}: 剝→剥, 𠮷→吉" for c in ("氏名", "新世帯主", "届出人氏名")]
    # The table has no stand-in for an IVS unless told to strip them: still held.
    held = build_row(sjis, named("𠮷田　葛\U000e0103子"))
    assert held.held and "U+E0103(IVS)" in held.problems[0]
    sjis.degradation.strip_ivs = True
    stripped = build_row(sjis, named("𠮷田　葛\U000e0103子"))
    assert not stripped.held and stripped.values[6] == "吉田　葛子"
    assert stripped.degraded[0] == "氏名: 𠮷→吉, IVS除去"
    # A longer stand-in is a replacement, not an IVS removal.
    longer = build_row(sjis, named("𩸽田　花子"))
    assert longer.values[6] == "ほっけ田　花子" and longer.degraded[0] == "氏名: 𩸽→ほっけ"


def test_a_value_missing_from_its_code_table_holds_the_record() -> None:
    c = named("渡辺　一郎")
    c.resident.relationship = "養子"
    row = build_row(layouts()["idou"], c)
    assert row.held and row.problems == ["続柄: コード表 zokugara に無い値です / not in code table"]


def test_layout_options_header_line_ending_and_gengo_dates() -> None:
    fukushi = layouts()["fukushi"]
    assert fukushi.encoding == "cp932" and fukushi.date_format == "gengo7"
    c = named("渡辺　一郎")
    c.procedure_code = "jidou_teate"
    row = build_row(fukushi, c)
    assert row.values[4] == "5081125"  # 令和8年11月25日
    bare = copy.deepcopy(fukushi)
    bare.header, bare.line_ending = False, "lf"
    data = render_csv(bare, [row.values])
    assert (
        data.count(b"\n") == 1 and b"\r" not in data and not data.startswith("受付".encode("cp932"))
    )


def test_layout_errors_name_the_layout_the_column_and_the_problem() -> None:
    tables = parse_code_tables(json.loads((CATALOG / "code_tables.json").read_text()))
    raw = json.loads((CATALOG / "layouts" / "idou.json").read_text())
    raw["encoding"] = "euc-jp"
    raw["records"] = "household"
    raw["columns"][2]["source"] = "resident.nope"
    raw["columns"][3]["codes"] = "no_table"
    raw["columns"].append({"name": "氏名", "source": "resident.name"})
    with pytest.raises(LayoutError) as e:
        parse_layout(raw, tables)
    assert e.value.problems == [
        "layout idou: encoding must be one of utf-8, cp932",
        "layout idou: records must be procedure, mover or person",
        "layout idou, column 3 (世帯番号): unknown resident item: nope",
        "layout idou, column 4 (異動事由): unknown code table 'no_table'",
        "layout idou: column 氏名 appears twice",
    ]
    with pytest.raises(LayoutError, match="one character"):
        parse_degradation({"chars": {"ab": "c"}})
