"""Validation of human input, shared by the API and the workflow's update validators.

Each function returns the problems it found; an empty list means valid. Messages name the
field and the reason, in Japanese then English, and never echo the personal data itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.catalog import (
    MOVERS,
    MOVERS_HEAD,
    Catalog,
    Question,
    answer_for,
    procedure_key,
    split_members,
)
from domain.navi import navi_rules
from domain.resident_search import SearchKind
from domain.visit import (
    ApplicationRecord,
    CallInput,
    CancelInput,
    ChooseProceduresInput,
    ChooseResidentInput,
    ConfirmInput,
    CorrectAnswersInput,
    Decision,
    FilledForm,
    IdCardData,
    IdSource,
    NaviInput,
    Proposal,
    ProposalStatus,
    ReassignInput,
    ReprintInput,
    RequeueInput,
    ResidentCandidate,
    RetryInput,
    RpaOutcome,
    RpaResultInput,
    SearchInput,
)

MAX_STROKES = 200
MAX_POINTS = 20_000
_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CARD_ITEMS = frozenset({"name", "kana", "birth_date", "address", "sex"})
UNKNOWN_RECORD = "この来庁の申請レコードではありません / unknown record for this visit"
CONTROL_MESSAGE = "制御文字は使えません / control characters are not allowed"


def control_characters(values: dict[str, str]) -> list[Problem]:
    """Text fields must not carry control characters (no screen or database wants them)."""
    return [
        Problem(name, CONTROL_MESSAGE) for name, value in values.items() if _CONTROL.search(value)
    ]


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def check_iso_date(value: str, today: date, *, allow_unknown: bool = True) -> str | None:
    """Return why ``value`` is not an acceptable date, or None."""
    m = _ISO_DATE.match(value)
    if not m:
        return "日付は YYYY-MM-DD 形式で入力してください / date must be YYYY-MM-DD"
    year, month, day = (int(g) for g in m.groups())
    if allow_unknown and (month == 0 or day == 0):
        if month == 0 and day != 0:
            return "月が不詳なら日も 00 にしてください / unknown month needs unknown day"
        if month > 12:
            return "存在しない月です / no such month"
        if year < 1868 or year > today.year:
            return "範囲外の年です / year out of range"
        return None
    try:
        d = date(year, month, day)
    except ValueError:
        return "存在しない日付です / no such date"
    if d > today:
        return "未来の日付です / date is in the future"
    if d < date(1868, 1, 25):
        return "明治より前の日付です / date before the Meiji era"
    return None


def _required_text(value: str, field_name: str, label: str, max_length: int) -> list[Problem]:
    if not value.strip():
        return [Problem(field_name, f"{label}を入力してください / {field_name} is required")]
    if len(value) > max_length:
        return [Problem(field_name, f"{label}が長すぎます（{max_length}文字まで） / too long")]
    return []


def validate_call(inp: CallInput) -> list[Problem]:
    problems: list[Problem] = []
    for name, value, label in (("counter", inp.counter, "窓口"), ("staff", inp.staff, "職員")):
        if not _CODE.match(value):
            problems.append(
                Problem(
                    name, f"{label}の番号は英数字40文字までです / must be 1-40 letters or digits"
                )
            )
    return problems


def validate_identify(inp: IdCardData, today: date) -> list[Problem]:
    problems = control_characters(
        {"name": inp.name, "kana": inp.kana, "address": inp.address, "birth_date": inp.birth_date}
    )
    if problems:
        return problems
    if inp.source not in set(IdSource):
        problems.append(Problem("source", "本人確認書類の種類が不明です / unknown ID source"))
    problems += _required_text(inp.name, "name", "氏名", 100)
    if (why := check_iso_date(inp.birth_date, today)) is not None:
        problems.append(Problem("birth_date", why))
    if len(inp.address) > 200:
        problems.append(Problem("address", "住所が長すぎます（200文字まで） / too long"))
    if len(inp.kana) > 100:
        problems.append(Problem("kana", "フリガナが長すぎます（100文字まで） / too long"))
    if inp.sex not in ("", "1", "2", "9"):
        problems.append(Problem("sex", "性別は 1, 2, 9 のいずれかです / sex must be 1, 2 or 9"))
    unknown = sorted(set(inp.read_by_device) - CARD_ITEMS)
    if unknown:
        problems.append(
            Problem(
                "read_by_device", f"券面の項目ではありません: {', '.join(unknown)} / unknown item"
            )
        )
    return problems


def validate_search(inp: SearchInput) -> list[Problem]:
    problems = control_characters({"q": inp.q})
    if inp.kind not in set(SearchKind):
        problems.append(Problem("kind", "検索の種類が不明です / unknown kind of search"))
    problems += _required_text(inp.q, "q", "検索語", 100)
    return problems


def validate_choose_resident(
    inp: ChooseResidentInput, candidates: list[ResidentCandidate]
) -> list[Problem]:
    if not any(c.atena_no == inp.atena_no for c in candidates):
        return [
            Problem(
                "atena_no",
                "検索結果にない宛名番号です / atena_no is not one of this visit's candidates",
            )
        ]
    return []


def _check_answer(q: Question, value: str | None, members: list[str] | None = None) -> str | None:
    """Why an answer cannot be taken, or None. ``members``: the atena numbers of the
    resident's household, which a ``members`` answer (異動者) must be chosen from."""
    if value is None or not value.strip():
        return "入力してください / required" if q.required else None
    if q.kind == "members":
        return _check_members(value, members)
    # A number's own message first: "abc" in 通数 is not a number, whatever its length.
    if q.kind == "int" and not value.isdecimal():  # isdigit() lets "²" through to int()
        return "数字で入力してください / must be a whole number"
    if len(value) > q.max_length:
        return f"{q.max_length}文字までです / too long"
    if q.kind == "int":
        n = int(value)
        if q.min_value is not None and n < q.min_value:
            return f"{q.min_value}以上にしてください / must be at least {q.min_value}"
        if q.max_value is not None and n > q.max_value:
            return f"{q.max_value}以下にしてください / must be at most {q.max_value}"
    if q.kind == "date":
        if not _ISO_DATE.match(value):
            return "日付は YYYY-MM-DD 形式です / date must be YYYY-MM-DD"
        try:  # a real day: 2026-13-40 would otherwise reach the forms and fail there
            date.fromisoformat(value)
        except ValueError:
            return "存在しない日付です / no such date"
    return None


def _check_members(value: str, members: list[str] | None) -> str | None:
    chosen = split_members(value)
    if not chosen:
        return "1人以上選んでください / choose at least one person"
    if len(set(chosen)) != len(chosen):
        return "同じ人が重複しています / a person appears twice"
    if not members:
        # A visit whose resident was chosen before households were kept cannot check whom
        # it names: refused rather than printing a move for someone of another household.
        return "この来庁では選べません（世帯が読み込まれていません） / household not loaded"
    household = set(members)
    strangers = [a for a in chosen if a not in household]
    if strangers:
        # The count, not the numbers: messages never echo personal data.
        return (
            f"世帯の人ではない宛名番号が{len(strangers)}件あります"
            " / not a member of the resident's household"
        )
    return None


def _household_of(resident: ResidentCandidate | None) -> list[str] | None:
    """The 宛名番号 a 異動者 answer is chosen from; None before a resident is chosen."""
    return [m.atena_no for m in resident.members] if resident is not None else None


def _new_head_problems(
    inp: ChooseProceduresInput, catalog: Catalog, resident: ResidentCandidate | None
) -> list[Problem]:
    """Several people move without the 世帯主: who heads them after the move is not in the
    register, and the form and the core system's record need it — ask, don't guess."""
    named = set(split_members(inp.answers.get(MOVERS, "")))
    if resident is None or len(named) < 2 or inp.answers.get(MOVERS_HEAD, "").strip():
        return []
    if any(m.head for m in resident.members if m.atena_no in named):
        return []
    asking = [
        q.label
        for code in inp.procedures
        if (proc := catalog.procedure(code)) and any(q.kind == "members" for q in proc.questions)
        for q in proc.questions
        if q.key == MOVERS_HEAD
    ]
    if not asking:  # a catalog that does not ask it (visits pinned before 2026.11-5)
        return []
    return [
        Problem(
            f"answers.{MOVERS_HEAD}",
            f"{asking[0]}: 世帯主が異動しないため入力してください"
            " / the head of household stays: name the movers' new head",
        )
    ]


def _reason_problems(reason: str, what: str) -> list[Problem]:
    """A staff action's reason: given, at most 200 characters, no control characters."""
    problems = control_characters({"reason": reason})
    if not reason.strip() or len(reason) > 200:
        problems.append(Problem("reason", f"{what}の理由を200字以内で / give a reason (≤200)"))
    return problems


def validate_requeue(inp: RequeueInput, records: list[ApplicationRecord]) -> list[Problem]:
    problems = _reason_problems(inp.reason, "再送")
    if not any(r.record_id == inp.record_id for r in records):
        problems.insert(0, Problem("record_id", UNKNOWN_RECORD))
    return problems


def validate_correction(inp: CorrectAnswersInput, answers: dict[str, str]) -> list[Problem]:
    """Which answers may change at review: those the interview asked; the rest of the
    check is the procedures step's own (run on the corrected answers)."""
    problems = _reason_problems(inp.reason, "修正")
    if all(_current(answers, k) == v for k, v in inp.answers.items()):
        problems.insert(0, Problem("answers", "修正する項目がありません / nothing was changed"))
    return problems


def _current(answers: dict[str, str], key: str) -> str:
    """The answer the forms were filled with: for ``juminhyo.copies`` that is the visit's
    one ``copies`` where an API client sent one for every procedure."""
    procedure, _, question = key.partition(".")
    return answer_for(answers, procedure, question) if question else answers.get(key, "")


def validate_reprint(inp: ReprintInput) -> list[Problem]:
    return _reason_problems(inp.reason, "再印刷")


def validate_navi(
    inp: NaviInput, catalog: Catalog, resident: ResidentCandidate | None = None
) -> list[Problem]:
    problems = [
        Problem("procedures", f"未登録の手続コードです: {code} / unknown procedure code")
        for code in inp.procedures
        if catalog.procedure(code) is None
    ]
    if inp.movers.strip() and (why := _check_members(inp.movers, _household_of(resident))):
        problems.append(Problem("movers", f"異動者: {why}"))
    asked = {f.key for f in navi_rules(catalog).asked()}
    for key, value in inp.facts.items():
        if key not in asked:
            problems.append(
                Problem(f"facts.{key}", "手続ナビで尋ねる項目ではありません / unknown fact")
            )
        elif value not in ("yes", "no", ""):
            problems.append(
                Problem(
                    f"facts.{key}",
                    "はい(yes)・いいえ(no)・不明(空欄)で答えてください / yes, no or empty",
                )
            )
    return problems


def accepted_procedures(inp: ChooseProceduresInput, proposals: list[Proposal]) -> list[str]:
    """The chosen procedures plus those of accepted proposals, each once, in order."""
    extra = [
        p.procedure
        for p in proposals
        if p.procedure and inp.decisions.get(p.code) == Decision.ACCEPT
    ]
    return list(dict.fromkeys([*inp.procedures, *extra]))


def _decision_problems(inp: ChooseProceduresInput, proposals: list[Proposal]) -> list[Problem]:
    problems = []
    open_codes = {p.code for p in proposals if p.status != ProposalStatus.DROP}
    for code, decision in inp.decisions.items():
        if code not in open_codes:
            problems.append(
                Problem(f"decisions.{code}", "手続ナビの提案にありません / not a proposal")
            )
        elif decision not in (Decision.ACCEPT, Decision.REJECT):
            problems.append(
                Problem(f"decisions.{code}", "accept か reject です / accept or reject")
            )
    for p in proposals:
        if p.code in open_codes and p.code not in inp.decisions:
            problems.append(
                Problem(
                    f"decisions.{p.code}", f"{p.title}: 採否を選んでください / accept or reject"
                )
            )
    return problems


def validate_choose_procedures(
    inp: ChooseProceduresInput,
    catalog: Catalog,
    resident: ResidentCandidate | None = None,
    proposals: list[Proposal] | None = None,
) -> list[Problem]:
    problems = control_characters({f"answers.{k}": v for k, v in inp.answers.items()})
    if not inp.procedures:
        return [
            Problem("procedures", "手続を1つ以上選んでください / choose at least one procedure")
        ]
    if len(set(inp.procedures)) != len(inp.procedures):
        problems.append(Problem("procedures", "同じ手続が重複しています / duplicate procedure"))
    problems += _decision_problems(inp, proposals or [])
    known_keys: set[str] = set()
    household = _household_of(resident)
    for code in accepted_procedures(inp, proposals or []):
        proc = catalog.procedure(code)
        if proc is None:
            problems.append(
                Problem("procedures", f"未登録の手続コードです: {code} / unknown procedure code")
            )
            continue
        if resident is not None and resident.status not in proc.subject_status:
            problems.append(
                Problem(
                    "procedures",
                    f"{proc.name}は住民状態「{resident.status}」の人には行えません"
                    f" / not for a resident whose status is {resident.status}",
                )
            )
        for q in proc.questions:
            key = q.answer_key(code)
            # Any question may come as `<procedure>.<key>`: the staff screen draws the live
            # catalog, which may ask per procedure where the visit's pinned one did not.
            known_keys.update({procedure_key(code, q.key), q.key})
            value = answer_for(inp.answers, code, q.key)
            if (why := _check_answer(q, value, household)) is not None:
                label = f"{proc.name} {q.label}" if q.per_procedure else q.label
                # Named as the client sent it: one "copies" for every procedure is allowed.
                sent = key if key in inp.answers or q.key not in inp.answers else q.key
                problems.append(Problem(f"answers.{sent}", f"{label}: {why}"))
    problems += _new_head_problems(inp, catalog, resident)
    if MOVERS in inp.answers and MOVERS not in known_keys and household:
        # A visit pinned to a catalog from before 異動者 were asked, at its interview while
        # the screen (drawing the live catalog) offers them. Its pinned forms and layout list
        # and write the whole household, so only the whole household can be taken.
        known_keys.add(MOVERS)
        if set(split_members(inp.answers[MOVERS])) != set(household):
            problems.append(
                Problem(
                    f"answers.{MOVERS}",
                    "異動者: この来庁は異動者を選べない版で受け付けています。全員を選ぶか、"
                    "新しく受け付けてください / this visit's catalog moves the whole household",
                )
            )
    for key in inp.answers:
        if key not in known_keys:
            problems.append(
                Problem(
                    f"answers.{key}",
                    "選んだ手続に無い質問です / not a question of these procedures",
                )
            )
    return problems


def validate_confirm(inp: ConfirmInput, forms: list[FilledForm]) -> list[Problem]:
    problems: list[Problem] = []
    strokes = inp.signature.strokes
    points = sum(len(s) for s in strokes)
    if not strokes or points < 2:
        problems.append(Problem("signature", "署名がありません / signature is empty"))
    elif len(strokes) > MAX_STROKES or points > MAX_POINTS:
        problems.append(Problem("signature", "署名のデータが大きすぎます / signature too large"))
    elif not all(
        len(p) == 2 and all(0.0 <= v <= 1.0 for v in p) for stroke in strokes for p in stroke
    ):
        problems.append(
            Problem("signature", "署名の座標は0〜1の2値です / points must be [x, y] within 0..1")
        )
    expected = sorted(f.form_code for f in forms)
    if sorted(inp.confirmed_form_codes) != expected:
        problems.append(
            Problem(
                "confirmed_form_codes",
                "確認した帳票が現在の帳票と一致しません / confirmed forms differ from the "
                f"visit's forms (expected {', '.join(expected)})",
            )
        )
    return problems


def validate_rpa_result(
    inp: RpaResultInput,
    records: list[ApplicationRecord],
    results: dict[str, RpaResultInput],
) -> list[Problem]:
    if not any(r.record_id == inp.record_id for r in records):
        return [Problem("record_id", UNKNOWN_RECORD)]
    if inp.outcome not in set(RpaOutcome):
        return [Problem("outcome", "outcome は done か error です / outcome must be done or error")]
    previous = results.get(inp.record_id)
    if previous is not None and previous.outcome == RpaOutcome.DONE:
        return [
            Problem(
                "record_id", "このレコードは既に完了報告済みです / record already reported done"
            )
        ]
    if problems := control_characters({"message": inp.message}):
        return problems
    if inp.outcome == RpaOutcome.ERROR and not inp.message.strip():
        return [
            Problem(
                "message",
                "エラー報告には基幹システムのメッセージが必要です / error needs a message",
            )
        ]
    if len(inp.message) > 1000:
        return [Problem("message", "メッセージは1000文字までです / message too long")]
    return []


def validate_reassign(inp: ReassignInput, counter: str, staff: str) -> list[Problem]:
    """Another counter and/or clerk, with a reason; the same pair again is no change."""
    problems = validate_call(CallInput(inp.counter, inp.staff))
    problems += _reason_problems(inp.reason, "担当変更")
    if (inp.counter, inp.staff) == (counter, staff):
        problems.append(Problem("staff", "担当が変わっていません / same counter and clerk"))
    return problems


def validate_retry(inp: RetryInput, records: list[ApplicationRecord]) -> list[Problem]:
    problems = _reason_problems(inp.reason, "再試行")
    known = {r.record_id for r in records}
    if any(rid not in known for rid in inp.requeued):
        problems.insert(0, Problem("requeued", UNKNOWN_RECORD))
    return problems


def validate_cancel(inp: CancelInput) -> list[Problem]:
    return control_characters({"reason": inp.reason}) or _required_text(
        inp.reason, "reason", "取消理由", 500
    )
