from domain.security import Permission, Principal, Role, Scope, combine


def principal(scope: Scope, department: str = "shimin", group: str = "honcho") -> Principal:
    return Principal("s", "s", ("r",), frozenset({Permission.VISIT_READ}), scope, department, group)


def test_scope_decides_whose_visits_one_sees() -> None:
    clerk, supervisor, admin = (
        principal(Scope.COUNTER_GROUP), principal(Scope.DEPARTMENT), principal(Scope.ALL)
    )  # fmt: skip
    assert clerk.may_see("shimin", "honcho") and not clerk.may_see("shimin", "shisho")
    assert supervisor.may_see("shimin", "shisho") and not supervisor.may_see("hoken", "honcho")
    assert not clerk.may_see("hoken", "honcho")  # another department, even the same group name
    assert admin.may_see("hoken", "anything")


def test_several_roles_give_the_union_and_the_widest_scope() -> None:
    perms, scope = combine(
        [
            Role("a", "A", [Permission.VISIT_READ], Scope.COUNTER_GROUP),
            Role("b", "B", [Permission.AUDIT_READ], Scope.DEPARTMENT),
        ]
    )
    assert perms == {Permission.VISIT_READ, Permission.AUDIT_READ} and scope == Scope.DEPARTMENT
    assert combine([]) == (frozenset(), Scope.COUNTER_GROUP)
