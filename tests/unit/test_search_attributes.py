"""Our attributes read back from a listing's raw fields as the SDK would decode them."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.api.common.v1 import SearchAttributes
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.converter import encode_search_attributes

from adapters import search_attributes as sa


def test_every_attribute_a_list_shows_reads_back_as_written() -> None:
    entered = datetime(2026, 11, 26, 8, 30, 15, 123456, tzinfo=UTC)
    written = TypedSearchAttributes(
        [
            SearchAttributePair(sa.STEP, "lookup"),
            SearchAttributePair(sa.STEP_ENTERED_AT, entered),
            SearchAttributePair(sa.COUNTER, "C01"),
            SearchAttributePair(sa.STAFF, "staff01"),
            SearchAttributePair(sa.PROCEDURES, ["tennyu", "juminhyo"]),
            SearchAttributePair(sa.NEEDS_ATTENTION, True),
        ]
    )
    raw = SearchAttributes()
    encode_search_attributes(written, raw)
    fields = raw.indexed_fields
    assert sa.listed_value(fields, sa.STEP) == "lookup"
    assert sa.listed_value(fields, sa.STEP_ENTERED_AT) == entered
    assert sa.listed_value(fields, sa.COUNTER) == "C01"
    assert sa.listed_value(fields, sa.STAFF) == "staff01"
    assert sa.listed_value(fields, sa.PROCEDURES) == ["tennyu", "juminhyo"]
    assert sa.listed_value(fields, sa.NEEDS_ATTENTION) is True
    assert sa.listed_value(fields, sa.DEPARTMENT) is None  # not set: nothing, no error
