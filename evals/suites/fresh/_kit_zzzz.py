"""Private helpers for kit zzzz: a food-delivery marketplace account (API Gateway, Lambda, DynamoDB
streams, EventBridge Pipes and rules, SNS and SQS fan-out)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

UTC = UTC
Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Kit:
    """Accumulates one incident's records; every id comes from the seeded generator."""

    def __init__(self, seed: int, name: str, onset: datetime, before: timedelta, after: timedelta) -> None:
        self.r = random.Random(f"{name}:{seed}")
        self.region = self.r.choice(["eu-west-1", "eu-west-2", "eu-central-1"])
        self.account = str(self.r.randint(2, 9)) + "".join(str(self.r.randint(0, 9)) for _ in range(11))
        self.onset = onset
        self.start = onset - before
        self.now = onset + after
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.cloudtrail: list[Rec] = []
        self.resources: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.events: list[Rec] = []

    # --- ids ------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int) -> str:
        return "".join(self.r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    # --- CloudTrail -----------------------------------------------------------------------------
    def who_user(self, role: str, session: str, *, console: bool = False) -> Rec:
        principal = "AROA" + self.alnum(17).upper()
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"{principal}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": ("ASIA" if True else "AKIA") + self.alnum(16).upper(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": principal,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start - timedelta(minutes=7)),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if console:
            ident["sessionContext"]["attributes"]["mfaAuthenticated"] = "true"
        return ident

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: Rec,
        *,
        params: Rec | None = None,
        resp: Rec | None = None,
        read_only: bool,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> str:
        eid = self.uid()
        rec: Rec = {
            "eventVersion": "1.09" if source != "apigateway.amazonaws.com" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or f"{self.r.randint(3, 54)}.{self.r.randint(1, 250)}.{self.r.randint(1, 250)}.{self.r.randint(1, 250)}",
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": eid,
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
        if agent.startswith("aws-cli") or "console" in agent or "Terraform" in agent:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.cloudtrail.append(rec)
        return eid

    def noise_reads(self, n: int, calls: list[tuple[str, str, Rec | None]]) -> None:
        """Read-only calls from dashboards, the console and a nightly config scanner."""
        tools = [
            (
                self.who_user("grafana-cloudwatch-read", "grafana"),
                "aws-sdk-go/1.50.10 (go1.21.6; linux; amd64)",
            ),
            (
                self.who_user("OrgSecurityAudit", "prowler-scan"),
                "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux",
            ),
            (self.who_user("AWSReservedSSO_ReadOnly_7f3a1c", "oncall@marketplace"), "AWS Internal"),
        ]
        span = int((self.now - self.start).total_seconds())
        for _ in range(n):
            t = self.start + timedelta(seconds=self.r.randint(0, span))
            who, agent = self.r.choice(tools)
            source, name, params = self.r.choice(calls)
            self.ct(t, source, name, who, params=params, read_only=True, agent=agent)

    # --- metrics --------------------------------------------------------------------------------
    def put(self, ns: str, metric: str, dims: dict[str, str], t: datetime, value: float, unit: str) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(value, 3),
            }
        )

    def stats(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        n: float,
        avg: float,
        lo: float,
        hi: float,
        unit: str,
    ) -> None:
        n = max(1.0, round(n))
        lo = min(lo, avg)
        hi = max(hi, avg)
        self.metrics.append(
            {
                "namespace": ns,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": n,
                    "Sum": round(n * avg, 3),
                    "Minimum": round(lo, 3),
                    "Maximum": round(hi, 3),
                },
            }
        )

    def series(
        self, ns: str, metric: str, dims: dict[str, str], unit: str, fn: Callable[[datetime], float | None]
    ) -> None:
        for t in self.minutes():
            v = fn(t)
            if v is not None:
                self.put(ns, metric, dims, t, v, unit)

    def jitter(self, v: float, pct: float = 0.08) -> float:
        return max(0.0, v * (1 + self.r.uniform(-pct, pct)))

    # --- alarms ---------------------------------------------------------------------------------
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
        op: str,
        desc: str,
        topic: str,
        transitions: list[tuple[datetime, str, str]],
        missing: str = "missing",
        unit: str | None = None,
    ) -> Rec:
        """transitions: (time, new state, reason) in order; the last is the state at `now`."""
        arn = self.arn("cloudwatch", f"alarm:{name}")
        visible = [x for x in transitions if x[0] <= self.now]
        state, reason, updated = (
            "OK",
            "Threshold Crossed: no datapoints were breaching the threshold",
            self.start - timedelta(days=9),
        )
        prev = "INSUFFICIENT_DATA"
        for t, new, why in visible:
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {state} to {new}",
                    "HistoryData": json.dumps(
                        {
                            "version": "1.0",
                            "oldState": {"stateValue": state},
                            "newState": {"stateValue": new, "stateReason": why},
                        }
                    ),
                }
            )
            if new == "ALARM":
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso(t + timedelta(seconds=1)),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {topic}",
                        "HistoryData": json.dumps(
                            {"actionState": "Succeeded", "notificationResource": topic}
                        ),
                    }
                )
            prev, state, reason, updated = state, new, why, t
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.r.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(updated),
            "StateTransitionedTimestamp": iso(updated),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        item["_prev"] = prev
        return item

    def alarm_event(self, alarm: Rec) -> Rec:
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": alarm["StateUpdatedTimestamp"],
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": alarm["StateValue"],
                    "reason": alarm["StateReason"],
                    "timestamp": alarm["StateUpdatedTimestamp"].replace("Z", ".000+0000"),
                },
                "previousState": {
                    "value": alarm["_prev"],
                    "reason": "Threshold Crossed",
                    "timestamp": iso(self.start - timedelta(days=1)).replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
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

    # --- resources ------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def function(
        self,
        name: str,
        *,
        memory: int,
        timeout: int,
        runtime: str = "python3.12",
        modified: datetime,
        env: Rec | None = None,
        desc: str = "",
    ) -> str:
        arn = self.arn("lambda", f"function:{name}")
        item: Rec = {
            "FunctionName": name,
            "FunctionArn": arn,
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{self.account}:role/{name}-role",
            "Handler": "app.handler" if runtime.startswith("python") else "index.handler",
            "CodeSize": self.r.randint(900_000, 9_000_000),
            "Description": desc,
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": self.alnum(43) + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": self.uid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }
        if env:
            item["Environment"] = {"Variables": env}
        self.res("lambda", "FunctionConfiguration", item)
        return arn

    def queue(self, name: str, *, visibility: int, dlq: str | None = None, created_days: int = 400) -> str:
        url = f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
        arn = self.arn("sqs", name)
        ts = str(int((self.start - timedelta(days=created_days)).timestamp()))
        attrs = {
            "QueueArn": arn,
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": ts,
            "LastModifiedTimestamp": ts,
            "VisibilityTimeout": str(visibility),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600" if not name.endswith("-dlq") else "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if dlq:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": self.arn("sqs", dlq), "maxReceiveCount": 5}
            )
        self.res(
            "sqs",
            "Queue",
            {"QueueUrl": url, "Attributes": attrs, "Tags": {"team": "fulfilment", "env": "prod"}},
        )
        return arn

    def lambda_report(
        self, group: str, stream: str, t: datetime, dur: float, mem: int, used: int, init: float | None = None
    ) -> None:
        rid = self.uid()
        billed = int(dur) + 1
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(t),
                "message": f"START RequestId: {rid} Version: $LATEST\n",
            }
        )
        end = t + timedelta(milliseconds=dur)
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(end),
                "message": f"END RequestId: {rid}\n",
            }
        )
        extra = f"\tInit Duration: {init:.2f} ms" if init else ""
        self.logs.append(
            {
                "log_group": group,
                "log_stream": stream,
                "timestamp": ms(end),
                "message": f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB{extra}\t\n",
            }
        )

    def log_stream(self, t: datetime, version: str = "$LATEST") -> str:
        return f"{t:%Y/%m/%d}/[{version}]{self.hexid(32)}"

    # --- bundle ---------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
        cut = self.now

        def before(rows: list[Rec], key: str) -> list[Rec]:
            return [
                x
                for x in rows
                if x[key] <= (ms(cut) if key == "timestamp" and isinstance(x[key], int) else iso(cut))
            ]

        for a in self.alarms:
            a.pop("_prev", None)
        logs = sorted(
            (x for x in self.logs if x["timestamp"] <= ms(cut)),
            key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]),
        )
        ct = sorted(before(self.cloudtrail, "eventTime"), key=lambda x: x["eventTime"])
        metrics = sorted(
            before(self.metrics, "timestamp"),
            key=lambda x: (
                x["namespace"],
                x["metric"],
                json.dumps(x["dimensions"], sort_keys=True),
                x["timestamp"],
            ),
        )
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.now),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        records: dict[str, list[Rec]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda x: x["Timestamp"]),
            "logs": logs,
            "cloudtrail": ct,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def dinner_curve(local_hour: float) -> float:
    """Orders a minute across the day for a mid-sized city marketplace (local time)."""
    base = 6.0
    lunch = 40.0 * max(0.0, 1 - abs(local_hour - 12.6) / 1.6)
    dinner = 95.0 * max(0.0, 1 - abs(local_hour - 19.3) / 2.4)
    night = 2.0 if local_hour < 7 else 0.0
    return max(1.5, base + lunch + dinner - night * 2)


def marketplace(k: Kit, *, fn_overrides: dict[str, Rec] | None = None) -> Rec:
    """The common estate: orders API, order functions, the orders table and its stream pipe, the
    marketplace bus and its rules, the order-events topic and its queues. Returns names and ARNs."""
    ov = fn_overrides or {}
    old = k.start - timedelta(days=k.r.randint(6, 40))
    api_id = k.alnum(10)
    stage_deploy = k.alnum(6)
    out: Rec = {"api_id": api_id, "api": "marketplace-api", "stage": "prod"}
    k.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": "marketplace-api",
            "description": "Customer app API: menus, quotes, orders",
            "createdDate": iso(k.start - timedelta(days=700)),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": k.alnum(10),
        },
    )
    k.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": stage_deploy,
            "stageName": "prod",
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {
                "*/*": {
                    "metricsEnabled": True,
                    "loggingLevel": "ERROR",
                    "dataTraceEnabled": False,
                    "throttlingBurstLimit": 5000,
                    "throttlingRateLimit": 10000.0,
                    "cachingEnabled": False,
                }
            },
            "accessLogSettings": {
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength","integrationLatency":"$context.integrationLatency","responseLatency":"$context.responseLatency","apiKeyId":"$context.identity.apiKeyId","errorMessage":"$context.error.message"}',
                "destinationArn": k.arn("logs", "log-group:/aws/apigateway/marketplace-api-prod-access"),
            },
            "tracingEnabled": False,
            "createdDate": iso(k.start - timedelta(days=700)),
            "lastUpdatedDate": iso(old),
        },
    )
    fns: dict[str, Rec] = {
        "place-order": dict(memory=1024, timeout=15, desc="POST /orders"),
        "delivery-quote": dict(memory=512, timeout=10, desc="POST /quotes"),
        "menu-read": dict(memory=512, timeout=6, desc="GET /restaurants/{id}/menu"),
        "courier-dispatch": dict(
            memory=1024, timeout=60, desc="Consumes courier-dispatch-queue, offers the job to nearby couriers"
        ),
        "restaurant-notify": dict(memory=256, timeout=30, desc="Pushes new orders to restaurant tablets"),
        "receipt-mailer": dict(memory=256, timeout=30, desc="Sends order receipts"),
        "menu-indexer": dict(memory=512, timeout=120, desc="Applies menu updates to the search index"),
    }
    out["fn"] = {}
    for name, spec in fns.items():
        spec = {**spec, **ov.get(name, {})}
        modified = spec.pop(
            "modified", k.start - timedelta(days=k.r.randint(2, 60), minutes=k.r.randint(0, 900))
        )
        out["fn"][name] = k.function(name, modified=modified, runtime="python3.12", **spec)
    stream_label = (k.start - timedelta(days=500)).strftime(
        "%Y-%m-%dT%H:%M:%S."
    ) + f"{k.r.randint(0, 999):03d}"
    table_arn = k.arn("dynamodb", "table/orders")
    stream_arn = f"{table_arn}/stream/{stream_label}"
    out["table_arn"], out["stream_arn"] = table_arn, stream_arn
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "orders",
            "TableArn": table_arn,
            "TableId": k.uid(),
            "TableStatus": "ACTIVE",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "CreationDateTime": iso(k.start - timedelta(days=500)),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(k.start - timedelta(days=500)),
            },
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": k.r.randint(8, 30) * 10**9,
            "ItemCount": k.r.randint(20, 90) * 10**6,
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "LatestStreamLabel": stream_label,
            "LatestStreamArn": stream_arn,
            "DeletionProtectionEnabled": True,
        },
    )
    bus_arn = k.arn("events", "event-bus/marketplace")
    topic_arn = k.arn("sns", "order-events")
    out["bus_arn"], out["topic_arn"] = bus_arn, topic_arn
    k.res(
        "pipes",
        "DescribePipeResponse",
        {
            "Arn": k.arn("pipes", "pipe/orders-stream-to-bus"),
            "Name": "orders-stream-to-bus",
            "Description": "orders table changes -> marketplace bus as order.* events",
            "DesiredState": "RUNNING",
            "CurrentState": "RUNNING",
            "Source": stream_arn,
            "SourceParameters": {
                "DynamoDBStreamParameters": {
                    "BatchSize": 10,
                    "StartingPosition": "LATEST",
                    "MaximumRetryAttempts": 10,
                    "MaximumRecordAgeInSeconds": 3600,
                    "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
                },
                "FilterCriteria": {"Filters": [{"Pattern": '{"eventName":["INSERT","MODIFY"]}'}]},
            },
            "Target": bus_arn,
            "TargetParameters": {
                "EventBridgeEventBusParameters": {
                    "Source": "marketplace.orders",
                    "DetailType": "OrderChanged",
                }
            },
            "RoleArn": f"arn:aws:iam::{k.account}:role/orders-stream-pipe-role",
            "CreationTime": iso(k.start - timedelta(days=300)),
            "LastModifiedTime": iso(k.start - timedelta(days=41)),
        },
    )
    for rule, pattern in [
        ("order-status-to-sns", '{"source":["marketplace.orders"],"detail-type":["OrderChanged"]}'),
        ("order-analytics-firehose", '{"source":["marketplace.orders"]}'),
    ]:
        k.res(
            "events",
            "Rule",
            {
                "Name": rule,
                "Arn": k.arn("events", f"rule/marketplace/{rule}"),
                "EventPattern": pattern,
                "State": "ENABLED",
                "EventBusName": "marketplace",
            },
        )
    k.res(
        "events",
        "Rule",
        {
            "Name": "menu-sync-nightly",
            "Arn": k.arn("events", "rule/menu-sync-nightly"),
            "ScheduleExpression": "cron(0 3 * * ? *)",
            "State": "ENABLED",
            "EventBusName": "default",
            "Description": "Nightly restaurant menu import",
        },
    )
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "DisplayName": "",
                "Owner": k.account,
                "SubscriptionsConfirmed": "3",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false}}',
            },
        },
    )
    out["queues"] = {}
    for q, vis, filt in [
        ("courier-dispatch", 360, '{"status":["ACCEPTED_BY_RESTAURANT"]}'),
        ("restaurant-notify", 180, '{"status":["PLACED","CANCELLED"]}'),
        ("receipts", 180, '{"status":["PAID","REFUNDED"]}'),
    ]:
        k.queue(f"{q}-dlq", visibility=30)
        out["queues"][q] = k.queue(f"{q}-queue", visibility=vis, dlq=f"{q}-dlq")
        sub = f"{topic_arn}:{k.uid()}"
        k.res(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": sub,
                "TopicArn": topic_arn,
                "Protocol": "sqs",
                "Endpoint": out["queues"][q],
                "Owner": k.account,
                "Attributes": {
                    "FilterPolicy": filt,
                    "FilterPolicyScope": "MessageAttributes",
                    "RawMessageDelivery": "true",
                    "PendingConfirmation": "false",
                    "ConfirmationWasAuthenticated": "true",
                },
            },
        )
    k.queue("menu-updates-queue", visibility=720, dlq="menu-updates-dlq")
    k.queue("menu-updates-dlq", visibility=30)
    return out


def read_calls(k: Kit) -> list[tuple[str, str, Rec | None]]:
    return [
        ("lambda.amazonaws.com", "ListFunctions20150331", None),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "place-order"}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "orders"}),
        ("dynamodb.amazonaws.com", "ListTables", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("sqs.amazonaws.com", "ListQueues", None),
        ("sns.amazonaws.com", "ListTopics", None),
        ("apigateway.amazonaws.com", "GetRestApis", {"limit": 500}),
        ("pipes.amazonaws.com", "ListPipes", None),
        ("events.amazonaws.com", "ListRules", {"eventBusName": "marketplace"}),
        ("logs.amazonaws.com", "DescribeLogGroups", None),
        ("sts.amazonaws.com", "GetCallerIdentity", None),
    ]


def lambda_metrics(
    k: Kit,
    fn: str,
    inv: Callable[[datetime], float],
    err: Callable[[datetime], float],
    dur: Callable[[datetime], float],
    *,
    thr: Callable[[datetime], float] | None = None,
    conc: Callable[[datetime], float] | None = None,
    timeout_ms: float = 1e9,
) -> None:
    dims = {"FunctionName": fn}
    for t in k.minutes():
        n = inv(t)
        if n <= 0:
            continue
        n = round(k.jitter(n, 0.1))
        if n <= 0:
            continue
        k.put("AWS/Lambda", "Invocations", dims, t, n, "Count")
        k.put("AWS/Lambda", "Errors", dims, t, min(n, round(err(t))), "Count")
        k.put("AWS/Lambda", "Throttles", dims, t, round(thr(t)) if thr else 0, "Count")
        d = k.jitter(dur(t), 0.1)
        k.stats(
            "AWS/Lambda",
            "Duration",
            dims,
            t,
            n,
            d,
            d * 0.35,
            min(timeout_ms, d * k.r.uniform(2.2, 4.0)),
            "Milliseconds",
        )
        c = conc(t) if conc else max(1.0, n * d / 60000 * 1.6)
        k.put("AWS/Lambda", "ConcurrentExecutions", dims, t, round(c), "Count")
