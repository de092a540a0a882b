"""Time `copier copy` and `copier update` of the default repository against a plain-Jinja floor.

All three are whole processes (interpreter start included), measured in the same run:
  copy    `copier copy --trust --defaults` of a committed snapshot of this template
  floor   plain_render.py: the same files rendered with Jinja2 alone, same context, no Copier
  update  `copier update --trust --defaults` of that copy, with no template change

Usage: python benchmarks/bench.py [--runs N]
The last line is machine-readable:
files=<n> copy_s=<median> floor_s=<median> update_s=<median> copy_vs_floor=<ratio> update_vs_copy=<ratio>
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from helpers import GIT, snapshot  # noqa: E402

ANSWERS = ROOT / "tests" / "answers" / "default.yml"


def timed(command: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def data_args() -> list[str]:
    answers = yaml.safe_load(ANSWERS.read_text())
    return [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    copier = [sys.executable, "-m", "copier"]
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        template = snapshot(work / "template")
        copy_times, floor_times, update_times = [], [], []
        for run in range(runs):
            project = work / f"copy-{run}"
            copy_times.append(
                timed([*copier, "copy", "--trust", "--defaults", "--quiet", *data_args(), str(template), str(project)])
            )
            floor_out = work / f"floor-{run}"
            floor_times.append(
                timed(
                    [
                        sys.executable,
                        str(ROOT / "benchmarks" / "plain_render.py"),
                        str(template),
                        str(project / ".copier-answers.yml"),
                        str(floor_out),
                    ]
                )
            )
            for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "generated"]):
                subprocess.run([*GIT, *command], cwd=project, check=True)
            update_times.append(timed([*copier, "update", "--trust", "--defaults", "--quiet"], cwd=project))
            status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True)
            if status.stdout.strip():
                sys.exit(f"update with no template change modified the project:\n{status.stdout}")
        files = sum(1 for path in (work / "copy-0").rglob("*") if path.is_file() and ".git" not in path.parts)
        floor_files = sum(1 for path in (work / "floor-0").rglob("*") if path.is_file())
        if floor_files != files:
            sys.exit(f"the floor rendered {floor_files} files, copier {files}: they must render the same set")
    copy_s, floor_s, update_s = (statistics.median(times) for times in (copy_times, floor_times, update_times))
    print(f"runs={runs} cpus={os.cpu_count()}")
    for name, times in (("copy", copy_times), ("floor", floor_times), ("update", update_times)):
        print(f"{name:<7} median {statistics.median(times):.3f}s  min {min(times):.3f}s  max {max(times):.3f}s")
    print(
        f"files={files} copy_s={copy_s:.3f} floor_s={floor_s:.3f} update_s={update_s:.3f} "
        f"copy_vs_floor={copy_s / floor_s:.2f} update_vs_copy={update_s / copy_s:.2f}"
    )


if __name__ == "__main__":
    main()
