"""Scenario #19: a slow third-party dependency."""

from __future__ import annotations

from evals.bundle import Bundle
from evals.scenarios.incident import Incident
from tests.evals.scenarios.contract import ScenarioContract


class TestSlowThirdParty(ScenarioContract):
    name = "slow-third-party"

    def test_time_goes_into_the_remote_node_after_onset(self, incident: Incident, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None and truth.root_cause.event_id is None
        provider = truth.root_cause.resource
        onset = incident.window.onset.timestamp()
        calls = [s for t in bundle.records("traces") for s in t["subsegments"] if s["name"] == provider]
        before = sorted(s["end_time"] - s["start_time"] for s in calls if s["start_time"] < onset)
        after = sorted(s["end_time"] - s["start_time"] for s in calls if s["start_time"] > onset + 600)
        assert len(before) > 20 and after
        assert after[len(after) // 2] > 5 * before[len(before) // 2]
        # Before the incident the calls have an ordinary spread: p90 within a few times the median.
        assert before[int(len(before) * 0.9)] < 4 * before[len(before) // 2]
