"""The README's first command, as a newcomer runs it, writes a repository that can be updated."""

import re
import subprocess

import yaml
from helpers import ROOT


def first_command() -> str:
    block = re.search(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README.md starts with a sh code block"
    commands = block.group(1).splitlines()
    assert len(commands) == 2, "the README starts with exactly two commands"
    return commands[0]


def test_first_command_generates_a_repository(tmp_path):
    command = first_command().replace("../payments-api", str(tmp_path / "payments-api"))
    assert str(tmp_path) in command
    process = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr[-3000:]
    answers = yaml.safe_load((tmp_path / "payments-api" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(ROOT)  # absolute, so `copier update` finds the template again
    assert answers["project_slug"] == "payments-api"
    assert (tmp_path / "payments-api" / "terraform" / "environments" / "prod" / "main.tf").is_file()
