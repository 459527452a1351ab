"""Suppliers cannot reach the EDI SFTP host: AWS stopped it at its scheduled retirement date overnight."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zze import Ctx, iso, iso_ms

NAME = "supplier-sftp-retired-host"
TITLE = "Suppliers can't connect to the EDI SFTP server since early morning; files not arriving in the ERP"
SUMMARY = (
    "The standalone EDI SFTP instance had a scheduled retirement (degraded hardware) that nobody acted on; "
    "EC2 stopped it overnight, so supplier uploads time out and the import Lambda finds no new files."
)

SUPPLIERS = [
    "millbrook_dairy",
    "oconnor_meats",
    "westfield_produce",
    "harbour_fish",
    "glenview_bakery",
    "kerrygold_dist",
    "lakeland_eggs",
    "brennan_bev",
    "ashgrove_frozen",
    "slaney_poultry",
]


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-west-1")
    r = c.rng
    day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 320))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    stop_t = day.replace(hour=r.randint(3, 5), minute=r.randint(0, 59), second=r.randint(0, 59))
    start = (stop_t - timedelta(hours=3, minutes=r.randint(35, 55))).replace(second=0)
    now = stop_t + timedelta(hours=r.randint(3, 4), minutes=r.randint(30, 55), seconds=r.randint(0, 59))
    end = now + timedelta(minutes=10)
    _notice = stop_t - timedelta(days=r.randint(12, 16), hours=r.randint(1, 8))

    iid = "i-0" + c.hex(16)
    host = "edi-sftp-01"
    itype = r.choice(["t3.medium", "m5.large", "t3.large"])
    az = r.choice(["eu-west-1a", "eu-west-1b", "eu-west-1c"])
    subnet, vpc, sg = "subnet-0" + c.hex(16), "vpc-0" + c.hex(16), "sg-0" + c.hex(16)
    vol_root, vol_data = "vol-0" + c.hex(16), "vol-0" + c.hex(16)
    eip = f"34.{r.randint(240, 253)}.{r.randint(1, 254)}.{r.randint(1, 254)}"
    priv = f"10.20.{r.randint(1, 30)}.{r.randint(5, 250)}"
    bucket = f"tallowbrook-edi-inbound-{c.hex(5)}"
    fn = "edi-inbound-import"
    topic = f"arn:aws:sns:{c.region}:{c.account}:it-ops-alerts"
    erp = "i-0" + c.hex(16)
    event_arn = f"arn:aws:health:{c.region}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{c.hex(8).upper()}{c.hex(24)}"
    launched = day - timedelta(days=r.randint(500, 1100))
    new_sup_ip = f"185.{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    old_sup_ip = f"89.{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    sup_ips = {
        s: f"{r.choice(['31.', '87.', '91.', '176.', '212.'])}{r.randint(1, 250)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
        for s in SUPPLIERS
    }

    # --- resources ------------------------------------------------------------------------------------
    c.res(
        "ec2",
        "Instance",
        {
            "InstanceId": iid,
            "ImageId": "ami-0" + c.hex(16),
            "InstanceType": itype,
            "KeyName": "ops-2023",
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
            "PrivateDnsName": f"ip-{priv.replace('.', '-')}.{c.region}.compute.internal",
            "PrivateIpAddress": priv,
            "PublicDnsName": "",
            "State": {"Code": 80, "Name": "stopped"},
            "StateTransitionReason": f"Service initiated ({stop_t:%Y-%m-%d %H:%M:%S} GMT)",
            "StateReason": {
                "Code": "Server.ScheduledStop",
                "Message": "Server.ScheduledStop: Stopped due to scheduled retirement",
            },
            "SubnetId": subnet,
            "VpcId": vpc,
            "Architecture": "x86_64",
            "RootDeviceType": "ebs",
            "RootDeviceName": "/dev/xvda",
            "BlockDeviceMappings": [
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                        "Status": "attached",
                        "VolumeId": vol_root,
                    },
                },
                {
                    "DeviceName": "/dev/sdf",
                    "Ebs": {
                        "AttachTime": iso(launched + timedelta(minutes=9)),
                        "DeleteOnTermination": False,
                        "Status": "attached",
                        "VolumeId": vol_data,
                    },
                },
            ],
            "SecurityGroups": [{"GroupName": "edi-sftp", "GroupId": sg}],
            "Monitoring": {"State": "disabled"},
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": "eni-0" + c.hex(16),
                    "PrivateIpAddress": priv,
                    "SubnetId": subnet,
                    "VpcId": vpc,
                    "Status": "in-use",
                    "Association": {"PublicIp": eip, "IpOwnerId": c.account, "PublicDnsName": ""},
                    "Groups": [{"GroupName": "edi-sftp", "GroupId": sg}],
                }
            ],
            "Tags": [
                {"Key": "Name", "Value": host},
                {"Key": "owner", "Value": "it-ops"},
                {"Key": "backup", "Value": "daily"},
            ],
        },
    )
    c.res(
        "ec2",
        "InstanceStatus",
        {
            "InstanceId": iid,
            "AvailabilityZone": az,
            "InstanceState": {"Code": 80, "Name": "stopped"},
            "Events": [
                {
                    "InstanceEventId": "instance-event-0" + c.hex(16),
                    "Code": "instance-stop",
                    "Description": "[Completed] The instance is running on degraded hardware",
                    "NotBefore": iso(stop_t - timedelta(minutes=stop_t.minute, seconds=stop_t.second)),
                }
            ],
            "InstanceStatus": {"Status": "not-applicable"},
            "SystemStatus": {"Status": "not-applicable"},
        },
    )
    erp_ip = f"10.20.{r.randint(31, 60)}.{r.randint(5, 250)}"
    c.res(
        "ec2",
        "Instance",
        {
            "InstanceId": erp,
            "ImageId": "ami-0" + c.hex(16),
            "InstanceType": "r5.xlarge",
            "LaunchTime": iso(day - timedelta(days=61)),
            "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
            "PrivateIpAddress": erp_ip,
            "PrivateDnsName": f"ip-{erp_ip.replace('.', '-')}.{c.region}.compute.internal",
            "State": {"Code": 16, "Name": "running"},
            "SubnetId": subnet,
            "VpcId": vpc,
            "Architecture": "x86_64",
            "Monitoring": {"State": "disabled"},
            "SecurityGroups": [{"GroupName": "erp-app", "GroupId": "sg-0" + c.hex(16)}],
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": "eni-0" + c.hex(16),
                    "PrivateIpAddress": erp_ip,
                    "SubnetId": subnet,
                    "VpcId": vpc,
                    "Status": "in-use",
                }
            ],
            "Tags": [{"Key": "Name", "Value": "erp-app-01"}, {"Key": "owner", "Value": "it-ops"}],
        },
    )
    c.res(
        "ec2",
        "InstanceStatus",
        {
            "InstanceId": erp,
            "AvailabilityZone": az,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        },
    )
    for vid, size, dev, dot in [(vol_root, 20, "/dev/xvda", True), (vol_data, 200, "/dev/sdf", False)]:
        c.res(
            "ec2",
            "Volume",
            {
                "VolumeId": vid,
                "Size": size,
                "VolumeType": "gp3",
                "Iops": 3000,
                "Throughput": 125,
                "Encrypted": True,
                "AvailabilityZone": az,
                "CreateTime": iso(launched),
                "State": "in-use",
                "MultiAttachEnabled": False,
                "Attachments": [
                    {
                        "AttachTime": iso(launched),
                        "Device": dev,
                        "InstanceId": iid,
                        "State": "attached",
                        "VolumeId": vid,
                        "DeleteOnTermination": dot,
                    }
                ],
                "Tags": [
                    {"Key": "Name", "Value": f"{host}-{'root' if dot else 'data'}"},
                    {"Key": "backup", "Value": "daily"},
                ],
            },
        )
    c.res(
        "ec2",
        "Address",
        {
            "AllocationId": "eipalloc-0" + c.hex(16),
            "AssociationId": "eipassoc-0" + c.hex(16),
            "Domain": "vpc",
            "InstanceId": iid,
            "PublicIp": eip,
            "PrivateIpAddress": priv,
            "NetworkInterfaceOwnerId": c.account,
            "PublicIpv4Pool": "amazon",
            "Tags": [{"Key": "Name", "Value": "sftp.tallowbrook.ie"}],
        },
    )
    perms = [
        {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "IpRanges": [{"CidrIp": f"{ip}/32", "Description": s} for s, ip in sup_ips.items()]
            + [{"CidrIp": f"{new_sup_ip}/32", "Description": "dunmore_chilled (new Nov)"}],
        }
    ]
    c.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg,
            "GroupName": "edi-sftp",
            "Description": "EDI SFTP - supplier allow list",
            "VpcId": vpc,
            "OwnerId": c.account,
            "IpPermissions": perms,
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        },
    )
    c.res("s3", "Bucket", {"Name": bucket, "CreationDate": iso(launched), "BucketRegion": c.region})
    c.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": f"arn:aws:lambda:{c.region}:{c.account}:function:{fn}",
            "Runtime": "python3.12",
            "Handler": "app.handler",
            "MemorySize": 512,
            "Timeout": 300,
            "CodeSize": 88213,
            "State": "Active",
            "LastModified": iso_ms(stop_t - timedelta(hours=r.randint(14, 20))).replace("Z", "+0000"),
            "Role": f"arn:aws:iam::{c.account}:role/edi-inbound-import",
            "Environment": {
                "Variables": {"INBOUND_BUCKET": bucket, "ERP_API": "http://erp-app-01.internal:8080"}
            },
        },
    )
    c.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": "/tallowbrook/edi-sftp/secure",
            "retentionInDays": 90,
            "creationTime": int(launched.timestamp() * 1000),
            "storedBytes": 912334411,
        },
    )
    c.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": "/tallowbrook/edi-sftp/messages",
            "retentionInDays": 30,
            "creationTime": int(launched.timestamp() * 1000),
            "storedBytes": 402113977,
        },
    )
    c.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/lambda/{fn}",
            "retentionInDays": 30,
            "creationTime": int(launched.timestamp() * 1000),
            "storedBytes": 51234411,
        },
    )

    # --- health ---------------------------------------------------------------------------------------
    c.event(
        "health",
        {
            "event": {
                "arn": event_arn,
                "service": "EC2",
                "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                "eventTypeCategory": "scheduledChange",
                "region": c.region,
                "availabilityZone": az,
                "startTime": iso(stop_t.replace(minute=0, second=0)),
                "endTime": iso(stop_t + timedelta(minutes=4)),
                "lastUpdatedTime": iso(stop_t + timedelta(minutes=4)),
                "statusCode": "closed",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": (
                f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance associated with this "
                f"event in the {c.region} region. Due to this degradation your instance could already be unreachable. We will stop "
                f"your instance after {stop_t.replace(minute=0, second=0):%Y-%m-%d %H:%M:%S} UTC.\n\nPlease take appropriate action "
                "before this time. You can restart the instance at any time after the stop, which will migrate it to healthy "
                "hardware. For EBS-backed instances you can also stop and start the instance yourself before the scheduled time.\n\n"
                "If you have questions or concerns, you can contact the AWS Support Team on the community forums and via AWS "
                "Premium Support at: https://aws.amazon.com/support"
            ),
            "affected_entities": [
                {
                    "entityArn": f"arn:aws:health:{c.region}:{c.account}:entity/g1{c.hex(30)}",
                    "eventArn": event_arn,
                    "entityValue": iid,
                    "awsAccountId": c.account,
                    "lastUpdatedTime": iso(stop_t + timedelta(minutes=4)),
                    "statusCode": "IMPAIRED",
                }
            ],
        },
    )

    # --- metrics --------------------------------------------------------------------------------------
    def rate(t: datetime) -> int:
        h = (t.hour + 1) % 24
        base = 2 if h < 5 else (6 if h < 8 else 11)
        return base + r.randint(0, 4)

    up = lambda t: t < stop_t - timedelta(minutes=1)  # noqa: E731
    dims = {"InstanceId": iid}
    c.series(
        "AWS/EC2",
        "CPUUtilization",
        dims,
        start,
        end,
        5,
        lambda t: r.uniform(2, 9) if up(t) else None,
        "Percent",
    )
    c.series(
        "AWS/EC2",
        "NetworkIn",
        dims,
        start,
        end,
        5,
        lambda t: rate(t) * r.uniform(3e5, 9e5) if up(t) else None,
        "Bytes",
    )
    c.series(
        "AWS/EC2",
        "NetworkOut",
        dims,
        start,
        end,
        5,
        lambda t: rate(t) * r.uniform(2e5, 6e5) + 4e5 if up(t) else None,
        "Bytes",
    )
    for m in ("StatusCheckFailed", "StatusCheckFailed_System", "StatusCheckFailed_Instance"):
        c.series("AWS/EC2", m, dims, start, end, 5, lambda t: 0.0 if up(t) else None, "Count")
    c.series(
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": erp},
        start,
        end,
        5,
        lambda t: r.uniform(14, 30) if t.hour >= 7 else r.uniform(5, 12),
        "Percent",
    )
    c.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": erp}, start, end, 5, lambda t: 0.0, "Count")
    for vid in (vol_root, vol_data):
        c.series(
            "AWS/EBS",
            "VolumeWriteBytes",
            {"VolumeId": vid},
            start,
            end,
            5,
            lambda t, v=vid: (
                (rate(t) * r.uniform(4e5, 9e5) if v == vol_data else r.uniform(1e6, 3e6)) if up(t) else None
            ),
            "Bytes",
        )
        c.series(
            "AWS/EBS",
            "VolumeIdleTime",
            {"VolumeId": vid},
            start,
            end,
            5,
            lambda t: r.uniform(292, 299) if up(t) else None,
            "Seconds",
        )
    synced = {}

    def files(t):
        if not up(t):
            return None
        synced[t] = rate(t)
        return float(synced[t])

    c.series("Tallowbrook/EDI", "FilesSynced", {"Host": host}, start, end, 5, files, "Count")
    imported = {}

    def imp(t):
        n = (
            sum(
                synced.get(
                    t - timedelta(minutes=5 * k), rate(t) if t - timedelta(minutes=5 * k) < start else 0
                )
                for k in range(1, 4)
            )
            if t.minute % 15 == 0
            else None
        )
        if n is not None:
            imported[t] = n
        return n

    c.series("Tallowbrook/EDI", "FilesImported", {"FunctionName": fn}, start, end, 15, imp, "Count")
    c.series("AWS/Lambda", "Invocations", {"FunctionName": fn}, start, end, 15, lambda t: 1.0, "Count")
    c.series("AWS/Lambda", "Errors", {"FunctionName": fn}, start, end, 15, lambda t: 0.0, "Count")
    c.series(
        "AWS/Lambda",
        "Duration",
        {"FunctionName": fn},
        start,
        end,
        15,
        lambda t: imported.get(t, 0) * r.uniform(250, 400) + r.uniform(300, 600),
        "Milliseconds",
    )

    # --- logs -----------------------------------------------------------------------------------------
    grp = "/tallowbrook/edi-sftp/secure"
    stream = f"{host}/{iid}"
    t = start + timedelta(seconds=r.randint(5, 90))
    while t < stop_t - timedelta(minutes=2):
        s = r.choice(SUPPLIERS)
        pid = r.randint(10000, 65000)
        hn = f"ip-{priv.replace('.', '-')}"
        stamp = t.strftime("%b %e %H:%M:%S")
        c.log(
            grp,
            stream,
            t,
            f"{stamp} {hn} sshd[{pid}]: Accepted publickey for {s} from {sup_ips[s]} port {r.randint(32768, 60999)} ssh2: RSA SHA256:{c.hex(20)}",
        )
        c.log(
            grp,
            stream,
            t,
            f"{stamp} {hn} sshd[{pid}]: pam_unix(sshd:session): session opened for user {s}(uid={r.randint(1001, 1020)}) by (uid=0)",
        )
        t2 = t + timedelta(seconds=r.randint(1, 4))
        fname = f"{r.choice(['ASN', 'INV', 'PRICAT'])}_{t:%Y%m%d%H%M}_{r.randint(1000, 9999)}.edi"
        c.log(
            grp,
            stream,
            t2,
            f'{t2.strftime("%b %e %H:%M:%S")} {hn} internal-sftp[{pid + 1}]: close "/inbound/{fname}" bytes read 0 written {r.randint(2000, 90000)}',
        )
        t3 = t2 + timedelta(seconds=1)
        c.log(
            grp,
            stream,
            t3,
            f"{t3.strftime('%b %e %H:%M:%S')} {hn} sshd[{pid}]: Received disconnect from {sup_ips[s]} port {r.randint(32768, 60999)}:11: disconnected by user",
        )
        t += timedelta(seconds=int(300 / max(rate(t), 1) * r.uniform(0.6, 1.4)))
    hn = f"ip-{priv.replace('.', '-')}"
    for k, msg in enumerate(
        [
            "systemd-logind[812]: Power key pressed short.",
            "systemd-logind[812]: Powering off...",
            "systemd-logind[812]: System is powering down.",
            "systemd[1]: Stopping sshd.service - OpenSSH server daemon...",
            "sshd[1147]: Received signal 15; terminating.",
            "systemd[1]: Stopping amazon-cloudwatch-agent.service...",
        ]
    ):
        tt = stop_t - timedelta(seconds=55) + timedelta(milliseconds=300 * k)
        c.log("/tallowbrook/edi-sftp/messages", stream, tt, f"{tt.strftime('%b %e %H:%M:%S')} {hn} {msg}")
    lg = f"/aws/lambda/{fn}"
    t = start
    while t < now:
        if t.minute % 15 == 0:
            rid = c.uuid()
            ls = f"{t:%Y/%m/%d}/[$LATEST]{c.hex(32)}"
            run = t + timedelta(seconds=r.randint(1, 3))
            n = imported.get(t.replace(second=0, microsecond=0), 0)
            c.log(lg, ls, run, f"START RequestId: {rid} Version: $LATEST")
            c.log(
                lg,
                ls,
                run,
                f"[INFO]\t{iso_ms(run)}\t{rid}\tscanning s3://{bucket}/inbound/ since last watermark",
            )
            c.log(
                lg, ls, run, f"[INFO]\t{iso_ms(run)}\t{rid}\t{n} new objects, {n} posted to ERP, 0 rejected"
            )
            c.log(
                lg,
                ls,
                run,
                json.dumps(
                    {
                        "_aws": {
                            "Timestamp": int(run.timestamp() * 1000),
                            "CloudWatchMetrics": [
                                {
                                    "Namespace": "Tallowbrook/EDI",
                                    "Dimensions": [["FunctionName"]],
                                    "Metrics": [{"Name": "FilesImported", "Unit": "Count"}],
                                }
                            ],
                        },
                        "FunctionName": fn,
                        "FilesImported": n,
                    },
                    separators=(",", ":"),
                ),
            )
            d = n * r.uniform(250, 400) + r.uniform(300, 600)
            c.log(lg, ls, run, f"END RequestId: {rid}")
            c.log(
                lg,
                ls,
                run,
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\t"
                f"Memory Size: 512 MB\tMax Memory Used: {r.randint(88, 120)} MB",
            )
        t += timedelta(minutes=1)

    # --- alarms ---------------------------------------------------------------------------------------
    sc = c.alarm(
        f"{host}-status-check-failed",
        "SFTP host status checks",
        "AWS/EC2",
        "StatusCheckFailed",
        dims,
        "Maximum",
        300,
        2,
        1,
        "GreaterThanOrEqualToThreshold",
        "INSUFFICIENT_DATA",
        stop_t,
        "",
        actions=[topic],
    )
    ti = stop_t + timedelta(minutes=r.randint(9, 14), seconds=r.randint(0, 59))
    sc["StateReason"] = "Insufficient Data: 2 datapoints were unknown."
    sc["StateUpdatedTimestamp"] = sc["StateTransitionedTimestamp"] = iso_ms(ti)
    c.transition(
        sc,
        ti,
        "OK",
        "INSUFFICIENT_DATA",
        sc["StateReason"],
        "Threshold Crossed: 2 out of the last 2 datapoints [0.0, 0.0] were not greater than or equal to the threshold (1.0) (minimum 2 datapoints for ALARM -> OK transition).",
    )
    nf = c.alarm(
        "edi-inbound-no-files",
        "No supplier EDI files imported for an hour",
        "Tallowbrook/EDI",
        "FilesImported",
        {"FunctionName": fn},
        "Sum",
        900,
        4,
        1,
        "LessThanThreshold",
        "ALARM",
        stop_t,
        "",
        missing="breaching",
        actions=[topic],
    )
    zero = [k for k in sorted(imported) if imported[k] == 0 and k > stop_t]
    tn = (
        zero[3] + timedelta(minutes=15, seconds=r.randint(20, 50))
        if len(zero) > 3
        else now - timedelta(minutes=5)
    )
    pts = [(k, 0.0) for k in zero[:4]]
    rd = c.reason_data(nf, tn, pts)
    nf["StateReason"] = (
        "Threshold Crossed: 4 out of the last 4 datapoints ["
        + ", ".join(f"0.0 ({p:%d/%m/%y %H:%M:%S})" for p, _ in reversed(pts))
        + "] were less than the threshold (1.0) (minimum 4 datapoints for OK -> ALARM transition)."
    )
    nf["StateReasonData"] = json.dumps(rd, separators=(",", ":"))
    nf["StateUpdatedTimestamp"] = nf["StateTransitionedTimestamp"] = iso_ms(tn)
    c.transition(
        nf,
        tn,
        "OK",
        "ALARM",
        nf["StateReason"],
        "Threshold Crossed: 4 out of the last 4 datapoints were not less than the threshold (1.0) (minimum 4 datapoints for ALARM -> OK transition).",
        rd,
    )
    c.alarm(
        "erp-app-01-cpu-high",
        "ERP app server CPU",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": erp},
        "Average",
        300,
        3,
        85,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=4),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (85.0).",
        actions=[topic],
    )
    c.alarm(
        f"{fn}-errors",
        "EDI import Lambda errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        "Sum",
        900,
        1,
        1,
        "GreaterThanOrEqualToThreshold",
        "OK",
        start - timedelta(days=9),
        "Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (1.0).",
        actions=[topic],
    )

    # --- CloudTrail -----------------------------------------------------------------------------------
    ops = c.sso("declan.moore", "AWSReservedSSO_ITOps_5d1e2f0a9b8c7d6e")
    asker = c.sso(r.choice(["ciara.walsh", "aoife.byrne"]), "AWSReservedSSO_ITOps_5d1e2f0a9b8c7d6e")
    sg_t = stop_t - timedelta(hours=r.randint(7, 10), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
    c.ct(
        sg_t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ops,
        {
            "groupId": sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {
                            "items": [
                                {"cidrIp": f"{new_sup_ip}/32", "description": "dunmore_chilled (new Nov)"}
                            ]
                        },
                    }
                ]
            },
        },
        {"requestId": c.uuid(), "_return": True},
        agent="console.ec2.amazonaws.com",
    )
    c.ct(
        sg_t + timedelta(seconds=r.randint(40, 120)),
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        ops,
        {
            "groupId": sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {"items": [{"cidrIp": f"{old_sup_ip}/32"}]},
                    }
                ]
            },
        },
        {"requestId": c.uuid(), "_return": True},
        agent="console.ec2.amazonaws.com",
    )
    dlm = c.role("AWSDataLifecycleManagerDefaultRole", "AmazonDLM-" + c.hex(8))
    snap_t = stop_t.replace(hour=2, minute=r.randint(0, 50), second=r.randint(0, 59))
    if snap_t < start:
        snap_t = start + timedelta(minutes=r.randint(5, 40))
    for vid in (vol_root, vol_data):
        snap_t += timedelta(seconds=r.randint(1, 8))
        c.ct(
            snap_t,
            "ec2.amazonaws.com",
            "CreateSnapshot",
            {**dlm, "invokedBy": "dlm.amazonaws.com"},
            {"volumeId": vid, "description": "Created for policy: policy-0" + c.hex(16) + " schedule: daily"},
            {
                "requestId": c.uuid(),
                "snapshotId": "snap-0" + c.hex(16),
                "volumeId": vid,
                "status": "pending",
                "startTime": int(snap_t.timestamp() * 1000),
                "progress": "",
                "ownerId": c.account,
                "volumeSize": 200 if vid == vol_data else 20,
                "encrypted": True,
            },
        )
    calls = [
        ("ec2.amazonaws.com", "DescribeInstances", None),
        ("ec2.amazonaws.com", "DescribeInstanceStatus", {"includeAllInstances": False}),
        ("ec2.amazonaws.com", "DescribeVolumes", None),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", None),
        ("config.amazonaws.com", "DescribeConfigRuleEvaluationStatus", None),
        ("s3.amazonaws.com", "GetBucketAcl", {"bucketName": bucket, "acl": ""}),
        ("ec2.amazonaws.com", "DescribeAddresses", None),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
    ]
    c.tooling_reads(
        start,
        now,
        calls,
        r.randint(28, 36),
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        "config.amazonaws.com",
    )
    lam = c.role(f"{fn}", fn)
    t = start + timedelta(minutes=r.randint(1, 50))
    while t < now:
        c.ct(
            t,
            "kms.amazonaws.com",
            "Decrypt",
            lam,
            {
                "encryptionContext": {
                    "aws:lambda:FunctionArn": f"arn:aws:lambda:{c.region}:{c.account}:function:{fn}"
                },
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            None,
            read_only=True,
            agent="lambda.amazonaws.com",
            ip="lambda.amazonaws.com",
        )
        t += timedelta(hours=1, minutes=r.randint(0, 20))
    c.ct(
        now - timedelta(minutes=r.randint(6, 15)),
        "ec2.amazonaws.com",
        "DescribeSecurityGroups",
        asker,
        {"securityGroupIdSet": {"items": [{"groupId": sg}]}},
        None,
        read_only=True,
        agent="console.ec2.amazonaws.com",
    )

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": iid,
            "category": "system_change",
            "failure_mode": "ec2-scheduled-retirement-stop",
        },
        "also_accept": [host, event_arn, "sftp.tallowbrook.ie"],
        "actions": ["restart"],
        "chain": [iid, bucket, fn],
    }
    local = now.astimezone(ZoneInfo("Europe/Dublin"))
    q = (
        "A few suppliers have been on the phone this morning saying they can't connect to our SFTP (sftp.tallowbrook.ie) - "
        "it just times out. Overnight files seem to be missing in the ERP too. Declan added a new supplier to the firewall "
        f"yesterday, could that have broken it? It's {local:%H:%M} now and the deliveries desk needs the ASNs."
    )
    return c.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=q,
        timezone="Europe/Dublin",
        alarm_event=None,
        truth=truth,
    )
