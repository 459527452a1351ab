"""Every high_traffic train issue converts, validates, replays what its files say, and hides its ground truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.datasets.petshop import PetShopCase
from tests.evals.datasets.checks import cases_of, check_case, needs_data

pytestmark = needs_data


@pytest.mark.parametrize("case", cases_of("high_traffic"), ids=lambda c: c.issue)
def test_issue_converts_and_replays(case: PetShopCase, tmp_path: Path) -> None:
    check_case(case, tmp_path)
