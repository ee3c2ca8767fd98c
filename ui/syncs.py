"""Syncs inside the server: one at a time, in a background thread, so no reader waits for one.

:class:`SyncRunner` runs a source now (the admin page's button, ``POST /api/sources/{name}/sync``) or, with
``ASSISTANT_SYNC_SCHEDULE=1``, every source when it is due (``--every``): a daemon thread looks once a minute.
Its state (which source is running, since when, the last report) is what the admin page shows.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

from assistant.build import Assistant

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0


class SyncRunner:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self._lock = threading.Lock()          # held while a sync runs
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.running: str | None = None
        self.started: str | None = None
        self.last: dict | None = None          # the last run's report (SyncReport.as_dict)

    def state(self) -> dict:
        return {"running": self.running, "started": self.started, "last": self.last,
                "scheduled": self._thread is not None}

    def run_now(self, names: list[str] | None) -> bool:
        """Start a sync of ``names`` (all when None) in the background; False when one is running already."""
        if not self._lock.acquire(blocking=False):
            return False
        threading.Thread(target=self._run, args=(names,), daemon=True, name="sync").start()
        return True

    def wait(self, timeout: float) -> bool:
        """Block until no sync runs (at most ``timeout`` seconds); whether none does."""
        if not self._lock.acquire(timeout=timeout):
            return False
        self._lock.release()
        return True

    def tick(self, now: datetime | None = None) -> list[str]:
        """Sync the sources that are due now (in this thread); the names synced. Skipped while a sync runs."""
        now = now or datetime.now(timezone.utc)
        registry = self.assistant.sources()
        try:
            due = [s.name for s in registry.sources() if s.due(now)]
        finally:
            registry.close()
        if not due or not self._lock.acquire(blocking=False):
            return []
        self._run(due)
        return due

    def start_schedule(self, every: float = TICK_SECONDS) -> None:
        def loop() -> None:
            while not self._stop.wait(every):   # the schedule's period, not a wait for a result
                try:
                    self.tick()
                except Exception:  # noqa: BLE001 — the schedule goes on; the log has the trace
                    log.exception("scheduled sync failed")

        self._thread = threading.Thread(target=loop, daemon=True, name="sync-schedule")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, names: list[str] | None) -> None:
        """Run one sync; the caller holds ``_lock``, released here."""
        try:
            self.running = ", ".join(names) if names else "*"
            self.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self.last = self.assistant.sync(names).as_dict()
        except Exception as exc:  # noqa: BLE001 — a source that is not there, a locked index: shown, logged
            log.exception("sync of %s failed", names or "every source")
            self.last = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            self.running = None
            self._lock.release()


__all__ = ["SyncRunner", "TICK_SECONDS"]
