from pathlib import Path

import pytest
from helpers import answers


@pytest.fixture(scope="session")
def default_project(copie_session) -> Path:
    result = copie_session.copy(extra_answers=answers())
    assert result.exception is None, result.exception
    return result.project_dir
