"""Shared helpers: the example answers and a non-interactive render."""

import os
import sys
from pathlib import Path

import yaml
from copier import run_copy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `extensions` is importable as a package for the unit tests

EXAMPLE_ANSWERS = yaml.safe_load((ROOT / "tests" / "answers" / "default.yml").read_text())
IN_CI = os.environ.get("CI", "").lower() == "true"


def answers(**overrides) -> dict:
    """The example answers with overrides layered on top."""
    return {**EXAMPLE_ANSWERS, **overrides}


def render(destination: Path, **overrides) -> Path:
    """Render the template's working tree (uncommitted changes included) non-interactively."""
    run_copy(
        str(ROOT),
        str(destination),
        data=answers(**overrides),
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    return destination
