"""The replay hook: botocore still validates requests, responses must fit AWS's shapes, writes never pass."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from evals.replay import (
    AwsError,
    ReplayContext,
    ReplayError,
    ReplayRefused,
    ReplayShapeError,
    ReplayUnsupported,
    attach,
    registry,
    supported,
)
from tests.conftest import make_bundle


def test_a_read_is_answered_from_the_bundle_without_credentials(replay: Any) -> None:
    session, ctx = replay(account_id="210987654321")
    answer = session.client("sts").get_caller_identity()
    assert answer["Account"] == "210987654321"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert ctx.calls["sts:GetCallerIdentity"] == 1


def test_botocore_still_validates_requests(replay: Any) -> None:
    session, ctx = replay()
    with pytest.raises(ParamValidationError, match="logGroupName"):
        session.client("logs").describe_log_streams(logGroupName=42)
    assert sum(ctx.calls.values()) == 0


def test_writes_are_refused_before_any_handler(replay: Any) -> None:
    session, _ = replay()
    with pytest.raises(ReplayRefused, match=r"ec2:TerminateInstances.*read-only"):
        session.client("ec2").terminate_instances(InstanceIds=["i-0123456789abcdef0"])
    with pytest.raises(ReplayRefused, match="cloudwatch:PutMetricData"):
        session.client("cloudwatch").put_metric_data(
            Namespace="X", MetricData=[{"MetricName": "m", "Value": 1}]
        )


def test_unimplemented_reads_name_service_and_operation(replay: Any) -> None:
    session, _ = replay()
    with pytest.raises(ReplayUnsupported, match=r"replay does not support s3:ListBuckets"):
        session.client("s3").list_buckets()


def test_handler_errors_become_modelled_client_errors(replay: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
        raise AwsError("AccessDenied", "User is not authorized to perform: sts:GetSessionToken", 403)

    monkeypatch.setitem(registry._HANDLERS, ("sts", "GetSessionToken"), deny)
    session, _ = replay()
    with pytest.raises(ClientError) as err:
        session.client("sts").get_session_token()
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_responses_that_break_the_output_shape_are_caught(
    replay: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def sloppy(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Credentials": {"AccessKeyId": 5}, "Extra": True}

    monkeypatch.setitem(registry._HANDLERS, ("sts", "GetSessionToken"), sloppy)
    session, _ = replay()
    with pytest.raises(ReplayShapeError, match=r"sts:GetSessionToken.*(Extra|AccessKeyId)"):
        session.client("sts").get_session_token()


def test_only_clients_made_after_attach_replay_and_attach_is_once() -> None:
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    attach(session, make_bundle())
    assert session.client("sts").get_caller_identity()["Account"] == "123456789012"
    with pytest.raises(ReplayError, match="already attached"):
        attach(session, make_bundle())


def test_registering_a_write_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="not a read operation"):
        registry.operation("ec2", "RunInstances")


def test_pagination_tokens_are_bound_to_their_request() -> None:
    ctx = ReplayContext(make_bundle())
    items = list(range(7))
    first, token = ctx.page(items, None, 3, request={"q": 1})
    second, token2 = ctx.page(items, token, 3, request={"q": 1})
    third, token3 = ctx.page(items, token2, 3, request={"q": 1})
    assert (first, second, third, token3) == ([0, 1, 2], [3, 4, 5], [6], None)
    with pytest.raises(AwsError, match="does not belong"):
        ctx.page(items, token, 3, request={"q": 2})
    with pytest.raises(AwsError, match="not valid") as err:
        ctx.page(items, "garbage!", 3, request={"q": 1}, error_code="InvalidParameterValue")
    assert err.value.code == "InvalidParameterValue"


def test_supported_lists_registered_operations() -> None:
    assert ("sts", "GetCallerIdentity") in supported()
    assert all(registry.is_read_only(service, name) for service, name in supported())


def test_replay_sessions_share_service_models_and_client_classes_but_answer_their_own_bundle() -> None:
    from evals.replay import replay_session

    first, _ = replay_session(make_bundle({}, account_id="111111111111"))
    second, _ = replay_session(make_bundle({}, account_id="222222222222"))
    a, b = first.client("sts"), second.client("sts")
    assert type(a) is type(b) and a.meta.service_model is b.meta.service_model  # built once per process
    # Each client still carries its own session's handlers: it answers from its own bundle.
    assert a.get_caller_identity()["Account"] == "111111111111"
    assert b.get_caller_identity()["Account"] == "222222222222"
    # A session that does not replay (a live one) builds its own, as botocore does.
    live = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    assert type(live.client("sts")) is not type(a)
