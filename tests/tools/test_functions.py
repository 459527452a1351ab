"""Lambda tool over a replayed bundle, and against moto for the wire contract."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from tests.tools.test_state import deny
from tools.functions import lambda_config
from tools.result import ToolStatus

FN = {
    "FunctionName": "orders",
    "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:orders",
    "Runtime": "python3.12",
    "Handler": "app.handler",
    "MemorySize": 512,
    "Timeout": 30,
    "Role": "arn:aws:iam::123456789012:role/orders",
    "LastModified": "2024-05-01T05:12:00.000+0000",
    "State": "Active",
    "LastUpdateStatus": "Successful",
    "Environment": {"Variables": {"DB_PASSWORD": "s3cret", "TABLE": "orders"}},
    "VpcConfig": {
        "SubnetIds": ["subnet-0a1b2c3d"],
        "SecurityGroupIds": ["sg-0a1b2c3d"],
        "VpcId": "vpc-0a1b2c3d",
    },
}


def test_lambda_config_with_zero_reserved_concurrency(tool_ctx: Any) -> None:
    ctx = tool_ctx(
        {
            "resources": [
                {"service": "lambda", "type": "FunctionConfiguration", "item": FN},
                {
                    "service": "lambda",
                    "type": "FunctionConcurrency",
                    "item": {"FunctionName": "orders", "ReservedConcurrentExecutions": 0},
                },
            ]
        }
    )
    res = lambda_config.run(ctx, {"function": "orders", "recent_hours": 2})
    assert res.status is ToolStatus.OK, res.summary
    data = res.data
    assert data is not None
    assert data.reserved_concurrency == 0
    assert data.changed_recently  # 05:12 is 48 minutes before now
    assert data.env_var_names == ["DB_PASSWORD", "TABLE"]
    assert "s3cret" not in res.model_dump_json()
    assert data.vpc_subnets == ["subnet-0a1b2c3d"]
    assert "THROTTLED" in res.summary and "RECENT CHANGE" in res.summary
    older = lambda_config.run(ctx, {"function": FN["FunctionArn"], "recent_hours": 0.5})
    assert older.data is not None and not older.data.changed_recently


def test_lambda_unreserved_missing_and_denied(tool_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = tool_ctx({"resources": [{"service": "lambda", "type": "FunctionConfiguration", "item": FN}]})
    res = lambda_config.run(ctx, {"function": "orders"})
    assert res.data is not None and res.data.reserved_concurrency is None
    assert "unreserved concurrency" in res.summary
    missing = lambda_config.run(ctx, {"function": "nope"})
    assert missing.status is ToolStatus.NO_DATA and missing.error_code == "ResourceNotFoundException"
    deny(monkeypatch, "lambda", "GetFunctionConcurrency")
    assert lambda_config.run(ctx, {"function": "orders"}).status is ToolStatus.DENIED


@pytest.mark.moto
def test_lambda_config_matches_moto(moto_tool_ctx: Any, tool_ctx: Any) -> None:
    session = moto_tool_ctx.aws.session
    iam = session.client("iam", endpoint_url=moto_tool_ctx.aws.endpoint_url)
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = session.client("lambda", endpoint_url=moto_tool_ctx.aws.endpoint_url)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    lam.create_function(
        FunctionName="orders",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buf.getvalue()},
        MemorySize=256,
        Timeout=9,
        Environment={"Variables": {"A": "1"}},
    )
    lam.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=5)
    live = lambda_config.run(moto_tool_ctx, {"function": "orders"})
    assert live.status is ToolStatus.OK, live.summary
    # Capture what moto answered into a bundle and ask the same question of replay.
    cfg = lam.get_function_configuration(FunctionName="orders")
    cfg.pop("ResponseMetadata")
    captured = tool_ctx(
        {
            "resources": [
                {"service": "lambda", "type": "FunctionConfiguration", "item": cfg},
                {
                    "service": "lambda",
                    "type": "FunctionConcurrency",
                    "item": {"FunctionName": "orders", "ReservedConcurrentExecutions": 5},
                },
            ]
        }
    )
    replayed = lambda_config.run(captured, {"function": "orders"})
    assert live.data is not None and replayed.data is not None
    keep = {"changed_recently"}  # depends on each side's clock
    assert live.data.model_dump(exclude=keep) == replayed.data.model_dump(exclude=keep)
    assert (live.data.memory_mb, live.data.timeout_s, live.data.reserved_concurrency) == (256, 9, 5)


def _init_start(minute: int, version: str, arn_hex: str) -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    at = datetime(2024, 5, 1, 0, 0, tzinfo=UTC) + timedelta(minutes=minute)
    return {
        "log_group": "/aws/lambda/orders",
        "log_stream": f"2024/05/01/[$LATEST]{minute:032x}",
        "timestamp": int(at.timestamp() * 1000),
        "message": f"INIT_START Runtime Version: {version}\tRuntime Version ARN: "
        f"arn:aws:lambda:us-east-1::runtime:{arn_hex}\n",
    }


def test_runtime_versions_are_read_from_init_start_lines(tool_ctx: Any) -> None:
    """AWS moves a function to a new runtime version itself (runtime management Auto) and says so only
    in INIT_START lines: the versions its environments started on, each first and last seen."""
    from tools.functions import runtime_versions

    old, new = "f85a" * 16, "ad48" * 16
    lines = [_init_start(m, "python:3.11.v38", old) for m in range(0, 200, 20)]
    lines += [_init_start(m, "python:3.11.v39", new) for m in range(250, 330, 10)]
    lines += [
        {
            **lines[0],
            "message": "START RequestId: 1f3c Version: $LATEST\n",
            "timestamp": lines[0]["timestamp"] + 9,
        }
    ]
    ctx = tool_ctx({"logs": lines})
    res = runtime_versions.run(
        ctx, {"function": "orders", "start": "2024-05-01T04:00:00Z", "end": "2024-05-01T06:00:00Z"}
    )
    assert res.status is ToolStatus.OK, res.summary
    assert res.data is not None
    got = [
        (v.version, v.arn.rsplit(":", 1)[1], v.inits, f"{v.first:%H:%M}", f"{v.last:%H:%M}")
        for v in res.data.versions
    ]
    assert got == [
        ("python:3.11.v38", old, 10, "00:00", "03:00"),
        ("python:3.11.v39", new, 8, "04:10", "05:20"),
    ]
    assert "python:3.11.v38 x10" in res.summary
    # A function that logged no INIT_START (or whose log group is empty) has nothing to say.
    quiet = runtime_versions.run(
        tool_ctx({"logs": lines[-1:]}),
        {"function": "orders", "start": "2024-05-01T04:00:00Z", "end": "2024-05-01T06:00:00Z"},
    )
    assert quiet.data is not None and quiet.data.versions == [] and quiet.data.is_empty()
    # A window that ends before it starts is refused before any query, and says why.
    backwards = runtime_versions.run(
        ctx, {"function": "orders", "start": "2024-05-01T06:00:00Z", "end": "2024-05-01T04:00:00Z"}
    )
    assert (backwards.status, backwards.error_code) == (ToolStatus.ERROR, "usage")
    assert "is not before end" in backwards.summary
