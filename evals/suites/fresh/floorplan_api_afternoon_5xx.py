"""floorplan-api target 5xx alarm at the afternoon peak, right after the fleet scaled out."""

from __future__ import annotations

import base64
import json
import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zb as k
from evals.suites.fresh._kit_zb import ct

NAME = "floorplan-api-afternoon-5xx"
TITLE = "floorplan-api target 5xx alarm during the afternoon scale-out"
SUMMARY = (
    "A morning launch-template version enforced IMDSv2 with hop limit 1; only instances launched at the "
    "afternoon scale-out got it, and the dockerised app on them cannot fetch role credentials."
)

TZ = "America/New_York"
PORT = 8080


def build(seed: int) -> Bundle:
    kit = k.Kit(NAME, seed, ["us-east-1", "us-east-2"])
    rng = kit.rng
    zone = ZoneInfo(TZ)
    day = kit.pick_day()
    t0_local = datetime(day.year, day.month, day.day, 8, rng.randint(20, 50), tzinfo=zone)
    kit.start = t0_local.astimezone(k.UTC)
    off = t0_local.utcoffset()
    utc_off = off.total_seconds() / 3600.0 if off else 0.0
    acct, region = kit.account, kit.region
    net = k.Net(kit, "keyhaven-prod", 3)

    # ---- load balancer, fleet -------------------------------------------------------------------
    sg_alb, sg_app = kit.rid("sg"), kit.rid("sg")
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            kit,
            sg_alb,
            "floorplan-alb",
            "floorplan-api public ALB",
            net.vpc,
            [k.sg_rule("tcp", 443, 443, cidr="0.0.0.0/0")],
        ),
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            kit,
            sg_app,
            "floorplan-api",
            "floorplan-api instances",
            net.vpc,
            [k.sg_rule("tcp", PORT, PORT, group=sg_alb, desc="from ALB")],
        ),
    )
    lb = kit.res(
        "elbv2",
        "LoadBalancer",
        k.alb(
            kit,
            "floorplan-api-prod",
            net.vpc,
            list(zip(net.public, net.azs, strict=True)),
            [sg_alb],
            kit.start - timedelta(days=600),
        ),
    )
    tg = kit.res(
        "elbv2",
        "TargetGroup",
        k.target_group(kit, "floorplan-api-prod", net.vpc, PORT, "/healthz", lb["LoadBalancerArn"]),
    )
    kit.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": lb["LoadBalancerArn"].replace(":loadbalancer/", ":listener/") + "/" + kit.hex(16),
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": kit.arn("acm", f"certificate/{kit.uuid()}")}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"], "Order": 1}],
        },
    )
    lbd, tgd = k.lb_dim(lb), k.tg_dim(tg)
    lt_id = "lt-0" + kit.hex(16)
    v_old = rng.randint(11, 26)
    v_new = v_old + 1
    ami = "ami-0" + kit.hex(16)
    itype = rng.choice(["m6i.large", "m7i.large", "c6i.xlarge"])
    bucket = f"keyhaven-floorplans-prod-{region}"
    user_data = (
        "#!/bin/bash\nset -euo pipefail\n"
        "aws ecr get-login-password --region " + region + " | docker login --username AWS --password-stdin "
        f"{acct}.dkr.ecr.{region}.amazonaws.com\n"
        f"docker run -d --restart=always --name floorplan-api -p {PORT}:{PORT} \\\n"
        "  --log-driver=awslogs --log-opt awslogs-group=/keyhaven/prod/floorplan-api \\\n"
        "  --log-opt awslogs-stream=$(ec2-metadata -i | cut -d' ' -f2) \\\n"
        f"  -e SPRING_PROFILES_ACTIVE=prod -e FLOORPLAN_BUCKET={bucket} \\\n"
        f"  {acct}.dkr.ecr.{region}.amazonaws.com/floorplan-api:2.{rng.randint(30, 60)}.{rng.randint(0, 9)}\n"
    )
    ud64 = base64.b64encode(user_data.encode()).decode()

    def lt_data(hop: int, tokens: str) -> k.Json:
        return {
            "IamInstanceProfile": {"Arn": f"arn:aws:iam::{acct}:instance-profile/floorplan-api-prod"},
            "ImageId": ami,
            "InstanceType": itype,
            "Monitoring": {"Enabled": True},
            "UserData": ud64,
            "SecurityGroupIds": [sg_app],
            "MetadataOptions": {
                "HttpTokens": tokens,
                "HttpPutResponseHopLimit": hop,
                "HttpEndpoint": "enabled",
            },
            "TagSpecifications": [
                {
                    "ResourceType": "instance",
                    "Tags": k.tags({"Name": "floorplan-api-prod", "service": "floorplan-api"}),
                }
            ],
        }

    t_lt = kit.start + timedelta(minutes=rng.randint(35, 95), seconds=rng.randint(0, 59))
    ci = k.terraform_ci(kit, "gha-terraform-platform")
    kit.res(
        "ec2",
        "LaunchTemplate",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": "floorplan-api-prod",
            "CreateTime": k.iso(kit.start - timedelta(days=rng.randint(300, 700))),
            "CreatedBy": f"arn:aws:sts::{acct}:assumed-role/gha-terraform-platform/GitHubActions",
            "DefaultVersionNumber": 1,
            "LatestVersionNumber": v_new,
            "Tags": k.tags({"service": "floorplan-api"}),
        },
    )
    for v, created, hop, tokens, desc in (
        (
            v_old,
            kit.start - timedelta(days=rng.randint(9, 40)),
            2,
            "optional",
            f"floorplan-api 2.x image bump #{rng.randint(300, 500)}",
        ),
        (v_new, t_lt, 1, "required", "platform baseline: IMDSv2 required"),
    ):
        kit.res(
            "ec2",
            "LaunchTemplateVersion",
            {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": "floorplan-api-prod",
                "VersionNumber": v,
                "VersionDescription": desc,
                "CreateTime": k.iso(created),
                "CreatedBy": f"arn:aws:sts::{acct}:assumed-role/gha-terraform-platform/GitHubActions",
                "DefaultVersion": False,
                "LaunchTemplateData": lt_data(hop, tokens),
            },
        )
    culprit = ct(
        kit,
        t_lt,
        ci,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "VersionDescription": "platform baseline: IMDSv2 required",
                "LaunchTemplateData": {
                    "IamInstanceProfile": {"Arn": f"arn:aws:iam::{acct}:instance-profile/floorplan-api-prod"},
                    "ImageId": ami,
                    "InstanceType": itype,
                    "Monitoring": {"Enabled": True},
                    "UserData": "<sensitiveDataRemoved>",
                    "SecurityGroupId": {"content": sg_app, "tag": 1},
                    "MetadataOptions": {
                        "HttpTokens": "required",
                        "HttpPutResponseHopLimit": 1,
                        "HttpEndpoint": "enabled",
                    },
                    "TagSpecification": {
                        "ResourceType": "instance",
                        "Tag": [{"Key": "Name", "Value": "floorplan-api-prod", "tag": 1}],
                        "tag": 1,
                    },
                },
                "ClientToken": f"terraform-{kit.hex(26)}",
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": kit.uuid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": "floorplan-api-prod",
                    "versionNumber": v_new,
                    "versionDescription": "platform baseline: IMDSv2 required",
                    "createTime": k.iso_ms(t_lt),
                    "createdBy": f"arn:aws:sts::{acct}:assumed-role/gha-terraform-platform/GitHubActions",
                    "defaultVersion": False,
                    "launchTemplateData": {
                        "imageId": ami,
                        "instanceType": itype,
                        "metadataOptions": {
                            "httpTokens": "required",
                            "httpPutResponseHopLimit": 1,
                            "httpEndpoint": "enabled",
                        },
                        "userData": "<sensitiveDataRemoved>",
                    },
                },
            }
        },
    )
    # the same apply touched two other services' templates (identical metadata settings; they run on the host)
    for other in ("listing-indexer-prod", "photo-ingest-prod"):
        ct(
            kit,
            t_lt + timedelta(seconds=rng.randint(2, 9)),
            ci,
            "ec2.amazonaws.com",
            "CreateLaunchTemplateVersion",
            {
                "CreateLaunchTemplateVersionRequest": {
                    "LaunchTemplateId": "lt-0" + kit.hex(16),
                    "VersionDescription": "platform baseline: IMDSv2 required",
                    "LaunchTemplateData": {
                        "UserData": "<sensitiveDataRemoved>",
                        "MetadataOptions": {
                            "HttpTokens": "required",
                            "HttpPutResponseHopLimit": 1,
                            "HttpEndpoint": "enabled",
                        },
                    },
                    "ClientToken": f"terraform-{kit.hex(26)}",
                }
            },
            {
                "CreateLaunchTemplateVersionResponse": {
                    "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                    "requestId": kit.uuid(),
                    "launchTemplateVersion": {
                        "launchTemplateName": other,
                        "versionNumber": rng.randint(5, 30),
                    },
                }
            },
        )

    # ---- simulate the afternoon ---------------------------------------------------------------
    nodes: list[k.Node] = []
    for j in range(4):
        zi = j % 3
        nodes.append(
            k.Node(
                kit.rid("i"),
                net.azs[zi],
                zi,
                net.ip(kit, zi),
                kit.start - timedelta(days=rng.randint(1, 9), minutes=rng.randint(0, 1400)),
                str(v_old),
            )
        )
    peak = rng.uniform(6600, 7400)
    hi_thr, lo_thr = 50.0, 45.0

    def load(t: datetime) -> float:
        h = (t.hour + t.minute / 60 + utc_off) % 24
        return kit.noisy(peak * (0.3 + 0.7 * math.exp(-((h - 15.4) ** 2) / (2 * 2.8**2))), 0.03)

    serving: dict[str, tuple[datetime, datetime | None]] = {n.iid: (n.launched, None) for n in nodes}
    bad: set[str] = set()
    cpu_hist: list[float] = []
    scale_events: list[tuple[str, datetime, list[k.Node], int, int, float]] = []
    pending: list[tuple[datetime, k.Node]] = []
    t = kit.start
    end_sim = kit.start + timedelta(hours=10)
    onset: datetime | None = None
    last_scale = kit.start - timedelta(hours=1)
    per_min: dict[datetime, tuple[float, list[str], int]] = {}
    node_by: dict[str, k.Node] = {n.iid: n for n in nodes}
    stop: datetime | None = None
    finish: datetime | None = None
    cpu_store: dict[datetime, dict[str, float]] = {}
    while t < end_sim:
        for when, n in list(pending):
            if t >= when:
                pending.remove((when, n))
                serving[n.iid] = (when, None)
                if onset is None:
                    onset = when
        active = [iid for iid, (a, b) in serving.items() if a <= t and (b is None or t < b)]
        r = load(t)
        per_min[t] = (r, list(active), len(active) + len(pending))
        share = r / len(active)
        cpus = [kit.noisy((3 + share / 420) if iid in bad else (6 + share / 35), 0.05) for iid in active]
        cpu_store[t] = dict(zip(active, cpus, strict=True))
        avg = sum(cpus) / len(cpus)
        cpu_hist.append(avg)
        desired = len(active) + len(pending)
        if (
            len(cpu_hist) >= 3
            and all(c > hi_thr for c in cpu_hist[-3:])
            and t - last_scale > timedelta(minutes=4)
            and not pending
        ):
            new = min(10, math.ceil(desired * avg / hi_thr))
            launched = []
            for _ in range(new - desired):
                taken = active + [p[1].iid for p in pending]
                zi = min(range(3), key=lambda z: sum(1 for i in taken if node_by[i].zone == z))
                n = k.Node(
                    kit.rid("i"),
                    net.azs[zi],
                    zi,
                    net.ip(kit, zi),
                    t + timedelta(seconds=rng.randint(122, 140)),
                    str(v_new),
                )
                node_by[n.iid] = n
                bad.add(n.iid)
                pending.append((n.launched + timedelta(seconds=rng.randint(190, 230)), n))
                launched.append(n)
            scale_events.append(("out", t + timedelta(seconds=112), launched, desired, new, avg))
            last_scale = t
        elif (
            len(cpu_hist) >= 15
            and all(c < lo_thr for c in cpu_hist[-15:])
            and t - last_scale > timedelta(minutes=15)
            and onset
        ):
            new = max(4, math.ceil(desired * avg / hi_thr))
            if new < desired:
                victims = []
                pool = [node_by[i] for i in active]
                for _ in range(desired - new):
                    counts = {z: sum(1 for n in pool if n.zone == z) for z in range(3)}
                    zmax = max(counts.values())
                    cands = [n for n in pool if counts[n.zone] == zmax]
                    cands.sort(key=lambda n: (int(n.lt_version), n.launched))
                    victim = cands[0]
                    pool.remove(victim)
                    victims.append(victim)
                    serving[victim.iid] = (serving[victim.iid][0], t + timedelta(seconds=125))
                scale_events.append(("in", t + timedelta(seconds=108), victims, desired, new, avg))
                last_scale = t
                stop = t
        t += timedelta(minutes=1)
        if (
            finish is None
            and onset
            and ((t > onset + timedelta(minutes=32) and stop) or t > onset + timedelta(minutes=48))
        ):
            finish = t + timedelta(minutes=rng.randint(1, 5))
        if finish is not None and t > finish:
            break
    assert onset is not None
    assert finish is not None
    kit.now = finish
    kit.end = kit.now + timedelta(minutes=10)
    onset_s = onset

    # ---- metrics ------------------------------------------------------------------------------
    s3_share = rng.uniform(0.6, 0.72)
    asg_name = "floorplan-api-prod"
    for t in kit.minutes():
        if t not in per_min:
            continue
        r, healthy, desired = per_min[t]
        active = healthy
        share = r / max(1, len(healthy))
        n_bad = sum(1 for i in healthy if i in bad)
        fail = share * n_bad * s3_share
        ok = r - fail
        r4 = r * kit.noisy(0.012, 0.2)
        base5 = kit.poisson(0.6)
        for dims in ({"LoadBalancer": lbd}, {"LoadBalancer": lbd, "TargetGroup": tgd}):
            kit.put("AWS/ApplicationELB", "RequestCount", dims, t, round(r), "Count")
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, round(ok - r4), "Count")
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, round(r4), "Count")
            if round(fail) + base5 > 0:
                kit.put(
                    "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, round(fail) + base5, "Count"
                )
            lat = [kit.noisy(0.09, 0.4) for _ in range(18)] + [kit.noisy(0.32, 0.3) for _ in range(2)]
            nf = round(20 * fail / r)
            lat = lat[: 20 - nf] + [kit.noisy(1.15, 0.08) for _ in range(nf)]
            kit.put_dist("AWS/ApplicationELB", "TargetResponseTime", dims, t, lat, "Seconds")
            kit.put("AWS/ApplicationELB", "HealthyHostCount", dims, t, len(healthy), "Count")
            kit.put("AWS/ApplicationELB", "UnHealthyHostCount", dims, t, len(active) - len(healthy), "Count")
        kit.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            {"LoadBalancer": lbd},
            t,
            round(kit.noisy(r * 0.22, 0.05)),
            "Count",
        )
        kit.put(
            "AWS/ApplicationELB",
            "NewConnectionCount",
            {"LoadBalancer": lbd},
            t,
            round(kit.noisy(r * 0.18, 0.05)),
            "Count",
        )
        kit.put(
            "AWS/ApplicationELB",
            "ProcessedBytes",
            {"LoadBalancer": lbd},
            t,
            round(kit.noisy(r * 41000, 0.05)),
            "Bytes",
        )
        if rng.random() < 0.04:
            kit.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", {"LoadBalancer": lbd}, t, 1, "Count")
            kit.put("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", {"LoadBalancer": lbd}, t, 1, "Count")
        cpus = []
        for iid in active:
            c = cpu_store[t][iid]
            cpus.append(c)
            kit.put("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, t, c, "Percent")
        kit.put(
            "AWS/EC2",
            "CPUUtilization",
            {"AutoScalingGroupName": asg_name},
            t,
            sum(cpus) / len(cpus),
            "Percent",
        )
        kit.put(
            "AWS/AutoScaling", "GroupDesiredCapacity", {"AutoScalingGroupName": asg_name}, t, desired, "None"
        )
        kit.put(
            "AWS/AutoScaling",
            "GroupInServiceInstances",
            {"AutoScalingGroupName": asg_name},
            t,
            len(healthy),
            "None",
        )
        kit.put("AWS/AutoScaling", "GroupMinSize", {"AutoScalingGroupName": asg_name}, t, 4, "None")
        kit.put("AWS/AutoScaling", "GroupMaxSize", {"AutoScalingGroupName": asg_name}, t, 10, "None")

    # ---- alarms -------------------------------------------------------------------------------
    pol_id = kit.uuid()
    ops = [kit.arn("sns", "keyhaven-platform-oncall")]
    scale_arn = f"arn:aws:autoscaling:{region}:{acct}:scalingPolicy:{pol_id}:autoScalingGroupName/{asg_name}:policyName/cpu-target-50"
    hi_name = f"TargetTracking-{asg_name}-AlarmHigh-{kit.uuid()}"
    lo_name = f"TargetTracking-{asg_name}-AlarmLow-{kit.uuid()}"
    cpu_d = {"AutoScalingGroupName": asg_name}
    kit.alarm(
        hi_name,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + scale_arn + ".",
        "AWS/EC2",
        "CPUUtilization",
        cpu_d,
        "Average",
        60,
        3,
        hi_thr,
        "GreaterThanThreshold",
        treat_missing="missing",
        actions=[scale_arn],
        unit="Percent",
    )
    kit.alarm(
        lo_name,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + scale_arn + ".",
        "AWS/EC2",
        "CPUUtilization",
        cpu_d,
        "Average",
        60,
        15,
        lo_thr,
        "LessThanThreshold",
        treat_missing="missing",
        actions=[scale_arn],
        unit="Percent",
        initial="ALARM",
    )
    a5 = kit.alarm(
        "floorplan-api-target-5xx",
        "floorplan-api targets answering 5xx (more than 40 a minute for 3 minutes)",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lbd, "TargetGroup": tgd},
        "Sum",
        60,
        3,
        40,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "floorplan-api-unhealthy-hosts",
        "Unhealthy floorplan-api targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"LoadBalancer": lbd, "TargetGroup": tgd},
        "Maximum",
        60,
        5,
        0,
        "GreaterThanThreshold",
        actions=ops,
    )
    kit.alarm(
        "floorplan-api-alb-5xx",
        "ALB-generated 5xx on floorplan-api",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lbd},
        "Sum",
        60,
        3,
        25,
        "GreaterThanThreshold",
        actions=ops,
    )

    # ---- resources: instances, ASG, role -------------------------------------------------------------
    sl = k.service_linked(kit, "AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com")
    for iid in sorted(node_by):
        n = node_by[iid]
        if n.launched > kit.now:
            continue
        gone = serving.get(iid, (None, None))[1]
        item = k.instance(
            kit,
            iid,
            itype=itype,
            ami=ami,
            subnet=net.private[n.zone],
            vpc=net.vpc,
            az=n.az,
            ip=n.ip,
            sgs=[(sg_app, "floorplan-api")],
            profile="floorplan-api-prod",
            launched=n.launched,
            tagd={
                "Name": "floorplan-api-prod",
                "service": "floorplan-api",
                "aws:autoscaling:groupName": asg_name,
            },
            lt=(lt_id, "floorplan-api-prod", n.lt_version),
            hop_limit=1 if iid in bad else 2,
            http_tokens="required" if iid in bad else "optional",
        )
        item["Monitoring"] = {"State": "enabled"}
        if gone is not None and gone <= kit.now:
            item["State"] = {"Code": 48, "Name": "terminated"}
            item["StateTransitionReason"] = f"User initiated ({gone:%Y-%m-%d %H:%M:%S} GMT)"
            item["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
            item["NetworkInterfaces"] = []
            item["BlockDeviceMappings"] = []
            item.pop("PrivateIpAddress", None)
        else:
            kit.res("ec2", "InstanceStatus", k.instance_status(iid, n.az))
        kit.res("ec2", "Instance", item)
    live = [
        node_by[i]
        for i in sorted(node_by)
        if node_by[i].launched <= kit.now and (serving.get(i, (kit.now, None))[1] or kit.end) > kit.now
    ]
    asg = k.asg_item(
        kit,
        asg_name,
        net,
        (lt_id, "floorplan-api-prod"),
        live,
        itype,
        min_size=4,
        max_size=10,
        tgs=[tg["TargetGroupArn"]],
        created=kit.start - timedelta(days=640),
    )
    for inst in asg["Instances"]:
        if inst["InstanceId"] not in serving or serving[inst["InstanceId"]][0] > kit.now:
            inst["LifecycleState"] = "Pending"
    kit.res("autoscaling", "AutoScalingGroup", asg)
    kit.res(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": asg_name,
            "PolicyName": "cpu-target-50",
            "PolicyARN": scale_arn,
            "PolicyType": "TargetTrackingScaling",
            "StepAdjustments": [],
            "Alarms": [
                {"AlarmName": hi_name, "AlarmARN": kit.arn("cloudwatch", f"alarm:{hi_name}")},
                {"AlarmName": lo_name, "AlarmARN": kit.arn("cloudwatch", f"alarm:{lo_name}")},
            ],
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 50.0,
                "DisableScaleIn": False,
            },
            "Enabled": True,
        },
    )
    role_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    kit.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": "floorplan-api-prod",
            "RoleId": kit.role_id(),
            "Arn": f"arn:aws:iam::{acct}:role/floorplan-api-prod",
            "CreateDate": k.iso(kit.start - timedelta(days=700)),
            "AssumeRolePolicyDocument": json.dumps(role_doc),
            "MaxSessionDuration": 3600,
        },
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Floorplans",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            },
            {
                "Sid": "FloorplansList",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{bucket}",
            },
            {
                "Sid": "Thumbnails",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::keyhaven-thumbnails-prod-{region}/*"],
            },
        ],
    }
    kit.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": "floorplan-api-prod", "PolicyName": "floorplan-data", "PolicyDocument": policy},
    )
    kit.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": "floorplan-api-prod",
            "PolicyName": "AmazonSSMManagedInstanceCore",
            "PolicyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        },
    )
    kit.res(
        "s3",
        "Bucket",
        {"Name": bucket, "CreationDate": k.iso(kit.start - timedelta(days=900)), "BucketRegion": region},
    )
    kit.res(
        "logs",
        "LogGroup",
        k.log_group(
            kit,
            "/keyhaven/prod/floorplan-api",
            30,
            kit.start - timedelta(days=640),
            rng.randint(10**10, 9 * 10**10),
        ),
    )

    # ---- scaling activities, target health, CloudTrail from the platform ------------------------------
    for n in [node_by[i] for i in sorted(node_by)]:
        if n.iid not in bad:
            k.target_point(kit, tg["TargetGroupArn"], n, PORT, kit.start - timedelta(hours=1), "healthy")
    for kind, when, who, before, after, _avg in scale_events:
        if when > kit.now:
            continue
        alarm = hi_name if kind == "out" else lo_name
        for n in who:
            if kind == "out":
                cause = (
                    f"At {when:%Y-%m-%dT%H:%M:%SZ} a monitor alarm {alarm} in state ALARM triggered policy cpu-target-50 "
                    f"changing the desired capacity from {before} to {after}.  At {n.launched - timedelta(seconds=8):%Y-%m-%dT%H:%M:%SZ} an instance was "
                    f"started in response to a difference between desired and actual capacity, increasing the capacity from {before} to {after}."
                )
                kit.event(
                    "autoscaling",
                    k.asg_activity(
                        kit,
                        asg_name,
                        n.iid,
                        n.launched - timedelta(seconds=6),
                        launch=True,
                        cause=cause,
                        subnet_az=f"{net.private[n.zone]}|{n.az}",
                        dur=220,
                    ),
                )
                ct(
                    kit,
                    n.launched - timedelta(seconds=3),
                    sl,
                    "ec2.amazonaws.com",
                    "RunInstances",
                    {
                        "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                        "instanceType": itype,
                        "blockDeviceMapping": {},
                        "availabilityZone": n.az,
                        "monitoring": {"enabled": True},
                        "subnetId": net.private[n.zone],
                        "disableApiTermination": False,
                        "disableApiStop": False,
                        "clientToken": kit.uuid(),
                        "launchTemplate": {"launchTemplateId": lt_id, "version": str(v_new)},
                    },
                    {
                        "requestId": kit.uuid(),
                        "reservationId": "r-0" + kit.hex(16),
                        "ownerId": acct,
                        "groupSet": {},
                        "instancesSet": {
                            "items": [
                                {
                                    "instanceId": n.iid,
                                    "imageId": ami,
                                    "instanceState": {"code": 0, "name": "pending"},
                                    "privateIpAddress": n.ip,
                                    "instanceType": itype,
                                    "launchTime": int(n.launched.timestamp() * 1000),
                                    "placement": {"availabilityZone": n.az, "tenancy": "default"},
                                    "subnetId": net.private[n.zone],
                                    "vpcId": net.vpc,
                                    "metadataOptions": {
                                        "state": "pending",
                                        "httpTokens": "required",
                                        "httpPutResponseHopLimit": 1,
                                        "httpEndpoint": "enabled",
                                        "httpProtocolIpv4": "enabled",
                                        "httpProtocolIpv6": "disabled",
                                        "instanceMetadataTags": "disabled",
                                    },
                                }
                            ]
                        },
                    },
                )
                healthy_at = serving.get(n.iid, (kit.end, None))[0]
                k.target_point(
                    kit,
                    tg["TargetGroupArn"],
                    n,
                    PORT,
                    n.launched + timedelta(seconds=150),
                    "initial",
                    "Elb.RegistrationInProgress",
                )
                k.target_point(
                    kit,
                    tg["TargetGroupArn"],
                    n,
                    PORT,
                    n.launched + timedelta(seconds=160),
                    "initial",
                    "Elb.InitialHealthChecking",
                )
                k.target_point(kit, tg["TargetGroupArn"], n, PORT, healthy_at, "healthy")
            else:
                cause = (
                    f"At {when:%Y-%m-%dT%H:%M:%SZ} a monitor alarm {alarm} in state ALARM triggered policy cpu-target-50 "
                    f"changing the desired capacity from {before} to {after}.  At {when + timedelta(seconds=9):%Y-%m-%dT%H:%M:%SZ} an instance was "
                    f"taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {before} to {after}.  "
                    f"At {when + timedelta(seconds=9):%Y-%m-%dT%H:%M:%SZ} instance {n.iid} was selected for termination."
                )
                kit.event(
                    "autoscaling",
                    k.asg_activity(
                        kit,
                        asg_name,
                        n.iid,
                        when + timedelta(seconds=9),
                        launch=False,
                        cause=cause,
                        subnet_az=f"{net.private[n.zone]}|{n.az}",
                        dur=330,
                    ),
                )
                k.target_point(
                    kit,
                    tg["TargetGroupArn"],
                    n,
                    PORT,
                    when + timedelta(seconds=12),
                    "draining",
                    "Target.DeregistrationInProgress",
                )
                ct(
                    kit,
                    when + timedelta(seconds=320),
                    sl,
                    "ec2.amazonaws.com",
                    "TerminateInstances",
                    {"instancesSet": {"items": [{"instanceId": n.iid}]}},
                    {
                        "requestId": kit.uuid(),
                        "instancesSet": {
                            "items": [
                                {
                                    "instanceId": n.iid,
                                    "currentState": {"code": 32, "name": "shutting-down"},
                                    "previousState": {"code": 16, "name": "running"},
                                }
                            ]
                        },
                    },
                )

    # ---- logs ---------------------------------------------------------------------------------
    grp = "/keyhaven/prod/floorplan-api"
    chain = (
        "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(credentialsProviders=["
        "SystemPropertyCredentialsProvider(), EnvironmentVariableCredentialsProvider(), WebIdentityTokenFileCredentialsProvider(), "
        "ProfileCredentialsProvider(profileName=default, profileFile=ProfileFile(sections=[])), ContainerCredentialsProvider(), "
        "InstanceProfileCredentialsProvider()]) : [SystemPropertyCredentialsProvider(): Unable to load credentials from system settings. "
        "Access key must be specified either via environment variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., "
        "EnvironmentVariableCredentialsProvider(): Unable to load credentials from system settings. Access key must be specified either via "
        "environment variable (AWS_ACCESS_KEY_ID) or system property (aws.accessKeyId)., WebIdentityTokenFileCredentialsProvider(): Either the "
        "environment variable AWS_WEB_IDENTITY_TOKEN_FILE or the javaproperty aws.webIdentityTokenFile must be set., ProfileCredentialsProvider("
        "profileName=default, profileFile=ProfileFile(sections=[])): Profile file contained no credentials for profile 'default': "
        "ProfileFile(sections=[]), ContainerCredentialsProvider(): Cannot fetch credentials from container - neither "
        "AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI environment variables are set., "
        "InstanceProfileCredentialsProvider(): Failed to load credentials from IMDS.]"
    )
    stack = (
        "\n\tat software.amazon.awssdk.core.exception.SdkClientException$BuilderImpl.build(SdkClientException.java:111)"
        "\n\tat software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain.resolveCredentials(AwsCredentialsProviderChain.java:130)"
        "\n\tat software.amazon.awssdk.auth.credentials.internal.LazyAwsCredentialsProvider.resolveCredentials(LazyAwsCredentialsProvider.java:45)"
        "\n\tat software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.resolveCredentials(DefaultCredentialsProvider.java:129)"
        "\n\tat software.amazon.awssdk.services.s3.presigner.DefaultS3Presigner.presignGetObject(DefaultS3Presigner.java:312)"
        "\n\tat com.keyhaven.floorplan.storage.FloorplanStore.signedUrl(FloorplanStore.java:88)"
        "\n\tat com.keyhaven.floorplan.web.FloorplanController.get(FloorplanController.java:61)"
        "\n\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)"
        "\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)"
        "\n\t... 48 common frames omitted"
    )
    paths = [
        "/v2/floorplans/{}",
        "/v2/floorplans/{}/render",
        "/v2/listings/{}/floorplans",
        "/v2/floorplans/{}/rooms",
    ]

    def jlog(ts: datetime, lvl: str, thread: str, logger: str, msg: str) -> str:
        return f"{ts:%Y-%m-%dT%H:%M:%S}.{ts.microsecond // 1000:03d}Z {lvl:>5} 1 --- [floorplan-api] [{thread:>15}] {logger:<40} : {msg}"

    for iid in sorted(node_by):
        n = node_by[iid]
        start_t = max(kit.start, n.launched + timedelta(seconds=95))
        end_t = serving.get(iid, (None, None))[1] or kit.now
        if start_t > kit.now:
            continue
        if n.launched > kit.start:
            kit.log(
                grp,
                iid,
                n.launched + timedelta(seconds=80),
                jlog(
                    n.launched + timedelta(seconds=80),
                    "INFO",
                    "main",
                    "c.k.floorplan.FloorplanApiApplication",
                    "Starting FloorplanApiApplication v2 using Java 21.0.3 with PID 1 (/app/app.jar started by app in /app)",
                ),
            )
            kit.log(
                grp,
                iid,
                n.launched + timedelta(seconds=94),
                jlog(
                    n.launched + timedelta(seconds=94),
                    "INFO",
                    "main",
                    "o.s.b.w.embedded.tomcat.TomcatWebServer",
                    f"Tomcat started on port {PORT} (http) with context path '/'",
                ),
            )
            kit.log(
                grp,
                iid,
                n.launched + timedelta(seconds=95),
                jlog(
                    n.launched + timedelta(seconds=95),
                    "INFO",
                    "main",
                    "c.k.floorplan.FloorplanApiApplication",
                    f"Started FloorplanApiApplication in {rng.uniform(11, 16):.3f} seconds (process running for {rng.uniform(12, 17):.3f})",
                ),
            )
        for tm in kit.minutes(60, start_t, end_t):
            for _ in range(2):
                ts = tm + timedelta(seconds=rng.uniform(0, 59.9))
                thread = f"nio-{PORT}-exec-{rng.randint(1, 40)}"
                p = rng.choice(paths).format(rng.randint(1000000, 9999999))
                if iid in bad and ts >= serving.get(iid, (kit.end, None))[0] and rng.random() < s3_share:
                    kit.log(
                        grp,
                        iid,
                        ts,
                        jlog(
                            ts,
                            "ERROR",
                            thread,
                            "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                            "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: software.amazon.awssdk.core.exception.SdkClientException: "
                            + chain
                            + "] with root cause\n\nsoftware.amazon.awssdk.core.exception.SdkClientException: "
                            + chain
                            + stack,
                        ),
                    )
                else:
                    kit.log(
                        grp,
                        iid,
                        ts,
                        jlog(
                            ts,
                            "INFO",
                            thread,
                            "c.k.floorplan.web.RequestLogFilter",
                            f"GET {p} 200 {int(kit.noisy(85, 0.5))}ms",
                        ),
                    )
            if rng.random() < 0.01:
                ts = tm + timedelta(seconds=rng.uniform(0, 59.9))
                kit.log(
                    grp,
                    iid,
                    ts,
                    jlog(
                        ts,
                        "WARN",
                        f"nio-{PORT}-exec-{rng.randint(1, 40)}",
                        "c.k.floorplan.web.FloorplanController",
                        f"floorplan {rng.randint(1000000, 9999999)} has no rooms layer, serving outline only",
                    ),
                )
            if rng.random() < 0.004:
                ts = tm + timedelta(seconds=rng.uniform(0, 59.9))
                kit.log(
                    grp,
                    iid,
                    ts,
                    jlog(
                        ts,
                        "WARN",
                        "HikariPool-1 housekeeper",
                        "com.zaxxer.hikari.pool.HikariPool",
                        "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s351ms).",
                    ),
                )

    # ---- CloudTrail: routine and innocent -------------------------------------------------------------
    dev = k.sso_user(
        kit, "Developer", rng.choice(["nina.alvarez", "ben.kowalski", "omar.haddad"]) + "@keyhaven.com"
    )
    plat = k.sso_user(
        kit, "PlatformAdmin", rng.choice(["jess.turner", "raj.patel"]) + "@keyhaven.com", console=False
    )
    appci = k.role_session(
        kit,
        "gha-deploy-apps",
        "GitHubActions",
        kit.public_ip(),
        "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ssm.put-parameter",
    )
    dd = k.role_session(
        kit,
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        kit.public_ip(),
        "Datadog/AWS-Integration aws-sdk-go/1.50.0 (go1.21.6; linux; amd64)",
    )
    k.routine_reads(
        kit,
        [dev, plat, dd, dd],
        [
            (
                "ec2.amazonaws.com",
                "DescribeLaunchTemplateVersions",
                {"DescribeLaunchTemplateVersionsRequest": {"LaunchTemplateId": lt_id}},
            )
        ],
        32,
    )
    t_pol = onset_s - timedelta(minutes=rng.randint(18, 27))
    ct(
        kit,
        t_pol,
        plat,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {
            "roleName": "floorplan-api-prod",
            "policyName": "floorplan-data",
            "policyDocument": json.dumps(policy),
        },
        None,
    )
    t_flag = onset_s - timedelta(minutes=rng.randint(6, 12))
    ct(
        kit,
        t_flag,
        appci,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/prod/floorplan-api/ROOM_LABELS_V2", "type": "String", "overwrite": True},
        {"version": rng.randint(3, 20), "tier": "Standard"},
    )
    t_rule = onset_s + timedelta(minutes=rng.randint(3, 12))
    ct(
        kit,
        t_rule,
        dev,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": kit.arn("elasticloadbalancing", f"targetgroup/agent-portal-prod/{kit.hex(16)}"),
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
        },
        {"attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}]},
    )
    for h in range(4):
        ct(
            kit,
            kit.start + timedelta(hours=h, minutes=rng.randint(0, 59)),
            appci,
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            {},
            None,
            read_only=True,
        )

    ev = kit.alarm_event(a5)
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": lt_id,
            "category": "change",
            "failure_mode": "imds-hop-limit-blocks-container-credentials",
            "event_id": culprit["eventID"],
        },
        "also_accept": ["floorplan-api-prod"],
        "actions": ["rollback", "reconfigure"],
        "chain": [
            f"Launch template {lt_id} (floorplan-api-prod) version {v_new} sets IMDSv2 required with hop limit 1",
            f"Instances launched by the {asg_name} scale-out use version {v_new}",
            "The app's container cannot reach the metadata service over the extra hop, so it has no role credentials",
            "Requests served by the new instances that need S3 fail with 500; the target 5xx alarm fires",
        ],
    }
    return kit.bundle(TITLE, {"question": None, "alarm_event": ev}, truth)
