"""Form definitions in the database: every uploaded version kept, one current per form.

The shipped ``catalog/forms/*.json`` are seeded as versions by ``seed_from_files``; after
that the city's admin owns them: upload a new version, preview it, publish it, and restore
an older one by publishing it again. A (code, version) pair is immutable, which is what
lets a visit pin versions and lets workers cache definitions without ever going stale.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from adapters import audit
from adapters.tables import FormCurrentRow, FormVersionRow
from domain.catalog import Catalog
from domain.form_definition import FormDefinition, FormDefinitionError, parse_form

MAX_UPLOAD_BYTES = 256 * 1024


class FormStoreError(ValueError):
    pass


@dataclass
class VersionInfo:
    code: str
    version: str
    title: str
    uploaded_at: datetime
    uploaded_by: str
    current: bool


def decode(data: bytes, name: str = "upload") -> object:
    if len(data) > MAX_UPLOAD_BYTES:
        raise FormDefinitionError([f"{name}: larger than {MAX_UPLOAD_BYTES // 1024} KB"])
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise FormDefinitionError([f"{name}: not UTF-8 text"]) from None
    except json.JSONDecodeError as e:
        raise FormDefinitionError([f"{name}: not JSON (line {e.lineno}: {e.msg})"]) from None


def _canonical(raw: object) -> str:
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, indent=1)


def load_files(catalog_dir: Path, known_procedures: set[str]) -> list[tuple[FormDefinition, str]]:
    """The shipped definitions with their canonical JSON; the first bad file stops the load."""
    out = []
    for path in sorted((catalog_dir / "forms").glob("*.json")):
        if path.name.endswith(".schema.json"):
            continue
        raw = decode(path.read_bytes(), path.name)
        try:
            defn = parse_form(raw, known_procedures=known_procedures)
        except FormDefinitionError as e:
            raise FormDefinitionError([f"{path.name}: {p}" for p in e.problems]) from None
        out.append((defn, _canonical(raw)))
    return out


def _version_row(session: Session, code: str, version: str) -> FormVersionRow | None:
    return session.exec(
        select(FormVersionRow)
        .where(FormVersionRow.code == code)
        .where(FormVersionRow.version == version)
    ).first()


def store(
    session: Session, raw: object, *, actor: str, known_procedures: set[str]
) -> FormDefinition:
    """Keep a checked definition as a new version (not yet current). Same bytes again: no-op."""
    defn = parse_form(raw, known_procedures=known_procedures)
    body = _canonical(raw)
    digest = hashlib.sha256(body.encode()).hexdigest()
    existing = _version_row(session, defn.code, defn.version)
    if existing is not None:
        if existing.sha256 != digest:
            raise FormDefinitionError(
                [f"form {defn.code}, version: {defn.version} already exists with other content;"
                 " give the new definition a new version"]
            )  # fmt: skip
        return defn
    session.add(
        FormVersionRow(
            code=defn.code, version=defn.version, title=defn.title, body=body, sha256=digest,
            uploaded_by=actor,
        )
    )  # fmt: skip
    # Committed before the audit entry: the chain's lock must not wait on this session.
    session.commit()
    audit.record(session, actor=actor, action="form.upload", detail=f"{defn.code}@{defn.version}")
    return defn


def publish(session: Session, code: str, version: str, *, actor: str, action: str) -> None:
    """Make ``version`` the one new visits pin; visits in flight keep theirs."""
    row = _version_row(session, code, version)
    if row is None:
        raise FormStoreError(f"form {code} has no version {version}")
    current = session.get(FormCurrentRow, code)
    before = current.version if current else ""
    if current is None:
        current = FormCurrentRow(code=code, version=version, published_by=actor)
    current.version, current.published_by = version, actor
    current.published_at = datetime.now(UTC)
    session.add(current)
    session.commit()
    audit.record(session, actor=actor, action=action, detail=f"{code}@{before or '-'}→{version}")


def seed_from_files(session: Session, catalog_dir: Path, known_procedures: set[str]) -> int:
    """Add shipped versions the database lacks; publish a form only if it has no current one."""
    added = 0
    for defn, _body in load_files(catalog_dir, known_procedures):
        before = _version_row(session, defn.code, defn.version)
        raw = json.loads(_body)
        store(session, raw, actor="seed", known_procedures=known_procedures)
        added += before is None
        if session.get(FormCurrentRow, defn.code) is None:
            publish(session, defn.code, defn.version, actor="seed", action="form.publish")
    return added


def ensure_seeded(session: Session, catalog_dir: Path, known_procedures: set[str]) -> None:
    """Seed the shipped forms into a database that has none yet (first start, new test DB)."""
    if not current_versions(session):
        seed_from_files(session, catalog_dir, known_procedures)


_cache: dict[tuple[str, str, str], FormDefinition] = {}
_cache_lock = threading.Lock()


def get(session: Session, code: str, version: str) -> FormDefinition:
    row = _version_row(session, code, version)
    if row is None:
        raise FormStoreError(f"form {code} has no version {version}")
    key = (code, version, row.sha256)
    hit = _from_cache(key)
    if hit is None:
        # Stored definitions passed parse_form on upload; procedures may since have gone,
        # so they are not checked again here (the pinned catalog decides what is offered).
        parsed = parse_form(json.loads(row.body))
        with _cache_lock:
            hit = _cache.setdefault(key, parsed)
    return hit


def _from_cache(key: tuple[str, str, str]) -> FormDefinition | None:
    """The parsed definition of (code, version, sha256), if this process has read it."""
    with _cache_lock:
        return _cache.get(key)


def body(session: Session, code: str, version: str) -> str:
    row = _version_row(session, code, version)
    if row is None:
        raise FormStoreError(f"form {code} has no version {version}")
    return row.body


def current_versions(session: Session) -> dict[str, str]:
    return {r.code: r.version for r in session.exec(select(FormCurrentRow))}


def versions(session: Session, code: str) -> list[VersionInfo]:
    current = session.get(FormCurrentRow, code)
    rows = session.exec(
        select(FormVersionRow)
        .where(FormVersionRow.code == code)
        .order_by(col(FormVersionRow.uploaded_at).desc(), col(FormVersionRow.id).desc())
    )
    return [
        VersionInfo(
            r.code,
            r.version,
            r.title,
            r.uploaded_at,
            r.uploaded_by,
            current is not None and current.version == r.version,
        )
        for r in rows
    ]


def all_codes(session: Session) -> list[str]:
    return sorted(set(session.exec(select(FormVersionRow.code))))


def pin(session: Session, catalog: Catalog) -> Catalog:
    """The catalog with the current version of every form attached to its procedures."""
    current = current_versions(session)
    # Every visit pins: one query for all current forms' digests (their definitions are
    # cached by digest) instead of a query and a body per form. Forms print in the order
    # they were first added: shipped forms before later additions.
    rows = session.exec(
        select(FormVersionRow.code, FormVersionRow.version, FormVersionRow.sha256)
        .where(col(FormVersionRow.code).in_(list(current)))
        .order_by(col(FormVersionRow.id))
    ).all()
    order = list(dict.fromkeys(code for code, _, _ in rows))
    digests = {code: sha for code, version, sha in rows if version == current[code]}
    return attach_forms(
        catalog, [_cached(session, code, current[code], digests.get(code, "")) for code in order]
    )


def _cached(session: Session, code: str, version: str, sha256: str) -> FormDefinition:
    hit = _from_cache((code, version, sha256))
    return hit if hit is not None else get(session, code, version)


def attach_forms(catalog: Catalog, definitions: list[FormDefinition]) -> Catalog:
    procedures = [replace(p, forms=[]) for p in catalog.procedures]
    by_code = {p.code: p for p in procedures}
    guidance = ""
    for d in definitions:
        if d.kind == "guidance":
            guidance = guidance or d.code
        for code in d.procedures:
            if code in by_code:
                by_code[code].forms.append(d.code)
    return replace(
        catalog,
        procedures=procedures,
        forms={d.code: d.version for d in definitions},
        guidance_form=guidance,
    )
