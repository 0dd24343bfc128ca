"""Connecting to Temporal, and the gateway the API uses to drive visits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.api.workflowservice.v1 import ListWorkflowExecutionsRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from adapters import search_attributes as sa
from adapters import tickets
from adapters.db import session_scope
from adapters.health import TEMPORAL, HealthMonitor, ServiceDown
from adapters.metrics import VISIT_STEPS
from adapters.payload_codec import encrypted_data_converter
from adapters.visit_trace import visit_root_span
from domain.city_time import city_day
from domain.security import Principal, Scope
from domain.steps import Action, Step
from domain.visit import StartVisit, VisitState
from workflows.counter_visit import CounterVisit
from workflows.errors import INVALID_INPUT

log = logging.getLogger(__name__)

# What Temporal's client answers while the server is still coming up: the port refuses,
# or it accepts and the frontend says it is not healthy yet.
STARTING_UP_MARKERS = ("Frontend is not healthy yet", "Unavailable", "Connection refused")
CONNECT_RETRY_SECONDS = 0.5


def is_starting_up(exc: BaseException) -> bool:
    return any(marker in str(exc) for marker in STARTING_UP_MARKERS)


async def connect(
    address: str,
    namespace: str,
    payload_key: bytes,
    runtime: Runtime | None = None,
    *,
    wait_seconds: float = 30.0,
) -> Client:
    """A client whose calls carry the caller's trace into workflows and activities (and a
    worker built on it records their spans), under whatever tracer provider the process
    installed — none means the spans cost nothing."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            client = await Client.connect(
                address,
                namespace=namespace,
                data_converter=encrypted_data_converter(payload_key),
                interceptors=[TracingInterceptor()],
                runtime=runtime,
            )
            break
        except RuntimeError as exc:
            if not is_starting_up(exc) or time.monotonic() >= deadline:
                raise
            # A server that has just started (or restarted) opens its port before its
            # frontend serves: a worker or API started beside it waits, not crashes.
            log.info("temporal at %s not serving yet, waiting", address)
            await asyncio.sleep(CONNECT_RETRY_SECONDS)
    # The visit's state is what every step answers with: its validator is compiled now,
    # not in the first clerk's first step.
    conv = client.data_converter.payload_converter
    conv.from_payloads(conv.to_payloads([VisitState("warm-up", Step.RECEPTION, "")]), [VisitState])
    return client


SCOPE_CACHE_SIZE = 20_000  # visits; a busy day is ~1,000
ANSWERS_KEPT = 1_000  # one per visit, for the screen that follows a step
# An update's answer drawn instead of asking the visit again: the page right after the
# step (POST, redirect, GET) is a fraction of a second later. An answer Temporal repeats
# for a re-sent update id carries the time it was first given, so it is never this fresh.
ANSWER_FRESH_SECONDS = 3.0


V = TypeVar("V")


def _put_recent(kept: OrderedDict[str, V], key: str, value: V, size: int) -> None:
    """Keep the ``size`` most recently put entries."""
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > size:
        kept.popitem(last=False)


def _age(answer: VisitState) -> float:
    """Seconds since the workflow gave this answer (infinite for a state no update gave)."""
    if not answer.answered_at:
        return float("inf")
    return (datetime.now(UTC) - datetime.fromisoformat(answer.answered_at)).total_seconds()


def _issue_ticket(database_url: str, visit_id: str, day: str) -> tuple[int, bool]:
    with session_scope(database_url) as session:
        return tickets.issue_once(session, visit_id, day)


def workflow_id(visit_id: str) -> str:
    return f"visit-{visit_id}"


class VisitNotFound(LookupError):
    pass


class VisitUnavailable(RuntimeError):
    """No worker answered in time; the request may still take effect, so retry it with the
    same idempotency key (it then takes effect once)."""


@dataclass
class VisitRejected(Exception):
    """A human step the visit refused: wrong step, invalid data, or a failed step."""

    kind: str
    message: str
    problems: list[dict[str, str]]


@dataclass
class VisitSummary:
    visit_id: str
    step: str
    step_entered_at: datetime | None
    counter: str
    staff: str
    procedures: list[str]
    needs_attention: bool
    status: str
    started_at: datetime | None = None  # when the ticket was issued: the queue's order


class VisitGateway:
    def __init__(
        self,
        client: Client,
        task_queue: str,
        *,
        rpa_timeout_seconds: float,
        heartbeat_seconds: float,
        answer_within_seconds: float = 30.0,
        health: HealthMonitor | None = None,
        database_url: str | None = None,
    ) -> None:
        self.client = client
        self.database_url = database_url  # where 整理券 are issued
        self.task_queue = task_queue
        self.rpa_timeout_seconds = rpa_timeout_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.answer_within_seconds = answer_within_seconds
        self.health = health
        # A visit's department and counter group never change: once known, a step's scope
        # check needs no query to the workflow (one round trip less per step).
        self._scopes: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._answers: OrderedDict[str, VisitState] = OrderedDict()

    def _keep_answer(self, state: VisitState) -> None:
        _put_recent(self._answers, state.visit_id, state, ANSWERS_KEPT)
        # Only for as long as it may be used: answers hold personal data, and API clients
        # that never ask for the screen would otherwise leave them here.
        while self._answers and _age(next(iter(self._answers.values()))) > ANSWER_FRESH_SECONDS:
            self._answers.popitem(last=False)

    def answered(self, visit_id: str, viewer: Principal) -> VisitState | None:
        """The visit as its last step's answer said, once, if that answer is a moment old;
        else None (ask the visit). Saves the screen after a step a query to the workflow,
        which under load waits behind the worker's other tasks."""
        state = self._answers.pop(visit_id, None)
        if state is None or not 0 <= _age(state) <= ANSWER_FRESH_SECONDS:
            return None
        if not viewer.may_see(state.department, state.counter_group):
            raise VisitNotFound(visit_id)
        return state

    def _remember_scope(self, visit_id: str, department: str, counter_group: str) -> None:
        _put_recent(self._scopes, visit_id, (department, counter_group), SCOPE_CACHE_SIZE)

    async def check_scope(self, visit_id: str, viewer: Principal) -> None:
        """Out of the viewer's department or counter group → VisitNotFound."""
        known = self._scopes.get(visit_id)
        if known is None:
            await self.state(visit_id, viewer)
        elif not viewer.may_see(*known):
            raise VisitNotFound(visit_id)

    @contextlib.asynccontextmanager
    async def _server(self) -> AsyncIterator[None]:
        """Refuse at once while the Temporal server is known to be unreachable (else the
        client retries for ~10 s); a call that finds it down says so the same way."""
        if self.health is not None:
            await self.health.require(TEMPORAL)
        try:
            yield
        except RPCError as e:
            if e.status != RPCStatusCode.UNAVAILABLE:
                raise
            if self.health is not None:
                self.health.saw_down(TEMPORAL)
            raise ServiceDown(TEMPORAL) from e

    def _new_visit(
        self,
        department: str,
        counter_group: str,
        channel: str,
        idempotency_key: str | None,
    ) -> tuple[str, dict[str, Any]]:
        # The same key always names the same visit, so a retried "new ticket" press is one visit.
        visit_id = (
            uuid.uuid5(uuid.NAMESPACE_URL, f"madoguchi:visit:{idempotency_key}").hex
            if idempotency_key
            else uuid.uuid4().hex
        )
        start = StartVisit(
            visit_id=visit_id,
            channel=channel,
            department=department,
            counter_group=counter_group,
            rpa_timeout_seconds=self.rpa_timeout_seconds,
            heartbeat_seconds=self.heartbeat_seconds,
        )
        options: dict[str, Any] = {
            "id": workflow_id(visit_id),
            "task_queue": self.task_queue,
            "id_reuse_policy": WorkflowIDReusePolicy.REJECT_DUPLICATE,
            "id_conflict_policy": WorkflowIDConflictPolicy.USE_EXISTING,
            "search_attributes": sa.initial_attributes(department, counter_group),
        }
        return visit_id, {"start": start, **options}

    async def start(
        self,
        *,
        department: str,
        counter_group: str,
        channel: str = "walk_in",
        idempotency_key: str | None = None,
    ) -> str:
        visit_id, o = self._new_visit(department, counter_group, channel, idempotency_key)
        async with self._server():
            # A key whose visit has already finished still names that visit: answer with it.
            with (
                visit_root_span(visit_id, channel=channel),
                contextlib.suppress(WorkflowAlreadyStartedError),
            ):
                await self.client.start_workflow(CounterVisit.run, o.pop("start"), **o)
        return visit_id

    async def open_visit(
        self,
        *,
        department: str,
        counter_group: str,
        viewer: Principal,
        channel: str = "walk_in",
        idempotency_key: str | None = None,
    ) -> VisitState:
        """Issue the visit's 整理券 and start its workflow with it: the click waits for one
        database write and Temporal's start, not for a worker to pick the visit up. The
        answer is the visit as it opens; a repeated request answers with the visit as it is."""
        if self.database_url is None:
            raise RuntimeError("opening a visit issues its ticket: the gateway needs database_url")
        visit_id, o = self._new_visit(department, counter_group, channel, idempotency_key)
        day = city_day(datetime.now(UTC))  # numbered from 1 each of the city's days
        # Inside: while Temporal is known to be down, no number is issued for a visit that
        # could not start.
        async with self._server():
            with visit_root_span(visit_id, channel=channel):
                number, new = await asyncio.to_thread(
                    _issue_ticket, self.database_url, visit_id, day
                )
                # Started also for a repeated request: the first may have issued the number
                # and then failed to start (the number is the visit's: not issued twice).
                start = replace(o.pop("start"), ticket_no=number)
                try:
                    async with asyncio.timeout(self.answer_within_seconds):
                        await self.client.start_workflow(CounterVisit.run, start, **o)
                except WorkflowAlreadyStartedError:
                    new = False  # the key's visit has finished
                except TimeoutError as e:
                    raise VisitUnavailable(visit_id) from e
        if not new:
            return await self.state(visit_id, viewer)
        self._remember_scope(visit_id, department, counter_group)
        now = datetime.now(UTC).isoformat()
        state = replace(VisitState.opened(start, now), answered_at=now)
        self._keep_answer(state)
        return state

    async def state(self, visit_id: str, viewer: Principal | None = None) -> VisitState:
        """The visit's state; for a viewer outside its department or counter group the visit
        does not exist (a guessed id reveals nothing). ``viewer=None`` is the system itself."""
        async with self._server():
            handle = self.client.get_workflow_handle(workflow_id(visit_id))
            try:
                async with asyncio.timeout(self.answer_within_seconds):
                    state: VisitState = await handle.query(CounterVisit.state)
                self._remember_scope(visit_id, state.department, state.counter_group)
                if viewer is not None and not viewer.may_see(state.department, state.counter_group):
                    raise VisitNotFound(visit_id)
                return state
            except TimeoutError as e:
                raise VisitUnavailable(visit_id) from e
            except RPCError as e:
                if e.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
                    raise VisitNotFound(visit_id) from e
                if e.status == RPCStatusCode.DEADLINE_EXCEEDED:  # the server gave up on the worker
                    raise VisitUnavailable(visit_id) from e
                raise

    async def wait_for_ticket(
        self, visit_id: str, viewer: Principal | None = None, within_seconds: float = 10.0
    ) -> VisitState:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_seconds
        state = await self.state(visit_id, viewer)
        while state.ticket_no is None and loop.time() < deadline:
            await asyncio.sleep(0.01)
            state = await self.state(visit_id, viewer)
        return state

    async def act(
        self,
        visit_id: str,
        action: Action,
        payload: Any,
        idempotency_key: str | None = None,
        viewer: Principal | None = None,
    ) -> VisitState:
        if viewer is not None:
            await self.check_scope(visit_id, viewer)  # out of scope → not found, nothing sent
        try:
            async with self._server():
                state = await self._update(visit_id, action, payload, idempotency_key)
        except VisitRejected:
            VISIT_STEPS.labels(str(action), "refused").inc()
            raise
        except (VisitUnavailable, ServiceDown):
            VISIT_STEPS.labels(str(action), "unavailable").inc()
            raise
        VISIT_STEPS.labels(str(action), "accepted").inc()
        self._keep_answer(state)
        return state

    async def _update(
        self, visit_id: str, action: Action, payload: Any, idempotency_key: str | None
    ) -> VisitState:
        handle = self.client.get_workflow_handle(workflow_id(visit_id))
        update_id = f"{action}-{idempotency_key}" if idempotency_key else None
        try:
            async with asyncio.timeout(self.answer_within_seconds):
                state: VisitState = await handle.execute_update(
                    str(action), payload, result_type=VisitState, id=update_id
                )
            return state
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as e:
            raise VisitUnavailable(visit_id) from e
        except WorkflowUpdateFailedError as e:
            cause = e.cause
            if isinstance(cause, ApplicationError):
                problems = list(cause.details[0]) if cause.details else []
                raise VisitRejected(cause.type or INVALID_INPUT, cause.message, problems) from e
            raise
        except RPCError as e:
            if e.status == RPCStatusCode.NOT_FOUND:
                raise VisitNotFound(visit_id) from e
            raise

    def visits_of(self, viewer: Principal | None) -> list[str]:
        """Visibility clauses for this deployment's visits (another deployment may share
        the namespace) that the viewer may see; ``None`` is the system itself."""
        clauses = ["WorkflowType = 'CounterVisit'", f"TaskQueue = '{quote_code(self.task_queue)}'"]
        if viewer is not None and viewer.scope != Scope.ALL:
            clauses.append(f"{sa.DEPARTMENT.name} = '{quote_code(viewer.department)}'")
            if viewer.scope == Scope.COUNTER_GROUP:
                clauses.append(f"{sa.COUNTER_GROUP.name} = '{quote_code(viewer.counter_group)}'")
        return clauses

    def _clauses(
        self,
        *,
        step: Step | None = None,
        steps: tuple[Step, ...] = (),
        counter: str | None = None,
        needs_attention: bool | None = None,
        open_only: bool = False,
        staff: str | None = None,
        in_hand: bool = False,
        viewer: Principal | None = None,
    ) -> str:
        clauses = self.visits_of(viewer)
        if step is not None:
            clauses.append(f"{sa.STEP.name} = '{step.value}'")
        if steps:
            clauses.append(f"{sa.STEP.name} IN ({', '.join(repr(s.value) for s in steps)})")
        if counter is not None:
            clauses.append(f"{sa.COUNTER.name} = '{quote_code(counter)}'")
        if needs_attention is not None:
            clauses.append(f"{sa.NEEDS_ATTENTION.name} = {str(needs_attention).lower()}")
        if staff is not None:
            clauses.append(f"{sa.STAFF.name} = '{quote_code(staff)}'")
        if in_hand:  # a visit waiting for the robot is nobody's work unless it is flagged
            clauses.append(
                f"({sa.STEP.name} != '{Step.AWAIT_RPA.value}' OR {sa.NEEDS_ATTENTION.name} = true)"
            )
        if open_only:
            clauses.append("ExecutionStatus = 'Running'")
        return " AND ".join(clauses)

    async def count(
        self,
        *,
        step: Step | None = None,
        steps: tuple[Step, ...] = (),
        viewer: Principal | None = None,
    ) -> int:
        """Open visits at a step (or steps): one count, however many visits there are."""
        query = self._clauses(step=step, steps=steps, open_only=True, viewer=viewer)
        async with self._server():
            return (await self.client.count_workflows(query)).count

    async def list(
        self,
        *,
        step: Step | None = None,
        counter: str | None = None,
        needs_attention: bool | None = None,
        open_only: bool = False,
        staff: str | None = None,
        in_hand: bool = False,
        limit: int = 200,
        viewer: Principal | None = None,
    ) -> list[VisitSummary]:
        query = self._clauses(
            step=step, counter=counter, needs_attention=needs_attention,
            open_only=open_only, staff=staff, in_hand=in_hand, viewer=viewer,
        )  # fmt: skip
        # The dev server's SQLite visibility has no ORDER BY; it lists newest first anyway.
        async with self._server():
            return [_summary(info) for info in await _executions(self.client, query, limit)]


async def _executions(client: Client, query: str, limit: int) -> list[WorkflowExecutionInfo]:
    """The listing's raw rows, page by page up to ``limit`` (decoded by ``_summary``)."""
    rows: list[WorkflowExecutionInfo] = []
    token = b""
    while len(rows) < limit:
        page = await client.workflow_service.list_workflow_executions(
            ListWorkflowExecutionsRequest(
                namespace=client.namespace,
                page_size=limit - len(rows),
                next_page_token=token,
                query=query,
            ),
            retry=True,
        )
        rows.extend(page.executions)
        token = page.next_page_token
        if not token:
            break
    return rows[:limit]


def _summary(info: WorkflowExecutionInfo) -> VisitSummary:
    fields = info.search_attributes.indexed_fields
    return VisitSummary(
        visit_id=info.execution.workflow_id.removeprefix("visit-"),
        step=sa.listed_value(fields, sa.STEP) or "",
        step_entered_at=sa.listed_value(fields, sa.STEP_ENTERED_AT),
        counter=sa.listed_value(fields, sa.COUNTER) or "",
        staff=sa.listed_value(fields, sa.STAFF) or "",
        procedures=sa.listed_value(fields, sa.PROCEDURES) or [],
        needs_attention=bool(sa.listed_value(fields, sa.NEEDS_ATTENTION)),
        status=WorkflowExecutionStatus(info.status).name if info.status else "",
        started_at=info.start_time.ToDatetime(tzinfo=UTC) if info.HasField("start_time") else None,
    )


def quote_code(value: str) -> str:
    """Visibility queries have no parameters; refuse anything but plain codes."""
    if not value.replace("-", "").replace("_", "").isalnum():
        raise ValueError("codes in visibility queries must be letters, digits, - or _")
    return value
