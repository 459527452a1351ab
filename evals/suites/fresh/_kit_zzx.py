"""Private helpers for kit zzx's incidents (scheduled and batch work)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]

REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "eu-west-2", "ap-southeast-2"]


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


class Ids:
    """Deterministic identifiers from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def account(self) -> str:
        return str(self.rng.randint(10**11, 10**12 - 1))

    def ip(self) -> str:
        return f"{self.rng.choice([52, 54, 18, 3, 35])}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"


def day(rng: random.Random, weekday: int | None = None) -> datetime:
    """A midnight in 2026 (optionally on a given weekday, Monday=0)."""
    d = datetime(2026, 1, 12, tzinfo=UTC) + timedelta(days=rng.randint(0, 300))
    if weekday is not None:
        d += timedelta(days=(weekday - d.weekday()) % 7)
    return d


# --- CloudTrail ----------------------------------------------------------------------------------


def role_identity(ids: Ids, account: str, role: str, session: str, *, invoked_by: str | None = None) -> Rec:
    pid = "AROA" + ids.upper(17)
    ident: Rec = {
        "type": "AssumedRole",
        "principalId": f"{pid}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": "ASIA" + ids.upper(16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": pid,
                "arn": f"arn:aws:iam::{account}:role/{role}",
                "accountId": account,
                "userName": role,
            },
            "attributes": {"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return ident


class Trail:
    """Builds CloudTrail records as delivered to S3 for one account and region."""

    def __init__(self, ids: Ids, account: str, region: str) -> None:
        self.ids = ids
        self.account = account
        self.region = region
        self.records: list[Rec] = []
        self._roles: dict[tuple[str, str, str | None], Rec] = {}

    def who(self, role: str, session: str, invoked_by: str | None = None) -> Rec:
        key = (role, session, invoked_by)
        if key not in self._roles:
            self._roles[key] = role_identity(self.ids, self.account, role, session, invoked_by=invoked_by)
        return self._roles[key]

    def add(
        self,
        when: datetime,
        source: str,
        name: str,
        who: Rec,
        params: Rec | None = None,
        response: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.6",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> Rec:
        rec: Rec = {
            "eventVersion": "1.11" if "invokedBy" not in who else "1.09",
            "userIdentity": who,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": who.get("invokedBy") or ip or "10.20.4.17",
            "userAgent": who.get("invokedBy") or agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        rec["requestID"] = self.ids.uuid()
        rec["eventID"] = self.ids.uuid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if "invokedBy" not in who:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.records.append(rec)
        return rec

    def poll_noise(
        self,
        rng: random.Random,
        t0: datetime,
        t1: datetime,
        calls: list[tuple[str, str, Any]],
        *,
        role: str = "DatadogIntegrationRole",
        session: str = "DatadogAWSIntegration",
        every: int = 600,
        agent: str = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
    ) -> None:
        """Read-only calls a monitoring integration makes on a timer."""
        who = self.who(role, session)
        t = t0 + timedelta(seconds=rng.randint(0, every))
        while t < t1:
            source, name, params = rng.choice(calls)
            self.add(t, source, name, who, params, None, read_only=True, agent=agent, ip="3.233.148.20")
            t += timedelta(seconds=every + rng.randint(-every // 4, every // 4))

    def sorted(self) -> list[Rec]:
        return sorted(self.records, key=lambda r: str(r["eventTime"]))


# --- metrics -------------------------------------------------------------------------------------


def series(
    namespace: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    t0: datetime,
    t1: datetime,
    step: int,
    f: Callable[[datetime], float | None],
) -> list[Rec]:
    out: list[Rec] = []
    t = t0
    while t < t1:
        v = f(t)
        if v is not None:
            out.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": round(float(v), 3),
                }
            )
        t += timedelta(seconds=step)
    return out


# --- alarms --------------------------------------------------------------------------------------


def alarm(
    account: str,
    region: str,
    name: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    *,
    stat: str,
    period: int,
    evals: int,
    threshold: float,
    op: str,
    state: str,
    reason: str,
    state_time: datetime,
    config_time: datetime,
    description: str,
    topic: str,
    treat_missing: str = "missing",
    datapoints: int | None = None,
    unit: str | None = None,
) -> Rec:
    item: Rec = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        "AlarmDescription": description,
        "AlarmConfigurationUpdatedTimestamp": iso_ms(config_time),
        "ActionsEnabled": True,
        "OKActions": [topic],
        "AlarmActions": [topic],
        "InsufficientDataActions": [],
        "StateValue": state,
        "StateReason": reason,
        "StateUpdatedTimestamp": iso_ms(state_time),
        "MetricName": metric,
        "Namespace": namespace,
        "Statistic": stat,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": period,
        "EvaluationPeriods": evals,
        "DatapointsToAlarm": datapoints or evals,
        "Threshold": threshold,
        "ComparisonOperator": op,
        "TreatMissingData": treat_missing,
        "StateTransitionedTimestamp": iso_ms(state_time),
    }
    if unit:
        item["Unit"] = unit
    return item


_OPS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def crossed(al: Rec, points: list[tuple[datetime, float]], new: str) -> tuple[str, Rec]:
    """StateReason text and reason data for a threshold evaluation, as CloudWatch writes them."""
    vals = ", ".join(f"{float(v)!r} ({t.strftime('%d/%m/%y %H:%M:%S')})" for t, v in points)
    n = len(points)
    word = "Crossed" if new == "ALARM" else "not Crossed"
    ops = _OPS[al["ComparisonOperator"]]
    if new == "ALARM":
        text = (
            f"Threshold Crossed: {n} out of the last {n} datapoints [{vals}] was {ops} the threshold "
            f"({float(al['Threshold'])!r}) (minimum {al['DatapointsToAlarm']} datapoint for OK -> ALARM transition)."
        )
    else:
        text = (
            f"Threshold {word}: 1 out of the last {n} datapoints [{vals}] was not {ops} the threshold "
            f"({float(al['Threshold'])!r}) (minimum 1 datapoint for ALARM -> OK transition)."
        )
    last = points[-1][0] if points else datetime(2026, 1, 1, tzinfo=UTC)
    data: Rec = {
        "version": "1.0",
        "queryDate": iso_ms(last + timedelta(seconds=al["Period"] + 30)).replace("Z", "+0000"),
        "startDate": iso_ms(points[0][0] if points else last).replace("Z", "+0000"),
        "statistic": al["Statistic"],
        "period": al["Period"],
        "recentDatapoints": [float(v) for _, v in points],
        "threshold": float(al["Threshold"]),
        "evaluatedDatapoints": [
            {"timestamp": iso_ms(t).replace("Z", "+0000"), "sampleCount": 1.0, "value": float(v)}
            for t, v in reversed(points)
        ],
    }
    return text, data


def history(
    al: Rec, when: datetime, old: str, new: str, reason: str, data: Rec | None, old_reason: str = ""
) -> Rec:
    new_state: Rec = {"stateValue": new, "stateReason": reason}
    if data is not None:
        new_state["stateReasonData"] = data
    hd = {
        "version": "1.0",
        "oldState": {"stateValue": old, "stateReason": old_reason or "Threshold Crossed"},
        "newState": new_state,
    }
    return {
        "AlarmName": al["AlarmName"],
        "AlarmType": "MetricAlarm",
        "Timestamp": iso_ms(when),
        "HistoryItemType": "StateUpdate",
        "HistorySummary": f"Alarm updated from {old} to {new}",
        "HistoryData": json.dumps(hd, separators=(",", ":")),
    }


def alarm_event(
    ids: Ids,
    al: Rec,
    when: datetime,
    reason: str,
    data: Rec,
    prev_value: str,
    prev_time: datetime,
    prev_reason: str,
) -> Rec:
    dims = {d["Name"]: d["Value"] for d in al["Dimensions"]}
    return {
        "version": "0",
        "id": ids.uuid(),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": al["AlarmArn"].split(":")[4],
        "time": iso(when),
        "region": al["AlarmArn"].split(":")[3],
        "resources": [al["AlarmArn"]],
        "detail": {
            "alarmName": al["AlarmName"],
            "state": {
                "value": "ALARM",
                "reason": reason,
                "reasonData": json.dumps(data, separators=(",", ":")),
                "timestamp": iso_ms(when).replace("Z", "+0000"),
            },
            "previousState": {
                "value": prev_value,
                "reason": prev_reason,
                "timestamp": iso_ms(prev_time).replace("Z", "+0000"),
            },
            "configuration": {
                "description": al.get("AlarmDescription", ""),
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": al["Namespace"],
                                "name": al["MetricName"],
                                "dimensions": dims,
                            },
                            "period": al["Period"],
                            "stat": al["Statistic"],
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


# --- resources -----------------------------------------------------------------------------------


def res(service: str, type_: str, item: Rec) -> Rec:
    return {"service": service, "type": type_, "item": item}


def log_group(account: str, region: str, name: str, created: datetime, retention: int | None = 30) -> Rec:
    item: Rec = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:{name}",
    }
    if retention:
        item["retentionInDays"] = retention
    return res("logs", "LogGroup", item)


def role(
    ids: Ids, account: str, name: str, service: str, created: datetime, last_used: datetime, region: str
) -> Rec:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": name,
            "RoleId": "AROA" + ids.upper(17),
            "Arn": f"arn:aws:iam::{account}:role/{name}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": quote(json.dumps(doc, separators=(",", ":"))),
            "MaxSessionDuration": 3600,
            "RoleLastUsed": {"LastUsedDate": iso(last_used), "Region": region},
        },
    )


def queue(
    account: str,
    region: str,
    name: str,
    created: datetime,
    modified: datetime,
    *,
    visibility: int,
    visible: int = 0,
    in_flight: int = 0,
    dlq: str | None = None,
    max_receive: int = 5,
    retention: int = 345600,
    tags: dict[str, str] | None = None,
) -> Rec:
    attrs = {
        "QueueArn": f"arn:aws:sqs:{region}:{account}:{name}",
        "ApproximateNumberOfMessages": str(visible),
        "ApproximateNumberOfMessagesNotVisible": str(in_flight),
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": str(int(created.timestamp())),
        "LastModifiedTimestamp": str(int(modified.timestamp())),
        "VisibilityTimeout": str(visibility),
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": str(retention),
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
    }
    if dlq:
        attrs["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": f"arn:aws:sqs:{region}:{account}:{dlq}", "maxReceiveCount": max_receive},
            separators=(",", ":"),
        )
    return res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{name}",
            "Attributes": attrs,
            "Tags": tags or {},
        },
    )


def lambda_lines(
    rng: random.Random,
    ids: Ids,
    when: datetime,
    body: list[tuple[float, str]],
    dur_ms: float,
    mem: int,
    used: int,
) -> list[tuple[datetime, str]]:
    """START/body/END/REPORT lines of one Lambda invocation (Python runtime's default text format)."""
    rid = ids.uuid()
    out = [(when, f"START RequestId: {rid} Version: $LATEST")]
    for off, text in body:
        t = when + timedelta(milliseconds=off)
        out.append((t, f"[INFO]\t{iso_ms(t)}\t{rid}\t{text}"))
    end = when + timedelta(milliseconds=dur_ms)
    out.append((end, f"END RequestId: {rid}"))
    billed = int(dur_ms) + 1
    out.append(
        (
            end,
            f"REPORT RequestId: {rid}\tDuration: {dur_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used} MB",
        )
    )
    return out


def logs(group: str, stream: str, lines: list[tuple[datetime, str]]) -> list[Rec]:
    return [{"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": m} for t, m in lines]


def bundle(manifest: Rec, **records: list[Rec]) -> Bundle:
    m = Manifest.model_validate(manifest)
    rows: dict[str, list[Rec]] = {}
    for kind, recs in records.items():
        if kind in ("logs",):
            rows[kind] = sorted(recs, key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        elif kind == "metrics":
            rows[kind] = sorted(recs, key=lambda r: (r["namespace"], r["metric"], str(r["timestamp"])))
        else:
            rows[kind] = recs
    return Bundle(m, rows)


def ecs_cluster(account: str, region: str, name: str, running: int, services: int) -> Rec:
    return res(
        "ecs",
        "Cluster",
        {
            "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{name}",
            "clusterName": name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": running,
            "pendingTasksCount": 0,
            "activeServicesCount": services,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )


def ecs_taskdef(
    account: str,
    region: str,
    family: str,
    revision: int,
    image: str,
    registered: datetime,
    task_role: str,
    env: dict[str, str],
    cpu: str = "1024",
    memory: str = "2048",
) -> Rec:
    return res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{family}:{revision}",
            "containerDefinitions": [
                {
                    "name": family,
                    "image": image,
                    "cpu": 0,
                    "essential": True,
                    "environment": [{"name": k, "value": v} for k, v in env.items()],
                    "mountPoints": [],
                    "volumesFrom": [],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{family}",
                            "awslogs-region": region,
                            "awslogs-stream-prefix": family,
                        },
                    },
                }
            ],
            "family": family,
            "taskRoleArn": f"arn:aws:iam::{account}:role/{task_role}",
            "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "revision": revision,
            "volumes": [],
            "status": "ACTIVE",
            "compatibilities": ["EC2", "FARGATE"],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": cpu,
            "memory": memory,
            "registeredAt": iso_ms(registered),
            "registeredBy": f"arn:aws:sts::{account}:assumed-role/github-actions-deploy/GitHubActions",
        },
    )


def ecs_service(
    ids: Ids,
    account: str,
    region: str,
    cluster: str,
    name: str,
    taskdef: str,
    count: int,
    created: datetime,
    deployed: datetime,
    subnets: list[str],
    sg: str,
    events: list[tuple[datetime, str]],
) -> Rec:
    return res(
        "ecs",
        "Service",
        {
            "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{name}",
            "serviceName": name,
            "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
            "loadBalancers": [],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": count,
            "runningCount": count,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{taskdef}",
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": "ecs-svc/" + str(ids.rng.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{taskdef}",
                    "desiredCount": count,
                    "pendingCount": 0,
                    "runningCount": count,
                    "failedTasks": 0,
                    "createdAt": iso_ms(deployed),
                    "updatedAt": iso_ms(deployed + timedelta(minutes=4)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": subnets,
                            "securityGroups": [sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "events": [
                {"id": ids.uuid(), "createdAt": iso_ms(t), "message": m}
                for t, m in sorted(events, key=lambda e: e[0], reverse=True)
            ],
            "createdAt": iso_ms(created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{account}:role/terraform-apply",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )


def lambda_fn(
    account: str,
    region: str,
    name: str,
    role_name: str,
    modified: datetime,
    *,
    memory: int = 512,
    timeout: int = 60,
    handler: str = "app.handler",
    runtime: str = "python3.12",
    env: dict[str, str] | None = None,
    sha: str = "",
    version: str = "$LATEST",
) -> Rec:
    item: Rec = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{account}:role/{role_name}",
        "Handler": handler,
        "CodeSize": 48213,
        "Description": "",
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": sha or "3n9yT0b1Jm0fQk6h2Zr4vC8pL1sX7eW5aD2gH4jK6mN=",
        "Version": version,
        "TracingConfig": {"Mode": "PassThrough"},
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    return res("lambda", "FunctionConfiguration", item)


def schedule(
    account: str,
    region: str,
    name: str,
    expr: str,
    tz: str,
    target_arn: str,
    role_name: str,
    created: datetime,
    modified: datetime,
    *,
    group: str = "default",
    target_input: str | None = None,
    description: str = "",
) -> Rec:
    target: Rec = {
        "Arn": target_arn,
        "RoleArn": f"arn:aws:iam::{account}:role/{role_name}",
        "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
    }
    if target_input is not None:
        target["Input"] = target_input
    return res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": f"arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}",
            "GroupName": group,
            "Name": name,
            "ScheduleExpression": expr,
            "Description": description,
            "ScheduleExpressionTimezone": tz,
            "State": "ENABLED",
            "CreationDate": iso_ms(created),
            "LastModificationDate": iso_ms(modified),
            "Target": target,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "NONE",
        },
    )


def table(
    account: str, region: str, name: str, created: datetime, keys: list[tuple[str, str]], items: int, ids: Ids
) -> Rec:
    return res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
            "TableName": name,
            "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in keys],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": items * 412,
            "ItemCount": items,
            "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
            "TableId": ids.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "DeletionProtectionEnabled": True,
            "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS"},
        },
    )
