"""Loading the catalog from ``catalog/procedures.json``, with errors that name the place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.binding import KNOWN_FORMATS, BindingContext, BindingError, resolve
from domain.catalog import Catalog, CsvColumn, CsvLayout, FieldSpec, FormSpec, Procedure, Question
from domain.juki_file import Column
from domain.resident import ResidentRecord


class CatalogError(ValueError):
    pass


_SAMPLE = BindingContext(
    visit_id="v",
    ticket_no=1,
    today="2026-01-01",
    resident=ResidentRecord(
        atena_no="1",
        household_no="1",
        juminhyo_code="0",
        name="",
        kana="",
        birth_date="2000-01-01",
        sex="1",
        relationship="",
        head_name="",
        postal_code="",
        address="",
    ),
    applicant=None,
    procedure_code="p",
    procedure_name="p",
    fee_yen=0,
)


def _check_source(where: str, source: str, fmt: str) -> None:
    try:
        resolve(source, _SAMPLE)
    except BindingError as e:
        raise CatalogError(f"{where}: {e}") from None
    if fmt not in KNOWN_FORMATS:
        raise CatalogError(f"{where}: unknown format {fmt!r}")


def _procedure(raw: dict[str, Any]) -> Procedure:
    code = raw.get("code", "?")
    try:
        form_raw = raw["form"]
        form = FormSpec(
            code=form_raw["code"],
            version=str(form_raw["version"]),
            title=form_raw["title"],
            needs_signature=bool(form_raw.get("needs_signature", True)),
            fields=[FieldSpec(**f) for f in form_raw["fields"]],
        )
        layout_raw = raw["layout"]
        layout = CsvLayout(
            code=layout_raw["code"],
            version=str(layout_raw["version"]),
            columns=[CsvColumn(**c) for c in layout_raw["columns"]],
        )
        proc = Procedure(
            code=raw["code"],
            name=raw["name"],
            name_en=raw["name_en"],
            category=raw["category"],
            fee_yen=int(raw.get("fee_yen", 0)),
            questions=[Question(**q) for q in raw.get("questions", [])],
            form=form,
            layout=layout,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise CatalogError(f"procedure {code}: missing or invalid item ({e})") from None
    for f in form.fields:
        _check_source(f"procedure {code}, form {form.code}, field {f.key}", f.source, f.format)
    for c in layout.columns:
        _check_source(
            f"procedure {code}, layout {layout.code}, column {c.name}", c.source, c.format
        )
    return proc


def load_juki_layout(catalog_dir: Path) -> dict[str, Column]:
    """The city's 住民記録 column names mapped to madoguchi items."""
    path = catalog_dir / "juki_layout.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            name: Column(item=str(spec["item"]), required=bool(spec.get("required", False)))
            for name, spec in raw["columns"].items()
        }
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise CatalogError(f"{path}: {e}") from None


def load_catalog(catalog_dir: Path) -> Catalog:
    path = catalog_dir / "procedures.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise CatalogError(f"{path}: {e}") from None
    procedures = [_procedure(p) for p in raw.get("procedures", [])]
    codes = [p.code for p in procedures]
    if len(set(codes)) != len(codes):
        raise CatalogError(f"{path}: duplicate procedure codes")
    if not raw.get("version"):
        raise CatalogError(f"{path}: version is required")
    return Catalog(version=str(raw["version"]), procedures=procedures)
