"""The answer combinations the tests render: derived from the choices in copier.yml.

Every choice of every axis appears at least once, and every pair of choices of two axes
appears together at least once (a greedy pairwise cover), so the set grows with the template.
"""

import itertools
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

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
    uncovered = {((a, x), (b, y)) for a, b in itertools.combinations(AXES, 2) for x in axes[a] for y in axes[b]}
    combos = []
    everything = [dict(zip(AXES, values, strict=True)) for values in itertools.product(*axes.values())]
    while uncovered:
        best = max(everything, key=lambda combo: len(pairs_of(combo) & uncovered))
        combos.append(best)
        uncovered -= pairs_of(best)
    return combos


def pairs_of(combo: dict[str, str]) -> set:
    return {((a, combo[a]), (b, combo[b])) for a, b in itertools.combinations(AXES, 2)}


def combination_id(combo: dict[str, str]) -> str:
    return "-".join(combo[axis] for axis in AXES)
