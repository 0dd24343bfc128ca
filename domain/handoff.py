"""申請受付データ: the CSV rows the core system's RPA types in."""

from __future__ import annotations

import csv
import io

from domain.binding import BindingContext, format_value, resolve
from domain.catalog import CsvLayout


def record_id(visit_id: str, procedure_code: str) -> str:
    """Stable per visit and procedure, so a retried handoff writes the same record."""
    return f"{visit_id}-{procedure_code}"


def csv_row(layout: CsvLayout, ctx: BindingContext) -> list[str]:
    return [format_value(resolve(c.source, ctx), c.format) for c in layout.columns]


def render_csv(layout: CsvLayout, rows: list[list[str]]) -> bytes:
    """RFC 4180, UTF-8 without BOM, CRLF line endings, header of the layout's column names."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.name for c in layout.columns])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
