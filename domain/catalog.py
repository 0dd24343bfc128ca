"""The city's catalog as types: procedures, their questions, forms and CSV layouts.

The catalog is data (``catalog/*.json``) that city admins edit; a visit pins the
version it started with — procedures, 手続ナビ rules and the version of every form — so an
edit never changes a visit in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Question:
    """Something staff ask during the interview (e.g. the new address for 転居)."""

    key: str
    label: str
    kind: str = "text"  # text | int | date | members (異動者: atena numbers, comma-separated)
    required: bool = True
    max_length: int = 200
    min_value: int | None = None
    max_value: int | None = None
    # Each procedure asking it has its own answer (通数: 住民票の写し 2通 and 印鑑登録証明書
    # 1通 in one visit); otherwise the visit has one answer for every procedure asking it
    # (異動年月日, 新住所: one move).
    per_procedure: bool = False

    def answer_key(self, procedure: str) -> str:
        """The key of this question's answer in a visit's answers for ``procedure``."""
        return procedure_key(procedure, self.key) if self.per_procedure else self.key


def procedure_key(procedure: str, key: str) -> str:
    """A procedure's own answer to ``key`` in a visit's answers: ``juminhyo.copies``."""
    return f"{procedure}.{key}"


def answer_for(answers: dict[str, str], procedure: str, key: str) -> str:
    """The answer to ``key`` for ``procedure``: its own (``juminhyo.copies``) where the
    question is asked per procedure, else the visit's (``copies``) — which is also what an
    API client sending one value for every procedure gets."""
    return answers.get(procedure_key(procedure, key)) or answers.get(key, "")


# Layouts written one record per person (CsvLayout.records) rather than per procedure.
PER_PERSON = frozenset({"mover", "person"})
# The answer naming who moves (異動者) in 転入・転居・転出: atena numbers, comma-separated.
MOVERS = "movers"
# Who heads the 異動者 after the move, where the 世帯主 stays. Not 世帯変更届's `new_head`
# (the head of the household that stays): both can be asked in one visit.
MOVERS_HEAD = "movers_head"


def split_members(value: str) -> list[str]:
    """The atena numbers of a ``members`` answer, in the order given, blanks dropped."""
    return [a.strip() for a in value.split(",") if a.strip()]


def movers(answers: dict[str, str]) -> list[str] | None:
    """The 異動者 the interview named, or None where it named none: the whole household
    moves (what an API client sending no 異動者 means, and what visits before the question
    existed did)."""
    named = split_members(answers.get(MOVERS, ""))
    return named or None


@dataclass
class CsvColumn:
    name: str
    source: str
    format: str = "text"  # a binding format, or "date" for the layout's date format
    codes: str = ""  # a code table the value is translated through (e.g. 続柄 → 02)
    max_length: int = 0  # 0: no limit; a longer value holds the record for staff


@dataclass
class Degradation:
    """MJ縮退: characters the core system cannot hold, replaced by ones it can (髙→高 style).
    Applied only where a layout asks for it; every replacement is recorded on the record."""

    version: str = ""
    chars: dict[str, str] = field(default_factory=dict)
    strip_ivs: bool = False  # drop variation selectors (葛󠄃 → 葛) rather than hold the record


@dataclass
class CsvLayout:
    """申請受付データ for one kind of procedure, as the core system's RPA expects it."""

    code: str
    version: str
    columns: list[CsvColumn]
    title: str = ""
    encoding: str = "utf-8"  # utf-8 | cp932
    header: bool = True
    line_ending: str = "crlf"  # crlf | lf
    date_format: str = "yyyymmdd"  # yyyymmdd | yyyy-mm-dd | wareki | gengo7 (R081125 → 5081125)
    degrade: bool = False  # apply the 縮退 table before encoding (cp932 layouts)
    # procedure: one record per procedure of a visit; mover: one per 異動者 (the core
    # system records a move person by person), each bound as that person; person: as
    # mover, and a 世帯変更届 beside a move that named its 異動者 is one record per person
    # who stays (the 世帯主 whose household it changes left) — not one bound as the visit's
    # resident, who may be the 世帯主 leaving.
    records: str = "procedure"
    # The code tables its columns use, copied in at load so a pinned layout keeps them.
    code_tables: dict[str, dict[str, str]] = field(default_factory=dict)
    degradation: Degradation = field(default_factory=Degradation)

    @property
    def ref(self) -> str:
        return f"{self.code}@{self.version}"


@dataclass
class Procedure:
    code: str
    name: str
    name_en: str
    category: str
    layout: CsvLayout
    fee_yen: int = 0
    questions: list[Question] = field(default_factory=list)
    place: str = ""  # the counter that handles it, for the guidance sheet
    # 住民状態 the subject must have: 住民, or 転入予定 for a 転入 not yet recorded.
    subject_status: list[str] = field(default_factory=lambda: ["住民"])
    # The forms printed for it, as code → pinned version (from catalog/forms at pin time).
    forms: list[str] = field(default_factory=list)

    @property
    def per_mover(self) -> bool:
        """One record per 異動者: its layout is written per person and it asks who moves."""
        return self.layout.records in PER_PERSON and self._asks_who_moves

    @property
    def per_stayer(self) -> bool:
        """One record per person who stays, beside a move that named its 異動者: a
        procedure on a ``person`` layout that does not ask who moves (世帯変更届). On a
        ``mover`` layout (idou@3) it keeps one record, bound as the visit's resident."""
        return self.layout.records == "person" and not self._asks_who_moves

    @property
    def _asks_who_moves(self) -> bool:
        return any(q.kind == "members" for q in self.questions)


@dataclass
class Catalog:
    version: str
    procedures: list[Procedure]
    # Every current form definition, code → version: the versions this visit prints with.
    forms: dict[str, str] = field(default_factory=dict)
    guidance_form: str = ""  # the form code of the 手続案内書
    navi: str = ""  # 手続ナビ rules (catalog/navi.json), checked on load, parsed where used
    city_name: str = ""
    mayor: str = ""
    # sha256 of the pinned content, set when a visit pins it (adapters/pinned_catalogs):
    # activities are handed this instead of the whole catalog.
    digest: str = ""

    def procedure(self, code: str) -> Procedure | None:
        return next((p for p in self.procedures if p.code == code), None)

    def codes(self) -> list[str]:
        return [p.code for p in self.procedures]
