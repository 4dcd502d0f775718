"""The CLI: tokens made by `vitascope tokens create` authenticate both APIs of a server on that data dir."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import ROOT, Server


def test_tokens_create_then_use(tmp_path: Path) -> None:
    data_dir = tmp_path / "cli"
    out = subprocess.run(
        [sys.executable, "-m", "vitascope", "tokens", "create", "--name", "laptop", "--json", "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    token = json.loads(out)
    assert token["name"] == "laptop" and len(token["secret"]) >= 40
    assert token["secret"] not in (data_dir / "vitascope.db").read_bytes().decode(errors="ignore")
    server = Server(data_dir=data_dir, database=None)
    server.start()
    try:
        assert (
            httpx.get(f"{server.base_url}/video/v1/assets", auth=(token["id"], token["secret"])).status_code
            == 200
        )
        bearer = {"Authorization": f"Bearer {token['secret']}"}
        assert httpx.get(f"{server.base_url}/api/stream", headers=bearer).status_code == 200
        assert httpx.get(f"{server.base_url}/video/v1/assets", auth=(token["id"], "nope")).status_code == 401
    finally:
        server.stop()
