"""Scenario #11: a DynamoDB hot partition is throttled with no change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.shapes import to_datetime
from evals.scenarios.incident import Incident
from evals.scenarios.library import dynamodb_hot_partition  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.contract import Known
from tests.evals.scenarios.test_extra_resources import ExtendedContract


def _values(bundle: Bundle, metric: str, **dims: str) -> dict[str, float]:
    return {
        m["timestamp"]: m["value"]
        for m in bundle.records("metrics")
        if m["metric"] == metric and m["dimensions"] == dims
    }


class TestDynamodbHotPartition(ExtendedContract):
    name = "dynamodb-hot-partition"

    def _table(self, bundle: Bundle, known: Known) -> dict[str, Any]:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        return next(
            t
            for t in known.by_type[("dynamodb", "TableDescription")]
            if t["TableArn"] == truth.root_cause.resource
        )

    def test_no_change_is_the_cause(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        assert truth.root_cause.event_id is None and truth.root_cause.category == "limit"
        capacity = [
            r
            for r in bundle.records("cloudtrail")
            if r["eventName"] in ("UpdateTable", "UpdateTableReplicaAutoScaling")
        ]
        assert capacity == []

    def test_throttled_while_the_table_is_far_below_capacity(
        self, incident: Incident, bundle: Bundle, known: Known
    ) -> None:
        table = self._table(bundle, known)
        name = table["TableName"]
        throttles = _values(bundle, "WriteThrottleEvents", TableName=name)
        onset_minute = incident.window.onset.replace(second=0, microsecond=0)
        assert throttles and min(to_datetime(t) for t in throttles) >= onset_minute
        consumed = _values(bundle, "ConsumedWriteCapacityUnits", TableName=name)
        busiest = max(consumed[t] for t in throttles) / 60  # WCU per second
        # The hot key alone is capped at 1,000 WCU/s; the whole table still has capacity to spare.
        if table["BillingModeSummary"]["BillingMode"] == "PROVISIONED":
            assert busiest < table["ProvisionedThroughput"]["WriteCapacityUnits"] * 0.6
        assert busiest < 1000 + 600
        others = [
            t["TableName"] for t in known.by_type[("dynamodb", "TableDescription")] if t["TableName"] != name
        ]
        assert others and all(not _values(bundle, "WriteThrottleEvents", TableName=o) for o in others)

    def test_throttling_precedes_the_first_failed_request(
        self, incident: Incident, bundle: Bundle, known: Known
    ) -> None:
        name = self._table(bundle, known)["TableName"]
        first_throttle = min(to_datetime(t) for t in _values(bundle, "WriteThrottleEvents", TableName=name))
        failed = [
            s
            for t in bundle.records("traces")
            for s in t["subsegments"]
            if s["name"] == "DynamoDB" and s.get("throttle")
        ]
        assert failed and all(s["aws"]["table_name"] == name for s in failed)
        assert all(
            s["cause"]["exceptions"][0]["type"] == "ProvisionedThroughputExceededException" for s in failed
        )
        assert min(s["start_time"] for s in failed) >= first_throttle.timestamp()
        assert first_throttle - incident.window.onset < timedelta(minutes=10)
