"""The audit chain on SQLite and PostgreSQL: intact, then tampered with."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from adapters import audit
from adapters.db import session_scope
from adapters.tables import AuditRow
from madoguchi.cli import main as mado
from madoguchi.settings import Settings


def _fill(url: str, n: int = 6) -> None:
    with session_scope(url) as session:
        for i in range(n):
            audit.record(session, actor=f"staff{i}", action="resident.read", subject=f"{i:010d}")


def test_chain_verifies_and_an_edited_row_is_named(database_url: str) -> None:
    _fill(database_url)
    with session_scope(database_url) as session:
        assert audit.verify(session).ok
        third = session.exec(select(AuditRow).order_by(AuditRow.id).offset(2)).first()  # type: ignore[arg-type]
        assert third is not None
        session.exec(
            text("update audit_log set actor = 'mallory' where id = :id").bindparams(id=third.id)
        )  # type: ignore[call-overload]
        session.commit()
        report = audit.verify(session)
    assert not report.ok and report.row_id == third.id and "改ざん" in report.problem


def test_a_deleted_row_breaks_the_next_link(database_url: str) -> None:
    _fill(database_url)
    with session_scope(database_url) as session:
        ids = [r.id for r in session.exec(select(AuditRow).order_by(AuditRow.id)).all()]  # type: ignore[arg-type]
        session.exec(text("delete from audit_log where id = :id").bindparams(id=ids[3]))  # type: ignore[call-overload]
        session.commit()
        report = audit.verify(session)
    assert not report.ok and report.row_id == ids[4] and "chain link broken" in report.problem


def test_concurrent_appends_keep_one_chain(database_url: str) -> None:
    def writer(n: int) -> None:
        with session_scope(database_url) as session:
            for i in range(15):
                audit.record(session, actor=f"t{n}", action="x", detail=str(i))

    _together([threading.Thread(target=writer, args=(n,)) for n in range(4)])
    with session_scope(database_url) as session:
        report = audit.verify(session)
    assert report.ok and report.rows == 60


def _together(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_a_household_read_is_one_entry_a_person_appended_together(database_url: str) -> None:
    """record_many (one turn of the lock) beside single appends from other threads: every
    person has an entry, a batch's entries stay next to each other, the chain verifies."""

    def household(n: int) -> None:
        with session_scope(database_url) as session:
            for i in range(10):
                people = [f"{n}{i}{m:08d}" for m in range(3)]
                audit.record_many(
                    session,
                    [audit.Entry(f"t{n}", "resident.read", visit_id=f"v{n}-{i}", subject=p)
                     for p in people],
                )  # fmt: skip

    def single() -> None:
        with session_scope(database_url) as session:
            for i in range(10):
                audit.record(session, actor="s", action="x", detail=str(i))

    _together(
        [threading.Thread(target=household, args=(n,)) for n in range(3)]
        + [threading.Thread(target=single)]
    )
    with session_scope(database_url) as session:
        report = audit.verify(session)
        rows = session.exec(select(AuditRow).order_by(AuditRow.id)).all()  # type: ignore[arg-type]
    assert report.ok and report.rows == 3 * 10 * 3 + 10
    visits = [r.visit_id for r in rows if r.visit_id]
    runs = [v for k, v in enumerate(visits) if k == 0 or visits[k - 1] != v]
    assert len(runs) == 30 and all(visits.count(v) == 3 for v in runs)


def test_mado_audit_verify_exits_1_and_names_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path)
    monkeypatch.setenv("MADO_DATA_DIR", str(tmp_path))
    from madoguchi import settings as settings_module

    settings_module.get_settings.cache_clear()
    try:
        _fill(settings.sqlalchemy_url)
        assert mado(["audit", "verify"]) == 0
        with session_scope(settings.sqlalchemy_url) as session:
            session.exec(text("update audit_log set detail = 'x' where id = 2"))  # type: ignore[call-overload]
            session.commit()
        assert mado(["audit", "verify"]) == 1
        assert "row 2" in capsys.readouterr().err
        out = tmp_path / "audit.csv"
        assert mado(["audit", "export", "--out", str(out)]) == 0
        assert out.read_text(encoding="utf-8").splitlines()[0].startswith("id,at,actor")
    finally:
        settings_module.get_settings.cache_clear()


def test_retention_purge_keeps_the_rest_of_the_chain_checkable(database_url: str) -> None:
    _fill(database_url, 8)
    with session_scope(database_url) as session:
        rows = session.exec(select(AuditRow).order_by(AuditRow.id)).all()  # type: ignore[arg-type]
        cutoff = rows[4].at  # rows 0-3 are older than this
        assert audit.purge_before(session, cutoff, actor="test") == 4
        report = audit.verify(session)
        assert report.ok and report.rows == 5  # 4 left + the purge's own entry
        session.exec(text("update audit_anchor set last_hash = :h").bindparams(h="0" * 64))  # type: ignore[call-overload]
        session.commit()
        assert not audit.verify(session).ok  # the anchor is part of the chain too
