"""The worker: APScheduler 3 runs a few interval jobs; the schedule is in the database.

Jobs, each ``max_instances=1`` and ``coalesce=True`` so a slow tick is never run
twice at once: ``publish_due`` (claim, gate and publish due posts) and
``maintenance`` (take over lapsed claims, expire incidents). Never one job per post.
SIGTERM and SIGINT stop claiming, finish the calls in flight, give up every claim
the worker still holds (so nobody waits for its lease to lapse), and exit: the lease
delay applies only to a worker that really crashed.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from scheduler import incidents, notify
from scheduler.context import Tactful
from scheduler.publisher import Publisher, recover_lapsed

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, app: Tactful, worker_id: str | None = None) -> None:
        self.app = app
        self.stop_event = threading.Event()
        self.publisher = Publisher(app, worker_id)
        self.extra_jobs: list[tuple[str, Callable[[], object], float]] = []

    @property
    def worker_id(self) -> str:
        return self.publisher.worker_id

    def publish_due(self) -> None:
        try:
            stats = self.publisher.run_round(self.stop_event)
        except Exception:
            log.exception("publish round failed; the next tick tries again")
            return
        if stats.claimed:
            log.info(
                "published %d, held %d, retry %d, failed %d, unconfirmed %d, to review %d",
                stats.published,
                stats.held,
                stats.retried,
                stats.failed,
                stats.unconfirmed,
                stats.review,
            )

    def maintenance(self) -> None:
        try:
            recovered = recover_lapsed(self.app)
            if any(recovered.values()):
                log.warning("took over lapsed claims: %s", recovered)
            with self.app.db.session() as session:
                expired = incidents.expire_due(session, self.app.settings)
            if expired:
                log.info("expired incidents %s", expired)
            notified = notify.send_due(self.app)
            if notified:
                log.info("sent %d condolence prompts", notified)
        except Exception:
            log.exception("maintenance failed; the next tick tries again")

    def add_job(self, name: str, func: Callable[[], object], interval: float) -> None:
        """Register another interval job (the web's embedded mode adds none; the
        monitor adds feed polling)."""
        self.extra_jobs.append((name, func, interval))

    def _configure(self, scheduler: BaseScheduler) -> None:
        settings = self.app.settings
        # Run every job once at start, then on its interval.
        first = datetime.now(UTC)
        common = {
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": None,
            "next_run_time": first,
        }
        scheduler.add_job(
            self.publish_due,
            "interval",
            seconds=settings.publish_interval,
            id="publish_due",
            **common,
        )
        scheduler.add_job(
            self.maintenance,
            "interval",
            seconds=settings.maintenance_interval,
            id="maintenance",
            **common,
        )
        for name, func, interval in self.extra_jobs:
            scheduler.add_job(func, "interval", seconds=interval, id=name, **common)

    def start_background(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(timezone="UTC")
        self._configure(scheduler)
        scheduler.start()
        return scheduler

    def shutdown(self, scheduler: BaseScheduler) -> None:
        self.stop_event.set()
        scheduler.shutdown(wait=True)
        self.close()

    def release_claims(self) -> dict[str, int]:
        """Give up the posts this worker still claims, at once (``recover_lapsed``
        for this worker): unsent ones go back to the queue; one whose call may have
        gone out is resent with its idempotency key where the channel honours one,
        else it is ``unconfirmed``. Never raises: a worker that cannot reach the
        database leaves its claims to lapse as after a crash."""
        try:
            released = recover_lapsed(self.app, limit=10_000, worker_id=self.worker_id)
        except Exception:
            log.exception("could not give up this worker's claims; they lapse with the lease")
            return {}
        if any(released.values()):
            log.info("worker %s gave up its claims: %s", self.worker_id, released)
        return released

    def close(self) -> None:
        """After the jobs stopped: give up the claims left, stop the send pool."""
        self.stop_event.set()
        self.release_claims()
        self.publisher.close()

    def run_forever(self) -> None:
        """Block until SIGTERM/SIGINT; then finish in-flight work and return."""
        scheduler = BlockingScheduler(timezone="UTC")
        self._configure(scheduler)

        def _stop(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %s: finishing in-flight work", signum)
            self.stop_event.set()
            threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True).start()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        log.info("worker %s started", self.worker_id)
        scheduler.start()
        self.close()
        log.info("worker %s stopped", self.worker_id)
