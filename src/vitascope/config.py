"""Server settings: one immutable object built by the CLI from flags and ``VITASCOPE_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_workers() -> int:
    # One transcode per core by default (DESIGN §4).
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs to build a server."""

    host: str = "127.0.0.1"
    http_port: int = 8080
    rtmp_port: int = 1935
    data_dir: Path = Path("./vitascope-data")
    database: str | None = None
    storage: str | None = None
    broker: str | None = None
    allow_private_inputs: bool = False
    public_url: str | None = None
    workers: int = field(default_factory=_default_workers)
    # Live sessions that get a transcoded rung besides the source; later ones are passthrough only.
    live_transcodes: int = field(default_factory=_default_workers)
    max_input_bytes: int = 20 * 1024**3
    input_timeout: float = 3600.0
    transcode_timeout: float = 6 * 3600.0
    max_body_bytes: int = 1024 * 1024
    token_id: str | None = None
    token_secret: str | None = None

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, defaulting to a SQLite file in the data dir."""
        if self.database:
            return self.database
        return f"sqlite:///{(self.data_dir / 'vitascope.db').resolve()}"

    @property
    def storage_url(self) -> str:
        """The object store URL, defaulting to a folder in the data dir."""
        if self.storage:
            return self.storage
        return f"file://{(self.data_dir / 'objects').resolve()}"

    @property
    def work_dir(self) -> Path:
        """Scratch space for running jobs; safe to wipe when no job runs."""
        return self.data_dir / "work"
