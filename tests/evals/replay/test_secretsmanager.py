"""Secrets Manager replay: secret metadata, version stages, pages and not-found as AWS words them;
GetSecretValue (the value) never reaches a handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import replay_session
from evals.replay.errors import ReplayRefused, ReplayUnsupported
from tests.conftest import make_bundle
from tools.aws import AwsClients
from tools.errors import ReadOnlyViolation

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret"
ROTATOR = "arn:aws:lambda:us-east-1:123456789012:function:rotate-orders-db"
V_OLD, V_CUR, V_PEND = ("11111111-aaaa", "22222222-bbbb", "33333333-cccc")


def secret(name: str, **fields: Any) -> dict[str, Any]:
    item = {"ARN": f"{SECRET}:{name}-AbC123", "Name": name, "CreatedDate": "2024-04-01T00:00:00Z", **fields}
    return {"service": "secretsmanager", "type": "SecretListEntry", "item": item}


def version(name: str, vid: str, stages: list[str], created: str) -> dict[str, Any]:
    item = {
        "SecretId": f"{SECRET}:{name}-AbC123",
        "VersionId": vid,
        "VersionStages": stages,
        "CreatedDate": created,
    }
    return {"service": "secretsmanager", "type": "SecretVersion", "item": item}


RECORDS = [
    secret(
        "prod/orders-db",
        RotationEnabled=True,
        RotationLambdaARN=ROTATOR,
        RotationRules={"AutomaticallyAfterDays": 30},
        LastRotatedDate="2024-05-01T05:02:00Z",
        NextRotationDate="2024-05-31T05:02:00Z",
        OwningService="rds",
        Tags=[
            {"Key": "team", "Value": "orders"},
            {
                "Key": "aws:rds:primaryDBInstanceArn",
                "Value": "arn:aws:rds:us-east-1:123456789012:db:orders-db",
            },
        ],
    ),
    version("prod/orders-db", V_OLD, [], "2024-03-01T00:00:00Z"),
    version("prod/orders-db", V_CUR, ["AWSCURRENT"], "2024-04-01T00:00:00Z"),
    version("prod/orders-db", V_PEND, ["AWSPENDING"], "2024-05-01T05:02:00Z"),
    secret("prod/api-key", Description="Partner API key", SecretVersionsToStages={V_CUR: ["AWSCURRENT"]}),
    secret("old/thing", DeletedDate="2024-04-20T00:00:00Z"),
    secret("future", CreatedDate="2024-05-02T00:00:00Z"),  # after the bundle's now: does not exist yet
]


@pytest.fixture
def sm(replay: Callable[..., Any]) -> Any:
    session, _ = replay({"resources": RECORDS})
    return session.client("secretsmanager")


def test_describe_secret_by_name_arn_and_partial_arn(sm: Any) -> None:
    for ref in ("prod/orders-db", f"{SECRET}:prod/orders-db-AbC123", f"{SECRET}:prod/orders-db"):
        s = sm.describe_secret(SecretId=ref)
        assert s["Name"] == "prod/orders-db"
        assert (s["RotationEnabled"], s["RotationLambdaARN"], s["RotationRules"]) == (
            True,
            ROTATOR,
            {"AutomaticallyAfterDays": 30},
        )
        assert s["LastRotatedDate"] == datetime(2024, 5, 1, 5, 2, tzinfo=UTC)
        # the stages come from the version items; a version with no stage is not listed here
        assert s["VersionIdsToStages"] == {V_CUR: ["AWSCURRENT"], V_PEND: ["AWSPENDING"]}
    assert sm.describe_secret(SecretId="prod/api-key")["VersionIdsToStages"] == {V_CUR: ["AWSCURRENT"]}
    for missing in ("nope", "future", f"{SECRET}:prod/orders-db-XyZ999"):
        with pytest.raises(sm.exceptions.ResourceNotFoundException) as err:
            sm.describe_secret(SecretId=missing)
        assert err.value.response["Error"]["Message"] == "Secrets Manager can't find the specified secret."


def test_list_secrets_leaves_out_deleted_and_filters_by_prefix(sm: Any) -> None:
    names = [s["Name"] for s in sm.list_secrets()["SecretList"]]
    assert names == ["prod/orders-db", "prod/api-key"]
    with_deleted = sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    assert [s["Name"] for s in with_deleted] == ["prod/orders-db", "prod/api-key", "old/thing"]
    listed = sm.list_secrets()["SecretList"][0]
    assert listed["SecretVersionsToStages"] == {V_CUR: ["AWSCURRENT"], V_PEND: ["AWSPENDING"]}

    def named(*filters: dict[str, Any]) -> list[str]:
        return [s["Name"] for s in sm.list_secrets(Filters=list(filters))["SecretList"]]

    assert named({"Key": "name", "Values": ["prod/o"]}) == ["prod/orders-db"]
    assert named({"Key": "name", "Values": ["Prod/"]}) == []  # name: case-sensitive
    assert named({"Key": "description", "Values": ["partner"]}) == ["prod/api-key"]  # not case-sensitive
    assert named({"Key": "tag-key", "Values": ["!team"]}) == ["prod/api-key"]
    assert named({"Key": "owning-service", "Values": ["rds"]}, {"Key": "name", "Values": ["prod"]}) == [
        "prod/orders-db"
    ]
    with pytest.raises(ReplayUnsupported, match="filter key 'all'"):
        sm.list_secrets(Filters=[{"Key": "all", "Values": ["orders"]}])


def test_version_ids_and_pages(sm: Any, replay: Callable[..., Any]) -> None:
    listed = sm.list_secret_version_ids(SecretId="prod/orders-db")
    assert (listed["Name"], listed["ARN"]) == ("prod/orders-db", f"{SECRET}:prod/orders-db-AbC123")
    assert [v["VersionId"] for v in listed["Versions"]] == [V_CUR, V_PEND]
    every = sm.list_secret_version_ids(SecretId="prod/orders-db", IncludeDeprecated=True)["Versions"]
    assert [(v["VersionId"], v["VersionStages"]) for v in every] == [
        (V_OLD, []),
        (V_CUR, ["AWSCURRENT"]),
        (V_PEND, ["AWSPENDING"]),
    ]
    first = sm.list_secret_version_ids(SecretId="prod/orders-db", IncludeDeprecated=True, MaxResults=2)
    assert len(first["Versions"]) == 2
    second = sm.list_secret_version_ids(
        SecretId="prod/orders-db", IncludeDeprecated=True, MaxResults=2, NextToken=first["NextToken"]
    )
    assert [v["VersionId"] for v in second["Versions"]] == [V_PEND] and "NextToken" not in second
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.list_secret_version_ids(SecretId="nope")
    session, _ = replay({"resources": [secret(f"s{i:03}") for i in range(130)]})
    client = session.client("secretsmanager")
    page = client.list_secrets()
    assert len(page["SecretList"]) == 100
    rest = client.list_secrets(NextToken=page["NextToken"])
    assert len(rest["SecretList"]) == 30 and "NextToken" not in rest
    with pytest.raises(ClientError) as err:  # a token belongs to the request that made it
        client.list_secrets(NextToken=page["NextToken"], Filters=[{"Key": "name", "Values": ["s"]}])
    assert err.value.response["Error"]["Code"] == "InvalidNextTokenException"


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("get_secret_value", {"SecretId": "prod/orders-db"}),
        ("batch_get_secret_value", {"SecretIdList": ["prod/orders-db"]}),
        ("rotate_secret", {"SecretId": "prod/orders-db"}),
        ("put_secret_value", {"SecretId": "prod/orders-db", "SecretString": "x"}),
        ("update_secret_version_stage", {"SecretId": "prod/orders-db", "VersionStage": "AWSCURRENT"}),
    ],
)
def test_values_and_changes_are_refused_before_the_wire(method: str, params: dict[str, Any]) -> None:
    session, ctx = replay_session(make_bundle({"resources": RECORDS}))
    with pytest.raises(ReadOnlyViolation):
        getattr(AwsClients(session).client("secretsmanager"), method)(**params)
    if method.startswith(("get_", "batch_get_")):
        # a read by name, but of the value: the allow-list, not replay's verb check, keeps it out
        with pytest.raises(ReplayUnsupported):
            getattr(session.client("secretsmanager"), method)(**params)
    else:
        with pytest.raises(ReplayRefused):
            getattr(session.client("secretsmanager"), method)(**params)
    assert sum(ctx.calls.values()) == 0


@pytest.mark.moto
def test_replay_answers_as_moto_does(moto_session: Callable[[str], Any]) -> None:
    live = moto_session("secretsmanager")
    arn = live.create_secret(Name="prod/orders-db", SecretString="s3cr3t-value", Description="orders")["ARN"]
    live.put_secret_value(SecretId=arn, SecretString="next-value", VersionStages=["AWSPENDING"])
    records: list[dict[str, Any]] = []
    for s in live.list_secrets()["SecretList"]:
        records.append({"service": "secretsmanager", "type": "SecretListEntry", "item": s})
        for v in live.list_secret_version_ids(SecretId=s["ARN"], IncludeDeprecated=True)["Versions"]:
            records.append(
                {"service": "secretsmanager", "type": "SecretVersion", "item": {"SecretId": s["ARN"], **v}}
            )
    records = [_json(r) for r in records]
    now = datetime.now(UTC).isoformat()
    session, _ = replay_session(make_bundle({"resources": records}, now=now, end=now))
    replayed = session.client("secretsmanager")
    for method, params, keys in (
        (
            "describe_secret",
            {"SecretId": "prod/orders-db"},
            ("ARN", "Name", "Description", "VersionIdsToStages"),
        ),
        # moto answers ListSecretVersionIds' ARN with the secret's name; AWS (and replay) give the ARN
        ("list_secret_version_ids", {"SecretId": arn}, ("Name", "Versions")),
        ("list_secrets", {}, ("SecretList",)),
    ):
        again, answered = getattr(replayed, method)(**params), getattr(live, method)(**params)
        for key in keys:
            if key == "Versions":  # moto stamps each version's dates with the time of the call
                recorded = [r["item"] for r in records if r["type"] == "SecretVersion"]
                assert [_json({"item": v})["item"]["CreatedDate"] for v in again[key]] == [
                    v["CreatedDate"] for v in recorded
                ]
                again[key], answered[key] = _undated(again[key]), _undated(answered[key])
            assert again[key] == answered[key], (method, key)
    assert replayed.list_secret_version_ids(SecretId=arn)["ARN"] == arn
    for client in (live, replayed):
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_secret(SecretId="nope")


def _undated(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in version.items() if not k.endswith("Date")} for version in versions]


def _json(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a bundle file holds it (timestamps as ISO text)."""

    def plain(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v

    return plain(record)  # type: ignore[no-any-return]
