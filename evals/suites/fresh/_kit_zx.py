# Incident ideas (KIT zx), in the order written:
# 1. change: a Redis parameter-group edit (eviction policy) made in the afternoon only bites hours later
#    when the cache fills; sign-ins/session writes fail with OOM errors while the cache "looks healthy".
# 2. limit: a DynamoDB global secondary index with its own provisioned write capacity throttles, and
#    back-pressures writes to the base table whose own capacity is fine; a status-update consumer fails.
# 3. no fault: an RDS DatabaseConnections alarm during a rolling ECS deploy (old and new tasks both hold
#    pools for a few minutes); nothing user-facing.
# 4. component failure: one Aurora reader instance is lost to a host problem and recovered by RDS;
#    reads through the reader endpoint fail for part of the traffic until it is back.
"""Private helpers for the zx incidents: ids, noise series, CloudTrail records, alarms."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uid(rng: random.Random) -> str:
    h = hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:32]}"


def alnum(rng: random.Random, n: int, upper: bool = True) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(chars) for _ in range(n))


def pick_day(rng: random.Random, weekday: bool = True) -> datetime:
    """A date in 2026 (midnight UTC); a weekday when asked."""
    base = datetime(2026, 1, 5, tzinfo=UTC)
    while True:
        d = base + timedelta(days=rng.randrange(0, 300))
        if not weekday or d.weekday() < 5:
            return d


def diurnal(t: datetime, peak_hour: float = 14.0, low: float = 0.25) -> float:
    """Daily traffic shape in [low, 1], peaking at peak_hour UTC."""
    h = t.hour + t.minute / 60.0
    x = math.cos((h - peak_hour) / 24.0 * 2 * math.pi)
    return low + (1 - low) * (x + 1) / 2


def times(start: datetime, end: datetime, fine_from: datetime) -> list[tuple[datetime, int]]:
    """Datapoint times: 5-minute before fine_from, 1-minute from it to end. (time, period seconds)."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, 300))
        t += timedelta(minutes=5)
    t = fine_from
    while t <= end:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


def series(
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    points: Iterable[tuple[datetime, int]],
    fn: Callable[..., float | None],
    kind: str = "value",
) -> list[Rec]:
    """Metric datapoints. kind: 'value' (a gauge or average), 'sum' (a count, statistic set of the
    period), 'stat' (an average-like statistic set: fn gives the mean over SampleCount=period/60)."""
    out: list[Rec] = []
    for t, period in points:
        v = fn(t, period)
        if v is None:
            continue
        v = max(0.0, v)
        rec: Rec = {
            "namespace": ns,
            "metric": metric,
            "dimensions": dict(dims),
            "timestamp": iso(t),
            "unit": unit,
        }
        if kind == "value":
            rec["value"] = round(v, 4)
        else:
            n = max(1, period // 60)
            total = v if kind == "sum" else v * n
            rec["statistic_values"] = {
                "SampleCount": float(n),
                "Sum": round(total, 4),
                "Minimum": round(total / n * 0.8, 4),
                "Maximum": round(total / n * 1.2 if n > 1 else total / n, 4),
            }
        out.append(rec)
    return out


def latency_dist(
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    points: Iterable[tuple[datetime, int]],
    fn: Callable[[datetime, int], tuple[float, float, float] | None],
    rng: random.Random,
) -> list[Rec]:
    """Distribution datapoints: fn gives (median, spread factor, count); values/counts buckets."""
    out: list[Rec] = []
    for t, period in points:
        r = fn(t, period)
        if r is None:
            continue
        med, spread, count = r
        if count < 1:
            continue
        qs = [0.55, 0.8, 1.0, 1.3, 1.8, 2.6, 4.0 * spread]
        ws = [0.18, 0.25, 0.22, 0.17, 0.1, 0.06, 0.02]
        vals = [round(med * q * rng.uniform(0.95, 1.05), 4) for q in qs]
        counts = [float(max(1, round(count * w))) for w in ws]
        out.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
                "values": vals,
                "counts": counts,
            }
        )
    return out


# --- CloudTrail ------------------------------------------------------------------------------------


class Trail:
    """Builds CloudTrail records in the delivered shape for one account/region."""

    def __init__(self, rng: random.Random, account: str, region: str) -> None:
        self.rng = rng
        self.account = account
        self.region = region
        self.records: list[Rec] = []

    def sso(self, user: str, permission_set: str = "AWSAdministratorAccess") -> Rec:
        rid = f"AWSReservedSSO_{permission_set}_{hexid(self.rng, 16)}"
        pid = "AROA" + alnum(self.rng, 17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{rid}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + alnum(self.rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{self.region}/{rid}",
                    "accountId": self.account,
                    "userName": rid,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role_name: str, session: str) -> Rec:
        pid = "AROA" + alnum(self.rng, 17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + alnum(self.rng, 16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role_name}",
                    "accountId": self.account,
                    "userName": role_name,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    @staticmethod
    def service(name: str) -> Rec:
        return {"type": "AWSService", "invokedBy": name}

    def add(
        self,
        t: datetime,
        who: Rec,
        source: str,
        name: str,
        params: Any = None,
        response: Any = None,
        *,
        read_only: bool = False,
        ip: str | None = None,
        agent: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> Rec:
        ident = json.loads(json.dumps(who))
        sc = ident.get("sessionContext")
        if sc is not None:
            sc["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.rng.randrange(2, 50)))
        svc_call = ident.get("type") == "AWSService"
        host = f"{source.split('.')[0]}.{self.region}.amazonaws.com"
        rec: Rec = {
            "eventVersion": "1.09" if not svc_call else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip or (ident["invokedBy"] if svc_call else "10.0.0.1"),
            "userAgent": agent or (ident["invokedBy"] if svc_call else "aws-cli/2.15.30"),
            "requestParameters": params,
            "responseElements": response,
            "requestID": uid(self.rng),
            "eventID": uid(self.rng),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error is not None:
            rec["errorCode"], rec["errorMessage"] = error
        if not svc_call:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": host,
            }
        self.records.append(rec)
        return rec

    def sorted(self) -> list[Rec]:
        return sorted(self.records, key=lambda r: (r["eventTime"], r["eventID"]))


CONSOLE_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
CLI_UA = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}"
TF_UA = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/{api}"


def public_ip(rng: random.Random) -> str:
    return f"{rng.choice([81, 86, 90, 92, 203, 176])}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"


# --- alarms ----------------------------------------------------------------------------------------


def metric_alarm(
    account: str,
    region: str,
    name: str,
    desc: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    state: str,
    state_since: datetime,
    reason: str,
    reason_data: Rec | None,
    topic: str,
    unit: str | None = None,
    datapoints: int | None = None,
    treat_missing: str = "missing",
    created: datetime | None = None,
) -> Rec:
    arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    a: Rec = {
        "AlarmName": name,
        "AlarmArn": arn,
        "AlarmDescription": desc,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(created or state_since - timedelta(days=90)),
        "ActionsEnabled": True,
        "OKActions": [topic],
        "AlarmActions": [topic],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(state_since),
        "MetricName": metric,
        "Namespace": ns,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints or evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": treat_missing,
        "StateTransitionedTimestamp": iso_ms(state_since),
    }
    if reason_data is not None:
        a["StateReasonData"] = json.dumps(reason_data, separators=(",", ":"))
    if unit:
        a["Unit"] = unit
    return a


def state_update(
    alarm: Rec, t: datetime, old: str, new: str, reason: str, reason_data: Rec | None = None
) -> Rec:
    data: Rec = {
        "version": "1.0",
        "oldState": {"stateValue": old},
        "newState": {"stateValue": new, "stateReason": reason},
    }
    if reason_data is not None:
        data["newState"]["stateReasonData"] = reason_data
    return {
        "AlarmName": alarm["AlarmName"],
        "AlarmType": "MetricAlarm",
        "Timestamp": iso_ms(t),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(data, separators=(",", ":")),
    }


def action_item(alarm: Rec, t: datetime, topic: str) -> Rec:
    return {
        "AlarmName": alarm["AlarmName"],
        "AlarmType": "MetricAlarm",
        "Timestamp": iso_ms(t + timedelta(milliseconds=180)),
        "HistoryItemType": "Action",
        "HistorySummary": f"Successfully executed action {topic}",
        "HistoryData": json.dumps(
            {"actionState": "Succeeded", "stateUpdateTimestamp": ms(t), "notificationResource": topic},
            separators=(",", ":"),
        ),
    }


def threshold_reason(
    recent: list[float], stamps: list[datetime], threshold: float, op_word: str, period: int, stat: str
) -> tuple[str, Rec]:
    vals = ", ".join(f"{v:g}" for v in recent)
    n = len(recent)
    reason = (
        f"Threshold Crossed: {n} out of the last {n} datapoints [{vals}] was {op_word} the threshold "
        f"({threshold:g}) (minimum {n} datapoint{'s' if n > 1 else ''} for OK -> ALARM transition)."
        if op_word != "not"
        else ""
    )
    data: Rec = {
        "version": "1.0",
        "queryDate": iso_ms(stamps[-1] + timedelta(seconds=period, milliseconds=412)).replace("Z", "+0000"),
        "startDate": iso_ms(stamps[0]).replace("Z", "+0000"),
        "statistic": stat,
        "period": period,
        "recentDatapoints": recent,
        "threshold": threshold,
        "evaluatedDatapoints": [
            {"timestamp": iso_ms(s).replace("Z", "+0000"), "sampleCount": float(period // 60), "value": v}
            for s, v in zip(reversed(stamps), reversed(recent), strict=True)
        ],
    }
    return reason, data


def alarm_event(
    alarm: Rec, account: str, region: str, t: datetime, reason: str, data: Rec, rng: random.Random
) -> Rec:
    return {
        "version": "0",
        "id": uid(rng),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(t),
        "region": region,
        "resources": [alarm["AlarmArn"]],
        "detail": {
            "alarmName": alarm["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(data, separators=(",", ":")),
                "timestamp": iso_ms(t).replace("Z", "+0000"),
            },
            "previousState": {
                "value": "OK",
                "reason": "Threshold Crossed: 1 datapoint was not greater than the threshold.",
                "timestamp": iso_ms(t - timedelta(days=6, hours=3)).replace("Z", "+0000"),
            },
            "configuration": {
                "description": alarm.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": alarm["Namespace"],
                                "name": alarm["MetricName"],
                                "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
                            },
                            "period": alarm["Period"],
                            "stat": alarm["Statistic"],
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def ok_alarm(
    account: str,
    region: str,
    name: str,
    desc: str,
    ns: str,
    metric: str,
    dims: dict[str, str],
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    since: datetime,
    topic: str,
) -> Rec:
    return metric_alarm(
        account,
        region,
        name,
        desc,
        ns,
        metric,
        dims,
        stat,
        period,
        evals,
        threshold,
        op,
        "OK",
        since,
        f"Threshold Crossed: 1 datapoint [{threshold * 0.3:g}] was not "
        f"{'greater' if 'Greater' in op else 'less'} than the threshold ({threshold:g}).",
        None,
        topic,
    )


# --- common resources ------------------------------------------------------------------------------


class Net:
    """A VPC with three private subnets in a region."""

    def __init__(self, rng: random.Random, account: str, region: str, cidr_b: int) -> None:
        self.account = account
        self.region = region
        self.vpc = "vpc-" + hexid(rng, 17)
        self.azs = [f"{region}a", f"{region}b", f"{region}c"]
        self.subnets = ["subnet-" + hexid(rng, 17) for _ in self.azs]
        self.cidr_b = cidr_b

    def ip(self, rng: random.Random, az: int | None = None) -> str:
        i = rng.randrange(3) if az is None else az
        return f"10.{self.cidr_b}.{16 * (i + 1) + rng.randrange(0, 15)}.{rng.randrange(4, 250)}"


def security_group(net: Net, sg_id: str, name: str, desc: str, port: int, from_sg: str | None) -> Rec:
    perm: Rec = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
    }
    if from_sg:
        perm["UserIdGroupPairs"] = [{"GroupId": from_sg, "UserId": net.account}]
    else:
        perm["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}]
        perm["UserIdGroupPairs"] = []
    return {
        "service": "ec2",
        "type": "SecurityGroup",
        "item": {
            "GroupId": sg_id,
            "GroupName": name,
            "Description": desc,
            "OwnerId": net.account,
            "VpcId": net.vpc,
            "IpPermissions": [perm],
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "Tags": [{"Key": "Name", "Value": name}],
        },
    }


def alb_resources(
    net: Net, rng: random.Random, lb_name: str, tg_name: str, lb_sg: str, created: datetime, port: int
) -> tuple[list[Rec], str, str, str, str]:
    """(resources, lb_arn, tg_arn, LoadBalancer dim, TargetGroup dim)."""
    lb_hex, tg_hex = hexid(rng, 16), hexid(rng, 16)
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{net.region}:{net.account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{net.region}:{net.account}:{tg_dim}"
    lb = {
        "LoadBalancerArn": lb_arn,
        "DNSName": f"{lb_name}-{rng.randrange(10**9, 10**10)}.{net.region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z" + alnum(rng, 13),
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": lb_name,
        "Scheme": "internet-facing",
        "VpcId": net.vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": s} for az, s in zip(net.azs, net.subnets, strict=True)
        ],
        "SecurityGroups": [lb_sg],
        "IpAddressType": "ipv4",
    }
    tg = {
        "TargetGroupArn": tg_arn,
        "TargetGroupName": tg_name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": net.vpc,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 3,
        "HealthCheckPath": "/healthz",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "ip",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    return (
        [
            {"service": "elbv2", "type": "LoadBalancer", "item": lb},
            {"service": "elbv2", "type": "TargetGroup", "item": tg},
        ],
        lb_arn,
        tg_arn,
        lb_dim,
        tg_dim,
    )


def ecs_service(
    net: Net,
    cluster: str,
    service: str,
    family: str,
    revision: int,
    desired: int,
    tg_arn: str | None,
    port: int,
    sg: str,
    created: datetime,
    deployed: datetime,
    rng: random.Random,
    events: list[tuple[datetime, str]],
) -> list[Rec]:
    cl_arn = f"arn:aws:ecs:{net.region}:{net.account}:cluster/{cluster}"
    svc_arn = f"arn:aws:ecs:{net.region}:{net.account}:service/{cluster}/{service}"
    td_arn = f"arn:aws:ecs:{net.region}:{net.account}:task-definition/{family}:{revision}"
    dep_id = "ecs-svc/" + "".join(rng.choice("0123456789") for _ in range(19))
    svc: Rec = {
        "serviceArn": svc_arn,
        "serviceName": service,
        "clusterArn": cl_arn,
        "loadBalancers": (
            [{"targetGroupArn": tg_arn, "containerName": service, "containerPort": port}] if tg_arn else []
        ),
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": desired,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": td_arn,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": dep_id,
                "status": "PRIMARY",
                "taskDefinition": td_arn,
                "desiredCount": desired,
                "pendingCount": 0,
                "runningCount": desired,
                "failedTasks": 0,
                "createdAt": iso_ms(deployed),
                "updatedAt": iso_ms(deployed + timedelta(minutes=6)),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment " + dep_id + " completed.",
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": list(net.subnets),
                        "securityGroups": [sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
            }
        ],
        "roleArn": f"arn:aws:iam::{net.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [
            {"id": uid(rng), "createdAt": iso_ms(t), "message": m}
            for t, m in sorted(events, reverse=True)[:10]
        ],
        "createdAt": iso_ms(created),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": list(net.subnets),
                "securityGroups": [sg],
                "assignPublicIp": "DISABLED",
            }
        },
        "healthCheckGracePeriodSeconds": 60 if tg_arn else 0,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "createdBy": f"arn:aws:iam::{net.account}:role/platform-terraform-apply",
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    return [{"service": "ecs", "type": "Service", "item": svc}]


def ecs_cluster(net: Net, cluster: str, services: int, tasks: int) -> Rec:
    return {
        "service": "ecs",
        "type": "Cluster",
        "item": {
            "clusterArn": f"arn:aws:ecs:{net.region}:{net.account}:cluster/{cluster}",
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks,
            "pendingTasksCount": 0,
            "activeServicesCount": services,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    }


def first_run(
    points: list[tuple[datetime, float]], threshold: float, n: int, above: bool = True
) -> int | None:
    """Index of the last datapoint of the first run of n consecutive breaching points."""
    run = 0
    for i, (_, v) in enumerate(points):
        hit = v > threshold if above else v < threshold
        run = run + 1 if hit else 0
        if run >= n:
            return i
    return None


def task_id(rng: random.Random) -> str:
    return hexid(rng, 32)


def between(rng: random.Random, a: datetime, b: datetime) -> datetime:
    span = int((b - a).total_seconds())
    return a + timedelta(seconds=rng.randrange(max(1, span)))
