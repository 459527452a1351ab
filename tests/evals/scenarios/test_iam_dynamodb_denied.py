"""Scenario #5: an IAM policy change denies one service's role a DynamoDB action."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from evals.bundle import Bundle
from evals.replay import replay_session
from evals.scenarios.incident import Incident
from evals.scenarios.library import iam_dynamodb_denied  # noqa: F401  (registers the scenario)
from tests.evals.scenarios.test_instance_storage import StorageContract


def _change(bundle: Bundle) -> dict:
    truth = bundle.manifest.truth
    assert truth is not None and truth.root_cause is not None
    return next(r for r in bundle.records("cloudtrail") if r["eventID"] == truth.root_cause.event_id)


class TestIamDynamodbDenied(StorageContract):
    name = "iam-dynamodb-denied"

    def test_the_change_is_a_put_role_policy_on_the_guilty_role(self, bundle: Bundle) -> None:
        change = _change(bundle)
        truth = bundle.manifest.truth
        assert truth is not None and truth.root_cause is not None
        assert (change["eventSource"], change["eventName"]) == ("iam.amazonaws.com", "PutRolePolicy")
        assert change["awsRegion"] == "us-east-1"  # IAM is global; CloudTrail logs it there
        assert truth.root_cause.resource.endswith(f":role/{change['requestParameters']['roleName']}")
        doc = json.loads(change["requestParameters"]["policyDocument"])
        resources = doc["Statement"][0]["Resource"]
        assert "dynamodb:Query" in doc["Statement"][0]["Action"]
        assert not any("/index/" in r for r in resources)  # the index ARNs are what went missing

    def test_an_innocent_iam_change_on_the_other_role_is_there_too(self, bundle: Bundle) -> None:
        change = _change(bundle)
        others = [
            r
            for r in bundle.records("cloudtrail")
            if r["eventName"] == "PutRolePolicy" and r["eventID"] != change["eventID"]
        ]
        assert len(others) == 1
        assert others[0]["requestParameters"]["roleName"] != change["requestParameters"]["roleName"]

    def test_access_denied_names_the_index_and_the_role_session(self, bundle: Bundle) -> None:
        change = _change(bundle)
        role = change["requestParameters"]["roleName"]
        denied = [
            e
            for e in bundle.records("logs")
            if "AccessDeniedException" in e["message"] or "not authorized" in e["message"]
        ]
        assert denied
        assert all(f"assumed-role/{role}/{e['log_stream']}" in e["message"] for e in denied)
        assert all("/index/" in e["message"] and "dynamodb:Query" in e["message"] for e in denied)
        assert min(e["timestamp"] for e in denied) > to_ms(change["eventTime"])

    def test_one_service_on_one_instance_fails_and_its_peer_does_not(self, bundle: Bundle) -> None:
        change = _change(bundle)
        role = change["requestParameters"]["roleName"]
        denied = [e for e in bundle.records("logs") if "AccessDeniedException" in e["message"]]
        assert len({e["log_stream"] for e in denied}) == 1
        instance = next(
            i["item"]
            for i in bundle.records("resources")
            if i["item"].get("InstanceId") == denied[0]["log_stream"]
        )
        assert instance["IamInstanceProfile"]["Arn"].endswith(f"/{role}")
        calls = [
            (t["aws"]["ec2"]["instance_id"], s)
            for t in bundle.records("traces")
            for s in t.get("subsegments", [])
            if s.get("name") == "DynamoDB"
        ]
        others = [s for iid, s in calls if iid != instance["InstanceId"]]
        assert others and not any(s.get("error") or s.get("fault") for s in others)

    def test_traces_show_denied_queries_as_aws_errors(self, incident: Incident, bundle: Bundle) -> None:
        calls = [
            s
            for t in bundle.records("traces")
            for s in t.get("subsegments", [])
            if s.get("name") == "DynamoDB"
        ]
        denied = [s for s in calls if s.get("error")]
        assert denied and all(s["aws"]["operation"] == "Query" for s in denied)
        assert all(s["http"]["response"]["status"] == 400 and "fault" not in s for s in denied)
        assert any(s["aws"]["operation"] == "GetItem" and not s.get("error") for s in calls)
        first = min(s["start_time"] for s in denied)
        assert first >= incident.window.onset.timestamp()

    def test_the_role_policy_replays_as_it_is_now(self, bundle: Bundle) -> None:
        change = _change(bundle)
        session, _ = replay_session(bundle)
        iam = session.client("iam")
        role, name = change["requestParameters"]["roleName"], change["requestParameters"]["policyName"]
        assert name in iam.list_role_policies(RoleName=role)["PolicyNames"]
        doc = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        assert doc == json.loads(change["requestParameters"]["policyDocument"])
        table = doc["Statement"][0]["Resource"][0]
        described = session.client("dynamodb").describe_table(TableName=table)["Table"]
        assert described["TableStatus"] == "ACTIVE" and described["GlobalSecondaryIndexes"]

    @pytest.mark.moto
    def test_role_policies_replay_like_moto(self, bundle: Bundle, moto_session: Callable[[str], Any]) -> None:
        """The same role and inline policies put into moto list and read back as replay answers them."""
        change = _change(bundle)
        role = change["requestParameters"]["roleName"]
        items = {(r["service"], r["type"]): [] for r in bundle.records("resources")}
        for r in bundle.records("resources"):
            items[(r["service"], r["type"])].append(r["item"])
        iam = moto_session("iam")
        trust = next(x for x in items[("iam", "Role")] if x["RoleName"] == role)["AssumeRolePolicyDocument"]
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
        for p in items[("iam", "RoleInlinePolicy")]:
            if p["RoleName"] == role:
                iam.put_role_policy(
                    RoleName=role, PolicyName=p["PolicyName"], PolicyDocument=json.dumps(p["PolicyDocument"])
                )
        session, _ = replay_session(bundle)
        ours = session.client("iam")
        assert (
            ours.list_role_policies(RoleName=role)["PolicyNames"]
            == iam.list_role_policies(RoleName=role)["PolicyNames"]
        )
        name = change["requestParameters"]["policyName"]
        assert (
            ours.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            == iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        )
        missing = "no-such-policy"
        for client in (ours, iam):
            with pytest.raises(client.exceptions.NoSuchEntityException):
                client.get_role_policy(RoleName=role, PolicyName=missing)


def to_ms(stamp: str) -> float:
    from evals.bundle.shapes import to_datetime

    return to_datetime(stamp).timestamp() * 1000
