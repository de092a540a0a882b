"""The generated service of every runtime works: its own unit tests pass, and it serves its
endpoints as a real process (no Docker), answers in client mode and drains on SIGTERM.

Each runtime is built with a toolchain from PyPI, Debian or npm (scripts/install-tools): the
template's tests cannot reach the Go module proxy or Maven Central, which is one reason the go and
java services use their standard library only. With CI=true a missing toolchain fails the test.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from combinations import choices
from helpers import ROOT, render, unavailable

pytestmark = pytest.mark.xdist_group("app")

TRACE_ID, PARENT_SPAN_ID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"
CACHE = ROOT / ".tools" / "app-cache"
# Debian's JUnit 5 (scripts/install-tools): the java service's tests run on it without Maven
JUNIT = ROOT / ".tools" / "bin" / "junit-platform-console-standalone.jar"


@dataclass
class Service:
    """How to test and run one generated service on this machine."""

    app: Path
    unit: list[list[str]]  # commands, run in app/, that must all pass
    server: list[str]  # starts the server; with arguments, its client mode
    env: dict = field(default_factory=dict)

    def run(self, command: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            command, cwd=self.app, env={**os.environ, **self.env}, capture_output=True, text=True, timeout=timeout
        )


def require(*tools: str) -> None:
    """Commands on PATH, or files by path."""
    missing = [tool for tool in tools if not (shutil.which(tool) or Path(tool).is_file())]
    if missing:
        unavailable(f"toolchain not installed: {', '.join(missing)} (scripts/install-tools, README)")


def checked(process: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert process.returncode == 0, f"{process.args}\n{process.stdout}\n{process.stderr}"
    return process


def python_service(app: Path, work: Path) -> Service:
    """A virtualenv with the app's pinned requirements, cached by their hash."""
    requirements = (app / "requirements.txt").read_bytes() + (app / "requirements-dev.txt").read_bytes()
    venv = CACHE / f"python-{hashlib.sha256(requirements).hexdigest()[:12]}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "-r", str(app / "requirements.txt"), "-r", str(app / "requirements-dev.txt")],
            check=True,
        )  # fmt: skip
        (venv / ".complete").touch()
    return Service(app, [[str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]], [str(python), "-m", "service"])


def node_service(app: Path, work: Path) -> Service:
    require("node", "npm")
    service = Service(app, [["npm", "test"]], ["node", "src/main.js"], {"npm_config_cache": str(CACHE / "npm")})
    checked(service.run(["npm", "ci", "--no-audit", "--no-fund"]))
    return service


def go_service(app: Path, work: Path) -> Service:
    require("go")
    env = {"GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOCACHE": str(CACHE / "go-build")}
    service = Service(app, [["go", "vet", "./..."], ["go", "test", "./..."]], [str(work / "service")], env)
    checked(service.run(["go", "build", "-o", str(work / "service"), "./cmd/service"]))
    return service


def java_service(app: Path, work: Path) -> Service:
    require("javac", "java", str(JUNIT))
    classes, test_classes = work / "classes", work / "test-classes"
    sources = sorted(str(p) for p in (app / "src" / "main" / "java").rglob("*.java"))
    tests = sorted(str(p) for p in (app / "src" / "test" / "java").rglob("*.java"))
    # The pom targets Java 21; the code also builds with the oldest JDK a test machine may have.
    checked(subprocess.run(["javac", "--release", "17", "-d", str(classes), *sources], capture_output=True, text=True))
    classpath = f"{classes}:{JUNIT}"
    # -Xlint:-path: Debian's JUnit jar lists absent jars in its manifest's Class-Path
    compile_tests = ["javac", "--release", "17", "-Xlint:-path", "-d", str(test_classes), "-cp", classpath, *tests]
    checked(subprocess.run(compile_tests, capture_output=True, text=True))
    unit = ["java", "-jar", str(JUNIT), "--disable-banner", "--fail-if-no-tests",
            "--class-path", f"{classes}:{test_classes}", "--scan-class-path"]  # fmt: skip
    return Service(app, [unit], ["java", "-cp", str(classes), "service.Main"])


BUILDERS = {"python": python_service, "node": node_service, "go": go_service, "java": java_service}


@pytest.fixture(scope="module", params=choices()["runtime"])  # a new runtime needs a builder
def service(request, default_project, tmp_path_factory) -> Service:
    runtime = request.param
    work = tmp_path_factory.mktemp(f"app-{runtime}")
    project = default_project if runtime == "python" else render(work / "project", runtime=runtime)
    return BUILDERS[runtime](project / "app", work)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_unit_tests_pass(service):
    for command in service.unit:
        checked(service.run(command))


def test_service_runs_as_a_process(service):
    port = free_port()
    env = {**os.environ, **service.env, "PORT": str(port), "HOST": "127.0.0.1", "DRAIN_SECONDS": "1"}
    server = subprocess.Popen(
        service.server, cwd=service.app, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the service did not start listening within 30 s"
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        assert status == 200
        status, body = get(f"{base}/")
        assert (status, json.loads(body)) == (200, {"service": "payments-api", "message": "hello"})
        assert get(f"{base}/readyz")[0] == 200
        assert get(f"{base}/no/such/page")[0] == 404
        status, metrics = get(f"{base}/metrics")
        assert status == 200
        assert 'http_requests_total{method="GET",route="/",status="200"} 1' in metrics.replace(".0\n", "\n")
        assert 'route="unmatched",status="404"' in metrics
        assert 'le="0.3"' in metrics  # the SLO threshold (tests/answers: 300 ms default) is a bucket
        assert get(f"{base}/", {"traceparent": TRACEPARENT})[0] == 200

        assert service.run([*service.server, "probe", f"{base}/readyz"], timeout=30).returncode == 0
        assert service.run([*service.server, "probe", f"{base}/no/such/page"], timeout=30).returncode == 1
        traffic = service.run([*service.server, "traffic", f"{base}/", "0.5", "20"], timeout=30)
        assert traffic.returncode == 0 and " requests answered, 0 failed" in traffic.stdout, traffic

        server.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert get(f"{base}/readyz")[0] == 503  # draining: out of the load balancer, still serving
        # uvicorn re-raises the signal once it has shut down cleanly; the others exit 0
        assert server.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
    logs = [json.loads(line) for line in server.stdout.read().splitlines() if line.startswith("{")]
    assert any("draining" in entry.get("message", "") for entry in logs), logs
    request = next(entry for entry in logs if entry.get("message") == "request" and entry.get("status") == 404)
    assert request["route"] == "unmatched" and request["service"] == "payments-api", request
    assert {"time", "level"} <= request.keys()
    # W3C trace context: a caller's trace continues in a new span; without one, a new trace starts
    traced = [entry for entry in logs if entry.get("message") == "request" and entry.get("route") == "/"]
    (caller,) = [entry for entry in traced if entry["trace_id"] == TRACE_ID]
    assert re.fullmatch("[0-9a-f]{16}", caller["span_id"]) and caller["span_id"] != PARENT_SPAN_ID
    assert re.fullmatch("[0-9a-f]{32}", request["trace_id"]) and request["trace_id"] != TRACE_ID
