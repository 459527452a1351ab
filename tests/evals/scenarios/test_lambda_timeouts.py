"""Scenario #7: Lambda timeouts after a code deploy."""

from __future__ import annotations

from evals.bundle import Bundle
from evals.bundle.shapes import to_datetime
from evals.scenarios.incident import Incident
from tests.evals.scenarios.contract import ScenarioContract


class TestLambdaTimeouts(ScenarioContract):
    name = "lambda-timeouts"

    def test_durations_hit_the_configured_timeout_after_the_deploy(
        self, incident: Incident, bundle: Bundle
    ) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        assert change["eventName"] == "UpdateFunctionCode20150331v2"
        name = change["requestParameters"]["functionName"]
        config = next(
            r["item"]
            for r in bundle.records("resources")
            if r["type"] == "FunctionConfiguration" and r["item"]["FunctionName"] == name
        )
        assert config["CodeSha256"] == change["responseElements"]["codeSha256"]
        w = incident.window
        deployed = w.index(to_datetime(change["eventTime"]))
        duration = incident.get("AWS/Lambda", "Duration", FunctionName=name).values
        timeout_ms = config["Timeout"] * 1000
        assert max(v or 0 for v in duration[:deployed]) < timeout_ms / 2 or config["Timeout"] <= 10
        assert max(v or 0 for v in duration[deployed + 1 :]) > timeout_ms / 2
        timed_out = [
            e
            for e in bundle.records("logs")
            if e["log_group"] == config["LoggingConfig"]["LogGroup"] and "Task timed out" in e["message"]
        ]
        assert (
            timed_out
            and min(e["timestamp"] for e in timed_out) > to_datetime(change["eventTime"]).timestamp() * 1000
        )
