"""Capture round trip for managed services against moto's server over real HTTP: seed them, capture,
write and load the bundle, replay it, and ask the same reads and tools live (moto) and replayed.
Secret values are seeded and must appear nowhere in the bundle."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from evals.bundle import Bundle
from evals.capture import capture
from evals.replay import replay_session
from tests.conftest import BASE_MANIFEST
from tests.tools.conftest import FAST
from tools.aws import AwsClients, CallBudget
from tools.registry import ToolContext
from tools.secrets import secret_details

pytestmark = pytest.mark.moto

WALL = datetime.now(UTC).replace(second=0, microsecond=0)
NOW = END = WALL + timedelta(minutes=5)
START = END - timedelta(minutes=30)
SECRET_VALUE = "pg-password-do-not-capture"


def _seed(client: Callable[[str], Any]) -> dict[str, str]:
    sm = client("secretsmanager")
    secret = sm.create_secret(Name="prod/orders-db", SecretString=SECRET_VALUE, Description="orders db")[
        "ARN"
    ]
    sm.put_secret_value(SecretId=secret, SecretString=SECRET_VALUE + "-next", VersionStages=["AWSPENDING"])
    return {"secret": secret}


@pytest.fixture(scope="module")
def world(_moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    endpoint = _moto_server
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200
    session = boto3.Session(
        region_name=BASE_MANIFEST["region"], aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    ids = _seed(lambda service: session.client(service, endpoint_url=endpoint))
    live = AwsClients(session, endpoint_url=endpoint, retry=FAST, budget=CallBudget(limit=300))
    captured = capture(
        live, start=START, end=END, now=NOW, alarm=None, resources=[ids["secret"]], title="managed services"
    )
    out = tmp_path_factory.mktemp("capture") / "bundle"
    captured.bundle.write(out)
    loaded = Bundle.load(out)
    replayed, _ = replay_session(loaded)
    return {
        "ids": ids,
        "path": out,
        "bundle": loaded,
        "live": ToolContext(aws=AwsClients(session, endpoint_url=endpoint, retry=FAST), now=NOW),
        "replayed": ToolContext(aws=AwsClients(replayed, retry=FAST), now=NOW),
        "moto": lambda service: session.client(service, endpoint_url=endpoint),
        "replay": replayed.client,
    }


def both(world: Any, tool: Any, args: dict[str, Any]) -> tuple[Any, Any]:
    live, replayed = tool.run(world["live"], args), tool.run(world["replayed"], args)
    assert live.status == replayed.status == "ok", (live.summary, replayed.summary)
    return live.data, replayed.data


def test_no_secret_value_is_captured(world: Any) -> None:
    text = "".join(p.read_text() for p in world["path"].rglob("*") if p.is_file())
    assert "prod/orders-db" in text and SECRET_VALUE not in text


def test_secrets_replay_as_moto_answers(world: Any) -> None:
    moto, replay, arn = world["moto"], world["replay"], world["ids"]["secret"]
    kinds = {(r["service"], r["type"]) for r in world["bundle"].records("resources")}
    assert {("secretsmanager", "SecretListEntry"), ("secretsmanager", "SecretVersion")} <= kinds
    live, again = (c("secretsmanager").describe_secret(SecretId=arn) for c in (moto, replay))
    for key in ("ARN", "Name", "Description", "VersionIdsToStages", "CreatedDate"):
        assert again[key] == live[key], key
    live_versions, versions = (
        c("secretsmanager").list_secret_version_ids(SecretId=arn, IncludeDeprecated=True)["Versions"]
        for c in (moto, replay)
    )
    # moto stamps a version's dates with the time of each ListSecretVersionIds call; ids and stages hold
    assert [(v["VersionId"], v["VersionStages"]) for v in versions] == [
        (v["VersionId"], v["VersionStages"]) for v in live_versions
    ]
    live_data, replayed = both(world, secret_details, {"secret": arn})
    assert replayed.model_dump(exclude={"versions"}) == live_data.model_dump(exclude={"versions"})
    assert [sorted(v.stages) for v in replayed.versions] == [["AWSCURRENT"], ["AWSPENDING"]]
    assert replayed.findings and "AWSPENDING but not AWSCURRENT" in replayed.findings[0]
