"""Custom search attributes of a counter visit: queues and stalled visits are queries."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

STEP = SearchAttributeKey.for_keyword("MadoStep")
STEP_ENTERED_AT = SearchAttributeKey.for_datetime("MadoStepEnteredAt")
COUNTER = SearchAttributeKey.for_keyword("MadoCounter")
STAFF = SearchAttributeKey.for_keyword("MadoStaff")
PROCEDURES = SearchAttributeKey.for_keyword_list("MadoProcedures")
NEEDS_ATTENTION = SearchAttributeKey.for_bool("MadoNeedsAttention")
DEPARTMENT = SearchAttributeKey.for_keyword("MadoDepartment")
COUNTER_GROUP = SearchAttributeKey.for_keyword("MadoCounterGroup")

ALL = (
    STEP,
    STEP_ENTERED_AT,
    COUNTER,
    STAFF,
    PROCEDURES,
    NEEDS_ATTENTION,
    DEPARTMENT,
    COUNTER_GROUP,
)

# The dev server's --search-attribute flag takes these type names.
SEARCH_ATTRIBUTE_TYPES: dict[str, str] = {
    STEP.name: "Keyword",
    STEP_ENTERED_AT.name: "Datetime",
    COUNTER.name: "Keyword",
    STAFF.name: "Keyword",
    PROCEDURES.name: "KeywordList",
    NEEDS_ATTENTION.name: "Bool",
    DEPARTMENT.name: "Keyword",
    COUNTER_GROUP.name: "Keyword",
}


def initial_attributes(department: str, counter_group: str) -> TypedSearchAttributes:
    """Set at start so a fresh visit shows in the reception queue before its first task."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(STEP, "reception"),
            SearchAttributePair(NEEDS_ATTENTION, False),
            SearchAttributePair(DEPARTMENT, department),
            SearchAttributePair(COUNTER_GROUP, counter_group),
        ]
    )
