"""The answer combinations the tests render: derived from the choices in copier.yml.

Every choice of every axis appears at least once, and every pair of choices of two axes that the
questionnaire accepts together appears together at least once (a greedy pairwise cover), so the set
grows with the template.
"""

import itertools
import sys
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from extensions import validation  # noqa: E402

AXES = ("cloud", "orchestrator", "runtime", "ci", "deploy_strategy", "monitoring")


@cache
def choices() -> dict[str, list[str]]:
    questions = yaml.safe_load((ROOT / "copier.yml").read_text())
    result = {}
    for axis in AXES:
        options = questions[axis]["choices"]
        result[axis] = list(options.values()) if isinstance(options, dict) else list(options)
    return result


def defaults() -> dict[str, str]:
    questions = yaml.safe_load((ROOT / "copier.yml").read_text())
    return {axis: questions[axis]["default"] for axis in AXES}


def pairwise() -> list[dict[str, str]]:
    """A small set of combinations covering every pair of choices across two axes."""
    axes = choices()
    everything = [dict(zip(AXES, values, strict=True)) for values in itertools.product(*axes.values())]
    everything = [combo for combo in everything if accepted(combo)]
    uncovered = set().union(*(pairs_of(combo) for combo in everything))
    combos = []
    while uncovered:
        best = max(everything, key=lambda combo: len(pairs_of(combo) & uncovered))
        combos.append(best)
        uncovered -= pairs_of(best)
    return combos


def accepted(combo: dict[str, str]) -> bool:
    """Whether the questionnaire accepts these choices together (e.g. datadog on this orchestrator)."""
    return not validation.monitoring_error(combo["monitoring"], combo["orchestrator"], combo["cloud"])


def pairs_of(combo: dict[str, str]) -> set:
    return {((a, combo[a]), (b, combo[b])) for a, b in itertools.combinations(AXES, 2)}


def combination_id(combo: dict[str, str]) -> str:
    return "-".join(combo[axis] for axis in AXES)
