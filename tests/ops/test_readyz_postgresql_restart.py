"""/readyz of a real web process (gunicorn) follows a real PostgreSQL server going down and up.

The test starts a PostgreSQL cluster of its own (initdb + pg_ctl on a free port in a temporary
directory; as the postgres OS user when run as root, since initdb refuses root), migrates the task
table /readyz reads, points a gunicorn worker at it, then stops the cluster (pg_ctl stop -m fast)
and starts it again. Skipped only where no PostgreSQL server binaries are installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.booking.journal_server import free_port
from tests.ops import workers


def server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0]))
    return Path(found[-1]).parent if found else None


BIN = server_binaries()
pytestmark = pytest.mark.skipif(BIN is None, reason="no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")


class PrivateCluster:
    """A throw-away PostgreSQL cluster: trust authentication, loopback only, no fsync."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="kvitt-readyz-pg-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    pg = PrivateCluster()
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.destroy()


def create_database(pg: PrivateCluster, name: str) -> None:
    import psycopg

    with psycopg.connect(pg.url("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture
def web(cluster, tmp_path):
    """A gunicorn web process on the private cluster, migrated for what /readyz reads."""
    create_database(cluster, "kvitt_readyz")
    env = workers.worker_env(tmp_path)
    env.update(DATABASE_URL=cluster.url("kvitt_readyz"), KVITT_DB_CONN_MAX_AGE="0")
    env.pop("KVITT_OPS_TEST_WORKER", None)
    migrate = subprocess.run([str(workers.KVITT), "migrate", "django_tasks_database", "--noinput"], env=env, cwd=workers.REPO,
                             capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    gunicorn = Path(workers.KVITT).with_name("gunicorn")
    process = workers.start([str(gunicorn), "kvitt.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                            env, tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:
        workers.wait_until(lambda: answers(f"{base}/healthz"), 30, "gunicorn to answer /healthz")
        yield base
    finally:
        workers.stop([process])


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def readyz(base: str) -> httpx.Response:
    return httpx.get(f"{base}/readyz", timeout=10)


def test_readyz_fails_while_postgresql_is_stopped_and_recovers_when_it_is_started_again(cluster, web):
    began = time.monotonic()
    assert readyz(web).status_code == 200
    assert readyz(web).json() == {"status": "ready", "database": "ok", "tasks": "ok"}

    cluster.stop("fast")
    down = readyz(web)
    assert down.status_code == 503
    assert down.json()["status"] == "not ready"
    assert down.json()["database"] == "OperationalError"  # the reason names the database
    assert down.json()["tasks"] == "database down"
    assert httpx.get(f"{web}/healthz", timeout=5).status_code == 200  # the process itself is fine

    cluster.start()
    workers.wait_until(lambda: readyz(web).status_code == 200, 15, "/readyz to recover")
    assert readyz(web).json() == {"status": "ready", "database": "ok", "tasks": "ok"}
    assert time.monotonic() - began < 30
