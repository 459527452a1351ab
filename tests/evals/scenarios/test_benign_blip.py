"""Scenario #20: no fault; an over-sensitive alarm fired on a short blip."""

from __future__ import annotations

from evals.bundle import Bundle
from tests.evals.scenarios.contract import ScenarioContract


class TestBenignBlip(ScenarioContract):
    name = "benign-blip"

    def test_truth_is_no_fault_and_the_alarm_recovered(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.no_fault and truth.root_cause is None
        assert truth.actions == ["reconfigure"]
        event = bundle.manifest.trigger.alarm_event
        assert event is not None
        alarm = next(a for a in bundle.records("alarms") if a["AlarmName"] == event.detail.alarm_name)
        assert alarm["StateValue"] == "OK"
        assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (1, 1)
