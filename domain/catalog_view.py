"""The pinned catalog as a visit's workflow holds it.

The workflow checks each step against the catalog it pinned: which procedures exist, what
they ask, who they are for, whether a layout is written per 異動者, which facts 手続ナビ
asks. The CSV layouts' columns, code tables and 縮退 table, and 手続ナビ's items and
rules, it never reads: the activities that do (filling, 手続ナビ, handoff) read the whole
pinned catalog by its digest. Left out of the workflow's copy, they are left out of every
visit's history — about two thirds of the pinned catalog, and of what the worker encrypts
and the server stores for it.
"""

from __future__ import annotations

import json
from dataclasses import replace

from domain.catalog import Catalog, CsvLayout, Degradation, Procedure
from domain.navi import navi_rules


def workflow_view(catalog: Catalog) -> Catalog:
    """``catalog`` without what only the activities read. It keeps the digest they read the
    whole of it by, so it is only for a catalog already kept under one."""
    if not catalog.digest:
        raise ValueError("only a pinned catalog (one with a digest) has a workflow view")
    return replace(
        catalog,
        procedures=[_procedure(p) for p in catalog.procedures],
        navi=_questions_only(catalog),
    )


def _procedure(p: Procedure) -> Procedure:
    layout: CsvLayout = replace(
        p.layout, columns=[], code_tables={}, degradation=Degradation(p.layout.degradation.version)
    )
    return replace(p, layout=layout)


def _questions_only(catalog: Catalog) -> str:
    """手続ナビ's rules reduced to the facts the interview asks (what a step's answers are
    checked against); its items and rules are for proposing, an activity's work."""
    if not catalog.navi:
        return catalog.navi
    asked = {f.key for f in navi_rules(catalog).asked()}
    raw = json.loads(catalog.navi)
    facts = {k: v for k, v in raw["facts"].items() if k in asked}
    return json.dumps(
        {"version": raw.get("version", ""), "facts": facts, "items": {}, "rules": []},
        ensure_ascii=False,
    )
