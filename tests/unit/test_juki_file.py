"""Inbound 住民記録 files: whole-file rejections and row quarantine reasons."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from adapters.catalog_files import load_juki_layout
from domain.juki_file import FileRejected, Manifest, check_file, parse_manifest, problems, rows
from domain.juminhyo_code import with_check_digit
from madoguchi.settings import REPO_ROOT

LAYOUT = load_juki_layout(REPO_ROOT / "catalog")
TODAY = date(2026, 11, 25)
HEADER = (
    "宛名番号,世帯番号,住民票コード,住民種別,住民状態,氏名,氏名_フリガナ,性別,生年月日,続柄,"
    "世帯主氏名,郵便番号,住所,方書,国籍等,独自項目\n"
)
GOOD = with_check_digit("1234567890")


def line(**over: str) -> str:
    values = {
        "宛名番号": "0000000001", "世帯番号": "00000001", "住民票コード": GOOD,
        "住民種別": "日本人", "住民状態": "住民", "氏名": "渡邉\U000e0110　明美",
        "氏名_フリガナ": "ワタナベ　アケミ", "性別": "2", "生年月日": "1960-04-17",
        "続柄": "世帯主", "世帯主氏名": "渡邉\U000e0110　明美", "郵便番号": "7600002",
        "住所": "香川県高松市茜町1番2号", "方書": "", "国籍等": "", "独自項目": "X-1",
    }  # fmt: skip
    values.update(over)
    return ",".join(values.values()) + "\n"


def manifest_for(data: bytes, rows_: int) -> Manifest:
    return parse_manifest(
        {
            "file": "full.csv",
            "kind": "full",
            "rows": rows_,
            "sha256": hashlib.sha256(data).hexdigest(),
            "generated_at": "2026-11-25T03:00:00+09:00",
        }
    )


def test_a_good_file_parses_keeps_extras_and_mj_characters() -> None:
    data = (HEADER + line() + line(宛名番号="0000000002", 方書="メゾン101")).encode()
    text = check_file(manifest_for(data, 2), data)
    parsed = list(rows(text, LAYOUT))
    assert [p.row for p in parsed] == [2, 3]
    assert parsed[0].items["name"] == "渡邉\U000e0110　明美"
    assert parsed[0].extras == {"独自項目": "X-1"}
    assert problems(parsed[0], LAYOUT, TODAY) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d + b"tampered", "checksum"),
        (lambda d: d.replace("渡邉".encode(), "渡邉".encode("cp932")), "not UTF-8"),
    ],
)
def test_whole_file_rejections(mutate: object, message: str) -> None:
    data = (HEADER + line()).encode()
    bad = mutate(data)  # type: ignore[operator]
    manifest = manifest_for(data if message == "checksum" else bad, 1)
    with pytest.raises(FileRejected, match=message):
        check_file(manifest, bad)


def test_row_count_and_header_are_checked() -> None:
    data = (HEADER + line()).encode()
    with pytest.raises(FileRejected, match="row count"):
        check_file(manifest_for(data, 2), data)
    no_name = HEADER.replace("氏名,", "名前,", 1)
    with pytest.raises(FileRejected, match="氏名"):
        list(rows(no_name + line(), LAYOUT))
    with pytest.raises(FileRejected, match="bad manifest"):
        parse_manifest({"file": "x"})


def test_bad_rows_are_quarantined_with_item_and_reason() -> None:
    text = HEADER + "".join(
        [
            line(生年月日="1960-02-30"),
            line(住民票コード=GOOD[:-1] + str((int(GOOD[-1]) + 1) % 10)),
            line(性別="M"),
            line(氏名=""),
            line(住民種別="外国人"),
        ]
    )
    found = [problems(p, LAYOUT, TODAY) for p in rows(text, LAYOUT)]
    assert found == [
        [("birth_date", "存在しない日付です / no such date")],
        [("juminhyo_code", "住民票コードの検査数字が合いません / bad check digit")],
        [("sex", "未知のコードです: M / unknown code")],
        [("name", "必須項目が空です / required item is empty")],
        [("nationality", "外国人住民には国籍等が必要です / required for foreign residents")],
    ]
