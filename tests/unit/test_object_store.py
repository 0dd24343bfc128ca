from pathlib import Path

import pytest

from adapters.object_store import LocalDirectoryStore, ObjectStoreError


def test_put_get_list_and_overwrite_is_one_object(tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path)
    first = store.put("visits/v1/forms.pdf", b"one")
    second = store.put("visits/v1/forms.pdf", b"one")
    assert first == second and first.size == 3
    assert store.list("visits/") == ["visits/v1/forms.pdf"]
    assert store.get("visits/v1/forms.pdf") == b"one"
    assert not list(tmp_path.rglob(".tmp-*"))


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "./a"])
def test_keys_cannot_escape_the_store(tmp_path: Path, key: str) -> None:
    with pytest.raises(ObjectStoreError):
        LocalDirectoryStore(tmp_path).put(key, b"x")
