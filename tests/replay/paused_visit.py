"""A deliberately non-deterministic change to the visit workflow, for the replay test: a
timer before the first step, added without ``workflow.patched``."""

# Annotations evaluated, as in workflows/counter_visit.py: the SDK checks that run's
# parameters match the inherited @workflow.init's, and a string is not the class.
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.visit import StartVisit, VisitState
    from workflows.counter_visit import CounterVisit


@workflow.defn(name="CounterVisit")
class CounterVisitWithAPause(CounterVisit):
    @workflow.run
    async def run(self, start: StartVisit) -> VisitState:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(start)
