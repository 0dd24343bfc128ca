"""Filling a form: a definition's fields and tables bound to one visit."""

from __future__ import annotations

from domain.binding import BindingContext, format_value, resolve, table_rows
from domain.form_definition import FormDefinition
from domain.visit import FilledForm, FilledTable, FormField


def fill_form(defn: FormDefinition, ctx: BindingContext) -> FilledForm:
    tables = []
    # A QR code's content travels as a field, so the confirmation screen shows it too.
    qr = [
        FormField(key=f"qr:{b.source}", label="QRコード", value=resolve(b.source, ctx))
        for b in defn.blocks
        if b.kind == "qr"
    ]
    for block in defn.blocks:
        if block.kind != "table":
            continue
        raw = table_rows(block.source, [c.item for c in block.columns], ctx)
        rows = [
            [format_value(v, c.format) for v, c in zip(row, block.columns, strict=True)]
            for row in raw
        ]
        tables.append(
            FilledTable(block.source, [c.label for c in block.columns], rows, block.label)
        )
    return FilledForm(
        form_code=defn.code,
        version=defn.version,
        title=defn.title,
        procedure_code=ctx.procedure_code,
        fields=[
            FormField(
                key=f.key,
                label=f.label,
                value=format_value(resolve(f.source, ctx), f.format),
                source=f.source,
            )
            for f in defn.fields
        ]
        + qr,
        needs_signature=defn.needs_signature,
        tables=tables,
    )
