"""Sessions end after the idle timeout and after the absolute timeout, whatever happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters import sessions, users
from adapters.db import session_scope
from adapters.tables import SessionRow, UserRow

IDLE, ABSOLUTE = timedelta(minutes=30), timedelta(hours=10)


def _age(url: str, token: str, *, created: timedelta, seen: timedelta) -> None:
    with session_scope(url) as session:
        row = session.get(SessionRow, sessions.token_hash(token))
        assert row is not None
        now = datetime.now(UTC)
        row.created_at, row.last_seen_at = now - created, now - seen
        session.add(row)
        session.commit()


def test_idle_and_absolute_timeouts(database_url: str) -> None:
    with session_scope(database_url) as session:
        active = sessions.create(session, "staff01", kind="cookie", terminal="t")
        idle = sessions.create(session, "staff01", kind="cookie", terminal="t")
        old = sessions.create(session, "staff01", kind="cookie", terminal="t")
    _age(database_url, active.token, created=timedelta(hours=2), seen=timedelta(minutes=29))
    _age(database_url, idle.token, created=timedelta(hours=2), seen=timedelta(minutes=31))
    _age(database_url, old.token, created=timedelta(hours=10, minutes=1), seen=timedelta(0))
    with session_scope(database_url) as session:
        assert sessions.resolve(session, active.token, idle=IDLE, absolute=ABSOLUTE) is not None
        assert sessions.resolve(session, idle.token, idle=IDLE, absolute=ABSOLUTE) is None
        assert sessions.resolve(session, old.token, idle=IDLE, absolute=ABSOLUTE) is None
        # Expired sessions are gone, not just refused.
        assert session.get(SessionRow, sessions.token_hash(idle.token)) is None
        assert sessions.resolve(session, "made-up", idle=IDLE, absolute=ABSOLUTE) is None


def test_a_session_comes_with_its_user_and_outlives_a_removed_account(database_url: str) -> None:
    with session_scope(database_url) as session:
        account = users.StaffAccount("s77", "職員77", ["madoguchi"], "shimin", "honcho")
        users.upsert(session, account)
        session.commit()
        login = sessions.create(session, "s77", kind="cookie", terminal="t")
        live = sessions.resolve(session, login.token, idle=IDLE, absolute=ABSOLUTE)
        assert live is not None and live[1] is not None and live[1].staff_id == "s77"
        user = session.get(UserRow, "s77")
        session.delete(user)
        session.commit()
        # The account's removal is the caller's to act on (accounts ends the session).
        live = sessions.resolve(session, login.token, idle=IDLE, absolute=ABSOLUTE)
        assert live is not None and live[1] is None
