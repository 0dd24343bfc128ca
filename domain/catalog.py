"""The city's catalog as types: procedures, their questions, forms and CSV layouts.

The catalog is data (``catalog/*.json``) that city admins edit; a visit pins the
version it started with, so an edit never changes a visit in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Question:
    """Something staff ask during the interview (e.g. the new address for 転居)."""

    key: str
    label: str
    kind: str = "text"  # text | int | date
    required: bool = True
    max_length: int = 200
    min_value: int | None = None
    max_value: int | None = None


@dataclass
class FieldSpec:
    key: str
    label: str
    source: str  # e.g. resident.name, applicant.name, answer.copies, visit.today
    format: str = "text"  # text | wareki | zip | yen


@dataclass
class FormSpec:
    code: str
    version: str
    title: str
    fields: list[FieldSpec]
    needs_signature: bool = True


@dataclass
class CsvColumn:
    name: str
    source: str
    format: str = "text"


@dataclass
class CsvLayout:
    code: str
    version: str
    columns: list[CsvColumn]


@dataclass
class Procedure:
    code: str
    name: str
    name_en: str
    category: str
    form: FormSpec
    layout: CsvLayout
    fee_yen: int = 0
    questions: list[Question] = field(default_factory=list)


@dataclass
class Catalog:
    version: str
    procedures: list[Procedure]

    def procedure(self, code: str) -> Procedure | None:
        return next((p for p in self.procedures if p.code == code), None)

    def codes(self) -> list[str]:
        return [p.code for p in self.procedures]
