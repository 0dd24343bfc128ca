"""Login use cases: password or IC card + PIN, lockout, sessions, and the request principal.

Every attempt — good, bad, locked, inactive — is written to the audit log. A refusal says
the same thing whether the staff id exists or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from adapters import audit, roles, sessions, users
from adapters.db import session_scope
from adapters.passwords import verify_secret
from adapters.tables import UserRow
from domain.security import Principal, combine
from madoguchi.settings import Settings

REFUSED = "職員IDまたはパスワードが違います / wrong staff id or password"
CARD_REFUSED = "カードまたはPINが違います / unknown card or wrong PIN"
LOCKED = (
    "ログインが一時的にロックされています。しばらくしてから再度お試しください"
    " / account locked for now"
)


class LoginRefused(Exception):
    pass


@dataclass
class Login:
    principal: Principal
    token: str
    csrf_token: str


def _principal(
    session: Session, user: UserRow, *, via: str, terminal: str, session_id: str
) -> Principal:
    held = roles.get_many(session, users.roles_of(user))
    perms, scope = combine(held)
    return Principal(
        staff_id=user.staff_id,
        display_name=user.display_name,
        roles=tuple(r.code for r in held),
        permissions=perms,
        scope=scope,
        department=user.department,
        counter_group=user.counter_group,
        terminal=terminal,
        via=via,
        session_id=session_id,
    )


def _attempt(
    session: Session,
    settings: Settings,
    user: UserRow | None,
    secret_ok: bool,
    *,
    claimed: str,
    method: str,
    kind: str,
    terminal: str,
    refused: str,
) -> Login:
    now = datetime.now(UTC)

    def log(result: str) -> None:
        audit.record(
            session, actor=claimed, action=f"login.{method}", terminal=terminal, result=result
        )

    if user is None:
        log("refused:unknown")
        raise LoginRefused(refused)
    if not user.active:
        log("refused:inactive")
        raise LoginRefused(refused)
    locked_until = users.as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        log("refused:locked")
        raise LoginRefused(LOCKED)
    if not secret_ok:
        user.failed_logins += 1
        locking = user.failed_logins >= settings.login_max_failures
        if locking:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
        session.add(user)
        session.commit()
        log("refused:locked_now" if locking else "refused:secret")
        raise LoginRefused(LOCKED if locking else refused)
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    session.commit()
    # Always a new session: a token planted before login is never promoted (fixation).
    new = sessions.create(session, user.staff_id, kind=kind, terminal=terminal)
    principal = _principal(session, user, via=kind, terminal=terminal, session_id=new.token)
    log("ok")
    return Login(principal, new.token, new.csrf_token)


def login_with_password(
    settings: Settings, staff_id: str, password: str, *, kind: str, terminal: str
) -> Login:
    with session_scope(settings.sqlalchemy_url) as session:
        user = users.get(session, staff_id)
        ok = verify_secret(user.password_hash if user else "", password)
        return _attempt(
            session, settings, user, ok, claimed=staff_id[:40], method="password",
            kind=kind, terminal=terminal, refused=REFUSED,
        )  # fmt: skip


def login_with_card(
    settings: Settings, card_id: str, pin: str, *, kind: str, terminal: str
) -> Login:
    with session_scope(settings.sqlalchemy_url) as session:
        user = users.by_card(session, card_id)
        ok = verify_secret(user.pin_hash if user else "", pin)
        claimed = user.staff_id if user else f"card:{users.card_hash(card_id)[:12]}"
        return _attempt(
            session, settings, user, ok, claimed=claimed, method="card",
            kind=kind, terminal=terminal, refused=CARD_REFUSED,
        )  # fmt: skip


def login_with_oidc(settings: Settings, staff_id: str, *, terminal: str) -> Login:
    """The provider proved who this is; the account here must exist, be active and unlocked,
    and its roles come from here, not from the provider."""
    with session_scope(settings.sqlalchemy_url) as session:
        user = users.get(session, staff_id)
        return _attempt(
            session, settings, user, True, claimed=staff_id[:40], method="oidc",
            kind="cookie", terminal=terminal, refused=REFUSED,
        )  # fmt: skip


def principal_for_token(
    settings: Settings, token: str, *, terminal: str
) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live session, or None."""
    with session_scope(settings.sqlalchemy_url) as session:
        live = sessions.resolve(
            session,
            token,
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
        )
        if live is None:
            return None
        row, user = live
        if user is None or not user.active:
            sessions.end(session, token)
            return None
        principal = _principal(
            session, user, via=row.kind, terminal=terminal or row.terminal, session_id=token
        )
        return principal, row.csrf_token


def logout(settings: Settings, token: str, principal: Principal) -> None:
    with session_scope(settings.sqlalchemy_url) as session:
        sessions.end(session, token)
        audit.record(
            session, actor=principal.staff_id, action="logout", terminal=principal.terminal
        )


def logout_everywhere(settings: Settings, principal: Principal) -> int:
    with session_scope(settings.sqlalchemy_url) as session:
        ended = sessions.end_all(session, principal.staff_id)
        audit.record(
            session, actor=principal.staff_id, action="logout.everywhere",
            terminal=principal.terminal, detail=f"sessions={ended}",
        )  # fmt: skip
        return ended
