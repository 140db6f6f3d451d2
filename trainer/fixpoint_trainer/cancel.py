"""SIGTERM (and SIGINT) ask the run to stop: the training loop checks between steps and batches,
so a cancel never leaves a half-written adapter behind."""

from __future__ import annotations

import signal
import threading
from types import FrameType


class CancelFlag:
    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_number: int | None = None

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self, signal_number: int = signal.SIGTERM) -> None:
        self.signal_number = signal_number
        self._event.set()

    def install(self) -> None:
        def handler(signal_number: int, _frame: FrameType | None) -> None:
            self.request(signal_number)

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


class Cancelled(Exception):
    """Raised at a safe point once a cancel was requested."""
