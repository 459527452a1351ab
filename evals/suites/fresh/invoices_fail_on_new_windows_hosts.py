"""Invoice downloads fail on some requests after the web fleet scaled out.

A network admin tightened the FSx file system's security group (SMB 445 now only from the management
subnets). Existing SMB sessions from the old web hosts are tracked connections and keep working; the two
hosts Auto Scaling launched an hour later cannot reach the share, so every request they take that reads a
document fails, while the NLB's TCP health checks call them healthy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle

from ._kit_zzzza import Estate, Kit, canary_resource, grid_after, iso, quiet_alarms

NAME = "invoices-fail-on-new-windows-hosts"
TITLE = "Invoice downloads failing for some customers since late morning; did the new build break it?"
SUMMARY = (
    "An FSx security-group tightening left new Auto Scaling web hosts unable to open SMB to the file share; "
    "old hosts kept their tracked sessions, so only requests landing on the new hosts failed."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.r
    day = datetime(2026, r.randint(2, 11), r.randint(2, 26), tzinfo=UTC)
    app = r.choice(["billing", "portal", "orders", "claims"])
    # onset around 11:00-12:30 local
    local_onset = r.randint(11 * 60, 12 * 60 + 30)
    onset = day + timedelta(minutes=local_onset) - timedelta(hours=_offset(k.tz, day))
    onset = onset.replace(second=0)
    e = Estate(k, onset, app)
    start = onset - timedelta(hours=3, minutes=r.randint(45, 70))
    now = onset + timedelta(minutes=r.randint(38, 52))
    end = now + timedelta(minutes=10)
    t_change = onset - timedelta(minutes=r.randint(55, 95), seconds=r.randint(0, 59))
    t_deploy = onset - timedelta(hours=2, minutes=r.randint(10, 50))
    t_scale = onset - timedelta(minutes=9)

    old = [
        e.new_instance(i, onset - timedelta(days=r.randint(3, 20), hours=r.randint(0, 20))) for i in range(3)
    ]
    new = [e.new_instance(i + 1, t_scale + timedelta(minutes=1, seconds=r.randint(5, 40))) for i in range(2)]
    mgmt_cidrs = [c for _, _, c in e.mgmt_subnets]
    e.emit_resources(fsx_ingress_cidrs=mgmt_cidrs)
    canary_resource(e)

    # ---- CloudTrail ------------------------------------------------------------------------------
    e.noise_trail(start, end)
    admin_user = r.choice(["jmorgan", "pnovak", "rtanaka", "sokafor"])
    admin = k.sso_user(admin_user, "NetworkAdministrator")
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    admin_ip = f"198.51.100.{r.randint(10, 200)}"
    for dt in (-6, -4, -3):
        k.ct(
            t_change + timedelta(minutes=dt, seconds=r.randint(0, 50)),
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            admin,
            {
                "securityGroupSet": {},
                "securityGroupIdSet": {},
                "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": e.vpc}]}}]},
            },
            None,
            read_only=True,
            ip=admin_ip,
            agent=console,
        )
    rule_ids = [f"sgr-0{k.hex(16)}" for _ in mgmt_cidrs]
    k.ct(
        t_change - timedelta(seconds=r.randint(40, 90)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        admin,
        {
            "groupId": e.sg_fsx,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 445,
                        "toPort": 445,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": c, "description": "SMB from mgmt"} for c in mgmt_cidrs]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": k.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": k.account,
                        "groupId": e.sg_fsx,
                        "securityGroupRuleId": rid,
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 445,
                        "toPort": 445,
                        "cidrIpv4": c,
                        "description": "SMB from mgmt",
                    }
                    for rid, c in zip(rule_ids, mgmt_cidrs, strict=True)
                ]
            },
        },
        read_only=False,
        ip=admin_ip,
        agent=console,
    )
    culprit = k.ct(
        t_change,
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        admin,
        {
            "groupId": e.sg_fsx,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 445,
                        "toPort": 445,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": e.vpc_cidr, "description": "SMB"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {"requestId": k.uid(), "_return": True},
        read_only=False,
        ip=admin_ip,
        agent=console,
    )
    # same session, innocent: the web group's RDP rule re-described
    k.ct(
        t_change + timedelta(minutes=2, seconds=r.randint(0, 50)),
        "ec2.amazonaws.com",
        "ModifySecurityGroupRules",
        admin,
        {
            "ModifySecurityGroupRulesRequest": {
                "GroupId": e.sg_web,
                "SecurityGroupRule": {
                    "SecurityGroupRuleId": f"sgr-0{k.hex(16)}",
                    "SecurityGroupRule": {
                        "IpProtocol": "tcp",
                        "FromPort": 3389,
                        "ToPort": 3389,
                        "CidrIpv4": mgmt_cidrs[0],
                        "Description": "RDP from mgmt",
                    },
                },
            }
        },
        {"ModifySecurityGroupRulesResponse": {"requestId": k.uid(), "return": True}},
        read_only=False,
        ip=admin_ip,
        agent=console,
    )
    # an application deploy earlier in the morning via SSM Run Command from CI
    ci = k.role_session(f"{app}-deploy-ci", f"GitHubActions-{r.randint(1000, 9999)}")
    build_no = r.randint(1400, 2100)
    k.ct(
        t_deploy,
        "ssm.amazonaws.com",
        "SendCommand",
        ci,
        {
            "documentName": "AWS-RunPowerShellScript",
            "targets": [{"key": "tag:aws:autoscaling:groupName", "values": [e.asg]}],
            "maxConcurrency": "1",
            "maxErrors": "0",
            "comment": f"{app}-web release 2026.{build_no}",
            "interactive": False,
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {
            "command": {
                "commandId": k.uid(),
                "documentName": "AWS-RunPowerShellScript",
                "comment": f"{app}-web release 2026.{build_no}",
                "status": "Pending",
                "targetCount": 0,
                "maxConcurrency": "1",
                "maxErrors": "0",
            }
        },
        read_only=False,
        ip="140.82.112.22",
        agent="aws-sdk-js/3.699.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ssm#3.699.0",
    )
    k.ct(
        t_deploy - timedelta(minutes=3),
        "ssm.amazonaws.com",
        "PutParameter",
        ci,
        {"name": f"/{app}/web/release", "type": "String", "overwrite": True, "tier": "Standard"},
        {"version": r.randint(80, 200), "tier": "Standard"},
        read_only=False,
        ip="140.82.112.22",
        agent="aws-sdk-js/3.699.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ssm#3.699.0",
    )
    # Auto Scaling launches the two new hosts and registers them
    asg_role = k.role_session(
        "AWSServiceRoleForAutoScaling", "AutoScaling", invoked_by="autoscaling.amazonaws.com"
    )
    asg_role["sessionContext"]["sessionIssuer"]["arn"] = (
        f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    )
    for inst in new:
        lt = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))
        k.ct(
            lt,
            "ec2.amazonaws.com",
            "RunInstances",
            asg_role,
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": e.lt_id, "version": "7"},
                "subnetId": inst["SubnetId"],
                "clientToken": k.uid(),
            },
            {
                "requestId": k.uid(),
                "reservationId": f"r-0{k.hex(16)}",
                "ownerId": k.account,
                "requesterId": "940372691376",
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": inst["InstanceId"],
                            "imageId": e.ami,
                            "instanceType": "m6i.xlarge",
                            "privateIpAddress": inst["PrivateIpAddress"],
                            "subnetId": inst["SubnetId"],
                            "vpcId": e.vpc,
                            "platform": "windows",
                            "instanceState": {"code": 0, "name": "pending"},
                        }
                    ]
                },
            },
            read_only=False,
        )
        k.ct(
            lt + timedelta(minutes=5, seconds=r.randint(0, 40)),
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            asg_role,
            {"targetGroupArn": e.tg_arn, "targets": [{"id": inst["InstanceId"]}]},
            None,
            read_only=False,
        )

    # ---- Auto Scaling activity and target health -------------------------------------------------
    tt_alarm = f"TargetTracking-{e.asg}-AlarmHigh-{k.uid()}"
    for inst in new:
        lt = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))
        k.event(
            "autoscaling",
            {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": e.asg,
                "Description": f"Launching a new EC2 instance: {inst['InstanceId']}",
                "Cause": (
                    f"At {iso(t_scale)} a monitor alarm {tt_alarm} in state ALARM triggered policy {app}-web-cpu-55 "
                    f"changing the desired capacity from 3 to 5.  At {iso(lt - timedelta(seconds=3))} an instance was "
                    "started in response to a difference between desired and actual capacity, increasing the capacity "
                    "from 3 to 5."
                ),
                "StartTime": iso(lt - timedelta(seconds=3)),
                "EndTime": iso(lt + timedelta(minutes=6, seconds=10)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json_details(inst["Placement"]["AvailabilityZone"], inst["SubnetId"]),
            },
        )
    for inst in old:
        k.event(
            "target_health",
            {
                "target_group_arn": e.tg_arn,
                "target": {"Id": inst["InstanceId"], "Port": 443},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
    for inst in new:
        lt = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))
        reg = lt + timedelta(minutes=5, seconds=30)
        k.event(
            "target_health",
            {
                "target_group_arn": e.tg_arn,
                "target": {"Id": inst["InstanceId"], "Port": 443},
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": iso(reg),
            },
        )
        k.event(
            "target_health",
            {
                "target_group_arn": e.tg_arn,
                "target": {"Id": inst["InstanceId"], "Port": 443},
                "health": {"State": "healthy"},
                "timestamp": iso(reg + timedelta(seconds=95)),
            },
        )
    serving = onset

    # ---- metrics ---------------------------------------------------------------------------------
    def cpu_mod(inst: dict[str, object], t: datetime, v: float) -> float:
        if t < t_scale + timedelta(minutes=4):
            return v * 1.35 if t > t_scale - timedelta(minutes=40) else v
        return v * 0.8

    e.base_metrics(start, end, cpu_mod)

    def asg_cpu(t: datetime) -> float:
        v = (6 + 38 * e.load(t) + r.uniform(-2, 2)) * (1.0 if t < t_scale else 0.62)
        if t_scale - timedelta(minutes=40) < t < t_scale + timedelta(minutes=4):
            v = max(v * 1.35, 56.0 + r.uniform(0.5, 6.0)) if t >= t_scale - timedelta(minutes=4) else v * 1.35
        return round(min(v, 99.0), 2)

    k.series("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": e.asg}, "Percent", start, end, 60, asg_cpu)
    e.nlb_metrics(
        start,
        end,
        healthy=lambda t: 5 if t >= serving else 3,
        unhealthy=lambda t: 0,
    )
    fail_frac = 2 / 5

    def success(t: datetime) -> float:
        if t < serving:
            return 100.0 if r.random() > 0.03 else 80.0
        return round(100 * (1 - fail_frac) + r.choice([-20, 0, 0, 20]), 1)

    e.canary_metrics(start, end, success, lambda t: 2900 + r.uniform(-300, 500) + 1400 * e.load(t))
    e.fsx_metrics(start, end)

    # ---- alarms ----------------------------------------------------------------------------------
    can = k.alarm(
        f"{app}-portal-canary-failing",
        f"Synthetic login + invoice download on the {app} portal is failing. Runbook: wiki/{app}/canary",
        "CloudWatchSynthetics",
        "SuccessPercent",
        {"CanaryName": e.canary},
        "Average",
        300,
        2,
        90.0,
        "LessThanThreshold",
        "ALARM",
        "",
        grid_after(start, serving, 300) + timedelta(minutes=10, seconds=r.randint(40, 80)),
        e.topic,
    )
    t_can = datetime.fromisoformat(can["StateUpdatedTimestamp"].replace("Z", "+00:00"))
    pts, st = k.points(
        "CloudWatchSynthetics", "SuccessPercent", {"CanaryName": e.canary}, t_can - timedelta(minutes=5), 2
    )
    reason = k.transition(can, t_can, "OK", "ALARM", pts, st)
    can["StateReason"] = reason["reason"]
    can["StateReasonData"] = reason["reasonData"]
    prev_ok = t_can - timedelta(days=r.randint(2, 9), hours=r.randint(1, 9))
    alarm_event = k.alarm_event(
        can,
        t_can,
        "ALARM",
        "OK",
        reason,
        "Threshold Crossed: 1 datapoint [100.0] was not less than the threshold (90.0).",
        prev_ok,
    )

    hi = k.alarm(
        tt_alarm,
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:{k.region}:{k.account}:scalingPolicy:{k.uid()}:autoScalingGroupName/{e.asg}:policyName/{app}-web-cpu-55.",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": e.asg},
        "Average",
        60,
        3,
        55.0,
        "GreaterThanThreshold",
        "OK",
        "",
        t_scale + timedelta(minutes=14),
        f"arn:aws:autoscaling:{k.region}:{k.account}:scalingPolicy:{k.uid()}:autoScalingGroupName/{e.asg}:policyName/{app}-web-cpu-55",
    )
    hi["OKActions"] = []
    ad = {"AutoScalingGroupName": e.asg}
    hv, hs = k.points("AWS/EC2", "CPUUtilization", ad, t_scale, 3)
    k.transition(hi, t_scale, "OK", "ALARM", hv, hs)
    ov, os_ = k.points("AWS/EC2", "CPUUtilization", ad, t_scale + timedelta(minutes=14), 1)
    ok = k.transition(hi, t_scale + timedelta(minutes=14), "ALARM", "OK", ov, os_)
    hi["StateReason"] = ok["reason"]
    hi["StateReasonData"] = ok["reasonData"]

    quiet_alarms(e, start)

    # ---- logs ------------------------------------------------------------------------------------
    share = f"\\\\{e.fsx_dns}\\share"
    t = start
    while t < end:
        for inst in old + new:
            lt = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))
            if t < lt + timedelta(minutes=6):
                continue
            ts = t + timedelta(seconds=r.randint(0, 170))
            local = ts.astimezone(ZoneInfo(k.tz))
            stamp = (
                local.strftime("%Y-%m-%d %H:%M:%S.")
                + f"{r.randint(0, 999):03d} "
                + local.strftime("%z")[:3]
                + ":"
                + local.strftime("%z")[3:]
            )
            inv = r.randint(100000, 999999)
            stream = f"{inst['InstanceId']}/app"
            if inst in new and ts >= serving - timedelta(minutes=2):
                k.log(
                    f"/{app}/web/app",
                    stream,
                    ts,
                    f"{stamp} [ERR] Invoice {inv} render failed for tenant {r.randint(100, 999)}\n"
                    f"System.IO.IOException: The network path was not found. : '{share}\\templates\\invoice-v3.docx'\n"
                    "   at Microsoft.Win32.SafeHandles.SafeFileHandle.CreateFile(String fullPath, FileMode mode, FileAccess access, FileShare share, FileOptions options)\n"
                    "   at System.IO.Strategies.FileStreamHelpers.ChooseStrategy(FileStream fileStream, String path, FileMode mode, FileAccess access, FileShare share, Int32 bufferSize, FileOptions options, Int64 preallocationSize)\n"
                    f"   at {app.capitalize()}.Documents.TemplateStore.OpenAsync(String name, CancellationToken ct)\n"
                    f"   at {app.capitalize()}.Documents.InvoiceRenderer.RenderAsync(Int64 invoiceId, CancellationToken ct)",
                )
            else:
                k.log(
                    f"/{app}/web/app",
                    stream,
                    ts,
                    f"{stamp} [INF] Invoice {inv} rendered in {r.randint(180, 900)} ms ({r.randint(40, 400)} KB)",
                )
            if r.random() < 0.08:
                k.log(
                    f"/{app}/web/app",
                    stream,
                    ts + timedelta(seconds=1),
                    f"{stamp} [WRN] SQL command timeout retry 1/3 on GetOpenOrders (Execution Timeout Expired)",
                )
        t += timedelta(minutes=3)
    for inst in new:
        lt = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))
        stream = f"{inst['InstanceId']}/EC2Launch"
        base = lt + timedelta(minutes=2, seconds=20)
        lines = [
            "Info: Windows is Ready to use",
            "Info: Domain join: joined to " + k.domain + " (OU=WebServers)",
            f"Info: Executing userdata: mapping {share} as S:",
            "Info: New-SmbMapping : The network path was not found.",
            "Info: Userdata: continuing; S: mapping will be retried by the app",
            "Info: Finished executing userdata",
        ]
        for i, line in enumerate(lines):
            k.log(
                f"/{app}/web/ec2launch",
                stream,
                base + timedelta(seconds=7 * i + (40 if i > 2 else 0)),
                f"{iso(base + timedelta(seconds=7 * i))} {line}",
            )

    # VPC flow logs (default format) seen on the FSx interfaces
    t = start
    while t < end:
        for ip_i, eni in enumerate(e.fsx_enis[:1]):
            dst = e.fsx_ips[ip_i]
            epoch = int(t.timestamp())
            for inst in old:
                k.log(
                    f"/vpc/{app}-prod/flowlogs",
                    f"{eni}-all",
                    t,
                    f"2 {k.account} {eni} {inst['PrivateIpAddress']} {dst} {r.randint(49152, 65535)} 445 6 {r.randint(40, 900)} {r.randint(20000, 900000)} {epoch} {epoch + 59} ACCEPT OK",
                )
            for inst in new:
                lt = datetime.fromisoformat(inst["LaunchTime"].replace("Z", "+00:00"))
                if t >= lt + timedelta(minutes=2):
                    k.log(
                        f"/vpc/{app}-prod/flowlogs",
                        f"{eni}-all",
                        t,
                        f"2 {k.account} {eni} {inst['PrivateIpAddress']} {dst} {r.randint(49152, 65535)} 445 6 {r.randint(2, 6)} {r.randint(104, 312)} {epoch} {epoch + 59} REJECT OK",
                    )
            k.log(
                f"/vpc/{app}-prod/flowlogs",
                f"{eni}-all",
                t,
                f"2 {k.account} {eni} {e.dc_ips[0]} {dst} 389 {r.randint(49152, 65535)} 6 {r.randint(4, 20)} {r.randint(900, 9000)} {epoch} {epoch + 59} ACCEPT OK",
            )
        t += timedelta(minutes=5)

    local_q = (serving + timedelta(minutes=r.randint(12, 22))).astimezone(ZoneInfo(k.tz))
    question = (
        f"Support says customers are getting 'something went wrong' when downloading invoices since about "
        f"{local_q:%H:%M}, but not every time, retrying usually works. We shipped release 2026.{build_no} this "
        "morning, is that it?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": e.sg_fsx,
            "category": "change",
            "failure_mode": "security-group-smb-ingress-revoked",
            "event_id": culprit["eventID"],
        },
        "also_accept": [f"{app}-fsx"],
        "actions": ["rollback"],
        "chain": [e.sg_fsx, e.fs_id, *[i["InstanceId"] for i in new], e.tg_name, e.canary],
    }
    return k.bundle(TITLE, start, end, now, question, alarm_event, truth)


def _offset(tz: str, day: datetime) -> float:
    off = day.astimezone(ZoneInfo(tz)).utcoffset()
    return off.total_seconds() / 3600 if off else 0.0


def json_details(az: str, subnet: str) -> str:
    return '{"Subnet ID":"' + subnet + '","Availability Zone":"' + az + '"}'
