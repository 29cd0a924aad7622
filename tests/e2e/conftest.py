"""The whole platform as processes (the README's launcher), driven only through the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from launch import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One platform for the end-to-end tests of this session, on free ports."""
    run_dir: Path = tmp_path_factory.mktemp("stack")
    with Stack(run_dir) as platform:
        yield platform
