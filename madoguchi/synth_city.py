"""``mado synth-city``: a whole synthetic core city, and a year of changes to it.

Deterministic for a seed. Defaults are the reference city: 416,120 residents in 205,424
households, 6,926 of them foreign residents (romaji names, 通称, 在留 data). Names come from
Faker's name lists with variant characters (髙, 﨑, 邉, 齋 …), IVS sequences and a few MJ+
Private Use Area characters on top; addresses are the real 町名 of 高松市 (Japan Post data,
offline). Nobody real: every person is drawn at random.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import jaconv
from faker import Faker

from adapters.object_store import ObjectStore
from domain.juki_file import Column
from domain.juminhyo_code import with_check_digit
from domain.resident import ResidentRecord
from madoguchi.demo_city import CITY, VARIANT_SURNAMES, postal_areas
from madoguchi.juki_export import drop_file, juki_csv

RESIDENTS, HOUSEHOLDS, FOREIGN = 416_120, 205_424, 6_926
# MJ+ additions are not in Unicode: the register carries them as Private Use Area code points.
PUA_SURNAMES = [("\ue0a1田", "ツチダ"), ("高\ue0b2", "タカセ")]
FOREIGN_KINDS = [
    # nationality, Faker locale, status of residence, share
    ("中国", "zh_CN", "永住者", 0.30),
    ("ベトナム", "vi_VN", "技能実習", 0.25),
    ("韓国", "ja_JP", "特別永住者", 0.15),
    ("フィリピン", "en_PH", "定住者", 0.12),
    ("ブラジル", "pt_BR", "日本人の配偶者等", 0.08),
    ("米国", "en_US", "技術・人文知識・国際業務", 0.05),
    ("インドネシア", "id_ID", "留学", 0.05),
]
OTHER_CITIES = [
    "香川県丸亀市",
    "香川県坂出市",
    "岡山県岡山市北区",
    "愛媛県松山市",
    "大阪府大阪市北区",
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()


@dataclass
class _Counter:
    next_atena: int = 1
    next_household: int = 1


class CityGenerator:
    def __init__(self, seed: int = 37201, today: date = date(2026, 4, 1)) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)
        self.foreign_fakers = {loc: Faker(loc) for _, loc, _, _ in FOREIGN_KINDS}
        for i, f in enumerate(self.foreign_fakers.values()):
            f.seed_instance(seed + i + 1)
        self.areas = postal_areas()
        self.ids = _Counter()
        self.codes: set[str] = set()

    # ---- pieces ---------------------------------------------------------------------

    def _juminhyo_code(self) -> str:
        while True:
            code = with_check_digit(f"{self.rng.randrange(10**10):010d}")
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _address(self) -> tuple[str, str, str]:
        postal, town = self.rng.choice(self.areas)
        address = f"{CITY}{town}{self.rng.randint(1, 40)}番{self.rng.randint(1, 30)}号"
        katagaki = ""
        if self.rng.random() < 0.25:
            katagaki = f"コーポ{town[:2]}{self.rng.randint(1, 9)}0{self.rng.randint(1, 9)}号"
        return postal, address, katagaki

    def _birth(self, age_from: int, age_to: int) -> str:
        days = self.rng.randint(age_from * 365, age_to * 365 + 364)
        born = self.today - timedelta(days=days)
        if self.rng.random() < 0.0005:
            return f"{born.year:04d}-00-00"  # 不詳
        return born.isoformat()

    def _surname(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.00005:
            return self.rng.choice(PUA_SURNAMES)
        if roll < 0.03:
            return self.rng.choice(VARIANT_SURNAMES)
        last, kana, _ = self.fake.last_name_pair()
        return last, kana

    def _given(self, sex: str) -> tuple[str, str]:
        pair = (
            self.fake.first_name_male_pair() if sex == "1" else self.fake.first_name_female_pair()
        )
        return pair[0], pair[1]

    def _person(
        self, household: str, surname: tuple[str, str], relationship: str, sex: str, birth: str,
        head: str, where: tuple[str, str, str],
    ) -> ResidentRecord:  # fmt: skip
        given = self._given(sex)
        atena = self.ids.next_atena
        self.ids.next_atena += 1
        postal, address, katagaki = where
        return ResidentRecord(
            atena_no=f"{atena:010d}", household_no=household, juminhyo_code=self._juminhyo_code(),
            name=f"{surname[0]}　{given[0]}", kana=f"{surname[1]}　{given[1]}", birth_date=birth,
            sex=sex, relationship=relationship, head_name=head or f"{surname[0]}　{given[0]}",
            postal_code=postal, address=address, katagaki=katagaki,
            became_resident_on=birth if self.rng.random() < 0.5 else self._birth(0, 30),
            idou_jiyu="初期",
        )  # fmt: skip

    def _foreigner(self, r: ResidentRecord) -> ResidentRecord:
        weights = [k[3] for k in FOREIGN_KINDS]
        nationality, locale, status, _ = self.rng.choices(FOREIGN_KINDS, weights)[0]
        fake = self.foreign_fakers[locale]
        if locale == "ja_JP":  # 特別永住者: a kanji name of record and a Japanese 通称
            last, first = self._surname()[0], self._given(r.sex)[0]
            name, romaji = f"{last}　{first}", ""
            tsusho = f"{self._surname()[0]}　{first}"
        elif locale == "zh_CN":
            # Faker gives no kanji name with its reading: use the romanized name throughout.
            romaji = _ascii(fake.romanized_name())
            name, tsusho = romaji, ""
        else:
            romaji = _ascii(f"{fake.last_name()} {fake.first_name()}")
            name, tsusho = romaji, ""
        kana = jaconv.hira2kata(jaconv.alphabet2kana(romaji.lower())) if romaji else r.kana
        expiry = ""
        if status not in ("永住者", "特別永住者"):
            expiry = (self.today + timedelta(days=self.rng.randint(30, 1800))).isoformat()
        return replace(
            r, resident_type="外国人", name=name, kana=kana, romaji=romaji, tsusho=tsusho,
            nationality=nationality, zairyu_shikaku=status, zairyu_expiry=expiry, head_name=name
            if r.relationship == "世帯主" else r.head_name,
        )  # fmt: skip

    # ---- the city -------------------------------------------------------------------

    def household_sizes(self, residents: int, households: int) -> list[int]:
        sizes = [1] * households
        for _ in range(residents - households):
            i = self.rng.randrange(households)
            while sizes[i] >= 8:
                i = self.rng.randrange(households)
            sizes[i] += 1
        return sizes

    def household(self, size: int) -> list[ResidentRecord]:
        number = f"{self.ids.next_household:08d}"
        self.ids.next_household += 1
        where = self._address()
        surname = self._surname()
        head_sex = self.rng.choice("12")
        head_age = self.rng.randint(20 if size == 1 else 25, 95 if size == 1 else 70)
        head = self._person(
            number, surname, "世帯主", head_sex, self._birth(head_age, head_age), "", where
        )
        people = [head]
        for k in range(1, size):
            if k == 1 and self.rng.random() < 0.8:
                sex = "2" if head_sex == "1" else "1"
                age = max(18, head_age + self.rng.randint(-5, 5))
                people.append(
                    self._person(number, surname, "妻" if sex == "2" else "夫", sex,
                                 self._birth(age, age), head.name, where)
                )  # fmt: skip
            else:
                sex = self.rng.choice("12")
                people.append(
                    self._person(number, surname, "子", sex,
                                 self._birth(0, max(0, min(head_age - 18, 40))), head.name, where)
                )  # fmt: skip
        return people

    def city(
        self, residents: int = RESIDENTS, households: int = HOUSEHOLDS, foreign: int = FOREIGN
    ) -> Iterator[ResidentRecord]:
        sizes = self.household_sizes(residents, households)
        # Households picked at random become foreign until the count is reached exactly.
        order = list(range(households))
        self.rng.shuffle(order)
        foreign_left, foreign_households = foreign, set()
        for i in order:
            if foreign_left <= 0:
                break
            foreign_households.add(i)
            foreign_left -= sizes[i]
        overshoot = -foreign_left  # the last household picked is only partly foreign
        for i, size in enumerate(sizes):
            people = self.household(size)
            if i in foreign_households:
                keep_japanese = overshoot if overshoot and i == max(foreign_households) else 0
                people = [
                    self._foreigner(p) if j >= keep_japanese else p for j, p in enumerate(people)
                ]
            yield from people

    def year_of_changes(
        self, people: list[ResidentRecord], months: int = 12
    ) -> list[list[ResidentRecord]]:
        """Monthly delta files: moves within the city, moves in and out, births, deaths
        (the reference city's yearly volumes, spread evenly over the months)."""
        scale = len(people) / RESIDENTS  # a smaller city changes proportionally less
        yearly = {"転居": 10_000, "転入": 10_000, "転出": 10_000, "出生": 3_200, "死亡": 6_400}
        per_month = {k: max(1, round(v * scale / 12)) for k, v in yearly.items()}
        living = [p for p in people if p.status == "住民"]
        deltas: list[list[ResidentRecord]] = []
        for month in range(months):
            start = date(self.today.year, self.today.month, 1) + timedelta(days=31 * month)
            rows: list[ResidentRecord] = []
            for reason, count in per_month.items():
                for _ in range(count):
                    on = (start + timedelta(days=self.rng.randint(0, 27))).isoformat()
                    rows.append(self._change(reason, on, living))
            deltas.append(rows)
        return deltas

    def _change(self, reason: str, on: str, living: list[ResidentRecord]) -> ResidentRecord:
        if reason == "転入":
            newcomer = self.household(1)[0]
            origin = self.rng.choice(OTHER_CITIES)
            return replace(newcomer, idou_jiyu="転入", idou_on=on, previous_address=origin)
        if reason == "出生":
            parent = self.rng.choice(living)
            surname = (parent.name.split("　")[0], parent.kana.split("　")[0])
            where = (parent.postal_code, parent.address, parent.katagaki)
            sex = self.rng.choice("12")
            baby = self._person(
                parent.household_no, surname, "子", sex, on, parent.head_name, where
            )
            return replace(baby, idou_jiyu="出生", idou_on=on, became_resident_on=on)
        who = living.pop(self.rng.randrange(len(living)))
        if reason == "転居":
            postal, address, katagaki = self._address()
            moved = replace(
                who, postal_code=postal, address=address, katagaki=katagaki,
                idou_jiyu="転居", idou_on=on,
            )  # fmt: skip
            living.append(moved)
            return moved
        return replace(who, status="消除", idou_jiyu=reason, idou_on=on)  # 転出, 死亡


def drop_city(
    store: ObjectStore,
    layout: Mapping[str, Column],
    *,
    seed: int = 37201,
    residents: int = RESIDENTS,
    households: int = HOUSEHOLDS,
    foreign: int = FOREIGN,
    months: int = 12,
) -> list[str]:
    """Generate the city and its year of changes into the inbound prefix; manifest keys."""
    generator = CityGenerator(seed)
    people = list(generator.city(residents, households, foreign))
    snapshot_at = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    keys = [
        drop_file(store, f"synth-{seed}-full", juki_csv(people, layout), kind="full",
                  rows=len(people), generated_at=snapshot_at)
    ]  # fmt: skip
    for month, rows in enumerate(generator.year_of_changes(people, months), start=1):
        name = f"synth-{seed}-delta-{month:02d}"
        at = snapshot_at + timedelta(days=31 * month)
        keys.append(
            drop_file(
                store, name, juki_csv(rows, layout), kind="delta", rows=len(rows), generated_at=at
            )
        )
    return keys
