"""Payroll calculations dead-lettering: calls to the tax-tables API from the payroll VPC get 403."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_z import (
    BOTO_UA,
    CONSOLE_UA,
    TF_UA,
    AlarmSpec,
    Json,
    Kit,
    alarm_event,
    ci_ip,
    diurnal,
    evaluate_alarm,
    iso,
    lambda_invocation,
    lambda_stream,
    name_tags,
    office_ip,
    spread,
)

NAME = "payroll-execute-api-endpoint-dns"
TITLE = "payroll-calc dead-letter queue alarm; tax table lookups failing"
SUMMARY = (
    "A new execute-api interface VPC endpoint with private DNS in the payroll VPC sends every call to the "
    "public regional tax-tables API through the endpoint, which answers 403; calculations dead-letter."
)

REGION = "us-east-1"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 8)}{rng.randint(10**10, 10**11 - 1)}"
    day = datetime(2024, 9, 9, tzinfo=UTC) + timedelta(days=rng.choice([0, 1, 2, 3, 7, 8, 9, 10, 14, 15]))
    created_vpce = day + timedelta(hours=14, minutes=rng.randint(5, 40), seconds=rng.randint(0, 59))
    onset = created_vpce + timedelta(seconds=rng.randint(75, 130))  # endpoint available, private DNS live
    start = onset - timedelta(hours=rng.randint(5, 6), minutes=rng.randint(0, 30))
    now = onset + timedelta(minutes=rng.randint(38, 55))
    kit = Kit(NAME, seed, REGION, account, start, now, now + timedelta(minutes=1))
    kit.rng = rng

    vpc, vpc_hr = kit.eid("vpc"), kit.eid("vpc")
    subnets = [kit.eid("subnet") for _ in range(2)]
    azs = [f"{REGION}a", f"{REGION}b"]
    sg_tasks, sg_vpce, sg_lambda = kit.eid("sg"), kit.eid("sg"), kit.eid("sg")
    vpce_id = f"vpce-0{kit.hex(16)}"
    vpce_s3 = f"vpce-0{kit.hex(16)}"
    vpce_sqs = f"vpce-0{kit.hex(16)}"
    api_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    priv_api_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    api_host = f"{api_id}.execute-api.{REGION}.amazonaws.com"
    cluster = "payroll-prod"
    q_calc, q_dlq = "payroll-calc-requests", "payroll-calc-dlq"
    q_base = f"https://sqs.{REGION}.amazonaws.com/{account}"
    nat_eip = f"44.{rng.randint(192, 223)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    hr_nat_eip = f"52.{rng.randint(0, 95)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    sns_arn = kit.arn("sns", "payroll-oncall")
    tax_fn, ben_fn = "tax-tables-lookup", "benefits-eligibility"
    vpce_ips = [f"10.60.{rng.choice([10, 11])}.{rng.randint(20, 240)}" for _ in range(2)]
    vpce_enis = [f"eni-0{kit.hex(16)}" for _ in range(2)]
    dns_suffix = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))

    dana = kit.sso("dana.kowalczyk", "NetworkAdmin")
    marco = kit.sso("marco.bellini", "Developer")
    wei = kit.sso("wei.zhang", "ReadOnly")
    ci_tax = kit.role("gha-tax-tables-deploy", "GitHubActions")
    tf = kit.role("terraform-apply-platform", "atlantis")
    cfg = kit.aws_service("config.amazonaws.com")
    ip_dana, ip_marco, ip_wei = office_ip(rng), office_ip(rng), office_ip(rng)

    # --- metrics -------------------------------------------------------------------------------------
    fine_from = onset - timedelta(minutes=100)
    visible = float(rng.randint(0, 3))
    dlq = 0.0
    failing: list[tuple[datetime, float]] = []  # (time first received, count)
    oldest_since: datetime | None = None
    ep_dims = {
        "Endpoint Type": "Interface",
        "Service Name": f"com.amazonaws.{REGION}.execute-api",
        "VPC Endpoint Id": vpce_id,
        "VPC Id": vpc,
    }
    for t, step in kit.times(fine_from):
        mins = step / 60
        after = t >= onset
        jobs = kit.noise(diurnal(t, -4, 6, 38, peak_hour=11) * mins, 0.12)
        hr_calls = kit.noise(diurnal(t, -4, 3, 14, peak_hour=11) * mins, 0.15)
        ben_calls = kit.noise(diurnal(t, -4, 2, 9, peak_hour=12) * mins, 0.2)
        # the queue: before, messages are received and deleted; after, received, fail and come back
        received = jobs + visible * (0.3 if after else 0.95)
        if after:
            failing.append((t, jobs))
            moved = sum(c for (ft, c) in failing if (t - ft).total_seconds() >= 360)
            failing = [(ft, c) for (ft, c) in failing if (t - ft).total_seconds() < 360]
            dlq += moved
            visible = visible + jobs * 0.7 - moved * 0.0
            visible = max(0.0, sum(c for _, c in failing) * 0.6)
            oldest_since = oldest_since or t
            deleted = 0.0
            receive_n = sum(c for _, c in failing) / 2 * mins
        else:
            deleted = jobs
            receive_n = received
            visible = max(0.0, visible * 0.5 + kit.noise(1.0, 0.5))
        d_calc = {"QueueName": q_calc}
        kit.put("AWS/SQS", "NumberOfMessagesSent", d_calc, t, round(jobs))
        kit.put("AWS/SQS", "NumberOfMessagesReceived", d_calc, t, round(receive_n))
        kit.put("AWS/SQS", "NumberOfMessagesDeleted", d_calc, t, round(deleted))
        kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", d_calc, t, round(visible))
        kit.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            d_calc,
            t,
            round(sum(c for _, c in failing) * 0.4) if after else rng.randint(0, 4),
        )
        age = (t - oldest_since).total_seconds() % 361 if oldest_since else rng.randint(1, 9)
        kit.put("AWS/SQS", "ApproximateAgeOfOldestMessage", d_calc, t, age, "Seconds")
        d_dlq = {"QueueName": q_dlq}
        kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", d_dlq, t, round(dlq))
        kit.put("AWS/SQS", "NumberOfMessagesSent", d_dlq, t, 0)
        # the regional tax-tables API: callers from the payroll VPC disappear after the onset
        from_payroll = jobs * 3 + ben_calls
        api_count = hr_calls + (0 if after else from_payroll)
        dims_api = {"ApiName": "tax-tables", "Stage": "v1"}
        kit.put("AWS/ApiGateway", "Count", dims_api, t, round(api_count))
        kit.put("AWS/ApiGateway", "4XXError", dims_api, t, kit.poisson(api_count * 0.002))
        kit.put("AWS/ApiGateway", "5XXError", dims_api, t, 0)
        lat = [max(8.0, rng.lognormvariate(3.4, 0.35)) for _ in range(10)]
        kit.put_dist("AWS/ApiGateway", "Latency", dims_api, t, lat, "Milliseconds")
        kit.put_dist(
            "AWS/ApiGateway", "IntegrationLatency", dims_api, t, [v * 0.8 for v in lat], "Milliseconds"
        )
        dfn = {"FunctionName": tax_fn}
        kit.put("AWS/Lambda", "Invocations", dfn, t, round(api_count))
        kit.put("AWS/Lambda", "Errors", dfn, t, 0)
        kit.put_dist(
            "AWS/Lambda",
            "Duration",
            dfn,
            t,
            [max(3.0, rng.lognormvariate(2.9, 0.4)) for _ in range(8)],
            "Milliseconds",
        )
        kit.put("AWS/Lambda", "ConcurrentExecutions", dfn, t, max(1, round(api_count / step * 0.03 + 1)))
        dben = {"FunctionName": ben_fn}
        kit.put("AWS/Lambda", "Invocations", dben, t, round(ben_calls))
        kit.put(
            "AWS/Lambda", "Errors", dben, t, round(ben_calls) if after else kit.poisson(ben_calls * 0.003)
        )
        kit.put_dist(
            "AWS/Lambda",
            "Duration",
            dben,
            t,
            [max(20.0, rng.lognormvariate(4.4 if not after else 3.6, 0.3)) for _ in range(6)],
            "Milliseconds",
        )
        dsvc = {"ClusterName": cluster, "ServiceName": "payroll-runner"}
        kit.put(
            "AWS/ECS",
            "CPUUtilization",
            dsvc,
            t,
            kit.noise(12 + jobs / mins * 0.9 * (0.4 if after else 1)),
            "Percent",
        )
        kit.put("AWS/ECS", "MemoryUtilization", dsvc, t, kit.noise(52, 0.02), "Percent")
        nat = {"NatGatewayId": "nat-0" + "7c1e4a9b2d3f5e6a"}
        kit.put(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            nat,
            t,
            round(kit.noise(140 if not after else 95, 0.08)),
        )
        kit.put(
            "AWS/NATGateway",
            "ConnectionEstablishedCount",
            nat,
            t,
            round(kit.noise((from_payroll * 0.3 if not after else 0) + 60 * mins, 0.1)),
        )
        if t >= onset - timedelta(minutes=1) and t >= created_vpce:
            kit.put("AWS/PrivateLinkEndpoints", "NewConnections", ep_dims, t, round(from_payroll * 0.4))
            kit.put(
                "AWS/PrivateLinkEndpoints", "ActiveConnections", ep_dims, t, round(from_payroll * 0.1) + 2
            )
            kit.put(
                "AWS/PrivateLinkEndpoints", "BytesProcessed", ep_dims, t, round(from_payroll * 5800), "Bytes"
            )
            kit.put("AWS/PrivateLinkEndpoints", "PacketsDropped", ep_dims, t, 0)

    # --- logs ----------------------------------------------------------------------------------------
    runner_group = "/ecs/payroll-runner"
    tasks = [kit.hex(32) for _ in range(3)]

    def jline(t: datetime, level: str, logger: str, msg: str, thread: str = "calc-worker-3") -> str:
        return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} {level:5} 1 --- [{thread}] {logger:<40} : {msg}"

    for task in tasks:
        stream = f"payroll-runner/payroll-runner/{task}"
        t = start
        while t < now:
            t += timedelta(seconds=rng.expovariate(1 / 40))
            if t >= now:
                break
            batch = f"pb-{kit.hex(10)}"
            thread = f"calc-worker-{rng.randint(1, 8)}"
            if t < onset:
                kit.log(
                    runner_group,
                    stream,
                    t,
                    jline(
                        t,
                        "INFO",
                        "c.p.runner.CalcWorker",
                        f"batch={batch} employer=ER{rng.randint(10000, 99999)} employees={rng.randint(4, 180)} "
                        f"calculated in {rng.randint(600, 4200)}ms",
                        thread,
                    ),
                )
                if rng.random() < 0.01:
                    kit.log(
                        runner_group,
                        stream,
                        t,
                        jline(
                            t,
                            "WARN",
                            "o.h.engine.jdbc.spi.SqlExceptionHelper",
                            "SQL Warning Code: 0, SQLState: 01000",
                            thread,
                        ),
                    )
            else:
                state = rng.choice(["CA", "NY", "TX", "WA", "IL", "MA", "NJ"])
                rid = kit.uuid()
                kit.log(
                    runner_group,
                    stream,
                    t,
                    jline(
                        t,
                        "WARN",
                        "c.p.runner.tax.TaxTablesClient",
                        f"GET https://{api_host}/v1/rates/{state}/2024 -> 403 x-amzn-RequestId={rid} "
                        "x-amzn-ErrorType=ForbiddenException",
                        thread,
                    ),
                )
                kit.log(
                    runner_group,
                    stream,
                    t + timedelta(milliseconds=4),
                    jline(
                        t,
                        "ERROR",
                        "c.p.runner.CalcWorker",
                        f"batch={batch} failed, leaving message for retry\n"
                        "org.springframework.web.client.HttpClientErrorException$Forbidden: 403 Forbidden: "
                        '"{"message":"Forbidden"}"\n'
                        "\tat org.springframework.web.client.HttpClientErrorException.create(HttpClientErrorException.java:109)\n"
                        "\tat org.springframework.web.client.DefaultResponseErrorHandler.handleError"
                        "(DefaultResponseErrorHandler.java:183)\n"
                        "\tat org.springframework.web.client.RestTemplate.handleResponse(RestTemplate.java:915)\n"
                        "\tat com.paywise.runner.tax.TaxTablesClient.ratesFor(TaxTablesClient.java:71)\n"
                        "\tat com.paywise.runner.CalcWorker.process(CalcWorker.java:148)\n"
                        "\tat io.awspring.cloud.sqs.listener.adapter.MessagingMessageListenerAdapter.invokeHandler"
                        "(MessagingMessageListenerAdapter.java:52)",
                        thread,
                    ),
                )
        kit.log(
            runner_group,
            stream,
            start + timedelta(minutes=rng.randint(10, 200)),
            jline(
                start,
                "WARN",
                "c.zaxxer.hikari.pool.HikariPool",
                "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).",
                "HikariPool-1 housekeeper",
            ),
        )

    # benefits-eligibility Lambda (Python, in the payroll VPC)
    ben_group = f"/aws/lambda/{ben_fn}"
    stream = lambda_stream(kit, start)
    t = start
    while t < now:
        t += timedelta(seconds=rng.expovariate(1 / 75))
        if t >= now:
            break
        if t < onset:
            lambda_invocation(
                kit,
                ben_group,
                stream,
                t,
                rng.lognormvariate(4.4, 0.3),
                256,
                rng.randint(88, 96),
                [
                    f"[INFO]\t{iso(t)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\teligibility computed plan=PPO-"
                    f"{rng.randint(1, 4)} dependents={rng.randint(0, 4)}"
                ],
            )
        else:
            url = f"https://{api_host}/v1/rates/{rng.choice(['CA', 'NY', 'TX', 'OR'])}/2024"
            lambda_invocation(
                kit,
                ben_group,
                stream,
                t,
                rng.lognormvariate(3.6, 0.3),
                256,
                rng.randint(88, 96),
                [
                    f"[ERROR] HTTPError: 403 Client Error: Forbidden for url: {url}\nTraceback (most recent call last):\n"
                    '  File "/var/task/handler.py", line 42, in handler\n    rates = tax_client.rates(state, year)\n'
                    '  File "/var/task/tax_client.py", line 27, in rates\n    resp.raise_for_status()\n'
                    '  File "/var/task/requests/models.py", line 1021, in raise_for_status\n'
                    "    raise HTTPError(http_error_msg, response=self)"
                ],
            )

    # tax-tables access logs (API Gateway custom access log format, JSON)
    acc_group = "/aws/apigateway/tax-tables-access"
    acc_stream = kit.hex(32)
    t = start
    while t < now:
        t += timedelta(seconds=rng.expovariate(1 / 25))
        if t >= now:
            break
        src = hr_nat_eip if (t >= onset or rng.random() < 0.3) else nat_eip
        body = {
            "requestId": kit.uuid(),
            "ip": src,
            "requestTime": f"{t:%d/%b/%Y:%H:%M:%S} +0000",
            "httpMethod": "GET",
            "resourcePath": "/rates/{state}/{year}",
            "status": "200",
            "protocol": "HTTP/1.1",
            "responseLength": str(rng.randint(1800, 4200)),
            "integrationLatency": str(rng.randint(14, 60)),
        }
        kit.log(acc_group, acc_stream, t, json.dumps(body, separators=(",", ":")))
    tax_group = f"/aws/lambda/{tax_fn}"
    tstream = lambda_stream(kit, start)
    t = start
    while t < now:
        t += timedelta(seconds=rng.expovariate(1 / (90 if t < onset else 160)))
        if t >= now:
            break
        lambda_invocation(
            kit, tax_group, tstream, t, rng.lognormvariate(2.9, 0.4), 512, rng.randint(120, 131)
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    # innocent 1: the tax-tables team deploys their API a little earlier
    t_dep = onset - timedelta(minutes=rng.randint(9, 16))
    dep_id = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    kit.ct(
        t_dep - timedelta(seconds=40),
        ci_tax,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": tax_fn,
            "publish": True,
            "s3Bucket": f"paywise-artifacts-{account}",
            "s3Key": f"tax-tables/{kit.hex(40)}.zip",
        },
        {
            "functionName": tax_fn,
            "functionArn": kit.arn("lambda", f"function:{tax_fn}"),
            "runtime": "python3.12",
            "codeSize": rng.randint(2_000_000, 3_000_000),
            "version": str(rng.randint(40, 60)),
            "lastUpdateStatus": "InProgress",
        },
        ip=ci_ip(rng),
        agent=BOTO_UA,
        version="1.08",
    )
    kit.ct(
        t_dep,
        ci_tax,
        "apigateway.amazonaws.com",
        "CreateDeployment",
        {
            "restApiId": api_id,
            "createDeploymentInput": {"stageName": "v1", "description": f"tax-tables {kit.hex(7)}"},
        },
        {"id": dep_id, "createdDate": t_dep.strftime("%b %-d, %Y %-I:%M:%S %p")},
        ip=ci_ip(rng),
        agent=BOTO_UA,
        version="1.08",
    )
    # the new endpoint, for a new private API in the same VPC
    vpce_req = {
        "CreateVpcEndpointRequest": {
            "VpcId": vpc,
            "VpcEndpointType": "Interface",
            "ServiceName": f"com.amazonaws.{REGION}.execute-api",
            "SubnetId": [{"tag": 1, "content": subnets[0]}, {"tag": 2, "content": subnets[1]}],
            "SecurityGroupId": {"tag": 1, "content": sg_vpce},
            "PrivateDnsEnabled": True,
            "TagSpecification": {
                "tag": 1,
                "ResourceType": "vpc-endpoint",
                "Tag": [
                    {"tag": 1, "Key": "Name", "Value": "payroll-prod-execute-api"},
                    {"tag": 2, "Key": "project", "Value": "payroll-reports-internal"},
                ],
            },
        }
    }
    culprit = kit.ct(
        created_vpce,
        tf,
        "ec2.amazonaws.com",
        "CreateVpcEndpoint",
        vpce_req,
        {
            "CreateVpcEndpointResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": kit.uuid(),
                "vpcEndpoint": {
                    "vpcEndpointId": vpce_id,
                    "vpcEndpointType": "Interface",
                    "vpcId": vpc,
                    "serviceName": f"com.amazonaws.{REGION}.execute-api",
                    "state": "pending",
                    "privateDnsEnabled": True,
                    "creationTimestamp": iso(created_vpce),
                },
            }
        },
        ip=ci_ip(rng),
        agent=TF_UA,
    )
    t_priv = created_vpce - timedelta(minutes=rng.randint(3, 6))
    kit.ct(
        t_priv,
        tf,
        "apigateway.amazonaws.com",
        "CreateRestApi",
        {
            "createRestApiInput": {
                "name": "payroll-reports-internal",
                "endpointConfiguration": {"types": ["PRIVATE"]},
            }
        },
        {
            "id": priv_api_id,
            "name": "payroll-reports-internal",
            "endpointConfiguration": {"types": ["PRIVATE"]},
        },
        ip=ci_ip(rng),
        agent=TF_UA,
        version="1.08",
    )
    kit.ct(
        t_priv + timedelta(seconds=30),
        tf,
        "ec2.amazonaws.com",
        "CreateSecurityGroup",
        {
            "groupName": "payroll-prod-execute-api-vpce",
            "groupDescription": "HTTPS to execute-api endpoint",
            "vpcId": vpc,
        },
        {"_return": True, "groupId": sg_vpce},
        ip=ci_ip(rng),
        agent=TF_UA,
    )
    kit.ct(
        t_priv + timedelta(seconds=34),
        tf,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": sg_vpce,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "ipRanges": {"items": [{"cidrIp": "10.60.0.0/16"}]},
                    }
                ]
            },
        },
        {"_return": True},
        ip=ci_ip(rng),
        agent=TF_UA,
    )
    # innocent 2: a developer raises the benefits function's memory shortly after
    t_mem = onset + timedelta(minutes=rng.randint(9, 15))
    kit.ct(
        t_mem,
        marco,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "payslip-render", "memorySize": 1536},
        {"functionName": "payslip-render", "memorySize": 1536, "lastUpdateStatus": "InProgress"},
        ip=ip_marco,
        agent=CONSOLE_UA,
        version="1.08",
    )
    for t in spread(kit, start, now, 8):
        kit.ct(
            t,
            cfg,
            "ec2.amazonaws.com",
            "DescribeVpcEndpoints",
            {"vpcEndpointIdSet": {}, "filterSet": {}},
            None,
            read_only=True,
        )
    for t in spread(kit, start, now, 7):
        kit.ct(
            t,
            wei,
            "logs.amazonaws.com",
            "FilterLogEvents",
            {
                "logGroupName": runner_group,
                "startTime": int(t.timestamp() * 1000) - 900000,
                "filterPattern": "ERROR",
            },
            None,
            read_only=True,
            ip=ip_wei,
            agent=CONSOLE_UA,
        )
    for t in spread(kit, start, onset, 6):
        kit.ct(
            t,
            dana,
            "ec2.amazonaws.com",
            rng.choice(["DescribeRouteTables", "DescribeNatGateways", "DescribeSubnets"]),
            {"filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]}},
            None,
            read_only=True,
            ip=ip_dana,
            agent=CONSOLE_UA,
        )
    for t in spread(kit, start, now, 5):
        sess = kit.hex(32)
        kit.service_assume(
            t, "ecs-tasks.amazonaws.com", f"arn:aws:iam::{account}:role/payroll-runner-task", sess
        )
    for t in spread(kit, start, now, 4):
        kit.service_assume(t, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/{ben_fn}-role", ben_fn)
    kit.ct(
        start + timedelta(minutes=rng.randint(30, 90)),
        dana,
        "ec2.amazonaws.com",
        "CreateTags",
        {
            "resourcesSet": {"items": [{"resourceId": subnets[0]}]},
            "tagSet": {"items": [{"key": "cost-centre", "value": "payroll"}]},
        },
        {"_return": True},
        ip=ip_dana,
        agent=CONSOLE_UA,
    )
    kit.ct(
        start + timedelta(minutes=rng.randint(100, 150)),
        marco,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": f"{q_base}/payslip-render-requests", "attributes": {"VisibilityTimeout": "300"}},
        None,
        ip=ip_marco,
        agent=CONSOLE_UA,
    )

    # --- alarms --------------------------------------------------------------------------------------
    dlq_alarm = evaluate_alarm(
        kit,
        AlarmSpec(
            "payroll-calc-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": q_dlq},
            "Maximum",
            60,
            1,
            1,
            0,
            "GreaterThanThreshold",
            "Payroll calculation requests are being dead-lettered",
            actions=[sns_arn],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "tax-tables-5xx",
            "AWS/ApiGateway",
            "5XXError",
            {"ApiName": "tax-tables", "Stage": "v1"},
            "Sum",
            300,
            1,
            1,
            5,
            "GreaterThanThreshold",
            "tax-tables API server errors",
            actions=[kit.arn("sns", "tax-team")],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "tax-tables-4xx-rate",
            "AWS/ApiGateway",
            "4XXError",
            {"ApiName": "tax-tables", "Stage": "v1"},
            "Sum",
            300,
            2,
            2,
            50,
            "GreaterThanThreshold",
            "tax-tables API client errors",
            actions=[kit.arn("sns", "tax-team")],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "payroll-calc-backlog-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": q_calc},
            "Maximum",
            300,
            3,
            3,
            1800,
            "GreaterThanThreshold",
            "Payroll calculation requests waiting > 30 min",
            actions=[sns_arn],
        ),
    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(400, 700))
    kit.res(
        "ec2",
        "Vpc",
        {
            "VpcId": vpc,
            "CidrBlock": "10.60.0.0/16",
            "State": "available",
            "OwnerId": account,
            "DhcpOptionsId": f"dopt-0{kit.hex(16)}",
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": name_tags("payroll-prod"),
        },
    )
    kit.res(
        "ec2",
        "Vpc",
        {
            "VpcId": vpc_hr,
            "CidrBlock": "10.70.0.0/16",
            "State": "available",
            "OwnerId": account,
            "DhcpOptionsId": f"dopt-0{kit.hex(16)}",
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": name_tags("hr-prod"),
        },
    )
    for s, az, cidr in zip(subnets, azs, ["10.60.10.0/24", "10.60.11.0/24"], strict=True):
        kit.res(
            "ec2",
            "Subnet",
            {
                "SubnetId": s,
                "VpcId": vpc,
                "AvailabilityZone": az,
                "CidrBlock": cidr,
                "State": "available",
                "AvailableIpAddressCount": rng.randint(180, 240),
                "MapPublicIpOnLaunch": False,
                "OwnerId": account,
                "Tags": name_tags(f"payroll-prod-private-{az[-1]}"),
            },
        )

    def endpoint(
        eid: str,
        svc: str,
        etype: str,
        when: datetime,
        private_dns: bool,
        name: str,
        extra: Json | None = None,
    ) -> Json:
        item: Json = {
            "VpcEndpointId": eid,
            "VpcEndpointType": etype,
            "VpcId": vpc,
            "ServiceName": svc,
            "State": "available",
            "PolicyDocument": json.dumps(
                {
                    "Version": "2008-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
                }
            ),
            "RouteTableIds": [],
            "SubnetIds": subnets if etype == "Interface" else [],
            "Groups": [
                {
                    "GroupId": sg_vpce if eid == vpce_id else sg_tasks,
                    "GroupName": "payroll-prod-execute-api-vpce" if eid == vpce_id else "payroll-tasks",
                }
            ]
            if etype == "Interface"
            else [],
            "PrivateDnsEnabled": private_dns,
            "RequesterManaged": False,
            "CreationTimestamp": iso(when),
            "OwnerId": account,
            "Tags": name_tags(name),
            "IpAddressType": "ipv4",
        }
        if extra:
            item.update(extra)
        return item

    kit.res(
        "ec2",
        "VpcEndpoint",
        endpoint(
            vpce_id,
            f"com.amazonaws.{REGION}.execute-api",
            "Interface",
            created_vpce,
            True,
            "payroll-prod-execute-api",
            {
                "NetworkInterfaceIds": vpce_enis,
                "DnsOptions": {"DnsRecordIpType": "ipv4"},
                "DnsEntries": [
                    {
                        "DnsName": f"{vpce_id}-{dns_suffix}.execute-api.{REGION}.vpce.amazonaws.com",
                        "HostedZoneId": "Z7HUB22UULQXV",
                    },
                    {
                        "DnsName": f"{vpce_id}-{dns_suffix}-{azs[0]}.execute-api.{REGION}.vpce.amazonaws.com",
                        "HostedZoneId": "Z7HUB22UULQXV",
                    },
                    {
                        "DnsName": f"{vpce_id}-{dns_suffix}-{azs[1]}.execute-api.{REGION}.vpce.amazonaws.com",
                        "HostedZoneId": "Z7HUB22UULQXV",
                    },
                    {
                        "DnsName": f"execute-api.{REGION}.amazonaws.com",
                        "HostedZoneId": "Z" + kit.upper_id(20),
                    },
                    {
                        "DnsName": f"*.execute-api.{REGION}.amazonaws.com",
                        "HostedZoneId": "Z" + kit.upper_id(20),
                    },
                ],
            },
        ),
    )
    kit.res(
        "ec2",
        "VpcEndpoint",
        endpoint(
            vpce_s3,
            f"com.amazonaws.{REGION}.s3",
            "Gateway",
            created,
            False,
            "payroll-prod-s3",
            {"RouteTableIds": [f"rtb-0{kit.hex(16)}"]},
        ),
    )
    kit.res(
        "ec2",
        "VpcEndpoint",
        endpoint(
            vpce_sqs,
            f"com.amazonaws.{REGION}.sqs",
            "Interface",
            created,
            True,
            "payroll-prod-sqs",
            {"NetworkInterfaceIds": [f"eni-0{kit.hex(16)}" for _ in range(2)]},
        ),
    )
    for eni, ip, s, az in zip(vpce_enis, vpce_ips, subnets, azs, strict=True):
        kit.res(
            "ec2",
            "NetworkInterface",
            {
                "NetworkInterfaceId": eni,
                "InterfaceType": "vpc_endpoint",
                "SubnetId": s,
                "VpcId": vpc,
                "AvailabilityZone": az,
                "PrivateIpAddress": ip,
                "Status": "in-use",
                "RequesterManaged": True,
                "RequesterId": "727180483921",
                "OwnerId": account,
                "Description": f"VPC Endpoint Interface {vpce_id}",
                "Groups": [{"GroupId": sg_vpce, "GroupName": "payroll-prod-execute-api-vpce"}],
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "TagSet": [],
            },
        )
    kit.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "tax-tables",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": kit.hex(10),
            "description": "Federal and state withholding tables",
            "tags": {"team": "tax", "env": "prod"},
        },
    )
    kit.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": dep_id,
            "stageName": "v1",
            "tracingEnabled": False,
            "createdDate": iso(created),
            "lastUpdatedDate": iso(t_dep),
            "accessLogSettings": {
                "destinationArn": kit.arn("logs", "log-group:/aws/apigateway/tax-tables-access"),
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",...}',
            },
            "methodSettings": {},
        },
    )
    kit.res(
        "apigateway",
        "RestApi",
        {
            "id": priv_api_id,
            "name": "payroll-reports-internal",
            "createdDate": iso(t_priv),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["PRIVATE"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": kit.hex(10),
            "tags": {"team": "payroll-data", "env": "prod"},
        },
    )
    for fn, mem, role in ((tax_fn, 512, "tax-tables-lookup-role"), (ben_fn, 256, f"{ben_fn}-role")):
        item: Json = {
            "FunctionName": fn,
            "FunctionArn": kit.arn("lambda", f"function:{fn}"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{account}:role/{role}",
            "Handler": "handler.handler",
            "CodeSize": rng.randint(900_000, 3_000_000),
            "Timeout": 15,
            "MemorySize": mem,
            "LastModified": (t_dep if fn == tax_fn else created + timedelta(days=300)).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "Version": "$LATEST",
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "CodeSha256": kit.hex(43) + "=",
            "TracingConfig": {"Mode": "PassThrough"},
        }
        if fn == ben_fn:
            item["VpcConfig"] = {"SubnetIds": subnets, "SecurityGroupIds": [sg_lambda], "VpcId": vpc}
            item["Environment"] = {"Variables": {"TAX_TABLES_URL": f"https://{api_host}/v1"}}
        kit.res("lambda", "FunctionConfiguration", item)
    kit.res(
        "ecs",
        "Service",
        {
            "serviceArn": kit.arn("ecs", f"service/{cluster}/payroll-runner"),
            "serviceName": "payroll-runner",
            "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": kit.arn("ecs", f"task-definition/payroll-runner:{rng.randint(100, 180)}"),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg_tasks],
                    "assignPublicIp": "DISABLED",
                }
            },
            "createdAt": iso(created),
            "schedulingStrategy": "REPLICA",
        },
    )
    for q, vis, redrive in ((q_calc, "120", True), (q_dlq, "30", False)):
        attrs = {
            "QueueArn": kit.arn("sqs", q),
            "VisibilityTimeout": vis,
            "MessageRetentionPeriod": "1209600",
            "ReceiveMessageWaitTimeSeconds": "20",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": str(int(created.timestamp())),
            "SqsManagedSseEnabled": "true",
            "ApproximateNumberOfMessages": str(round(dlq if q == q_dlq else visible)),
        }
        if redrive:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": kit.arn("sqs", q_dlq), "maxReceiveCount": 3}
            )
        kit.res(
            "sqs", "Queue", {"QueueUrl": f"{q_base}/{q}", "Attributes": attrs, "Tags": {"team": "payroll"}}
        )

    ev = alarm_event(kit, dlq_alarm)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": iso(start),
            "end": iso(kit.end),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": ev},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": vpce_id,
                    "category": "change",
                    "failure_mode": "interface-endpoint-private-dns-captures-public-api",
                    "event_id": culprit["eventID"],
                },
                "also_accept": ["payroll-prod-execute-api"],
                "actions": ["reconfigure", "rollback"],
                "chain": [
                    f"interface endpoint {vpce_id} for execute-api was created in {vpc} with private DNS enabled",
                    f"{api_host} now resolves to the endpoint inside the payroll VPC",
                    "the public regional tax-tables API cannot be reached through the endpoint: 403 Forbidden",
                    "payroll-runner and benefits-eligibility tax table lookups fail",
                    f"{q_calc} messages fail repeatedly and move to {q_dlq}",
                ],
            },
        }
    )
    return Bundle(manifest, kit.finish())
