"""Lambda replay: configurations by name/ARN/qualifier, listing with markers, reserved concurrency."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from evals.replay import ReplayUnsupported, replay_session
from tests.conftest import make_bundle

ARN = "arn:aws:lambda:us-east-1:123456789012:function"


def fn(name: str, version: str = "$LATEST", memory: int = 128) -> dict[str, Any]:
    return {
        "service": "lambda",
        "type": "FunctionConfiguration",
        "item": {
            "FunctionName": name,
            "FunctionArn": f"{ARN}:{name}" + ("" if version == "$LATEST" else f":{version}"),
            "Runtime": "python3.12",
            "MemorySize": memory,
            "Timeout": 30,
            "Version": version,
            "LastModified": "2024-05-01T04:00:00.000+0000",
        },
    }


@pytest.fixture
def lam(replay: Callable[..., Any]) -> Any:
    records = [fn("checkout", memory=512), fn("checkout", "3", memory=256), fn("payments"), fn("emails")]
    records.append(
        {
            "service": "lambda",
            "type": "FunctionConcurrency",
            "item": {"FunctionName": "payments", "ReservedConcurrentExecutions": 0},
        }
    )
    session, _ = replay({"resources": records})
    return session.client("lambda")


def test_get_configuration_by_name_arn_and_version(lam: Any) -> None:
    assert lam.get_function_configuration(FunctionName="checkout")["MemorySize"] == 512
    assert lam.get_function_configuration(FunctionName=f"{ARN}:checkout")["MemorySize"] == 512
    assert lam.get_function_configuration(FunctionName="123456789012:function:checkout")["MemorySize"] == 512
    assert lam.get_function_configuration(FunctionName="checkout", Qualifier="3")["MemorySize"] == 256
    assert lam.get_function_configuration(FunctionName=f"{ARN}:checkout:3")["Version"] == "3"
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as err:
        lam.get_function_configuration(FunctionName="checkout", Qualifier="7")
    assert err.value.response["Error"]["Message"] == f"Function not found: {ARN}:checkout:7"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_configuration(FunctionName="nope")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_configuration(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:checkout")
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.get_function_configuration(FunctionName="checkout:3", Qualifier="4")
    with pytest.raises(ReplayUnsupported):
        lam.get_function_configuration(FunctionName="checkout", Qualifier="live")


def test_list_functions_latest_only_and_paged(lam: Any) -> None:
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == [
        "checkout",
        "payments",
        "emails",
    ]
    every = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [(f["FunctionName"], f["Version"]) for f in every][:2] == [
        ("checkout", "$LATEST"),
        ("checkout", "3"),
    ]
    first = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["checkout", "payments"]
    second = lam.list_functions(MaxItems=2, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in second["Functions"]] == ["emails"] and "NextMarker" not in second
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.list_functions(Marker="garbage")


def test_list_functions_caps_pages_at_50(replay: Callable[..., Any]) -> None:
    session, _ = replay({"resources": [fn(f"f{i:03d}") for i in range(60)]})
    page = session.client("lambda").list_functions(MaxItems=1000)
    assert len(page["Functions"]) == 50 and "NextMarker" in page


def test_concurrency(lam: Any) -> None:
    # Reserved concurrency 0 is a throttle-everything switch: it must come back as 0, not as absent.
    assert lam.get_function_concurrency(FunctionName="payments")["ReservedConcurrentExecutions"] == 0
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=f"{ARN}:checkout")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_concurrency(FunctionName="ghost")


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


def test_matches_moto(moto_session: Callable[[str], Any]) -> None:
    iam, moto = moto_session("iam"), moto_session("lambda")
    role = iam.create_role(
        RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )
    for name, memory in (("checkout", 512), ("payments", 256), ("emails", 128)):
        moto.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="app.handler",
            Code={"ZipFile": _zip()},
            MemorySize=memory,
            Timeout=30,
        )
    captured = moto.list_functions()["Functions"]
    session, _ = replay_session(
        make_bundle(
            {
                "resources": [
                    {"service": "lambda", "type": "FunctionConfiguration", "item": f} for f in captured
                ]
            }
        )
    )
    ours = session.client("lambda")
    for ref in ("checkout", f"{ARN}:payments"):
        want = {
            k: v
            for k, v in moto.get_function_configuration(FunctionName=ref).items()
            if k != "ResponseMetadata"
        }
        got = {
            k: v
            for k, v in ours.get_function_configuration(FunctionName=ref).items()
            if k != "ResponseMetadata"
        }
        assert got == want
    assert ours.list_functions()["Functions"] == moto.list_functions()["Functions"]
    codes = []
    for client in (moto, ours):
        with pytest.raises(ClientError) as err:
            client.get_function_configuration(FunctionName="ghost")
        codes.append((err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]))
    assert codes[0] == codes[1]
