"""Run one bulk import through the service's import route, in its own process.

``python -m tests.reliability.import_worker DATABASE_URL FILE KIND`` with the
integrator key's secret in ``MATCHER_WORKER_KEY``: the app is built as the
server builds it and the file goes through ``POST /v1/imports/{kind}``, so the
batches and commits are the service's own. The kill test SIGKILLs this
process part-way; a clean run prints the import report as JSON.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from matcher.settings import Settings


def main(database_url: str, path: str, kind: str) -> int:
    settings = Settings(
        database_url=database_url,
        demo=False,
        secret_key=SecretStr("worker-secret"),
        index_refresh_seconds=300,
        max_upload_bytes=512 * 1024 * 1024,
    )
    secret = os.environ["MATCHER_WORKER_KEY"]
    with TestClient(create_app(settings)) as client:
        response = client.post(
            f"/v1/imports/{kind}",
            content=Path(path).read_bytes(),
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/csv"},
        )
    print(response.text)
    return 0 if response.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
