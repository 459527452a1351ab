"""Docs SaaS web tier: a two-minute 5xx alarm, and whether it matters."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_r as kr

NAME = "quillmark-web-5xx-two-minutes"
TITLE = "Web ALB 5xx alarm fired for two minutes"
SUMMARY = (
    "No fault: one web instance's node process was OOM-killed during a large export, the ALB saw a few dozen "
    "502s while its health checks failed, Auto Scaling replaced the instance and errors stopped at once."
)

Json = dict[str, Any]
ZONE = "Europe/Berlin"


def build(seed: int) -> Bundle:
    k = kr.Kit(NAME, seed)
    r = k.rng
    zone = ZoneInfo(ZONE)
    day = k.start_date()
    local = datetime(
        day.year, day.month, day.day, r.randint(9, 16), r.randint(0, 59), r.randint(38, 52), tzinfo=zone
    )
    kill = local.astimezone(kr.UTC)
    off = local.utcoffset()
    tz_off = off.total_seconds() / 3600 if off is not None else 0.0
    start = kr.floor_min(kill - timedelta(hours=3, minutes=r.randint(15, 60)))
    now = kr.floor_min(kill + timedelta(minutes=r.randint(32, 45)))
    unhealthy_at = kill + timedelta(seconds=r.randint(18, 27))
    out_of_service = unhealthy_at + timedelta(seconds=r.randint(15, 40))
    launch_at = out_of_service + timedelta(seconds=r.randint(25, 50))
    new_healthy = launch_at + timedelta(seconds=r.randint(150, 210))

    asg = "qm-web-prod"
    net = kr.Net(k, "quillmark-prod", "10.12")
    alb_sg, web_sg = k.rid("sg"), k.rid("sg")
    created = day - timedelta(days=r.randint(250, 700), hours=-r.randint(9, 18))
    lb_name, lb_hex, tg_hex = "qm-web-prod", k.hex(16), k.hex(16)
    lb = kr.alb(k, lb_name, lb_hex, net, alb_sg, created)
    lb_arn = lb["item"]["LoadBalancerArn"]
    tg = kr.target_group(k, "qm-web-prod", tg_hex, net.vpc, lb_arn, 3000, "/health")
    tg["item"]["HealthCheckIntervalSeconds"] = 10
    tg_arn = tg["item"]["TargetGroupArn"]
    lb_dim, tg_dim = f"app/{lb_name}/{lb_hex}", f"targetgroup/qm-web-prod/{tg_hex}"
    ids = [k.iid() for _ in range(6)]
    victim_i = r.randint(0, 5)
    victim = ids[victim_i]
    fresh = k.iid()
    ami = "ami-0" + k.hex(16)
    lt_id = "lt-0" + k.hex(16)
    lt_ver = str(r.randint(20, 60))
    launch = {
        i: day - timedelta(days=r.randint(1, 14), hours=r.randint(0, 20), minutes=r.randint(0, 59))
        for i in ids
    }
    launch[fresh] = launch_at
    asg_arn = k.arn("autoscaling", f"autoScalingGroup:{k.uuid()}:autoScalingGroupName/{asg}")

    # --- metrics ------------------------------------------------------------------------------------
    metrics: list[Json] = []
    ns = "AWS/ApplicationELB"
    peak = r.randint(1800, 2600)
    e5: dict[datetime, float] = {}
    kill_min = kr.floor_min(kill)
    n_bad = r.randint(28, 42)
    first = int(n_bad * r.uniform(0.42, 0.58))
    bad_split = {kill_min: first, kill_min + timedelta(minutes=1): n_bad - first}
    for t in kr.minutes(start, now):
        shape = kr.day_shape(t, tz_off)
        rq = int(kr.noisy(k, peak * shape, 0.05))
        in_service = [i for i in ids if i != victim or t < kr.floor_min(out_of_service)]
        if t >= kr.floor_min(new_healthy):
            in_service.append(fresh)
        healthy = len(in_service) - (
            1
            if kr.floor_min(unhealthy_at) <= t < kr.floor_min(out_of_service) + timedelta(minutes=1)
            and victim in in_service
            else 0
        )
        bad = bad_split.get(t, 0)
        spurious = 1 if r.random() < 0.03 else 0
        lbd = {"LoadBalancer": lb_dim}
        d = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        t4 = int(rq * r.uniform(0.008, 0.015))
        for dd in (lbd, d):
            metrics.append(kr.datum(ns, "RequestCount", dd, t, "Count", rq))
            metrics.append(
                kr.datum(ns, "HTTPCode_Target_2XX_Count", dd, t, "Count", rq - t4 - bad - spurious)
            )
            metrics.append(kr.datum(ns, "HTTPCode_Target_4XX_Count", dd, t, "Count", t4))
            metrics.append(kr.latency_p(k, ns, "TargetResponseTime", dd, t, rq, 0.062, 0.21))
        if spurious:
            metrics.append(kr.datum(ns, "HTTPCode_Target_5XX_Count", lbd, t, "Count", spurious))
            metrics.append(kr.datum(ns, "HTTPCode_Target_5XX_Count", d, t, "Count", spurious))
        if bad:
            e5[t] = float(bad)
            metrics.append(kr.datum(ns, "HTTPCode_ELB_5XX_Count", lbd, t, "Count", bad))
            metrics.append(kr.datum(ns, "HTTPCode_ELB_502_Count", lbd, t, "Count", bad))
            metrics.append(kr.datum(ns, "TargetConnectionErrorCount", lbd, t, "Count", bad + r.randint(0, 4)))
            metrics.append(kr.datum(ns, "TargetConnectionErrorCount", d, t, "Count", bad + r.randint(0, 4)))
        metrics.append(kr.datum(ns, "HealthyHostCount", d, t, "Count", healthy))
        metrics.append(kr.datum(ns, "UnHealthyHostCount", d, t, "Count", len(in_service) - healthy))
        metrics.append(
            kr.datum("AWS/AutoScaling", "GroupDesiredCapacity", {"AutoScalingGroupName": asg}, t, "None", 6)
        )
        metrics.append(
            kr.datum(
                "AWS/AutoScaling",
                "GroupInServiceInstances",
                {"AutoScalingGroupName": asg},
                t,
                "None",
                len(in_service),
            )
        )
        n_live = max(1, len(in_service))
        for i in [*ids, fresh]:
            alive = (i != victim or t <= kr.floor_min(out_of_service) + timedelta(minutes=2)) and (
                i != fresh or t >= kr.floor_min(launch_at)
            )
            if not alive:
                continue
            share = 6 / n_live
            cpu = kr.noisy(k, (5 + 34 * shape) * share, 0.07)
            mem = kr.noisy(k, 46 + 6 * shape, 0.02)
            if i == victim and t >= kill_min - timedelta(minutes=4):
                mins = (t - (kill_min - timedelta(minutes=4))).total_seconds() / 60
                if t < kill_min:
                    cpu = min(99.0, cpu + 22 * mins)
                    mem = min(97.5, mem + 12 * mins)
                elif t == kill_min:
                    mem, cpu = 31.0, cpu + 30
                else:
                    mem, cpu = 24.0, 6.0
            if i == fresh:
                mins = (t - kr.floor_min(launch_at)).total_seconds() / 60
                if mins < 4:
                    cpu = 40 + r.uniform(0, 20)
                    mem = 14 + 8 * mins
            metrics.append(
                kr.datum("AWS/EC2", "CPUUtilization", {"InstanceId": i}, t, "Percent", min(100.0, cpu))
            )
            metrics.append(kr.datum("AWS/EC2", "StatusCheckFailed", {"InstanceId": i}, t, "Count", 0))
            metrics.append(
                kr.datum(
                    "CWAgent",
                    "mem_used_percent",
                    {"InstanceId": i, "AutoScalingGroupName": asg},
                    t,
                    "Percent",
                    round(mem, 2),
                )
            )

    # --- alarms -----------------------------------------------------------------------------------
    topic = "qm-ops-alerts"
    topic_arn = k.arn("sns", topic)
    acreated = created + timedelta(days=12, hours=4)
    a5 = kr.Alarm(
        k,
        "qm-web-prod-5xx",
        "ALB 5xx (load balancer generated) on qm-web-prod above 10/min",
        ns,
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        1,
        10.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
        missing="notBreaching",
    )
    a5.evaluate(e5, start, now)
    a_t5 = kr.Alarm(
        k,
        "qm-web-prod-target-5xx",
        "Application 5xx on qm-web-prod above 20/min",
        ns,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        20.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
        missing="notBreaching",
    )
    a_t5.evaluate({}, start, now)
    lat = {t: 0.09 for t in kr.minutes(start, now)}
    a_lat = kr.Alarm(
        k,
        "qm-web-prod-latency",
        "qm-web-prod average latency above 1s",
        ns,
        "TargetResponseTime",
        {"LoadBalancer": lb_dim},
        "Average",
        60,
        5,
        1.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
    )
    a_lat.evaluate(lat, start, now)
    a_cpu = kr.Alarm(
        k,
        "qm-web-prod-cpu",
        "qm-web-prod fleet CPU above 70%",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg},
        "Average",
        300,
        3,
        70.0,
        "GreaterThanThreshold",
        topic_arn,
        acreated,
    )
    a_cpu.evaluate({t: 25.0 for t in kr.minutes(start, now, 300)}, start, now)
    alarms = [a5, a_t5, a_lat, a_cpu]

    # --- resources ----------------------------------------------------------------------------------
    resources: list[Json] = [lb, tg]
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": k.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{k.hex(16)}"),
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": k.arn("acm", f"certificate/{k.uuid()}")}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
            },
        }
    )
    resources += net.resources()
    resources.append(
        kr.security_group(k, alb_sg, "qm-web-alb", "HTTPS from the internet", net.vpc, [(443, "0.0.0.0/0")])
    )
    resources.append(kr.security_group(k, web_sg, "qm-web", "web instances", net.vpc, [(3000, alb_sg)]))
    tags = {
        "Name": "qm-web-prod",
        "aws:autoscaling:groupName": asg,
        "aws:ec2launchtemplate:id": lt_id,
        "aws:ec2launchtemplate:version": lt_ver,
    }
    for n, i in enumerate([*ids, fresh]):
        az_i = n % 3 if i != fresh else victim_i % 3
        item = kr.instance(
            k,
            i,
            "m7g.large",
            az_i,
            net.private[az_i],
            net.vpc,
            (web_sg, "qm-web"),
            ami,
            launch[i],
            "qm-web-prod",
            tags,
            state="terminated" if i == victim else "running",
        )
        if i == victim:
            item["item"]["StateTransitionReason"] = (
                f"Service initiated ({out_of_service:%Y-%m-%d %H:%M:%S} GMT)"
            )
            item["item"]["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
            item["item"]["NetworkInterfaces"] = []
            item["item"]["BlockDeviceMappings"] = []
            item["item"]["SecurityGroups"] = []
            item["item"].pop("PrivateIpAddress", None)
        resources.append(item)
        if i != victim:
            resources.append(kr.instance_status(k, i, az_i))
    resources.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": asg_arn,
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "qm-web",
                    "Version": "$Latest",
                },
                "MinSize": 6,
                "MaxSize": 16,
                "DesiredCapacity": 6,
                "DefaultCooldown": 300,
                "AvailabilityZones": k.azs,
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 180,
                "Instances": [
                    {
                        "InstanceId": i,
                        "InstanceType": "m7g.large",
                        "AvailabilityZone": k.azs[(n % 3) if i != fresh else victim_i % 3],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "qm-web",
                            "Version": lt_ver,
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for n, i in enumerate([*ids, fresh])
                    if i != victim
                ],
                "CreatedTime": kr.iso(created),
                "VPCZoneIdentifier": ",".join(net.private),
                "EnabledMetrics": [
                    {"Metric": "GroupInServiceInstances", "Granularity": "1Minute"},
                    {"Metric": "GroupDesiredCapacity", "Granularity": "1Minute"},
                ],
                "TerminationPolicies": ["Default"],
                "NewInstancesProtectedFromScaleIn": False,
                "ServiceLinkedRoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            },
        }
    )
    resources.append(kr.sns_topic(k, topic))
    for g in ("/qm/web/app", "/qm/web/syslog"):
        resources.append(kr.log_group(k, g, created, 30))

    # --- events: activities, target health ------------------------------------------------------------
    victim_az = k.azs[victim_i % 3]
    details = json.dumps(
        {"Subnet ID": net.private[victim_i % 3], "Availability Zone": victim_az}, separators=(",", ":")
    )
    events: list[Json] = [
        kr.asg_activity(
            k,
            asg,
            asg_arn,
            f"Terminating EC2 instance: {victim}",
            f"At {kr.iso(out_of_service)} an instance was taken out of service in response to an ELB system health check failure.",
            out_of_service + timedelta(seconds=1),
            out_of_service + timedelta(seconds=r.randint(330, 400))
            if out_of_service + timedelta(seconds=400) < now
            else out_of_service + timedelta(seconds=200),
            details,
        ),
        kr.asg_activity(
            k,
            asg,
            asg_arn,
            f"Launching a new EC2 instance: {fresh}",
            f"At {kr.iso(launch_at - timedelta(seconds=2))} an instance was started in response to a difference between desired and running capacity, increasing the capacity from 5 to 6.",
            launch_at,
            launch_at + timedelta(seconds=r.randint(160, 230)),
            details,
        ),
    ]
    for n, i in enumerate(ids):
        events.append(kr.th(tg_arn, i, 3000, "healthy", launch[i] + timedelta(minutes=3), az=k.azs[n % 3]))
    events.append(
        kr.th(
            tg_arn,
            victim,
            3000,
            "unhealthy",
            unhealthy_at,
            "Target.FailedHealthChecks",
            "Health checks failed",
            victim_az,
        )
    )
    events.append(
        kr.th(
            tg_arn,
            victim,
            3000,
            "draining",
            out_of_service + timedelta(seconds=2),
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
            victim_az,
        )
    )
    events.append(
        kr.th(
            tg_arn,
            victim,
            3000,
            "unused",
            out_of_service + timedelta(seconds=32),
            "Target.NotRegistered",
            "Target is not registered to the target group",
            victim_az,
        )
    )
    events.append(
        kr.th(
            tg_arn,
            fresh,
            3000,
            "initial",
            launch_at + timedelta(seconds=75),
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
            victim_az,
        )
    )
    events.append(kr.th(tg_arn, fresh, 3000, "healthy", new_healthy, az=victim_az))

    # --- CloudTrail -------------------------------------------------------------------------------
    eng = k.sso("PlatformEngineer", "jonas.weber@quillmark.io")
    eng_ip = k.ip(False)
    dev = k.sso("ReadOnly", "mei.tanaka@quillmark.io")
    dev_ip = k.ip(False)
    ci = k.role("qm-ci-deployer", "buildkite-" + k.hex(6))
    ci_ip = k.ip(False)
    monitor = k.role("grafana-cloud-cloudwatch", "grafana")
    ct = kr.routine_trail(
        k, start, now, 32, kr.common_templates(k, monitor, [(eng, eng_ip), (dev, dev_ip)], "qm-web-prod")
    )
    asl = k.role(
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        invoked_by="autoscaling.amazonaws.com",
        path="aws-service-role/autoscaling.amazonaws.com/",
    )
    svc_ip = "autoscaling.amazonaws.com"
    ct.append(
        kr.trail(
            k,
            out_of_service + timedelta(seconds=1),
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            asl,
            {"targetGroupArn": tg_arn, "targets": [{"id": victim}]},
            None,
            read_only=False,
            ua=svc_ip,
            ip=svc_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            out_of_service + timedelta(seconds=31),
            "ec2.amazonaws.com",
            "TerminateInstances",
            asl,
            {"instancesSet": {"items": [{"instanceId": victim}]}},
            {
                "requestId": k.uuid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": victim,
                            "currentState": {"code": 32, "name": "shutting-down"},
                            "previousState": {"code": 16, "name": "running"},
                        }
                    ]
                },
            },
            read_only=False,
            ua=svc_ip,
            ip=svc_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            launch_at,
            "ec2.amazonaws.com",
            "RunInstances",
            asl,
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": lt_ver},
                "subnetId": net.private[victim_i % 3],
                "tagSpecificationSet": {
                    "items": [
                        {
                            "resourceType": "instance",
                            "tags": [{"key": "aws:autoscaling:groupName", "value": asg}],
                        }
                    ]
                },
            },
            {
                "requestId": k.uuid(),
                "reservationId": "r-0" + k.hex(16),
                "ownerId": k.account,
                "requesterId": "940372691376",
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": fresh,
                            "imageId": ami,
                            "instanceState": {"code": 0, "name": "pending"},
                            "instanceType": "m7g.large",
                            "placement": {"availabilityZone": victim_az, "tenancy": "default"},
                            "subnetId": net.private[victim_i % 3],
                            "vpcId": net.vpc,
                        }
                    ]
                },
            },
            read_only=False,
            ua=svc_ip,
            ip=svc_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            launch_at + timedelta(seconds=74),
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            asl,
            {"targetGroupArn": tg_arn, "targets": [{"id": fresh}]},
            None,
            read_only=False,
            ua=svc_ip,
            ip=svc_ip,
        )
    )
    # innocent changes around the blip
    ct.append(
        kr.trail(
            k,
            kill - timedelta(minutes=r.randint(14, 26)),
            "autoscaling.amazonaws.com",
            "UpdateAutoScalingGroup",
            eng,
            {"autoScalingGroupName": asg, "maxSize": 16},
            None,
            read_only=False,
            ua=kr.CLI_UA.format(cmd="autoscaling.update-auto-scaling-group"),
            ip=eng_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            kill + timedelta(minutes=r.randint(5, 15)),
            "ssm.amazonaws.com",
            "PutParameter",
            ci,
            {"name": "/qm/web/prod/feature/realtime-cursors", "type": "String", "overwrite": True},
            {"version": r.randint(4, 30), "tier": "Standard"},
            read_only=False,
            ua="aws-sdk-go-v2/1.32.5 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/ssm#1.56.0",
            ip=ci_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            kill - timedelta(minutes=r.randint(3, 9)),
            "s3.amazonaws.com",
            "PutBucketLifecycle",
            eng,
            {
                "bucketName": f"qm-exports-{k.account}",
                "Host": f"qm-exports-{k.account}.s3.{k.region}.amazonaws.com",
                "lifecycle": "",
            },
            None,
            read_only=False,
            ua=kr.CLI_UA.format(cmd="s3api.put-bucket-lifecycle-configuration"),
            ip=eng_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            kill + timedelta(minutes=r.randint(8, 20)),
            "autoscaling.amazonaws.com",
            "DescribeScalingActivities",
            eng,
            {"autoScalingGroupName": asg},
            None,
            read_only=True,
            ua=kr.CONSOLE_UA,
            ip=eng_ip,
        )
    )
    ct = [c for c in ct if c["eventTime"] <= kr.iso(now)]
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs ---------------------------------------------------------------------------------------
    logs: list[Json] = []
    routes = [
        ("GET", "/api/docs/{id}"),
        ("PATCH", "/api/docs/{id}/blocks"),
        ("GET", "/api/workspaces/{ws}/tree"),
        ("POST", "/api/comments"),
        ("GET", "/api/me"),
    ]
    export_at = kill - timedelta(minutes=3, seconds=r.randint(20, 50))
    ws = f"ws_{k.hex(10)}"
    for t in kr.minutes(start, now):
        for i in [*ids, fresh]:
            if i == victim and t > kill:
                continue
            if i == fresh and t < launch_at + timedelta(seconds=60):
                continue
            for _ in range(2):
                lt = t + timedelta(seconds=r.uniform(0, 59.9))
                if i == victim and lt > kill:
                    continue
                if i == fresh and lt < launch_at + timedelta(seconds=60):
                    continue
                m, p = r.choice(routes)
                p = p.replace("{id}", f"doc_{k.hex(10)}").replace("{ws}", f"ws_{k.hex(10)}")
                logs.append(
                    {
                        "log_group": "/qm/web/app",
                        "log_stream": i,
                        "timestamp": kr.ms(lt),
                        "message": json.dumps(
                            {
                                "level": 30,
                                "time": kr.ms(lt),
                                "pid": 1187,
                                "hostname": f"ip-10-12-{r.randint(0, 47)}-{r.randint(4, 250)}",
                                "req": {"method": m, "url": p},
                                "res": {"statusCode": 200},
                                "responseTime": r.randint(8, 140),
                                "msg": "request completed",
                            }
                        ),
                    }
                )
        if t.minute % 19 == 4:
            i = r.choice(ids)
            if i != victim or t < kill:
                logs.append(
                    {
                        "log_group": "/qm/web/app",
                        "log_stream": i,
                        "timestamp": kr.ms(t + timedelta(seconds=40)),
                        "message": json.dumps(
                            {
                                "level": 40,
                                "time": kr.ms(t + timedelta(seconds=40)),
                                "pid": 1187,
                                "msg": "redis reconnecting",
                                "attempt": 1,
                                "delay": 50,
                            }
                        ),
                    }
                )
    logs.append(
        {
            "log_group": "/qm/web/app",
            "log_stream": victim,
            "timestamp": kr.ms(export_at),
            "message": json.dumps(
                {
                    "level": 30,
                    "time": kr.ms(export_at),
                    "pid": 1187,
                    "msg": "export started",
                    "workspace": ws,
                    "format": "pdf",
                    "documents": r.randint(3800, 5200),
                }
            ),
        }
    )
    node_pid = r.randint(1100, 1300)
    kt = kill - timedelta(milliseconds=400)
    sys_lines = [
        (
            kt,
            f"{kt:%b %d %H:%M:%S} ip-10-12-0-1 kernel: node invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
        ),
        (
            kt + timedelta(milliseconds=20),
            f"{kt:%b %d %H:%M:%S} ip-10-12-0-1 kernel: Out of memory: Killed process {node_pid} (node) total-vm:11542208kB, anon-rss:7412332kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:15804kB oom_score_adj:0",
        ),
        (
            kill,
            f"{kill:%b %d %H:%M:%S} ip-10-12-0-1 systemd[1]: qm-web.service: A process of this unit has been killed by the OOM killer.",
        ),
        (
            kill + timedelta(milliseconds=5),
            f"{kill:%b %d %H:%M:%S} ip-10-12-0-1 systemd[1]: qm-web.service: Main process exited, code=killed, status=9/KILL",
        ),
        (
            kill + timedelta(milliseconds=6),
            f"{kill:%b %d %H:%M:%S} ip-10-12-0-1 systemd[1]: qm-web.service: Failed with result 'oom-kill'.",
        ),
        (
            kill + timedelta(seconds=30),
            f"{kill + timedelta(seconds=30):%b %d %H:%M:%S} ip-10-12-0-1 systemd[1]: qm-web.service: Scheduled restart job, restart counter is at 1.",
        ),
        (
            kill + timedelta(seconds=30, milliseconds=80),
            f"{kill + timedelta(seconds=30):%b %d %H:%M:%S} ip-10-12-0-1 systemd[1]: Started qm-web.service - Quillmark web.",
        ),
    ]
    for lt, msg in sys_lines:
        if lt < out_of_service + timedelta(seconds=40):
            logs.append(
                {"log_group": "/qm/web/syslog", "log_stream": victim, "timestamp": kr.ms(lt), "message": msg}
            )
    for i in ids:
        if i != victim:
            t0 = start + timedelta(minutes=r.randint(5, 170))
            logs.append(
                {
                    "log_group": "/qm/web/syslog",
                    "log_stream": i,
                    "timestamp": kr.ms(t0),
                    "message": f"{t0:%b %d %H:%M:%S} ip-10-12-0-1 chronyd[612]: Selected source 169.254.169.123",
                }
            )
    fl = launch_at + timedelta(seconds=40)
    logs.append(
        {
            "log_group": "/qm/web/syslog",
            "log_stream": fresh,
            "timestamp": kr.ms(fl),
            "message": f"{fl:%b %d %H:%M:%S} ip-10-12-0-1 cloud-init[1422]: Cloud-init v. 22.2.2 finished at {fl:%a, %d %b %Y %H:%M:%S} +0000. Datasource DataSourceEc2.  Up 31.84 seconds",
        }
    )
    logs.append(
        {
            "log_group": "/qm/web/syslog",
            "log_stream": fresh,
            "timestamp": kr.ms(fl + timedelta(seconds=6)),
            "message": f"{fl + timedelta(seconds=6):%b %d %H:%M:%S} ip-10-12-0-1 systemd[1]: Started qm-web.service - Quillmark web.",
        }
    )
    logs = [x for x in logs if x["timestamp"] <= kr.ms(now)]
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    hist = [kr.created_history(a) for a in alarms] + [h for a in alarms for h in a.history]
    first_alarm = next(
        (datetime.fromisoformat(h["Timestamp"].replace("Z", "+00:00")) for h in a5.history), kill
    )
    q_local = first_alarm.astimezone(zone)
    question = f"the 5xx alarm on the web ALB went off for about two minutes around {q_local:%H:%M} and cleared by itself. should we worry?"
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": kr.iso(start),
            "end": kr.iso(now),
            "now": kr.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": ZONE},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [a.item() for a in alarms],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
