"""A thread that keeps something in step with the store: it calls `step` every `interval`
seconds until stopped (a server's catalog; a failed step is logged and tried again)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Follower:
    def __init__(self, name: str, interval: float, step: Callable[[], None]) -> None:
        self._stop = threading.Event()
        self._interval = interval
        self._step = step
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._step()
            except Exception:  # Chroma away for a moment: try again next time
                log.warning("%s: could not read the store", self._thread.name, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
