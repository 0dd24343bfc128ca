"""手続ナビ: which related procedures a visit should also do, from rules that are data.

Rules (``catalog/navi.json``) look at facts about the household — some derived from the
register (children's ages, 65+, foreign residents), some learned in the interview (国保,
pregnancy, a dog …) — and propose items: a procedure here or at another counter, with the
place and what to bring.

Logic is three-valued (Kleene): a fact nobody has answered is *unknown*, and a rule whose
outcome depends on it keeps its item with the question to ask. A rule that is false drops
its item and says which fact made it so. Several rules may propose the same item; they are
merged, their reasons and things to bring de-duplicated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from domain.binding import HEAD, age_on
from domain.catalog import Catalog
from domain.resident import ResidentRecord
from domain.visit import Proposal, ProposalStatus

Truth = bool | None


class NaviError(ValueError):
    pass


@dataclass(frozen=True)
class Fact:
    key: str
    yes: str  # how a true fact reads in a reason, e.g. 国民健康保険に加入する
    no: str
    question: str = ""  # asked in the interview; empty for facts derived from the register


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    place: str
    procedure: str = ""
    at_this_counter: bool = False
    bring: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    op: str  # fact | all | any | not
    fact: str = ""
    value: bool = True
    parts: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    item: str
    for_procedures: tuple[str, ...]
    when: Condition
    because: str
    dropped_because: str = ""


@dataclass(frozen=True)
class NaviRules:
    facts: dict[str, Fact]
    items: dict[str, Item]
    rules: tuple[Rule, ...]

    def asked(self) -> list[Fact]:
        return [f for f in self.facts.values() if f.question]


# Facts the register answers; each is a predicate on one member's age or record.
DERIVED: dict[str, Any] = {
    "child_preschool": lambda m, age: age is not None and age < 6,
    "child_school_age": lambda m, age: age is not None and 6 <= age < 15,
    "child_under_15": lambda m, age: age is not None and age < 15,
    "child_under_18": lambda m, age: age is not None and age < 18,
    "member_65_plus": lambda m, age: age is not None and age >= 65,
    "member_75_plus": lambda m, age: age is not None and age >= 75,
    "foreign_member": lambda m, age: m.resident_type == "外国人",
}


# Facts about the move itself, from the register and the 異動者 the interview named.
MOVE_DERIVED = frozenset({"head_leaves_others"})


def move_facts(household: list[ResidentRecord], movers: list[str]) -> dict[str, Truth]:
    """``head_leaves_others``: the 世帯主 is among the 異動者 and someone stays, so the
    household that stays needs a new 世帯主 (世帯変更届). False where none were named (the
    whole household moves)."""
    chosen = set(movers)
    head_leaves = any(m.relationship == HEAD and m.atena_no in chosen for m in household)
    someone_stays = any(m.atena_no not in chosen for m in household)
    return {"head_leaves_others": bool(chosen) and head_leaves and someone_stays}


def household_facts(household: list[ResidentRecord], today: str) -> dict[str, Truth]:
    """Derived facts: true if a member has it, unknown if only unknown ages could have it."""
    facts: dict[str, Truth] = {}
    for key, predicate in DERIVED.items():
        values: list[Truth] = []
        for m in household:
            age = age_on(m.birth_date, today)
            if age is None and key != "foreign_member":
                values.append(None)
            else:
                values.append(bool(predicate(m, age)))
        facts[key] = True if True in values else (None if None in values else False)
    return facts


def answered(raw: dict[str, str]) -> dict[str, Truth]:
    return {k: {"yes": True, "no": False}.get(v) for k, v in raw.items()}


def _condition(raw: Any, facts: dict[str, Fact], where: str) -> Condition:
    if not isinstance(raw, dict) or len(raw) not in (1, 2):
        raise NaviError(f"{where}: a condition is {{fact, is}}, {{all}}, {{any}} or {{not}}")
    if "fact" in raw:
        key = raw["fact"]
        if key not in facts:
            raise NaviError(f"{where}: unknown fact {key!r}")
        value = raw.get("is", True)
        if not isinstance(value, bool):
            raise NaviError(f"{where}: 'is' must be true or false")
        return Condition("fact", fact=key, value=value)
    for op in ("all", "any"):
        if op in raw:
            parts = raw[op]
            if not isinstance(parts, list) or not parts:
                raise NaviError(f"{where}: {op} needs a non-empty list")
            return Condition(op, parts=tuple(_condition(p, facts, where) for p in parts))
    if "not" in raw:
        return Condition("not", parts=(_condition(raw["not"], facts, where),))
    raise NaviError(f"{where}: unknown condition {sorted(raw)}")


def parse_navi(raw: Any, known_procedures: set[str]) -> NaviRules:
    try:
        facts = {
            k: Fact(k, str(v["yes"]), str(v["no"]), str(v.get("question", "")))
            for k, v in raw["facts"].items()
        }
        items = {
            k: Item(
                code=k,
                title=str(v["title"]),
                place=str(v.get("place", "")),
                procedure=str(v.get("procedure", "")),
                at_this_counter=bool(v.get("at_this_counter", False)),
                bring=tuple(str(b) for b in v.get("bring", [])),
            )
            for k, v in raw["items"].items()
        }
        rules_raw = raw["rules"]
    except (KeyError, TypeError, AttributeError) as e:
        raise NaviError(f"missing or invalid item ({e})") from None
    derived = DERIVED.keys() | MOVE_DERIVED
    for key in facts:
        if key in derived and facts[key].question:
            raise NaviError(f"fact {key}: derived from the register, so it has no question")
        if key not in derived and not facts[key].question:
            raise NaviError(f"fact {key}: needs a question for the interview")
    for item in items.values():
        if item.procedure and item.procedure not in known_procedures:
            raise NaviError(f"item {item.code}: unknown procedure {item.procedure!r}")
    rules = []
    for i, r in enumerate(rules_raw):
        where = f"rule {r.get('id', i + 1) if isinstance(r, dict) else i + 1}"
        if not isinstance(r, dict) or not {"id", "item", "when", "because"} <= set(r):
            raise NaviError(f"{where}: needs id, item, when and because")
        if r["item"] not in items:
            raise NaviError(f"{where}: unknown item {r['item']!r}")
        for_procedures = tuple(r.get("for_procedures", []))
        if unknown := set(for_procedures) - known_procedures:
            raise NaviError(f"{where}: unknown procedures {sorted(unknown)}")
        rules.append(
            Rule(
                id=str(r["id"]),
                item=str(r["item"]),
                for_procedures=for_procedures,
                when=_condition(r["when"], facts, where),
                because=str(r["because"]),
                dropped_because=str(r.get("dropped_because", "")),
            )
        )
    return NaviRules(facts, items, tuple(rules))


@dataclass
class _Outcome:
    truth: Truth
    unknown: list[str] = field(default_factory=list)  # facts that left it open
    false_by: list[str] = field(default_factory=list)  # readings of the facts that failed it


def _eval(c: Condition, facts: dict[str, Truth], rules: NaviRules) -> _Outcome:
    if c.op == "fact":
        v = facts.get(c.fact)
        if v is None:
            return _Outcome(None, unknown=[c.fact])
        fact = rules.facts[c.fact]
        return _Outcome(v == c.value, false_by=[] if v == c.value else [fact.yes if v else fact.no])
    if c.op == "not":
        inner = _eval(c.parts[0], facts, rules)
        if inner.truth is None:
            return inner
        # "not X" fails exactly where X held; say so in the fact's own words.
        readings = [_reading(p, facts, rules) for p in _leaves(c.parts[0])]
        return _Outcome(not inner.truth, false_by=[r for r in readings if r] if inner.truth else [])
    outs = [_eval(p, facts, rules) for p in c.parts]
    decisive = c.op == "any"  # all: one false decides; any: one true
    if any(o.truth is decisive for o in outs):
        hit = [o for o in outs if o.truth is decisive]
        return _Outcome(decisive, false_by=[r for o in hit for r in o.false_by])
    if any(o.truth is None for o in outs):
        return _Outcome(None, unknown=[u for o in outs for u in o.unknown])
    return _Outcome(not decisive, false_by=[r for o in outs for r in o.false_by])


def _leaves(c: Condition) -> list[Condition]:
    return [c] if c.op == "fact" else [leaf for p in c.parts for leaf in _leaves(p)]


def _reading(c: Condition, facts: dict[str, Truth], rules: NaviRules) -> str:
    v = facts.get(c.fact)
    if v is None:
        return ""
    return rules.facts[c.fact].yes if v else rules.facts[c.fact].no


_RANK = {ProposalStatus.PROPOSE: 0, ProposalStatus.ASK: 1, ProposalStatus.DROP: 2}


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def propose(
    rules: NaviRules,
    procedures: list[str],
    facts: dict[str, Truth],
) -> list[Proposal]:
    """The merged proposals for a visit doing ``procedures``, in the catalog's item order."""
    found: dict[str, Proposal] = {}
    for rule in rules.rules:
        if rule.for_procedures and not set(rule.for_procedures) & set(procedures):
            continue
        item = rules.items[rule.item]
        if item.procedure and item.procedure in procedures:
            continue  # already chosen: nothing to propose
        out = _eval(rule.when, facts, rules)
        if out.truth is True:
            status, reasons, ask = ProposalStatus.PROPOSE, [rule.because], []
        elif out.truth is None:
            ask = [rules.facts[u].question or rules.facts[u].yes for u in out.unknown]
            status, reasons = ProposalStatus.ASK, [rule.because]
        else:
            why = rule.dropped_because or "、".join(out.false_by)
            status, reasons, ask = ProposalStatus.DROP, [why], []
        prev = found.get(item.code)
        if prev is None or _RANK[status] < _RANK[prev.status]:
            found[item.code] = Proposal(
                code=item.code, title=item.title, status=status, place=item.place,
                procedure=item.procedure, at_this_counter=item.at_this_counter,
                bring=list(item.bring), reasons=reasons, ask=_dedupe(ask),
            )  # fmt: skip
        elif prev.status == status:
            prev.reasons = _dedupe(prev.reasons + reasons)
            prev.ask = _dedupe(prev.ask + ask)
    order = list(rules.items)
    return sorted(found.values(), key=lambda p: order.index(p.code))


@lru_cache(maxsize=8)
def _parsed(text: str, procedures: frozenset[str]) -> NaviRules:
    return parse_navi(json.loads(text), set(procedures))


def navi_rules(catalog: Catalog) -> NaviRules:
    """The pinned catalog's rules (checked when the catalog loaded; parsed once per text)."""
    if not catalog.navi:
        return NaviRules({}, {}, ())
    return _parsed(catalog.navi, frozenset(catalog.codes()))
