"""HR admins cannot save new starters or bank details: the bank-account validation vendor is timing out."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzu as k

NAME = "new-starters-fail-bank-validation-timeouts"
TITLE = "payroll-api 5xx alarm; HR admins can't save new starters after this morning's deploy"
SUMMARY = (
    "The third-party bank-account validation API (api.accountcheck.io) starts timing out and returning 503s; "
    "payroll-api's new-starter and bank-details saves wait out a 15 s HttpClient timeout and return 502, "
    "while a payroll-api deploy earlier that morning is innocent."
)

VENDOR = "api.accountcheck.io"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = k.Account(rng)
    onset = k.day(rng, [3, 4, 5, 10, 11, 12], 9, rng.randint(5, 50))
    start = onset - timedelta(hours=3, minutes=rng.randint(30, 55))
    now = onset + timedelta(minutes=rng.randint(40, 65))
    end = now + timedelta(minutes=10)
    deploy = onset - timedelta(minutes=rng.randint(35, 80))
    new_rev = rng.randint(381, 396)
    image = f"{k.ACCOUNT}.dkr.ecr.{k.REGION}.amazonaws.com/payroll-api:2026.{rng.randint(100, 999)}"
    vendor_rate = rng.uniform(6, 11)  # bank validations a minute at the office-hours peak

    # --- resources ---------------------------------------------------------------------------------
    ids = k.instances(acct, 3, start - timedelta(days=8))
    k.asg(acct, ids, 3, 6, 3, start - timedelta(days=400))
    k.ecs_cluster(acct, 3, 7)
    api_tasks = [k.hexid(rng, 32) for _ in range(2)]
    old_tasks = [k.hexid(rng, 32) for _ in range(2)]
    k.ecs_service(acct, "hr-web", 212, 3, 3, start - timedelta(days=1), k.TG["hr-web"], [])
    k.ecs_service(
        acct,
        "payroll-api",
        new_rev,
        2,
        2,
        deploy,
        k.TG["payroll-api"],
        [
            (
                deploy + timedelta(seconds=30),
                f"(service payroll-api) has started 2 tasks: (task {api_tasks[0]}) (task {api_tasks[1]}).",
            ),
            (
                deploy + timedelta(minutes=2, seconds=10),
                "(service payroll-api) registered 2 targets in (target-group arn:aws:elasticloadbalancing:"
                + f"{k.REGION}:{k.ACCOUNT}:{k.TG['payroll-api']})",
            ),
            (
                deploy + timedelta(minutes=3, seconds=40),
                "(service payroll-api) has begun draining connections on 2 tasks.",
            ),
            (
                deploy + timedelta(minutes=3, seconds=41),
                "(service payroll-api) deregistered 2 targets in (target-group arn:aws:elasticloadbalancing:"
                + f"{k.REGION}:{k.ACCOUNT}:{k.TG['payroll-api']})",
            ),
            (
                deploy + timedelta(minutes=9),
                f"(service payroll-api) has stopped 2 running tasks: (task {old_tasks[0]}) (task {old_tasks[1]}).",
            ),
            (deploy + timedelta(minutes=9, seconds=30), "(service payroll-api) has reached a steady state."),
            (
                deploy + timedelta(minutes=9, seconds=31),
                "(service payroll-api) (deployment ecs-svc/"
                + str(rng.randint(10**18, 10**19 - 1))
                + ") deployment completed.",
            ),
        ],
    )
    k.ecs_service(acct, "payroll-worker", 141, 2, 2, start - timedelta(days=6), None, [])
    acct.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": f"arn:aws:ecs:{k.REGION}:{k.ACCOUNT}:task-definition/payroll-api:{new_rev}",
            "family": "payroll-api",
            "revision": new_rev,
            "networkMode": "bridge",
            "status": "ACTIVE",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                {
                    "name": "payroll-api",
                    "image": image,
                    "cpu": 512,
                    "memory": 2048,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}],
                    "environment": [
                        {"name": "ASPNETCORE_ENVIRONMENT", "value": "Production"},
                        {"name": "BankValidation__BaseUrl", "value": f"https://{VENDOR}/v3/"},
                        {"name": "BankValidation__TimeoutSeconds", "value": "15"},
                    ],
                    "secrets": [
                        {
                            "name": "BankValidation__ApiKey",
                            "valueFrom": f"arn:aws:secretsmanager:{k.REGION}:{k.ACCOUNT}:secret:prod/payroll-api/accountcheck-AbC12d",
                        },
                        {
                            "name": "ConnectionStrings__Payroll",
                            "valueFrom": f"arn:aws:secretsmanager:{k.REGION}:{k.ACCOUNT}:secret:prod/payroll-api/sql-9XyZ3q",
                        },
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/payroll-api",
                            "awslogs-region": k.REGION,
                            "awslogs-stream-prefix": "payroll-api",
                        },
                    },
                }
            ],
            "registeredAt": k.iso(deploy - timedelta(seconds=15)),
        },
    )
    k.alb_and_tgs(acct)
    k.rds(acct)
    k.bucket_and_queue(acct)
    tg_arn = f"arn:aws:elasticloadbalancing:{k.REGION}:{k.ACCOUNT}:{k.TG['payroll-api']}"
    for iid in ids[:2]:
        port = rng.randint(32768, 60999)
        acct.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": port},
                "health": {"State": "healthy"},
                "timestamp": k.iso(deploy + timedelta(minutes=2, seconds=55)),
            },
        )

    # --- cloudtrail -------------------------------------------------------------------------------
    k.background_changes(acct, start, onset)
    k.readonly_noise(acct, start, end)
    acct.ct(
        deploy - timedelta(seconds=15),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        k.DEPLOYER,
        {
            "family": "payroll-api",
            "networkMode": "bridge",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                {"name": "payroll-api", "image": image, "cpu": 512, "memory": 2048, "essential": True}
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{k.REGION}:{k.ACCOUNT}:task-definition/payroll-api:{new_rev}",
                "family": "payroll-api",
                "revision": new_rev,
                "status": "ACTIVE",
            }
        },
        agent=k.GHA_AGENT,
    )
    acct.ct(
        deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        k.DEPLOYER,
        {
            "cluster": k.CLUSTER,
            "service": "payroll-api",
            "taskDefinition": f"payroll-api:{new_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "payroll-api",
                "taskDefinition": f"arn:aws:ecs:{k.REGION}:{k.ACCOUNT}:task-definition/payroll-api:{new_rev}",
                "desiredCount": 2,
            }
        },
        agent=k.GHA_AGENT,
    )
    for i in range(6):
        acct.ct(
            deploy + timedelta(seconds=20 + i * 30),
            "ecs.amazonaws.com",
            "DescribeServices",
            k.DEPLOYER,
            {"cluster": k.CLUSTER, "services": ["payroll-api"]},
            None,
            True,
            agent=k.GHA_AGENT.replace("ecs.update-service", "ecs.wait.services-stable"),
        )
    acct.ct(
        deploy + timedelta(seconds=25),
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        k.role("payroll-api-execution", k.hexid(rng, 32), "AROAUSTZ4QW7PAPIEXEC01"),
        {
            "secretId": f"arn:aws:secretsmanager:{k.REGION}:{k.ACCOUNT}:secret:prod/payroll-api/accountcheck-AbC12d"
        },
        None,
        True,
        agent="ecs.amazonaws.com",
        ip="ecs.amazonaws.com",
    )
    acct.ct(
        onset + timedelta(minutes=rng.randint(5, 15)),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        k.sso("megan.lloyd@staffwise.co.uk", "AWSReservedSSO_ReadOnly_8c41f7a02be3d951"),
        {"targetGroupArn": tg_arn},
        None,
        True,
        agent="aws-internal/3 aws-sdk-java/1.12.664 console",
    )

    # --- metrics ----------------------------------------------------------------------------------
    def vendor_calls(t: datetime) -> float:
        return k.diurnal(t, vendor_rate, 0.2) * rng.uniform(0.7, 1.3)

    def api_5xx(t: datetime) -> float | None:
        if t < onset:
            return 1.0 if rng.random() < 0.05 else None
        return round(vendor_calls(t) * rng.uniform(0.85, 1.0)) + (1 if rng.random() < 0.1 else 0)

    def api_latency(t: datetime) -> float:
        base = rng.uniform(0.09, 0.17)
        if t < onset:
            return base
        share = vendor_calls(t) / max(1.0, k.diurnal(t, 900 * 0.4, 5))
        return base + share * 14.5

    k.web_traffic(acct, start, end, api_5xx=api_5xx, api_latency=api_latency)
    acct.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": k.CLUSTER, "ServiceName": "payroll-worker"},
        "Percent",
        start,
        end,
        lambda t: rng.uniform(3, 7),
    )
    acct.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": k.ALB_DIM},
        "Count",
        start,
        end,
        lambda t: (
            (
                float(rng.randint(1, 4))
                if deploy + timedelta(minutes=3) <= t < deploy + timedelta(minutes=5)
                else None
            )
            if rng.random() < 0.97
            else 1.0
        ),
        integer=True,
    )

    # --- logs -------------------------------------------------------------------------------------
    grp = "/ecs/payroll-api"
    for tid in api_tasks:
        st = f"payroll-api/payroll-api/{tid}"
        t0 = deploy + timedelta(seconds=rng.randint(40, 70))
        acct.log(
            grp, st, t0, "info: Microsoft.Hosting.Lifetime[14]\n      Now listening on: http://[::]:8080"
        )
        acct.log(
            grp,
            st,
            t0 + timedelta(milliseconds=5),
            "info: Microsoft.Hosting.Lifetime[0]\n      Application started. Press Ctrl+C to shut down.",
        )
        acct.log(
            grp,
            st,
            t0 + timedelta(milliseconds=6),
            "info: Microsoft.Hosting.Lifetime[0]\n      Hosting environment: Production",
        )
    tenants = [
        "acme-logistics",
        "brightwell-care",
        "northmoor-dental",
        "kestrel-build",
        "orla-retail",
        "fenwick-hotels",
    ]
    t = start + timedelta(seconds=rng.randint(5, 60))
    while t < now:
        tasks = api_tasks if t >= deploy + timedelta(minutes=3) else old_tasks
        st = f"payroll-api/payroll-api/{rng.choice(tasks)}"
        emp = rng.randint(10000, 99999)
        bank = rng.random() < 0.3
        if bank:
            path = rng.choice([f"/api/v1/employees/{emp}/bank-details", "/api/v1/starters"])
            verb = "PUT" if "bank-details" in path else "POST"
            acct.log(
                grp,
                st,
                t,
                f"info: System.Net.Http.HttpClient.AccountCheck.LogicalHandler[100]\n      Start processing HTTP request POST https://{VENDOR}/v3/validate",
            )
            if t < onset:
                d = rng.uniform(180, 420)
                acct.log(
                    grp,
                    st,
                    t + timedelta(milliseconds=int(d)),
                    f"info: System.Net.Http.HttpClient.AccountCheck.LogicalHandler[101]\n      End processing HTTP request after {d:.4f}ms - 200",
                )
                acct.log(
                    grp,
                    st,
                    t + timedelta(milliseconds=int(d) + 30),
                    f"info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      Request finished HTTP/1.1 {verb} http://payroll-api.staffwise.internal{path} - {200 if verb == 'PUT' else 201} - application/json;+charset=utf-8 {d + 31:.4f}ms",
                )
            elif rng.random() < 0.75:
                d = 15000 + rng.uniform(1, 30)
                acct.log(
                    grp,
                    st,
                    t + timedelta(milliseconds=int(d)),
                    f"fail: Staffwise.Payroll.Api.Banking.BankValidationClient[0]\n      Bank account validation failed for employee {emp} (tenant {rng.choice(tenants)})\n"
                    "      System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 15 seconds elapsing.\n"
                    "       ---> System.TimeoutException: The operation was canceled.\n"
                    "       ---> System.Threading.Tasks.TaskCanceledException: The operation was canceled.\n"
                    "       ---> System.IO.IOException: Unable to read data from the transport connection: Operation canceled.\n"
                    "         at System.Net.Http.HttpConnection.SendAsync(HttpRequestMessage request, Boolean async, CancellationToken cancellationToken)\n"
                    "         at Staffwise.Payroll.Api.Banking.BankValidationClient.ValidateAsync(BankDetails details, CancellationToken ct) in /src/Payroll.Api/Banking/BankValidationClient.cs:line 58",
                )
                acct.log(
                    grp,
                    st,
                    t + timedelta(milliseconds=int(d) + 20),
                    f"info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      Request finished HTTP/1.1 {verb} http://payroll-api.staffwise.internal{path} - 502 - application/problem+json {d + 21:.4f}ms",
                )
            else:
                d = rng.uniform(2000, 9000)
                acct.log(
                    grp,
                    st,
                    t + timedelta(milliseconds=int(d)),
                    f"info: System.Net.Http.HttpClient.AccountCheck.LogicalHandler[101]\n      End processing HTTP request after {d:.4f}ms - 503",
                )
                acct.log(
                    grp,
                    st,
                    t + timedelta(milliseconds=int(d) + 2),
                    f"fail: Staffwise.Payroll.Api.Banking.BankValidationClient[0]\n      Bank account validation failed for employee {emp} (tenant {rng.choice(tenants)})\n"
                    "      System.Net.Http.HttpRequestException: Response status code does not indicate success: 503 (Service Unavailable).\n"
                    "         at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()\n"
                    "         at Staffwise.Payroll.Api.Banking.BankValidationClient.ValidateAsync(BankDetails details, CancellationToken ct) in /src/Payroll.Api/Banking/BankValidationClient.cs:line 61",
                )
                acct.log(
                    grp,
                    st,
                    t + timedelta(milliseconds=int(d) + 20),
                    f"info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      Request finished HTTP/1.1 {verb} http://payroll-api.staffwise.internal{path} - 502 - application/problem+json {d + 21:.4f}ms",
                )
        else:
            path = rng.choice(
                [
                    "/api/v1/runs/current",
                    f"/api/v1/employees/{emp}",
                    "/api/v1/pay-elements",
                    f"/api/v1/employees/{emp}/payslips",
                ]
            )
            acct.log(
                grp,
                st,
                t,
                f"info: Microsoft.AspNetCore.Hosting.Diagnostics[2]\n      Request finished HTTP/1.1 GET http://payroll-api.staffwise.internal{path} - 200 - application/json;+charset=utf-8 {rng.uniform(12, 140):.4f}ms",
            )
        t += timedelta(seconds=rng.randint(10, 45))
    k.web_logs(acct, start, now, [k.hexid(rng, 32) for _ in range(3)])

    # --- alarms -----------------------------------------------------------------------------------
    fired = onset + timedelta(minutes=rng.randint(3, 6))
    five = acct.alarm(
        "payroll-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": k.TG["payroll-api"], "LoadBalancer": k.ALB_DIM},
        "Sum",
        5,
        "GreaterThanThreshold",
        3,
        "ALARM",
        fired,
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).",
        "payroll-api returning 5xx to the ALB",
        missing="notBreaching",
    )
    acct.transition(five, fired, "OK", "ALARM", five["StateReason"])
    acct.alarm(
        "payroll-api-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"TargetGroup": k.TG["payroll-api"], "LoadBalancer": k.ALB_DIM},
        "Average",
        1.5,
        "GreaterThanThreshold",
        5,
        "OK",
        start - timedelta(days=4),
        "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (1.5).",
    )
    acct.alarm(
        "hr-web-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": k.TG["hr-web"], "LoadBalancer": k.ALB_DIM},
        "Sum",
        25,
        "GreaterThanThreshold",
        3,
        "OK",
        start - timedelta(days=2),
        "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
        missing="notBreaching",
    )
    acct.alarm(
        "alb-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": k.ALB_DIM},
        "Sum",
        20,
        "GreaterThanThreshold",
        2,
        "OK",
        deploy + timedelta(minutes=8),
        "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching].",
        missing="notBreaching",
    )

    question = (
        f"HR admins at a few customers say saving a new starter just spins and then errors, since about "
        f"{k.clock(onset)}. payroll-api went out this morning at {k.clock(deploy)}; did the deploy break it?"
    )
    return acct.bundle(
        TITLE,
        start,
        end,
        now,
        {
            "question": question,
            "alarm_event": acct.alarm_event(five, fired, start - timedelta(days=1)),
            "timezone": "Europe/London",
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": VENDOR,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-timeouts",
            },
            "also_accept": [
                "accountcheck",
                "AccountCheck bank validation API",
                f"https://{VENDOR}/v3/validate",
            ],
            "actions": ["reconfigure"],
            "chain": [VENDOR, "payroll-api", "payroll-api-tg", "staffwise-prod-alb"],
        },
    )
