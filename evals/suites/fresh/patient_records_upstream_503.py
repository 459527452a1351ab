"""New bookings and the patient profile fail because another team's patient-records service (reached over
PrivateLink) starts answering 503 and timing out; a booking-api release earlier that morning is innocent."""

from __future__ import annotations

import random
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzp import (
    AZS,
    REGION,
    Clinic,
    api_log_minute,
    hexid,
    iso,
    pick_day,
    uid,
)

NAME = "clinic-new-bookings-failing-after-morning-release"
TITLE = (
    "New bookings and the profile page failing since mid-morning; did today's booking-api release break it?"
)
SUMMARY = (
    "The patient-records service owned by another team (consumed through an interface VPC endpoint) began "
    "returning 503s and timing out; booking-api's calls to it fail, so confirmations and profile loads 502."
)

HOST = "patient-records.internal.clinicbook.co.uk"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = pick_day(rng)
    onset = day.replace(hour=10, minute=20) + timedelta(
        minutes=rng.randint(0, 50), seconds=rng.randint(0, 59)
    )
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 20))
    now = onset + timedelta(minutes=rng.randint(35, 55))
    ctx = Clinic(rng, start, now)
    old, new = ctx.api_rev, ctx.api_rev + 1
    vpce = "vpce-" + hexid(rng, 17)
    svc_name = f"com.amazonaws.vpce.{REGION}.vpce-svc-{hexid(rng, 17)}"
    vpce_dns = f"{vpce}-{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(8))}.vpce-svc-x.{REGION}.vpce.amazonaws.com"
    severity = rng.uniform(0.55, 0.8)

    # --- this morning's innocent release: new image, same settings
    rel_t = onset - timedelta(minutes=rng.randint(28, 55))
    new_tag = hexid(rng, 7)
    td_old = ctx.task_definition(
        "booking-api",
        old,
        start - timedelta(days=rng.randint(3, 8)),
        ctx.api_env(ctx.db_endpoint),
        ctx.image_tag,
    )
    td_new = ctx.task_definition("booking-api", new, rel_t, ctx.api_env(ctx.db_endpoint), new_tag)
    td_req = {
        k: v
        for k, v in td_new.items()
        if k
        in (
            "family",
            "taskRoleArn",
            "executionRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "containerDefinitions",
        )
    }
    ctx.trail(rel_t, "ecs.amazonaws.com", "RegisterTaskDefinition", "ci", td_req, {"taskDefinition": td_new})
    upd_t = rel_t + timedelta(seconds=rng.randint(20, 45))
    ctx.trail(
        upd_t,
        "ecs.amazonaws.com",
        "UpdateService",
        "ci",
        {
            "cluster": ctx.cluster,
            "service": "booking-api",
            "taskDefinition": f"booking-api:{new}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "booking-api",
                "serviceArn": ctx.svc_arn("booking-api"),
                "taskDefinition": ctx.td_arn("booking-api", new),
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    dep = ctx.deployment("booking-api", new, 3, upd_t, upd_t + timedelta(minutes=7))
    svc = ctx.ecs_service("booking-api", new, 3, [dep], start - timedelta(days=400), lb=True)
    ctx.base_resources([td_old, td_new], svc)
    new_tasks = [hexid(rng, 32) for _ in range(3)]
    swap = (upd_t + timedelta(minutes=2, seconds=30)).replace(second=0)
    svc_arn = ctx.svc_arn("booking-api")
    for dt, msg in (
        (
            upd_t + timedelta(seconds=30),
            f"(service booking-api) has started 3 tasks: {' '.join(f'(task {x})' for x in new_tasks)}.",
        ),
        (swap, f"(service booking-api) registered 3 targets in (target-group {ctx.tg_arn})"),
        (
            swap + timedelta(seconds=45),
            f"(service booking-api) deregistered 3 targets in (target-group {ctx.tg_arn})",
        ),
        (
            swap + timedelta(minutes=4),
            f"(service booking-api) has stopped 3 running tasks: {' '.join(f'(task {x})' for x in ctx.api_tasks)}.",
        ),
        (
            swap + timedelta(minutes=5),
            f"(service booking-api) (deployment {dep['id']}) deployment completed.",
        ),
        (swap + timedelta(minutes=5, seconds=2), "(service booking-api) has reached a steady state."),
    ):
        ctx.events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": uid(rng), "createdAt": iso(dt), "message": msg},
                },
            }
        )
    for _ in new_tasks:
        ctx.task_start_trail(upd_t + timedelta(seconds=rng.randint(30, 60)), "booking-api")

    # --- the endpoint to the other team's service, and its private DNS name
    ctx.resources.append(
        {
            "service": "ec2",
            "type": "VpcEndpoint",
            "item": {
                "VpcEndpointId": vpce,
                "VpcEndpointType": "Interface",
                "VpcId": ctx.vpc,
                "ServiceName": svc_name,
                "State": "available",
                "PolicyDocument": '{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}]}',
                "RouteTableIds": [],
                "SubnetIds": ctx.subnets,
                "Groups": [{"GroupId": ctx.sg_app, "GroupName": "booking-app"}],
                "PrivateDnsEnabled": False,
                "RequesterManaged": False,
                "NetworkInterfaceIds": ["eni-" + hexid(rng, 17) for _ in AZS],
                "DnsEntries": [{"DnsName": vpce_dns, "HostedZoneId": "Z16OXGNEV8XWAM"}],
                "CreationTimestamp": iso(start - timedelta(days=210)),
                "Tags": [
                    {"Key": "Name", "Value": "patient-records"},
                    {"Key": "owner", "Value": "records-platform-team"},
                ],
                "OwnerId": ctx.account,
            },
        }
    )
    zone = "Z0" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(19))
    ctx.resources.append(
        {
            "service": "route53",
            "type": "HostedZone",
            "item": {
                "Id": f"/hostedzone/{zone}",
                "Name": "internal.clinicbook.co.uk.",
                "CallerReference": uid(rng),
                "Config": {"Comment": "prod private zone", "PrivateZone": True},
                "ResourceRecordSetCount": 9,
            },
        }
    )
    ctx.resources.append(
        {
            "service": "route53",
            "type": "ZoneRecordSet",
            "item": {
                "HostedZoneId": zone,
                "Name": f"{HOST}.",
                "Type": "CNAME",
                "TTL": 300,
                "ResourceRecords": [{"Value": vpce_dns}],
            },
        }
    )

    # --- other innocent activity
    sg_t = onset - timedelta(minutes=rng.randint(70, 110))
    ctx.trail(
        sg_t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        "sso-tom",
        {
            "groupId": ctx.sg_db,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {
                            "items": [
                                {"groupId": "sg-" + hexid(rng, 17), "description": "metabase reporting"}
                            ]
                        },
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": uid(rng),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": ctx.account,
                        "groupId": ctx.sg_db,
                        "securityGroupRuleId": "sgr-" + hexid(rng, 17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                    }
                ]
            },
        },
    )
    ctx.trail(
        onset - timedelta(minutes=rng.randint(120, 170)),
        "ssm.amazonaws.com",
        "GetParameter",
        "sso-tom",
        {"name": "/clinicbook/prod/feature-flags", "withDecryption": False},
        None,
        read_only=True,
    )
    ctx.tooling_noise()
    for who in ("sso-priya", "sso-tom"):
        ctx.trail(
            onset + timedelta(minutes=rng.randint(12, 30)),
            "ecs.amazonaws.com",
            "DescribeTaskDefinition",
            who,
            {"taskDefinition": f"booking-api:{new}"},
            None,
            read_only=True,
        )
    ctx.trail(
        onset + timedelta(minutes=rng.randint(14, 30)),
        "ec2.amazonaws.com",
        "DescribeVpcEndpoints",
        "sso-priya",
        {"vpcEndpointId": {"items": [vpce]}},
        None,
        read_only=True,
    )

    # --- telemetry
    pl = {"VPC Id": ctx.vpc, "VPC Endpoint Id": vpce, "Endpoint Type": "Interface", "Service Name": svc_name}
    first_bad = None
    for t in ctx.minutes():
        load = ctx.load(t)
        broken = t >= onset
        dep_share = 0.2  # POST /v1/appointments + GET /v1/patients/me need the patient record
        bad = load * dep_share * severity * rng.uniform(0.9, 1.05) if broken else 0.0
        t5 = bad + (rng.random() < 0.08)
        if t5 >= 20 and first_bad is None:
            first_bad = t
        timeouts = bad * 0.45
        lat = rng.uniform(0.085, 0.11)
        if broken:
            lat = (lat * (load - bad) + timeouts * 10.1 + (bad - timeouts) * 0.9) / load
        ctx.alb_metrics(t, load, t5, 0, lat, 10.2 if broken else lat * rng.uniform(6, 12), 3)
        ctx.ecs_metrics(
            t,
            "booking-api",
            8 + load / 540 * 28 * rng.uniform(0.9, 1.1),
            40 + rng.uniform(-2, 2) + (4 if broken else 0),
        )
        ctx.ecs_metrics(t, "admin-portal", 4 + rng.uniform(0, 3), 52 + rng.uniform(-1, 1))
        ctx.rds_metrics(
            t,
            ctx.db_writer,
            9 + load / 540 * 21 * rng.uniform(0.9, 1.1) * (0.85 if broken else 1),
            30 + rng.randint(-1, 1),
        )
        ctx.rds_metrics(t, ctx.db_reader, 5 + load / 540 * 6 * rng.uniform(0.9, 1.1), 12 + rng.randint(-1, 1))
        calls = load * dep_share * (2 - (1 - severity) if broken else 1)
        ctx.metric(
            "AWS/PrivateLinkEndpoints",
            "NewConnections",
            pl,
            t,
            "Count",
            round(calls * (0.35 if not broken else 0.9) * rng.uniform(0.9, 1.1)),
        )
        ctx.metric(
            "AWS/PrivateLinkEndpoints",
            "ActiveConnections",
            pl,
            t,
            "Count",
            round(24 * rng.uniform(0.9, 1.1) + (calls * 0.1 if broken else 0)),
        )
        ctx.metric(
            "AWS/PrivateLinkEndpoints",
            "BytesProcessed",
            pl,
            t,
            "Bytes",
            round(calls * (6200 if not broken else 6200 * (1 - severity) + 900) * rng.uniform(0.9, 1.1)),
        )
        ctx.metric("AWS/PrivateLinkEndpoints", "PacketsDropped", pl, t, "Count", 0)
        ctx.metric(
            "AWS/PrivateLinkEndpoints",
            "RstPacketsReceived",
            pl,
            t,
            "Count",
            round(calls * 0.3 * severity) if broken else rng.randint(0, 2),
        )
        tasks = ctx.api_tasks if t < swap + timedelta(minutes=1) else new_tasks

        def status(method: str, path: str, _at: object, broken: bool = broken) -> int | None:
            needs = (method == "POST" and path == "/v1/appointments") or path == "/v1/patients/me"
            if broken and needs and rng.random() < severity:
                return 502 if rng.random() < 0.55 else 504
            return None

        for at, task, method, path, st in api_log_minute(ctx, t, tasks, status, per_task=3):
            stream = f"ecs/booking-api/{task}"
            pid = rng.randint(200000, 990000)
            rid = uid(rng)
            if st == 502:
                ms1, ms2 = rng.randint(30, 900), rng.randint(30, 900)
                lines = [
                    "@@ "
                    + f"WARNING [booking.clients.patient_records] GET https://{HOST}/v2/patients/{pid}/summary -> 503 Service Unavailable in {ms1}ms (attempt 1/2)",
                    "@@ "
                    + f"WARNING [booking.clients.patient_records] GET https://{HOST}/v2/patients/{pid}/summary -> 503 Service Unavailable in {ms2}ms (attempt 2/2)",
                    "@@ "
                    + f"ERROR [booking.api] {method} {path} failed: patient-records unavailable (upstream_status=503) request_id={rid}",
                ]
            else:
                lines = [
                    "@@ "
                    + f"WARNING [booking.clients.patient_records] GET https://{HOST}/v2/patients/{pid}/summary timed out after 5.0s (attempt 1/2)",
                    "@@ "
                    + f"WARNING [booking.clients.patient_records] GET https://{HOST}/v2/patients/{pid}/summary timed out after 5.0s (attempt 2/2)",
                    "@@ "
                    + f"ERROR [booking.api] {method} {path} failed: patient-records unavailable (httpx.ReadTimeout) request_id={rid}",
                ]
            offsets = (0.0, 0.0, 0.0) if st == 502 else (10.1, 5.05, 0.0)
            for i, line in enumerate(lines):
                when = at - timedelta(seconds=offsets[i], milliseconds=40 - i)
                stamp = f"{when:%Y-%m-%d %H:%M:%S},{int(when.microsecond / 1000):03d}"
                ctx.log("/ecs/booking-api", stream, when, line.replace("@@", stamp, 1))
    for tk in new_tasks:
        at = swap - timedelta(seconds=rng.randint(20, 50))
        s = f"ecs/booking-api/{tk}"
        ctx.log("/ecs/booking-api", s, at, "INFO:     Started server process [1]")
        ctx.log(
            "/ecs/booking-api",
            s,
            at + timedelta(milliseconds=700),
            f"{at:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} INFO [booking.db] pool ready min=2 max=10 host={ctx.db_endpoint} db=booking",
        )
        ctx.log("/ecs/booking-api", s, at + timedelta(seconds=1), "INFO:     Application startup complete.")

    # --- alarms
    assert first_bad is not None
    fire, pts = ctx.breach_5xx(20.0, onset - timedelta(minutes=5))
    a5 = ctx.alarm(
        "booking-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": ctx.alb_dim},
        "Sum",
        60,
        3,
        20,
        "GreaterThanThreshold",
        "ALARM",
        fire,
        ctx.breach_reason(pts, 20.0),
        description="booking-api returning 5xx through the public ALB. Runbook: https://wiki.clinicbook.co.uk/runbooks/booking-api",
    )
    ctx.transition(a5["AlarmName"], fire, "OK", "ALARM", a5["StateReason"])
    lat_fire = (onset + timedelta(minutes=10)).replace(second=0)
    al = ctx.alarm(
        "booking-api-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": ctx.alb_dim},
        "Average",
        300,
        2,
        1.5,
        "GreaterThanThreshold",
        "ALARM",
        lat_fire,
        f"Threshold Crossed: 2 out of the last 2 datapoints [{rng.uniform(1.7, 2.6):.3f} ({lat_fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S}), {rng.uniform(1.6, 2.4):.3f} ({lat_fire - timedelta(minutes=10):%d/%m/%y %H:%M:%S})] were greater than the threshold (1.5) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    ctx.transition(al["AlarmName"], lat_fire, "OK", "ALARM", al["StateReason"])
    ctx.alarm(
        "booking-db-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_writer},
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=4),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    flap = start + timedelta(minutes=rng.randint(30, 80))
    ctx.alarm(
        "ses-bounce-rate-high",
        "AWS/SES",
        "Reputation.BounceRate",
        {},
        "Average",
        3600,
        1,
        0.04,
        "GreaterThanThreshold",
        "OK",
        flap + timedelta(hours=1),
        "Threshold Crossed: 1 datapoint [0.031 ] was not greater than the threshold (0.04).",
    )
    ctx.transition(
        "ses-bounce-rate-high",
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [0.0412] was greater than the threshold (0.04).",
    )
    ctx.transition(
        "ses-bounce-rate-high",
        flap + timedelta(hours=1),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [0.031] was not greater than the threshold (0.04).",
    )
    for h in range(0, 6):
        t = (start + timedelta(hours=h)).replace(minute=0, second=0)
        if start <= t < now:
            v = 0.0412 if t <= flap < t + timedelta(hours=1) else rng.uniform(0.018, 0.033)
            ctx.metric("AWS/SES", "Reputation.BounceRate", {}, t, "None", v)

    question = (
        f"Did this morning's booking-api release break booking? Front desk says new bookings are failing since "
        f"about {onset:%H:%M} and patients say the profile page in the app won't load."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": svc_name,
            "category": "dependency_failure",
            "failure_mode": "internal-upstream-service-unavailable",
        },
        "also_accept": ["patient-records", HOST, vpce],
        "actions": [],
        "chain": [svc_name, vpce, "booking-api", ctx.alb_name],
    }
    return ctx.bundle(TITLE, {"question": question, "alarm_event": None, "timezone": "Europe/London"}, truth)
