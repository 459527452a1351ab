"""No fault: a wave of WebSocket disconnects two hours after kick-off is API Gateway's connection-duration cap."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzb import (
    Kit,
    ecs_cluster,
    ecs_service,
    iso,
    iso_ms,
    log_group,
    ms,
    reason_data,
    task_definition,
)

NAME = "live-scores-two-hour-socket-wave"
TITLE = "Mass websocket disconnect alarm late in the Saturday afternoon match; did the scores hotfix drop everyone?"
SUMMARY = (
    "No fault: fans who connected around kick-off were disconnected by API Gateway's two-hour WebSocket "
    "connection limit and reconnected at once; the disconnect alarm fired on that wave, unrelated to a deploy"
)


def _bump(t: datetime, centre: datetime, total: float, sd_min: float) -> float:
    x = (t - centre).total_seconds() / 60
    return total * math.exp(-0.5 * (x / sd_min) ** 2) / (sd_min * math.sqrt(2 * math.pi))


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "", "eu-west-2")
    r = k.r
    k.account = "5" + "".join(str(r.randint(0, 9)) for _ in range(11))
    day = datetime(2026, 1, 10, tzinfo=UTC) + timedelta(days=7 * r.randint(0, 10))  # Saturdays, GMT
    kickoff = day.replace(hour=15, minute=0)
    early = day.replace(hour=12, minute=30)
    now = kickoff + timedelta(hours=2, minutes=r.randint(20, 32))
    start = now - timedelta(hours=4, minutes=r.randint(5, 20))
    sim0 = early - timedelta(hours=1)
    big = r.uniform(80000, 110000)
    small = r.uniform(22000, 35000)
    lead = r.uniform(7, 11)
    stay = r.uniform(0.62, 0.74)  # share of kick-off connections still open two hours later
    api_id = k.alnum(10, upper=False)
    cluster = "kickline-live"
    topic = f"arn:aws:sns:{k.region}:{k.account}:live-oncall"
    created = day - timedelta(days=r.randint(200, 500))
    subnets = ["subnet-" + k.hex(17) for _ in range(2)]
    sg = "sg-" + k.hex(17)

    # ---- simulate connections minute by minute ---------------------------------------------------
    arrivals: dict[datetime, float] = {}
    forced: dict[datetime, float] = {}
    natural: dict[datetime, float] = {}
    active: dict[datetime, float] = {}
    act = 2400.0
    t = sim0
    while t < now:
        fresh = (
            35
            + _bump(t, early - timedelta(minutes=lead), small, 7)
            + _bump(t, kickoff - timedelta(minutes=lead), big, 7)
        )
        fresh = k.noise(fresh, 0.05)
        back = t - timedelta(hours=2)
        cut = arrivals.get(back, 0.0) * stay if back >= sim0 else 0.0
        if back < sim0:
            cut = k.noise(12, 0.3)
        reconnect = cut * r.uniform(0.93, 0.97)
        nat = act * r.uniform(0.0045, 0.0055)
        arrivals[t] = fresh + reconnect
        forced[t] = cut
        natural[t] = nat
        act = max(100.0, act + fresh + reconnect - cut - nat)
        active[t] = act
        t += timedelta(minutes=1)

    # ---- resources ---------------------------------------------------------------------------------
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"wss://{api_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": api_id,
            "CreatedDate": iso(created),
            "Name": "kickline-live-ws",
            "ProtocolType": "WEBSOCKET",
            "RouteSelectionExpression": "$request.body.action",
            "ApiKeySelectionExpression": "$request.header.x-api-key",
            "DisableExecuteApiEndpoint": False,
        },
    )
    stage_upd = start + timedelta(minutes=r.randint(15, 40))
    k.res(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": api_id,
            "StageName": "live",
            "AutoDeploy": True,
            "CreatedDate": iso(created),
            "DeploymentId": k.alnum(6, upper=False),
            "LastUpdatedDate": iso(stage_upd),
            "DefaultRouteSettings": {
                "DataTraceEnabled": False,
                "DetailedMetricsEnabled": False,
                "LoggingLevel": "OFF",
                "ThrottlingBurstLimit": 8000,
                "ThrottlingRateLimit": 6000.0,
            },
        },
    )
    for route, fn in (("$connect", "ws-connect"), ("$disconnect", "ws-disconnect"), ("follow", "ws-follow")):
        integ = k.alnum(7, upper=False)
        k.res(
            "apigatewayv2",
            "ApiRoute",
            {
                "ApiId": api_id,
                "RouteId": k.alnum(7, upper=False),
                "RouteKey": route,
                "AuthorizationType": "NONE",
                "ApiKeyRequired": False,
                "Target": f"integrations/{integ}",
            },
        )
        k.res(
            "apigatewayv2",
            "ApiIntegration",
            {
                "ApiId": api_id,
                "IntegrationId": integ,
                "IntegrationType": "AWS_PROXY",
                "IntegrationMethod": "POST",
                "IntegrationUri": f"arn:aws:apigateway:{k.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{k.region}:{k.account}:function:{fn}/invocations",
                "ConnectionType": "INTERNET",
                "PayloadFormatVersion": "1.0",
                "TimeoutInMillis": 29000,
            },
        )
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": f"arn:aws:lambda:{k.region}:{k.account}:function:{fn}",
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{k.account}:role/kickline-ws-fn",
                "Handler": "app.handler",
                "CodeSize": r.randint(8000, 40000),
                "Timeout": 6,
                "MemorySize": 256,
                "LastModified": (day - timedelta(days=r.randint(10, 60))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "Version": "$LATEST",
                "Environment": {"Variables": {"CONNECTIONS_TABLE": "live-connections"}},
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "live-connections",
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:{k.region}:{k.account}:table/live-connections",
            "KeySchema": [{"AttributeName": "connectionId", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "connectionId", "AttributeType": "S"},
                {"AttributeName": "fixtureId", "AttributeType": "S"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "byFixture",
                    "KeySchema": [{"AttributeName": "fixtureId", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexStatus": "ACTIVE",
                }
            ],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "CreationDateTime": iso(created),
            "ItemCount": round(act),
            "TableSizeBytes": round(act * 150),
        },
    )
    k.res(
        "kinesis",
        "StreamDescriptionSummary",
        {
            "StreamName": "score-events",
            "StreamARN": f"arn:aws:kinesis:{k.region}:{k.account}:stream/score-events",
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
            "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": iso(created),
            "EnhancedMonitoring": [{"ShardLevelMetrics": []}],
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
            "OpenShardCount": 4,
        },
    )
    k.res("ecs", "Cluster", ecs_cluster(k, cluster, 1, 4))
    rev = r.randint(60, 140)
    hotfix = kickoff + timedelta(minutes=r.randint(80, 98))
    k.res(
        "ecs",
        "Service",
        ecs_service(k, cluster, "scores-publisher", "scores-publisher", rev, 4, created, hotfix, subnets, sg),
    )
    k.res(
        "ecs",
        "TaskDefinition",
        task_definition(
            k,
            "scores-publisher",
            rev,
            f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/scores-publisher:{k.hex(7)}",
            "512",
            "1024",
            [
                ("STREAM_NAME", "score-events"),
                ("CONNECTIONS_TABLE", "live-connections"),
                ("WS_ENDPOINT", f"https://{api_id}.execute-api.{k.region}.amazonaws.com/live"),
            ],
            hotfix - timedelta(minutes=2),
            "scores-publisher-task",
            None,
        ),
    )
    for g in ("/aws/lambda/ws-connect", "/aws/lambda/ws-disconnect", "/ecs/scores-publisher"):
        k.res("logs", "LogGroup", log_group(k, g, created, 14))

    # ---- metrics -----------------------------------------------------------------------------------
    wsd = {"ApiId": api_id, "Stage": "live"}
    disc: dict[datetime, float] = {}
    t = start
    while t < now:
        a = arrivals[t]
        d = forced[t] + natural[t]
        disc[t] = float(round(d))
        live_play = early <= t < early + timedelta(minutes=110) or kickoff <= t < kickoff + timedelta(
            minutes=110
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "ConnectCount",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(a),
            }
        )
        msgs = active[t] * (0.05 if live_play else 0.01) * r.uniform(0.9, 1.1) + a
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "MessageCount",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(msgs + active[t] * (0.6 if live_play else 0.1)),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "ClientError",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(round(a * r.uniform(0.001, 0.003))),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "IntegrationError",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": float(r.choice([0, 0, 0, 0, 1])),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": "ExecutionError",
                "dimensions": wsd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": 0.0,
            }
        )
        for fn, inv in (("ws-connect", a), ("ws-disconnect", d), ("ws-follow", a * 0.9)):
            fd = {"FunctionName": fn}
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Invocations",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": float(round(inv)),
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Errors",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": float(r.choice([0, 0, 0, 0, 0, 1])),
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Throttles",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": 0.0,
                }
            )
            n = max(1.0, float(round(inv)))
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "Duration",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Milliseconds",
                    "statistic_values": {
                        "SampleCount": n,
                        "Sum": round(n * k.noise(14, 0.1), 1),
                        "Minimum": 3.2,
                        "Maximum": round(k.noise(180, 0.4), 1),
                    },
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/Lambda",
                    "metric": "ConcurrentExecutions",
                    "dimensions": fd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "statistic_values": {
                        "SampleCount": 60.0,
                        "Sum": round(max(1.0, inv * 0.014 / 60 * 60), 1),
                        "Minimum": 0.0,
                        "Maximum": float(max(1, round(inv * 0.02 / 60 * 4))),
                    },
                }
            )
        k.metrics.append(
            {
                "namespace": "Kickline/Live",
                "metric": "ActiveConnections",
                "dimensions": {"Stage": "live"},
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(active[t]),
            }
        )
        pub = {"ClusterName": cluster, "ServiceName": "scores-publisher"}
        k.metrics.append(
            {
                "namespace": "AWS/ECS",
                "metric": "CPUUtilization",
                "dimensions": pub,
                "timestamp": iso(t),
                "unit": "Percent",
                "value": round(k.noise(12 + (30 if live_play else 0) * active[t] / 90000, 0.1), 2),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/DynamoDB",
                "metric": "ConsumedWriteCapacityUnits",
                "dimensions": {"TableName": "live-connections"},
                "timestamp": iso(t),
                "unit": "Count",
                "statistic_values": {
                    "SampleCount": round(a + d + 1),
                    "Sum": round((a + d + 1) * 1.0),
                    "Minimum": 1.0,
                    "Maximum": 1.0,
                },
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/Kinesis",
                "metric": "IncomingRecords",
                "dimensions": {"StreamName": "score-events"},
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(k.noise(420 if live_play else 60, 0.2)),
            }
        )
        gone = forced[t] * 0.04 + natural[t] * 0.05
        k.metrics.append(
            {
                "namespace": "Kickline/Live",
                "metric": "PostGone",
                "dimensions": {"Service": "scores-publisher"},
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(gone),
            }
        )
        t += timedelta(minutes=1)

    # ---- alarms ------------------------------------------------------------------------------------
    cfg = day - timedelta(days=r.randint(2, 6))
    thr = 2500.0
    mass = k.alarm(
        "live-ws-mass-disconnect",
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "ws-disconnect"},
        "Sum",
        60,
        2,
        thr,
        "GreaterThanThreshold",
        description="More than 2500 websocket disconnects a minute: possible live outage",
        topic=topic,
        treat_missing="notBreaching",
        updated=cfg,
    )
    mass["StateReason"] = "Threshold Crossed: 2 datapoints were not greater than the threshold (2500.0)."
    mins = sorted(disc)
    fire = clear = None
    for i in range(1, len(mins)):
        if fire is None and disc[mins[i]] > thr and disc[mins[i - 1]] > thr:
            fire = mins[i]
        elif fire is not None and clear is None and disc[mins[i]] <= thr:
            clear = mins[i]
    if fire is None:
        raise RuntimeError("the disconnect alarm never fired")
    prev = mass["StateReason"]
    ft = fire + timedelta(minutes=1, seconds=r.randint(10, 45))
    p = [disc[fire], disc[fire - timedelta(minutes=1)]]
    k.transition(
        mass,
        ft,
        "ALARM",
        f"Threshold Crossed: 2 datapoints [{p[0]} ({fire.strftime('%d/%m/%y %H:%M:%S')}), {p[1]} ({(fire - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:%S')})] were greater than the threshold ({thr}).",
        reason_data("Sum", 60, ft, p, thr, fire - timedelta(minutes=1)),
    )
    event = k.alarm_event(mass, ft, "OK", prev, cfg)
    if clear is not None and clear + timedelta(minutes=1) < now:
        ct_ = clear + timedelta(minutes=1, seconds=r.randint(10, 45))
        k.transition(
            mass,
            ct_,
            "OK",
            f"Threshold Crossed: 1 datapoint [{disc[clear]} ({clear.strftime('%d/%m/%y %H:%M:%S')})] was not greater than the threshold ({thr}).",
            reason_data("Sum", 60, ct_, [disc[clear]], thr, clear - timedelta(minutes=1)),
        )
    k.alarm(
        "ws-connect-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "ws-connect"},
        "Sum",
        300,
        1,
        25.0,
        "GreaterThanThreshold",
        topic=topic,
        treat_missing="notBreaching",
        updated=cfg - timedelta(days=90),
    )["StateReason"] = "Threshold Crossed: 1 datapoint was not greater than the threshold (25.0)."
    k.alarm(
        "score-events-iterator-age",
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        {"StreamName": "score-events"},
        "Maximum",
        60,
        3,
        30000.0,
        "GreaterThanThreshold",
        topic=topic,
        updated=cfg - timedelta(days=90),
    )["StateReason"] = "Threshold Crossed: 3 datapoints were not greater than the threshold (30000.0)."
    pc = k.alarm(
        "scores-publisher-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "scores-publisher"},
        "Average",
        60,
        3,
        70.0,
        "GreaterThanThreshold",
        updated=cfg - timedelta(days=90),
    )
    pc["AlarmName"] = f"TargetTracking-service/{cluster}/scores-publisher-AlarmHigh-{k.uuid()}"
    pc["AlarmArn"] = f"arn:aws:cloudwatch:{k.region}:{k.account}:alarm:{pc['AlarmName']}"
    pc["AlarmActions"] = [
        f"arn:aws:autoscaling:{k.region}:{k.account}:scalingPolicy:{k.uuid()}:resource/ecs/service/{cluster}/scores-publisher:policyName/cpu-tt"
    ]
    pc["OKActions"] = []
    pc["AlarmDescription"] = (
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:"
        + k.region
        + ":"
        + k.account
        + ":scalingPolicy:"
        + k.uuid()
        + ":resource/ecs/service/"
        + cluster
        + "/scores-publisher:policyName/cpu-tt."
    )
    pc["StateReason"] = "Threshold Crossed: 3 datapoints were not greater than the threshold (70.0)."

    # ---- logs --------------------------------------------------------------------------------------
    t = start
    while t < now:
        n_conn = min(6, int(arrivals[t] / 400) + 1)
        for _ in range(n_conn):
            ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            rid = k.uuid()
            s = f"{ts.strftime('%Y/%m/%d')}/[$LATEST]{k.hex(32)}"
            k.log(
                "/aws/lambda/ws-connect",
                s,
                ts,
                f"[INFO]\t{iso_ms(ts)}\t{rid}\tconnect connectionId={k.alnum(14, upper=False)}= fixture={r.choice(['EPL-2026-0412', 'EPL-2026-0413', 'EPL-2026-0409'])} app={r.choice(['ios/5.12.0', 'android/5.12.1', 'web'])}",
            )
        n_disc = min(8, int((forced[t] + natural[t]) / 300) + 1)
        fr = forced[t] / max(1.0, forced[t] + natural[t])
        for _ in range(n_disc):
            ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            rid = k.uuid()
            s = f"{ts.strftime('%Y/%m/%d')}/[$LATEST]{k.hex(32)}"
            if r.random() < fr:
                age = 7200 + r.randint(0, 1)
                code = 1001
            else:
                age = r.randint(20, 5400)
                code = r.choice([1000, 1000, 1001, 1006, 1005])
            connected_at = ms(ts) - age * 1000 - r.randint(0, 900)
            k.log(
                "/aws/lambda/ws-disconnect",
                s,
                ts,
                f"[INFO]\t{iso_ms(ts)}\t{rid}\tdisconnect connectionId={k.alnum(14, upper=False)}= statusCode={code} connectedAt={connected_at} ageSec={age}",
            )
        if r.random() < 0.3:
            ts = t + timedelta(seconds=r.randint(0, 59))
            k.log(
                "/ecs/scores-publisher",
                f"ecs/scores-publisher/{k.hex(32)}",
                ts,
                json.dumps(
                    {
                        "level": "INFO",
                        "time": iso_ms(ts),
                        "logger": "publisher",
                        "message": "fanout complete",
                        "fixture": "EPL-2026-0412",
                        "sent": round(active[t] * 0.6),
                        "gone": r.randint(0, 40),
                    }
                ),
            )
        t += timedelta(minutes=1)
    ht = hotfix + timedelta(minutes=3)
    k.log(
        "/ecs/scores-publisher",
        f"ecs/scores-publisher/{k.hex(32)}",
        ht,
        json.dumps(
            {
                "level": "INFO",
                "time": iso_ms(ht),
                "logger": "main",
                "message": f"scores-publisher starting, build {k.hex(7)}",
            }
        ),
    )

    # ---- CloudTrail --------------------------------------------------------------------------------
    dev = k.sso("tom.okafor@kickline.app", "LiveDeveloper", k.hex(16))
    ci = k.role("gha-kickline-deploy", "GitHubActions")
    td_arn = f"arn:aws:ecs:{k.region}:{k.account}:task-definition/scores-publisher:{rev}"
    agent = "aws-sdk-js/3.556.0 ua/2.0 os/linux lang/js md/nodejs#20.12.2 api/ecs#3.556.0 github-action/amazon-ecs-deploy-task-definition"
    k.trail(
        hotfix - timedelta(minutes=2),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "scores-publisher",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": "scores-publisher",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
        agent=agent,
    )
    k.trail(
        hotfix,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "scores-publisher", "taskDefinition": td_arn},
        {"service": {"serviceName": "scores-publisher", "taskDefinition": td_arn, "desiredCount": 4}},
        read_only=False,
        agent=agent,
    )
    k.trail(
        stage_upd,
        dev,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "apiId": api_id,
            "stageName": "live",
            "defaultRouteSettings": {"throttlingBurstLimit": 8000, "throttlingRateLimit": 6000},
        },
        {
            "stageName": "live",
            "autoDeploy": True,
            "defaultRouteSettings": {
                "dataTraceEnabled": False,
                "detailedMetricsEnabled": False,
                "loggingLevel": "OFF",
                "throttlingBurstLimit": 8000,
                "throttlingRateLimit": 6000.0,
            },
            "lastUpdatedDate": iso(stage_upd),
        },
        read_only=False,
        agent="console.amazonaws.com",
    )
    k.trail(
        ft + timedelta(minutes=r.randint(3, 8)),
        dev,
        "apigateway.amazonaws.com",
        "GetStage",
        {"apiId": api_id, "stageName": "live"},
        None,
        read_only=True,
        agent="console.amazonaws.com",
    )
    dd = k.role("DatadogIntegrationRole", "DatadogAWSIntegration")
    k.readonly_noise(
        start,
        now,
        dd,
        [
            ("apigateway.amazonaws.com", "GetApis", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("ecs.amazonaws.com", "ListClusters", None),
            ("kinesis.amazonaws.com", "ListStreams", None),
        ],
        20,
        "Datadog aws-sdk-go/1.55.5 (go1.22.5; linux; amd64)",
    )
    aas = k.role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        "/aws-service-role/ecs.application-autoscaling.amazonaws.com/",
    )
    k.readonly_noise(
        start,
        now,
        aas,
        [("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["scores-publisher"]})],
        15,
        "application-autoscaling.amazonaws.com",
    )

    local = fire - timedelta(minutes=1)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": f"The mass-disconnect alarm on the live websocket went off about {local.strftime('%I:%M').lstrip('0')}, thousands of fans dropped in a couple of minutes during the second half. Tom's scores-publisher hotfix went out shortly before. Did the hotfix kick everyone off, or is API Gateway having a problem? Do we need to roll back?",
                "alarm_event": event,
                "timezone": "Europe/London",
            },
            "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
        }
    )
    return Bundle(manifest, k.records())
