"""A stage redeploy ships integrations that still point at the legacy load balancer, which answers 404."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_l import (
    CONSOLE,
    TERRAFORM,
    AlarmSpec,
    Ids,
    Metrics,
    Rec,
    Trail,
    alarm_records,
    alb_item,
    cli,
    day,
    diurnal,
    grid,
    iso,
    log,
    noise,
    office_ip,
    public_ip,
    sorted_logs,
    spread,
    tg_item,
)

NAME = "fleet-api-stage-stale-backend"
TITLE = "fleet partner API answering 404 on /v1/trips"
SUMMARY = "CI redeploys the fleet-partner-api prod stage from an OpenAPI file whose integrations still name the legacy fleet-edge ALB; its listener answers 404 for /v1 paths, so partner calls get 404."

REGIONS = [("eu-central-1", "Europe/Berlin"), ("eu-west-1", "Europe/Dublin")]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    region, tz = rng.choice(REGIONS)
    utc_off = 2.0 if tz == "Europe/Berlin" else 1.0  # summer time
    account = ids.account()
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    onset = day(rng, datetime(2024, 4, 15, tzinfo=UTC), 150) + timedelta(
        hours=rng.uniform(9.3, 15.0) - utc_off
    )
    while onset.weekday() >= 5:
        onset += timedelta(days=1)
    onset = onset.replace(microsecond=0)
    onset_m = onset.replace(second=0)
    start = onset_m - timedelta(hours=6)
    now = onset_m + timedelta(minutes=rng.randint(35, 55))
    fine_from = onset_m - timedelta(hours=3)

    api_id = ids.apigw()
    api_name = "fleet-partner-api"
    stage = "prod"
    vpc = ids.vpc()
    subnets = [ids.subnet() for _ in azs]
    new_lb, old_lb = "fleet-edge-v2", "fleet-edge"
    new_hex, old_hex = ids.hex(16), ids.hex(16)
    new_dns = f"{new_lb}-{ids.digits(10)}.{region}.elb.amazonaws.com"
    old_dns = f"{old_lb}-{ids.digits(10)}.{region}.elb.amazonaws.com"
    new_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{new_lb}/{new_hex}"
    old_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{old_lb}/{old_hex}"
    new_tg_hex, old_tg_hex = ids.hex(16), ids.hex(16)
    new_tg = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/fleet-api-v2/{new_tg_hex}"
    old_tg = f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/fleet-api-v0/{old_tg_hex}"
    sg_alb = ids.sg()
    sns = f"arn:aws:sns:{region}:{account}:fleet-platform-alerts"
    old_dep, new_dep = ids.short(6), ids.short(6)
    build_no = rng.randint(2900, 3600)
    sha = ids.hex(40)

    # --- metrics ---------------------------------------------------------------------------------
    m = Metrics(rng, grid(start, now, lambda t: t >= fine_from))

    def traffic(t: datetime) -> float:
        return diurnal(t, utc_off, low=0.25, peak_hour=11.0)

    base = rng.uniform(900, 1600)
    broken_share = rng.uniform(0.8, 0.9)  # /v1/trips and positions: most partner traffic

    def after(t: datetime) -> bool:
        return t >= onset_m + timedelta(minutes=1)

    def count(t: datetime) -> float:
        return noise(rng, base * traffic(t), 0.05)

    def err4(t: datetime) -> float:
        share = 0.012 + (broken_share if after(t) else 0.0)
        return noise(rng, base * traffic(t) * share, 0.06)

    def err5(t: datetime) -> float:
        return 1.0 if rng.random() < 0.04 else 0.0

    d = {"ApiName": api_name, "Stage": stage}
    m.add("AWS/ApiGateway", "Count", d, "Count", count, "sum")
    m.add("AWS/ApiGateway", "4XXError", d, "Count", err4, "sum")
    m.add("AWS/ApiGateway", "5XXError", d, "Count", err5, "sum")
    m.add(
        "AWS/ApiGateway",
        "IntegrationLatency",
        d,
        "Milliseconds",
        lambda t: noise(rng, 48 * (1 - broken_share) + 4 * broken_share if after(t) else 48, 0.1),
    )
    m.add(
        "AWS/ApiGateway",
        "Latency",
        d,
        "Milliseconds",
        lambda t: noise(rng, 61 * (1 - broken_share) + 14 * broken_share if after(t) else 61, 0.1),
    )
    # the rate alarm reads Average of 4XXError (0..1 per request); kept as a second series with that meaning
    new_lbd = {"LoadBalancer": f"app/{new_lb}/{new_hex}"}
    old_lbd = {"LoadBalancer": f"app/{old_lb}/{old_hex}"}
    internal = rng.uniform(0.12, 0.2)  # requests to fleet-edge-v2 that do not come through the API

    def new_req(t: datetime) -> float:
        api = base * traffic(t) * (1 - (broken_share if after(t) else 0.0))
        return noise(rng, api + base * traffic(t) * internal, 0.05)

    def old_req(t: datetime) -> float:
        v0 = rng.uniform(4, 12) * traffic(t)
        if after(t):
            v0 += base * traffic(t) * broken_share
        return noise(rng, v0, 0.06)

    m.add("AWS/ApplicationELB", "RequestCount", new_lbd, "Count", new_req, "sum")
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        {**new_lbd, "TargetGroup": f"targetgroup/fleet-api-v2/{new_tg_hex}"},
        "Count",
        new_req,
        "sum",
    )
    m.add("AWS/ApplicationELB", "TargetResponseTime", new_lbd, "Seconds", lambda t: noise(rng, 0.041, 0.1))
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        new_lbd,
        "Count",
        lambda t: new_req(t) * 0.985,
        "sum",
    )
    m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", new_lbd, "Count", err5, "sum")
    m.add("AWS/ApplicationELB", "RequestCount", old_lbd, "Count", old_req, "sum")
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        {**old_lbd, "TargetGroup": f"targetgroup/fleet-api-v0/{old_tg_hex}"},
        "Count",
        lambda t: noise(rng, rng.uniform(4, 12) * traffic(t), 0.06),
        "sum",
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTP_Fixed_Response_Count",
        old_lbd,
        "Count",
        lambda t: (
            base * traffic(t) * broken_share * rng.uniform(0.97, 1.03)
            if after(t)
            else (1.0 if rng.random() < 0.1 else 0.0)
        ),
        "sum",
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        old_lbd,
        "Count",
        lambda t: noise(rng, 7 * traffic(t), 0.2),
        "sum",
    )
    for lbd, tg in (
        (new_lbd, f"targetgroup/fleet-api-v2/{new_tg_hex}"),
        (old_lbd, f"targetgroup/fleet-api-v0/{old_tg_hex}"),
    ):
        m.add(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {**lbd, "TargetGroup": tg},
            "Count",
            lambda t, n=3 if lbd is new_lbd else 1: float(n),
        )
        m.add("AWS/ApplicationELB", "UnHealthyHostCount", {**lbd, "TargetGroup": tg}, "Count", lambda t: 0.0)

    # --- alarms ----------------------------------------------------------------------------------
    specs = [
        AlarmSpec(
            "fleet-partner-api-prod-4xx",
            "Partner API 4xx above 250/min for 3 minutes (normal is auth failures only)",
            [m.get("AWS/ApiGateway", "4XXError", d)],
            "Sum",
            60,
            3,
            3,
            250.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns],
            [sns],
        ),
        AlarmSpec(
            "fleet-partner-api-prod-5xx",
            "Partner API 5xx",
            [m.get("AWS/ApiGateway", "5XXError", d)],
            "Sum",
            60,
            3,
            3,
            10.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns],
            [sns],
        ),
        AlarmSpec(
            "fleet-partner-api-prod-latency",
            "Partner API average latency above 800ms",
            [m.get("AWS/ApiGateway", "Latency", d)],
            "Average",
            300,
            2,
            2,
            800.0,
            "GreaterThanThreshold",
            "missing",
            [sns],
        ),
        AlarmSpec(
            "fleet-edge-v2-target-5xx",
            "fleet-api targets returning 5xx",
            [m.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", new_lbd)],
            "Sum",
            60,
            3,
            3,
            20.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns],
        ),
    ]
    alarms: list[Rec] = []
    history: list[Rec] = []
    for spec in specs:
        alarm, hist, _ = alarm_records(spec, account, region, start, now, rng)
        alarms.append(alarm)
        history.extend(hist)

    # --- resources -------------------------------------------------------------------------------
    resources: list[Rec] = []
    created = start - timedelta(days=rng.randint(300, 700))
    migrated = start - timedelta(days=rng.randint(12, 30))
    prev_deploy_at = migrated + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
    resources.append(
        {
            "service": "apigateway",
            "type": "RestApi",
            "item": {
                "id": api_id,
                "name": api_name,
                "description": "Fleet partner API (trips, vehicle positions, geofences)",
                "createdDate": iso(created),
                "apiKeySource": "HEADER",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "disableExecuteApiEndpoint": False,
                "rootResourceId": "r00t" + ids.short(6),
            },
        }
    )
    resources.append(
        {
            "service": "apigateway",
            "type": "RestApiStage",
            "item": {
                "restApiId": api_id,
                "deploymentId": new_dep,
                "stageName": stage,
                "description": "production",
                "cacheClusterEnabled": False,
                "cacheClusterStatus": "NOT_AVAILABLE",
                "methodSettings": {
                    "*/*": {
                        "metricsEnabled": False,
                        "loggingLevel": "INFO",
                        "dataTraceEnabled": False,
                        "throttlingBurstLimit": 2000,
                        "throttlingRateLimit": 1000.0,
                        "cachingEnabled": False,
                        "cacheTtlInSeconds": 300,
                        "cacheDataEncrypted": False,
                        "requireAuthorizationForCacheControl": True,
                        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
                    }
                },
                "accessLogSettings": {
                    "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength","integrationStatus":"$context.integration.status","integrationLatency":"$context.integration.latency","apiKeyId":"$context.identity.apiKeyId"}',
                    "destinationArn": f"arn:aws:logs:{region}:{account}:log-group:/aws/apigateway/{api_name}/prod-access",
                },
                "tracingEnabled": False,
                "createdDate": iso(created),
                "lastUpdatedDate": iso(onset),
            },
        }
    )
    root_id = resources[0]["item"]["rootResourceId"]
    res_ids = {
        p: ids.short(6)
        for p in (
            "/v1",
            "/v1/trips",
            "/v1/vehicles",
            "/v1/vehicles/{vehicleId}",
            "/v1/vehicles/{vehicleId}/positions",
            "/v1/geofences",
        )
    }
    paths: list[tuple[str, str, str, dict[str, object]]] = [
        ("/", root_id, "", {}),
        ("/v1", res_ids["/v1"], root_id, {}),
        ("/v1/trips", res_ids["/v1/trips"], res_ids["/v1"], {"GET": {}, "POST": {}}),
        ("/v1/vehicles", res_ids["/v1/vehicles"], res_ids["/v1"], {}),
        ("/v1/vehicles/{vehicleId}", res_ids["/v1/vehicles/{vehicleId}"], res_ids["/v1/vehicles"], {}),
        (
            "/v1/vehicles/{vehicleId}/positions",
            res_ids["/v1/vehicles/{vehicleId}/positions"],
            res_ids["/v1/vehicles/{vehicleId}"],
            {"GET": {}},
        ),
        ("/v1/geofences", res_ids["/v1/geofences"], res_ids["/v1"], {"GET": {}}),
    ]
    for path, rid, parent, methods in paths:
        item: Rec = {"restApiId": api_id, "id": rid, "path": path}
        if parent:
            item["parentId"] = parent
            item["pathPart"] = path.rsplit("/", 1)[1]
        if methods:
            item["resourceMethods"] = methods
        resources.append({"service": "apigateway", "type": "RestApiResource", "item": item})
    integrations = [
        ("/v1/trips", "GET", old_dns, "/v1/trips"),
        ("/v1/trips", "POST", old_dns, "/v1/trips"),
        ("/v1/vehicles/{vehicleId}/positions", "GET", old_dns, "/v1/vehicles/{vehicleId}/positions"),
        ("/v1/geofences", "GET", new_dns, "/v1/geofences"),
    ]
    for path, method, host, backend in integrations:
        integ: Rec = {
            "restApiId": api_id,
            "resourceId": res_ids[path],
            "httpMethod": method,
            "type": "HTTP_PROXY",
            "uri": f"http://{host}{backend}",
            "connectionType": "INTERNET",
            "passthroughBehavior": "WHEN_NO_MATCH",
            "timeoutInMillis": 29000,
            "cacheNamespace": res_ids[path],
            "cacheKeyParameters": [],
        }
        if "{vehicleId}" in path:
            integ["requestParameters"] = {
                "integration.request.path.vehicleId": "method.request.path.vehicleId"
            }
        resources.append({"service": "apigateway", "type": "MethodIntegration", "item": integ})
    for dep, when, desc in (
        (old_dep, prev_deploy_at, f"fleet-partner-api build {build_no - rng.randint(3, 9)}"),
        (
            new_dep,
            onset - timedelta(seconds=rng.randint(8, 20)),
            f"fleet-partner-api build {build_no} ({sha[:7]})",
        ),
    ):
        resources.append(
            {
                "service": "apigateway",
                "type": "Deployment",
                "item": {"id": dep, "description": desc, "createdDate": iso(when)},
            }
        )
    resources.append(
        {
            "service": "apigateway",
            "type": "UsagePlan",
            "item": {
                "id": ids.short(6),
                "name": "partners-standard",
                "description": "Default partner quota",
                "apiStages": [{"apiId": api_id, "stage": stage}],
                "throttle": {"burstLimit": 200, "rateLimit": 100.0},
                "quota": {"limit": 2_000_000, "offset": 0, "period": "MONTH"},
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                **alb_item(ids, new_arn, new_lb, vpc, azs, subnets, [sg_alb], migrated - timedelta(days=20)),
                "DNSName": new_dns,
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                **alb_item(ids, old_arn, old_lb, vpc, azs, subnets, [sg_alb], created),
                "DNSName": old_dns,
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": tg_item(new_tg, "fleet-api-v2", 8080, vpc, new_arn, "/health"),
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": tg_item(old_tg, "fleet-api-v0", 8080, vpc, old_arn, "/health"),
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": f"arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{new_lb}/{new_hex}/{ids.hex(16)}",
                "LoadBalancerArn": new_arn,
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": new_tg, "Order": 1}],
            },
        }
    )
    old_listener = (
        f"arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{old_lb}/{old_hex}/{ids.hex(16)}"
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": old_listener,
                "LoadBalancerArn": old_arn,
                "Port": 80,
                "Protocol": "HTTP",
                "DefaultActions": [
                    {
                        "Type": "fixed-response",
                        "Order": 1,
                        "FixedResponseConfig": {
                            "MessageBody": "Not Found",
                            "StatusCode": "404",
                            "ContentType": "text/plain",
                        },
                    }
                ],
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "Rule",
            "item": {
                "RuleArn": f"arn:aws:elasticloadbalancing:{region}:{account}:listener-rule/app/{old_lb}/{old_hex}/{old_listener.rsplit('/', 1)[1]}/{ids.hex(16)}",
                "Priority": "10",
                "Conditions": [
                    {"Field": "path-pattern", "Values": ["/v0/*"], "PathPatternConfig": {"Values": ["/v0/*"]}}
                ],
                "Actions": [{"Type": "forward", "TargetGroupArn": old_tg, "Order": 1}],
                "IsDefault": False,
            },
        }
    )

    # --- events: target health -------------------------------------------------------------------
    events: list[Rec] = []
    for tg, n in ((new_tg, 3), (old_tg, 1)):
        for k in range(n):
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg,
                        "target": {
                            "Id": f"10.{rng.randint(40, 49)}.{rng.randint(0, 47)}.{rng.randint(5, 250)}",
                            "Port": 8080,
                            "AvailabilityZone": azs[k % 3],
                        },
                        "health": {"State": "healthy"},
                        "timestamp": iso(start - timedelta(days=1, minutes=rng.randint(0, 600))),
                    },
                }
            )

    # --- CloudTrail ------------------------------------------------------------------------------
    trail = Trail(rng, ids, account, region)
    runner_ip = f"{rng.choice(['4.210', '20.61', '172.184'])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    ci = trail.role("fleet-ci-deploy", "codebuild", runner_ip, TERRAFORM.replace("{api}", "api_gateway"))
    ci.invoked_by = None
    lena = trail.sso("lena.vogt@ostwind-logistik.de", "PlatformEngineer", office_ip(rng), CONSOLE)
    tom = trail.sso(
        "tomasz.nowak@ostwind-logistik.de",
        "Developer",
        office_ip(rng),
        cli("lambda.update-function-configuration", rng),
    )
    reader = trail.sso("ines.carvalho@ostwind-logistik.de", "ReadOnly", office_ip(rng), CONSOLE)
    grafana = trail.role(
        "grafana-cloudwatch-read",
        "grafana",
        public_ip(rng),
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1",
    )
    apigw_svc = trail.aws_service("apigateway.amazonaws.com")

    for t in spread(rng, start, now, 9):
        trail.add(
            t,
            grafana,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {
                "metricDataQueries": [
                    {
                        "id": "a",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/ApiGateway",
                                "metricName": "Count",
                                "dimensions": [
                                    {"name": "ApiName", "value": api_name},
                                    {"name": "Stage", "value": stage},
                                ],
                            },
                            "period": 60,
                            "stat": "Sum",
                        },
                        "returnData": True,
                    }
                ],
                "startTime": iso(t - timedelta(hours=3)),
                "endTime": iso(t),
            },
        )
    for t in spread(rng, start, onset_m - timedelta(minutes=40), 9):
        reads: list[tuple[str, str, Rec]] = [
            ("apigateway.amazonaws.com", "GetRestApis", {"limit": 500}),
            ("apigateway.amazonaws.com", "GetStages", {"restApiId": api_id}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"names": [new_lb]}),
            (
                "logs.amazonaws.com",
                "FilterLogEvents",
                {"logGroupName": f"/aws/apigateway/{api_name}/prod-access", "startTime": 0},
            ),
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": "fleet-prod", "services": ["fleet-api"]}),
            ("apigateway.amazonaws.com", "GetUsagePlans", {"limit": 25}),
        ]
        src, name, params = rng.choice(reads)
        trail.add(t, rng.choice([lena, tom, reader]), src, name, params)
    for t in spread(rng, start, now, 4):
        trail.add(
            t,
            apigw_svc,
            "logs.amazonaws.com",
            "CreateLogStream",
            {"logGroupName": f"API-Gateway-Execution-Logs_{api_id}/{stage}", "logStreamName": ids.hex(32)},
            None,
            read_only=False,
        )

    # innocent change 1: a partner's quota raised on the usage plan (near the API, harmless)
    plan_id = resources[[r["type"] for r in resources].index("UsagePlan")]["item"]["id"]
    trail.add(
        onset_m - timedelta(minutes=rng.randint(17, 26), seconds=rng.randint(0, 59)),
        lena,
        "apigateway.amazonaws.com",
        "UpdateUsagePlan",
        {
            "usagePlanId": plan_id,
            "patchOperations": [{"op": "replace", "path": "/quota/limit", "value": "3000000"}],
        },
        {
            "id": plan_id,
            "name": "partners-standard",
            "quota": {"limit": 3_000_000, "offset": 0, "period": "MONTH"},
        },
        read_only=False,
    )
    # innocent change 2: another team's Lambda configuration
    trail.add(
        onset_m - timedelta(minutes=rng.randint(6, 12), seconds=rng.randint(0, 59)),
        tom,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "fleet-telematics-ingest", "memorySize": 1536, "timeout": 60},
        {
            "functionName": "fleet-telematics-ingest",
            "memorySize": 1536,
            "timeout": 60,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        read_only=False,
    )
    # the pipeline: import, deploy, point the stage at the deployment
    put_at = onset - timedelta(seconds=rng.randint(30, 45))
    trail.add(
        put_at - timedelta(seconds=6),
        ci,
        "apigateway.amazonaws.com",
        "GetRestApi",
        {"restApiId": api_id},
    )
    trail.add(
        put_at,
        ci,
        "apigateway.amazonaws.com",
        "PutRestApi",
        {"restApiId": api_id, "mode": "overwrite", "failOnWarnings": True},
        {"id": api_id, "name": api_name, "createdDate": created.strftime("%b %-d, %Y %-I:%M:%S %p")},
        read_only=False,
    )
    dep_at = onset - timedelta(seconds=rng.randint(8, 20))
    trail.add(
        dep_at,
        ci,
        "apigateway.amazonaws.com",
        "CreateDeployment",
        {"restApiId": api_id, "description": f"fleet-partner-api build {build_no} ({sha[:7]})"},
        {
            "id": new_dep,
            "description": f"fleet-partner-api build {build_no} ({sha[:7]})",
            "createdDate": dep_at.strftime("%b %-d, %Y %-I:%M:%S %p"),
        },
        read_only=False,
    )
    culprit = trail.add(
        onset,
        ci,
        "apigateway.amazonaws.com",
        "UpdateStage",
        {
            "restApiId": api_id,
            "stageName": stage,
            "patchOperations": [{"op": "replace", "path": "/deploymentId", "value": new_dep}],
        },
        {
            "deploymentId": new_dep,
            "stageName": stage,
            "lastUpdatedDate": onset.strftime("%b %-d, %Y %-I:%M:%S %p"),
        },
        read_only=False,
    )
    looks: list[tuple[str, str, Rec]] = [
        ("apigateway.amazonaws.com", "GetStage", {"restApiId": api_id, "stageName": stage}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": new_tg}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": "fleet-prod", "services": ["fleet-api"]}),
        (
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupName": f"/aws/apigateway/{api_name}/prod-access",
                "queryString": "fields @timestamp, status, resourcePath | filter status = '404' | stats count() by resourcePath",
            },
        ),
    ]
    for k, (src, name, params) in enumerate(looks):
        when = onset_m + timedelta(minutes=rng.randint(15, 22) + 2 * k, seconds=rng.randint(0, 59))
        if when < now:
            trail.add(when, lena, src, name, params)

    # --- logs ------------------------------------------------------------------------------------
    logs: list[Rec] = []
    access = f"/aws/apigateway/{api_name}/prod-access"
    execg = f"API-Gateway-Execution-Logs_{api_id}/{stage}"
    partner_keys = [ids.short(10) for _ in range(6)]
    partner_ips = [public_ip(rng) for _ in range(6)]
    access_stream = ids.hex(32)
    exec_streams = [ids.hex(32) for _ in range(4)]
    t = start
    while t < now:
        t += timedelta(seconds=rng.uniform(6, 16) / max(0.3, traffic(t)))
        if t >= now:
            break
        r = rng.random()
        if r < 0.55:
            method, path, host = "POST", "/v1/trips", old_dns if t >= onset else new_dns
        elif r < 0.7:
            method, path, host = "GET", "/v1/trips", old_dns if t >= onset else new_dns
        elif r < 0.88:
            method, path, host = (
                "GET",
                "/v1/vehicles/{vehicleId}/positions",
                old_dns if t >= onset else new_dns,
            )
        else:
            method, path, host = "GET", "/v1/geofences", new_dns
        if path == "/v1/geofences" and t < onset:
            method, path, host = "GET", "/v1/trips", new_dns
        p = rng.randrange(6)
        req = ids.uuid()
        stale = host == old_dns
        auth_fail = rng.random() < 0.012
        if auth_fail:
            status, istatus, ilat, length = "403", "-", "-", "42"
        elif stale:
            status, istatus, ilat, length = "404", "404", str(rng.randint(2, 6)), "9"
        else:
            status = "201" if method == "POST" else "200"
            istatus, ilat, length = (
                status,
                str(int(rng.lognormvariate(3.8, 0.35))),
                str(rng.randint(180, 4800)),
            )
        rec = {
            "requestId": req,
            "ip": partner_ips[p],
            "requestTime": t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "httpMethod": method,
            "resourcePath": path,
            "status": status,
            "responseLength": length,
            "integrationStatus": istatus,
            "integrationLatency": ilat,
            "apiKeyId": partner_keys[p],
        }
        logs.append(log(access, access_stream, t, json.dumps(rec, separators=(",", ":"))))
        if auth_fail or rng.random() > 0.25:
            continue
        es = rng.choice(exec_streams)
        concrete = path.replace("{vehicleId}", f"VH-{ids.digits(6)}")
        lines = [
            f"({req}) Extended Request Id: {ids.upper(8)}{ids.upper(8)}=",
            f"({req}) Verifying Usage Plan for request: {req}. API Key: **********{partner_keys[p][-4:]} API Stage: {api_id}/{stage}",
            f"({req}) Usage Plan check succeeded for API Key **********{partner_keys[p][-4:]} and API Stage {api_id}/{stage}",
            f"({req}) Starting execution for request: {req}",
            f"({req}) HTTP Method: {method}, Resource Path: {concrete}",
            f"({req}) Endpoint request URI: http://{host}{concrete}",
            f"({req}) Sending request to http://{host}{concrete}",
            f"({req}) Received response. Status: {istatus}, Integration latency: {ilat} ms",
            f"({req}) Method completed with status: {status}",
        ]
        for k, line in enumerate(lines):
            logs.append(
                log(execg, es, t + timedelta(milliseconds=k * 2 + (int(ilat) if k >= 7 else 0)), line)
            )
    # unrelated warnings in the fleet-api service log
    api_streams = [f"ecs/fleet-api/{ids.hex(32)}" for _ in range(3)]
    for t in spread(rng, start, now, 25):
        logs.append(
            log(
                "/ecs/fleet-api",
                rng.choice(api_streams),
                t,
                rng.choice(
                    [
                        f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}  WARN 1 --- [pool-3-thread-2] d.o.fleet.geo.RouteSnapper : snap distance {rng.randint(120, 400)}m above 100m for vehicle VH-{ids.digits(6)}, keeping raw position",
                        f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}  INFO 1 --- [scheduling-1] d.o.fleet.trips.TripCloser : closed {rng.randint(20, 140)} idle trips",
                    ]
                ),
            )
        )

    local = onset + timedelta(hours=utc_off)
    question = (
        f"Since about {local.strftime('%H:%M')} partners are getting 404 Not Found from the fleet partner API "
        "(prod), mostly on POST /v1/trips. The fleet-api service itself looks healthy. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": tz},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": api_id,
                    "category": "change",
                    "failure_mode": "apigw-integration-stale-backend-uri",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [
                    api_name,
                    f"arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{stage}",
                    f"{api_name}/{stage}",
                    new_dep,
                ],
                "actions": ["rollback"],
                "chain": [
                    f"UpdateStage points {api_name} stage {stage} at deployment {new_dep}",
                    f"that deployment's /v1/trips and positions integrations target the legacy {old_lb} ALB ({old_dns})",
                    f"{old_lb}'s listener has no /v1 rule and answers with its fixed 404",
                    f"{api_name} 4XXError rises and fleet-partner-api-prod-4xx alarms; fleet-edge-v2 traffic drops",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": sorted_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
