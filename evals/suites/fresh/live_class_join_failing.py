"""Students cannot join live classes: the video-meeting vendor's API starts failing."""

from __future__ import annotations

import json
from datetime import timedelta

from evals.bundle import Bundle

from ._kit_zzzf import (
    REGION,
    Ctx,
    alb_minute,
    background_trail,
    cloudfront_minute,
    crossing_reason,
    deploy_records,
    diurnal,
    ecs_event,
    ecs_minute,
    finish,
    iso,
    lb_totals,
    local_clock,
    minutes,
    ms,
    platform,
    rds_minute,
    reason_data,
    task_id,
)

NAME = "live-class-join-failing"
TITLE = "Students can't join afternoon live classes; join button spins then errors"
SUMMARY = "Zoom's REST API (api.zoom.us) starts timing out and returning 503s; live-api, which fetches meeting details and registers each student before handing out a join link, fails its join requests while the rest of the platform is healthy."


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    a = ctx.account
    zone = "Europe/London"
    onset = ctx.day + timedelta(hours=14, minutes=r.randint(38, 52), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(10, 30))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(35, 50))).replace(second=0)
    svc = "bp-live-api"
    tg = "bp-live-api-tg"
    revs = {
        "bp-learn-api": r.randint(140, 190),
        "bp-web": r.randint(300, 420),
        "bp-progress-api": r.randint(60, 99),
        svc: r.randint(20, 60),
    }
    t_live_deploy = onset - timedelta(hours=2, minutes=r.randint(15, 45))
    t_web_deploy = onset - timedelta(minutes=r.randint(70, 95))
    deployed = {
        "bp-learn-api": ctx.day - timedelta(days=1),
        "bp-web": t_web_deploy,
        "bp-progress-api": ctx.day - timedelta(days=4),
        svc: t_live_deploy,
    }
    n_live = 3
    platform(ctx, {"bp-learn-api": 6, "bp-web": 4, "bp-progress-api": 3, svc: n_live}, revs, deployed)
    nat = "nat-" + ctx.hex(17)
    eni = "eni-" + ctx.hex(17)
    ctx.res(
        "ec2",
        "NatGateway",
        {
            "NatGatewayId": nat,
            "SubnetId": ctx.subnets[0],
            "VpcId": ctx.vpc,
            "State": "available",
            "ConnectivityType": "public",
            "CreateTime": iso(ctx.day - timedelta(days=700)),
            "NatGatewayAddresses": [
                {
                    "AllocationId": "eipalloc-" + ctx.hex(17),
                    "NetworkInterfaceId": eni,
                    "PrivateIp": "10.20.0.45",
                    "PublicIp": f"54.{r.randint(80, 240)}.{r.randint(1, 250)}.{r.randint(1, 250)}",
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "Tags": [{"Key": "Name", "Value": "bp-prod-nat-a"}],
        },
    )

    # --- CloudTrail ----------------------------------------------------------------------------------------
    background_trail(ctx, start, now, 34)
    gha = ctx.role("bp-github-deploy", "GitHubActions")
    deploy_records(ctx, t_live_deploy, svc, revs[svc], gha, n_live)
    deploy_records(ctx, t_web_deploy, "bp-web", revs["bp-web"], gha, 4)
    ops = ctx.sso("tomasz.kowal@brightpath.io")
    vanta = f"203.0.113.{r.randint(2, 250)}/32"
    ctx.ct(
        onset - timedelta(minutes=r.randint(12, 24)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ops,
        {
            "groupId": ctx.bastion_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "ipRanges": {"items": [{"cidrIp": vanta, "description": "Vanta agent check"}]},
                    }
                ]
            },
        },
        {
            "requestId": ctx.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": a,
                        "groupId": ctx.bastion_sg,
                        "securityGroupRuleId": "sgr-" + ctx.hex(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": vanta,
                    }
                ]
            },
        },
        console=True,
    )
    ctx.ct(
        onset - timedelta(minutes=r.randint(30, 50)),
        "secretsmanager.amazonaws.com",
        "PutSecretValue",
        ctx.role("bp-secrets-rotation", "rotation-lambda", None),
        {
            "secretId": f"arn:aws:secretsmanager:{REGION}:{a}:secret:bp/prod/progress-api/segment-AbC1x2",
            "clientRequestToken": ctx.uuid(),
            "versionStages": ["AWSPENDING"],
        },
        {
            "arn": f"arn:aws:secretsmanager:{REGION}:{a}:secret:bp/prod/progress-api/segment-AbC1x2",
            "name": "bp/prod/progress-api/segment",
            "versionId": ctx.uuid(),
            "versionStages": ["AWSPENDING"],
        },
        agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.223 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12",
    )
    ctx.ct(
        onset + timedelta(minutes=r.randint(6, 10)),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        ops,
        {"targetGroupArn": ctx.tg_arn(tg)},
        None,
        read_only=True,
        console=True,
    )
    ctx.ct(
        onset + timedelta(minutes=r.randint(11, 16)),
        "ecs.amazonaws.com",
        "DescribeServices",
        ops,
        {"cluster": ctx.cluster, "services": [svc]},
        None,
        read_only=True,
        console=True,
    )
    ctx.ct(
        onset + timedelta(minutes=r.randint(17, 22)),
        "ec2.amazonaws.com",
        "DescribeNatGateways",
        ops,
        {"natGatewayIds": [nat]},
        None,
        read_only=True,
        console=True,
    )
    ecs_event(
        ctx,
        svc,
        t_live_deploy + timedelta(minutes=6),
        f"(service {svc}) (deployment ecs-svc/{r.randint(10**18, 10**19 - 1)}) deployment completed.",
    )
    ecs_event(ctx, svc, t_live_deploy + timedelta(minutes=7), f"(service {svc}) has reached a steady state.")

    # --- metrics ----------------------------------------------------------------------------------------------
    def class_load(m: float) -> float:
        # joins bunch up in the minutes before each hour and half-hour
        mm = m % 30
        return 3.0 if mm >= 25 or mm < 5 else 0.6

    for m in minutes(start, now):
        d = diurnal(m, 15.0)
        after = m >= onset.replace(second=0)
        jl = class_load(m.minute)
        req = int(260 * d * jl * r.uniform(0.85, 1.15))
        t5 = int(req * r.uniform(0.55, 0.8)) if after else (1 if r.random() < 0.05 else 0)
        alb_minute(
            ctx,
            m,
            tg,
            req,
            target_5xx=t5,
            healthy=n_live,
            median=3.8 if after else 0.32,
            tail=2.7 if after else 3.0,
        )
        lreq = int(2300 * d * r.uniform(0.93, 1.07))
        alb_minute(ctx, m, "bp-learn-api-tg", lreq, target_5xx=r.randint(0, 3), healthy=6, median=0.085)
        wreq = int(1700 * d * r.uniform(0.93, 1.07))
        alb_minute(ctx, m, "bp-web-tg", wreq, target_5xx=r.randint(0, 2), healthy=4, median=0.14)
        preq = int(650 * d * r.uniform(0.9, 1.1))
        alb_minute(ctx, m, "bp-progress-api-tg", preq, target_5xx=r.randint(0, 1), healthy=3, median=0.045)
        lb_totals(ctx, m, req + lreq + wreq + preq, int((req + lreq + wreq + preq) * 0.45))
        ecs_minute(
            ctx,
            m,
            svc,
            (9 if after else 14) * d * jl * r.uniform(0.9, 1.1),
            38 + (6 if after else 0) + r.uniform(-2, 2),
        )
        ecs_minute(ctx, m, "bp-learn-api", 30 * d * r.uniform(0.9, 1.1), 52 + r.uniform(-2, 2))
        ecs_minute(ctx, m, "bp-web", 22 * d * r.uniform(0.9, 1.1), 60 + r.uniform(-2, 2))
        ecs_minute(ctx, m, "bp-progress-api", 12 * d * r.uniform(0.9, 1.1), 40 + r.uniform(-2, 2))
        rds_minute(ctx, m, ctx.db_writer, 22 * d * r.uniform(0.9, 1.1), 121 * r.uniform(0.95, 1.05))
        rds_minute(
            ctx,
            m,
            ctx.db_reader,
            16 * d * r.uniform(0.9, 1.1),
            66 * r.uniform(0.95, 1.05),
            lag=r.uniform(12, 30),
        )
        cloudfront_minute(
            ctx,
            m,
            int((lreq + wreq) * 5.0),
            r.uniform(0.01, 0.06) + (t5 / max(1, lreq + wreq + req) * 100 * 0.3),
            r.uniform(0.6, 1.2),
        )
        nd = {"NatGatewayId": nat}
        ctx.metric(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            nd,
            m,
            int(1400 * d * r.uniform(0.9, 1.1)) + (int(req * 0.6) if after else 0),
        )
        ctx.metric("AWS/NATGateway", "ConnectionEstablishedCount", nd, m, int(900 * d * r.uniform(0.9, 1.1)))
        ctx.metric("AWS/NATGateway", "ConnectionAttemptCount", nd, m, int(905 * d * r.uniform(0.9, 1.1)))
        ctx.metric("AWS/NATGateway", "ErrorPortAllocation", nd, m, 0)
        ctx.metric("AWS/NATGateway", "PacketsDropCount", nd, m, 0)
        ctx.metric(
            "AWS/NATGateway", "BytesOutToDestination", nd, m, int(3.1e7 * d * r.uniform(0.9, 1.1)), "Bytes"
        )

    # --- logs: live-api is a Node/Express service logging with pino ---------------------------------------------
    group = f"/ecs/{svc}"
    streams = [f"ecs/live-api/{task_id(ctx)}" for _ in range(n_live)]
    host = [f"ip-10-20-{r.choice([16, 32, 48])}-{r.randint(5, 250)}.ec2.internal" for _ in range(n_live)]
    m2 = start
    while m2 < now:
        jl = class_load(m2.minute)
        i = r.randrange(n_live)
        sess = r.randint(10000, 99999)
        rid = ctx.uuid()
        meeting = r.randint(8 * 10**10, 9 * 10**10)
        base = {"pid": 1, "hostname": host[i]}
        after = m2 >= onset
        url = f"/v1/live-sessions/{sess}/join"
        if after and r.random() < 0.7:
            if r.random() < 0.55:
                err = {"type": "AxiosError", "message": "timeout of 10000ms exceeded", "code": "ECONNABORTED"}
                took = 10000 + r.randint(3, 60)
                status = None
            else:
                code = r.choice([502, 503, 503, 503])
                err = {
                    "type": "AxiosError",
                    "message": f"Request failed with status code {code}",
                    "code": "ERR_BAD_RESPONSE",
                }
                took = r.randint(200, 2600)
                status = code
            call = r.choice(
                [
                    ("GET", f"https://api.zoom.us/v2/meetings/{meeting}"),
                    ("POST", f"https://api.zoom.us/v2/meetings/{meeting}/registrants"),
                ]
            )
            line = dict(
                base,
                level=50,
                time=ms(m2) + took,
                reqId=rid,
                err=err,
                upstream={"method": call[0], "url": call[1], "status": status, "durationMs": took},
                msg="zoom request failed",
            )
            ctx.log(
                group, streams[i], m2 + timedelta(milliseconds=took), json.dumps(line, separators=(",", ":"))
            )
            done = dict(
                base,
                level=50,
                time=ms(m2) + took + 3,
                reqId=rid,
                req={"method": "POST", "url": url},
                res={"statusCode": 502},
                responseTime=took + 3,
                msg="request errored",
            )
            ctx.log(
                group,
                streams[i],
                m2 + timedelta(milliseconds=took + 3),
                json.dumps(done, separators=(",", ":")),
            )
        else:
            took = r.randint(180, 520)
            done = dict(
                base,
                level=30,
                time=ms(m2) + took,
                reqId=rid,
                req={"method": "POST", "url": url},
                res={"statusCode": 200},
                responseTime=took,
                msg="request completed",
            )
            ctx.log(
                group, streams[i], m2 + timedelta(milliseconds=took), json.dumps(done, separators=(",", ":"))
            )
        m2 += timedelta(seconds=r.uniform(1.5, 5) if jl > 1 else r.uniform(8, 25))
    for i, s in enumerate(streams):
        t0 = t_live_deploy + timedelta(seconds=r.randint(60, 120))
        ctx.log(
            group,
            s,
            t0,
            json.dumps(
                {
                    "level": 30,
                    "time": ms(t0),
                    "pid": 1,
                    "hostname": host[i],
                    "msg": "live-api listening on :8000",
                },
                separators=(",", ":"),
            ),
        )
        tok = t0 + timedelta(seconds=2)
        while tok < now:
            ctx.log(
                group,
                s,
                tok,
                json.dumps(
                    {
                        "level": 30,
                        "time": ms(tok),
                        "pid": 1,
                        "hostname": host[i],
                        "msg": "zoom oauth token refreshed",
                        "expiresIn": 3599,
                    },
                    separators=(",", ":"),
                ),
            )
            tok += timedelta(minutes=59, seconds=r.randint(0, 30))
    # progress-api keeps calling its analytics vendor through the same NAT without trouble
    pg = "/ecs/bp-progress-api"
    ps = f"ecs/progress-api/{task_id(ctx)}"
    tp = start
    while tp < now:
        ctx.log(
            pg,
            ps,
            tp,
            f"{tp.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}  INFO 1 --- [progress-api] [   scheduling-1] c.b.progress.analytics.SegmentForwarder   : flushed batch of {r.randint(40, 400)} events to https://api.segment.io/v1/batch in {r.randint(60, 240)} ms (HTTP 200)",
        )
        tp += timedelta(seconds=r.randint(50, 70))

    # --- alarms --------------------------------------------------------------------------------------------------
    al = ctx.alarm(
        "bp-live-api-target-5xx",
        "live-api returning 5xx (live class joins). Owner: live-learning",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": ctx.tg_dim(tg), "LoadBalancer": ctx.alb_dim},
        "Sum",
        25.0,
        "GreaterThanThreshold",
        evals=3,
    )
    fire = (onset + timedelta(minutes=3)).replace(second=r.randint(5, 55))
    recent = [float(r.randint(60, 400)) for _ in range(3)]
    reason = crossing_reason(al, recent, fire)
    data = reason_data(al, fire, recent)
    al.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=iso(fire),
        StateTransitionedTimestamp=iso(fire),
    )
    ctx.transition(al, fire, "OK", "ALARM", reason, data)
    lat = ctx.alarm(
        "bp-live-api-latency",
        "live-api average target response time",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"TargetGroup": ctx.tg_dim(tg), "LoadBalancer": ctx.alb_dim},
        "Average",
        2.0,
        "GreaterThanThreshold",
        evals=3,
        topic="bp-platform-slack",
    )
    lfire = fire + timedelta(seconds=r.randint(30, 90))
    lrec = [round(r.uniform(3.5, 6.5), 3) for _ in range(3)]
    lreason = crossing_reason(lat, lrec, lfire)
    lat.update(
        StateValue="ALARM",
        StateReason=lreason,
        StateUpdatedTimestamp=iso(lfire),
        StateTransitionedTimestamp=iso(lfire),
    )
    ctx.transition(lat, lfire, "OK", "ALARM", lreason, reason_data(lat, lfire, lrec))
    ctx.alarm(
        "bp-prod-alb-elb-5xx",
        "ALB-generated 5xx on bp-prod-alb",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": ctx.alb_dim},
        "Sum",
        50.0,
        "GreaterThanThreshold",
        evals=3,
    )
    ctx.alarm(
        "bp-nat-port-allocation-errors",
        "NAT gateway port allocation errors",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        {"NatGatewayId": nat},
        "Sum",
        0.0,
        "GreaterThanThreshold",
        evals=1,
        topic="bp-platform-slack",
    )
    ctx.alarm(
        "bp-aurora-writer-cpu-high",
        "Aurora writer CPU",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_writer},
        "Average",
        80.0,
        "GreaterThanThreshold",
        period=300,
        evals=3,
    )

    question = (
        f"Instructors are saying students can't get into the live classes — the Join button spins for ages and then shows an error. "
        f"First report was around {local_clock(onset, zone)}. Lessons and quizzes seem fine. Is the load balancer broken?"
    )
    return finish(
        ctx,
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": a,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": ctx.alarm_event(al, fire, reason, data, ctx.day),
                "timezone": zone,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": "api.zoom.us",
                    "category": "dependency_failure",
                    "failure_mode": "third-party-api-outage",
                },
                "also_accept": ["zoom.us", "Zoom", "Zoom API"],
                "actions": [],
                "chain": ["api.zoom.us", svc, tg],
            },
        },
    )
