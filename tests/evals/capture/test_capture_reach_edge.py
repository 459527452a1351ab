"""Capture round trip through moto for capacity and edge services: seed scaling configuration, APIs, and
a load balancer whose HTTPS listener presents an imported certificate, capture, write and load the
bundle, and ask the same tools live (moto) and replayed. moto has no Application Auto Scaling DescribeScalingActivities:
that read is a gap in the capture and in the live answer, and the rest must still agree."""

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
from tests.evals.replay.test_acm import self_signed
from tests.tools.conftest import FAST
from tools.apis import api_details
from tools.aws import AwsClients, CallBudget
from tools.certificates import certificates
from tools.registry import ToolContext
from tools.resources import describe_resources
from tools.scaling import scaling_config

pytestmark = pytest.mark.moto

NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
START = NOW - timedelta(minutes=30)


def _seed(client: Callable[[str], Any]) -> None:
    client("dynamodb").create_table(
        TableName="ledger",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    aas = client("application-autoscaling")
    scope = {
        "ServiceNamespace": "dynamodb",
        "ResourceId": "table/ledger",
        "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
    }
    aas.register_scalable_target(
        **scope, MinCapacity=5, MaxCapacity=40, RoleARN="arn:aws:iam::123456789012:role/scaling"
    )
    aas.put_scaling_policy(
        PolicyName="writes70",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
        },
        **scope,
    )
    aas.put_scheduled_action(
        ScheduledActionName="night",
        Schedule="cron(0 22 * * ? *)",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 5},
        **scope,
    )
    ec2 = client("ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    asg = client("autoscaling")
    asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=image, InstanceType="t3.small")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="batch-asg",
        LaunchConfigurationName="lc",
        MinSize=0,
        MaxSize=4,
        AvailabilityZones=["us-east-1a"],
    )
    gateway = client("apigateway")
    api = gateway.create_rest_api(name="ledger-api")["id"]
    root = gateway.get_resources(restApiId=api)["items"][0]["id"]
    child = gateway.create_resource(restApiId=api, parentId=root, pathPart="entries")["id"]
    gateway.put_method(restApiId=api, resourceId=child, httpMethod="POST", authorizationType="NONE")
    gateway.put_integration(
        restApiId=api,
        resourceId=child,
        httpMethod="POST",
        type="HTTP_PROXY",
        integrationHttpMethod="POST",
        uri="https://ledger.internal.example.com/entries",
        timeoutInMillis=3000,
    )
    gateway.create_deployment(restApiId=api, stageName="prod")
    gateway.create_usage_plan(
        name="partners",
        apiStages=[{"apiId": api, "stage": "prod"}],
        throttle={"rateLimit": 5.0, "burstLimit": 10},
    )
    gateway.create_api_key(name="partner-key", enabled=True, value="partner-key-secret-value-0123456789")
    v2 = client("apigatewayv2")
    http = v2.create_api(Name="ledger-http", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(
        ApiId=http, IntegrationType="HTTP_PROXY", IntegrationUri="https://ledger.internal.example.com",
        IntegrationMethod="ANY", PayloadFormatVersion="1.0", TimeoutInMillis=8000,
    )["IntegrationId"]  # fmt: skip
    v2.create_route(ApiId=http, RouteKey="GET /entries", Target=f"integrations/{integration}")
    v2.create_stage(ApiId=http, StageName="$default", StageVariables={"token": "stage-secret"})
    asg.put_scheduled_update_group_action(
        AutoScalingGroupName="batch-asg",
        ScheduledActionName="evening",
        Recurrence="0 18 * * *",
        MinSize=0,
        MaxSize=1,
        DesiredCapacity=0,
    )
    body, key = self_signed("ledger.example.org", 20)
    cert = client("acm").import_certificate(Certificate=body, PrivateKey=key)["CertificateArn"]
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    elb = client("elbv2")
    lb = elb.create_load_balancer(Name="ledger-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}],
    )


@pytest.fixture(scope="module")
def world(_moto_server: str) -> Any:
    # Read the clock when moto is seeded, not at import: in a loaded parallel run the module is imported
    # minutes earlier, and what the seed creates would be 'created after now' and absent from replay.
    global NOW, START
    NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    START = NOW - timedelta(minutes=30)
    request = urllib.request.Request(f"{_moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200
    session = boto3.Session(
        region_name=BASE_MANIFEST["region"], aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    _seed(lambda service: session.client(service, endpoint_url=_moto_server))
    live = AwsClients(session, endpoint_url=_moto_server, retry=FAST, budget=CallBudget(limit=300))
    captured = capture(
        live,
        start=START,
        end=NOW,
        now=NOW,
        alarm=None,
        resources=["ledger", "batch-asg", "ledger-api", "ledger-http", "ledger-alb"],
        title="edge",
    )
    return {
        "captured": captured,
        "live": ToolContext(aws=AwsClients(session, endpoint_url=_moto_server, retry=FAST), now=NOW),
        "write": captured.bundle.write,
    }


def _replayed(world: Any, tmp_path: Any) -> ToolContext:
    world["write"](tmp_path / "bundle")
    session, _ = replay_session(Bundle.load(tmp_path / "bundle"))
    return ToolContext(aws=AwsClients(session, retry=FAST), now=NOW)


def test_scaling_configuration_round_trips(world: Any, tmp_path: Any) -> None:
    replayed = _replayed(world, tmp_path)
    gaps = {g.operation for g in world["captured"].report.gaps}
    assert "application-autoscaling:DescribeScalingActivities" in gaps  # moto has no such read
    for resource in ("table/ledger", "batch-asg"):
        live = scaling_config.run(world["live"], {"resource": resource})
        again = scaling_config.run(replayed, {"resource": resource})
        assert live.status == again.status == "ok", (live.summary, again.summary)
        for field in ("targets", "policies", "scheduled"):
            assert getattr(again.data, field) == getattr(live.data, field), (resource, field)
    table = scaling_config.run(replayed, {"resource": "table/ledger"}).data
    assert [(t.min, t.max) for t in table.targets] == [(5, 40)]
    assert [(s.name, s.max) for s in table.scheduled] == [("night", 5)]
    group = scaling_config.run(replayed, {"resource": "batch-asg"}).data
    assert [(s.name, s.schedule, s.max, s.desired) for s in group.scheduled] == [
        ("evening", "0 18 * * *", 1, 0)
    ]


def test_apis_round_trip_without_keys_or_stage_variables(world: Any, tmp_path: Any) -> None:
    replayed = _replayed(world, tmp_path)
    for name in ("ledger-api", "ledger-http"):
        live = api_details.run(world["live"], {"api": name})
        again = api_details.run(replayed, {"api": name})
        assert live.status == again.status == "ok", (live.summary, again.summary)
        for field in ("id", "kind", "stages", "usage_plans", "integrations"):
            assert getattr(again.data, field) == getattr(live.data, field), (name, field)
    rest = api_details.run(replayed, {"api": "ledger-api"}).data
    assert [(i.route, i.timeout_ms) for i in rest.integrations] == [("POST /entries", 3000)]
    assert [(p.name, p.throttle) for p in rest.usage_plans] == [("partners", "5 req/s burst 10")]
    text = (tmp_path / "bundle" / "resources.jsonl").read_text()
    assert "partner-key-secret" not in text and "stage-secret" not in text
    assert "apigateway:GetApiKeys" not in {g.operation for g in world["captured"].report.gaps}


def test_a_listener_s_certificate_round_trips_without_its_body(world: Any, tmp_path: Any) -> None:
    replayed = _replayed(world, tmp_path)
    graph = describe_resources.run(replayed, {"refs": ["ledger-alb"], "include_network": False}).data
    listener = next(n for n in graph.nodes if n.kind == "listener")
    cert = next(e.target for e in graph.edges if e.source == listener.id and e.relation == "presents")
    assert (listener.name, listener.attrs["protocol"]) == ("ledger-alb:443", "HTTPS")
    live = certificates.run(world["live"], {"certificates": [cert], "hosts": ["ledger.example.org"]})
    again = certificates.run(replayed, {"certificates": [cert], "hosts": ["ledger.example.org"]})
    assert live.status == again.status == "ok", (live.summary, again.summary)
    assert again.data == live.data
    (c,) = again.data.certificates
    # imported for 20 days from yesterday: 18 whole days left at the capture's now (5 minutes ahead)
    assert (c.domain, c.type, c.days_to_expiry, c.uncovered_hosts) == (
        "ledger.example.org",
        "IMPORTED",
        18,
        [],
    )
    assert again.data.findings[0].startswith("ledger.example.org expires in 18 days")
    text = (tmp_path / "bundle" / "resources.jsonl").read_text()
    assert "BEGIN CERTIFICATE" not in text and "PRIVATE KEY" not in text
