import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from adapters import form_store
from adapters.catalog_files import CATALOG_FILES, CatalogError, current_catalog, load_catalog
from domain.form_definition import FormDefinitionError, parse_form
from madoguchi.settings import REPO_ROOT

CATALOG = REPO_ROOT / "catalog"
# The forms the city's tender names; each must be printable from the shipped catalog.
CITY_FORMS = {
    "住民異動届", "転出証明書", "住民票の写し等交付請求書", "戸籍証明書等交付請求書",
    "戸籍の附票の写し交付請求書", "印鑑登録申請書", "印鑑登録証明書交付申請書",
    "印鑑登録廃止申請書", "委任状", "マイナンバーカード券面記載事項変更届",
    "国民健康保険 異動届", "児童手当 認定請求書", "子ども医療費受給資格申請書",
    "介護保険 住所変更届", "手続案内書",
}  # fmt: skip


def test_the_shipped_catalog_loads_with_every_form_of_the_tender() -> None:
    catalog = load_catalog(CATALOG, with_form_files=True)
    assert {"tennyu", "tenkyo", "juminhyo", "inkan_shomei", "tenshutsu"} <= set(catalog.codes())
    files = form_store.load_files(CATALOG, set(catalog.codes()))
    assert {d.title for d, _ in files} >= CITY_FORMS
    assert catalog.guidance_form == "tetsuzuki_annai"
    for proc in catalog.procedures:
        assert proc.forms, f"procedure {proc.code} prints no form"


def test_every_shipped_form_matches_the_published_schema() -> None:
    schema = json.loads((CATALOG / "forms" / "form.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in (CATALOG / "forms").glob("*.json"):
        if not path.name.endswith(".schema.json"):
            jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


def _idou() -> dict:  # type: ignore[type-arg]
    return json.loads((CATALOG / "forms" / "idou.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_a_bad_definition_names_the_form_the_place_and_the_problem() -> None:
    raw = _idou()
    raw["fields"][1]["source"] = "resident.shoe_size"
    raw["layout"][0]["cells"][1]["w"] = 170
    raw["layout"].append({"kind": "table", "source": "pets", "columns": []})
    raw["procedures"].append("no_such_procedure")
    with pytest.raises(FormDefinitionError) as e:
        parse_form(raw, known_procedures=set(load_catalog(CATALOG).codes()))
    problems = e.value.problems
    assert "form idou, field moved_on: unknown resident item: shoe_size" in problems
    assert any(p.startswith("form idou, layout block 1: cells are 214 mm wide") for p in problems)
    assert any("layout block" in p and "table source must be one of" in p for p in problems)
    assert "form idou, procedures: unknown procedure 'no_such_procedure'" in problems


def test_a_cell_naming_an_undefined_field_and_a_missing_signature_block_are_refused() -> None:
    raw = _idou()
    raw["layout"] = [{"cells": [{"label": "x", "w": 20}, {"field": "nope"}]}]
    with pytest.raises(FormDefinitionError) as e:
        parse_form(raw)
    assert "form idou, layout block 1, cell 2: field 'nope' is not defined in fields" in (
        e.value.problems
    )
    assert any("no signature block" in p for p in e.value.problems)


def test_a_broken_shipped_file_stops_the_load_with_its_name(tmp_path: Path) -> None:
    shutil.copytree(CATALOG, tmp_path / "catalog")
    (tmp_path / "catalog" / "forms" / "idou.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"idou.json: not JSON \(line 1"):
        load_catalog(tmp_path / "catalog", with_form_files=True)


@pytest.mark.parametrize("name", CATALOG_FILES)
def test_a_missing_catalog_file_stops_the_load_with_its_name(tmp_path: Path, name: str) -> None:
    shutil.copytree(CATALOG, tmp_path / "catalog")
    (tmp_path / "catalog" / name).unlink()
    with pytest.raises(CatalogError, match=name.replace(".", r"\.")):
        load_catalog(tmp_path / "catalog")


def test_an_unknown_source_in_a_csv_layout_is_reported_with_layout_and_column(
    tmp_path: Path,
) -> None:
    shutil.copytree(CATALOG, tmp_path / "catalog")
    path = tmp_path / "catalog" / "layouts" / "idou.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["columns"][1]["source"] = "resident.shoe_size"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        load_catalog(tmp_path / "catalog")
    assert "idou.json: layout idou, column 2 (宛名番号): unknown resident item: shoe_size" in str(
        e.value
    )


def test_every_shipped_form_title_and_label_is_translated_for_the_tablet() -> None:
    from adapters.catalog_files import load_translations

    t = load_translations(CATALOG)
    assert set(t.languages) == {"ja", "ja-easy", "en", "zh", "ko", "vi"}
    missing = []
    for path in sorted((CATALOG / "forms").glob("*.json")):
        if path.name == "form.schema.json":
            continue
        d = json.loads(path.read_text(encoding="utf-8"))
        texts = [("titles", d["title"])] + [
            ("labels", f["label"])
            for f in d["fields"]
            if not f["source"].startswith("visit.context")
        ]
        texts += [
            ("labels", c.get("label", ""))
            for b in d["layout"]
            if b.get("kind") == "table"
            for c in b.get("columns", [])
        ]
        for part, text in texts:
            entry = getattr(t, part).get(text, {})
            for lang in t.languages:
                if lang != "ja" and not entry.get(lang):
                    missing.append(f"{path.name}: {part} {text!r} has no {lang}")
    assert missing == []


def test_the_catalog_a_visit_pins_is_read_again_only_when_a_file_changed(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog_dir)
    first = current_catalog(catalog_dir)
    assert current_catalog(catalog_dir) is first  # nothing changed: not parsed again
    procedures = catalog_dir / "procedures.json"
    raw = json.loads(procedures.read_text(encoding="utf-8"))
    raw["version"] = "edited-by-the-city"
    procedures.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert current_catalog(catalog_dir).version == "edited-by-the-city"  # no restart needed
    layout = next((catalog_dir / "layouts").glob("*.json"))
    layout.unlink()
    with pytest.raises(CatalogError):  # a layout the procedures name is gone: said, not hidden
        current_catalog(catalog_dir)


def test_fixed_values_get_a_translation_beside_them_and_free_values_none() -> None:
    from adapters.catalog_files import load_translations
    from domain.binding import ID_SOURCE_LABELS, MOVE_KINDS
    from domain.resident import SEX_LABELS

    t = load_translations(CATALOG)
    assert t.gloss("世帯主", "en") == "Head of household"
    assert t.gloss("転出・世帯変更", "vi") == "Chuyển đi / Thay đổi hộ"  # part by part
    assert t.gloss("男", "ja") == ""  # Japanese needs none
    assert t.gloss("男", "zh") == ""  # the same in Chinese: nothing to add
    assert t.gloss("高松　直樹", "en") == ""  # names, addresses, dates are never translated
    assert t.gloss("転出・高松", "en") == ""  # all parts or none
    # Every fixed value the forms print is glossed in every language but where it reads
    # the same (男 in Chinese, マイナンバーカード in やさしいにほんご).
    zokugara = json.loads((CATALOG / "code_tables.json").read_text())["tables"]["zokugara"]
    fixed = [
        *(v for k, v in SEX_LABELS.items() if k != "9"), *zokugara, *MOVE_KINDS.values(),
        *ID_SOURCE_LABELS.values(),
    ]  # fmt: skip
    same = {("マイナンバーカード", "ja-easy")}
    same |= {(v, "zh") for v in ("男", "女", "妻", "祖父", "祖母")}
    missing = [
        f"{v} ({lang})"
        for v in fixed
        for lang in t.languages
        if lang != "ja" and not t.values.get(v, {}).get(lang) and (v, lang) not in same
    ]
    assert missing == []
    # Shown in brackets after the value: brackets inside would read （…（…））.
    assert not [g for e in t.values.values() for g in e.values() if set(g) & set("()（）")]
