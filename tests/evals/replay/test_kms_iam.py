"""KMS DescribeKey/ListAliases and IAM role lookups, cross-checked with moto."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import ReplayUnsupported, replay_session
from tests.conftest import make_bundle

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def r(service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"service": service, "type": type_, "item": item}


@pytest.fixture
def session(replay: Callable[..., Any]) -> Any:
    records = [
        r(
            "kms",
            "KeyMetadata",
            {
                "KeyId": KEY_ID,
                "Arn": KEY_ARN,
                "KeyState": "PendingDeletion",
                "Enabled": False,
                "CreationDate": "2024-01-01T00:00:00Z",
                "DeletionDate": "2024-05-08T00:00:00Z",
            },
        ),
        r("kms", "KeyMetadata", {"KeyId": "future-key", "CreationDate": "2024-05-01T07:00:00Z"}),
        r(
            "kms",
            "AliasListEntry",
            {
                "AliasName": "alias/orders",
                "AliasArn": "arn:aws:kms:us-east-1:123456789012:alias/orders",
                "TargetKeyId": KEY_ID,
            },
        ),
        r(
            "iam",
            "Role",
            {
                "RoleName": "api-task",
                "RoleId": "AROAEXAMPLEEXAMPLE1",
                "Arn": "arn:aws:iam::123456789012:role/api-task",
                "Path": "/",
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": json.dumps(POLICY),
            },
        ),
        r(
            "iam",
            "RoleInlinePolicy",
            {"RoleName": "api-task", "PolicyName": "read-bucket", "PolicyDocument": POLICY},
        ),
        r(
            "iam",
            "RoleInlinePolicy",
            {"RoleName": "api-task", "PolicyName": "kms", "PolicyDocument": json.dumps(POLICY)},
        ),
        r(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": "api-task",
                "PolicyName": "AmazonECSTaskExecutionRolePolicy",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            },
        ),
        r(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": "api-task",
                "PolicyName": "ReadOnlyAccess",
                "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            },
        ),
        r("iam", "RoleInlinePolicy", {"RoleName": "orphan", "PolicyName": "p", "PolicyDocument": POLICY}),
    ]
    sess, _ = replay({"resources": records})
    return sess


def test_describe_key_by_id_arn_and_alias(session: Any) -> None:
    kms = session.client("kms")
    for ref in (KEY_ID, KEY_ARN, "alias/orders", "arn:aws:kms:us-east-1:123456789012:alias/orders"):
        meta = kms.describe_key(KeyId=ref)["KeyMetadata"]
        assert (meta["KeyId"], meta["KeyState"]) == (KEY_ID, "PendingDeletion")
    assert meta["DeletionDate"].day == 8
    with pytest.raises(kms.exceptions.NotFoundException) as err:
        kms.describe_key(KeyId="alias/missing")
    assert (
        err.value.response["Error"]["Message"]
        == "Alias arn:aws:kms:us-east-1:123456789012:alias/missing is not found."
    )
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId="future-key")  # created after now
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=KEY_ARN)["Aliases"]] == ["alias/orders"]


def test_iam_role_and_policies(session: Any) -> None:
    iam = session.client("iam")
    role = iam.get_role(RoleName="api-task")["Role"]
    assert role["AssumeRolePolicyDocument"] == POLICY  # botocore decodes the URL-encoded JSON
    assert iam.get_role_policy(RoleName="api-task", PolicyName="read-bucket")["PolicyDocument"] == POLICY
    assert iam.get_role_policy(RoleName="api-task", PolicyName="kms")["PolicyDocument"] == POLICY
    assert iam.list_role_policies(RoleName="api-task")["PolicyNames"] == ["read-bucket", "kms"]
    page = iam.list_role_policies(RoleName="api-task", MaxItems=1)
    assert page["IsTruncated"] is True and page["PolicyNames"] == ["read-bucket"]
    rest = iam.list_role_policies(RoleName="api-task", MaxItems=1, Marker=page["Marker"])
    assert rest == {**rest, "PolicyNames": ["kms"], "IsTruncated": False}
    attached = iam.list_attached_role_policies(RoleName="api-task", PathPrefix="/service-role/")[
        "AttachedPolicies"
    ]
    assert [p["PolicyName"] for p in attached] == ["AmazonECSTaskExecutionRolePolicy"]
    assert len(iam.list_attached_role_policies(RoleName="api-task")["AttachedPolicies"]) == 2
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role_policy(RoleName="api-task", PolicyName="nope")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as err:
        iam.list_role_policies(RoleName="ghost")
    assert err.value.response["Error"]["Message"] == "The role with name ghost cannot be found."
    with pytest.raises(ReplayUnsupported):
        iam.get_role(RoleName="orphan")  # its policies are captured, the role itself is not


def test_matches_moto(moto_session: Callable[[str], Any]) -> None:
    kms, iam = moto_session("kms"), moto_session("iam")
    key = kms.create_key(Description="orders data")["KeyMetadata"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    iam.create_role(RoleName="api-task", AssumeRolePolicyDocument=json.dumps(POLICY))
    iam.put_role_policy(RoleName="api-task", PolicyName="read-bucket", PolicyDocument=json.dumps(POLICY))
    arn = iam.create_policy(PolicyName="logs", Path="/service-role/", PolicyDocument=json.dumps(POLICY))[
        "Policy"
    ]["Arn"]
    iam.attach_role_policy(RoleName="api-task", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="api-task")["AttachedPolicies"]
    inline = iam.get_role_policy(RoleName="api-task", PolicyName="read-bucket")
    aliases = [a for a in kms.list_aliases()["Aliases"] if a.get("TargetKeyId") == key["KeyId"]]
    records = [r("kms", "KeyMetadata", key)] + [r("kms", "AliasListEntry", a) for a in aliases]
    records.append(
        r("iam", "RoleInlinePolicy", {k: inline[k] for k in ("RoleName", "PolicyName", "PolicyDocument")})
    )
    records += [r("iam", "RoleAttachedPolicy", {"RoleName": "api-task", **p}) for p in attached]
    role = iam.get_role(RoleName="api-task")["Role"]
    # A bundle stores the trust policy as IAM sends it: a JSON string, not botocore's decoded dict.
    records.append(
        r("iam", "Role", {**role, "AssumeRolePolicyDocument": json.dumps(role["AssumeRolePolicyDocument"])})
    )
    # The bundle's clock must not precede moto's wall-clock key creation.
    session, _ = replay_session(
        make_bundle({"resources": records}, end="2100-01-01T00:00:00Z", now="2100-01-01T00:00:00Z")
    )
    ours_kms, ours_iam = session.client("kms"), session.client("iam")

    def body(resp: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}

    for ref in (key["KeyId"], key["Arn"], "alias/orders"):
        assert body(ours_kms.describe_key(KeyId=ref)) == body(kms.describe_key(KeyId=ref))
    assert body(ours_iam.get_role_policy(RoleName="api-task", PolicyName="read-bucket")) == body(inline)
    assert body(ours_iam.get_role(RoleName="api-task")) == body(iam.get_role(RoleName="api-task"))
    assert body(ours_iam.list_role_policies(RoleName="api-task")) == body(
        iam.list_role_policies(RoleName="api-task")
    )
    for kwargs in ({}, {"PathPrefix": "/service-role/"}, {"PathPrefix": "/other/"}):
        want = body(iam.list_attached_role_policies(RoleName="api-task", **kwargs))
        assert body(ours_iam.list_attached_role_policies(RoleName="api-task", **kwargs)) == want
    for call in (lambda c: c.describe_key(KeyId="alias/none"), lambda c: c.describe_key(KeyId=KEY_ID)):
        msgs = []
        for client in (kms, ours_kms):
            with pytest.raises(ClientError) as err:
                call(client)
            msgs.append((err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]))
        assert msgs[0] == msgs[1]
    for client in (iam, ours_iam):
        with pytest.raises(client.exceptions.NoSuchEntityException):
            client.get_role_policy(RoleName="api-task", PolicyName="absent")


def test_instance_profiles_match_moto(moto_session: Callable[[str], Any]) -> None:
    iam = moto_session("iam")
    iam.create_role(RoleName="web-ec2", AssumeRolePolicyDocument=json.dumps(POLICY))
    iam.create_instance_profile(InstanceProfileName="web-ec2")
    iam.add_role_to_instance_profile(InstanceProfileName="web-ec2", RoleName="web-ec2")
    profile = iam.get_instance_profile(InstanceProfileName="web-ec2")["InstanceProfile"]
    # A bundle stores each role's trust policy as IAM sends it: JSON text.
    stored = {
        **profile,
        "Roles": [
            {**role, "AssumeRolePolicyDocument": json.dumps(role["AssumeRolePolicyDocument"])}
            for role in profile["Roles"]
        ],
    }
    session, _ = replay_session(
        make_bundle(
            {"resources": [r("iam", "InstanceProfile", json.loads(json.dumps(stored, default=str)))]},
            end="2100-01-01T00:00:00Z",
            now="2100-01-01T00:00:00Z",
        )
    )
    ours = session.client("iam")
    again = ours.get_instance_profile(InstanceProfileName="web-ec2")["InstanceProfile"]
    assert {k: again[k] for k in ("InstanceProfileName", "Arn", "InstanceProfileId")} == {
        k: profile[k] for k in ("InstanceProfileName", "Arn", "InstanceProfileId")
    }
    assert [role["Arn"] for role in again["Roles"]] == [role["Arn"] for role in profile["Roles"]]
    for client in (iam, ours):
        with pytest.raises(client.exceptions.NoSuchEntityException):
            client.get_instance_profile(InstanceProfileName="absent")
    # a bundle that captured no instance profiles cannot say which role one holds
    empty, _ = replay_session(make_bundle({"resources": []}))
    with pytest.raises(ReplayUnsupported):
        empty.client("iam").get_instance_profile(InstanceProfileName="web-ec2")
