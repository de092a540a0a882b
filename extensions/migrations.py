"""Migrations that `copier update` runs in a generated repository: one function per template version.

copier.yml runs this file at both stages of an update that changes the template version, from the
root of the generated repository, with Copier's own interpreter:

    python extensions/migrations.py before|after FROM TO [--answers-file .copier-answers.yml]

It runs every function registered for a version V with FROM < V <= TO at that stage, oldest first
(PEP 440 order, as Copier compares tags), so an update that skips versions runs each one in turn.

- `before` functions run once Copier has rendered the old version and before it renders the new
  one: they edit the recorded answers (renamed keys, choices that changed or disappeared, defaults
  that changed) and move files the owner owns, so that the new version reads them.
- `after` functions run once the new version is in place (e.g. to tidy what it no longer renders).

Adding a migration for a release is one decorated function whose docstring says why:

    @migration("1.4.0")
    def v1_4_0(repo: Repo) -> None:
        '''`alert_email` is now `alerts_email` (it may hold a list): keep the owner's address.'''
        repo.rename_answer("alert_email", "alerts_email")

A migration that cannot proceed raises MigrationError; the script prints one line naming the
version and the reason and exits with status 1, and Copier stops the update. The recorded answers
are written only when every migration of the stage succeeded.

`python extensions/migrations.py --list` prints every migration with its docstring.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

STAGES = ("before", "after")
Migration = Callable[["Repo"], None]


class MigrationError(Exception):
    """A migration cannot be applied; the message tells the owner what to do."""


@dataclass(frozen=True)
class Registered:
    version: Version
    stage: str
    function: Migration

    @property
    def why(self) -> str:
        return " ".join((self.function.__doc__ or "").split())


REGISTRY: list[Registered] = []


def migration(version: str, stage: str = "before") -> Callable[[Migration], Migration]:
    """Register the decorated function as the migration of `version` at `stage`."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")

    def register(function: Migration) -> Migration:
        if not (function.__doc__ or "").strip():
            raise ValueError(f"migration {function.__name__} needs a docstring saying why it exists")
        REGISTRY.append(Registered(Version(version), stage, function))
        return function

    return register


def pending(stage: str, old: Version, new: Version) -> list[Registered]:
    """The migrations of `stage` for the versions after `old` up to and including `new`, oldest first."""
    selected = [entry for entry in REGISTRY if entry.stage == stage and old < entry.version <= new]
    return sorted(selected, key=lambda entry: entry.version)  # stable: registration order within a version


@dataclass
class Repo:
    """The generated repository being updated, as the migrations see it."""

    root: Path
    answers_file: Path
    answers: dict[str, Any] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path, answers_file: str) -> Repo:
        path = root / answers_file
        try:
            answers = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            raise MigrationError(f"cannot read the recorded answers in {answers_file}: {error}") from error
        if not isinstance(answers, dict):
            raise MigrationError(f"{answers_file} must be a mapping of answers")
        return cls(root=root, answers_file=path, answers=answers)

    def save(self) -> None:
        self.answers_file.write_text(yaml.safe_dump(self.answers, sort_keys=False, allow_unicode=True))

    def rename_answer(self, old: str, new: str) -> None:
        """Carry the answer `old` over to the question `new` (an answer already given to `new` wins)."""
        if old not in self.answers:
            return
        value = self.answers.pop(old)
        if new in self.answers:
            self.log.append(f"dropped `{old}`: `{new}` is already answered")
            return
        self.answers[new] = value
        self.log.append(f"answer `{old}` is now `{new}`")

    def map_choice(self, key: str, mapping: dict[Any, Any]) -> None:
        """Replace a recorded answer that is no longer a choice by its successor."""
        if key in self.answers and self.answers[key] in mapping:
            old, self.answers[key] = self.answers[key], mapping[self.answers[key]]
            self.log.append(f"`{key}`: {old!r} is now {self.answers[key]!r}")

    def change_default(self, key: str, old: Any, new: Any) -> None:
        """Move repositories still on the old default of `key` to the new default."""
        self.map_choice(key, {old: new})

    def remove_answer(self, key: str) -> None:
        """Forget the answer to a question that no longer exists."""
        if self.answers.pop(key, None) is not None:
            self.log.append(f"removed answer `{key}`")

    def move(self, old: str, new: str) -> None:
        """Move a file the owner owns (one of copier.yml's `_skip_if_exists`) to its new place.

        Only owner-owned files: Copier moves template-owned files itself. The move stays out of the
        git index, so Copier compares the owner's file with the old version where it was.
        """
        source, target = self.root / old, self.root / new
        if not source.exists():
            return
        if target.exists():
            raise MigrationError(f"cannot move {old} to {new}: {new} exists; merge them by hand and update again")
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)
        self.log.append(f"moved {old} to {new}")


def run(stage: str, old: Version, new: Version, root: Path, answers_file: str) -> list[str]:
    """Apply the pending migrations; returns what they did, one line per change."""
    entries = pending(stage, old, new)
    if not entries:
        return []
    repo = Repo.load(root, answers_file)
    for entry in entries:
        start = len(repo.log)
        try:
            entry.function(repo)
        except MigrationError as error:
            raise MigrationError(f"migration to {entry.version} ({entry.function.__name__}) failed: {error}") from error
        except Exception as error:
            raise MigrationError(
                f"migration to {entry.version} ({entry.function.__name__}) failed unexpectedly: "
                f"{type(error).__name__}: {error}"
            ) from error
        repo.log[start:] = [f"{entry.version}: {line}" for line in repo.log[start:]]
    repo.save()
    return repo.log


def parse_version(text: str, name: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion as error:
        raise MigrationError(f"{name} version {text!r} is not a PEP 440 version (tag releases like v1.2.0)") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the template's migrations for one stage of `copier update`.")
    parser.add_argument("stage", nargs="?", choices=STAGES)
    parser.add_argument("old", nargs="?", help="template version the repository was generated from")
    parser.add_argument("new", nargs="?", help="template version it is updated to")
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--list", action="store_true", help="print every migration and why it exists")
    args = parser.parse_args(argv)
    if args.list:
        for entry in sorted(REGISTRY, key=lambda entry: entry.version):
            print(f"{entry.version} ({entry.stage}) {entry.function.__name__}: {entry.why}")
        return 0
    if not (args.stage and args.old and args.new):
        parser.error("give STAGE OLD NEW, or --list")
    try:
        done = run(
            args.stage,
            parse_version(args.old, "old"),
            parse_version(args.new, "new"),
            Path.cwd(),
            args.answers_file,
        )
    except MigrationError as error:
        print(f"copier update: {error}", file=sys.stderr)
        return 1
    for line in done:
        print(f"migrated {line}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------ one function per version, oldest first
# (none yet: 0.1.0 is the first release)


if __name__ == "__main__":
    sys.exit(main())
