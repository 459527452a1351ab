"""Private helpers for kit zzd's incidents (standard library only)."""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ISO = "%Y-%m-%dT%H:%M:%SZ"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime(ISO)


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hexid(rng: random.Random, n: int = 17) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def account(rng: random.Random) -> str:
    return str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))


def day_start(rng: random.Random, weekday_only: bool = True) -> datetime:
    """A random day in 2026 at 00:00 UTC."""
    base = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
    while weekday_only and base.weekday() >= 5:
        base += timedelta(days=1)
    return base


def src_ip(rng: random.Random) -> str:
    return f"{rng.choice([10, 10, 172])}.{rng.randint(0, 31)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"


# --- CloudTrail -----------------------------------------------------------------------------------


def role_identity(
    acct: str,
    role: str,
    session: str,
    rng: random.Random,
    mfa: bool = False,
    invoked_by: str | None = None,
    principal: str | None = None,
) -> dict:
    principal = principal or "AROA" + "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17)
    )
    ident = {
        "type": "AssumedRole",
        "principalId": f"{principal}:{session}",
        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
        "accountId": acct,
        "accessKeyId": "ASIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": principal,
                "arn": f"arn:aws:iam::{acct}:role/{role}",
                "accountId": acct,
                "userName": role.split("/")[-1],
            },
            "attributes": {"creationDate": None, "mfaAuthenticated": "true" if mfa else "false"},
        },
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return ident


class Trail:
    """Collects CloudTrail records as delivered to S3."""

    def __init__(self, rng: random.Random, acct: str, region: str) -> None:
        self.rng, self.acct, self.region = rng, acct, region
        self.records: list[dict] = []
        self._idents: dict[str, dict] = {}
        self._principals: dict[str, str] = {}
        self.office_ip = f"{rng.choice([81, 86, 90, 94])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"

    def ident(self, role: str, session: str, mfa: bool = False, invoked_by: str | None = None) -> dict:
        key = f"{role}|{session}|{invoked_by}"
        if key not in self._idents:
            if role not in self._principals:
                self._principals[role] = "AROA" + "".join(
                    self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17)
                )
            self._idents[key] = role_identity(
                self.acct, role, session, self.rng, mfa, invoked_by, self._principals[role]
            )
        return json.loads(json.dumps(self._idents[key]))

    def add(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict,
        req: dict | None = None,
        resp: dict | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list | None = None,
        session_start: datetime | None = None,
    ) -> dict:
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                session_start or (t - timedelta(minutes=self.rng.randint(3, 50)))
            )
        rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or ident.get("invokedBy")
            or (self.office_ip if "AWSReservedSSO" in ident.get("arn", "") else src_ip(self.rng)),
            "userAgent": ident.get("invokedBy") or agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": uid(self.rng),
            "eventID": uid(self.rng),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.acct,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
            rec["responseElements"] = None
        if resources:
            rec["resources"] = resources
        if source in (
            "ecs.amazonaws.com",
            "rds.amazonaws.com",
            "elasticache.amazonaws.com",
            "dynamodb.amazonaws.com",
        ):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records.append(rec)
        return rec

    def readonly_noise(
        self,
        start: datetime,
        end: datetime,
        calls: list[tuple[str, str, dict | None]],
        every_min: tuple[int, int] = (4, 11),
    ) -> None:
        """Periodic Describe/List calls from monitoring tooling and people in the console."""
        r = self.rng
        dash = r.choice(
            [
                (
                    "grafana-cloudwatch-readonly",
                    "grafana-datasource",
                    "Grafana/10.4.2 aws-sdk-go/1.51.6 (go1.21.9; linux; amd64)",
                ),
                (
                    "DatadogAWSIntegrationRole",
                    "DatadogAWSIntegration",
                    "Datadog/1.0 aws-sdk-go/1.50.38 (go1.22.1; linux; amd64)",
                ),
                (
                    "newrelic-metric-poller",
                    "newrelic-infra",
                    "aws-sdk-java/1.12.681 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS java/17.0.10",
                ),
            ]
        )
        person = r.choice(["priya.n", "alex.moreau", "kenji.t", "sofia.r", "ben.adeyemi", "hannah.w"])
        sso = r.choice(
            ["AWSReservedSSO_ReadOnlyAccess_5c1f0e3a9b2d4e71", "AWSReservedSSO_ViewOnly_0a4e7b19c2d83f56"]
        )
        inv = r.choice(
            [
                ("cost-explorer-collector", "cloudhealth-sync"),
                ("steampipe-inventory", "inventory-crawl"),
                ("cloud-custodian-readonly", "custodian-scan"),
            ]
        )
        tools = [
            (self.ident(dash[0], dash[1]), dash[2]),
            (
                self.ident(sso, f"{person}@corp"),
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            ),
            (
                self.ident(inv[0], inv[1]),
                "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84",
            ),
        ]
        t = start + timedelta(seconds=self.rng.randint(10, 200))
        while t < end:
            source, name, req = self.rng.choice(calls)
            ident, agent = self.rng.choice(tools)
            self.add(t, source, name, ident, req, None, read_only=True, agent=agent)
            t += timedelta(minutes=self.rng.randint(*every_min), seconds=self.rng.randint(0, 59))

    def sorted(self) -> list[dict]:
        return sorted(self.records, key=lambda r: r["eventTime"])


# --- metrics --------------------------------------------------------------------------------------


class Metrics:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict,
        unit: str,
        start: datetime,
        end: datetime,
        fn,
        period: int = 60,
        stats: bool = False,
        samples: int = 60,
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                row: dict[str, Any] = {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dict(dims),
                    "timestamp": iso(t),
                    "unit": unit,
                }
                if stats:
                    avg, mx, mn = v
                    row["statistic_values"] = {
                        "SampleCount": float(samples),
                        "Sum": round(avg * samples, 4),
                        "Minimum": round(mn, 4),
                        "Maximum": round(mx, 4),
                    }
                else:
                    row["value"] = round(float(v), 4)
                self.rows.append(row)
            t += timedelta(seconds=period)

    def dist(
        self,
        ns: str,
        metric: str,
        dims: dict,
        unit: str,
        start: datetime,
        end: datetime,
        fn,
        period: int = 60,
    ) -> None:
        """fn(t) -> (values, counts) or None."""
        t = start
        while t < end:
            got = fn(t)
            if got is not None:
                vals, counts = got
                self.rows.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dict(dims),
                        "timestamp": iso(t),
                        "unit": unit,
                        "values": [round(v, 4) for v in vals],
                        "counts": [float(c) for c in counts],
                    }
                )
            t += timedelta(seconds=period)


def diurnal(t: datetime, peak_hour_utc: float, low: float, high: float) -> float:
    """A smooth day curve between low and high, peaking at peak_hour_utc."""
    h = t.hour + t.minute / 60
    x = math.cos((h - peak_hour_utc) / 24 * 2 * math.pi)
    return low + (high - low) * (x + 1) / 2


def latency_dist(rng: random.Random, n: int, median_ms: float, tail_ms: float) -> tuple[list, list]:
    """A compact latency distribution (values in seconds, as ALB reports TargetResponseTime)."""
    if n <= 0:
        return [median_ms / 1000], [0]
    buckets = [median_ms * f for f in (0.5, 0.8, 1.0, 1.3, 1.8)] + [tail_ms]
    weights = [0.15, 0.25, 0.3, 0.18, 0.1, 0.02]
    counts = [max(0, round(n * w * rng.uniform(0.85, 1.15))) for w in weights]
    return [round(b * rng.uniform(0.95, 1.05) / 1000, 4) for b in buckets], counts


# --- alarms ---------------------------------------------------------------------------------------


def alarm(
    acct: str,
    region: str,
    name: str,
    ns: str,
    metric: str,
    dims: dict,
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    state: str,
    reason: str,
    state_time: datetime,
    updated: datetime,
    topic: str | None,
    description: str | None = None,
    datapoints: int | None = None,
    missing: str = "missing",
    unit: str | None = None,
    reason_data: dict | None = None,
    extended: str | None = None,
) -> dict:
    a = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{acct}:alarm:{name}",
        "AlarmConfigurationUpdatedTimestamp": iso(updated),
        "ActionsEnabled": True,
        "OKActions": [topic] if topic else [],
        "AlarmActions": [topic] if topic else [],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso(state_time),
        "MetricName": metric,
        "Namespace": ns,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints or evals,
        "Threshold": float(threshold),
        "ComparisonOperator": op,
        "TreatMissingData": missing,
        "StateTransitionedTimestamp": iso(state_time),
    }
    if extended:
        a["ExtendedStatistic"] = extended
    else:
        a["Statistic"] = stat
    if description:
        a["AlarmDescription"] = description
    if unit:
        a["Unit"] = unit
    if reason_data is not None:
        a["StateReasonData"] = json.dumps(reason_data, separators=(",", ":"))
    return a


def reason_text(
    state: str,
    values: list[float],
    when: datetime,
    op: str,
    threshold: float,
    evals: int,
    datapoints: int | None = None,
    period: int = 60,
) -> str:
    """CloudWatch's own wording; `values` oldest first, `when` the newest datapoint's timestamp."""
    word = "greater" if "Greater" in op else "less"
    eq = "or equal to " if "OrEqual" in op else ""
    pts = [(v, when - timedelta(seconds=period * (len(values) - 1 - i))) for i, v in enumerate(values)]
    shown = ", ".join(f"{_fmt(v)} ({t:%d/%m/%y %H:%M:%S})" for v, t in reversed(pts))
    n = len(values)
    dp = datapoints or evals
    if state == "ALARM":
        verb = "was" if n == 1 else "were"
        return (
            f"Threshold Crossed: {n} out of the last {evals} datapoints [{shown}] {verb} {word} than {eq}the threshold "
            f"({_fmt(threshold)}) (minimum {dp} datapoint{'s' if dp > 1 else ''} for OK -> ALARM transition)."
        )
    return (
        f"Threshold Crossed: {n} datapoint{'s' if n > 1 else ''} [{shown}] {'was' if n == 1 else 'were'} not {word} than "
        f"{eq}the threshold ({_fmt(threshold)}) (minimum 1 datapoint for ALARM -> OK transition)."
    )


def _fmt(v: float) -> str:
    return repr(float(v)) if not float(v).is_integer() else f"{float(v):.1f}"


def reason_data(stat: str, period: int, threshold: float, when: datetime, values: list[float]) -> dict:
    return {
        "version": "1.0",
        "queryDate": iso(when + timedelta(seconds=period, milliseconds=417)).replace("Z", ".417+0000"),
        "startDate": iso(when - timedelta(seconds=period * (len(values) - 1))).replace("Z", ".000+0000"),
        "statistic": stat,
        "period": period,
        "recentDatapoints": [round(v, 4) for v in values],
        "threshold": float(threshold),
        "evaluatedDatapoints": [
            {
                "timestamp": iso(when - timedelta(seconds=period * i)).replace("Z", ".000+0000"),
                "sampleCount": 1.0,
                "value": round(v, 4),
            }
            for i, v in enumerate(reversed(values))
        ],
    }


def history(name: str, t: datetime, old: str, new: str, reason: str, data: dict | None = None) -> dict:
    hist: dict[str, Any] = {
        "version": "1.0",
        "oldState": {"stateValue": old},
        "newState": {"stateValue": new, "stateReason": reason},
    }
    if data is not None:
        hist["newState"]["stateReasonData"] = data
    return {
        "AlarmName": name,
        "AlarmType": "MetricAlarm",
        "Timestamp": iso(t),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {_state_word(old)} to {_state_word(new)}",
        "HistoryData": json.dumps(hist, separators=(",", ":")),
    }


def _state_word(s: str) -> str:
    return {"INSUFFICIENT_DATA": "INSUFFICIENT_DATA"}.get(s, s)


def alarm_event(
    acct: str,
    region: str,
    a: dict,
    t: datetime,
    prev_state: str,
    prev_reason: str,
    prev_time: datetime,
    data: dict | None = None,
) -> dict:
    metric = {
        "id": "m1",
        "metricStat": {
            "metric": {
                "namespace": a["Namespace"],
                "name": a["MetricName"],
                "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
            },
            "period": a["Period"],
            "stat": a.get("Statistic") or a.get("ExtendedStatistic"),
        },
        "returnData": True,
    }
    state = {
        "value": a["StateValue"],
        "reason": a["StateReason"],
        "timestamp": iso(t).replace("Z", ".000+0000"),
    }
    if data is not None:
        state["reasonData"] = json.dumps(data, separators=(",", ":"))
    rng = random.Random(a["AlarmArn"] + iso(t))
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": acct,
        "time": iso(t),
        "region": region,
        "resources": [a["AlarmArn"]],
        "detail": {
            "alarmName": a["AlarmName"],
            "state": state,
            "previousState": {
                "value": prev_state,
                "reason": prev_reason,
                "timestamp": iso(prev_time).replace("Z", ".000+0000"),
            },
            "configuration": {"description": a.get("AlarmDescription", ""), "metrics": [metric]},
        },
    }


# --- common resources ------------------------------------------------------------------------------


def vpc_bits(rng: random.Random, acct: str, region: str, app: str) -> tuple[dict, list[dict], str]:
    vpc_id = "vpc-" + hexid(rng)
    second = rng.randint(16, 99)
    vpc = {
        "CidrBlock": f"10.{second}.0.0/16",
        "DhcpOptionsId": "dopt-" + hexid(rng),
        "State": "available",
        "VpcId": vpc_id,
        "OwnerId": acct,
        "InstanceTenancy": "default",
        "IsDefault": False,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": "vpc-cidr-assoc-" + hexid(rng),
                "CidrBlock": f"10.{second}.0.0/16",
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "Tags": [{"Key": "Name", "Value": f"{app}-prod"}],
    }
    subnets = []
    for i, az in enumerate("abc"):
        sid = "subnet-" + hexid(rng)
        subnets.append(
            {
                "AvailabilityZone": f"{region}{az}",
                "AvailabilityZoneId": f"{region[:2]}{region.split('-')[1][0]}1-az{i + 1}",
                "AvailableIpAddressCount": rng.randint(3900, 4050),
                "CidrBlock": f"10.{second}.{16 * (i + 2)}.0/20",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "State": "available",
                "SubnetId": sid,
                "VpcId": vpc_id,
                "OwnerId": acct,
                "AssignIpv6AddressOnCreation": False,
                "SubnetArn": f"arn:aws:ec2:{region}:{acct}:subnet/{sid}",
                "Tags": [{"Key": "Name", "Value": f"{app}-private-{region}{az}"}],
            }
        )
    return vpc, subnets, vpc_id


def sg(
    rng: random.Random,
    acct: str,
    vpc_id: str,
    name: str,
    desc: str,
    port: int,
    src_sg: str | None,
    cidr: str | None = None,
) -> dict:
    gid = "sg-" + hexid(rng)
    perm = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if src_sg:
        perm["UserIdGroupPairs"] = [{"GroupId": src_sg, "UserId": acct}]
    if cidr:
        perm["IpRanges"] = [{"CidrIp": cidr}]
    return {
        "Description": desc,
        "GroupName": name,
        "IpPermissions": [perm],
        "OwnerId": acct,
        "GroupId": gid,
        "IpPermissionsEgress": [
            {
                "IpProtocol": "-1",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ],
        "VpcId": vpc_id,
        "Tags": [{"Key": "Name", "Value": name}],
    }


def iam_role(rng: random.Random, acct: str, name: str, service: str, created: datetime) -> dict:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17)),
        "Arn": f"arn:aws:iam::{acct}:role/{name}",
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
        "MaxSessionDuration": 3600,
    }


def log_group(acct: str, region: str, name: str, created: datetime, retention: int = 30) -> dict:
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{acct}:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:{name}",
    }


def alb(
    rng: random.Random,
    acct: str,
    region: str,
    name: str,
    vpc_id: str,
    subnets: list[dict],
    sg_id: str,
    created: datetime,
) -> tuple[dict, str]:
    lb_id = hexid(rng, 16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{name}/{lb_id}"
    item: dict[str, Any] = {
        "LoadBalancerArn": arn,
        "DNSName": f"internal-{name}-{rng.randint(100000000, 999999999)}.{region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": "internet-facing",
        "VpcId": vpc_id,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": s["AvailabilityZone"], "SubnetId": s["SubnetId"]} for s in subnets
        ],
        "SecurityGroups": [sg_id],
        "IpAddressType": "ipv4",
    }
    item["DNSName"] = item["DNSName"].replace("internal-", "")
    return item, f"app/{name}/{lb_id}"


def target_group(
    rng: random.Random, acct: str, region: str, name: str, vpc_id: str, lb_arn: str, port: int, hc_path: str
) -> tuple[dict, str]:
    tg_id = hexid(rng, 16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/{name}/{tg_id}"
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc_id,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 3,
        "HealthCheckPath": hc_path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "ip",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    return item, f"targetgroup/{name}/{tg_id}"


def ecs_service(
    acct: str,
    region: str,
    cluster: str,
    name: str,
    taskdef: str,
    desired: int,
    created: datetime,
    updated: datetime,
    subnets: list[str],
    sg_id: str,
    tg_arn: str | None,
    port: int,
    deploy_id: str,
    role_arn: str,
    min_pct: int = 100,
    max_pct: int = 200,
) -> dict:
    svc = {
        "serviceArn": f"arn:aws:ecs:{region}:{acct}:service/{cluster}/{name}",
        "serviceName": name,
        "clusterArn": f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}",
        "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": name, "containerPort": port}]
        if tg_arn
        else [],
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": desired,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{taskdef}",
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": max_pct,
            "minimumHealthyPercent": min_pct,
        },
        "deployments": [
            {
                "id": deploy_id,
                "status": "PRIMARY",
                "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{taskdef}",
                "desiredCount": desired,
                "pendingCount": 0,
                "runningCount": desired,
                "failedTasks": 0,
                "createdAt": iso(updated),
                "updatedAt": iso(updated + timedelta(minutes=9)),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_id],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment " + deploy_id + " completed.",
            }
        ],
        "roleArn": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [],
        "createdAt": iso(created),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": subnets,
                "securityGroups": [sg_id],
                "assignPublicIp": "DISABLED",
            }
        },
        "healthCheckGracePeriodSeconds": 60 if tg_arn else 0,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": role_arn,
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    return svc


def ecs_cluster(acct: str, region: str, name: str, services: int, tasks: int) -> dict:
    return {
        "clusterArn": f"arn:aws:ecs:{region}:{acct}:cluster/{name}",
        "clusterName": name,
        "status": "ACTIVE",
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": tasks,
        "pendingTasksCount": 0,
        "activeServicesCount": services,
        "settings": [{"name": "containerInsights", "value": "disabled"}],
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [],
    }


def sns_topic(acct: str, region: str, name: str) -> dict:
    arn = f"arn:aws:sns:{region}:{acct}:{name}"
    return {
        "TopicArn": arn,
        "Attributes": {
            "TopicArn": arn,
            "Owner": acct,
            "DisplayName": "",
            "SubscriptionsConfirmed": "2",
            "SubscriptionsPending": "0",
            "SubscriptionsDeleted": "0",
            "EffectiveDeliveryPolicy": json.dumps(
                {
                    "http": {
                        "defaultHealthyRetryPolicy": {
                            "minDelayTarget": 20,
                            "maxDelayTarget": 20,
                            "numRetries": 3,
                            "numMaxDelayRetries": 0,
                            "numNoDelayRetries": 0,
                            "numMinDelayRetries": 0,
                            "backoffFunction": "linear",
                        },
                        "disableSubscriptionOverrides": False,
                    }
                },
                separators=(",", ":"),
            ),
        },
    }


def jitter(rng: random.Random, v: float, pct: float = 0.08) -> float:
    return v * rng.uniform(1 - pct, 1 + pct)


# --- ElastiCache -----------------------------------------------------------------------------------


def redis_group(
    acct: str,
    region: str,
    rg_id: str,
    desc: str,
    node_type: str,
    azs: list[str],
    created: datetime,
    suffix: str,
    primary: int = 0,
) -> tuple[dict, list[dict]]:
    members = [f"{rg_id}-{i + 1:03d}" for i in range(len(azs))]

    def host(m: str) -> str:
        return f"{m}.{suffix}.0001.{region[:2]}{region.split('-')[1][0]}{region[-1]}.cache.amazonaws.com"

    rg = {
        "ReplicationGroupId": rg_id,
        "Description": desc,
        "GlobalReplicationGroupInfo": {},
        "Status": "available",
        "PendingModifiedValues": {},
        "MemberClusters": members,
        "NodeGroups": [
            {
                "NodeGroupId": "0001",
                "Status": "available",
                "PrimaryEndpoint": {
                    "Address": f"master.{rg_id}.{suffix}.{region[:2]}{region.split('-')[1][0]}{region[-1]}.cache.amazonaws.com",
                    "Port": 6379,
                },
                "ReaderEndpoint": {
                    "Address": f"replica.{rg_id}.{suffix}.{region[:2]}{region.split('-')[1][0]}{region[-1]}.cache.amazonaws.com",
                    "Port": 6379,
                },
                "NodeGroupMembers": [
                    {
                        "CacheClusterId": m,
                        "CacheNodeId": "0001",
                        "ReadEndpoint": {"Address": host(m), "Port": 6379},
                        "PreferredAvailabilityZone": azs[i],
                        "CurrentRole": "primary" if i == primary else "replica",
                    }
                    for i, m in enumerate(members)
                ],
            }
        ],
        "SnapshottingClusterId": members[1 - primary] if len(members) > 1 else members[0],
        "AutomaticFailover": "enabled" if len(members) > 1 else "disabled",
        "MultiAZ": "enabled" if len(members) > 1 else "disabled",
        "SnapshotRetentionLimit": 1,
        "SnapshotWindow": "03:00-04:00",
        "ClusterEnabled": False,
        "CacheNodeType": node_type,
        "AuthTokenEnabled": False,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
        "ARN": f"arn:aws:elasticache:{region}:{acct}:replicationgroup:{rg_id}",
        "LogDeliveryConfigurations": [],
        "ReplicationGroupCreateTime": iso(created),
        "DataTiering": "disabled",
        "AutoMinorVersionUpgrade": True,
        "NetworkType": "ipv4",
        "IpDiscovery": "ipv4",
        "TransitEncryptionMode": "required",
        "ClusterMode": "disabled",
        "Engine": "redis",
    }
    return rg, [{"m": m, "host": host(m), "az": azs[i]} for i, m in enumerate(members)]


def cache_cluster(
    acct: str,
    region: str,
    cid: str,
    rg_id: str,
    node_type: str,
    version: str,
    az: str,
    created: datetime,
    pg: str,
    sg_id: str,
    subnet_group: str,
    host: str,
    window: str,
    status: str = "available",
) -> dict:
    return {
        "CacheClusterId": cid,
        "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
        "CacheNodeType": node_type,
        "Engine": "redis",
        "EngineVersion": version,
        "CacheClusterStatus": status,
        "NumCacheNodes": 1,
        "PreferredAvailabilityZone": az,
        "CacheClusterCreateTime": iso(created),
        "PreferredMaintenanceWindow": window,
        "PendingModifiedValues": {},
        "CacheSecurityGroups": [],
        "CacheParameterGroup": {
            "CacheParameterGroupName": pg,
            "ParameterApplyStatus": "in-sync",
            "CacheNodeIdsToReboot": [],
        },
        "CacheSubnetGroupName": subnet_group,
        "CacheNodes": [
            {
                "CacheNodeId": "0001",
                "CacheNodeStatus": "available",
                "CacheNodeCreateTime": iso(created),
                "Endpoint": {"Address": host, "Port": 6379},
                "ParameterGroupStatus": "in-sync",
                "CustomerAvailabilityZone": az,
            }
        ],
        "AutoMinorVersionUpgrade": True,
        "SecurityGroups": [{"SecurityGroupId": sg_id, "Status": "active"}],
        "ReplicationGroupId": rg_id,
        "SnapshotRetentionLimit": 0,
        "SnapshotWindow": "03:00-04:00",
        "AuthTokenEnabled": False,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
        "ARN": f"arn:aws:elasticache:{region}:{acct}:cluster:{cid}",
        "ReplicationGroupLogDeliveryEnabled": False,
        "LogDeliveryConfigurations": [],
        "NetworkType": "ipv4",
        "IpDiscovery": "ipv4",
        "TransitEncryptionMode": "required",
    }


def simulate(
    fn,
    start: datetime,
    end: datetime,
    threshold: float,
    evals: int,
    dtoa: int | None = None,
    op: str = "GreaterThanThreshold",
    period: int = 60,
    initial: str = "OK",
) -> list[tuple]:
    """Evaluate an alarm minute by minute (missing treated as not breaching). Returns
    [(eval_time, old, new, values_oldest_first, newest_timestamp)]."""
    dtoa = dtoa or evals
    breach = (lambda v: v > threshold) if op == "GreaterThanThreshold" else (lambda v: v < threshold)
    window: list = []
    out = []
    cur = initial
    t = start
    while t < end:
        v = fn(t)
        window.append((t, 0.0 if v is None else float(v)))
        window = window[-evals:]
        if len(window) == evals:
            n = sum(1 for _, x in window if breach(x))
            want = "ALARM" if n >= dtoa else ("OK" if not breach(window[-1][1]) and n < dtoa else cur)
            if want != cur:
                vals = [x for _, x in window] if want == "ALARM" else [window[-1][1]]
                out.append((t + timedelta(seconds=period), cur, want, vals, t))
                cur = want
        t += timedelta(seconds=period)
    return out
