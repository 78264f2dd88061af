"""A real server process for the throughput benchmark, and the clients that load it.

Gunicorn (the production WSGI server, README) on a free loopback port, one sync worker per
core, with production settings (DEBUG=false, persistent database connections as deployed:
DB_CONN_MAX_AGE) plus the floor endpoint (server_settings.py). Django's runserver is not used:
it opens a new database connection for every request, which no deployment does. The bench
process logs its users in (sessions in the shared database), then runs a bounded number of
requests from 1 or N client threads, each on its own HTTP connection per request. Nothing
leaves 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

HOST = "127.0.0.1"
START_TIMEOUT_S = 60
WORKERS = os.cpu_count() or 2  # gunicorn's sync workers: one per core


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(log: Path) -> Iterator[int]:
    """Start the benchmark server; yield its port; stop it (only this process) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xieguan.benchmarks.server_settings",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must verify there
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
    }
    manage = Path(settings.BASE_DIR) / "manage.py"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        command = [sys.executable, "-m", "gunicorn", "xieguan.wsgi:application", "--bind", f"{HOST}:{port}"]
        command += ["--workers", str(WORKERS), "--log-level", "warning", "--chdir", str(manage.parent)]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and the project's WSGI app
            command,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"benchmark server exited ({process.returncode}); see {log}")
                try:
                    with socket.create_connection((HOST, port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"benchmark server did not start in {START_TIMEOUT_S}s") from None
                    time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Load:
    requests: int
    seconds: float
    failures: list[str]

    @property
    def per_s(self) -> float:
        return round(self.requests / self.seconds, 1) if self.seconds else 0.0


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("POST", path, body=body, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_clients(clients: int, per_client: int, send: Callable[[int, int], str | None]) -> Load:
    """``clients`` threads, each sending ``per_client`` requests via ``send(client, n)``, which
    returns None on success or a description of the failure."""
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def work(client: int) -> None:
        start.wait()
        for n in range(per_client):
            problem = send(client, n)
            if problem:
                with lock:
                    failures.append(problem)

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(clients * per_client - len(failures), time.perf_counter() - began, failures)
