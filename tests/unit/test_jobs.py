"""The database-backed in-process job queue."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from vitascope.jobs import InProcessQueue
from vitascope.store.database import Database
from vitascope.store.tables import JobRow


async def _wait(predicate: object, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_jobs_run_once_per_key_and_record_state(db: Database) -> None:
    queue = InProcessQueue(db, workers=2, poll_interval=0.05)
    seen: list[str] = []

    async def handler(item: str) -> None:
        seen.append(item)

    queue.register("work", handler)
    async with db.transaction() as session:
        await queue.enqueue(session, "work", "k1", item="a")
        await queue.enqueue(session, "work", "k1", item="a-again")
        await queue.enqueue(session, "work", "k2", item="b")
    await queue.start()
    try:
        await _wait(lambda: len(seen) == 2)
        await _wait_idle(queue)
    finally:
        await queue.close()
    assert sorted(seen) == ["a", "b"]
    async with db.read() as session:
        states = (await session.scalars(select(JobRow.state))).all()
    assert sorted(states) == ["done", "done"]


async def _wait_idle(queue: InProcessQueue) -> None:
    for _ in range(500):
        if await queue.idle():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("queue never became idle")


async def test_failed_job_is_retried_then_marked_failed(db: Database) -> None:
    queue = InProcessQueue(db, workers=1, poll_interval=0.05)
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    queue.register("flaky", flaky)
    async with db.transaction() as session:
        await queue.enqueue(session, "flaky", "f")
    await queue.start()
    try:
        await _wait_idle(queue)
    finally:
        await queue.close()
    assert calls == 3
    async with db.read() as session:
        job = await session.scalar(select(JobRow))
    assert job is not None and job.state == "failed" and "boom" in (job.last_error or "")


async def test_interrupted_job_resumes_after_restart(db: Database) -> None:
    started = asyncio.Event()
    finished: list[str] = []

    async def slow(item: str) -> None:
        started.set()
        await asyncio.sleep(30)

    first = InProcessQueue(db, workers=1, poll_interval=0.05)
    first.register("slow", slow)
    async with db.transaction() as session:
        await first.enqueue(session, "slow", "s", item="x")
    await first.start()
    await asyncio.wait_for(started.wait(), 10)
    await first.close()  # like a crash: the job row is left "running"

    async def quick(item: str) -> None:
        finished.append(item)

    second = InProcessQueue(db, workers=1, poll_interval=0.05)
    second.register("slow", quick)
    await second.start()
    try:
        await _wait(lambda: finished == ["x"])
    finally:
        await second.close()


async def test_cancel_stops_a_running_job(db: Database) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def long(item: str) -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    queue = InProcessQueue(db, workers=1, poll_interval=0.05)
    queue.register("long", long)
    async with db.transaction() as session:
        await queue.enqueue(session, "long", "l", item="x")
    await queue.start()
    try:
        await asyncio.wait_for(started.wait(), 10)
        queue.cancel("l")
        await asyncio.wait_for(cancelled.wait(), 10)
        await _wait_idle(queue)
    finally:
        await queue.close()
    async with db.read() as session:
        job = await session.scalar(select(JobRow))
    assert job is not None and job.state == "cancelled"
