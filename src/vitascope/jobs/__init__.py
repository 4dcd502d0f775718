"""Background jobs behind a small interface (DESIGN §1)."""

from vitascope.jobs.queue import Handler, InProcessQueue, JobQueue, RetryLater

__all__ = ["Handler", "InProcessQueue", "JobQueue", "RetryLater"]
