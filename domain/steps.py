"""The steps of a counter visit and which human action is allowed at which step.

Modelled on OpenCRVS's status × action table: one place answers "may this happen now?",
and the workflow's update validators ask it before anything touches history.
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    RECEPTION = "reception"  # ticket issued, waiting to be called to a counter
    IDENTIFY = "identify"  # at the counter, waiting for the ID card data
    LOOKUP = "lookup"  # register searched, staff choose the resident
    INTERVIEW = "interview"  # staff and resident choose procedures
    FILL = "fill"  # the system fills every form
    CONFIRM = "confirm"  # resident checks on the tablet and signs
    PRINT = "print"  # forms rendered to PDF
    HANDOFF = "handoff"  # application data written as CSV for the RPA
    AWAIT_RPA = "await_rpa"  # waiting for the robot to report back
    DONE = "done"
    CANCELLED = "cancelled"


class Action(StrEnum):
    CALL = "call"
    IDENTIFY = "identify"
    SEARCH = "search"
    CHOOSE_RESIDENT = "choose_resident"
    NAVI = "navi"
    CHOOSE_PROCEDURES = "choose_procedures"
    CONFIRM = "confirm"
    CORRECT = "correct"  # interview answers corrected at review; the forms are refilled
    REPRINT = "reprint"
    RPA_RESULT = "rpa_result"
    REQUEUE = "requeue"  # a supervisor sent a failed or held record to the next batch
    REASSIGN = "reassign"  # a supervisor moved the visit to another counter or clerk
    RETRY = "retry"  # a supervisor restarted the wait for the robot after unsticking it
    CANCEL = "cancel"


# The order a visit normally walks; BPMN task ids use the same names.
STEP_ORDER: tuple[Step, ...] = (
    Step.RECEPTION,
    Step.IDENTIFY,
    Step.LOOKUP,
    Step.INTERVIEW,
    Step.FILL,
    Step.CONFIRM,
    Step.PRINT,
    Step.HANDOFF,
    Step.AWAIT_RPA,
    Step.DONE,
)

FINAL_STEPS = frozenset({Step.DONE, Step.CANCELLED})

# Steps during which the resident holds a counter (and its clerk): called, until signed.
AT_COUNTER: tuple[Step, ...] = (Step.IDENTIFY, Step.LOOKUP, Step.INTERVIEW, Step.FILL, Step.CONFIRM)

# Steps where the system works on its own; no human action is accepted meanwhile.
AUTOMATIC_STEPS = frozenset({Step.FILL, Step.PRINT, Step.HANDOFF})

ALLOWED: dict[Action, frozenset[Step]] = {
    Action.CALL: frozenset({Step.RECEPTION}),
    # Re-identifying from the candidate list is allowed: the card may have been misread.
    Action.IDENTIFY: frozenset({Step.IDENTIFY, Step.LOOKUP}),
    # Staff may also look the person up in the register directly (kana, 住所, 宛名番号 …).
    Action.SEARCH: frozenset({Step.IDENTIFY, Step.LOOKUP}),
    Action.CHOOSE_RESIDENT: frozenset({Step.LOOKUP}),
    # 手続ナビ may run again as the interview learns more; each run replaces the proposals.
    Action.NAVI: frozenset({Step.INTERVIEW}),
    Action.CHOOSE_PROCEDURES: frozenset({Step.INTERVIEW}),
    Action.CONFIRM: frozenset({Step.CONFIRM}),
    # Printed forms can be printed again (jammed paper, a failed printer) until the visit ends.
    Action.CORRECT: frozenset({Step.CONFIRM}),
    Action.REPRINT: frozenset({Step.AWAIT_RPA}),
    Action.RPA_RESULT: frozenset({Step.AWAIT_RPA}),
    Action.REQUEUE: frozenset({Step.AWAIT_RPA}),
    # Wherever a person works on the visit; the automatic steps finish on their own.
    Action.REASSIGN: frozenset(
        {Step.IDENTIFY, Step.LOOKUP, Step.INTERVIEW, Step.CONFIRM, Step.AWAIT_RPA}
    ),
    Action.RETRY: frozenset({Step.AWAIT_RPA}),
    # Once the CSV has gone to the core system a visit cannot simply be cancelled:
    # the robot may already have typed it in. Supervisors handle that case.
    Action.CANCEL: frozenset(
        {Step.RECEPTION, Step.IDENTIFY, Step.LOOKUP, Step.INTERVIEW, Step.CONFIRM}
    ),
}

STEP_LABELS_JA: dict[Step, str] = {
    Step.RECEPTION: "受付",
    Step.IDENTIFY: "本人確認",
    Step.LOOKUP: "住民検索",
    Step.INTERVIEW: "聞き取り",
    Step.FILL: "帳票作成",
    Step.CONFIRM: "内容確認・署名",
    Step.PRINT: "印刷",
    Step.HANDOFF: "基幹連携",
    Step.AWAIT_RPA: "RPA結果待ち",
    Step.DONE: "完了",
    Step.CANCELLED: "取消",
}

ACTION_LABELS_JA: dict[Action, str] = {
    Action.CALL: "呼出",
    Action.IDENTIFY: "本人確認",
    Action.SEARCH: "住民検索",
    Action.CHOOSE_RESIDENT: "住民選択",
    Action.NAVI: "手続ナビ",
    Action.CHOOSE_PROCEDURES: "手続選択",
    Action.CONFIRM: "署名確認",
    Action.CORRECT: "内容修正",
    Action.REPRINT: "再印刷",
    Action.RPA_RESULT: "RPA結果報告",
    Action.REQUEUE: "再送",
    Action.REASSIGN: "担当変更",
    Action.RETRY: "再試行",
    Action.CANCEL: "取消",
}


def is_allowed(action: Action, step: Step) -> bool:
    return step in ALLOWED[action]


def wrong_step_message(action: Action, step: Step) -> str:
    allowed = "、".join(STEP_LABELS_JA[s] for s in STEP_ORDER if s in ALLOWED[action])
    return (
        f"「{ACTION_LABELS_JA[action]}」は現在のステップ「{STEP_LABELS_JA[step]}」では行えません"
        f"（可能なステップ: {allowed}）。 "
        f"Action '{action}' is not allowed at step '{step}'."
    )
