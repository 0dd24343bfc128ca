"""What the admin API and screen do with form definitions: check, keep, preview, publish.

One place for both entrypoints, so the screen and the API answer the same problems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from adapters import form_store
from adapters.catalog_files import load_catalog
from adapters.db import session_scope
from adapters.pdf_forms import load_fonts, render_forms
from domain.binding import BindingContext
from domain.form_definition import FormDefinition, parse_form
from domain.forms import fill_form
from domain.resident import ResidentRecord
from domain.visit import IdCardData, IdSource, Proposal, ProposalStatus, Signature
from madoguchi.settings import Settings


@dataclass
class FormRow:
    code: str
    version: str
    title: str
    kind: str
    procedures: list[str]
    versions: list[str] = field(default_factory=list)


@dataclass
class PlannedForm:
    code: str
    title: str
    department: str
    note: str = ""


def known_procedures(settings: Settings) -> set[str]:
    return set(load_catalog(settings.catalog_dir).codes())


def check(settings: Settings, data: bytes) -> FormDefinition:
    """The definition if it is sound; FormDefinitionError listing every problem if not."""
    return parse_form(form_store.decode(data), known_procedures=known_procedures(settings))


def upload(settings: Settings, data: bytes, actor: str) -> FormDefinition:
    raw = form_store.decode(data)
    known = known_procedures(settings)
    with session_scope(settings.sqlalchemy_url) as session:
        form_store.ensure_seeded(session, settings.catalog_dir, known)
        return form_store.store(session, raw, actor=actor, known_procedures=known)


def publish(settings: Settings, code: str, version: str, actor: str) -> None:
    """Make a kept version current. Going back to an older one is a restore, and the
    audit log says so."""
    with session_scope(settings.sqlalchemy_url) as session:
        newest = next(iter(form_store.versions(session, code)), None)
        restore = newest is not None and newest.version != version
        form_store.publish(
            session, code, version, actor=actor,
            action="form.restore" if restore else "form.publish",
        )  # fmt: skip


def listing(settings: Settings) -> list[FormRow]:
    with session_scope(settings.sqlalchemy_url) as session:
        form_store.ensure_seeded(session, settings.catalog_dir, known_procedures(settings))
        current = form_store.current_versions(session)
        rows = []
        for code in form_store.all_codes(session):
            versions = [v.version for v in form_store.versions(session, code)]
            version = current.get(code, "")
            defn = form_store.get(session, code, version or versions[0])
            rows.append(
                FormRow(code, version, defn.title, defn.kind, list(defn.procedures), versions)
            )
        return rows


def definition(settings: Settings, code: str, version: str) -> str:
    with session_scope(settings.sqlalchemy_url) as session:
        return form_store.body(session, code, version)


def planned(catalog_dir: Path) -> list[PlannedForm]:
    raw = json.loads((catalog_dir / "forms_planned.json").read_text(encoding="utf-8"))
    return [PlannedForm(**p) for p in raw["forms"]]


SAMPLE_ANSWERS = {
    "moved_on": "2026-11-20",
    "copies": "1",
    "new_address": "香川県高松市番町1丁目1番",
}


def _sample(code: str) -> BindingContext:
    """A synthetic family (never a real person) to preview a form with."""
    head = "渡邉\U000e0110　一郎"

    def member(no: str, name: str, kana: str, born: str, sex: str, rel: str) -> ResidentRecord:
        return ResidentRecord(
            atena_no=f"000000000{no}", household_no="00000001", juminhyo_code="12345678901",
            name=name, kana=kana, birth_date=born, sex=sex, relationship=rel, head_name=head,
            postal_code="7600002", address="香川県高松市茜町1番2号", katagaki="見本101号",
            previous_address="東京都千代田区千代田1番1号",
        )  # fmt: skip

    family = [
        member("1", head, "ワタナベ　イチロウ", "1958-04-17", "1", "世帯主"),
        member("2", "渡邉\U000e0110　葛\U000e0103子", "ワタナベ　カツコ", "1960-09-02", "2", "妻"),
        member("3", "渡邉\U000e0110　翔太", "ワタナベ　ショウタ", "2016-06-30", "1", "孫"),
    ]
    return BindingContext(
        visit_id="preview", ticket_no=1, today="2026-11-25", resident=family[0],
        applicant=IdCardData(IdSource.MYNUMBER_CARD, head, "1958-04-17", "香川県高松市茜町1番2号"),
        procedure_code=code, procedure_name="（見本）", fee_yen=300,
        answers=SAMPLE_ANSWERS,
        household=family, context_url="https://example.invalid/ui/visits/preview",
        guidance=[Proposal("x", "（見本）関連手続", ProposalStatus.PROPOSE, place="○○課",
                           bring=["本人確認書類"])],
        city_name="高松市", mayor="高松市長", visit_procedures=["tenkyo"],
    )  # fmt: skip


def preview(settings: Settings, defn: FormDefinition) -> bytes:
    """The form filled with sample data, marked 見本, as the printer would get it."""
    form = fill_form(defn, _sample(defn.procedures[0] if defn.procedures else ""))
    sig = Signature([[[0.1, 0.6], [0.3, 0.3], [0.5, 0.6]]]) if defn.needs_signature else None
    fonts = load_fonts(settings.font_path, settings.mjplus_font_path)
    return render_forms([(defn, form)], header="見本 SAMPLE", signature=sig, fonts=fonts).data


def preview_stored(settings: Settings, code: str, version: str) -> bytes:
    with session_scope(settings.sqlalchemy_url) as session:
        defn = form_store.get(session, code, version)
    return preview(settings, defn)
