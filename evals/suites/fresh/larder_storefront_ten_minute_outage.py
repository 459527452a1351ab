"""Storefront fully down for about ten minutes in the afternoon, then back on its own."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzs import (
    Kit,
    Rec,
    alb,
    asg_item,
    console_time,
    instance,
    instance_status,
    iso,
    launch_template,
    target_group,
    target_health,
)

NAME = "larder-storefront-ten-minute-outage"
TITLE = "Storefront down for ~10 minutes mid-afternoon, came back by itself, nothing deployed"
SUMMARY = (
    "A manual Patch Manager run sent to every storefront instance at once rebooted the whole web fleet "
    "within two minutes; the ALB had no healthy targets until the app restarted."
)

WEB_TYPES = ["m6i.large", "m5.large", "m6a.large"]


def build(seed: int) -> Bundle:
    kit = Kit(seed, "eu-central-1", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    rng = kit.rng
    day = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=rng.randrange(0, 200))
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    onset = day.replace(
        hour=12 + rng.randrange(0, 2), minute=rng.randrange(0, 50), second=rng.randrange(0, 60)
    )
    start = (onset - timedelta(hours=3, minutes=40 + rng.randrange(0, 20))).replace(second=0)
    now = onset + timedelta(minutes=38 + rng.randrange(0, 12))
    kit.window(start, now)
    acct = kit.account
    topic = f"arn:aws:sns:{kit.region}:{acct}:larder-oncall"

    vpc = "vpc-0" + kit.hexid(16)
    azs = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    subnets = ["subnet-0" + kit.hexid(16) for _ in azs]
    pub = ["subnet-0" + kit.hexid(16) for _ in azs]
    web_sg = "sg-0" + kit.hexid(16)
    alb_sg = "sg-0" + kit.hexid(16)
    bastion_sg = "sg-0" + kit.hexid(16)
    lt_id = "lt-0" + kit.hexid(16)
    lt_ver = rng.randrange(20, 60)
    ami_old = "ami-0" + kit.hexid(16)
    ami_new = "ami-0" + kit.hexid(16)
    lb_arn, lb_dim = alb(
        kit, "larder-web-alb", vpc, list(zip(pub, azs, strict=True)), alb_sg, start - timedelta(days=400)
    )
    tg_arn, tg_dim = target_group(kit, "larder-web-tg", vpc, lb_arn, 8080, "/actuator/health")
    launch_template(
        kit,
        "larder-web-lt",
        lt_id,
        start - timedelta(days=400),
        lt_ver,
        lt_ver,
        f"arn:aws:iam::{acct}:role/ci-deployer",
    )

    # the web fleet: two on-demand base instances, four Spot
    n = 6
    members: list[tuple[str, str, str, bool]] = []
    launched: dict[str, datetime] = {}
    for i in range(n):
        iid = kit.iid()
        az = azs[i % 3]
        typ = WEB_TYPES[0] if i < 2 else rng.choice(WEB_TYPES)
        lt = start - timedelta(
            days=rng.randrange(1, 30), hours=rng.randrange(0, 23), minutes=rng.randrange(0, 59)
        )
        launched[iid] = lt
        members.append((iid, typ, az, True))
        instance(
            kit,
            iid,
            typ,
            ami_old,
            subnets[i % 3],
            vpc,
            az,
            [(web_sg, "larder-web")],
            {
                "Name": "larder-web",
                "app": "larder-web",
                "env": "prod",
                "aws:autoscaling:groupName": "larder-web-asg",
                "aws:ec2launchtemplate:id": lt_id,
                "aws:ec2launchtemplate:version": str(lt_ver - 1),
            },
            lt,
            "larder-web-instance",
            spot=i >= 2,
        )
        instance_status(kit, iid, az)
    asg_item(
        kit,
        "larder-web-asg",
        lt_id,
        "larder-web-lt",
        members,
        WEB_TYPES,
        subnets,
        azs,
        [tg_arn],
        n,
        4,
        12,
        2,
        0,
        start - timedelta(days=400),
        {"app": "larder-web", "env": "prod"},
        rebalance=True,
    )
    # a worker instance and bastion (unrelated)
    worker = kit.iid()
    instance(
        kit,
        worker,
        "c6i.xlarge",
        ami_old,
        subnets[1],
        vpc,
        azs[1],
        [(web_sg, "larder-web")],
        {"Name": "larder-order-worker", "app": "larder-worker", "env": "prod"},
        start - timedelta(days=20),
        "larder-worker-instance",
    )
    instance_status(kit, worker, azs[1])
    kit.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": web_sg,
            "GroupName": "larder-web",
            "Description": "larder web instances",
            "VpcId": vpc,
            "OwnerId": acct,
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [{"GroupId": alb_sg, "UserId": acct}],
                }
            ],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        },
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": bastion_sg,
            "GroupName": "ops-bastion",
            "Description": "ssh from office",
            "VpcId": vpc,
            "OwnerId": acct,
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [
                        {"CidrIp": "198.51.100.0/24", "Description": "office"},
                        {"CidrIp": "192.0.2.17/32", "Description": "j.braun home"},
                    ],
                }
            ],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        },
    )

    # --- timeline of the fault -----------------------------------------------------------------
    iids = [m[0] for m in members]
    itypes = {m[0]: m[1] for m in members}
    reboot: dict[str, datetime] = {}
    back: dict[str, datetime] = {}
    for iid in iids:
        r = onset + timedelta(seconds=150 + rng.randrange(0, 120))
        reboot[iid] = r
        back[iid] = r + timedelta(seconds=230 + rng.randrange(0, 150))
    first_down = min(reboot.values())
    last_back = max(back.values())

    ops = kit.sso("t.wagner@larder.example")
    cmd_id = kit.uid()
    event_id = kit.ct(
        onset,
        "ssm.amazonaws.com",
        "SendCommand",
        ops,
        {
            "documentName": "AWS-RunPatchBaseline",
            "targets": [{"key": "tag:app", "values": ["larder-web"]}],
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "comment": "openssl",
            "timeoutSeconds": 600,
            "maxConcurrency": "100%",
            "maxErrors": "0",
            "cloudWatchOutputConfig": {"cloudWatchOutputEnabled": False},
        },
        {
            "command": {
                "commandId": cmd_id,
                "documentName": "AWS-RunPatchBaseline",
                "documentVersion": "$DEFAULT",
                "comment": "openssl",
                "expiresAfter": console_time(onset + timedelta(hours=2)),
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "instanceIds": [],
                "targets": [{"key": "tag:app", "values": ["larder-web"]}],
                "requestedDateTime": console_time(onset),
                "status": "Pending",
                "statusDetails": "Pending",
                "outputS3Region": kit.region,
                "outputS3BucketName": "",
                "outputS3KeyPrefix": "",
                "maxConcurrency": "100%",
                "maxErrors": "0",
                "targetCount": 0,
                "completedCount": 0,
                "errorCount": 0,
                "deliveryTimedOutCount": 0,
                "serviceRole": "",
                "notificationConfig": {
                    "notificationArn": "",
                    "notificationEvents": [],
                    "notificationType": "",
                },
                "cloudWatchOutputConfig": {"cloudWatchLogGroupName": "", "cloudWatchOutputEnabled": False},
                "timeoutSeconds": 600,
                "alarmConfiguration": {"ignorePollAlarmFailure": False, "alarms": []},
                "triggeredAlarms": [],
            }
        },
        agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/122.0.0.0 Safari/537.36",
        extra={"sessionCredentialFromConsole": "true"},
    )
    # the console poll that followed
    for k in range(4):
        kit.ct(
            onset + timedelta(seconds=20 + 45 * k),
            "ssm.amazonaws.com",
            "ListCommandInvocations",
            ops,
            {"commandId": cmd_id, "details": False},
            None,
            read_only=True,
            agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/122.0.0.0 Safari/537.36",
        )

    # --- innocent changes ----------------------------------------------------------------------
    ci = kit.role("ci-deployer", "gitlab-ci-pipeline-" + str(rng.randrange(100000, 999999)))
    t_lt = onset - timedelta(minutes=rng.randrange(55, 95))
    kit.ct(
        t_lt,
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        ci,
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": str(lt_ver - 1),
                "VersionDescription": f"larder-web build {rng.randrange(4000, 5000)}",
                "LaunchTemplateData": {"ImageId": ami_new},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": kit.uid(),
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": "larder-web-lt",
                    "versionNumber": lt_ver,
                    "createTime": iso(t_lt),
                    "createdBy": f"arn:aws:sts::{acct}:assumed-role/ci-deployer/gitlab",
                    "defaultVersion": False,
                },
            }
        },
        agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15 lang#python#3.11.8 exec-env/gitlab-ci",
        src_ip="18.194.22.41",
    )
    kit.ct(
        t_lt + timedelta(seconds=3),
        "ec2.amazonaws.com",
        "ModifyLaunchTemplate",
        ci,
        {"ModifyLaunchTemplateRequest": {"LaunchTemplateId": lt_id, "SetDefaultVersion": str(lt_ver)}},
        {
            "ModifyLaunchTemplateResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": kit.uid(),
                "launchTemplate": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": "larder-web-lt",
                    "defaultVersionNumber": lt_ver,
                    "latestVersionNumber": lt_ver,
                },
            }
        },
        agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15 lang#python#3.11.8 exec-env/gitlab-ci",
        src_ip="18.194.22.41",
    )
    t_sg = onset - timedelta(minutes=rng.randrange(8, 25))
    kit.ct(
        t_sg,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        kit.sso("j.braun@larder.example", "PowerUserAccess"),
        {
            "groupId": bastion_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {"items": [{"cidrIp": "192.0.2.17/32", "description": "j.braun home"}]},
                    }
                ]
            },
        },
        {
            "requestId": kit.uid(),
            "_return": True,
            "securityGroupRuleSet": {"items": [{"groupId": bastion_sg}]},
        },
    )
    tf = kit.role("terraform-apply", "atlantis")
    kit.ct(
        onset - timedelta(minutes=rng.randrange(120, 170)),
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        tf,
        {
            "alarmName": "larder-worker-queue-age",
            "metricName": "ApproximateAgeOfOldestMessage",
            "namespace": "AWS/SQS",
            "statistic": "Maximum",
            "period": 60,
            "evaluationPeriods": 5,
            "threshold": 600.0,
            "comparisonOperator": "GreaterThanThreshold",
        },
        None,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0",
    )

    # --- background CloudTrail: agents and tooling ---------------------------------------------
    for iid in [*iids, worker]:
        role = "larder-worker-instance" if iid == worker else "larder-web-instance"
        ident = kit.role(role, iid)
        t = start + timedelta(minutes=rng.randrange(0, 5))
        while t < now:
            kit.ct(
                t,
                "ssm.amazonaws.com",
                "UpdateInstanceInformation",
                ident,
                {
                    "instanceId": iid,
                    "agentVersion": "3.3.131.0",
                    "agentStatus": "Active",
                    "platformType": "Linux",
                    "platformName": "Amazon Linux",
                    "platformVersion": "2023",
                    "iPAddress": kit.ip(),
                    "computerName": "ip-10-20-0-1.eu-central-1.compute.internal",
                    "agentName": "amazon-ssm-agent",
                    "availabilityZone": azs[0],
                    "availabilityZoneId": "euc1-az2",
                },
                None,
                agent="aws-sdk-go/1.44.260 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.131.0",
                src_ip=kit.ip(),
            )
            t += timedelta(minutes=30)
        if iid in back:
            kit.ct(
                back[iid] - timedelta(seconds=100),
                "ssm.amazonaws.com",
                "UpdateInstanceInformation",
                ident,
                {
                    "instanceId": iid,
                    "agentVersion": "3.3.131.0",
                    "agentStatus": "Active",
                    "platformType": "Linux",
                    "platformName": "Amazon Linux",
                    "platformVersion": "2023",
                    "agentName": "amazon-ssm-agent",
                },
                None,
                agent="aws-sdk-go/1.44.260 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.131.0",
                src_ip=kit.ip(),
            )
    dd = kit.role("DatadogIntegrationRole", "DatadogAWSIntegration")
    kit.noise_reads(
        [(dd, "Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.6; linux; amd64)", "3.120.12.10")],
        9,
        [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/EC2"}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ],
    )

    # --- target health timeline ----------------------------------------------------------------
    for iid in iids:
        target_health(kit, tg_arn, iid, 8080, launched[iid] + timedelta(minutes=3), "healthy")
        target_health(
            kit,
            tg_arn,
            iid,
            8080,
            reboot[iid] + timedelta(seconds=30),
            "unhealthy",
            "Target.FailedHealthChecks",
        )
        target_health(kit, tg_arn, iid, 8080, back[iid] + timedelta(seconds=30), "healthy")

    # --- metrics -------------------------------------------------------------------------------
    def traffic(t: datetime) -> float:
        h = t.hour + t.minute / 60 + 1  # local hour
        return 1400 + 900 * math.sin((h - 9) / 12 * math.pi) + rng.uniform(-80, 80)

    def healthy_at(t: datetime) -> int:
        return sum(
            1 for i in iids if not (reboot[i] + timedelta(seconds=30) <= t < back[i] + timedelta(seconds=30))
        )

    elb = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    t = start
    while t <= now:
        req = traffic(t)
        up = min(healthy_at(t), healthy_at(t + timedelta(seconds=59)))
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": elb,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(req),
            }
        )
        kit.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": tgd,
                "timestamp": iso(t),
                "unit": "Count",
                "value": round(req if up else req * 0.02),
            }
        )
        if up == 0:
            e5 = req * rng.uniform(0.93, 0.99)
        elif healthy_at(t) < n:
            e5 = req * (n - healthy_at(t)) / n * rng.uniform(0.05, 0.2)
        else:
            e5 = 1 if rng.random() < 0.06 else 0
        if e5 >= 1:
            kit.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_ELB_5XX_Count",
                    "dimensions": elb,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(e5),
                }
            )
            kit.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_ELB_502_Count",
                    "dimensions": elb,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": round(e5 * 0.97) if up == 0 else round(e5),
                }
            )
            if healthy_at(t) < n:
                kit.metrics.append(
                    {
                        "namespace": "AWS/ApplicationELB",
                        "metric": "TargetConnectionErrorCount",
                        "dimensions": tgd,
                        "timestamp": iso(t),
                        "unit": "Count",
                        "value": round(e5 * 1.8),
                    }
                )
        if healthy_at(t) > 0:
            t5 = rng.choice([0, 0, 0, 1, 1, 2, 3])
            if first_down - timedelta(seconds=60) <= t <= last_back + timedelta(minutes=3):
                t5 += rng.randrange(5, 40)
            if t5:
                kit.metrics.append(
                    {
                        "namespace": "AWS/ApplicationELB",
                        "metric": "HTTPCode_Target_5XX_Count",
                        "dimensions": tgd,
                        "timestamp": iso(t),
                        "unit": "Count",
                        "value": t5,
                    }
                )
            lat = [max(0.004, rng.lognormvariate(math.log(0.085), 0.55)) for _ in range(40)]
            if onset + timedelta(seconds=30) <= t <= last_back + timedelta(minutes=4):
                lat = [v * rng.uniform(1.6, 3.5) for v in lat]
            kit.dist("AWS/ApplicationELB", "TargetResponseTime", tgd, "Seconds", t, lat)
        for metric, val in (("HealthyHostCount", up), ("UnHealthyHostCount", n - max(up, healthy_at(t)))):
            kit.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": metric,
                    "dimensions": tgd,
                    "timestamp": iso(t),
                    "unit": "Count",
                    "value": float(val),
                }
            )
        for metric in ("GroupInServiceInstances", "GroupDesiredCapacity", "GroupTotalInstances"):
            kit.metrics.append(
                {
                    "namespace": "AWS/AutoScaling",
                    "metric": metric,
                    "dimensions": {"AutoScalingGroupName": "larder-web-asg"},
                    "timestamp": iso(t),
                    "unit": "None",
                    "value": float(n),
                }
            )
        t += timedelta(minutes=1)

    for iid in iids:
        base = rng.uniform(18, 30)

        def cpu(t: datetime, iid: str = iid, base: float = base) -> float | None:
            if reboot[iid] - timedelta(seconds=30) <= t < reboot[iid] + timedelta(seconds=90):
                return None
            if onset + timedelta(seconds=40) <= t < reboot[iid]:
                return rng.uniform(70, 98)  # package install
            if reboot[iid] <= t < back[iid]:
                return rng.uniform(85, 100)  # JVM start-up
            return base * traffic(t) / 1400 + rng.uniform(-3, 3)

        kit.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu)

        def mem(t: datetime, iid: str = iid) -> float | None:
            if reboot[iid] - timedelta(seconds=30) <= t < reboot[iid] + timedelta(seconds=90):
                return None
            if t >= reboot[iid]:
                return 38 + min(25.0, (t - reboot[iid]).total_seconds() / 60 * 4) + rng.uniform(-1, 1)
            return 71 + rng.uniform(-2, 2)

        kit.series(
            "CWAgent",
            "mem_used_percent",
            {
                "InstanceId": iid,
                "AutoScalingGroupName": "larder-web-asg",
                "ImageId": ami_old,
                "InstanceType": itypes[iid],
            },
            "Percent",
            mem,
            period=60,
        )
    kit.series(
        "AWS/EC2", "CPUUtilization", {"InstanceId": worker}, "Percent", lambda t: 35 + rng.uniform(-10, 25)
    )
    # SQS queue of the worker: flapping age alarm earlier in the day
    flap_t = start + timedelta(minutes=rng.randrange(40, 80))

    def age(t: datetime) -> float:
        if flap_t <= t < flap_t + timedelta(minutes=9):
            return 640 + rng.uniform(0, 200)
        return rng.uniform(5, 120)

    kit.series("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "larder-orders"}, "Seconds", age)

    # --- alarms --------------------------------------------------------------------------------
    a5 = kit.alarm(
        "larder-web-alb-5xx",
        "Storefront ALB returning 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        elb,
        "Sum",
        60,
        2,
        50,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
    )
    ah = kit.alarm(
        "larder-web-healthy-hosts-low",
        "Fewer than 2 healthy storefront targets",
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Minimum",
        60,
        2,
        2,
        "LessThanThreshold",
        topic,
        missing="breaching",
    )
    aq = kit.alarm(
        "larder-worker-queue-age",
        "Orders waiting too long for the worker",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "larder-orders"},
        "Maximum",
        60,
        5,
        600,
        "GreaterThanThreshold",
        topic,
        dta=3,
    )
    for al in (aq, a5, ah):
        kit.evaluate(al)

    # --- logs ----------------------------------------------------------------------------------
    for idx, iid in enumerate(iids):
        host = f"ip-10-20-{10 + idx}-{rng.randrange(10, 250)}"
        grp = "/ec2/larder-web/messages"
        ssm_pid = rng.randrange(1500, 3000)

        def syslog(t: datetime, msg: str, host: str = host, iid: str = iid, grp: str = grp) -> None:
            kit.log(grp, iid, t, f"{t:%b} {t.day:>2} {t:%H:%M:%S} {host} {msg}")

        t = start + timedelta(minutes=rng.randrange(0, 20))
        while t < onset:
            syslog(t, "systemd[1]: Starting sysstat-collect.service - system activity accounting tool...")
            syslog(t + timedelta(seconds=1), "systemd[1]: sysstat-collect.service: Deactivated successfully.")
            t += timedelta(minutes=10)
        r0 = onset + timedelta(seconds=rng.randrange(2, 9))
        syslog(
            r0,
            f"amazon-ssm-agent[{ssm_pid}]: {r0:%Y-%m-%d %H:%M:%S} INFO [ssm-agent-worker] [MessageService] [MGSInteractor] "
            f"Received message of type SendCommand for command {cmd_id}",
        )
        syslog(
            r0 + timedelta(seconds=1),
            f"amazon-ssm-agent[{ssm_pid}]: {r0:%Y-%m-%d %H:%M:%S} INFO [ssm-agent-worker] "
            f"[CommandWorker] [{cmd_id}] [PatchLinux] Running plugin aws:runShellScript",
        )
        syslog(
            r0 + timedelta(seconds=40),
            "dnf[" + str(rng.randrange(30000, 40000)) + "]: Upgraded: "
            "openssl-libs-1:3.0.8-1.amzn2023.0.18.x86_64",
        )
        syslog(
            r0 + timedelta(seconds=41),
            "dnf[" + str(rng.randrange(30000, 40000)) + "]: Upgraded: kernel-6.1.128-136.201.amzn2023.x86_64",
        )
        syslog(
            reboot[iid] - timedelta(seconds=4),
            f"amazon-ssm-agent[{ssm_pid}]: {reboot[iid]:%Y-%m-%d %H:%M:%S} INFO "
            f"[ssm-agent-worker] [CommandWorker] [{cmd_id}] Plugin requested a reboot. Rebooting the machine now.",
        )
        syslog(reboot[iid] - timedelta(seconds=3), "systemd-logind[1902]: The system will reboot now!")
        syslog(
            reboot[iid] - timedelta(seconds=3),
            "systemd[1]: Stopping larder-web.service - Larder storefront...",
        )
        syslog(
            reboot[iid] - timedelta(seconds=1), "systemd[1]: Reached target reboot.target - System Reboot."
        )
        b = reboot[iid] + timedelta(seconds=40)
        syslog(
            b,
            "kernel: Linux version 6.1.128-136.201.amzn2023.x86_64 (mockbuild@ip-10-0-51-142) "
            "(gcc (GCC) 11.4.1 20230605 (Red Hat 11.4.1-2), GNU ld version 2.39-6.amzn2023.0.10) #1 SMP",
        )
        syslog(b + timedelta(seconds=9), "systemd[1]: Started amazon-ssm-agent.service - amazon-ssm-agent.")
        syslog(b + timedelta(seconds=10), "systemd[1]: Started larder-web.service - Larder storefront.")
        syslog(
            b + timedelta(seconds=12),
            "systemd[1]: Started amazon-cloudwatch-agent.service - Amazon CloudWatch Agent.",
        )
        agrp = "/app/larder-web"
        astream = f"{iid}/application.log"
        t = start + timedelta(seconds=rng.randrange(0, 300))
        while t < now:
            if not (reboot[iid] - timedelta(seconds=5) <= t < back[iid]):
                if rng.random() < 0.15:
                    kit.log(
                        agrp,
                        astream,
                        t,
                        f"{t:%Y-%m-%d %H:%M:%S}.{rng.randrange(0, 999):03d}  WARN 1 --- "
                        "[nio-8080-exec-" + str(rng.randrange(1, 40)) + "] c.l.catalog.PriceClient"
                        "                   : price lookup slow (" + str(rng.randrange(800, 1600)) + " ms), "
                        "serving cached price",
                    )
                else:
                    kit.log(
                        agrp,
                        astream,
                        t,
                        f"{t:%Y-%m-%d %H:%M:%S}.{rng.randrange(0, 999):03d}  INFO 1 --- "
                        "[   scheduling-1] c.l.cart.CartExpiryJob                   : expired "
                        f"{rng.randrange(0, 30)} carts",
                    )
            t += timedelta(seconds=rng.randrange(200, 400))
        up_t = b + timedelta(seconds=14)
        kit.log(
            agrp,
            astream,
            up_t,
            f"{up_t:%Y-%m-%d %H:%M:%S}.101  INFO 1 --- [           main] "
            "c.l.LarderApplication                    : Starting LarderApplication v4.18.2 using Java 17.0.10",
        )
        done = back[iid] - timedelta(seconds=5)
        kit.log(
            agrp,
            astream,
            done,
            f"{done:%Y-%m-%d %H:%M:%S}.877  INFO 1 --- [           main] "
            f"c.l.LarderApplication                    : Started LarderApplication in "
            f"{(done - up_t).total_seconds() + 2.3:.3f} seconds (process running for "
            f"{(done - up_t).total_seconds() + 4.1:.3f})",
        )

    chain: list[str] = [cmd_id, *iids, "larder-web-tg", "larder-web-alb"]
    tz = "Europe/Berlin"
    local = onset.astimezone(ZoneInfo(tz))
    question = (
        f"The shop was completely down for something like 10 minutes, starting around {local:%H}:"
        f"{(local.minute // 5) * 5:02d}. It came back on its own before we could look. No release went out today. "
        "What happened, and can it happen again?"
    )
    truth: Rec = {
        "no_fault": False,
        "root_cause": {
            "resource": cmd_id,
            "category": "change",
            "failure_mode": "fleet-wide-patch-reboot",
            "event_id": event_id,
        },
        "also_accept": ["AWS-RunPatchBaseline", event_id],
        "actions": ["reconfigure"],
        "chain": chain,
    }
    return kit.bundle(TITLE, {"question": question, "timezone": tz}, truth)
