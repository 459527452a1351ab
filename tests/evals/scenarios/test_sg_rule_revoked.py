"""Scenario #10: the security-group rule from the web tier to the database was revoked."""

from __future__ import annotations

from evals.bundle import Bundle
from tests.evals.scenarios.contract import Known, ScenarioContract


class TestSgRuleRevoked(ScenarioContract):
    name = "sg-rule-revoked"

    def test_the_rule_is_gone_from_the_group_and_in_cloudtrail(self, bundle: Bundle, known: Known) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        assert change["eventName"] == "RevokeSecurityGroupIngress"
        group_id = change["requestParameters"]["groupId"]
        app_group = change["requestParameters"]["ipPermissions"]["items"][0]["groups"]["items"][0]["groupId"]
        group = next(g for g in known.by_type[("ec2", "SecurityGroup")] if g["GroupId"] == group_id)
        assert truth.root_cause.resource == group["SecurityGroupArn"]
        refs = {p["GroupId"] for perm in group["IpPermissions"] for p in perm["UserIdGroupPairs"]}
        assert app_group not in refs and refs  # the other tier keeps its access

    def test_database_logs_nothing_about_it(self, bundle: Bundle) -> None:
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        change = next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)
        since = change["eventTime"]
        from evals.bundle.shapes import to_datetime

        cutoff = to_datetime(since).timestamp() * 1000
        db_errors = [
            e for e in bundle.records("logs") if e["log_group"].endswith("/error") and e["timestamp"] > cutoff
        ]
        app_errors = [
            e
            for e in bundle.records("logs")
            if "timed out" in e["message"].lower() and e["timestamp"] > cutoff
        ]
        assert app_errors
        assert all(
            "Aborted connection" not in e["message"] or "reading communication" in e["message"]
            for e in db_errors
        )
