"""A visit pins the catalog of its moment; the content is kept once, by digest, and every
later activity of the visit reads exactly that content back."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from adapters.catalog_files import load_catalog
from adapters.object_store import LocalDirectoryStore
from adapters.pinned_catalogs import PinnedCatalogs
from domain.visit import StoredObject

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
