"""A visit pins the catalog of its moment; the content is kept once, by digest, and every
later activity of the visit reads exactly that content back."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from adapters.catalog_files import load_catalog
from adapters.object_store import LocalDirectoryStore
from adapters.pinned_catalogs import PinnedCatalogs
from domain.catalog import Catalog
from domain.catalog_view import workflow_view
from domain.navi import navi_rules
from domain.validation import validate_choose_procedures, validate_navi
from domain.visit import ChooseProceduresInput, NaviInput, StoredObject

CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog"


class CountingStore(LocalDirectoryStore):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.puts: list[str] = []

    def put(self, key: str, data: bytes) -> StoredObject:
        self.puts.append(key)
        return super().put(key, data)


def test_the_same_catalog_pinned_again_is_kept_once_under_one_digest(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    first = PinnedCatalogs(store).keep(load_catalog(CATALOG_DIR))
    keeper = PinnedCatalogs(store)
    again = [keeper.keep(load_catalog(CATALOG_DIR)) for _ in range(3)]

    assert {c.digest for c in again} == {first.digest}
    assert len(store.puts) == 1
    assert PinnedCatalogs(store).get(first.digest) == first


def test_a_changed_form_version_is_pinned_under_a_new_digest(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    keeper = PinnedCatalogs(store)
    catalog = load_catalog(CATALOG_DIR)
    before = keeper.keep(dataclasses.replace(catalog, forms={"juminhyo": "1"}))
    after = keeper.keep(dataclasses.replace(catalog, forms={"juminhyo": "2"}))
    back = keeper.keep(dataclasses.replace(catalog, forms={"juminhyo": "1"}))

    assert before.digest != after.digest
    assert back.digest == before.digest
    assert len(store.puts) == 2
    fresh = PinnedCatalogs(store)
    assert fresh.get(after.digest).forms == {"juminhyo": "2"}
    assert fresh.get(before.digest).forms == {"juminhyo": "1"}


def test_the_workflow_holds_a_third_of_the_pinned_catalog_and_checks_steps_alike(
    tmp_path: Path,
) -> None:
    """What a visit's history carries: the catalog without the layouts' columns and 手続ナビ's
    rules. Every step is checked against it as against the whole, and the activities read
    the whole back by its digest."""
    keeper = PinnedCatalogs(LocalDirectoryStore(tmp_path))
    pinned = keeper.keep(load_catalog(CATALOG_DIR))
    view = workflow_view(pinned)

    def size(c: Catalog) -> int:
        return len(json.dumps(dataclasses.asdict(c), ensure_ascii=False).encode())

    assert size(view) < size(pinned) / 3
    assert PinnedCatalogs(keeper.store).get(view.digest) == pinned
    assert view.codes() == pinned.codes() and view.version == pinned.version
    for mine, whole in zip(view.procedures, pinned.procedures, strict=True):
        assert (mine.questions, mine.subject_status, mine.per_mover, mine.layout.ref) == (
            whole.questions, whole.subject_status, whole.per_mover, whole.layout.ref
        )  # fmt: skip
    assert navi_rules(view).asked() == navi_rules(pinned).asked() != []
    steps = [
        NaviInput(["tenkyo"], {"kokuho": "yes", "dog": "no", "member_65_plus": "yes"}),
        NaviInput(["tenkyo", "nothing"], {"pregnant": "maybe"}),
    ]
    for step in steps:
        assert validate_navi(step, view) == validate_navi(step, pinned)
    choices = [
        ChooseProceduresInput(["tenkyo"], {"new_address": ""}),
        ChooseProceduresInput(["juminhyo", "inkan_shomei"], {"juminhyo.copies": "11"}),
    ]
    for choice in choices:
        assert validate_choose_procedures(choice, view) == validate_choose_procedures(
            choice, pinned
        )
        assert validate_choose_procedures(choice, view) != []


def test_only_a_pinned_catalog_has_a_workflow_view() -> None:
    with pytest.raises(ValueError, match="digest"):
        workflow_view(load_catalog(CATALOG_DIR))
