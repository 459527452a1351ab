"""Private helpers for the zzzb incidents: ids, CloudTrail records, metric series, alarms, logs."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    """Deterministic builders for one incident; every random choice goes through `self.r`."""

    def __init__(self, seed: int, salt: str, account: str, region: str) -> None:
        self.r = random.Random(f"{salt}:{seed}")
        self.account = account
        self.region = region
        self.ct: list[Rec] = []
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.console_ip = f"{self.r.choice([81, 86, 92, 145, 203])}.{self.r.randint(1, 250)}.{self.r.randint(0, 255)}.{self.r.randint(2, 250)}"

    # --- ids ---------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, upper: bool = True) -> str:
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.r.choice(chars) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def request_id(self) -> str:
        return self.uuid()

    # --- identities ----------------------------------------------------------------------------------
    def sso(self, person: str, perm_set: str, suffix: str) -> Rec:
        role = f"AWSReservedSSO_{perm_set}_{suffix}"
        rid = "AROA" + self.alnum(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{person}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{person}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str, path: str = "/") -> Rec:
        rid = "AROA" + self.alnum(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    # --- CloudTrail ----------------------------------------------------------------------------------
    def trail(
        self,
        t: datetime,
        who: Rec,
        source: str,
        name: str,
        params: Rec | None,
        response: Rec | None = None,
        *,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str = "",
        region: str | None = None,
        error: tuple[str, str] | None = None,
        invoked_by: str | None = None,
    ) -> Rec:
        ident = json.loads(json.dumps(who))
        if "sessionContext" in ident:
            created = t - timedelta(minutes=self.r.randint(3, 50))
            ident["sessionContext"]["attributes"]["creationDate"] = iso(created)
        if invoked_by:
            ident["invokedBy"] = invoked_by
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": invoked_by
            or ip
            or f"10.{self.r.randint(20, 40)}.{self.r.randint(0, 255)}.{self.r.randint(2, 250)}",
            "userAgent": invoked_by or agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.request_id(),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if agent == "console.amazonaws.com" and not ip:
            rec["sourceIPAddress"] = self.console_ip
            rec["sessionCredentialFromConsole"] = "true"
        if error:
            rec["errorCode"], rec["errorMessage"] = error
            rec["responseElements"] = None
        if not invoked_by:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region or self.region}.amazonaws.com",
            }
        self.ct.append(rec)
        return rec

    def readonly_noise(
        self,
        t0: datetime,
        t1: datetime,
        who: Rec,
        calls: list[tuple[str, str, Rec | None]],
        every_min: int,
        agent: str,
        ip: str = "",
    ) -> None:
        t = t0 + timedelta(seconds=self.r.randint(0, 300))
        while t < t1:
            for source, name, params in calls:
                self.trail(
                    t + timedelta(seconds=self.r.randint(0, 40)),
                    who,
                    source,
                    name,
                    params,
                    None,
                    read_only=True,
                    agent=agent,
                    ip=ip,
                )
            t += timedelta(minutes=every_min, seconds=self.r.randint(-60, 60))

    # --- metrics -------------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        t0: datetime,
        t1: datetime,
        fn: Callable[[datetime], float | None],
        step: int = 60,
        kind: str = "value",
        samples: Callable[[datetime], int] | None = None,
    ) -> None:
        t = t0
        while t < t1:
            v = fn(t)
            if v is not None:
                d: Rec = {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                }
                v = round(float(v), 3)
                if kind == "sum":
                    n = float(samples(t) if samples else max(1, round(v)))
                    n = max(n, 1.0)
                    d["statistic_values"] = {
                        "SampleCount": n,
                        "Sum": v,
                        "Minimum": 0.0 if v < n else round(v / n, 3),
                        "Maximum": round(v / n * 1.9, 3) if n > 1 else v,
                    }
                    if d["statistic_values"]["Minimum"] > d["statistic_values"]["Maximum"]:
                        d["statistic_values"]["Maximum"] = d["statistic_values"]["Minimum"]
                else:
                    d["value"] = v
                self.metrics.append(d)
            t += timedelta(seconds=step)

    def noise(self, base: float, pct: float) -> float:
        return base * (1 + self.r.uniform(-pct, pct))

    # --- alarms --------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        *,
        description: str = "",
        topic: str = "",
        treat_missing: str = "missing",
        datapoints: int | None = None,
        unit: str | None = None,
        updated: datetime,
    ) -> Rec:
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(updated),
            "ActionsEnabled": True,
            "OKActions": [topic] if topic else [],
            "AlarmActions": [topic] if topic else [],
            "InsufficientDataActions": [],
            "StateValue": "OK",
            "StateReason": "",
            "StateUpdatedTimestamp": iso_ms(updated),
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
        }
        if description:
            a["AlarmDescription"] = description
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(
        self, alarm: Rec, t: datetime, new: str, reason: str, reason_data: Rec | None = None
    ) -> None:
        old = alarm["StateValue"]
        old_reason = alarm["StateReason"]
        new_state: Rec = {"stateValue": new, "stateReason": reason}
        if reason_data is not None:
            new_state["stateReasonData"] = reason_data
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": old_reason},
            "newState": new_state,
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )
        alarm["StateValue"] = new
        alarm["StateReason"] = reason
        alarm["StateUpdatedTimestamp"] = iso_ms(t)
        if reason_data is not None:
            alarm["StateReasonData"] = json.dumps(reason_data, separators=(",", ":"))
        alarm["StateTransitionedTimestamp"] = iso_ms(t)

    def alarm_event(
        self, alarm: Rec, t: datetime, prev_value: str, prev_reason: str, prev_t: datetime
    ) -> Rec:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": alarm["StateValue"],
                    "reason": alarm["StateReason"],
                    "reasonData": alarm.get("StateReasonData", ""),
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000",
                },
                "previousState": {
                    "value": prev_value,
                    "reason": prev_reason,
                    "timestamp": prev_t.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{prev_t.microsecond // 1000:03d}+0000",
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hex(8) + "-" + self.hex(4),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": dims,
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

    # --- logs and resources --------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def records(self) -> dict[str, list[Rec]]:
        out: dict[str, list[Rec]] = {
            "metrics": sorted(self.metrics, key=lambda d: (d["timestamp"], d["namespace"], d["metric"])),
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda h: h["Timestamp"]),
            "logs": sorted(self.logs, key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"])),
            "cloudtrail": sorted(self.ct, key=lambda c: c["eventTime"]),
            "resources": self.resources,
        }
        if self.events:
            out["events"] = self.events
        return {k: v for k, v in out.items() if v}


def threshold_reason(
    n: int, m: int, points: list[tuple[float, datetime]], op_word: str, threshold: float
) -> str:
    pts = ", ".join(f"{v} ({t.strftime('%d/%m/%y %H:%M:%S')})" for v, t in points)
    word = "datapoint" if len(points) == 1 else "datapoints"
    return (
        f"Threshold Crossed: {len(points)} out of the last {m} {word} [{pts}] {'was' if len(points) == 1 else 'were'} {op_word} the threshold ({threshold})."
        if m != len(points)
        else f"Threshold Crossed: {len(points)} {word} [{pts}] {'was' if len(points) == 1 else 'were'} {op_word} the threshold ({threshold})."
    )


def reason_data(
    stat: str, period: int, t: datetime, points: list[float], threshold: float, start: datetime
) -> Rec:
    return {
        "version": "1.0",
        "queryDate": iso_ms(t).replace("Z", "+0000"),
        "startDate": iso_ms(start).replace("Z", "+0000"),
        "statistic": stat,
        "period": period,
        "recentDatapoints": points,
        "threshold": threshold,
        "evaluatedDatapoints": [],
    }


# --- resource builders shared by the incidents -------------------------------------------------------


def ecs_cluster(k: Kit, name: str, services: int, tasks: int) -> Rec:
    return {
        "clusterArn": f"arn:aws:ecs:{k.region}:{k.account}:cluster/{name}",
        "clusterName": name,
        "status": "ACTIVE",
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": tasks,
        "pendingTasksCount": 0,
        "activeServicesCount": services,
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "settings": [{"name": "containerInsights", "value": "disabled"}],
    }


def ecs_service(
    k: Kit,
    cluster: str,
    name: str,
    family: str,
    revision: int,
    desired: int,
    created: datetime,
    updated: datetime,
    subnets: list[str],
    sg: str,
    tg_arn: str | None = None,
    port: int = 8080,
) -> Rec:
    td = f"arn:aws:ecs:{k.region}:{k.account}:task-definition/{family}:{revision}"
    net = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg], "assignPublicIp": "DISABLED"}}
    svc: Rec = {
        "serviceArn": f"arn:aws:ecs:{k.region}:{k.account}:service/{cluster}/{name}",
        "serviceName": name,
        "clusterArn": f"arn:aws:ecs:{k.region}:{k.account}:cluster/{cluster}",
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
        "taskDefinition": td,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": [
            {
                "id": "ecs-svc/" + "".join(k.r.choice("0123456789") for _ in range(19)),
                "status": "PRIMARY",
                "taskDefinition": td,
                "desiredCount": desired,
                "pendingCount": 0,
                "runningCount": desired,
                "failedTasks": 0,
                "createdAt": iso(updated),
                "updatedAt": iso(updated + timedelta(minutes=4)),
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "networkConfiguration": net,
                "rolloutState": "COMPLETED",
                "rolloutStateReason": "ECS deployment ecs-svc completed.",
            }
        ],
        "roleArn": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [],
        "createdAt": iso(created),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": net,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
    }
    if tg_arn:
        svc["healthCheckGracePeriodSeconds"] = 30
    return svc


def task_definition(
    k: Kit,
    family: str,
    revision: int,
    image: str,
    cpu: str,
    mem: str,
    env: list[tuple[str, str]],
    registered: datetime,
    task_role: str,
    port: int | None = 8080,
) -> Rec:
    cont: Rec = {
        "name": family,
        "image": image,
        "cpu": 0,
        "essential": True,
        "environment": [{"name": n, "value": v} for n, v in env],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": f"/ecs/{family}",
                "awslogs-region": k.region,
                "awslogs-stream-prefix": "ecs",
            },
        },
    }
    if port:
        cont["portMappings"] = [{"containerPort": port, "hostPort": port, "protocol": "tcp"}]
    return {
        "taskDefinitionArn": f"arn:aws:ecs:{k.region}:{k.account}:task-definition/{family}:{revision}",
        "containerDefinitions": [cont],
        "family": family,
        "taskRoleArn": f"arn:aws:iam::{k.account}:role/{task_role}",
        "executionRoleArn": f"arn:aws:iam::{k.account}:role/ecsTaskExecutionRole",
        "networkMode": "awsvpc",
        "revision": revision,
        "status": "ACTIVE",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": cpu,
        "memory": mem,
        "registeredAt": iso(registered),
        "registeredBy": f"arn:aws:sts::{k.account}:assumed-role/github-actions-deploy/GitHubActions",
    }


def alb(k: Kit, name: str, vpc: str, sg: str, created: datetime, subnets: list[tuple[str, str]]) -> Rec:
    lb_id = k.hex(16)
    return {
        "LoadBalancerArn": f"arn:aws:elasticloadbalancing:{k.region}:{k.account}:loadbalancer/app/{name}/{lb_id}",
        "DNSName": f"{name}-{k.r.randint(100000000, 1999999999)}.{k.region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
        "CreatedTime": iso(created),
        "LoadBalancerName": name,
        "Scheme": "internet-facing",
        "VpcId": vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in subnets],
        "SecurityGroups": [sg],
        "IpAddressType": "ipv4",
    }


def target_group(k: Kit, name: str, vpc: str, lb_arn: str, port: int, path: str) -> Rec:
    return {
        "TargetGroupArn": f"arn:aws:elasticloadbalancing:{k.region}:{k.account}:targetgroup/{name}/{k.hex(16)}",
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": vpc,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 3,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "ip",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


def lb_dim(arn: str) -> str:
    return arn.split(":loadbalancer/")[1]


def tg_dim(arn: str) -> str:
    return "targetgroup/" + arn.split(":targetgroup/")[1]


def log_group(k: Kit, name: str, created: datetime, retention: int = 30) -> Rec:
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{k.region}:{k.account}:log-group:{name}:*",
        "storedBytes": k.r.randint(10**8, 10**10),
    }
