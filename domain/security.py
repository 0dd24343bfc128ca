"""Who may do what: permissions, roles built from them, and the principal of a request.

Roles are data the city's admin edits (defaults in ``catalog/roles.json``); permissions are
the fixed vocabulary of actions the code checks. A role also has a scope: the visits its
holders may see — their own counter group, their whole department, or everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Permission(StrEnum):
    VISIT_CREATE = "visit.create"
    VISIT_READ = "visit.read"
    VISIT_STEP = "visit.step"
    VISIT_CANCEL = "visit.cancel"
    RESIDENT_SEARCH = "resident.search"
    DOCUMENT_READ = "document.read"
    CATALOG_READ = "catalog.read"
    FORM_PUBLISH = "form.publish"
    HANDOFF_REQUEUE = "handoff.requeue"
    VISIT_SUPERVISE = "visit.supervise"  # the dashboard: stalled visits, reassign, retry
    RPA_REPORT = "rpa.report"
    BPR_EXPORT = "bpr.export"
    USER_MANAGE = "user.manage"
    ROLE_MANAGE = "role.manage"
    AUDIT_READ = "audit.read"
    REGISTER_ADMIN = "register.admin"  # inbound 住民記録 files, rejections, quarantine
    MYNUMBER_READ = "mynumber.read"  # see 個人番号 unmasked (no default role has it)


class Scope(StrEnum):
    COUNTER_GROUP = "counter_group"  # visits of the user's own counter group
    DEPARTMENT = "department"  # every counter group of the user's department
    ALL = "all"  # the whole city (system administrators, auditors)


@dataclass
class Role:
    code: str
    name: str
    permissions: list[Permission]
    scope: Scope = Scope.COUNTER_GROUP


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    staff_id: str
    display_name: str
    roles: tuple[str, ...]
    permissions: frozenset[Permission]
    scope: Scope
    department: str
    counter_group: str
    terminal: str = ""
    via: str = "cookie"  # cookie (browser, needs CSRF) | bearer (API client)
    session_id: str = field(default="", compare=False)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def may_see(self, department: str, counter_group: str) -> bool:
        if self.scope == Scope.ALL:
            return True
        if department != self.department:
            return False
        return self.scope == Scope.DEPARTMENT or counter_group == self.counter_group


_SCOPE_RANK = {Scope.COUNTER_GROUP: 0, Scope.DEPARTMENT: 1, Scope.ALL: 2}


def combine(roles: list[Role]) -> tuple[frozenset[Permission], Scope]:
    """A user with several roles has the union of their permissions and the widest scope."""
    perms = frozenset(p for r in roles for p in r.permissions)
    scope = max((r.scope for r in roles), key=_SCOPE_RANK.__getitem__, default=Scope.COUNTER_GROUP)
    return perms, scope
