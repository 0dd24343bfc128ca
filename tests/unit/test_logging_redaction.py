import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from madoguchi.logging import configure_logging, get_logger


@pytest.fixture
def suite_logging() -> Iterator[None]:
    """Puts the suite's logging back as it was. Configuring it again instead would leave the
    root handler writing to this test's captured stderr, which pytest closes after the test:
    a later test's warning (a worker's activity logging) then fails with "I/O operation on
    closed file"."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.mark.usefixtures("suite_logging")
def test_personal_data_never_reaches_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    structlog.contextvars.bind_contextvars(workflow_id="visit-abc", visit_id="abc")
    try:
        get_logger("t").info(
            "resident found for 渡邉 明美",
            name="渡邉　明美",
            birth_date="1960-04-17",
            note="number 123456789012 on the card",
            count=3,
        )
        logging.getLogger("foreign").warning("stdlib line about 香川県高松市茜町")
    finally:
        structlog.contextvars.clear_contextvars()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    first, second = lines
    assert first["visit_id"] == "abc" and first["workflow_id"] == "visit-abc"
    assert first["name"] == "[REDACTED]" and first["birth_date"] == "[REDACTED]"
    assert "渡邉" not in first["event"] and "123456789012" not in first["note"]
    assert first["count"] == 3
    assert "高松" not in second["event"]
