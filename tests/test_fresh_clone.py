"""A clone with nothing beside it passes the tests that read third-party fixtures.

Those fixtures are vendored under tests/data; this clones the committed tree into an empty temporary
folder (no ../shared) and runs the fixture-dependent tests there, with this interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_TESTS = ["tests/tools/test_changes.py", "tests/evals/replay/test_cloudtrail.py"]


def test_fixture_tests_pass_in_a_clone_with_nothing_beside_it(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (or no git): nothing to clone")
    clone = tmp_path / "alone" / "sleuth"
    subprocess.run(
        [git, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True, timeout=120
    )
    assert not (clone.parent.parent / "shared").exists()
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "PYTHONPATH": str(clone)}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", *FIXTURE_TESTS],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    tail = run.stdout[-2000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    assert " passed" in run.stdout, tail
    assert "skipped" not in run.stdout and "error" not in run.stdout.lower(), tail
