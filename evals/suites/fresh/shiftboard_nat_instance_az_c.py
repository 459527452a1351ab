"""The NAT instance serving one AZ's private subnets fails on degraded hardware; egress from that AZ dies."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zd as k

NAME = "shiftboard-roster-publish-failing"
TITLE = "Roster publishing failing for some managers, retry usually works"
SUMMARY = (
    "The fck-nat instance for eu-west-2c fails its system status check (degraded host); roster-api tasks in "
    "that AZ time out reaching Twilio and Google, so about a third of publishes return 500."
)

JSON = dict[str, Any]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region = "eu-west-2"
    day = k.weekday_in(rng, (0, 1, 2, 3), first="2024-04-01", span_days=180)  # BST months
    offset = 1.0
    onset = day + timedelta(
        hours=rng.randrange(8, 12), minutes=rng.randrange(0, 60), seconds=rng.randrange(60)
    )
    onset_min = onset.replace(second=0)
    start = onset_min - timedelta(hours=rng.randrange(6, 9), minutes=onset_min.minute % 5)
    fine_from = onset_min - timedelta(hours=3, minutes=onset_min.minute % 5)
    now = onset_min + timedelta(minutes=rng.randrange(48, 75), seconds=rng.randrange(60))
    health_at = onset + timedelta(minutes=rng.randrange(22, 36), seconds=rng.randrange(60))

    azs = [f"{region}a", f"{region}b", f"{region}c"]
    bad_az = azs[2]
    vpc_id = "vpc-" + k.hexid(rng)
    priv = {az: "subnet-" + k.hexid(rng) for az in azs}
    pub = {az: "subnet-" + k.hexid(rng) for az in azs}
    rtb = {az: "rtb-" + k.hexid(rng) for az in azs}
    nat = {az: "i-0" + k.hexid(rng, 16) for az in azs}
    nat_eni = {az: "eni-" + k.hexid(rng) for az in azs}
    nat_ip = {az: f"10.60.{i}.{rng.randrange(10, 200)}" for i, az in enumerate(azs)}
    nat_eip = {az: k.public_ip(rng) for az in azs}
    sg_nat, sg_api, sg_alb, sg_vpce = ("sg-" + k.hexid(rng) for _ in range(4))
    cluster = "shiftboard-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    svc = "roster-api"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{svc}"
    lb_dim = f"app/shiftboard-api/{k.hexid(rng, 16)}"
    tg_dim = f"targetgroup/roster-api-8080/{k.hexid(rng, 16)}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    ami = "ami-" + k.hexid(rng)
    tasks = {az: [k.hexid(rng, 32) for _ in range(2)] for az in azs}
    task_ip = {
        t: f"10.60.{32 + 16 * i + rng.randrange(0, 4)}.{rng.randrange(5, 250)}"
        for i, az in enumerate(azs)
        for t in tasks[az]
    }
    task_az = {t: az for az in azs for t in tasks[az]}
    all_tasks = [t for az in azs for t in tasks[az]]
    td_rev = rng.randrange(300, 520)

    metrics: list[JSON] = []
    logs: list[JSON] = []
    ct: list[JSON] = []
    resources: list[JSON] = []
    events: list[JSON] = []

    # --- traffic model ------------------------------------------------------------------------------
    peak = rng.uniform(900, 1400)
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    five_xx: dict[datetime, float] = {}
    for bt, per in k.grid(start, fine_from, now - timedelta(minutes=1)):
        f = per / 60
        shape = k.diurnal(bt, offset, 11.0, 0.05, 4.0)
        reqs_total = 0
        t5_total = 0
        broken = bt >= onset_min
        for az in azs:
            reqs = int(peak * shape * f / 3 * (1 + rng.gauss(0, 0.04)))
            publishes = k.poisson(rng, reqs * 0.018)
            syncs = k.poisson(rng, reqs * 0.011)
            t5 = k.poisson(rng, 0.02 * f)
            if broken and az == bad_az:
                t5 += publishes + syncs
            reqs_total += reqs
            t5_total += t5
            azd = {"LoadBalancer": lb_dim, "AvailabilityZone": az}
            tgaz = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim, "AvailabilityZone": az}
            for d in (azd, tgaz):
                metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", d, bt, "Count", reqs))
                if t5:
                    metrics.append(
                        k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d, bt, "Count", t5)
                    )
        for d in (lbd, tgd):
            metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", d, bt, "Count", reqs_total))
            metrics.append(
                k.datum(
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_2XX_Count",
                    d,
                    bt,
                    "Count",
                    int((reqs_total - t5_total) * 0.972),
                )
            )
            metrics.append(
                k.datum(
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_4XX_Count",
                    d,
                    bt,
                    "Count",
                    int((reqs_total - t5_total) * 0.028),
                )
            )
            if t5_total:
                metrics.append(
                    k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d, bt, "Count", t5_total)
                )
            tail = 2.6 if broken else 1.0
            metrics.append(
                k.latency(
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    d,
                    bt,
                    "Seconds",
                    rng.uniform(0.045, 0.055),
                    0.7,
                    max(10, reqs_total // 100),
                    tail,
                )
            )
        if t5_total:
            key = bt - timedelta(minutes=bt.minute % 5)
            five_xx[key] = five_xx.get(key, 0.0) + t5_total
        metrics.append(k.datum("AWS/ApplicationELB", "HealthyHostCount", tgd, bt, "Count", 6))
        metrics.append(k.datum("AWS/ApplicationELB", "UnHealthyHostCount", tgd, bt, "Count", 0))
        svcd = {"ClusterName": cluster, "ServiceName": svc}
        metrics.append(
            k.datum("AWS/ECS", "CPUUtilization", svcd, bt, "Percent", k.jitter(rng, 8 + 28 * shape, 0.05))
        )
        metrics.append(
            k.datum(
                "AWS/ECS",
                "MemoryUtilization",
                svcd,
                bt,
                "Percent",
                k.jitter(rng, 37 + (3 if broken else 0), 0.02),
            )
        )
        dbd = {"DBInstanceIdentifier": "shiftboard-pg-prod"}
        metrics.append(
            k.datum("AWS/RDS", "CPUUtilization", dbd, bt, "Percent", k.jitter(rng, 9 + 30 * shape, 0.06))
        )
        metrics.append(k.datum("AWS/RDS", "DatabaseConnections", dbd, bt, "Count", 62 + rng.randrange(0, 6)))
    # only complete 5-minute buckets count for the alarm
    five_xx = {b: v for b, v in five_xx.items() if b >= fine_from and b + timedelta(minutes=5) <= now}

    # --- NAT instances: basic monitoring (5-minute) for CPU/network, 1-minute status checks ----------
    for az in azs:
        idd = {"InstanceId": nat[az]}
        for bt in k.steps(start, now - timedelta(minutes=5), 300):
            shape = k.diurnal(bt, offset, 11.0, 0.05, 4.0)
            dead = az == bad_az and bt + timedelta(minutes=5) > onset
            frac = 0.0 if not dead else min(1.0, (bt + timedelta(minutes=5) - onset).total_seconds() / 300)
            bytes_out = k.jitter(rng, 2.1e8 * (0.2 + shape), 0.08) * (1 - frac)
            bytes_in = k.jitter(rng, 9.5e8 * (0.2 + shape), 0.08) * (1 - frac)
            metrics.append(
                k.datum(
                    "AWS/EC2",
                    "CPUUtilization",
                    idd,
                    bt,
                    "Percent",
                    k.jitter(rng, 2.5 + 6 * shape, 0.1) * (1 - frac) + (0.1 * frac),
                )
            )
            metrics.append(k.datum("AWS/EC2", "NetworkIn", idd, bt, "Bytes", bytes_in))
            metrics.append(k.datum("AWS/EC2", "NetworkOut", idd, bt, "Bytes", bytes_out))
            metrics.append(k.datum("AWS/EC2", "NetworkPacketsIn", idd, bt, "Count", bytes_in / 780))
            metrics.append(k.datum("AWS/EC2", "NetworkPacketsOut", idd, bt, "Count", bytes_out / 410))
        for bt, _per in k.grid(start, fine_from, now - timedelta(minutes=1)):
            sysf = 1.0 if az == bad_az and bt >= onset_min + timedelta(minutes=1) else 0.0
            instf = 1.0 if az == bad_az and bt >= onset_min + timedelta(minutes=3) else 0.0
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed_System", idd, bt, "Count", sysf))
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed_Instance", idd, bt, "Count", instf))
            metrics.append(k.datum("AWS/EC2", "StatusCheckFailed", idd, bt, "Count", max(sysf, instf)))

    # --- alarms -----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{region}:{account}:shiftboard-alerts-slack"
    spec = k.AlarmSpec(
        "roster-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        300,
        2,
        2,
        25.0,
        "GreaterThanThreshold",
        "notBreaching",
        "roster-api returning 5xx (Slack #shiftboard-alerts only)",
        [sns],
    )
    tr = k.evaluate_alarm(spec, five_xx, fine_from, now)
    alarm, hist = k.alarm_items(spec, account, region, tr, day - timedelta(days=230))
    alarms = [alarm]
    for q in [
        k.AlarmSpec(
            "roster-api-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            "roster-api targets failing health checks",
            [sns],
        ),
        k.AlarmSpec(
            "roster-api-p99-latency",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "p99",
            300,
            3,
            3,
            12.0,
            "GreaterThanThreshold",
            "missing",
            "roster-api p99 above 12s",
            [sns],
            extended=True,
        ),
        k.AlarmSpec(
            "shiftboard-pg-prod-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": "shiftboard-pg-prod"},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            "database CPU",
            [sns],
        ),
        k.AlarmSpec(
            "roster-api-ecs-cpu",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Average",
            300,
            3,
            3,
            75.0,
            "GreaterThanThreshold",
            "missing",
            "roster-api CPU",
            [sns],
        ),
    ]:
        alarms.append(
            k.quiet_alarm(
                q,
                account,
                region,
                day - timedelta(days=rng.randrange(90, 500)),
                day - timedelta(days=rng.randrange(2, 40)),
            )
        )

    # --- logs -------------------------------------------------------------------------------------
    lg = f"/ecs/{svc}"
    routes = [
        "GET /v1/rosters/{id}",
        "GET /v1/shifts?week={w}",
        "GET /v1/staff/{id}/availability",
        "PUT /v1/shifts/{id}",
        "GET /v1/locations/{id}/rota",
    ]
    for t in k.steps(now - timedelta(hours=2, minutes=20), now, 15):
        tid = rng.choice(all_tasks)
        az = task_az[tid]
        tt = t + timedelta(milliseconds=rng.randrange(0, 14999))
        broken = tt >= onset and az == bad_az
        stream = f"roster-api/roster-api/{tid}"
        req = f"{rng.randrange(16**6):06x}-{rng.randrange(16**4):04x}"
        base = {
            "level": 30,
            "time": k.ms(tt),
            "pid": 1,
            "hostname": f"ip-{task_ip[tid].replace('.', '-')}.{region}.compute.internal",
            "reqId": req,
        }
        r = rng.random()
        if r < 0.09:
            roster = rng.randrange(10000, 99999)
            if broken:
                err = dict(
                    base,
                    level=50,
                    time=k.ms(tt) + 10012,
                    msg="notification dispatch failed",
                    rosterId=roster,
                    provider="twilio",
                    err={
                        "type": "ConnectTimeoutError",
                        "message": "Connect Timeout Error (attempted address: api.twilio.com:443, timeout: 10000ms)",
                        "code": "UND_ERR_CONNECT_TIMEOUT",
                        "stack": "ConnectTimeoutError: Connect Timeout Error (attempted address: api.twilio.com:443, timeout: 10000ms)\n    at onConnectTimeout (/app/node_modules/undici/lib/core/connect.js:190:24)\n    at /app/node_modules/undici/lib/core/connect.js:133:46\n    at Immediate._onImmediate (/app/node_modules/undici/lib/core/connect.js:174:9)\n    at process.processImmediate (node:internal/timers:478:21)",
                    },
                )
                logs.append(k.log(lg, stream, tt + timedelta(milliseconds=10012), json.dumps(err)))
                done = dict(
                    base,
                    time=k.ms(tt) + 10015,
                    req={"method": "POST", "url": f"/v1/rosters/{roster}/publish"},
                    res={"statusCode": 500},
                    responseTime=10014.6,
                    msg="request completed",
                )
                logs.append(k.log(lg, stream, tt + timedelta(milliseconds=10015), json.dumps(done)))
            else:
                ms_ = round(k.jitter(rng, 420, 0.3), 1)
                logs.append(
                    k.log(
                        lg,
                        stream,
                        tt + timedelta(milliseconds=int(ms_) - 3),
                        json.dumps(
                            dict(
                                base,
                                time=k.ms(tt) + int(ms_) - 3,
                                msg="roster published",
                                rosterId=roster,
                                notified=rng.randrange(4, 40),
                                channel="sms+push",
                            )
                        ),
                    )
                )
                logs.append(
                    k.log(
                        lg,
                        stream,
                        tt + timedelta(milliseconds=int(ms_)),
                        json.dumps(
                            dict(
                                base,
                                time=k.ms(tt) + int(ms_),
                                req={"method": "POST", "url": f"/v1/rosters/{roster}/publish"},
                                res={"statusCode": 200},
                                responseTime=ms_,
                                msg="request completed",
                            )
                        ),
                    )
                )
        elif r < 0.14:
            if broken:
                logs.append(
                    k.log(
                        lg,
                        stream,
                        tt + timedelta(milliseconds=10004),
                        json.dumps(
                            dict(
                                base,
                                level=50,
                                time=k.ms(tt) + 10004,
                                msg="calendar sync failed",
                                provider="google",
                                err={
                                    "type": "FetchError",
                                    "message": f"request to https://www.googleapis.com/calendar/v3/calendars/primary/events failed, reason: connect ETIMEDOUT 142.250.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}:443",
                                    "code": "ETIMEDOUT",
                                },
                            )
                        ),
                    )
                )
                logs.append(
                    k.log(
                        lg,
                        stream,
                        tt + timedelta(milliseconds=10006),
                        json.dumps(
                            dict(
                                base,
                                time=k.ms(tt) + 10006,
                                req={"method": "POST", "url": "/v1/integrations/google/sync"},
                                res={"statusCode": 502},
                                responseTime=10005.2,
                                msg="request completed",
                            )
                        ),
                    )
                )
            else:
                logs.append(
                    k.log(
                        lg,
                        stream,
                        tt + timedelta(milliseconds=300),
                        json.dumps(
                            dict(
                                base,
                                time=k.ms(tt) + 300,
                                req={"method": "POST", "url": "/v1/integrations/google/sync"},
                                res={"statusCode": 200},
                                responseTime=round(k.jitter(rng, 290, 0.3), 1),
                                msg="request completed",
                            )
                        ),
                    )
                )
        else:
            route = (
                rng.choice(routes)
                .replace("{id}", str(rng.randrange(1000, 99999)))
                .replace("{w}", f"{day:%Y}-W{rng.randrange(10, 40)}")
            )
            method, url = route.split(" ")
            logs.append(
                k.log(
                    lg,
                    stream,
                    tt + timedelta(milliseconds=30),
                    json.dumps(
                        dict(
                            base,
                            time=k.ms(tt) + 30,
                            req={"method": method, "url": url},
                            res={"statusCode": 200 if rng.random() > 0.03 else 404},
                            responseTime=round(k.jitter(rng, 28, 0.5), 1),
                            msg="request completed",
                        )
                    ),
                )
            )
        if rng.random() < 0.004:
            logs.append(
                k.log(
                    lg,
                    stream,
                    tt + timedelta(milliseconds=60),
                    json.dumps(
                        dict(
                            base,
                            level=40,
                            time=k.ms(tt) + 60,
                            msg="slow query",
                            durationMs=rng.randrange(800, 1600),
                            query="select_rota_for_location",
                        )
                    ),
                )
            )
    # fck-nat's own log (CloudWatch agent) stops when the host goes
    for az in azs:
        for t in k.steps(start + timedelta(minutes=rng.randrange(0, 30)), now, 3600):
            if az == bad_az and t >= onset:
                break
            logs.append(
                k.log(
                    "/shiftboard/nat",
                    f"{nat[az]}/messages",
                    t,
                    f"{t:%b %d %H:%M:%S} ip-{nat_ip[az].replace('.', '-')} chronyd[1603]: Selected source 169.254.169.123",
                )
            )
        if az != bad_az:
            continue
        t = onset - timedelta(minutes=rng.randrange(6, 14), seconds=rng.randrange(60))
        logs.append(
            k.log(
                "/shiftboard/nat",
                f"{nat[az]}/messages",
                t,
                f"{t:%b %d %H:%M:%S} ip-{nat_ip[az].replace('.', '-')} kernel: ena 0000:00:05.0 eth0: Found a Tx that wasn't completed on time, qid 1, index 612. {rng.randrange(40, 90)} usecs have passed since last napi execution. Missing Tx timestamp value {rng.randrange(5000, 9000)}",
            )
        )
    # --- ECS tasks, service ---------------------------------------------------------------------------
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{td_rev}"
    started_at = day - timedelta(days=rng.randrange(1, 3), hours=rng.randrange(0, 12))
    for tid in all_tasks:
        az = task_az[tid]
        resources.append(
            k.res(
                "ecs",
                "Task",
                {
                    "attachments": [
                        {
                            "id": k.uid(rng),
                            "type": "ElasticNetworkInterface",
                            "status": "ATTACHED",
                            "details": [
                                {"name": "subnetId", "value": priv[az]},
                                {"name": "networkInterfaceId", "value": "eni-" + k.hexid(rng)},
                                {"name": "privateIPv4Address", "value": task_ip[tid]},
                            ],
                        }
                    ],
                    "availabilityZone": az,
                    "clusterArn": cluster_arn,
                    "connectivity": "CONNECTED",
                    "containers": [
                        {
                            "containerArn": f"arn:aws:ecs:{region}:{account}:container/{cluster}/{tid}/{k.uid(rng)}",
                            "taskArn": f"arn:aws:ecs:{region}:{account}:task/{cluster}/{tid}",
                            "name": "roster-api",
                            "image": f"{account}.dkr.ecr.{region}.amazonaws.com/roster-api:{k.hexid(rng, 7)}",
                            "lastStatus": "RUNNING",
                            "networkInterfaces": [
                                {"attachmentId": k.uid(rng), "privateIpv4Address": task_ip[tid]}
                            ],
                            "healthStatus": "HEALTHY",
                            "cpu": "0",
                        }
                    ],
                    "cpu": "1024",
                    "createdAt": k.iso(started_at),
                    "desiredStatus": "RUNNING",
                    "group": f"service:{svc}",
                    "healthStatus": "HEALTHY",
                    "lastStatus": "RUNNING",
                    "launchType": "FARGATE",
                    "memory": "2048",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "startedAt": k.iso(started_at + timedelta(seconds=50)),
                    "startedBy": f"ecs-svc/{rng.randrange(10**18, 10**19)}",
                    "taskArn": f"arn:aws:ecs:{region}:{account}:task/{cluster}/{tid}",
                    "taskDefinitionArn": td_arn,
                    "version": 3,
                },
            )
        )
        events.append(
            k.target_health(tg_arn, task_ip[tid], 8080, az, started_at + timedelta(minutes=2), "healthy")
        )
    resources.append(
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": "roster-api", "containerPort": 8080}
                ],
                "status": "ACTIVE",
                "desiredCount": 6,
                "runningCount": 6,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "events": [],
                "createdAt": k.iso(day - timedelta(days=500)),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [priv[a] for a in azs],
                        "securityGroups": [sg_api],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
            },
        )
    )
    for h in range(0, 9, 6):
        te = start + timedelta(hours=h, minutes=rng.randrange(0, 50))
        if te < now:
            events.append(
                {
                    "source": "ecs",
                    "item": {
                        "service_arn": svc_arn,
                        "event": {
                            "id": k.uid(rng),
                            "createdAt": k.iso(te),
                            "message": f"(service {svc}) has reached a steady state.",
                        },
                    },
                }
            )

    # --- network resources --------------------------------------------------------------------------
    resources.append(k.res("ec2", "Vpc", k.vpc(account, vpc_id, "10.60.0.0/16", "shiftboard-prod", rng)))
    for i, az in enumerate(azs):
        resources.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    rng,
                    account,
                    subnet_id=pub[az],
                    vpc=vpc_id,
                    az=az,
                    cidr=f"10.60.{i}.0/24",
                    name=f"shiftboard-prod-public-{az[-1]}",
                    public=True,
                    free=rng.randrange(240, 248),
                ),
            )
        )
        resources.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    rng,
                    account,
                    subnet_id=priv[az],
                    vpc=vpc_id,
                    az=az,
                    cidr=f"10.60.{32 + 16 * i}.0/20",
                    name=f"shiftboard-prod-private-{az[-1]}",
                    public=False,
                    free=rng.randrange(4040, 4085),
                ),
            )
        )
        resources.append(
            k.res(
                "ec2",
                "RouteTable",
                {
                    "Associations": [
                        {
                            "Main": False,
                            "RouteTableAssociationId": "rtbassoc-" + k.hexid(rng),
                            "RouteTableId": rtb[az],
                            "SubnetId": priv[az],
                            "AssociationState": {"State": "associated"},
                        }
                    ],
                    "PropagatingVgws": [],
                    "RouteTableId": rtb[az],
                    "Routes": [
                        {
                            "DestinationCidrBlock": "10.60.0.0/16",
                            "GatewayId": "local",
                            "Origin": "CreateRouteTable",
                            "State": "active",
                        },
                        {
                            "DestinationCidrBlock": "0.0.0.0/0",
                            "InstanceId": nat[az],
                            "InstanceOwnerId": account,
                            "NetworkInterfaceId": nat_eni[az],
                            "Origin": "CreateRoute",
                            "State": "active",
                        },
                        {
                            "DestinationPrefixListId": "pl-7ca54015",
                            "GatewayId": "vpce-" + k.hexid(rng),
                            "Origin": "CreateRoute",
                            "State": "active",
                        },
                    ],
                    "Tags": k.tags({"Name": f"shiftboard-prod-private-{az[-1]}"}),
                    "VpcId": vpc_id,
                    "OwnerId": account,
                },
            )
        )
        item = k.ec2_instance(
            rng,
            instance_id=nat[az],
            itype="t4g.small",
            ami=ami,
            az=az,
            subnet=pub[az],
            vpc=vpc_id,
            ip=nat_ip[az],
            sgs=[(sg_nat, "shiftboard-nat")],
            launched=day - timedelta(days=rng.randrange(120, 300)),
            name_tags={"Name": f"shiftboard-nat-{az[-1]}", "role": "fck-nat", "env": "prod"},
            profile_arn=f"arn:aws:iam::{account}:instance-profile/shiftboard-nat",
            public_ip=nat_eip[az],
            source_dest_check=False,
            arch="arm64",
        )
        item["NetworkInterfaces"][0]["NetworkInterfaceId"] = nat_eni[az]
        resources.append(k.res("ec2", "Instance", item))
        st = k.instance_status(
            nat[az],
            az,
            system_ok=az != bad_az,
            instance_ok=az != bad_az,
            since=onset_min + timedelta(minutes=1),
        )
        if az == bad_az and health_at <= now:
            st["Events"] = [
                {
                    "InstanceEventId": "instance-event-0" + k.hexid(rng, 16),
                    "Code": "instance-stop",
                    "Description": "The instance is running on degraded hardware",
                    "NotBefore": k.iso(health_at + timedelta(days=14)),
                }
            ]
        resources.append(k.res("ec2", "InstanceStatus", st))
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                account,
                sg_nat,
                "shiftboard-nat",
                "fck-nat instances",
                vpc_id,
                [k.sg_rule_from_cidr(0, "10.60.0.0/16", "all from VPC", proto="-1", to_port=0)],
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                account,
                sg_api,
                "roster-api",
                "roster-api tasks",
                vpc_id,
                [k.sg_rule_from_sg(8080, sg_alb, account, "from ALB")],
            ),
        )
    )
    for svc_name in ("logs", "ecr.api", "ecr.dkr", "secretsmanager"):
        resources.append(
            k.res(
                "ec2",
                "VpcEndpoint",
                {
                    "VpcEndpointId": "vpce-" + k.hexid(rng),
                    "VpcEndpointType": "Interface",
                    "VpcId": vpc_id,
                    "ServiceName": f"com.amazonaws.{region}.{svc_name}",
                    "State": "available",
                    "RouteTableIds": [],
                    "SubnetIds": [priv[a] for a in azs],
                    "Groups": [{"GroupId": sg_vpce, "GroupName": "shiftboard-vpce"}],
                    "IpAddressType": "ipv4",
                    "PrivateDnsEnabled": True,
                    "RequesterManaged": False,
                    "NetworkInterfaceIds": ["eni-" + k.hexid(rng) for _ in azs],
                    "CreationTimestamp": k.iso(day - timedelta(days=480)),
                    "OwnerId": account,
                },
            )
        )
    resources.append(
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"shiftboard-api-{rng.randrange(10**8, 10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": k.iso(day - timedelta(days=700)),
                "LoadBalancerName": "shiftboard-api",
                "Scheme": "internet-facing",
                "VpcId": vpc_id,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": a, "SubnetId": pub[a], "LoadBalancerAddresses": []} for a in azs
                ],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "roster-api-8080",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/health",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    )
    resources.append(
        k.res(
            "logs",
            "LogGroup",
            k.log_group(account, region, lg, day - timedelta(days=500), 30, 31_884_002_117),
        )
    )
    resources.append(
        k.res(
            "logs",
            "LogGroup",
            k.log_group(account, region, "/shiftboard/nat", day - timedelta(days=300), 14, 88_120_334),
        )
    )

    # --- AWS Health -------------------------------------------------------------------------------
    if health_at <= now:
        ev_arn = f"arn:aws:health:{region}::event/EC2/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED_{k.hexid(rng, 8).upper()}_{k.uid(rng)}"
        events.append(
            {
                "source": "health",
                "item": {
                    "event": {
                        "arn": ev_arn,
                        "service": "EC2",
                        "eventTypeCode": "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED",
                        "eventTypeCategory": "scheduledChange",
                        "region": region,
                        "availabilityZone": bad_az,
                        "startTime": k.iso(health_at + timedelta(days=14)),
                        "lastUpdatedTime": k.iso(health_at),
                        "statusCode": "upcoming",
                        "eventScopeCode": "ACCOUNT_SPECIFIC",
                    },
                    "description": (
                        f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance (instance-ID: {nat[bad_az]}) "
                        f"associated with your AWS account (AWS Account ID: {account}) in the {region} region. Due to this degradation your instance "
                        "could already be unreachable. We will stop your instance after the retirement date shown.\n\n"
                        "You can see more information on your instances that are scheduled for retirement in the AWS Management Console "
                        "(https://console.aws.amazon.com/ec2/v2/home?region=" + region + "#Events)\n\n"
                        "* How does this affect you?\nYour instance's root device is an EBS volume and the instance will be stopped after the "
                        "specified retirement date. You can start it again at any time. Note that if you have EC2 instance store volumes "
                        "attached to the instance, any data on these volumes will be lost when the instance is stopped or terminated.\n\n"
                        "* What do you need to do?\nYou may still be able to access the instance. We recommend that you replace the instance "
                        "by creating an AMI of your instance and launching a new instance from the AMI, or stop and start the instance."
                    ),
                    "affected_entities": [
                        {
                            "entityArn": f"arn:aws:health:{region}:{account}:entity/{k.hexid(rng, 24)}",
                            "eventArn": ev_arn,
                            "entityValue": nat[bad_az],
                            "awsAccountId": account,
                            "lastUpdatedTime": k.iso(health_at),
                            "statusCode": "IMPAIRED",
                        }
                    ],
                },
            }
        )

    # --- CloudTrail -------------------------------------------------------------------------------
    dom = "shiftboard.co.uk"
    ops = k.sso_user(
        rng,
        account,
        "AdministratorAccess",
        f"{rng.choice(['hannah.price', 'dev.patel', 'owen.rhys'])}@{dom}",
        console=True,
    )
    dev = k.sso_user(
        rng, account, "Developer", f"{rng.choice(['lucy.marsh', 'kwame.asante', 'zofia.kowal'])}@{dom}"
    )
    dev.agent = k.CLI_UA.replace("{cmd}", "ec2")
    ci = k.role_user(
        rng,
        account,
        "github-oidc-deploy",
        "GitHubActions",
        ip=k.public_ip(rng),
        agent=k.CLI_UA.replace("{cmd}", "cloudfront"),
    )
    tf = k.role_user(
        rng,
        account,
        "terraform-cloud",
        f"terraform-run-{k.hexid(rng, 12)}",
        ip=k.public_ip(rng),
        agent=k.TF_UA,
    )
    dd = k.role_user(
        rng,
        account,
        "datadog-integration",
        "DatadogAWSIntegration",
        ip=k.public_ip(rng),
        agent="datadog-aws-integration",
    )
    ct += k.background_reads(
        rng,
        [tf, dd, dev],
        [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("ec2.amazonaws.com", "DescribeRouteTables", {"routeTableIdSet": {}, "filterSet": {}}),
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": svc}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("health.amazonaws.com", "DescribeEvents", None),
        ],
        start,
        now,
        region,
        32,
    )
    t_sg = onset - timedelta(minutes=rng.randrange(8, 16), seconds=rng.randrange(60))
    ct.append(
        k.trail(
            rng,
            ops,
            t_sg,
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            region,
            params={
                "groupId": sg_nat,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "groups": {},
                            "ipRanges": {
                                "items": [
                                    {"cidrIp": "10.61.0.0/16", "description": "reporting VPC via peering"}
                                ]
                            },
                            "ipv6Ranges": {},
                            "prefixListIds": {},
                        }
                    ]
                },
            },
            response={
                "requestId": k.uid(rng),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": account,
                            "groupId": sg_nat,
                            "securityGroupRuleId": "sgr-" + k.hexid(rng),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "cidrIpv4": "10.61.0.0/16",
                            "description": "reporting VPC via peering",
                        }
                    ]
                },
            },
        )
    )
    t_cf = onset - timedelta(minutes=rng.randrange(18, 28), seconds=rng.randrange(60))
    dist = "E" + k.upper_id(rng, "", 13)
    ct.append(
        k.trail(
            rng,
            ci,
            t_cf,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            "us-east-1",
            params={
                "distributionId": dist,
                "invalidationBatch": {
                    "paths": {"quantity": 2, "items": ["/index.html", "/app/*"]},
                    "callerReference": f"gha-{k.hexid(rng, 10)}",
                },
            },
            response={
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{dist}/invalidation/I{k.upper_id(rng, '', 12)}",
                "invalidation": {"id": "I" + k.upper_id(rng, "", 12), "status": "InProgress"},
            },
        )
    )
    ct.append(
        k.trail(
            rng,
            dev,
            onset + timedelta(minutes=rng.randrange(3, 9)),
            "ssm.amazonaws.com",
            "PutParameter",
            region,
            params={
                "name": "/shiftboard/prod/roster-api/PUBLISH_BATCH_SIZE",
                "type": "String",
                "overwrite": True,
            },
            response={"version": rng.randrange(3, 9), "tier": "Standard"},
        )
    )
    ct.append(
        k.trail(
            rng,
            tf,
            start + timedelta(minutes=rng.randrange(20, 90)),
            "ec2.amazonaws.com",
            "CreateTags",
            region,
            params={
                "resourcesSet": {"items": [{"resourceId": nat[a]} for a in azs]},
                "tagSet": {"items": [{"key": "cost-centre", "value": "platform"}]},
            },
            response={"requestId": k.uid(rng), "_return": True},
        )
    )
    investigate = onset + timedelta(minutes=rng.randrange(25, 35))
    looks: list[tuple[str, str, JSON]] = [
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        (
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupNames": [lg],
                "queryString": "fields @timestamp, msg, err.message | filter level >= 50",
            },
        ),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
    ]
    for i, (src, nm, pr) in enumerate(looks):
        ct.append(
            k.trail(
                rng,
                ops,
                investigate + timedelta(minutes=2 * i, seconds=rng.randrange(60)),
                src,
                nm,
                region,
                params=pr,
                read_only=True,
            )
        )
    ct = [r for r in ct if str(r["eventTime"]) <= k.iso(now)]
    ct.sort(key=lambda r: str(r["eventTime"]))

    logs = [entry for entry in logs if int(entry["timestamp"]) <= k.ms(now)]
    logs.sort(key=lambda e: (str(e["log_group"]), str(e["log_stream"]), int(e["timestamp"])))
    local = onset + timedelta(hours=offset)
    hh = local.hour % 12 or 12
    mm = (local.minute // 5) * 5
    ampm = "am" if local.hour < 12 else "pm"
    question = rng.choice(
        [
            f"Since about {hh}:{mm:02d}{ampm} managers are getting 'Something went wrong' when they publish rosters, maybe a third of the time, and a retry usually works. The rest of the app seems fine. What's broken?",
            f"Support says roster publishing has been flaky since around {hh}:{mm:02d} - some publishes fail, the same publish works a minute later. Google calendar sync complaints too. Can you take a look?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": nat[bad_az],
                    "category": "component_failure",
                    "failure_mode": "nat-instance-host-degraded",
                },
                "also_accept": [f"shiftboard-nat-{bad_az[-1]}"],
                "actions": ["restart", "reconfigure"],
                "chain": [
                    f"NAT instance {nat[bad_az]} (shiftboard-nat-{bad_az[-1]}) fails its system status check on degraded hardware",
                    f"private subnet route table {rtb[bad_az]} still sends 0.0.0.0/0 to it, so egress from {bad_az} is black-holed",
                    f"roster-api tasks in {bad_az} time out connecting to api.twilio.com and www.googleapis.com",
                    "about a third of roster publishes and calendar syncs return 500/502; retries land on other tasks and work",
                ],
            },
        }
    )
    records: dict[str, list[JSON]] = {
        "metrics": metrics,
        "alarms": alarms,
        "alarm_history": hist,
        "logs": logs,
        "cloudtrail": ct,
        "resources": resources,
        "events": events,
    }
    return Bundle(manifest, records)
