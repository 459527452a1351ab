"""Private helpers of kit `zzu`: a payments account's telemetry, written in AWS's own shapes."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest

MIN = timedelta(minutes=1)

_WORDS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start.replace(second=0, microsecond=0)
    while t <= end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


def local_clock(t: datetime, zone: str) -> str:
    """A clock time as a person in `zone` would say it ("5:20pm")."""
    loc = t.astimezone(ZoneInfo(zone))
    hour = loc.hour % 12 or 12
    return f"{hour}:{loc.minute:02d}{'am' if loc.hour < 12 else 'pm'}"


class Account:
    """One incident's account: ids from its seed, and the records it collects."""

    def __init__(self, seed: int, region: str = "eu-west-1") -> None:
        self.rng = random.Random(seed)
        self.account = str(self.rng.randint(210000000000, 989999999999))
        self.region = region
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # --- ids --------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, upper: bool = False) -> str:
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" if upper else "abcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(chars) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def day(self, first: datetime, spread_days: int) -> datetime:
        """A date from the seed, at midnight UTC."""
        return first + timedelta(days=self.rng.randint(0, spread_days))

    # --- identities -------------------------------------------------------------------------------

    def role_identity(self, role: str, session: str, issued: datetime) -> dict[str, Any]:
        rid = "AROA" + self.alnum(17, upper=True)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.alnum(16, upper=True),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(issued), "mfaAuthenticated": "false"},
            },
        }

    # --- records ----------------------------------------------------------------------------------

    def call(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        params: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[dict[str, Any]] | None = None,
        invoked_by: str | None = None,
    ) -> str:
        """Record one management API call; return its eventID."""
        event_id = self.uuid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked_by
            or ip
            or f"10.40.{self.rng.randint(1, 60)}.{self.rng.randint(2, 250)}",
            "userAgent": invoked_by or agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
            "eventID": event_id,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if resources:
            rec["resources"] = resources
        if not invoked_by:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return event_id

    def service_event(
        self, t: datetime, source: str, name: str, detail: dict[str, Any], resources: list[dict[str, Any]]
    ) -> str:
        event_id = self.uuid()
        self.trail.append(
            {
                "eventVersion": "1.11",
                "userIdentity": {"accountId": self.account, "invokedBy": source},
                "eventTime": iso(t),
                "eventSource": source,
                "eventName": name,
                "awsRegion": self.region,
                "sourceIPAddress": source,
                "userAgent": source,
                "requestParameters": None,
                "responseElements": None,
                "additionalEventData": detail,
                "requestID": self.uuid(),
                "eventID": event_id,
                "readOnly": False,
                "resources": resources,
                "eventType": "AwsServiceEvent",
                "managementEvent": True,
                "recipientAccountId": self.account,
                "eventCategory": "Management",
            }
        )
        return event_id

    def metric(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, value: float, unit: str = "Count"
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def stats(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, samples: list[float], unit: str
    ) -> None:
        if not samples:
            return
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(len(samples)),
                    "Sum": round(sum(samples), 3),
                    "Minimum": round(min(samples), 3),
                    "Maximum": round(max(samples), 3),
                },
            }
        )

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        times: Iterable[datetime],
        fn: Callable[[datetime], float | None],
        unit: str = "Count",
    ) -> None:
        for t in times:
            v = fn(t)
            if v is not None:
                self.metric(ns, name, dims, t, max(0.0, v), unit)

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    # --- alarms -----------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str = "GreaterThanThreshold",
        datapoints: int | None = None,
        missing: str = "missing",
        description: str = "",
        topic: str = "payments-oncall",
        updated: datetime,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(updated),
            "ActionsEnabled": True,
            "OKActions": [self.arn("sns", topic)],
            "AlarmActions": [self.arn("sns", topic)],
            "InsufficientDataActions": [],
            "StateValue": "OK",
            "StateReason": _quiet_reason(missing, evals, threshold, op, updated),
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
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(updated),
        }
        self.alarms.append(item)
        return item

    def transition(
        self, alarm: dict[str, Any], t: datetime, new: str, points: list[tuple[datetime, float]]
    ) -> dict[str, Any]:
        """Move `alarm` to state `new` at `t` on `points` (newest first); record history; return the event."""
        old = alarm["StateValue"]
        old_reason = alarm["StateReason"]
        old_time = alarm["StateUpdatedTimestamp"]
        word = _WORDS[alarm["ComparisonOperator"]]
        need = alarm["DatapointsToAlarm"] if new == "ALARM" else 1
        n = len(points)
        shown = ", ".join(f"{v:g} ({p:%d/%m/%y %H:%M:%S})" for p, v in points)
        if new == "ALARM":
            count = sum(1 for _, v in points if _crosses(alarm, v))
            verb = "was" if count == 1 else "were"
            reason = (
                f"Threshold Crossed: {count} out of the last {n} datapoints [{shown}] {verb} {word} the "
                f"threshold ({alarm['Threshold']:g}) (minimum {need} datapoint{'s' if need > 1 else ''} "
                f"for {old} -> ALARM transition)."
            )
        else:
            count = sum(1 for _, v in points if not _crosses(alarm, v))
            verb = "was" if count == 1 else "were"
            reason = (
                f"Threshold Crossed: {count} out of the last {n} datapoints [{shown}] {verb} not {word} the "
                f"threshold ({alarm['Threshold']:g}) (minimum 1 datapoint for {old} -> {new} transition)."
            )
        period = alarm["Period"]
        data = {
            "version": "1.0",
            "queryDate": iso_ms(t),
            "startDate": iso_ms(points[-1][0]),
            "statistic": alarm["Statistic"],
            "period": period,
            "recentDatapoints": [v for _, v in reversed(points)],
            "threshold": alarm["Threshold"],
            "evaluatedDatapoints": [
                {"timestamp": iso_ms(p), "sampleCount": 1.0, "value": v} for p, v in points
            ],
        }
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old, "stateReason": old_reason},
                        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                    }
                ),
            }
        )
        alarm.update(
            StateValue=new,
            StateReason=reason,
            StateReasonData=json.dumps(data),
            StateUpdatedTimestamp=iso_ms(t),
            StateTransitionedTimestamp=iso_ms(t),
        )
        if "AlarmActions" in alarm and alarm["ActionsEnabled"]:
            topic = alarm["AlarmActions" if new == "ALARM" else "OKActions"]
            if topic:
                self.history.append(
                    {
                        "AlarmName": alarm["AlarmName"],
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(t + timedelta(milliseconds=180)),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {topic[0]}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(t),
                                "notificationResource": topic[0],
                                "publishedMessage": {"MessageId": self.uuid()},
                            }
                        ),
                    }
                )
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
                    "value": new,
                    "reason": reason,
                    "reasonData": json.dumps(data),
                    "timestamp": iso_ms(t),
                },
                "previousState": {"value": old, "reason": old_reason, "timestamp": old_time},
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": dims,
                                },
                                "period": period,
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    def evaluate(
        self,
        alarm: dict[str, Any],
        values: dict[datetime, float],
        times: Iterable[datetime],
        now: datetime,
        lag: int = 40,
    ) -> list[tuple[datetime, dict[str, Any]]]:
        """Walk an alarm over per-period `values` (keyed by period start); record its transitions."""
        out = []
        evals = alarm["EvaluationPeriods"]
        need = alarm["DatapointsToAlarm"]
        period = timedelta(seconds=alarm["Period"])
        window: list[tuple[datetime, float]] = []
        for t in times:
            if t not in values:
                continue
            window = [(t, values[t]), *window][:evals]
            at = t + period + timedelta(seconds=lag + self.rng.randint(0, 15))
            if at > now or len(window) < evals:
                continue
            hits = sum(1 for _, v in window if _crosses(alarm, v))
            state = alarm["StateValue"]
            if state != "ALARM" and hits >= need:
                out.append((at, self.transition(alarm, at, "ALARM", window)))
            elif state == "ALARM" and hits < need and not _crosses(alarm, window[0][1]):
                out.append((at, self.transition(alarm, at, "OK", window)))
        return out

    # --- bundle -----------------------------------------------------------------------------------

    def bundle(
        self,
        *,
        title: str,
        start: datetime,
        now: datetime,
        question: str | None,
        timezone: str | None,
        alarm_event: dict[str, Any] | None,
        truth: dict[str, Any],
    ) -> Bundle:
        cut = iso(now)
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": timezone},
                "truth": truth,
            }
        )
        trail = sorted((r for r in self.trail if r["eventTime"] <= cut), key=lambda r: r["eventTime"])
        logs = sorted(
            (e for e in self.logs if e["timestamp"] <= ms(now)),
            key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]),
        )
        metrics = [m for m in self.metrics if m["timestamp"] <= cut]
        history = sorted(self.history, key=lambda h: h["Timestamp"])
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def _quiet_reason(missing: str, evals: int, threshold: float, op: str, at: datetime) -> str:
    """The reason an alarm in OK since `at` shows."""
    if missing == "notBreaching":
        return (
            f"Threshold Crossed: no datapoints were received for {evals} period{'s' if evals > 1 else ''} and "
            f"{evals} missing datapoint{'s were' if evals > 1 else ' was'} treated as [NonBreaching]."
        )
    return (
        f"Threshold Crossed: 1 out of the last {evals} datapoints [0.0 ({at:%d/%m/%y %H:%M:%S})] was not "
        f"{_WORDS[op]} the threshold ({threshold:g}) (minimum 1 datapoint for ALARM -> OK transition)."
    )


def _crosses(alarm: dict[str, Any], v: float) -> bool:
    th = alarm["Threshold"]
    op = alarm["ComparisonOperator"]
    if op == "GreaterThanThreshold":
        return v > th
    if op == "GreaterThanOrEqualToThreshold":
        return v >= th
    if op == "LessThanThreshold":
        return v < th
    return v <= th


# --- background activity a payments account always has ----------------------------------------------


def tooling_reads(acct: Account, start: datetime, now: datetime, names: dict[str, list[str]], n: int) -> None:
    """Read-only calls from the monitoring integration, the console and CI, spread over the window."""
    monitor = acct.role_identity("DatadogIntegrationRole", "datadog-aws-integration", start)
    ci = acct.role_identity("github-actions-deploy", "GitHubActions", start)
    span = int((now - start).total_seconds())
    funcs = names.get("functions", [])
    queues = names.get("queues", [])
    secrets = names.get("secrets", [])
    machines = names.get("state_machines", [])
    choices: list[tuple[str, str, dict[str, Any] | None, dict[str, Any]]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, monitor),
        ("lambda.amazonaws.com", "ListFunctions20150331", None, monitor),
        ("ec2.amazonaws.com", "DescribeNatGateways", {"DescribeNatGatewaysRequest": {}}, monitor),
        ("sqs.amazonaws.com", "ListQueues", None, monitor),
        ("sns.amazonaws.com", "ListTopics", None, monitor),
        ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}, monitor),
    ]
    for f in funcs:
        choices.append(("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": f}, ci))
    for q in queues:
        url = f"https://sqs.{acct.region}.amazonaws.com/{acct.account}/{q}"
        choices.append(
            ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": url, "attributeNames": ["All"]}, monitor)
        )
    for s in secrets:
        choices.append(("secretsmanager.amazonaws.com", "DescribeSecret", {"secretId": s}, ci))
    for m in machines:
        arn = acct.arn("states", f"stateMachine:{m}")
        choices.append(("states.amazonaws.com", "DescribeStateMachine", {"stateMachineArn": arn}, monitor))
    for _ in range(n):
        t = start + timedelta(seconds=acct.rng.randint(0, span))
        source, name, params, who = acct.rng.choice(choices)
        agent = (
            "Datadog/1.0 Boto3/1.34.69 Python/3.11.9"
            if who is monitor
            else "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.get-function"
        )
        acct.call(
            t,
            source,
            name,
            who,
            params,
            None,
            read_only=True,
            agent=agent,
            ip=f"3.{acct.rng.randint(64, 250)}.{acct.rng.randint(1, 250)}.{acct.rng.randint(1, 250)}",
        )


def lambda_function(
    acct: Account,
    name: str,
    *,
    runtime: str,
    handler: str,
    timeout: int,
    memory: int,
    modified: datetime,
    role: str,
    env: dict[str, str] | None = None,
    subnets: list[str] | None = None,
    sg: str | None = None,
    vpc: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": acct.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{acct.account}:role/{role}",
        "Handler": handler,
        "CodeSize": acct.rng.randint(400000, 9000000),
        "Description": description,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": acct.alnum(43) + "=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": acct.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if env:
        item["Environment"] = {"Variables": env}
    if subnets and sg and vpc:
        item["VpcConfig"] = {"SubnetIds": subnets, "SecurityGroupIds": [sg], "VpcId": vpc}
    acct.resource("lambda", "FunctionConfiguration", item)
    return item


def lambda_report(
    acct: Account, fn: str, stream: str, t: datetime, req: str, dur: float, mem: int, used: int
) -> None:
    acct.log(f"/aws/lambda/{fn}", stream, t, f"END RequestId: {req}")
    acct.log(
        f"/aws/lambda/{fn}",
        stream,
        t,
        f"REPORT RequestId: {req}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
        f"Memory Size: {mem} MB\tMax Memory Used: {used} MB\t",
    )


def log_stream(acct: Account, t: datetime) -> str:
    return f"{t:%Y/%m/%d}/[$LATEST]{acct.hex(32)}"


def network(acct: Account, created: datetime) -> dict[str, Any]:
    """VPC, two private and two public subnets, one NAT gateway, a Lambda security group."""
    vpc = "vpc-0" + acct.hex(16)
    azs = [f"{acct.region}a", f"{acct.region}b"]
    priv = ["subnet-0" + acct.hex(16) for _ in azs]
    pub = ["subnet-0" + acct.hex(16) for _ in azs]
    nat = "nat-0" + acct.hex(16)
    eip = f"34.{acct.rng.randint(240, 255)}.{acct.rng.randint(1, 250)}.{acct.rng.randint(1, 250)}"
    sg = "sg-0" + acct.hex(16)
    acct.resource(
        "ec2",
        "Vpc",
        {
            "CidrBlock": "10.40.0.0/16",
            "DhcpOptionsId": "dopt-0" + acct.hex(16),
            "State": "available",
            "VpcId": vpc,
            "OwnerId": acct.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "payments-prod"}],
        },
    )
    for i, (az, sid) in enumerate(zip(azs, priv, strict=True)):
        acct.resource(
            "ec2",
            "Subnet",
            {
                "AvailabilityZone": az,
                "AvailableIpAddressCount": acct.rng.randint(3800, 4050),
                "CidrBlock": f"10.40.{16 * (i + 1)}.0/20",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "State": "available",
                "SubnetId": sid,
                "VpcId": vpc,
                "OwnerId": acct.account,
                "Tags": [{"Key": "Name", "Value": f"payments-prod-private-{az[-1]}"}],
            },
        )
    for i, (az, sid) in enumerate(zip(azs, pub, strict=True)):
        acct.resource(
            "ec2",
            "Subnet",
            {
                "AvailabilityZone": az,
                "AvailableIpAddressCount": 250,
                "CidrBlock": f"10.40.{i}.0/24",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "State": "available",
                "SubnetId": sid,
                "VpcId": vpc,
                "OwnerId": acct.account,
                "Tags": [{"Key": "Name", "Value": f"payments-prod-public-{az[-1]}"}],
            },
        )
    acct.resource(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(created),
            "NatGatewayAddresses": [
                {
                    "AllocationId": "eipalloc-0" + acct.hex(16),
                    "NetworkInterfaceId": "eni-0" + acct.hex(16),
                    "PrivateIp": f"10.40.0.{acct.rng.randint(10, 200)}",
                    "PublicIp": eip,
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "NatGatewayId": nat,
            "State": "available",
            "SubnetId": pub[0],
            "VpcId": vpc,
            "Tags": [{"Key": "Name", "Value": "payments-prod-nat-a"}],
            "ConnectivityType": "public",
        },
    )
    acct.resource(
        "ec2",
        "SecurityGroup",
        {
            "Description": "payments lambdas egress",
            "GroupName": "payments-lambda",
            "IpPermissions": [],
            "OwnerId": acct.account,
            "GroupId": sg,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "VpcId": vpc,
            "Tags": [{"Key": "Name", "Value": "payments-lambda"}],
        },
    )
    return {"vpc": vpc, "private": priv, "public": pub, "nat": nat, "eip": eip, "sg": sg}


def nat_metrics(acct: Account, nat: str, times: list[datetime], load: Callable[[datetime], float]) -> None:
    """A NAT gateway's per-minute metrics; `load` is new connections a minute."""
    dims = {"NatGatewayId": nat}
    ns = "AWS/NATGateway"
    for t in times:
        c = load(t) * acct.rng.uniform(0.9, 1.1)
        acct.metric(ns, "ConnectionAttemptCount", dims, t, round(c))
        acct.metric(ns, "ConnectionEstablishedCount", dims, t, round(c))
        acct.metric(ns, "ActiveConnectionCount", dims, t, round(c * 2.4), "Count")
        acct.metric(ns, "ErrorPortAllocation", dims, t, 0)
        acct.metric(ns, "PacketsDropCount", dims, t, 0)
        acct.metric(ns, "BytesOutToDestination", dims, t, round(c * acct.rng.uniform(5200, 6400)), "Bytes")
        acct.metric(ns, "BytesInFromDestination", dims, t, round(c * acct.rng.uniform(9000, 12000)), "Bytes")
        acct.metric(ns, "IdleTimeoutCount", dims, t, round(c * 0.01 * acct.rng.random()))


def queue(
    acct: Account, name: str, created: datetime, attrs: dict[str, str], tags: dict[str, str] | None = None
) -> dict[str, Any]:
    arn = acct.arn("sqs", name)
    base = {
        "QueueArn": arn,
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "CreatedTimestamp": str(int(created.timestamp())),
        "LastModifiedTimestamp": str(int(created.timestamp())),
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "20",
        "SqsManagedSseEnabled": "true",
    }
    base.update(attrs)
    item = {
        "QueueUrl": f"https://sqs.{acct.region}.amazonaws.com/{acct.account}/{name}",
        "Attributes": base,
        "Tags": tags or {"team": "payments"},
    }
    acct.resource("sqs", "Queue", item)
    return item
