"""An asyncio driver for a recovery session.

:func:`drive` runs a session to its end on the event loop:

- ``WAIT`` actions are awaited (``await sleep(seconds)``, ``asyncio.sleep``
  unless given), never slept in a thread;
- a transport's ``run_step`` and ``probe`` may be coroutine functions
  (``async def run_step(self, step)``): the library is told the work is
  pending, the coroutine runs as a task on the loop, and its result is
  reported to the session when it completes;
- every other action goes to ``respond(session, action)``, a plain function
  or a coroutine function (the person's side: a UI, a chat, a test).

Library calls are made on the loop's thread; they never block (the engine
does no I/O and never sleeps), but synchronous transport callbacks run inside
them, so keep those short. Example::

    class Hub(Transport):
        def now_ms(self) -> int:
            return int(time.monotonic() * 1000)

        async def run_step(self, step: Step) -> Outcome:
            await zwave_client.restart_node()       # any awaitable work
            return Outcome.DONE

    async def person(session: Session, action: Action) -> None:
        ...  # show action.title / action.text, then session.report(...)

    final = await drive(Session(profile, observations, Hub()), person)
"""
from __future__ import annotations

import asyncio
import contextvars
import inspect
from typing import Any, Awaitable, Callable, Coroutine, Dict, Optional, Union

from ._lockrecover import lib
from .actions import Action
from .enums import ActionKind, Outcome, Phase, Status
from .errors import field_error
from .model import ProbeResult
from .session import Session

__all__ = ["drive", "Responder", "Sleeper", "spawn_hook"]

Responder = Callable[[Session, Action], Union[None, Awaitable[None]]]
"""``respond(session, action)``: answers, reports or confirms for a person."""

Sleeper = Callable[[float], Awaitable[Any]]
"""``await sleep(seconds)``: how a wait is awaited (``asyncio.sleep``)."""

SpawnHook = Callable[[str, int, Coroutine[Any, Any, Any]], None]

# The driver of the task making the current library call: a transport
# callback that returned a coroutine hands it over through this.
_SPAWN: contextvars.ContextVar[Optional[SpawnHook]] = contextvars.ContextVar(
    "lockrecover_spawn", default=None)


def spawn_hook() -> Optional[SpawnHook]:
    """The :func:`drive` in charge of the current task, if any (for the transport)."""
    return _SPAWN.get()


def _outcome_of(result: Any) -> Outcome:
    if result is None:
        return Outcome.DONE
    if isinstance(result, Outcome):
        return result
    if isinstance(result, int) and not isinstance(result, bool):
        if result == lib.LKR_OK:
            return Outcome.DONE
        if result == lib.LKR_E_UNSUPPORTED:
            return Outcome.CANNOT_DO
        if result < 0:
            return Outcome.FAILED
    raise TypeError(f"run_step: a coroutine returned {result!r}, not None, an Outcome "
                    "or a Status")


async def drive(session: Session, respond: Responder, *,
                sleep: Sleeper = asyncio.sleep, max_actions: int = 100_000) -> Action:
    """Runs @p session until a final action and returns it.

    ``respond(session, action)`` handles what a person does (it may be a
    coroutine function); waits are awaited with @p sleep (pass one that
    advances a simulated clock for a simulated transport); coroutine
    ``run_step``/``probe`` callbacks run as tasks whose results are reported
    to the session. An exception of a coroutine callback is reported to the
    session as a failed step (or probe) and then raised from here; pending
    tasks are cancelled when ``drive`` ends early."""
    if isinstance(max_actions, bool) or not isinstance(max_actions, int) or max_actions < 1:
        raise field_error("max_actions", f"a positive int, not {max_actions!r}")
    loop = asyncio.get_running_loop()
    steps: Dict[int, "asyncio.Task[Any]"] = {}
    probes: Dict[int, "asyncio.Task[Any]"] = {}

    def spawn(kind: str, ident: int, coro: Coroutine[Any, Any, Any]) -> None:
        task = loop.create_task(coro)
        (probes if kind == "probe" else steps)[ident] = task

    token = _SPAWN.set(spawn)
    try:
        for _ in range(max_actions):
            action = session.next()
            if action.is_final:
                return action
            step = int(action.step)
            if action.kind == ActionKind.HOST_STEP and step in steps:
                task = steps.pop(step)
                try:
                    outcome = _outcome_of(await task)
                except BaseException:
                    session.report(step, Outcome.FAILED)
                    raise
                session.report(step, outcome)
                continue
            if action.kind == ActionKind.VERIFY and action.phase == Phase.PROBE and probes:
                task = probes.pop(next(iter(probes)))
                try:
                    result = await task
                except BaseException:
                    session.probe_done(None, Status.E_TRANSPORT)
                    raise
                if isinstance(result, ProbeResult):
                    session.probe_done(result)
                elif isinstance(result, int) and not isinstance(result, bool) and result < 0:
                    session.probe_done(None, result)
                else:
                    session.probe_done(None, Status.E_PROTOCOL)
                    raise TypeError(f"probe: a coroutine returned {result!r}, not a "
                                    "ProbeResult or an error Status")
                continue
            if action.kind == ActionKind.WAIT:
                delay = (action.wait_until_ms - session.transport.now_ms()) / 1000.0
                await sleep(max(0.0, delay))
                session.tick()
                continue
            reply = respond(session, action)
            if inspect.isawaitable(reply):
                await reply
        raise RuntimeError(f"drive: no final action after {max_actions} actions")
    finally:
        _SPAWN.reset(token)
        for task in list(steps.values()) + list(probes.values()):
            task.cancel()

