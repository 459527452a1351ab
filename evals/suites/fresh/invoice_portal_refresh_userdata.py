"""Invoice portal web tier: launch template v23's user data reads an SSM path that does not exist; the
instance refresh keeps launching instances that never pass the ALB health check."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_s import (
    Alarm,
    Ctx,
    Principal,
    Rec,
    alb,
    alb_dim,
    ci_role,
    ct,
    diurnal,
    instance,
    instance_status,
    iso,
    log_group,
    routine_reads,
    service_role,
    sso_user,
    target_group,
    tg_dim,
)

NAME = "invoice-portal-refresh-userdata"
TITLE = "Invoice portal healthy host count dropped during a rollout"
SUMMARY = (
    "Launch template version 23 of invoice-portal-web reads its secrets from /invoice-portal/production/ (the "
    "parameters live under /invoice-portal/prod/); the instance refresh (min healthy 50%) replaces half the "
    "fleet with instances whose app never starts, which fail ELB health checks and are replaced again and again."
)

REGION = "us-west-2"

USERDATA = """#!/bin/bash
set -euo pipefail
exec > >(tee /var/log/user-data.log) 2>&1
APP=invoice-portal
{env_line}
REGION=$(TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60'); \\
  curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/placement/region)
for name in RAILS_MASTER_KEY DATABASE_URL REDIS_URL; do
  value=$(aws ssm get-parameter --region "$REGION" --with-decryption \\
    --name "/$APP/{path}/$name" --query Parameter.Value --output text)
  echo "$name=$value" >> /etc/invoice-portal/env
done
aws s3 cp "s3://{bucket}/releases/{release}/invoice-portal.tar.gz" /tmp/release.tar.gz
tar -xzf /tmp/release.tar.gz -C /srv/invoice-portal
chown -R app:app /srv/invoice-portal
systemctl enable --now invoice-portal-puma.service
systemctl reload nginx
"""


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, REGION)
    rng = ctx.rng
    acct = ctx.account
    day = datetime(2026, 8, 10, tzinfo=UTC) + timedelta(days=rng.randint(0, 70))
    lt_t = day + timedelta(hours=rng.randint(16, 22), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    refresh_t = lt_t + timedelta(seconds=rng.randint(25, 70))
    onset = refresh_t
    start = lt_t.replace(minute=0, second=0) - timedelta(hours=4)
    now = onset + timedelta(minutes=rng.randint(38, 52))
    created = start - timedelta(days=rng.randint(300, 800))
    azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    vpc = f"vpc-0{ctx.hex(16)}"
    pub = [f"subnet-0{ctx.hex(16)}" for _ in azs]
    priv = [f"subnet-0{ctx.hex(16)}" for _ in azs]
    sg_alb, sg_web = f"sg-0{ctx.hex(16)}", f"sg-0{ctx.hex(16)}"
    third = rng.randint(16, 31)
    asg = "invoice-portal-web"
    lt_id = f"lt-0{ctx.hex(16)}"
    lt_name = "invoice-portal-web"
    ami_old, ami_new = f"ami-0{ctx.hex(16)}", f"ami-0{ctx.hex(16)}"
    bucket = f"billingbird-artifacts-{acct}"
    rel_old, rel_new = f"2026.{rng.randint(30, 40)}.{rng.randint(1, 9)}", f"2026.{rng.randint(41, 45)}.0"
    ci = ci_role(
        ctx,
        "github-actions-invoice-portal",
        "GitHubActions",
        "aws-cli/2.17.30 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 "
        "lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
        "md/distrib#ubuntu.22 md/prompt#off md/command#ec2.create-launch-template-version",
    )
    dev = sso_user(ctx, rng.choice(["hannah.kim", "oliver.grant", "ruth.adeyemi"]) + "@billingbird.com")
    dev2 = sso_user(ctx, rng.choice(["marco.silva", "zoe.turner"]) + "@billingbird.com", "ReadOnlyAccess")
    asvc = service_role(ctx, "AWSServiceRoleForAutoScaling", "AutoScaling", "autoscaling.amazonaws.com")

    lb = alb(ctx, "invoice-portal", vpc, list(zip(pub, azs, strict=True)), sg_alb, created)
    tg = target_group(ctx, "invoice-portal-web", vpc, str(lb["LoadBalancerArn"]), 80, "/up")
    tg_arn = str(tg["TargetGroupArn"])
    ctx.resource("elbv2", "LoadBalancer", lb)
    ctx.resource("elbv2", "TargetGroup", tg)

    # --- fleet simulation --------------------------------------------------------------------------
    activities: list[Rec] = []
    th: list[Rec] = []
    inst_items: list[Rec] = []
    statuses: list[Rec] = []
    asg_members: list[Rec] = []
    cpu_windows: list[tuple[str, datetime, datetime | None, bool]] = []
    boots: list[tuple[str, datetime]] = []

    def th_point(
        iid: str, t: datetime, state: str, reason: str | None = None, desc: str | None = None
    ) -> None:
        health: Rec = {"State": state}
        if reason:
            health["Reason"] = reason
        if desc:
            health["Description"] = desc
        th.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": iid, "Port": 80},
                    "health": health,
                    "timestamp": iso(t),
                },
            }
        )

    asg_arn = ctx.arn("autoscaling", f"autoScalingGroup:{ctx.uuid()}:autoScalingGroupName/{asg}")

    def activity(desc: str, cause: str, t: datetime, end: datetime, details: str) -> None:
        item: Rec = {
            "ActivityId": ctx.uuid(),
            "AutoScalingGroupName": asg,
            "Description": desc,
            "Cause": cause,
            "StartTime": iso(t),
            "StatusCode": "Successful",
            "Progress": 100,
            "Details": details,
            "AutoScalingGroupARN": asg_arn,
        }
        if end <= now:
            item["EndTime"] = iso(end)
        else:
            item["StatusCode"] = (
                "InProgress" if desc.startswith("Launching") else "WaitingForELBConnectionDraining"
            )
            item["Progress"] = 50
            if desc.startswith("Terminating"):
                item["StatusMessage"] = ""
        activities.append({"source": "autoscaling", "item": item})

    def details(az: str, subnet: str) -> str:
        return f'{{"Subnet ID":"{subnet}","Availability Zone":"{az}"}}'

    old: list[tuple[str, int, str]] = []
    for i in range(len(azs)):
        for _ in range(2):
            old.append((f"i-0{ctx.hex(16)}", i, f"10.{third}.{10 + i}.{rng.randint(10, 250)}"))
    old_launch = start - timedelta(days=rng.randint(6, 20))
    replaced = [old[0], old[2], old[4]]
    kept = [o for o in old if o not in replaced]
    for iid, i, ip in old:
        gone = (iid, i, ip) in replaced
        inst_items.append(
            instance(
                ctx,
                iid,
                az=azs[i],
                subnet=priv[i],
                vpc=vpc,
                ip=ip,
                sgs=[(sg_web, "invoice-portal-web")],
                ami=ami_old,
                itype="c7g.xlarge",
                launched=old_launch + timedelta(minutes=rng.randint(0, 30)),
                name=asg,
                asg=asg,
                profile="invoice-portal-web",
                state="terminated" if gone else "running",
                lt=(lt_id, lt_name, "22"),
            )
        )
        th_point(iid, start - timedelta(days=1), "healthy")
        if gone:
            t_term = refresh_t + timedelta(seconds=rng.randint(2, 6))
            th_point(
                iid,
                t_term,
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
            th_point(
                iid,
                t_term + timedelta(seconds=300),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
            activity(
                f"Terminating EC2 instance: {iid}",
                f"At {iso(t_term)} an instance was taken out of service in response to an instance refresh.  "
                f"At {iso(t_term)} instance {iid} was selected for termination.",
                t_term,
                t_term + timedelta(seconds=rng.randint(330, 380)),
                details(azs[i], priv[i]),
            )
            cpu_windows.append((iid, start, t_term + timedelta(seconds=300), False))
        else:
            cpu_windows.append((iid, start, None, False))
            statuses.append(instance_status(iid, azs[i]))
            asg_members.append(
                {
                    "InstanceId": iid,
                    "InstanceType": "c7g.xlarge",
                    "AvailabilityZone": azs[i],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": lt_id,
                        "LaunchTemplateName": lt_name,
                        "Version": "22",
                    },
                    "ProtectedFromScaleIn": False,
                }
            )
    # each replaced slot: launch, never healthy, replaced after the grace period, again and again
    for slot, (_old, i, _ip) in enumerate(replaced):
        az = azs[i]
        t_launch = refresh_t + timedelta(seconds=rng.randint(8, 20) + slot * 2)
        capacity = 3 + slot
        cause = (
            f"At {iso(t_launch)} an instance was started in response to a difference between desired and "
            f"actual capacity, increasing the capacity from {capacity} to {capacity + 1}."
        )
        while t_launch < now:
            iid = f"i-0{ctx.hex(16)}"
            ip = f"10.{third}.{10 + i}.{rng.randint(10, 250)}"
            boots.append((iid, t_launch))
            in_svc = t_launch + timedelta(seconds=rng.randint(40, 70))
            activity(f"Launching a new EC2 instance: {iid}", cause, t_launch, in_svc, details(az, priv[i]))
            th_point(
                iid, in_svc, "initial", "Elb.RegistrationInProgress", "Target registration is in progress"
            )
            th_point(
                iid,
                in_svc + timedelta(seconds=rng.randint(30, 45)),
                "unhealthy",
                "Target.FailedHealthChecks",
                "Health checks failed with these codes: [502]",
            )
            t_kill = t_launch + timedelta(seconds=300 + rng.randint(15, 45))
            alive = t_kill >= now
            inst_items.append(
                instance(
                    ctx,
                    iid,
                    az=az,
                    subnet=priv[i],
                    vpc=vpc,
                    ip=ip,
                    sgs=[(sg_web, "invoice-portal-web")],
                    ami=ami_new,
                    itype="c7g.xlarge",
                    launched=t_launch,
                    name=asg,
                    asg=asg,
                    profile="invoice-portal-web",
                    state="running" if alive else "terminated",
                    lt=(lt_id, lt_name, "23"),
                )
            )
            if alive:
                statuses.append(instance_status(iid, az, initializing=(now - t_launch).total_seconds() < 240))
                unhealthy_known = (now - t_launch).total_seconds() > 300
                asg_members.append(
                    {
                        "InstanceId": iid,
                        "InstanceType": "c7g.xlarge",
                        "AvailabilityZone": az,
                        "LifecycleState": "InService",
                        "HealthStatus": "Unhealthy" if unhealthy_known else "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": lt_name,
                            "Version": "23",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                )
                cpu_windows.append((iid, t_launch, None, True))
                break
            th_point(
                iid,
                t_kill,
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
            th_point(
                iid,
                t_kill + timedelta(seconds=300),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
            activity(
                f"Terminating EC2 instance: {iid}",
                f"At {iso(t_kill)} an instance was taken out of service in response to an ELB system health "
                f"check failure.",
                t_kill,
                t_kill + timedelta(seconds=rng.randint(320, 360)),
                details(az, priv[i]),
            )
            cpu_windows.append((iid, t_launch, t_kill + timedelta(seconds=60), True))
            t_launch = t_kill + timedelta(seconds=rng.randint(8, 15))
            cause = (
                f"At {iso(t_launch)} an instance was started in response to a difference between desired and "
                f"actual capacity, increasing the capacity from 5 to 6."
            )
    for it in inst_items:
        ctx.resource("ec2", "Instance", it)
    for st in statuses:
        ctx.resource("ec2", "InstanceStatus", st)
    activities.sort(key=lambda a: a["item"]["StartTime"])
    ctx.events.extend(activities)
    th.sort(key=lambda e: e["item"]["timestamp"])
    ctx.events.extend(th)

    ctx.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": asg_arn,
            "LaunchTemplate": {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": lt_name,
                "Version": "$Latest",
            },
            "MinSize": 4,
            "MaxSize": 12,
            "DesiredCapacity": 6,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [tg_arn],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 300,
            "Instances": asg_members,
            "CreatedTime": iso(created),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": ",".join(priv),
            "EnabledMetrics": [
                {"Metric": m, "Granularity": "1Minute"}
                for m in (
                    "GroupDesiredCapacity",
                    "GroupInServiceInstances",
                    "GroupPendingInstances",
                    "GroupTerminatingInstances",
                    "GroupTotalInstances",
                )
            ],
            "Tags": [
                {
                    "ResourceId": asg,
                    "ResourceType": "auto-scaling-group",
                    "Key": "Name",
                    "Value": asg,
                    "PropagateAtLaunch": True,
                }
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
            "DefaultInstanceWarmup": 120,
            "TrafficSources": [{"Identifier": tg_arn, "Type": "elbv2"}],
        },
    )
    refresh_id = ctx.uuid()
    ctx.resource(
        "autoscaling",
        "InstanceRefresh",
        {
            "InstanceRefreshId": refresh_id,
            "AutoScalingGroupName": asg,
            "Status": "InProgress",
            "StatusReason": f"Waiting for instances to warm up before continuing. For example: {boots[-1][0]} is "
            "warming up.",
            "StartTime": iso(refresh_t),
            "PercentageComplete": 0,
            "InstancesToUpdate": 3,
            "Preferences": {
                "MinHealthyPercentage": 50,
                "InstanceWarmup": 120,
                "SkipMatching": True,
                "AutoRollback": False,
                "ScaleInProtectedInstances": "Ignore",
                "StandbyInstances": "Ignore",
                "MaxHealthyPercentage": 100,
            },
        },
    )

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    ud_old = USERDATA.format(env_line="ENVIRONMENT=prod", path="prod", bucket=bucket, release=rel_old)
    ud_new = USERDATA.format(
        env_line="ENVIRONMENT=production", path="$ENVIRONMENT", bucket=bucket, release=rel_new
    )
    ctx.resource(
        "ec2",
        "LaunchTemplate",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": lt_name,
            "CreateTime": iso(created),
            "CreatedBy": f"arn:aws:sts::{acct}:assumed-role/github-actions-invoice-portal/GitHubActions",
            "DefaultVersionNumber": 1,
            "LatestVersionNumber": 23,
        },
    )
    for ver, ami, ud, when, desc in (
        (22, ami_old, ud_old, old_launch - timedelta(hours=1), f"release {rel_old}"),
        (23, ami_new, ud_new, lt_t, f"release {rel_new} (AL2023 2026.{day.month} AMI)"),
    ):
        ctx.resource(
            "ec2",
            "LaunchTemplateVersion",
            {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": lt_name,
                "VersionNumber": ver,
                "VersionDescription": desc,
                "CreateTime": iso(when),
                "CreatedBy": f"arn:aws:sts::{acct}:assumed-role/github-actions-invoice-portal/GitHubActions",
                "DefaultVersion": False,
                "LaunchTemplateData": {
                    "IamInstanceProfile": {"Name": "invoice-portal-web"},
                    "ImageId": ami,
                    "InstanceType": "c7g.xlarge",
                    "SecurityGroupIds": [sg_web],
                    "UserData": b64(ud),
                    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
                    "TagSpecifications": [
                        {"ResourceType": "instance", "Tags": [{"Key": "service", "Value": "invoice-portal"}]}
                    ],
                },
            },
        )
    for pname in ("RAILS_MASTER_KEY", "DATABASE_URL", "REDIS_URL", "FEATURE_FLAGS"):
        ctx.resource(
            "ssm",
            "ParameterMetadata",
            {
                "Name": f"/invoice-portal/prod/{pname}",
                "ARN": ctx.arn("ssm", f"parameter/invoice-portal/prod/{pname}"),
                "Type": "String" if pname == "FEATURE_FLAGS" else "SecureString",
                "LastModifiedDate": iso(
                    lt_t + timedelta(minutes=9)
                    if pname == "FEATURE_FLAGS"
                    else created + timedelta(days=rng.randint(1, 200))
                ),
                "LastModifiedUser": f"arn:aws:sts::{acct}:assumed-role/{dev.role}/{dev.session}",
                "Version": rng.randint(1, 9),
                "Tier": "Standard",
                "Policies": [],
                "DataType": "text",
            },
        )
    for gid, name in ((sg_alb, "invoice-portal-alb"), (sg_web, "invoice-portal-web")):
        ctx.resource(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": gid,
                "GroupName": name,
                "Description": name,
                "OwnerId": acct,
                "VpcId": vpc,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443 if gid == sg_alb else 80,
                        "ToPort": 443 if gid == sg_alb else 80,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}] if gid == sg_alb else [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [] if gid == sg_alb else [{"GroupId": sg_alb, "UserId": acct}],
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
            },
        )
    for g in ("/invoice-portal/web/production.log", "/invoice-portal/web/cloud-init-output"):
        ctx.resource("logs", "LogGroup", log_group(ctx, g, created, 14))

    # --- metrics -----------------------------------------------------------------------------------
    scale = rng.uniform(260, 380)
    load: dict[datetime, float] = {}

    def rate(t: datetime) -> float:
        if t not in load:
            load[t] = ctx.noise(scale, 0.06) * diurnal(t, -7.0, 11.0, 0.3)
        return load[t]

    broken = lambda t: t >= onset.replace(second=0) + timedelta(minutes=1)  # noqa: E731
    lbd, tgd = alb_dim(lb), tg_dim(tg)
    ns = "AWS/ApplicationELB"
    dims_l = {"LoadBalancer": lbd}
    dims_t = {"LoadBalancer": lbd, "TargetGroup": tgd}

    def healthy(t: datetime) -> float:
        return 3.0 if broken(t) else 6.0

    def unhealthy(t: datetime) -> float:
        if not broken(t):
            return 0.0
        n = 0
        for iid, b in boots:
            _ = iid
            up = b + timedelta(seconds=100)
            if up <= t < b + timedelta(seconds=330):
                n += 1
        return float(n)

    def elb5(t: datetime) -> float | None:
        if broken(t) and rng.random() < 0.45:
            return float(rng.randint(1, 6))
        return 1.0 if rng.random() < 0.01 else None

    for dims in (dims_l, dims_t):
        ctx.series(ns, "RequestCount", dims, "Count", start, now, rate, integer=True)
        ctx.series(
            ns,
            "TargetResponseTime",
            dims,
            "Seconds",
            start,
            now,
            lambda t: ctx.noise(0.62 if broken(t) else 0.17, 0.1),
        )
        ctx.series(
            ns, "HTTPCode_Target_2XX_Count", dims, "Count", start, now, lambda t: rate(t) * 0.97, integer=True
        )
        ctx.series(
            ns, "HTTPCode_Target_4XX_Count", dims, "Count", start, now, lambda t: rate(t) * 0.02, integer=True
        )
    ctx.series(ns, "HTTPCode_ELB_5XX_Count", dims_l, "Count", start, now, elb5)
    hh = ctx.series(ns, "HealthyHostCount", dims_t, "Count", start, now, healthy)
    uh = ctx.series(ns, "UnHealthyHostCount", dims_t, "Count", start, now, unhealthy)
    ad = {"AutoScalingGroupName": asg}
    ctx.series("AWS/AutoScaling", "GroupDesiredCapacity", ad, "None", start, now, lambda t: 6.0)
    ctx.series(
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        ad,
        "None",
        start,
        now,
        lambda t: 6.0 if not broken(t) else float(rng.choice([5, 6, 6, 6])),
    )
    ctx.series(
        "AWS/AutoScaling",
        "GroupTotalInstances",
        ad,
        "None",
        start,
        now,
        lambda t: 6.0 if not broken(t) else float(rng.choice([6, 6, 7, 8, 9])),
    )
    ctx.series(
        "AWS/AutoScaling",
        "GroupPendingInstances",
        ad,
        "None",
        start,
        now,
        lambda t: 0.0 if not broken(t) else float(rng.choice([0, 0, 1])),
    )
    ctx.series(
        "AWS/AutoScaling",
        "GroupTerminatingInstances",
        ad,
        "None",
        start,
        now,
        lambda t: 0.0 if not broken(t) else float(rng.choice([1, 2, 3, 3])),
    )
    for iid, t0, t1, new in cpu_windows:
        ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            start,
            now,
            lambda t, a=t0, b=t1, n=new: (
                None
                if t < a or (b is not None and t >= b)
                else (
                    ctx.noise(28.0 if (t - a).total_seconds() < 120 else 1.8, 0.2)
                    if n
                    else ctx.noise(rate(t) / (3 if broken(t) else 6) * 0.14, 0.08)
                )
            ),
            fine_from=start - timedelta(hours=1) if new else now - timedelta(hours=3),
        )

    # --- alarms ----------------------------------------------------------------------------------------
    topic = ctx.arn("sns", "billing-web-alerts")
    a_h = Alarm(
        ctx,
        "invoice-portal-web-healthy-hosts-low",
        "Fewer than 4 healthy invoice-portal web targets",
        ns,
        "HealthyHostCount",
        dims_t,
        "Minimum",
        60,
        3,
        4,
        "LessThanThreshold",
        actions=[topic],
        created=created + timedelta(days=10),
    )
    a_h.evaluate(hh, start, now)
    a_h.publish()
    a_u = Alarm(
        ctx,
        "invoice-portal-web-unhealthy-targets",
        "Unhealthy invoice-portal targets for 10 minutes",
        ns,
        "UnHealthyHostCount",
        dims_t,
        "Maximum",
        300,
        2,
        0,
        "GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=10),
    )
    a_u.evaluate(uh, start, now)
    a_u.publish()
    lat = {
        datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00")): m["value"]
        for m in ctx.metrics
        if m["metric"] == "TargetResponseTime" and m["dimensions"] == dims_l and "value" in m
    }
    a_l = Alarm(
        ctx,
        "invoice-portal-latency-high",
        "ALB target response time above 1.5s",
        ns,
        "TargetResponseTime",
        dims_l,
        "Average",
        300,
        2,
        1.5,
        "GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=10),
    )
    a_l.evaluate(lat, start, now)
    a_l.publish()

    # --- logs ----------------------------------------------------------------------------------------
    ci_grp = "/invoice-portal/web/cloud-init-output"
    for iid, b in boots:
        if b >= now:
            continue
        lines = [
            (
                0,
                "Cloud-init v. 22.2.2 running 'init' at "
                + (b + timedelta(seconds=40)).strftime("%a, %d %b %Y %H:%M:%S")
                + " +0000. "
                "Up 6.12 seconds.",
            ),
            (
                14,
                "Cloud-init v. 22.2.2 running 'modules:final' at "
                + (b + timedelta(seconds=54)).strftime("%a, %d %b %Y %H:%M:%S")
                + " +0000. Up 19.88 seconds.",
            ),
            (16, "An error occurred (ParameterNotFound) when calling the GetParameter operation: "),
            (
                16,
                "2026-00-00 00:00:00,000 - util.py[WARNING]: Failed running "
                "/var/lib/cloud/instance/scripts/part-001 [254]",
            ),
            (
                16,
                "2026-00-00 00:00:00,000 - cc_scripts_user.py[WARNING]: Failed to run module scripts-user "
                "(scripts in /var/lib/cloud/instance/scripts)",
            ),
            (
                16,
                "2026-00-00 00:00:00,000 - util.py[WARNING]: Running module scripts-user "
                "(<module 'cloudinit.config.cc_scripts_user' from "
                "'/usr/lib/python3.9/site-packages/cloudinit/config/cc_scripts_user.py'>) failed",
            ),
            (
                17,
                "Cloud-init v. 22.2.2 finished at "
                + (b + timedelta(seconds=57)).strftime("%a, %d %b %Y %H:%M:%S")
                + " +0000. Datasource DataSourceEc2Local.  Up 21.40 seconds",
            ),
        ]
        for off, text in lines:
            t = b + timedelta(seconds=40 + off)
            if t >= now:
                break
            stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randint(0, 999):03d}"
            ctx.log(ci_grp, iid, t, text.replace("2026-00-00 00:00:00,000", stamp))
    app = "/invoice-portal/web/production.log"
    t = start
    paths = [
        "GET /invoices",
        "GET /invoices/:id",
        "POST /invoices/:id/payments",
        "GET /dashboard",
        "GET /customers/:id/statements",
    ]
    while t < now:
        live = [o for o in old if o in kept or not broken(t)]
        for iid, _i, _ip in live:
            for _ in range(rng.randint(1, 2)):
                ts = t + timedelta(seconds=rng.randint(0, 59), microseconds=rng.randint(0, 999999))
                if ts >= now:
                    continue
                pid = 2000 + int(iid[-3:], 16) % 4000
                req = ctx.uuid()
                path = rng.choice(paths)
                ms_ = rng.uniform(40, 160) * (3.4 if broken(t) else 1.0)
                stamp = ts.strftime("%Y-%m-%dT%H:%M:%S.%f")
                ctx.log(
                    app,
                    iid,
                    ts,
                    f"I, [{stamp} #{pid}]  INFO -- : [{req}] Started {path.split()[0]} "
                    f'"{path.split()[1].replace(":id", str(rng.randint(10000, 99999)))}" for '
                    f"10.{third}.{rng.randint(0, 2)}.{rng.randint(10, 250)} at {ts:%Y-%m-%d %H:%M:%S} +0000",
                )
                ctx.log(
                    app,
                    iid,
                    ts + timedelta(milliseconds=ms_),
                    f"I, [{stamp} #{pid}]  INFO -- : [{req}] Completed 200 OK in {ms_:.0f}ms (Views: "
                    f"{ms_ * 0.3:.1f}ms | ActiveRecord: {ms_ * 0.5:.1f}ms | Allocations: {rng.randint(4000, 40000)})",
                )
            if rng.random() < 0.003:
                ctx.log(
                    app,
                    iid,
                    t + timedelta(seconds=20),
                    f"W, [{t:%Y-%m-%dT%H:%M:%S.%f} #2211]  WARN -- : "
                    "Rack::Attack throttled request from 203.0.113.77 (api/statements)",
                )
        t += timedelta(minutes=1)

    # --- CloudTrail --------------------------------------------------------------------------------
    reads: list[tuple[Principal, str, str, Mapping[str, Any] | None]] = [
        (dev2, "autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg]}),
        (dev2, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        (
            ci,
            "ec2.amazonaws.com",
            "DescribeLaunchTemplateVersions",
            {"DescribeLaunchTemplateVersionsRequest": {"LaunchTemplateId": lt_id}},
        ),
        (
            dev,
            "ssm.amazonaws.com",
            "DescribeParameters",
            {"parameterFilters": [{"key": "Path", "values": ["/invoice-portal/prod"]}]},
        ),
        (dev2, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "invoice-portal"}),
        (ci, "ec2.amazonaws.com", "DescribeImages", {"imagesSet": {"items": [{"imageId": ami_new}]}}),
    ]
    routine_reads(ctx, start, now, reads, rng.randint(22, 28))
    culprit = ct(
        ctx,
        lt_t,
        ci,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": "22",
                "VersionDescription": f"release {rel_new} (AL2023 2026.{day.month} AMI)",
                "LaunchTemplateData": {"ImageId": ami_new, "UserData": "<sensitiveDataRemoved>"},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": ctx.uuid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": lt_name,
                    "versionNumber": 23,
                    "versionDescription": f"release {rel_new}",
                    "createTime": iso(lt_t),
                    "defaultVersion": False,
                    "createdBy": f"arn:aws:sts::{acct}:assumed-role/"
                    "github-actions-invoice-portal/GitHubActions",
                    "launchTemplateData": {"imageId": ami_new, "userData": "<sensitiveDataRemoved>"},
                },
            }
        },
    )
    ct(
        ctx,
        refresh_t,
        ci,
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        {
            "autoScalingGroupName": asg,
            "preferences": {"minHealthyPercentage": 50, "instanceWarmup": 120, "skipMatching": True},
        },
        {"instanceRefreshId": refresh_id},
        agent=str(ci.agent).replace(
            "ec2.create-launch-template-version", "autoscaling.start-instance-refresh"
        ),
    )
    for iid, b in boots:
        if b >= now:
            continue
        ct(
            ctx,
            b,
            asvc,
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": "23"},
                "userData": "<sensitiveDataRemoved>",
            },
            {
                "requestId": ctx.uuid(),
                "reservationId": f"r-0{ctx.hex(16)}",
                "ownerId": acct,
                "instancesSet": {"items": [{"instanceId": iid, "imageId": ami_new}]},
            },
        )
        inst_role = ci_role(
            ctx,
            "invoice-portal-web",
            iid,
            "aws-cli/2.17.30 md/awscrt#0.21.2 ua/2.0 "
            "os/linux#6.1.109-118.189.amzn2023.aarch64 md/arch#aarch64 lang/python#3.11.9 "
            "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off "
            "md/command#ssm.get-parameter",
        )
        inst_role.ip = f"10.{third}.{rng.randint(10, 12)}.{rng.randint(10, 250)}"
        t_gp = b + timedelta(seconds=56)
        if t_gp < now:
            ct(
                ctx,
                t_gp,
                inst_role,
                "ssm.amazonaws.com",
                "GetParameter",
                {"name": "/invoice-portal/production/RAILS_MASTER_KEY", "withDecryption": True},
                None,
                read_only=True,
                extra={"errorCode": "ParameterNotFound"},
            )
    # nearby, unrelated changes: a feature flag parameter and the worker ASG size
    ct(
        ctx,
        lt_t + timedelta(minutes=9),
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/invoice-portal/prod/FEATURE_FLAGS",
            "type": "String",
            "overwrite": True,
            "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {"version": rng.randint(10, 40), "tier": "Standard"},
    )
    ct(
        ctx,
        lt_t - timedelta(minutes=rng.randint(12, 20)),
        dev,
        "autoscaling.amazonaws.com",
        "UpdateAutoScalingGroup",
        {"autoScalingGroupName": "invoice-portal-worker", "desiredCapacity": 3},
        None,
    )

    event = a_h.event(0)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": lt_id,
                    "category": "change",
                    "failure_mode": "launch-template-user-data-broken",
                    "event_id": culprit,
                },
                "also_accept": [lt_name, f"{lt_name}:23"],
                "actions": ["rollback"],
                "chain": [
                    f"CreateLaunchTemplateVersion made {lt_name} version 23, whose user data reads "
                    "/invoice-portal/production/* parameters that do not exist",
                    f"StartInstanceRefresh on {asg} (min healthy 50%) terminated three v22 instances and launched v23 ones",
                    "the v23 instances' user data fails at GetParameter (ParameterNotFound), puma never starts, "
                    "nginx answers /up with 502",
                    f"the targets never pass the {tg['TargetGroupName']} health check; the ASG replaces them after the "
                    "grace period, again and again",
                    "only three healthy targets remain; invoice-portal-web-healthy-hosts-low alarms",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
