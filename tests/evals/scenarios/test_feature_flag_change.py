"""Scenario #18: a Parameter Store feature flag change raised latency and errors."""

from __future__ import annotations

from evals.bundle import Bundle
from evals.bundle.shapes import to_datetime
from evals.scenarios.incident import Incident
from evals.scenarios.library import feature_flag_change  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.contract import Known
from tests.evals.scenarios.test_extra_resources import ExtendedContract


class TestFeatureFlagChange(ExtendedContract):
    name = "feature-flag-change"

    def test_the_change_is_a_put_parameter_on_an_existing_flag(self, bundle: Bundle, known: Known) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        assert change["eventName"] == "PutParameter" and change["eventSource"] == "ssm.amazonaws.com"
        parameter = next(
            p for p in known.by_type[("ssm", "Parameter")] if p["ARN"] == truth.root_cause.resource
        )
        assert parameter["Name"] == change["requestParameters"]["name"]
        assert parameter["Version"] == change["responseElements"]["version"]
        assert to_datetime(parameter["LastModifiedDate"]) == to_datetime(change["eventTime"])
        # Its sibling flags exist and did not change in the window.
        prefix = parameter["Name"].rsplit("/", 1)[0]
        siblings = [p for p in known.by_type[("ssm", "Parameter")] if p["Name"].startswith(prefix + "/")]
        assert len(siblings) >= 3
        assert sum(to_datetime(p["LastModifiedDate"]) >= bundle.manifest.start for p in siblings) == 1

    def test_guilty_put_parameter_looks_like_innocent_ones(self, bundle: Bundle) -> None:
        puts = [r for r in bundle.records("cloudtrail") if r["eventName"] == "PutParameter"]
        assert len({tuple(sorted(r["requestParameters"])) for r in puts}) == 1

    def test_errors_start_after_each_instance_reloads(self, incident: Incident, bundle: Bundle) -> None:
        svc = incident.account.services[0]
        onset_ms = incident.window.onset.timestamp() * 1000
        reloads = {
            e["log_stream"]: e["timestamp"]
            for e in bundle.records("logs")
            if e["log_group"] == svc.log_group and "Refreshed" in e["message"] and e["timestamp"] >= onset_ms
        }
        assert reloads
        timeouts = [
            e
            for e in bundle.records("logs")
            if e["log_group"] == svc.log_group and "Request failed:" in e["message"]
        ]
        assert timeouts
        assert all(e["timestamp"] >= reloads[e["log_stream"]] for e in timeouts)

    def test_database_load_rises_after_the_change(self, incident: Incident) -> None:
        w, db = incident.window, incident.account.database
        cpu = incident.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=db.writer).values
        i = w.index(w.onset)
        before = [v for v in cpu[i - 30 : i] if v is not None]
        after = [v for v in cpu[i + 6 : i + 30] if v is not None]
        assert sum(after) / len(after) > sum(before) / len(before) + 8
