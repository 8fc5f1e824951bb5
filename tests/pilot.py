"""What the app's tests share: running an async test (the app under Pilot) in its own event loop, and
waiting for the coding session's git work."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any


def pilot_test(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test (the app under Pilot) in its own event loop."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def wait_for_sessions(app: Any, pilot: Any) -> None:
    """Let the app catch up and its session's git work (commits in thread workers) finish."""
    for _ in range(200):
        await pilot.pause()
        if not any(w.group == "session" and not w.is_finished for w in app.workers):
            return
    raise AssertionError("the session's git work did not finish")


def burst(app: Any, *keys: str) -> None:
    """Deliver ``keys`` as a terminal delivers fast typing or a paste without bracketed paste: all queued
    at once, before the app has handled the first (``pilot.press`` waits for the app after each key)."""
    from textual import events
    from textual.keys import _character_to_key, key_to_character

    for key in keys:
        name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
        event = events.Key(name, key if len(key) == 1 else key_to_character(name))
        event.set_sender(app)
        app._driver.send_message(event)


def screen_lines(app: Any) -> list[str]:
    """The text of each line of the app's screen as it is drawn now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def until(pilot: Any, condition: Callable[[], bool], what: str) -> None:
    """Let the app work until ``condition`` holds (a bounded number of pauses: keys sent in a burst, a
    dialog closing, a worker finishing), else fail naming ``what`` did not happen."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"{what} did not happen")
