"""Pinned catalogs kept once, by content digest, in the object store.

A visit pins the catalog when it starts (its forms print with the versions of that
moment). The workflow keeps the pinned catalog from that activity's result; the
activities that need it later (filling, 手続ナビ, handoff) get only its digest and read it
here — before, the whole catalog (~53 KB) went into each of their inputs, so every visit's
history held it three times and the worker serialised it each time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict

from temporalio.converter import value_to_type

from adapters.object_store import ObjectStore
from domain.catalog import Catalog

_PREFIX = "catalogs/pinned"


def _key(digest: str) -> str:
    return f"{_PREFIX}/{digest}.json"


class PinnedCatalogs:
    """Kept and read through one small in-process cache, by digest: a worker sees few
    catalog versions a day, and every visit pins one of them."""

    def __init__(self, store: ObjectStore, size: int = 8) -> None:
        self.store = store
        self.size = size
        self._cache: OrderedDict[str, Catalog] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, catalog: Catalog) -> Catalog:
        """The catalog with its digest; its content stored under that digest (once).

        Every visit pins the catalog of its moment, nearly always the one the visit before
        pinned: comparing with that one costs far less than serialising and hashing the
        content again (~10 ms of the worker's CPU a visit) and asking the store for it."""
        with self._lock:
            for digest, seen in self._cache.items():
                if seen == dataclasses.replace(catalog, digest=digest):
                    self._cache.move_to_end(digest)
                    return seen
        content = dataclasses.replace(catalog, digest="")
        data = json.dumps(dataclasses.asdict(content), ensure_ascii=False, sort_keys=True).encode()
        digest = hashlib.sha256(data).hexdigest()
        if not self.store.exists(_key(digest)):
            self.store.put(_key(digest), data)  # same content, same key: a retry is harmless
        return self._remember(dataclasses.replace(catalog, digest=digest))

    def get(self, digest: str) -> Catalog:
        with self._lock:
            if digest in self._cache:
                self._cache.move_to_end(digest)
                return self._cache[digest]
        data = self.store.get(_key(digest))
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"pinned catalog {digest[:12]}… does not match its digest")
        parsed: Catalog = value_to_type(Catalog, json.loads(data))
        return self._remember(dataclasses.replace(parsed, digest=digest))

    def _remember(self, catalog: Catalog) -> Catalog:
        with self._lock:
            self._cache[catalog.digest] = catalog
            self._cache.move_to_end(catalog.digest)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return catalog
