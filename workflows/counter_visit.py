"""CounterVisit: one durable workflow per visit to the counter, from ticket to RPA confirmation.

Human input arrives as Updates. A validator checks the step (domain.steps.ALLOWED) and the
data (domain.validation) before anything touches history, so a rejected call leaves no
trace. Accepted input goes to an inbox that the main loop works through one at a time,
running the activities each step needs; the Update returns once the visit is waiting for
people again, with the new state.
"""

# No `from __future__ import annotations` here, unlike the rest of the code: the sandbox
# imports this module afresh for every new visit, and the SDK reads every handler's type
# hints as it does; as strings each had to be compiled and evaluated again (with the
# classes in workflows/inbox.py, about a quarter of the sandbox's cost per visit; bench in the
# README). Every name an annotation uses is imported above it.
import asyncio
import contextlib
import functools
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as ActivityTimeout

with workflow.unsafe.imports_passed_through():
    from activities.inputs import (
        FillInput,
        FillResult,
        HandoffInput,
        HandoffResult,
        IssueTicketInput,
        LookupInput,
        NaviActivityInput,
        PinCatalogInput,
        PrinterInput,
        PrinterResult,
        PrintInput,
        PrintResult,
        SearchResidentsInput,
        VisitContext,
    )
    from adapters import search_attributes as sa
    from domain.catalog import Catalog, split_members
    from domain.event_log import memo_of
    from domain.resident import ResidentRecord
    from domain.steps import FINAL_STEPS, Action, Step, is_allowed, wrong_step_message
    from domain.validation import (
        Problem,
        accepted_procedures,
        validate_call,
        validate_cancel,
        validate_choose_procedures,
        validate_choose_resident,
        validate_confirm,
        validate_correction,
        validate_identify,
        validate_navi,
        validate_reassign,
        validate_reprint,
        validate_requeue,
        validate_retry,
        validate_rpa_result,
        validate_search,
    )
    from domain.visit import (
        CallInput,
        CancelInput,
        ChooseProceduresInput,
        ChooseResidentInput,
        ConfirmInput,
        CorrectAnswersInput,
        Decision,
        IdCardData,
        NaviInput,
        Proposal,
        ReassignInput,
        ReprintInput,
        RequeueInput,
        ResidentCandidate,
        RetryInput,
        RpaOutcome,
        RpaResultInput,
        SearchInput,
        Signature,
        StartVisit,
        StepEvent,
        VisitState,
    )
    from workflows import options
    from workflows.errors import STEP_FAILED, WRONG_STEP, invalid, rejection
    from workflows.inbox import Inbound as _Inbound
    from workflows.inbox import StepFailed as _StepFailed


NO_REPORT = "RPAから結果報告がありません"
# Flags the records raise, which go away by themselves once no record needs a person.
RECORD_FLAGS = ("基幹連携データを保留", "RPAエラー", NO_REPORT)
# 2026-11-26: a finished visit keeps its event log in the memo, so BPR reads a month of
# visits from visibility instead of each history. Visits started before replay without it.
EVENT_LOG_MEMO = "event-log-memo"
# 2026-11-26: the 整理券 is issued before the catalog is pinned, as a local activity.
TICKET_FIRST = "ticket-first"
# 2026-11-26: the quick reads (look up, search, 手続ナビ, fill forms) run
# as local activities: no round trip through the server's task queue and ~3 history events
# fewer each. Documents and handoff stay ordinary activities (heartbeats, endless retry,
# visible to the supervisor's "failing repeatedly").
LOCAL_QUICK = "local-quick-activities"
# 2026-11-26: signing answers as soon as the signature is kept (step 印刷); the PDF, the
# printer and the handoff follow in the workflow, off the click's path — the staff screen
# watches the step move on. Visits started before answer after the handoff, as they did.
PRINT_AFTER_SIGN = "print-after-sign"
# 2026-11-27: once the PDF is done, the printer and the handoff run as local activities in
# the workflow task that the PDF's completion starts: two activity tasks, two workflow tasks
# and ~10 history events fewer a visit. The PDF stays an ordinary activity: as a local one
# it would hold the signing's workflow task, and with it the clerk's answer at 印刷. A
# handoff whose quick local tries all fail goes on as the ordinary activity it was (endless
# retry, heartbeats, "failing repeatedly" on the supervisor's dashboard).
LOCAL_AFTER_PRINT = "local-after-print"
# 2026-11-27: a local activity that fails for good raises its failure itself (an
# ApplicationError, or a TimeoutError), not an ActivityError as an ordinary one does. Until
# now that went past the step's error handling: the step answered with the error, but the
# visit was not flagged and did not go back (a form filling that failed left it at 帳票作成,
# where nothing is allowed). Visits that failed so before replay as they ran.
LOCAL_FAILURES_FLAG = "local-failures-flag"
# 2026-11-27: a step's activity that failed and flagged the visit, then succeeded when the
# step was done again, takes its flag away (before, the visit stayed 要対応 until 完了).
MENDED_CLEARS_FLAG = "mended-clears-flag"
# What a local activity raises when its tries are used up.
LOCAL_FAILURES = (ApplicationError, ActivityTimeout)


@workflow.defn(name="CounterVisit")
class CounterVisit:
    @workflow.init
    def __init__(self, start: StartVisit) -> None:
        self._start = start
        self._state = VisitState.opened(start, workflow.now().isoformat())
        self._catalog: Catalog | None = None
        self._pinning: asyncio.Task[None] | None = None
        self._resident_record: ResidentRecord | None = None
        self._chosen: list[str] = []  # the procedures staff ticked (before accepted proposals)
        self._signature: Signature | None = None
        self._copies = 0
        self._inbox: list[_Inbound] = []
        self._accepting = False
        self._next_seq = 0
        self._done_seq = 0
        self._failures: dict[int, ApplicationError] = {}
        # Work a step starts but its caller does not wait for (printing after signing).
        self._then: Callable[[], Awaitable[None]] | None = None

    # ---- the main loop -------------------------------------------------------------

    @workflow.run
    async def run(self, start: StartVisit) -> VisitState:
        self._upsert_step()
        ticket = IssueTicketInput(start.visit_id, workflow.now().date().isoformat())
        if start.ticket_no is not None:
            # The API issued the 整理券 (no patch: the start input decides, and no earlier
            # history carries one). The visit can be called at once; the catalog is pinned
            # meanwhile, and every other step waits for it.
            self._pinning = asyncio.create_task(self._pin_catalog(start))
        elif workflow.patched(TICKET_FIRST):
            # The ticket first, as a local activity: the clerk's screen waits for its
            # number, and a local activity answers within the first workflow task instead
            # of a round trip through the task queue. The catalog is pinned meanwhile.
            self._state.ticket_no = await workflow.execute_local_activity(
                "issue_ticket", ticket, result_type=int,
                start_to_close_timeout=options.QUICK_TIMEOUT, retry_policy=options.QUICK,
            )  # fmt: skip
            await self._pin_catalog(start)
        else:  # visits started before 2026-11-26 replay as they ran
            await self._pin_catalog(start)
            self._state.ticket_no = await workflow.execute_activity(
                "issue_ticket", ticket, result_type=int,
                start_to_close_timeout=options.QUICK_TIMEOUT, retry_policy=options.QUICK,
            )  # fmt: skip
        while self._state.step not in FINAL_STEPS:
            self._accepting = True
            try:
                await workflow.wait_condition(lambda: bool(self._inbox), timeout=self._rpa_wait())
            except TimeoutError:
                self._flag(f"{NO_REPORT} / no RPA report within the time limit")
                continue
            self._accepting = False
            item = self._inbox.pop(0)
            if item.action != Action.CALL:
                await self._catalog_pinned()
            try:
                # Handlers released together may both have queued; the later one is checked
                # against the state the earlier one left.
                self._check(item.action, item.payload)
                await self._apply(item.action, item.payload)
            except ApplicationError as e:
                self._failures[item.seq] = e
            except _StepFailed as e:
                self._failures[item.seq] = rejection(STEP_FAILED, str(e))
            self._done_seq = item.seq
            if self._then is not None:
                then, self._then = self._then, None
                # Further input waits its turn meanwhile (not accepting); a failure here
                # has flagged the visit already and nobody is waiting for an answer.
                with contextlib.suppress(_StepFailed):
                    await then()
        self._accepting = False
        await self._catalog_pinned()
        if workflow.patched(EVENT_LOG_MEMO):
            workflow.upsert_memo({"event_log": memo_of(self._state)})
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    async def _pin_catalog(self, start: StartVisit) -> None:
        # An ordinary activity even with LOCAL_QUICK: as a local one it would hold the first
        # workflow task — and with it the new ticket's answer — until the catalog is pinned.
        self._catalog = await workflow.execute_activity(
            "pin_catalog",
            PinCatalogInput(start.visit_id),
            result_type=Catalog,
            start_to_close_timeout=options.QUICK_TIMEOUT,
            retry_policy=options.QUICK,
        )
        self._state.catalog_version = self._catalog.version

    async def _catalog_pinned(self) -> None:
        # A pin that failed for good fails the visit here, as it did when it was awaited first.
        if self._pinning is not None:
            await self._pinning

    def _rpa_wait(self) -> timedelta | None:
        if self._state.step == Step.AWAIT_RPA and not self._state.needs_attention:
            return timedelta(seconds=self._start.rpa_timeout_seconds)
        return None

    async def _apply(self, action: Action, payload: Any) -> None:
        s = self._state
        if action == Action.CALL:
            s.counter, s.staff = payload.counter, payload.staff
            workflow.upsert_search_attributes(
                [sa.COUNTER.value_set(s.counter), sa.STAFF.value_set(s.staff)]
            )
            self._enter(Step.IDENTIFY)
        elif action == Action.IDENTIFY:
            s.id_card, s.resident, s.candidates = payload, None, []
            self._enter(Step.LOOKUP)
            s.candidates = await self._run(
                "lookup_residents",
                LookupInput(s.visit_id, s.staff, payload),
                list[ResidentCandidate],
                back_to=Step.IDENTIFY,
            )
        elif action == Action.SEARCH:
            s.resident, s.candidates = None, []
            self._enter(Step.LOOKUP)
            s.candidates = await self._run(
                "search_residents",
                SearchResidentsInput(s.visit_id, s.staff, payload.kind, payload.q),
                list[ResidentCandidate],
                back_to=Step.IDENTIFY,
            )
        elif action == Action.CHOOSE_RESIDENT:
            s.resident = next(c for c in s.candidates if c.atena_no == payload.atena_no)
            self._enter(Step.INTERVIEW)
        elif action == Action.NAVI:
            assert s.resident is not None
            s.navi_facts, s.decisions = dict(payload.facts), {}
            s.navi_procedures = list(payload.procedures)
            s.proposals = await self._run(
                "propose_procedures",
                NaviActivityInput(
                    s.visit_id, s.staff, workflow.now().date().isoformat(), s.resident.atena_no,
                    list(payload.procedures), s.navi_facts, *self._catalog_ref(),
                    movers=split_members(payload.movers),
                ),
                list[Proposal],
            )  # fmt: skip
        elif action == Action.CHOOSE_PROCEDURES:
            await self._fill(payload, back_to=Step.INTERVIEW)
        elif action == Action.CORRECT:
            await self._fill(self._corrected(payload), back_to=Step.CONFIRM)
        elif action == Action.CONFIRM:
            self._signature = payload.signature
            s.signed = True
            if workflow.patched(PRINT_AFTER_SIGN):
                self._enter(Step.PRINT)
                self._then = functools.partial(self._print_and_hand_off, entered=True)
            else:
                await self._print_and_hand_off()
        elif action == Action.RPA_RESULT:
            s.rpa_results[payload.record_id] = payload
            for r in s.records:
                if r.record_id == payload.record_id and payload.outcome == RpaOutcome.DONE:
                    r.status, r.problems = "done", []
            if not s.pending_records():
                self._clear_flag()
                self._enter(Step.DONE)
            else:
                self._flag_records()
        elif action == Action.REQUEUE:
            self._requeued([payload.record_id])
            self._flag_records()
        elif action == Action.REASSIGN:
            s.counter, s.staff = payload.counter, payload.staff
            workflow.upsert_search_attributes(
                [sa.COUNTER.value_set(s.counter), sa.STAFF.value_set(s.staff)]
            )
            # The step goes on under its new owner: the event log sees who had it when.
            s.history.append(StepEvent(s.step, workflow.now().isoformat(), s.staff, s.counter))
        elif action == Action.RETRY:
            # The records were unstuck outside (re-queued, batch run); the robot gets a
            # fresh time limit and the "no report" flag goes.
            self._requeued(payload.requeued)
            if s.needs_attention and s.attention_reason.startswith(NO_REPORT):
                self._clear_flag()
            self._flag_records()
            self._enter(Step.AWAIT_RPA)  # the wait (and its stall clock) starts again
        elif action == Action.REPRINT:
            self._copies += 1
            await self._send_to_printer(self._copies)
        elif action == Action.CANCEL:
            s.cancel_reason = payload.reason
            self._enter(Step.CANCELLED)

    async def _print_and_hand_off(self, *, entered: bool = False) -> None:
        s = self._state
        assert self._signature is not None and s.ticket_no is not None
        if not entered:
            self._enter(Step.PRINT)
        printed = await self._run(
            "print_forms",
            PrintInput(
                s.visit_id,
                s.ticket_no,
                s.forms,
                self._signature,
                staff=s.staff,
                subject=s.resident.atena_no if s.resident else "",
            ),
            PrintResult,
            persistent=True,
        )
        s.documents = [printed.document]
        s.warnings += [w for w in printed.warnings if w not in s.warnings]
        await self._send_to_printer(0)
        self._enter(Step.HANDOFF)
        assert self._resident_record is not None
        handed = await self._run(
            "write_handoff",
            HandoffInput(self._context(), self._resident_record),
            HandoffResult,
            persistent=True,
            local_first=workflow.patched(LOCAL_AFTER_PRINT),
        )
        s.records = handed.records
        s.warnings += [f"縮退 {r.procedure_code}: {d}" for r in s.records for d in r.degraded]
        self._enter(Step.AWAIT_RPA)
        self._flag_records()

    async def _send_to_printer(self, copy: int) -> None:
        """A printer that keeps failing flags the visit and lets the rest go on: the forms
        are signed and stored, the data can go to the core system, and staff re-print."""
        s = self._state
        job = PrinterInput(
            s.visit_id, s.documents[0].key, s.counter, s.staff,
            s.resident.atena_no if s.resident else "", copy,
        )  # fmt: skip
        # The same few tries either way; a local one waits out its backoff in the worker.
        send = (
            workflow.execute_local_activity
            if workflow.patched(LOCAL_AFTER_PRINT)
            else workflow.execute_activity
        )
        try:
            result = await send(
                "send_to_printer",
                job,
                result_type=PrinterResult,
                start_to_close_timeout=options.PRINTER_TIMEOUT,
                retry_policy=options.PRINTER,
            )
        except (ActivityError, *LOCAL_FAILURES) as e:
            message = _failure_message(e)
            self._flag(f"印刷に失敗しました。再印刷してください / printing failed: {message}")
            return
        if result.job:
            s.print_jobs.append(result.job)
        if copy and s.needs_attention and s.attention_reason.startswith("印刷に失敗"):
            self._clear_flag()

    async def _run(
        self,
        activity: str,
        arg: Any,
        result_type: Any,
        *,
        back_to: Step | None = None,
        persistent: bool = False,
        local_first: bool = False,
    ) -> Any:
        result = await self._attempt(
            activity, arg, result_type,
            back_to=back_to, persistent=persistent, local_first=local_first,
        )  # fmt: skip
        s = self._state
        # Done again after it failed (the clerk chose again, the share came back): the
        # visit no longer needs anyone for it.
        if (
            s.needs_attention
            and f"{activity} failed" in s.attention_reason
            and workflow.patched(MENDED_CLEARS_FLAG)
        ):
            self._clear_flag()
        return result

    async def _attempt(
        self,
        activity: str,
        arg: Any,
        result_type: Any,
        *,
        back_to: Step | None,
        persistent: bool,
        local_first: bool,
    ) -> Any:
        try:
            if local_first:
                try:
                    return await self._local(activity, arg, result_type)
                except LOCAL_FAILURES as e:
                    if not _retryable(e):
                        raise
                    workflow.logger.warning(
                        "%s failed its quick tries; retrying as an ordinary activity", activity
                    )
            elif not persistent and workflow.patched(LOCAL_QUICK):
                return await self._local(activity, arg, result_type)
            return await workflow.execute_activity(
                activity,
                arg,
                result_type=result_type,
                start_to_close_timeout=options.DOCUMENT_TIMEOUT
                if persistent
                else options.QUICK_TIMEOUT,
                heartbeat_timeout=(
                    timedelta(seconds=self._start.heartbeat_seconds) if persistent else None
                ),
                retry_policy=options.PERSISTENT if persistent else options.QUICK,
            )
        except (ActivityError, *LOCAL_FAILURES) as e:
            if not isinstance(e, ActivityError) and not (
                local_first or workflow.patched(LOCAL_FAILURES_FLAG)
            ):
                raise  # as it ran before: the step answered with the error, unflagged
            message = _failure_message(e)
            self._flag(f"{_failed(activity)}: {message}")
            if back_to is not None:
                self._enter(back_to)
            raise _StepFailed(message) from e

    async def _local(self, activity: str, arg: Any, result_type: Any) -> Any:
        return await workflow.execute_local_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=options.QUICK_TIMEOUT,
            retry_policy=options.QUICK,
        )

    def _pinned(self) -> Catalog:
        assert self._catalog is not None
        return self._catalog

    def _catalog_ref(self) -> tuple[Catalog | None, str]:
        """What an activity is handed: the digest of the pinned catalog, which it reads
        from the object store — or, for a visit pinned before digests existed, the catalog
        itself. Decided by the pinned data, so replaying either kind of visit is the same."""
        catalog = self._pinned()
        return (None, catalog.digest) if catalog.digest else (catalog, "")

    def _context(self) -> VisitContext:
        s = self._state
        assert self._catalog is not None and s.ticket_no is not None
        catalog, digest = self._catalog_ref()
        return VisitContext(
            visit_id=s.visit_id,
            ticket_no=s.ticket_no,
            today=workflow.now().date().isoformat(),
            staff=s.staff,
            counter=s.counter,
            applicant=s.id_card,
            procedures=s.procedures,
            answers=s.answers,
            catalog=catalog,
            accepted=[p for p in s.proposals if s.decisions.get(p.code) == Decision.ACCEPT],
            catalog_digest=digest,
        )

    # ---- state changes -------------------------------------------------------------

    def _enter(self, step: Step) -> None:
        now = workflow.now().isoformat()
        self._state.step, self._state.step_entered_at = step, now
        self._state.history.append(StepEvent(step, now, self._state.staff, self._state.counter))
        self._upsert_step()
        workflow.logger.info("visit entered step %s", step)

    def _upsert_step(self) -> None:
        workflow.upsert_search_attributes(
            [sa.STEP.value_set(self._state.step), sa.STEP_ENTERED_AT.value_set(workflow.now())]
        )

    def _flag(self, reason: str) -> None:
        self._state.needs_attention, self._state.attention_reason = True, reason
        workflow.upsert_search_attributes([sa.NEEDS_ATTENTION.value_set(True)])

    async def _fill(self, choice: ChooseProceduresInput, back_to: Step) -> None:
        s = self._state
        self._chosen = list(choice.procedures)
        s.procedures = accepted_procedures(choice, s.proposals)
        s.answers, s.decisions = dict(choice.answers), dict(choice.decisions)
        workflow.upsert_search_attributes([sa.PROCEDURES.value_set(s.procedures)])
        self._enter(Step.FILL)
        assert s.resident is not None
        filled = await self._run(
            "fill_forms",
            FillInput(self._context(), s.resident.atena_no),
            FillResult,
            back_to=back_to,
        )
        self._resident_record, s.forms = filled.resident, filled.forms
        self._enter(Step.CONFIRM)

    def _corrected(self, inp: CorrectAnswersInput) -> ChooseProceduresInput:
        """The interview as chosen, with the corrected answers: validated and applied as a
        new choice, so forms and application data are filled from the same answers."""
        s = self._state
        changed = {k: v for k, v in inp.answers.items() if s.answers.get(k, "") != v}
        return ChooseProceduresInput(self._chosen, {**s.answers, **changed}, s.decisions)

    def _requeued(self, record_ids: list[str]) -> None:
        for r in self._state.records:
            if r.record_id in record_ids:
                self._state.rpa_results.pop(r.record_id, None)
                r.status, r.problems = "queued", []

    def _flag_records(self) -> None:
        """Held records and robot errors need a person; once none is left (re-queued, done
        by hand) the flag they raised goes, and the wait for the robot starts again."""
        s = self._state
        reasons = [
            f"基幹連携データを保留 / held: {r.procedure_code}: {'; '.join(r.problems)}"
            for r in s.records
            if r.status == "held"
        ]
        # By procedure and message, counted: a household's move is a record per person, and
        # the robot often refuses them all for one reason; the records table says whose.
        catalog = self._catalog
        procedure_of = {
            r.record_id: proc.name
            if catalog and (proc := catalog.procedure(r.procedure_code))
            else r.procedure_code
            for r in s.records
        }
        errors = Counter(
            f"{procedure_of.get(rid, rid)}: {res.message}"
            for rid, res in s.rpa_results.items()
            if res.outcome == RpaOutcome.ERROR
        )
        if errors:
            reasons.append(
                f"RPAエラー {errors.total()}件 / RPA errors: "
                + "; ".join(m if n == 1 else f"{m}（{n}件）" for m, n in errors.items())
            )
        if reasons:
            self._flag(" / ".join(reasons)[:1000])
        elif s.needs_attention and s.attention_reason.startswith(RECORD_FLAGS):
            self._clear_flag()

    def _clear_flag(self) -> None:
        self._state.needs_attention, self._state.attention_reason = False, ""
        workflow.upsert_search_attributes([sa.NEEDS_ATTENTION.value_set(False)])

    # ---- human input ---------------------------------------------------------------

    def _problems(self, action: Action, payload: Any) -> list[Problem]:
        s = self._state
        if action == Action.CALL:
            return validate_call(payload)
        if action == Action.IDENTIFY:
            return validate_identify(payload, workflow.now().date())
        if action == Action.SEARCH:
            return validate_search(payload)
        if action == Action.CHOOSE_RESIDENT:
            return validate_choose_resident(payload, s.candidates)
        if action == Action.NAVI:
            return validate_navi(payload, self._pinned(), s.resident)
        if action == Action.CHOOSE_PROCEDURES:
            return validate_choose_procedures(payload, self._pinned(), s.resident, s.proposals)
        if action == Action.REPRINT:
            return validate_reprint(payload)
        if action == Action.CORRECT:
            return validate_correction(payload, s.answers) + validate_choose_procedures(
                self._corrected(payload), self._pinned(), s.resident, s.proposals
            )
        if action == Action.REQUEUE:
            return validate_requeue(payload, s.records)
        if action == Action.REASSIGN:
            return validate_reassign(payload, s.counter, s.staff)
        if action == Action.RETRY:
            return validate_retry(payload, s.records)
        if action == Action.CONFIRM:
            return validate_confirm(payload, s.forms)
        if action == Action.RPA_RESULT:
            return validate_rpa_result(payload, s.records, s.rpa_results)
        return validate_cancel(payload)

    def _check(self, action: Action, payload: Any) -> None:
        if not is_allowed(action, self._state.step):
            raise rejection(WRONG_STEP, wrong_step_message(action, self._state.step))
        if problems := self._problems(action, payload):
            raise invalid(problems)

    async def _accept(self, action: Action, payload: Any) -> VisitState:
        # While the system works on a step (or is still issuing the ticket) input waits its
        # turn. Validators ran against the state at arrival; two updates can both pass before
        # either is handled, so the handler checks again before it changes anything.
        await workflow.wait_condition(lambda: self._accepting and not self._inbox)
        self._check(action, payload)
        self._next_seq += 1
        seq = self._next_seq
        self._inbox.append(_Inbound(seq, action, payload))
        self._accepting = False
        await workflow.wait_condition(lambda: self._done_seq >= seq)
        if seq in self._failures:
            raise self._failures.pop(seq)
        return self._answer()

    def _answer(self) -> VisitState:
        """The state as an update's answer, stamped with when it was given: the staff screen
        draws the page that follows a step from it while it is fresh, and an answer Temporal
        repeats for a re-sent update id (the state of back then) is not fresh. A copy: a
        query's state carries no stamp. Changes no command, so no patch is needed."""
        return replace(self._state, answered_at=workflow.now().isoformat())

    @workflow.update(name="ticket")
    async def ticket(self) -> VisitState:
        """The visit once its 整理券 is issued; changes nothing. API processes before
        2026-11-26 sent it with the start (update-with-start); kept for them while they
        are replaced — today's API issues the ticket itself and starts the visit with it."""
        await workflow.wait_condition(lambda: self._state.ticket_no is not None)
        return self._answer()

    @workflow.update(name="call")
    async def call(self, inp: CallInput) -> VisitState:
        return await self._accept(Action.CALL, inp)

    @call.validator
    def _validate_call(self, inp: CallInput) -> None:
        self._check(Action.CALL, inp)

    @workflow.update(name="identify")
    async def identify(self, inp: IdCardData) -> VisitState:
        return await self._accept(Action.IDENTIFY, inp)

    @identify.validator
    def _validate_identify(self, inp: IdCardData) -> None:
        self._check(Action.IDENTIFY, inp)

    @workflow.update(name="search")
    async def search(self, inp: SearchInput) -> VisitState:
        return await self._accept(Action.SEARCH, inp)

    @search.validator
    def _validate_search(self, inp: SearchInput) -> None:
        self._check(Action.SEARCH, inp)

    @workflow.update(name="choose_resident")
    async def choose_resident(self, inp: ChooseResidentInput) -> VisitState:
        return await self._accept(Action.CHOOSE_RESIDENT, inp)

    @choose_resident.validator
    def _validate_choose_resident(self, inp: ChooseResidentInput) -> None:
        self._check(Action.CHOOSE_RESIDENT, inp)

    @workflow.update(name="navi")
    async def navi(self, inp: NaviInput) -> VisitState:
        return await self._accept(Action.NAVI, inp)

    @navi.validator
    def _validate_navi(self, inp: NaviInput) -> None:
        self._check(Action.NAVI, inp)

    @workflow.update(name="reprint")
    async def reprint(self, inp: ReprintInput) -> VisitState:
        return await self._accept(Action.REPRINT, inp)

    @reprint.validator
    def _validate_reprint(self, inp: ReprintInput) -> None:
        self._check(Action.REPRINT, inp)

    @workflow.update(name="choose_procedures")
    async def choose_procedures(self, inp: ChooseProceduresInput) -> VisitState:
        return await self._accept(Action.CHOOSE_PROCEDURES, inp)

    @choose_procedures.validator
    def _validate_choose_procedures(self, inp: ChooseProceduresInput) -> None:
        self._check(Action.CHOOSE_PROCEDURES, inp)

    @workflow.update(name="confirm")
    async def confirm(self, inp: ConfirmInput) -> VisitState:
        return await self._accept(Action.CONFIRM, inp)

    @confirm.validator
    def _validate_confirm(self, inp: ConfirmInput) -> None:
        self._check(Action.CONFIRM, inp)

    @workflow.update(name="rpa_result")
    async def rpa_result(self, inp: RpaResultInput) -> VisitState:
        return await self._accept(Action.RPA_RESULT, inp)

    @rpa_result.validator
    def _validate_rpa_result(self, inp: RpaResultInput) -> None:
        self._check(Action.RPA_RESULT, inp)

    @workflow.update(name="correct")
    async def correct(self, inp: CorrectAnswersInput) -> VisitState:
        return await self._accept(Action.CORRECT, inp)

    @correct.validator
    def _validate_correct(self, inp: CorrectAnswersInput) -> None:
        self._check(Action.CORRECT, inp)

    @workflow.update(name="requeue")
    async def requeue(self, inp: RequeueInput) -> VisitState:
        return await self._accept(Action.REQUEUE, inp)

    @requeue.validator
    def _validate_requeue(self, inp: RequeueInput) -> None:
        self._check(Action.REQUEUE, inp)

    @workflow.update(name="reassign")
    async def reassign(self, inp: ReassignInput) -> VisitState:
        return await self._accept(Action.REASSIGN, inp)

    @reassign.validator
    def _validate_reassign(self, inp: ReassignInput) -> None:
        self._check(Action.REASSIGN, inp)

    @workflow.update(name="retry")
    async def retry(self, inp: RetryInput) -> VisitState:
        return await self._accept(Action.RETRY, inp)

    @retry.validator
    def _validate_retry(self, inp: RetryInput) -> None:
        self._check(Action.RETRY, inp)

    @workflow.update(name="cancel")
    async def cancel(self, inp: CancelInput) -> VisitState:
        return await self._accept(Action.CANCEL, inp)

    @cancel.validator
    def _validate_cancel(self, inp: CancelInput) -> None:
        self._check(Action.CANCEL, inp)

    @workflow.query(name="state")
    def state(self) -> VisitState:
        return self._state


def _failure_of(e: Exception) -> BaseException | None:
    """What the activity raised: an ordinary activity's comes wrapped in an ActivityError,
    a local activity's bare (LOCAL_FAILURES)."""
    return e.cause if isinstance(e, ActivityError) else e


def _retryable(e: Exception) -> bool:
    """Whether another try could help: not when the activity said it cannot (the 異動者
    changed, the resident left the register)."""
    failure = _failure_of(e)
    return not (isinstance(failure, ApplicationError) and failure.non_retryable)


# What staff read on the visit when a step's activity failed for good (Japanese first; the
# activity's name stays for IT and the logs).
_STEP_NAMES = {
    "lookup_residents": "住民検索",
    "search_residents": "住民検索",
    "propose_procedures": "手続ナビ",
    "fill_forms": "帳票作成",
    "print_forms": "帳票のPDF作成",
    "write_handoff": "基幹連携データの作成",
}


def _failed(activity: str) -> str:
    name = _STEP_NAMES.get(activity)
    return f"{name}に失敗しました / {activity} failed" if name else f"{activity} failed"


def _failure_message(e: Exception) -> str:
    failure = _failure_of(e)
    if isinstance(failure, ApplicationError):
        return failure.message
    return str(failure or e)
