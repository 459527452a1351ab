"""Every temporal_traffic1/2 train issue converts, validates, replays what its files say, hides its truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.datasets.petshop import PetShopCase
from tests.evals.datasets.checks import cases_of, check_case, needs_data

pytestmark = needs_data


@pytest.mark.parametrize(
    "case",
    cases_of("temporal_traffic1") + cases_of("temporal_traffic2"),
    ids=lambda c: f"{c.scenario}-{c.issue}",
)
def test_issue_converts_and_replays(case: PetShopCase, tmp_path: Path) -> None:
    check_case(case, tmp_path)
