"""What the counter searches by, how each kind of query is folded, and how a card matches.

Name and kana queries are prefixes of the folded keys (a surname alone finds the family);
birth dates and the two identifiers are exact. Every kind maps to a range or an equality on
one indexed column, so a search costs the same on the whole city as on a village.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from domain.matching import rank
from domain.names import kana_key, name_key
from domain.resident import ResidentRecord
from domain.visit import IdCardData, ResidentCandidate

_CITY_PART = re.compile(r"^.{2,3}?[都道府県].+?[市区町村]")


class SearchKind(StrEnum):
    KANA = "kana"
    NAME = "name"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"
    ATENA_NO = "atena_no"
    JUMINHYO_CODE = "juminhyo_code"


def address_key(address: str) -> str:
    """The part of an address staff type: 町字 and 番地, without prefecture and city."""
    return name_key(_CITY_PART.sub("", name_key(address).upper()))


def search_key(kind: SearchKind, text: str) -> str:
    if kind == SearchKind.KANA:
        return kana_key(text)
    if kind == SearchKind.NAME:
        return name_key(text)
    if kind == SearchKind.ADDRESS:
        return address_key(text)
    return text.strip()


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else ""


@dataclass
class Household:
    household_no: str
    members: list[ResidentCandidate] = field(default_factory=list)


class MatchStatus(StrEnum):
    ONE = "one"
    NONE = "none"
    SEVERAL = "several"


@dataclass
class CardMatch:
    status: MatchStatus
    message: str
    person: ResidentCandidate | None = None
    candidates: list[ResidentCandidate] = field(default_factory=list)


def match_card(card: IdCardData, records: list[ResidentRecord]) -> CardMatch:
    """The card's four items (name, address, birth date, sex) against the register."""
    candidates = rank(card, records)
    strong = [
        c
        for c in candidates
        if "birth_date" in c.matched_on and {"name", "kana"} & set(c.matched_on)
    ]
    if len(strong) > 1:  # the same name and birth date: address and sex decide, if they can
        exact = [c for c in strong if {"address", "sex"} <= set(c.matched_on)]
        strong = exact if len(exact) == 1 else strong
    if len(strong) == 1:
        return CardMatch(
            MatchStatus.ONE, "本人が特定できました / one person matches", strong[0], candidates
        )
    if not strong:
        return CardMatch(
            MatchStatus.NONE,
            "住民記録に該当者がいません / no resident matches the card",
            candidates=candidates,
        )
    return CardMatch(
        MatchStatus.SEVERAL,
        "該当者が複数います。住所等で確認してください / several residents match",
        candidates=strong,
    )
