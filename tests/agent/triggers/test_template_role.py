"""The template's role, exercised with moto enforcing exactly its actions: runs, joins, queues, drains."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from agent.triggers.dedupe import DedupePolicy
from agent.triggers.dynamodb_store import DynamoDBStore, create_table
from agent.triggers.runner import TriggerConfig, handle_and_drain
from tests.agent.triggers.conftest import FakeInvestigator, alarm_event
from tests.agent.triggers.test_template import TEMPLATE, _CfnLoader

ACCOUNT = "123456789012"
TABLE = "sleuth-dedupe"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _resolve(value: Any) -> Any:
    """The template's references as the deployed stack would have them."""
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if isinstance(value, dict):
        if value.get("Fn::GetAtt") == ["DedupeTable", "Arn"]:
            return f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{TABLE}"
        if value.get("Ref") == "ReportTopic":
            return f"arn:aws:sns:us-east-1:{ACCOUNT}:sleuth-reports"
        if "Fn::Sub" in value:
            return value["Fn::Sub"].replace("${ReportBucket.Arn}", "arn:aws:s3:::sleuth-reports")
        return {k: _resolve(v) for k, v in value.items()}
    return value


def _auth(endpoint: str, count: str) -> None:
    req = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200


@pytest.fixture
def role_session(moto_endpoint: str) -> Iterator[boto3.Session]:
    """A session holding exactly the template role's policies (as an IAM user's), IAM enforced."""
    import yaml

    template = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)
    admin = boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    create_table(admin.client("dynamodb", endpoint_url=moto_endpoint), TABLE)
    iam = admin.client("iam", endpoint_url=moto_endpoint)
    iam.create_user(UserName="sleuth")
    role = template["Resources"]["InvestigatorRole"]["Properties"]
    for policy in role["Policies"]:
        # moto's DynamoDB authorizer asks about resource "*", so it enforces actions, not ARNs; the ARN
        # scoping is test_template.py's (every write statement is scoped to its own resource).
        statements = [{**st, "Resource": "*"} for st in _resolve(policy["PolicyDocument"]["Statement"])]
        document = {"Version": "2012-10-17", "Statement": statements}
        iam.put_user_policy(
            UserName="sleuth", PolicyName=policy["PolicyName"], PolicyDocument=json.dumps(document)
        )
    key = iam.create_access_key(UserName="sleuth")["AccessKey"]
    _auth(moto_endpoint, "0")
    try:
        yield boto3.Session(
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
    finally:
        _auth(moto_endpoint, "inf")


def _event(name: str, instance: str, at: datetime) -> dict[str, Any]:
    return alarm_event(name, {"InstanceId": instance}, at)


@pytest.mark.moto
def test_template_role_runs_joins_queues_and_drains(role_session: boto3.Session, moto_endpoint: str) -> None:
    store = DynamoDBStore(
        role_session.client("dynamodb", endpoint_url=moto_endpoint),
        TABLE,
        DedupePolicy(cap=1, cap_window_minutes=15),
    )
    investigator = FakeInvestigator()
    clock = [T0]
    run = lambda event: handle_and_drain(event, investigator, store, clock=lambda: clock[0])  # noqa: E731
    assert run(_event("cpu-a", "i-0000000000000000a", T0))["status"] == "investigated"
    assert run(_event("cpu-a2", "i-0000000000000000a", T0 + timedelta(minutes=1)))["status"] == "joined"
    queued = run(_event("cpu-b", "i-0000000000000000b", T0 + timedelta(minutes=2)))
    assert queued["status"] == "queued"  # the cap window is full; the drain (a Scan) found no room
    clock[0] = T0 + timedelta(minutes=16)
    drained = handle_and_drain({"sleuth": "drain"}, investigator, store, clock=lambda: clock[0])
    assert [r["status"] for r in drained["queued_run"]] == ["investigated"]
    assert sorted(i.status for i in store.investigations()) == ["done", "done"]
    bad = run({"detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch", "detail": None})
    assert bad["status"] == "unprocessed" and len(store.unprocessed()) == 1


@pytest.mark.moto
def test_old_timestamps_do_not_slip_past_the_cap(role_session: boto3.Session, moto_endpoint: str) -> None:
    store = DynamoDBStore(
        role_session.client("dynamodb", endpoint_url=moto_endpoint),
        TABLE,
        DedupePolicy(cap=2, cap_window_minutes=15),
    )
    investigator = FakeInvestigator()
    now = T0 + timedelta(days=1)
    statuses = [
        handle_and_drain(
            _event(f"cpu-{i}", f"i-{i:017x}", T0 - timedelta(hours=i)), investigator, store, clock=lambda: now
        )["status"]
        for i in range(6)
    ]
    assert statuses.count("investigated") == 2 and statuses.count("queued") == 4


@pytest.mark.moto
def test_a_storm_queue_is_cleared_within_the_configured_time(
    role_session: boto3.Session, moto_endpoint: str
) -> None:
    store = DynamoDBStore(
        role_session.client("dynamodb", endpoint_url=moto_endpoint),
        TABLE,
        DedupePolicy(cap=1, cap_window_minutes=15),
    )
    investigator = FakeInvestigator()
    config = TriggerConfig(queue_max_minutes=60)
    for i in range(4):
        handle_and_drain(
            _event(f"cpu-{i}", f"i-{i:017x}", T0), investigator, store, config=config, clock=lambda: T0
        )
    later = T0 + timedelta(minutes=61)
    handle_and_drain({"sleuth": "drain"}, investigator, store, config=config, clock=lambda: later)
    assert [i.status for i in store.investigations() if i.status == "queued"] == []
    expired = [i for i in store.investigations() if "expired" in str(i.result.get("error", ""))]
    assert len(expired) == 3
