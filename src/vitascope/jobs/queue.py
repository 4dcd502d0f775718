"""The job queue interface and its in-process, database-backed implementation.

A job is a name plus JSON arguments, keyed by the entity it works on so that enqueueing the same work
twice is harmless. Jobs are rows written in the same transaction as the state change that wants them;
on start-up, jobs a crash interrupted go back to the queue, so no work is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vitascope.ids import new_id
from vitascope.store.database import Database
from vitascope.store.tables import JobRow

log = logging.getLogger(__name__)

Handler = Callable[..., Coroutine[Any, Any, None]]

MAX_ATTEMPTS = 3


class RetryLater(Exception):
    """Raised by a handler to run the job again after ``delay`` seconds, without counting as a failure."""

    def __init__(self, delay: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {delay:g} s")
        self.delay = delay


class JobQueue(Protocol):
    """What domain services need from a queue."""

    async def enqueue(
        self,
        session: AsyncSession,
        name: str,
        key: str,
        *,
        priority: int = 0,
        delay: float = 0.0,
        **args: Any,
    ) -> None:
        """Add a job inside the caller's transaction; a pending job with the same key absorbs it.

        ``delay`` holds the job back for that many seconds (timeouts, retries).
        """

    def cancel(self, key: str) -> None:
        """Stop the running job with this key, if any, and drop queued ones at their turn."""


class InProcessQueue:
    """Runs jobs on a bounded pool of asyncio workers inside the server process."""

    def __init__(self, db: Database, workers: int, poll_interval: float = 1.0) -> None:
        self._db = db
        self._workers = workers
        self._poll_interval = poll_interval
        self._handlers: dict[str, Handler] = {}
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self._cancelled: set[str] = set()
        self._claim_lock = asyncio.Lock()

    def register(self, name: str, handler: Handler) -> None:
        """Bind a job name to the coroutine function that performs it."""
        self._handlers[name] = handler

    async def enqueue(
        self,
        session: AsyncSession,
        name: str,
        key: str,
        *,
        priority: int = 0,
        delay: float = 0.0,
        **args: Any,
    ) -> None:
        pending = await session.scalar(
            select(JobRow.id).where(JobRow.key == key, JobRow.state == "queued").limit(1)
        )
        if pending is not None:
            return
        now = time.time()
        session.add(
            JobRow(
                id=new_id(),
                name=name,
                key=key,
                args=args,
                state="queued",
                attempts=0,
                priority=priority,
                run_after=now + delay if delay else 0.0,
                created_at=now,
                updated_at=now,
            )
        )
        self._cancelled.discard(key)
        loop = asyncio.get_running_loop()
        event.listen(
            session.sync_session, "after_commit", lambda _s: loop.call_soon(self._wake.set), once=True
        )

    def cancel(self, key: str) -> None:
        self._cancelled.add(key)
        task = self._running.get(key)
        if task is not None:
            task.cancel()

    async def start(self) -> None:
        """Requeue work a crash interrupted, then start the workers."""
        async with self._db.transaction() as session:
            # Only this queue's own jobs: another queue on the same table may already be running its own.
            result = await session.execute(
                update(JobRow)
                .where(JobRow.state == "running", JobRow.name.in_(list(self._handlers)))
                .values(state="queued", updated_at=time.time())
            )
            resumed = getattr(result, "rowcount", 0)
        if resumed:
            log.info("resuming %d interrupted job(s)", resumed)
        self._tasks = [
            asyncio.create_task(self._worker(i), name=f"job-worker-{i}") for i in range(self._workers)
        ]

    async def close(self) -> None:
        """Stop the workers; running jobs are cancelled and stay queued for the next start."""
        for task in self._tasks:
            task.cancel()
        for task in list(self._running.values()):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def idle(self) -> bool:
        """True when no job is queued or running (used by tests and the CLI)."""
        async with self._db.read() as session:
            pending = await session.scalar(
                select(JobRow.id).where(JobRow.state.in_(("queued", "running"))).limit(1)
            )
        return pending is None

    async def _claim(self) -> JobRow | None:
        async with self._claim_lock, self._db.transaction() as session:
            job = await session.scalar(
                select(JobRow)
                .where(
                    JobRow.state == "queued",
                    JobRow.name.in_(list(self._handlers)),
                    JobRow.run_after <= time.time(),
                )
                .order_by(JobRow.priority.desc(), JobRow.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job is None:
                return None
            job.state = "running"
            job.attempts += 1
            job.updated_at = time.time()
            return job

    async def _finish(
        self, job_id: str, state: str, error: str | None = None, run_after: float = 0.0
    ) -> None:
        async with self._db.transaction() as session:
            await session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(state=state, last_error=error, updated_at=time.time(), run_after=run_after)
            )

    async def _worker(self, index: int) -> None:
        while True:
            try:
                job = await self._claim()
            except Exception:
                log.exception("job worker %d could not claim a job", index)
                job = None
            if job is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval)
                continue
            await self._run(job)

    async def _run(self, job: JobRow) -> None:
        if job.key in self._cancelled:
            await self._finish(job.id, "cancelled")
            return
        handler = self._handlers[job.name]
        log.info("job %s %s started (attempt %d)", job.name, job.key, job.attempts)
        task = asyncio.create_task(handler(**job.args), name=f"job:{job.key}")
        self._running[job.key] = task
        try:
            await task
        except asyncio.CancelledError:
            if job.key in self._cancelled:
                await self._finish(job.id, "cancelled")
                log.info("job %s %s cancelled", job.name, job.key)
                return
            raise
        except RetryLater as retry:
            await self._finish(job.id, "queued", str(retry), run_after=time.time() + retry.delay)
        except Exception as exc:
            log.exception("job %s %s failed", job.name, job.key)
            state = "failed" if job.attempts >= MAX_ATTEMPTS else "queued"
            await self._finish(job.id, state, f"{type(exc).__name__}: {exc}")
        else:
            await self._finish(job.id, "done")
            log.info("job %s %s done", job.name, job.key)
        finally:
            self._running.pop(job.key, None)
