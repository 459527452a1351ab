"""Scenario #6: Lambda throttled after its reserved concurrency was lowered."""

from __future__ import annotations

from evals.bundle import Bundle
from tests.evals.scenarios.contract import Known, ScenarioContract


class TestLambdaThrottling(ScenarioContract):
    name = "lambda-throttling"

    def test_the_change_lowers_the_limit_below_observed_concurrency(
        self, bundle: Bundle, known: Known
    ) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        assert change["eventName"] == "PutFunctionConcurrency20171031"
        name = change["requestParameters"]["functionName"]
        limit = change["requestParameters"]["reservedConcurrentExecutions"]
        assert truth.root_cause.resource.endswith(f":function:{name}")
        current = next(
            c for c in known.by_type[("lambda", "FunctionConcurrency")] if c["FunctionName"] == name
        )
        assert current["ReservedConcurrentExecutions"] == limit
        conc = [
            m["value"]
            for m in bundle.records("metrics")
            if m["metric"] == "ConcurrentExecutions"
            and m["dimensions"] == {"FunctionName": name}
            and m["timestamp"] < change["eventTime"][:17] + "00Z"
        ]
        assert max(conc) > limit
        throttles = [
            m
            for m in bundle.records("metrics")
            if m["metric"] == "Throttles" and m["dimensions"] == {"FunctionName": name} and m["value"] > 0
        ]
        assert throttles and min(m["timestamp"] for m in throttles) >= change["eventTime"][:17] + "00Z"

    def test_traces_show_throttled_invokes(self, bundle: Bundle) -> None:
        throttled = [s for t in bundle.records("traces") for s in t["subsegments"] if s.get("throttle")]
        assert throttled
        assert all(s["cause"]["exceptions"][0]["type"] == "TooManyRequestsException" for s in throttled)
