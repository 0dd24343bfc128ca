"""Loading the catalog from ``catalog/``, with errors that name the place.

``procedures.json`` holds the procedures and their interview questions; ``layouts/*.json``
the CSV layouts (with ``code_tables.json`` and the 縮退 table ``degrade.json``);
``navi.json`` the 手続ナビ rules; ``forms/*.json`` the form definitions (seeded into the
database, see adapters.form_store).
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path
from typing import Any

from adapters import form_store
from domain.catalog import Catalog, CsvLayout, Procedure, Question
from domain.csv_layout import LayoutError, parse_code_tables, parse_degradation, parse_layout
from domain.form_definition import FormDefinitionError
from domain.i18n import TranslationError, Translations, parse_translations
from domain.juki_file import Column
from domain.navi import NaviError, parse_navi


class CatalogError(ValueError):
    pass


# What load_catalog reads: these, and every layout (_layout_paths). current_catalog
# watches exactly these for a change, so a file load_catalog reads is named here.
PROCEDURES, NAVI, CODE_TABLES, DEGRADE = (
    "procedures.json", "navi.json", "code_tables.json", "degrade.json",
)  # fmt: skip
CATALOG_FILES = (PROCEDURES, NAVI, CODE_TABLES, DEGRADE)


def _layout_paths(catalog_dir: Path) -> list[Path]:
    return sorted((catalog_dir / "layouts").glob("*.json"))


def load_layouts(catalog_dir: Path) -> dict[str, CsvLayout]:
    """``layouts/*.json`` with the code tables and the 縮退 table they use."""
    try:
        tables = parse_code_tables(_read(catalog_dir / CODE_TABLES))
        degradation = parse_degradation(_read(catalog_dir / DEGRADE))
    except LayoutError as e:
        raise CatalogError(str(e)) from None
    layouts: dict[str, CsvLayout] = {}
    for path in _layout_paths(catalog_dir):
        try:
            layout = parse_layout(_read(path), tables, degradation)
        except LayoutError as e:
            raise CatalogError(f"{path.name}: {e}") from None
        if layout.code != path.stem:
            raise CatalogError(f"{path.name}: code {layout.code!r} must match the file name")
        layouts[layout.code] = layout
    return layouts


def _procedure(raw: dict[str, Any], layouts: dict[str, CsvLayout]) -> Procedure:
    code = raw.get("code", "?")
    try:
        layout = layouts[raw["layout"]]
    except KeyError:
        raise CatalogError(f"procedure {code}: unknown or missing layout") from None
    try:
        return Procedure(
            code=raw["code"],
            name=raw["name"],
            name_en=raw["name_en"],
            category=raw["category"],
            fee_yen=int(raw.get("fee_yen", 0)),
            questions=[Question(**q) for q in raw.get("questions", [])],
            layout=layout,
            place=str(raw.get("place", "")),
            subject_status=[str(s) for s in raw.get("subject_status", ["住民"])],
        )
    except (KeyError, TypeError, ValueError) as e:
        raise CatalogError(f"procedure {code}: missing or invalid item ({e})") from None


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


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise CatalogError(f"{path}: {e}") from None


def load_catalog(catalog_dir: Path, *, with_form_files: bool = False) -> Catalog:
    """Procedures and 手続ナビ rules; forms come from the database when a visit pins them
    (``with_form_files`` attaches the shipped files instead, for tools and tests)."""
    path = catalog_dir / PROCEDURES
    raw = _read(path)
    if not raw.get("version"):
        raise CatalogError(f"{path}: version is required")
    layouts = load_layouts(catalog_dir)
    procedures = [_procedure(p, layouts) for p in raw.get("procedures", [])]
    codes = [p.code for p in procedures]
    if len(set(codes)) != len(codes):
        raise CatalogError(f"{path}: duplicate procedure codes")
    try:
        navi_text = (catalog_dir / NAVI).read_text(encoding="utf-8")
        parse_navi(json.loads(navi_text), set(codes))
    except (NaviError, OSError, json.JSONDecodeError) as e:
        raise CatalogError(f"{NAVI}: {e}") from None
    city = raw.get("city", {})
    catalog = Catalog(
        version=str(raw["version"]),
        procedures=procedures,
        navi=navi_text,
        city_name=str(city.get("name", "")),
        mayor=str(city.get("mayor", "")),
    )
    if with_form_files:
        try:
            files = form_store.load_files(catalog_dir, set(codes))
        except FormDefinitionError as e:
            raise CatalogError(str(e)) from None
        catalog = form_store.attach_forms(catalog, [d for d, _ in files])
    return catalog


# The files a catalog is read from, by their size and modification time.
_Stamp = tuple[tuple[str, int, int], ...]
_last_read: dict[Path, tuple[_Stamp, Catalog]] = {}
_last_read_lock = threading.Lock()


def _stamp(catalog_dir: Path) -> _Stamp:
    paths = [catalog_dir / name for name in CATALOG_FILES] + _layout_paths(catalog_dir)
    stamps = []
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            stamps.append((str(path), -1, -1))  # load_catalog says which one is missing
        else:
            stamps.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def current_catalog(catalog_dir: Path) -> Catalog:
    """``load_catalog`` read again only when one of its files changed: every visit pins the
    catalog, and parsing its layouts and rules each time was most of that activity's CPU.
    An edited file still takes effect from the next visit on, without a restart."""
    stamp = _stamp(catalog_dir)
    with _last_read_lock:
        hit = _last_read.get(catalog_dir)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    catalog = load_catalog(catalog_dir)
    with _last_read_lock:
        _last_read[catalog_dir] = (stamp, catalog)
    return catalog


@functools.lru_cache(maxsize=8)
def load_translations(catalog_dir: Path) -> Translations:
    """Read once per process, as the catalog is: a restart picks up an edited file."""
    try:
        return parse_translations(_read(catalog_dir / "i18n" / "tablet.json"))
    except TranslationError as e:
        raise CatalogError(f"i18n/tablet.json: {e}") from None
