"""Portal and wiki 500s after the private-zone alias for the tools database was repointed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzi import (
    REGION,
    Ctx,
    Estate,
    Shape,
    healthy_targets,
    iso,
    patch_scan,
    telemetry,
    tooling_trail,
)

NAME = "tools-mysql-alias-repointed"
TITLE = "Wiki and service portal failing with 500s mid-morning; is the tools database down?"
SUMMARY = (
    "An engineer's UPSERT meant for the staging private zone repointed mysql.tools.internal in the prod "
    "zone to the staging RDS endpoint, which the portal hosts cannot reach; portal requests time out into 500s."
)

TZ = "America/New_York"


class _Shape(Shape):
    def __init__(self, c: Ctx, e: Estate, tz: int, onset: datetime) -> None:
        super().__init__(c, e, tz)
        self.onset = onset

    def _broken(self, t: datetime) -> float:
        if t < self.onset + timedelta(minutes=1):
            return 0.0
        return min(1.0, (t - self.onset).total_seconds() / 300)

    def portal_latency_factor(self, t: datetime) -> float:
        return 1 + 60 * self._broken(t)

    def portal_target_5xx(self, t: datetime) -> float:
        return 0.0015 + 0.68 * self._broken(t)

    def db_connections(self, t: datetime) -> float:
        return (38 + 30 * self.load(t)) * (1 - 0.85 * self._broken(t))

    def db_cpu(self, t: datetime) -> float:
        return (9 + 22 * self.load(t)) * (1 - 0.6 * self._broken(t))

    def db_read_iops(self, t: datetime) -> float:
        return (40 + 600 * self.load(t)) * (1 - 0.8 * self._broken(t))


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME)
    r = c.rng
    e = Estate(c)
    off = ZoneInfo(TZ).utcoffset(c.day)
    tzh = int(off.total_seconds() // 3600) if off else 0
    local_onset = c.day.replace(hour=r.randint(9, 11), minute=r.randint(0, 55), second=r.randint(0, 59))
    onset = local_onset - timedelta(hours=tzh)
    c.start = (onset - timedelta(hours=3, minutes=r.randint(25, 50))).replace(second=0)
    c.now = (onset + timedelta(minutes=r.randint(38, 52))).replace(second=0)
    s = _Shape(c, e, tzh, onset)

    stg_suffix = c.hexid(12)
    stg_endpoint = f"tools-mysql-stg.{stg_suffix}.{REGION}.rds.amazonaws.com"
    stg_zone = "Z0" + c.upper(19)
    sg_stg = "sg-0" + c.hexid(16)
    e.add_resources()
    e.standard_records(db_target=stg_endpoint)
    c.res(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{stg_zone}",
            "Name": "tools-stg.internal.",
            "CallerReference": c.uid(),
            "Config": {"Comment": "staging tools private zone", "PrivateZone": True},
            "ResourceRecordSetCount": 6,
        },
    )
    c.res(
        "route53",
        "ZoneRecordSet",
        {
            "HostedZoneId": stg_zone,
            "Name": "mysql.tools-stg.internal.",
            "Type": "CNAME",
            "TTL": 60,
            "ResourceRecords": [{"Value": f"tools-mysql-stg-old.{stg_suffix}.{REGION}.rds.amazonaws.com"}],
        },
    )
    c.res(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": sg_stg,
            "GroupName": "tools-mysql-stg",
            "Description": "staging database",
            "VpcId": e.vpc,
            "OwnerId": c.account,
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 3306,
                    "ToPort": 3306,
                    "IpRanges": [{"CidrIp": "10.41.0.0/16", "Description": "staging vpc via tgw"}],
                }
            ],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            "Tags": [{"Key": "Name", "Value": "tools-mysql-stg"}],
        },
    )
    c.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": "tools-mysql-stg",
            "DBInstanceClass": "db.t4g.medium",
            "Engine": "mysql",
            "EngineVersion": "8.0.39",
            "DBInstanceStatus": "available",
            "MasterUsername": "admin",
            "DBName": "tools",
            "Endpoint": {"Address": stg_endpoint, "Port": 3306, "HostedZoneId": "Z2R2ITUGPM61AM"},
            "AllocatedStorage": 50,
            "InstanceCreateTime": iso(c.day - timedelta(days=3, hours=r.randint(1, 20))),
            "PreferredBackupWindow": "07:10-07:40",
            "BackupRetentionPeriod": 1,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_stg, "Status": "active"}],
            "AvailabilityZone": e.azs[1],
            "MultiAZ": False,
            "StorageType": "gp3",
            "DBInstanceArn": f"arn:aws:rds:{REGION}:{c.account}:db:tools-mysql-stg",
            "PubliclyAccessible": False,
        },
    )

    telemetry(c, s)
    healthy_targets(c, e)
    stg = {"DBInstanceIdentifier": "tools-mysql-stg"}
    c.series("AWS/RDS", "DatabaseConnections", stg, "Count", lambda t: float(r.choice([0, 1, 2])))
    c.series("AWS/RDS", "CPUUtilization", stg, "Percent", lambda t: r.uniform(2, 5))

    # CloudTrail: tooling, SSM, an innocent deploy, an SG tweak, and the record change
    tooling_trail(c, e, r.randint(45, 70))
    patch_scan(c, e, c.start + timedelta(minutes=r.randint(5, 30)))
    eng = r.choice(["dana.kowalski", "sam.okafor", "lee.tran", "priya.raman"])
    sso = c.role_identity("AWSReservedSSO_PlatformAdmin_" + c.hexid(16), f"{eng}@corp.example")
    ci = c.role_identity("github-actions-deploy", "gha-" + c.hexid(8))
    deploy_t = onset - timedelta(minutes=r.randint(30, 55))
    version = f"3.{r.randint(8, 14)}.{r.randint(0, 9)}"
    c.ct(
        deploy_t,
        "ssm.amazonaws.com",
        "SendCommand",
        ci,
        {
            "documentName": "AWS-RunShellScript",
            "instanceIds": e.portal,
            "comment": f"deploy tools-portal {version}",
            "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
            "timeoutSeconds": 600,
        },
        {"command": {"commandId": c.uid(), "documentName": "AWS-RunShellScript", "status": "Pending"}},
        agent="aws-sdk-js/3.600.0 ua/2.0 os/linux lang/js md/nodejs#20.15.0 api/ssm#3.600.0",
        ip="4.227.130.17",
    )
    sg_t = onset - timedelta(hours=2, minutes=r.randint(0, 40))
    c.ct(
        sg_t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        sso,
        {
            "groupId": e.sg_ci,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {"items": [{"cidrIp": "10.8.0.0/16", "description": "vpn"}]},
                    }
                ]
            },
        },
        {
            "requestId": c.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupId": e.sg_ci,
                        "securityGroupRuleId": "sgr-0" + c.hexid(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "10.8.0.0/16",
                        "description": "vpn",
                    }
                ]
            },
        },
        ip="10.8.3.41",
    )
    # staging work: the new staging DB, then the record updates
    r53 = "route53.amazonaws.com"
    prep = onset - timedelta(minutes=r.randint(12, 25))
    c.ct(
        prep,
        r53,
        "ListHostedZonesByName",
        sso,
        {"dNSName": "tools"},
        None,
        read_only=True,
        region="us-east-1",
    )
    c.ct(
        prep + timedelta(seconds=40),
        r53,
        "ListResourceRecordSets",
        sso,
        {"hostedZoneId": e.zone_id},
        None,
        read_only=True,
    )
    when = onset - timedelta(seconds=r.randint(20, 50))
    change_id = "C0" + c.upper(19)
    culprit = c.ct(
        when,
        r53,
        "ChangeResourceRecordSets",
        sso,
        {
            "hostedZoneId": e.zone_id,
            "changeBatch": {
                "comment": "point mysql alias at new tools-mysql-stg",
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "mysql.tools.internal",
                            "type": "CNAME",
                            "tTL": 60,
                            "resourceRecords": [{"value": stg_endpoint}],
                        },
                    }
                ],
            },
        },
        {
            "changeInfo": {
                "id": f"/change/{change_id}",
                "status": "PENDING",
                "submittedAt": when.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                "comment": "point mysql alias at new tools-mysql-stg",
            }
        },
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ip="10.8.3.41",
    )
    c.ct(
        when + timedelta(seconds=5),
        r53,
        "GetChange",
        sso,
        {"id": change_id},
        None,
        read_only=True,
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    grafana_rec = onset - timedelta(hours=1, minutes=r.randint(5, 50))
    c.ct(
        grafana_rec,
        r53,
        "ChangeResourceRecordSets",
        sso,
        {
            "hostedZoneId": e.zone_id,
            "changeBatch": {
                "changes": [
                    {
                        "action": "UPSERT",
                        "resourceRecordSet": {
                            "name": "grafana.tools.internal",
                            "type": "A",
                            "tTL": 300,
                            "resourceRecords": [{"value": f"10.40.{r.randint(0, 31)}.{r.randint(5, 250)}"}],
                        },
                    }
                ]
            },
        },
        {
            "changeInfo": {
                "id": "/change/C0" + c.upper(19),
                "status": "PENDING",
                "submittedAt": grafana_rec.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
        agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ip="10.8.3.41",
    )

    # Logs: portal app (gunicorn + SQLAlchemy), deploy restart, then connect timeouts
    for i in e.portal:
        stream = f"{i}/portal.log"
        t = c.start + timedelta(seconds=r.randint(0, 120))
        while t < c.now:
            if t < onset + timedelta(minutes=1):
                msg = r.choice(
                    [
                        f"INFO [portal.views] GET /portal/requests 200 {r.randint(40, 160)}ms",
                        f"INFO [portal.search] indexed query ok hits={r.randint(0, 80)} {r.randint(20, 90)}ms",
                        f"INFO [wiki.render] page rendered id={r.randint(1000, 90000)} {r.randint(30, 200)}ms",
                        "WARNING [portal.auth] SAML assertion clock skew 2s tolerated",
                    ]
                )
                step = r.randint(30, 120)
            else:
                msg = (
                    "ERROR [sqlalchemy.pool.impl.QueuePool] Exception during reset or similar\n"
                    if r.random() < 0.1
                    else "ERROR [portal.db] (pymysql.err.OperationalError) (2003, \"Can't connect to MySQL "
                    "server on 'mysql.tools.internal' (timed out)\")"
                )
                step = r.randint(3, 12)
            c.log("/tools/portal/app", stream, t, f"{t.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} {msg}")
            t += timedelta(seconds=step)
        dt = deploy_t + timedelta(seconds=r.randint(20, 60))
        for k, line in enumerate(
            [
                "[INFO] Handling signal: term",
                f"[INFO] Worker exiting (pid: {r.randint(2000, 9000)})",
                "[INFO] Shutting down: Master",
                "[INFO] Starting gunicorn 22.0.0",
                "[INFO] Listening at: http://0.0.0.0:8080 (1)",
                f"[INFO] Booting worker with pid: {r.randint(2000, 9000)}",
                f"INFO [portal] tools-portal {version} ready",
            ]
        ):
            c.log(
                "/tools/portal/app",
                stream,
                dt + timedelta(seconds=k),
                f"{(dt + timedelta(seconds=k)).strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} {line}",
            )

    # Alarms
    a5 = c.alarm(
        "tools-portal-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": e.tg_portal, "LoadBalancer": e.lb},
        "Sum",
        50,
        "GreaterThanThreshold",
        60,
        3,
        "ALARM",
        onset + timedelta(minutes=5),
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (50.0). "
        "The most recent datapoints which crossed the threshold: "
        f"[{r.randint(300, 700)}.0 ({iso(onset + timedelta(minutes=4))[:-1]}+0000)].",
        e.topic,
        "tools portal target 5xx",
        missing="notBreaching",
    )
    lat_since = onset + timedelta(minutes=6)
    c.alarm(
        "tools-portal-latency-p90",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"TargetGroup": e.tg_portal, "LoadBalancer": e.lb},
        "p90",
        2.0,
        "GreaterThanThreshold",
        300,
        1,
        "ALARM",
        lat_since,
        "Threshold Crossed: 1 datapoint [9.84 (" + iso(lat_since - timedelta(minutes=6))[:-1] + "+0000)] was "
        "greater than the threshold (2.0).",
        e.topic,
        "portal p90 latency",
        extended=True,
    )
    c.alarm(
        "tools-mysql-prod-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": e.db},
        "Average",
        80,
        "GreaterThanThreshold",
        300,
        3,
        "OK",
        c.start - timedelta(days=2),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        e.topic,
        "db cpu",
    )
    ag = e.agents[0]
    flap = c.alarm(
        "jenkins-agent-1-cpu",
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": ag},
        "Average",
        85,
        "GreaterThanThreshold",
        300,
        1,
        "OK",
        onset - timedelta(minutes=25),
        "Threshold Crossed: 1 datapoint [41.2] was not greater than the threshold (85.0).",
        e.topic,
        "build agent busy",
    )
    for k in range(3):
        t0 = c.start + timedelta(minutes=30 + k * 55 + r.randint(0, 10))
        c.hist(
            flap["AlarmName"],
            t0,
            "OK",
            "ALARM",
            "Threshold Crossed: 1 datapoint [93.1] was greater than the threshold (85.0).",
        )
        c.hist(
            flap["AlarmName"],
            t0 + timedelta(minutes=10),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 datapoint [40.7] was not greater than the threshold (85.0).",
        )
    c.hist(a5["AlarmName"], onset + timedelta(minutes=5), "OK", "ALARM", a5["StateReason"])
    c.hist("tools-portal-latency-p90", lat_since, "OK", "ALARM", "Threshold Crossed")

    local_q = (onset + timedelta(hours=tzh, minutes=r.choice([0, 2, 5]))).strftime("%-I:%M")
    question = (
        f"wiki + service portal have been throwing 500s for everyone since around {local_q}. "
        "Is the tools database down? Jenkins seems fine."
    )
    return c.bundle(
        TITLE,
        question,
        TZ,
        None,
        {
            "no_fault": False,
            "root_cause": {
                "resource": f"mysql.{e.zone}",
                "category": "change",
                "failure_mode": "private-dns-record-repointed",
                "event_id": culprit,
            },
            "also_accept": [e.zone_id, f"/hostedzone/{e.zone_id}", "mysql.tools.internal.", e.zone],
            "actions": ["rollback"],
            "chain": [f"mysql.{e.zone}", "tools-mysql-stg", e.tg_portal.split("/")[1], e.lb_name],
        },
    )
