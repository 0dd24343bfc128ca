"""Ranking register entries against what the ID card says.

The card is the truth about the person at the counter; the register may spell the name
with a variant character, so names are compared by their search keys.
"""

from __future__ import annotations

from domain.names import kana_key, name_key
from domain.resident import ResidentRecord
from domain.visit import IdCardData, ResidentCandidate

MAX_CANDIDATES = 20
MIN_SCORE = 60
# What a candidate matched the card on, as the staff screen names it.
MATCHED_ON_JA = {
    "name": "氏名",
    "kana": "フリガナ",
    "birth_date": "生年月日",
    "address": "住所",
    "sex": "性別",
}


def score(card: IdCardData, r: ResidentRecord) -> tuple[int, list[str]]:
    matched: list[str] = []
    points = 0
    if name_key(card.name) == name_key(r.name):
        points += 50
        matched.append("name")
    elif card.kana and kana_key(card.kana) == kana_key(r.kana):
        points += 35
        matched.append("kana")
    if card.birth_date == r.birth_date:
        points += 40
        matched.append("birth_date")
    if card.address and name_key(r.address) and name_key(r.address) in name_key(card.address):
        points += 10
        matched.append("address")
    if card.sex and card.sex == r.sex:
        points += 1
        matched.append("sex")
    return points, matched


def candidate(r: ResidentRecord, points: int, matched_on: list[str]) -> ResidentCandidate:
    """What staff see of a person when choosing among candidates."""
    return ResidentCandidate(
        atena_no=r.atena_no,
        household_no=r.household_no,
        name=r.name,
        kana=r.kana,
        birth_date=r.birth_date,
        sex=r.sex,
        address=r.full_address,
        relationship=r.relationship,
        score=points,
        matched_on=matched_on,
        status=r.status,
    )


def rank(card: IdCardData, records: list[ResidentRecord]) -> list[ResidentCandidate]:
    scored = []
    for r in records:
        points, matched = score(card, r)
        # One item alone is too weak to show: name and birth date, kana and birth date,
        # or name and address.
        if points < MIN_SCORE:
            continue
        scored.append(candidate(r, points, matched))
    scored.sort(key=lambda c: (-c.score, c.atena_no))
    return scored[:MAX_CANDIDATES]
