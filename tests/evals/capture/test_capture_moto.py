"""Capture round trip against moto's server over real HTTP: seed an account, capture it, write and load
the bundle, replay it, and ask Sleuth's read tools the same questions live (moto) and replayed.

moto does not implement CloudTrail LookupEvents, X-Ray GetTraceSummaries or CloudWatch
DescribeAlarmHistory: those reads fail and must come back as gaps while the capture goes on. The
change tools and alarm history are round-tripped in test_capture_replay.py instead. moto keeps log
events for 14 days and refuses future ones, so the data here sits in the hour before the wall clock.
"""

from __future__ import annotations

import io
import urllib.request
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from evals.bundle import Bundle
from evals.capture import REPORT_FILE, capture
from evals.replay import replay_session
from tests.conftest import BASE_MANIFEST
from tests.tools.conftest import FAST
from tools.alarms import active_alarms, alarm_details
from tools.aws import AwsClients, CallBudget
from tools.logs import find_log_groups, search_logs
from tools.metrics import metric_series
from tools.queues import queue_details
from tools.registry import ToolContext
from tools.topics import topic_details

pytestmark = pytest.mark.moto

# Data fills the 55 whole minutes before the wall clock; the investigation's "now" is a little later,
# after the seeding has created the log groups (a group created after "now" does not exist yet).
WALL = datetime.now(UTC).replace(second=0, microsecond=0)
NOW = END = WALL + timedelta(minutes=5)
START = END - timedelta(minutes=30)
BASELINE = timedelta(minutes=30)
MINUTES = 55


def _seed(client: Callable[[str], Any]) -> dict[str, str]:
    """A small account: VPC, subnets, SG, instance, ASG behind an ALB, RDS, Lambda, DynamoDB, metrics,
    alarms and logs. Returns the ids the test refers to."""
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for n, az in ((1, "a"), (2, "b"))
    ]
    sg = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)["GroupId"]
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnets[0],
        SecurityGroupIds=[sg],
        InstanceType="t3.small",
    )["Instances"][0]["InstanceId"]

    elb = client("elbv2")
    lb = elb.create_load_balancer(Name="web-alb", Subnets=subnets, SecurityGroups=[sg])["LoadBalancers"][0]
    tg = elb.create_target_group(Name="web-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance")[
        "TargetGroups"
    ][0]
    elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
    )
    asg = client("autoscaling")
    asg.create_launch_configuration(LaunchConfigurationName="web-lc", ImageId=image, InstanceType="t3.small")
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web-asg",
        LaunchConfigurationName="web-lc",
        MinSize=1,
        MaxSize=2,
        DesiredCapacity=1,
        VPCZoneIdentifier=subnets[0],
        TargetGroupARNs=[tg["TargetGroupArn"]],
    )

    client("rds").create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-secret",
        AllocatedStorage=20,
        VpcSecurityGroupIds=[sg],
    )
    role = client("iam").create_role(
        RoleName="fn-role",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )["Role"]["Arn"]
    iam = client("iam")
    iam.put_role_policy(
        RoleName="fn-role",
        PolicyName="read-carts",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem",'
        '"Resource":"*"}]}',
    )
    logs_policy = iam.create_policy(
        PolicyName="write-logs",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}',
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="fn-role", PolicyArn=logs_policy)
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    lam = client("lambda")
    lam.create_function(
        FunctionName="checkout",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package.getvalue()},
        Environment={"Variables": {"DB_PASSWORD": "hunter2-secret"}},
    )
    lam.put_function_concurrency(FunctionName="checkout", ReservedConcurrentExecutions=7)
    sqs = client("sqs")
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="orders-queue",
        Attributes={
            "VisibilityTimeout": "45",
            "RedrivePolicy": f'{{"deadLetterTargetArn": "{dlq_arn}", "maxReceiveCount": "4"}}',
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="checkout", BatchSize=5)
    sns = client("sns")
    topic = sns.create_topic(Name="order-events")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.set_subscription_attributes(
        SubscriptionArn=subscription, AttributeName="FilterPolicy", AttributeValue='{"type": ["placed"]}'
    )
    client("dynamodb").create_table(
        TableName="carts",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    cw = client("cloudwatch")
    first = WALL - timedelta(minutes=MINUTES)
    cpu = [
        {
            "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "InstanceId", "Value": instance}],
            "Timestamp": first + timedelta(minutes=m, seconds=s),
            "Value": float(20 + (m * 7 + s) % 13 + (60 if m >= 40 else 0)),
            "Unit": "Percent",
        }
        for m in range(MINUTES)
        for s in (5, 35)
    ]
    errors = [
        {
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": "checkout"}],
            "Timestamp": first + timedelta(minutes=m, seconds=10),
            "StatisticValues": {
                "SampleCount": 3,
                "Sum": float(m % 4),
                "Minimum": 0.0,
                "Maximum": float(m % 4),
            },
            "Unit": "Count",
        }
        for m in range(MINUTES)
    ]
    for namespace, data in (("AWS/EC2", cpu), ("AWS/Lambda", errors)):
        for i in range(0, len(data), 100):
            cw.put_metric_data(Namespace=namespace, MetricData=data[i : i + 100])
    cw.put_metric_alarm(
        AlarmName="web-cpu-high",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "InstanceId", "Value": instance}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        Threshold=70.0,
        ComparisonOperator="GreaterThanThreshold",
        Unit="Percent",
    )
    cw.set_alarm_state(AlarmName="web-cpu-high", StateValue="ALARM", StateReason="CPU above 70")
    cw.put_metric_alarm(
        AlarmName="carts-throttles",
        Namespace="AWS/DynamoDB",
        MetricName="ReadThrottleEvents",
        Dimensions=[{"Name": "TableName", "Value": "carts"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cw.put_metric_alarm(
        AlarmName="unrelated-queue",
        Namespace="AWS/SQS",
        MetricName="ApproximateAgeOfOldestMessage",
        Dimensions=[{"Name": "QueueName", "Value": "other"}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=600.0,
        ComparisonOperator="GreaterThanThreshold",
    )

    logs = client("logs")
    for group, stream in (
        ("/aws/lambda/checkout", "2024/fn"),
        ("/app/web-asg", instance),
        ("/other/app", "s"),
    ):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                {
                    "timestamp": int((first + timedelta(minutes=m)).timestamp() * 1000),
                    "message": f"{'ERROR timeout' if m % 5 == 0 else 'INFO ok'} request {m} "
                    f"password=hunter{m} key AKIAABCDEFGHIJKLMNOP",
                }
                for m in range(MINUTES)
            ],
        )
    return {
        "instance": instance,
        "tg": tg["TargetGroupArn"],
        "lb": lb["LoadBalancerArn"],
        "vpc": vpc,
        "sg": sg,
        "queue": queue,
        "dlq": dlq,
        "queue_arn": queue_arn,
        "topic": topic,
        "subscription": subscription,
    }


@pytest.fixture(scope="module")
def world(_moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Seed moto once, capture, write and reload the bundle; the module's tests only read. (Seeding
    per test would cost seconds each; `moto_endpoint` is per test, so this resets the shared server.)"""
    # Read the clock when moto is seeded, not at import: in a loaded parallel run the module is imported
    # minutes earlier, and what the seed creates would be 'created after now' and absent from replay.
    global WALL, NOW, END, START
    WALL = datetime.now(UTC).replace(second=0, microsecond=0)
    NOW = END = WALL + timedelta(minutes=5)
    START = END - timedelta(minutes=30)
    endpoint = _moto_server
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200
    session = boto3.Session(
        region_name=BASE_MANIFEST["region"], aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    ids = _seed(lambda service: session.client(service, endpoint_url=endpoint))
    live = AwsClients(session, endpoint_url=endpoint, retry=FAST, budget=CallBudget(limit=600))
    progress: list[str] = []
    captured = capture(
        live,
        start=START,
        end=END,
        now=NOW,
        alarm="web-cpu-high",
        resources=[
            "web-asg",
            "orders-db",
            "checkout",
            "carts",
            "orders-queue",
            "arn:aws:sns:us-east-1:123456789012:order-events",
        ],
        title="web CPU high",
        baseline=BASELINE,
        progress=progress.append,
    )
    out = tmp_path_factory.mktemp("capture") / "bundle"
    captured.bundle.write(out)
    captured.report.write(out)
    loaded = Bundle.load(out)
    replayed, _ = replay_session(loaded)
    return {
        "ids": ids,
        "captured": captured,
        "path": out,
        "bundle": loaded,
        "progress": progress,
        "live": ToolContext(aws=AwsClients(session, endpoint_url=endpoint, retry=FAST), now=NOW),
        "replayed": ToolContext(aws=AwsClients(replayed, retry=FAST), now=NOW),
        "moto": lambda service: session.client(service, endpoint_url=endpoint),
        "replay": replayed.client,
    }


def both(world: Any, tool: Any, args: dict[str, Any]) -> tuple[Any, Any]:
    live, replayed = tool.run(world["live"], args), tool.run(world["replayed"], args)
    assert live.status == replayed.status == "ok", (live.summary, replayed.summary)
    return live.data, replayed.data


def test_bundle_validates_and_has_the_manifest_expected(world: Any) -> None:
    bundle = world["bundle"]
    m = bundle.manifest
    assert (m.account_id, m.region) == ("123456789012", "us-east-1")
    assert (m.start, m.end, m.now) == (START - BASELINE, END, NOW)
    assert m.truth is None
    event = m.trigger.alarm_event
    assert event is not None
    assert event.detail.alarm_name == "web-cpu-high"
    assert event.detail.state["value"] == "ALARM"
    assert event.detail.configuration["metrics"][0]["metricStat"]["metric"]["dimensions"] == {
        "InstanceId": world["ids"]["instance"]
    }
    assert set(bundle.validate()) >= {"metrics", "alarms", "logs", "resources", "events"}
    assert (world["path"] / REPORT_FILE).is_file()
    assert any(p.startswith("describing") for p in world["progress"])


def test_moto_unsupported_reads_are_gaps_and_the_capture_goes_on(world: Any) -> None:
    report = world["captured"].report
    failed = {g.operation for g in report.gaps}
    # exactly what moto does not serve (AWS Health included); resolving the bare names left no gap
    assert failed == {
        "cloudtrail:LookupEvents",
        "xray:GetTraceSummaries",
        "cloudwatch:DescribeAlarmHistory",
        "health:DescribeEvents",
    }
    assert report.counts["logs"] > 0
    assert 0 < report.calls <= 600


def test_alarms_kept_are_firing_named_and_on_captured_resources(world: Any) -> None:
    names = {a["AlarmName"] for a in world["bundle"].records("alarms")}
    assert names == {"web-cpu-high", "carts-throttles"}  # not the unrelated SQS alarm
    live, replayed = both(world, active_alarms, {})
    assert [a.model_dump() for a in replayed.alarms] == [a.model_dump() for a in live.alarms]
    live_d = alarm_details.run(world["live"], {"name": "carts-throttles"})
    replay_d = alarm_details.run(world["replayed"], {"name": "carts-throttles"})
    assert live_d.status == "error"  # moto has no DescribeAlarmHistory
    assert replay_d.data is not None
    assert live_d.params == replay_d.params
    assert replay_d.data.alarm is not None
    assert replay_d.data.alarm.threshold == 1.0


@pytest.mark.parametrize("stat", ["Average", "Sum", "Minimum", "Maximum", "SampleCount"])
def test_metric_series_answer_the_same(world: Any, stat: str) -> None:
    for namespace, metric, dims in (
        ("AWS/EC2", "CPUUtilization", {"InstanceId": world["ids"]["instance"]}),
        ("AWS/Lambda", "Errors", {"FunctionName": "checkout"}),
    ):
        args = {
            "namespace": namespace,
            "metric": metric,
            "dimensions": dims,
            "stat": stat,
            "start": START.isoformat(),
            "end": END.isoformat(),
            "baseline_hours": BASELINE.total_seconds() / 3600,
        }
        live, replayed = both(world, metric_series, args)
        assert replayed.timestamps == live.timestamps
        assert replayed.values == pytest.approx(live.values)
        assert len(replayed.values) == MINUTES


def test_statistic_sets_keep_min_max_and_counts(world: Any) -> None:
    rows = [r for r in world["bundle"].records("metrics") if r["metric"] == "CPUUtilization"]
    assert len(rows) == MINUTES
    assert all(r["statistic_values"]["SampleCount"] == 2 for r in rows)
    assert {r["unit"] for r in rows} == {"Percent"}


def test_logs_answer_the_same_and_are_redacted(world: Any) -> None:
    groups = {r["log_group"] for r in world["bundle"].records("logs")}
    assert groups == {"/aws/lambda/checkout", "/app/web-asg"}  # "/other/app" belongs to nothing captured
    for group in sorted(groups):
        args = {
            "log_group": group,
            "filter_pattern": "ERROR",
            "start": START.isoformat(),
            "end": END.isoformat(),
        }
        live, replayed = both(world, search_logs, args)
        assert [(x.time, x.stream, x.message) for x in replayed.lines] == [
            (x.time, x.stream, x.message) for x in live.lines
        ]
        assert len(replayed.lines) == 5  # minutes 30, 35, ..., 50 of the data fall in [START, END]
    text = "\n".join(r["message"] for r in world["bundle"].records("logs"))
    assert "hunter" not in text
    assert "AKIAABCDEFGHIJKLMNOP" not in text
    live, replayed = both(world, find_log_groups, {"resources": [{"name": "checkout", "kind": "lambda"}]})
    assert replayed.resources == live.resources


def test_resources_and_neighbours_describe_as_moto_does(world: Any) -> None:
    moto, replay, ids = world["moto"], world["replay"], world["ids"]
    kinds = {(r["service"], r["type"]) for r in world["bundle"].records("resources")}
    assert {
        ("ec2", "Instance"),
        ("ec2", "Subnet"),
        ("ec2", "Vpc"),
        ("ec2", "SecurityGroup"),
        ("ec2", "NetworkAcl"),
        ("ec2", "RouteTable"),
        ("autoscaling", "AutoScalingGroup"),
        ("elbv2", "LoadBalancer"),
        ("elbv2", "TargetGroup"),
        ("rds", "DBInstance"),
        ("lambda", "FunctionConfiguration"),
        ("lambda", "FunctionConcurrency"),
        ("dynamodb", "TableDescription"),
        ("logs", "LogGroup"),
        ("iam", "Role"),
        ("iam", "RoleInlinePolicy"),
        ("iam", "RoleAttachedPolicy"),
    } <= kinds
    for service, op, params, key in (
        ("elbv2", "describe_load_balancers", {}, "LoadBalancers"),
        ("elbv2", "describe_target_groups", {}, "TargetGroups"),
        ("autoscaling", "describe_auto_scaling_groups", {}, "AutoScalingGroups"),
        ("rds", "describe_db_instances", {}, "DBInstances"),
        ("dynamodb", "describe_table", {"TableName": "carts"}, "Table"),
        ("iam", "get_role", {"RoleName": "fn-role"}, "Role"),
        ("iam", "list_role_policies", {"RoleName": "fn-role"}, "PolicyNames"),
        ("iam", "get_role_policy", {"RoleName": "fn-role", "PolicyName": "read-carts"}, "PolicyDocument"),
        ("iam", "list_attached_role_policies", {"RoleName": "fn-role"}, "AttachedPolicies"),
        ("ec2", "describe_security_groups", {"GroupIds": [ids["sg"]]}, "SecurityGroups"),
        (
            "ec2",
            "describe_route_tables",
            {"Filters": [{"Name": "vpc-id", "Values": [ids["vpc"]]}]},
            "RouteTables",
        ),
    ):
        live = _steady(getattr(moto(service), op)(**params)[key])
        again = _steady(getattr(replay(service), op)(**params)[key])
        assert again == live, f"{service}.{op}"
    live_fn = moto("lambda").get_function_configuration(FunctionName="checkout")
    replayed_fn = replay("lambda").get_function_configuration(FunctionName="checkout")
    assert replayed_fn["Environment"] == {"Variables": {"DB_PASSWORD": "[REDACTED]"}}
    assert {k: v for k, v in replayed_fn.items() if k not in ("Environment", "ResponseMetadata")} == {
        k: v for k, v in live_fn.items() if k not in ("Environment", "ResponseMetadata")
    }
    assert (
        replay("lambda").get_function_concurrency(FunctionName="checkout")["ReservedConcurrentExecutions"]
        == 7
    )


def _steady(items: Any) -> Any:
    """Drop what moto computes from the wall clock at each request (RDS LatestRestorableTime)."""
    if isinstance(items, list):
        return [_steady(i) for i in items]
    if isinstance(items, dict):
        return {k: v for k, v in items.items() if k != "LatestRestorableTime"}
    return items


def test_target_health_is_one_point_per_target_at_now(world: Any) -> None:
    points = [e["item"] for e in world["bundle"].records("events") if e["source"] == "target_health"]
    assert points
    assert {p["timestamp"] for p in points} == {NOW.isoformat().replace("+00:00", "Z")}
    live = world["moto"]("elbv2").describe_target_health(TargetGroupArn=world["ids"]["tg"])
    again = world["replay"]("elbv2").describe_target_health(TargetGroupArn=world["ids"]["tg"])

    # HealthCheckPort is not part of a target-health point: replay derives it from the target group
    # ("traffic-port"), moto resolves it to the target's port; the rest must agree.
    def health(answer: dict[str, Any]) -> list[tuple[Any, Any]]:
        return [(d["Target"], d["TargetHealth"]) for d in answer["TargetHealthDescriptions"]]

    assert health(again) == health(live)
    assert len(health(live)) == 1  # the ASG's one instance


def test_queues_and_their_consumers_replay_as_moto_answers(world: Any) -> None:
    moto, replay, ids = world["moto"], world["replay"], world["ids"]
    kinds = {(r["service"], r["type"]) for r in world["bundle"].records("resources")}
    assert {("sqs", "Queue"), ("lambda", "EventSourceMappingConfiguration")} <= kinds
    for service, op, params, key in (
        ("sqs", "list_queues", {}, "QueueUrls"),
        ("sqs", "get_queue_url", {"QueueName": "orders-queue"}, "QueueUrl"),
        ("sqs", "get_queue_attributes", {"QueueUrl": ids["queue"], "AttributeNames": ["All"]}, "Attributes"),
        ("sqs", "list_dead_letter_source_queues", {"QueueUrl": ids["dlq"]}, "queueUrls"),
        ("lambda", "list_event_source_mappings", {"FunctionName": "checkout"}, "EventSourceMappings"),
        ("lambda", "list_event_source_mappings", {"EventSourceArn": ids["queue_arn"]}, "EventSourceMappings"),
    ):
        live = getattr(moto(service), op)(**params)[key]
        again = getattr(replay(service), op)(**params)[key]
        if op == "list_queues":  # SQS promises no order
            live, again = sorted(live), sorted(again)
        assert again == live, f"{service}.{op}"
    live, replayed = both(world, queue_details, {"queue": "orders-queue"})
    assert replayed == live
    assert (replayed.dead_letter_queue, replayed.max_receive_count) == (
        ids["queue_arn"].replace("orders-queue", "orders-dlq"),
        4,
    )
    assert [c.function for c in replayed.consumers] == [
        moto("lambda").get_function_configuration(FunctionName="checkout")["FunctionArn"]
    ]


def test_topics_and_subscriptions_replay_as_moto_answers(world: Any) -> None:
    moto, replay, ids = world["moto"], world["replay"], world["ids"]
    kinds = {(r["service"], r["type"]) for r in world["bundle"].records("resources")}
    assert {("sns", "Topic"), ("sns", "Subscription")} <= kinds
    for op, params, key in (
        ("list_topics", {}, "Topics"),
        ("list_subscriptions_by_topic", {"TopicArn": ids["topic"]}, "Subscriptions"),
        ("get_subscription_attributes", {"SubscriptionArn": ids["subscription"]}, "Attributes"),
    ):
        assert getattr(replay("sns"), op)(**params)[key] == getattr(moto("sns"), op)(**params)[key], op
    live, replayed = both(world, topic_details, {"topic": ids["topic"]})
    # moto counts a same-account SQS subscription as unconfirmed; AWS (and replay) confirm it at once
    assert (live.confirmed, replayed.confirmed) == (0, 1)
    assert replayed.subscriptions == live.subscriptions
    assert replayed.subscriptions[0].filter_policy == '{"type": ["placed"]}'
