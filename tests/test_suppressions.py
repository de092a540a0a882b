"""Every checkov/trivy suppression in the template carries a reason and is listed in the docs."""

import re

from helpers import ROOT

CHECKOV_SKIP = re.compile(r"checkov:skip=([A-Z0-9_]+)(?::(.*))?")
TRIVY_IGNORE = re.compile(r"trivy:ignore:([A-Z0-9-]+)(.*)")
LISTED = (ROOT / "docs" / "suppressions.md").read_text()


def suppressions() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((ROOT / "template").rglob("*")):
        if path.is_file():
            for line in path.read_text(errors="replace").splitlines():
                for pattern in (CHECKOV_SKIP, TRIVY_IGNORE):
                    for match in pattern.finditer(line):
                        found.append((str(path.relative_to(ROOT)), match.group(1), line))
    return found


def test_suppressions_exist_to_be_checked():
    # the template does suppress some findings; if this ever fails, drop the list in the docs
    assert suppressions()


def test_every_suppression_has_a_reason():
    for path, check, line in suppressions():
        reason = line.split(check, 1)[1].strip(" :#-")
        assert len(reason) >= 10, f"{path}: {check} is suppressed without a reason: {line.strip()}"


def test_every_suppression_is_listed_in_the_docs():
    missing = sorted({check for _, check, _ in suppressions() if check not in LISTED})
    assert missing == [], f"add these to docs/suppressions.md with their reason: {missing}"
