"""The generated service works: its own unit tests pass, and it serves its endpoints as a real
process (no Docker) and drains on SIGTERM."""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import ROOT

pytestmark = pytest.mark.xdist_group("app")


@pytest.fixture(scope="module")
def app_python(default_project) -> Path:
    """A virtualenv with the app's pinned requirements, cached in .tools by their hash."""
    app = default_project / "app"
    requirements = (app / "requirements.txt").read_bytes() + (app / "requirements-dev.txt").read_bytes()
    venv = ROOT / ".tools" / "app-venvs" / f"python-{hashlib.sha256(requirements).hexdigest()[:12]}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "-r", str(app / "requirements.txt"), "-r", str(app / "requirements-dev.txt")],
            check=True,
        )  # fmt: skip
        (venv / ".complete").touch()
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_app_unit_tests_pass(default_project, app_python):
    process = subprocess.run(
        [str(app_python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=default_project / "app",
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    assert " passed" in process.stdout


def test_service_runs_as_a_process(default_project, app_python):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DRAIN_SECONDS": "1"}
    server = subprocess.Popen(
        [str(app_python), "-m", "service"],
        cwd=default_project / "app",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status, _ = get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the service did not start listening within 20 s"
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        assert status == 200
        assert get(f"{base}/readyz")[0] == 200
        status, metrics = get(f"{base}/metrics")
        assert status == 200
        assert "http_requests_total" in metrics
        assert 'le="0.3"' in metrics  # the SLO threshold (tests/answers: 300 ms default) is a bucket
        server.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert get(f"{base}/readyz")[0] == 503  # draining: out of the load balancer, still serving
        # uvicorn re-raises the signal once it has shut down cleanly
        assert server.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
    logs = [json.loads(line) for line in server.stdout.read().splitlines() if line.startswith("{")]
    assert any("draining" in entry.get("message", "") for entry in logs), logs
