"""An instance acts as the role of its instance profile: the keys and secrets that role's policies name
are on the instance's path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evals.replay import replay_session
from tests.conftest import make_bundle
from tests.tools.test_resources import res
from tools.aws import AwsClients
from tools.registry import ToolContext
from tools.resources import describe_resources

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/6c73b997-d242-4b94-8263-53226085acf4"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/web-ec2"
PROFILE = f"arn:aws:iam::{ACCOUNT}:instance-profile/web-ec2"


def _records(with_profile: bool) -> list[dict[str, Any]]:
    records = [
        res(
            "ec2",
            "Instance",
            {
                "InstanceId": "i-0123456789abcdef0",
                "InstanceType": "m7g.large",
                "State": {"Code": 16, "Name": "running"},
                "IamInstanceProfile": {"Arn": PROFILE, "Id": "AIPAEXAMPLEEXAMPLE01"},
            },
        ),
        res(
            "iam",
            "Role",
            {
                "RoleName": "web-ec2",
                "RoleId": "AROAEXAMPLEEXAMPLE01",
                "Arn": ROLE,
                "Path": "/",
                "CreateDate": "2024-01-01T00:00:00Z",
            },
        ),
        res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": "web-ec2",
                "PolicyName": "app-secrets",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}],
                },
            },
        ),
    ]
    if with_profile:
        records.append(
            res(
                "iam",
                "InstanceProfile",
                {
                    "InstanceProfileName": "web-ec2",
                    "InstanceProfileId": "AIPAEXAMPLEEXAMPLE01",
                    "Arn": PROFILE,
                    "Path": "/",
                    "CreateDate": "2024-01-01T00:00:00Z",
                    "Roles": [
                        {
                            "RoleName": "web-ec2",
                            "RoleId": "AROAEXAMPLEEXAMPLE01",
                            "Arn": ROLE,
                            "Path": "/",
                            "CreateDate": "2024-01-01T00:00:00Z",
                        }
                    ],
                },
            )
        )
    return records


def _edges(with_profile: bool) -> set[tuple[str, str, str]]:
    session, _ = replay_session(make_bundle({"resources": _records(with_profile)}))
    ctx = ToolContext(aws=AwsClients(session), now=T0 + timedelta(hours=6))
    graph = describe_resources.run(ctx, {"refs": ["i-0123456789abcdef0"]}).data
    assert graph is not None
    return {(e.source, e.target, e.relation) for e in graph.edges}


def test_an_instance_assumes_its_profiles_role_and_reaches_what_the_role_may_use() -> None:
    edges = _edges(with_profile=True)
    assert ("i-0123456789abcdef0", ROLE, "assumes") in edges
    assert (ROLE, KEY, "may_use") in edges


def test_an_unreadable_profile_stands_for_the_role_of_its_name() -> None:
    # the bundle captured no instance profiles: the role named as the profile stands for it
    edges = _edges(with_profile=False)
    assert ("i-0123456789abcdef0", ROLE, "assumes") in edges


def test_no_role_is_made_up_for_a_profile_nobody_can_read() -> None:
    session, _ = replay_session(make_bundle({"resources": _records(with_profile=False)[:1]}))
    ctx = ToolContext(aws=AwsClients(session), now=T0 + timedelta(hours=6))
    graph = describe_resources.run(ctx, {"refs": ["i-0123456789abcdef0"]}).data
    assert graph is not None
    assert not [e for e in graph.edges if e.relation == "assumes"]
    assert "i-0123456789abcdef0" in {n.id for n in graph.nodes}
