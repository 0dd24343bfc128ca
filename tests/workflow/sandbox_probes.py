"""Workflows for the sandbox test: one that keeps the rules, one that reads the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import activity, workflow


@activity.defn(name="echo")
async def echo(text: str) -> str:
    return text


@workflow.defn(name="KeepsTheRules")
class KeepsTheRules:
    @workflow.run
    async def run(self, text: str) -> str:
        # An activity's input and result: payloads encoded in the activity's context.
        return await workflow.execute_activity(
            echo, text, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn(name="ReadsTheClock")
class ReadsTheClock:
    @workflow.run
    async def run(self) -> str:
        return datetime.now().isoformat()
