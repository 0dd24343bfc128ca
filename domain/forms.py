"""Filling a form: the catalog's field specs bound to one resident and one visit."""

from __future__ import annotations

from domain.binding import BindingContext, format_value, resolve
from domain.catalog import FormSpec
from domain.visit import FilledForm, FormField


def fill_form(spec: FormSpec, ctx: BindingContext) -> FilledForm:
    return FilledForm(
        form_code=spec.code,
        version=spec.version,
        title=spec.title,
        procedure_code=ctx.procedure_code,
        fields=[
            FormField(
                key=f.key, label=f.label, value=format_value(resolve(f.source, ctx), f.format)
            )
            for f in spec.fields
        ],
        needs_signature=spec.needs_signature,
    )
