import json
import shutil
from pathlib import Path

import pytest

from adapters.catalog_files import CatalogError, load_catalog
from madoguchi.settings import REPO_ROOT


def test_the_shipped_catalog_loads() -> None:
    catalog = load_catalog(REPO_ROOT / "catalog")
    assert {"tenkyo", "juminhyo", "inkan_shomei", "tenshutsu"} <= set(catalog.codes())


def test_an_unknown_source_is_reported_with_procedure_form_and_field(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "catalog" / "procedures.json", tmp_path / "procedures.json")
    raw = json.loads((tmp_path / "procedures.json").read_text(encoding="utf-8"))
    raw["procedures"][0]["form"]["fields"][1]["source"] = "resident.shoe_size"
    (tmp_path / "procedures.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        load_catalog(tmp_path)
    assert (
        "procedure tenkyo, form idou_tenkyo, field name: unknown resident item: shoe_size"
        in str(e.value)
    )
