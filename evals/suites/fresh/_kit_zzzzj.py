"""Private helpers for kit zzzzj: a subscription video platform account (uploads, transcoding, playback)."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

UTC = UTC
J = dict[str, Any]

BRANDS = ["reelbox", "vidora", "cinemint", "streamlo", "flickdeck", "tapeworks"]
PEOPLE = ["dana.kowalski", "arjun.mehta", "lea.fontaine", "tomas.rivera", "mei.lin", "sam.okafor"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def lambda_ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class Ctx:
    def __init__(self, seed: int, tag: str, hours_before: float = 4.0, minutes_after: int = 40) -> None:
        self.rng = random.Random(f"{tag}:{seed}")
        r = self.rng
        self.account = str(r.randint(10**11, 10**12 - 1))
        self.region = "us-east-1"
        self.brand = r.choice(BRANDS)
        self.people = r.sample(PEOPLE, 3)
        day = datetime(2026, 1, 6, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.hours_before = hours_before
        self.minutes_after = minutes_after
        self.records: dict[str, list[J]] = {
            k: [] for k in ("metrics", "alarms", "alarm_history", "logs", "cloudtrail", "resources", "events")
        }
        self.start = day
        self.onset = day
        self.now = day

    def set_onset(self, onset: datetime) -> None:
        self.onset = onset
        self.start = (onset - timedelta(hours=self.hours_before)).replace(minute=0, second=0)
        self.now = onset + timedelta(minutes=self.minutes_after + self.rng.randint(0, 12))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # --- CloudTrail -------------------------------------------------------------------------------

    def identity_role(self, role: str, session: str) -> J:
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(self.start - timedelta(minutes=20)),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def sso(self, person: str) -> J:
        return self.identity_role(f"AWSReservedSSO_PlatformEngineer_{self.brand[:3]}4e1c9a7b2d", person)

    def ct(
        self,
        t: datetime,
        who: J,
        source: str,
        name: str,
        req: J | None = None,
        resp: J | None = None,
        read_only: bool = False,
        ua: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        region: str | None = None,
    ) -> J:
        rec: J = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or f"{self.rng.choice([3, 18, 34, 52, 54])}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
            "userAgent": ua,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.records["cloudtrail"].append(rec)
        return rec

    def readonly_noise(self, n: int, targets: list[tuple[str, str, J]]) -> None:
        """Read-only calls from the monitoring integration and from people's consoles."""
        mon = self.identity_role("DatadogIntegrationRole", "datadog-aws-integration")
        span = (self.now - self.start).total_seconds()
        for _ in range(n):
            t = self.start + timedelta(seconds=self.rng.uniform(0, span))
            src, name, req = self.rng.choice(targets)
            if self.rng.random() < 0.75:
                self.ct(
                    t,
                    mon,
                    src,
                    name,
                    req,
                    None,
                    True,
                    ua="Datadog/1.0 aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
                )
            else:
                self.ct(
                    t, self.sso(self.rng.choice(self.people)), src, name, req, None, True, ua="AWS Internal"
                )

    # --- resources --------------------------------------------------------------------------------

    def res(self, service: str, typ: str, item: J) -> None:
        self.records["resources"].append({"service": service, "type": typ, "item": item})

    def role(self, name: str, principal: str) -> str:
        arn = f"arn:aws:iam::{self.account}:role/{name}"
        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
            ],
        }
        self.res(
            "iam",
            "Role",
            {
                "Path": "/service-role/" if principal != "lambda.amazonaws.com" else "/",
                "RoleName": name,
                "RoleId": "AROA" + self.hexid(17).upper(),
                "Arn": arn,
                "CreateDate": iso(self.day - timedelta(days=self.rng.randint(200, 700))),
                "AssumeRolePolicyDocument": json.dumps(doc),
                "MaxSessionDuration": 3600,
            },
        )
        return arn

    def function(
        self,
        name: str,
        role: str,
        runtime: str = "python3.12",
        memory: int = 512,
        timeout: int = 30,
        env: dict[str, str] | None = None,
        modified: datetime | None = None,
        handler: str = "app.handler",
    ) -> str:
        arn = self.arn("lambda", f"function:{name}")
        item: J = {
            "FunctionName": name,
            "FunctionArn": arn,
            "Runtime": runtime,
            "Role": role,
            "Handler": handler,
            "CodeSize": self.rng.randint(40_000, 9_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": memory,
            "LastModified": lambda_ts(modified or (self.day - timedelta(days=self.rng.randint(3, 60)))),
            "CodeSha256": self.hexid(43) + "=",
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
        self.log_group(f"/aws/lambda/{name}", 30)
        return arn

    def log_group(self, name: str, retention: int) -> None:
        self.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": name,
                "creationTime": ms(self.day - timedelta(days=self.rng.randint(100, 600))),
                "retentionInDays": retention,
                "metricFilterCount": 0,
                "arn": self.arn("logs", f"log-group:{name}:*"),
                "storedBytes": self.rng.randint(10**7, 10**10),
            },
        )

    def bucket(self, name: str) -> None:
        self.res(
            "s3",
            "Bucket",
            {"Name": name, "CreationDate": iso(self.day - timedelta(days=self.rng.randint(300, 900)))},
        )

    def topic(self, name: str, subs: int) -> str:
        arn = self.arn("sns", name)
        self.res(
            "sns",
            "Topic",
            {
                "TopicArn": arn,
                "Attributes": {
                    "TopicArn": arn,
                    "Owner": self.account,
                    "DisplayName": "",
                    "SubscriptionsConfirmed": str(subs),
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
                        }
                    ),
                },
            },
        )
        return arn

    def queue(self, name: str, attrs: dict[str, str] | None = None) -> str:
        arn = self.arn("sqs", name)
        a = {
            "QueueArn": arn,
            "VisibilityTimeout": "30",
            "MessageRetentionPeriod": "1209600",
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "CreatedTimestamp": str(int((self.day - timedelta(days=400)).timestamp())),
            "SqsManagedSseEnabled": "true",
        }
        a.update(attrs or {})
        self.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}",
                "Attributes": a,
                "Tags": {},
            },
        )
        return arn

    def table(self, name: str, hash_key: str, rcu: int, wcu: int, items: int, on_demand: bool = False) -> str:
        arn = self.arn("dynamodb", f"table/{name}")
        item: J = {
            "AttributeDefinitions": [{"AttributeName": hash_key, "AttributeType": "S"}],
            "TableName": name,
            "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(self.day - timedelta(days=self.rng.randint(300, 900))),
            "TableSizeBytes": items * self.rng.randint(300, 900),
            "ItemCount": items,
            "TableArn": arn,
            "TableId": self.uid(),
            "DeletionProtectionEnabled": True,
        }
        if on_demand:
            item["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            }
            item["BillingModeSummary"] = {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(self.day - timedelta(days=200)),
            }
        else:
            item["ProvisionedThroughput"] = {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": rcu,
                "WriteCapacityUnits": wcu,
            }
            item["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
        self.res("dynamodb", "TableDescription", item)
        return arn

    def mc_queue(self, name: str) -> str:
        arn = self.arn("mediaconvert", f"queues/{name}")
        self.res(
            "mediaconvert",
            "Queue",
            {
                "Arn": arn,
                "Name": name,
                "PricingPlan": "ON_DEMAND",
                "Status": "ACTIVE",
                "Type": "CUSTOM" if name != "Default" else "SYSTEM",
                "CreatedAt": iso(self.day - timedelta(days=500)),
                "LastUpdated": iso(self.day - timedelta(days=90)),
                "SubmittedJobsCount": 0,
                "ProgressingJobsCount": 0,
            },
        )
        return arn

    # --- metrics ----------------------------------------------------------------------------------

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        period: int = 60,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        t = start or self.start
        stop = end or self.now
        while t <= stop:
            v = fn(t)
            if v is not None:
                self.records["metrics"].append(
                    {
                        "namespace": ns,
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(v, 3),
                    }
                )
            t += timedelta(seconds=period)

    def diurnal(self, t: datetime, base: float, amp: float = 0.35, peak_hour: float = 21.0) -> float:
        h = t.hour + t.minute / 60
        return base * (1 + amp * math.cos((h - peak_hour) / 24 * 2 * math.pi))

    def noisy(self, v: float, spread: float = 0.08) -> float:
        return max(0.0, v * (1 + self.rng.uniform(-spread, spread)))

    # --- alarms -----------------------------------------------------------------------------------

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
        state: str,
        reason: str,
        state_at: datetime,
        topic: str,
        desc: str = "",
        missing: str = "missing",
        datapoints: int | None = None,
    ) -> J:
        a: J = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(20, 300))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_at),
            "StateTransitionedTimestamp": iso(state_at),
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
        }
        self.records["alarms"].append(a)
        return a

    def history(self, name: str, t: datetime, old: str, new: str, reason: str) -> None:
        self.records["alarm_history"].append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old},
                        "newState": {"stateValue": new, "stateReason": reason},
                    }
                ),
            }
        )

    def alarm_event(self, a: J, t: datetime, reason: str) -> J:
        return {
            "version": "0",
            "id": self.uid(),
            "source": "aws.cloudwatch",
            "detail-type": "CloudWatch Alarm State Change",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": a["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
                    "timestamp": (t - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                },
                "configuration": {
                    "description": a.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hexid(8),
                            "metricStat": {
                                "metric": {
                                    "namespace": a["Namespace"],
                                    "name": a["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                                },
                                "period": a["Period"],
                                "stat": a["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- logs -------------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg}
        )

    def lambda_stream(self, t: datetime) -> str:
        return f"{t.strftime('%Y/%m/%d')}/[$LATEST]{self.hexid(32)}"

    def lambda_invocation(
        self,
        fn: str,
        stream: str,
        t: datetime,
        lines: list[str],
        duration: float,
        memory: int,
        used: int,
        init: float | None = None,
    ) -> None:
        group = f"/aws/lambda/{fn}"
        rid = self.uid()
        if init is not None:
            self.log(
                group,
                stream,
                t,
                f"INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:{self.region}::runtime:{self.hexid(64)}\n",
            )
        self.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
        for i, ln in enumerate(lines):
            ts = t + timedelta(milliseconds=min(duration, 5 + i * duration / max(1, len(lines))))
            self.log(group, stream, ts, ln.replace("{rid}", rid) + "\n")
        end = t + timedelta(milliseconds=duration)
        self.log(group, stream, end, f"END RequestId: {rid}\n")
        billed = math.ceil(duration)
        rep = f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {billed} ms\tMemory Size: {memory} MB\tMax Memory Used: {used} MB\t"
        if init is not None:
            rep += f"Init Duration: {init:.2f} ms\t"
        self.log(group, stream, end, rep + "\n")

    # --- finish -----------------------------------------------------------------------------------

    def bundle(self, title: str, trigger: J, truth: J, timezone_name: str | None = None) -> Bundle:
        for k in ("cloudtrail", "logs", "alarm_history"):
            key = {"cloudtrail": "eventTime", "logs": "timestamp", "alarm_history": "Timestamp"}[k]

            def order(r: J, key: str = key) -> tuple[Any, str]:
                return (r[key], r.get("log_stream", ""))

            self.records[k].sort(key=order)
        if timezone_name:
            trigger = {**trigger, "timezone": timezone_name}
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.now + timedelta(minutes=5)),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, {k: v for k, v in self.records.items() if v})


class Platform:
    """The video platform's resources and its everyday background activity."""

    def __init__(self, c: Ctx) -> None:
        self.c = c
        b = c.brand
        self.raw_bucket = f"{b}-media-ingest-{c.account[-4:]}"
        self.out_bucket = f"{b}-vod-renditions-{c.account[-4:]}"
        self.logs_bucket = f"{b}-cf-logs-{c.account[-4:]}"
        self.fn_submit = f"{b}-ingest-submit"
        self.fn_status = f"{b}-transcode-status"
        self.fn_catalog = f"{b}-catalog-api"
        self.fn_playback = f"{b}-playback-session"
        self.fn_checkout = f"{b}-subscription-checkout"
        self.fn_sweeper = f"{b}-thumbnail-sweeper"
        self.t_assets = f"{b}-assets"
        self.t_sessions = f"{b}-playback-sessions"
        self.t_subs = f"{b}-subscriptions"
        self.mc_role = f"{b}-mediaconvert-role"
        self.mc_queue_name = f"{b}-vod-ondemand"
        self.dist_id = "E" + "".join(c.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
        self.api_name = f"{b}-public-api"
        self.ops_topic = ""
        self.events_topic = ""
        self.mc_queue = ""
        self.mc_role_arn = ""

    def build(self, fn_overrides: dict[str, J] | None = None) -> None:
        c = self.c
        ov = fn_overrides or {}
        self.ops_topic = c.topic(f"{c.brand}-ops-alerts", 2)
        self.events_topic = c.topic(f"{c.brand}-transcode-events", 3)
        c.queue(f"{c.brand}-transcode-status-dlq")
        for bk in (self.raw_bucket, self.out_bucket, self.logs_bucket):
            c.bucket(bk)
        self.mc_role_arn = c.role(self.mc_role, "mediaconvert.amazonaws.com")
        self.mc_queue = c.mc_queue(self.mc_queue_name)
        c.mc_queue("Default")
        fns: dict[str, J] = {
            self.fn_submit: {
                "memory": 256,
                "timeout": 30,
                "env": {
                    "MEDIACONVERT_QUEUE": self.mc_queue,
                    "MEDIACONVERT_ROLE": self.mc_role_arn,
                    "JOB_TEMPLATE": f"{c.brand}-hls-abr-v7",
                    "OUTPUT_BUCKET": self.out_bucket,
                },
            },
            self.fn_status: {
                "memory": 256,
                "timeout": 30,
                "env": {"ASSETS_TABLE": self.t_assets, "EVENTS_TOPIC": self.events_topic},
            },
            self.fn_catalog: {
                "memory": 1024,
                "timeout": 10,
                "runtime": "nodejs20.x",
                "handler": "dist/index.handler",
            },
            self.fn_playback: {
                "memory": 512,
                "timeout": 6,
                "runtime": "nodejs20.x",
                "handler": "dist/index.handler",
                "env": {"SESSIONS_TABLE": self.t_sessions, "NODE_OPTIONS": "--enable-source-maps"},
            },
            self.fn_checkout: {
                "memory": 512,
                "timeout": 15,
                "env": {"SUBSCRIPTIONS_TABLE": self.t_subs, "BILLING_API_BASE": "https://api.stripe.com/v1"},
            },
            self.fn_sweeper: {"memory": 1024, "timeout": 300},
        }
        for name, spec in fns.items():
            spec = {**spec, **ov.get(name, {})}
            role = c.role(f"{name}-role", "lambda.amazonaws.com")
            c.function(
                name,
                role,
                runtime=spec.get("runtime", "python3.12"),
                memory=spec["memory"],
                timeout=spec["timeout"],
                env=spec.get("env"),
                modified=spec.get("modified"),
                handler=spec.get("handler", "app.handler"),
            )

    def noise(self, n_read: int = 40) -> None:
        c = self.c
        c.readonly_noise(
            n_read,
            [
                ("lambda.amazonaws.com", "ListFunctions20150331", {}),
                ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": self.fn_catalog}),
                ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": self.t_assets}),
                ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": self.t_sessions}),
                ("dynamodb.amazonaws.com", "ListTables", {}),
                ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
                (
                    "s3.amazonaws.com",
                    "GetBucketLocation",
                    {"bucketName": self.out_bucket, "Host": "s3.amazonaws.com", "location": ""},
                ),
                ("sns.amazonaws.com", "ListTopics", {}),
                ("sqs.amazonaws.com", "ListQueues", {}),
                ("mediaconvert.amazonaws.com", "ListQueues", {"maxResults": 20}),
                ("cloudfront.amazonaws.com", "ListDistributions", {}),
                ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
                ("tag.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            ],
        )
        # the hourly sweeper and the status function read their configuration from SSM at cold start
        t = c.start
        while t < c.now:
            fn = c.rng.choice([self.fn_status, self.fn_catalog, self.fn_playback, self.fn_sweeper])
            c.ct(
                t + timedelta(seconds=c.rng.randint(0, 1700)),
                c.identity_role(f"{fn}-role", fn),
                "ssm.amazonaws.com",
                "GetParameter",
                {"name": f"/{c.brand}/{fn.removeprefix(c.brand + '-')}/config", "withDecryption": True},
                None,
                True,
                ua="Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215 md/arch#aarch64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12",
            )
            t += timedelta(minutes=30)

    def invalidation(self, t: datetime, paths: list[str]) -> None:
        c = self.c
        ref = f"deploy-{c.hexid(7)}"
        inv = "I" + "".join(c.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
        c.ct(
            t,
            c.identity_role("github-actions-web-deploy", "GitHubActions"),
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            {
                "distributionId": self.dist_id,
                "invalidationBatch": {
                    "paths": {"quantity": len(paths), "items": paths},
                    "callerReference": ref,
                },
            },
            {
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{self.dist_id}/invalidation/{inv}",
                "invalidation": {
                    "id": inv,
                    "status": "InProgress",
                    "createTime": iso(t),
                    "invalidationBatch": {
                        "paths": {"quantity": len(paths), "items": paths},
                        "callerReference": ref,
                    },
                },
            },
            ua="aws-sdk-js/2.1560.0 promise",
            region="us-east-1",
        )

    def deploy_code(self, t: datetime, fn: str) -> J:
        c = self.c
        return c.ct(
            t,
            c.identity_role("github-actions-lambda-deploy", "GitHubActions"),
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": fn,
                "publish": False,
                "dryRun": False,
                "s3Bucket": f"{c.brand}-artifacts",
                "s3Key": f"{fn}/{c.hexid(40)}.zip",
            },
            {
                "functionName": fn,
                "functionArn": c.arn("lambda", f"function:{fn}"),
                "runtime": "python3.12",
                "role": c.arn("iam", f"role/{fn}-role").replace(f":{c.region}:", "::"),
                "handler": "app.handler",
                "codeSize": c.rng.randint(40_000, 9_000_000),
                "description": "",
                "timeout": 15,
                "memorySize": 512,
                "lastModified": lambda_ts(t),
                "codeSha256": c.hexid(43) + "=",
                "version": "$LATEST",
                "tracingConfig": {"mode": "PassThrough"},
                "revisionId": c.uid(),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating",
                "packageType": "Zip",
                "architectures": ["arm64"],
            },
            ua="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 api/lambda#3.540.0",
        )

    def lambda_metrics(
        self,
        fn: str,
        inv: Callable[[datetime], float],
        err: Callable[[datetime], float],
        dur: Callable[[datetime], float],
        throttles: Callable[[datetime], float] | None = None,
        period: int = 60,
    ) -> None:
        c = self.c
        d = {"FunctionName": fn}
        cache: dict[datetime, float] = {}

        def invocations(t: datetime) -> float | None:
            v = float(round(inv(t)))
            cache[t] = v
            return v if v > 0 else None

        c.series("AWS/Lambda", "Invocations", d, "Count", invocations, period)
        c.series(
            "AWS/Lambda",
            "Errors",
            d,
            "Count",
            lambda t: float(round(err(t))) if cache.get(t) else None,
            period,
        )
        c.series(
            "AWS/Lambda", "Duration", d, "Milliseconds", lambda t: dur(t) if cache.get(t) else None, period
        )
        c.series(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            lambda t: (
                max(1.0, round(cache.get(t, 0) * dur(t) / 1000 / period * 1.6)) if cache.get(t) else None
            ),
            period,
        )
        if throttles:
            c.series("AWS/Lambda", "Throttles", d, "Count", lambda t: float(round(throttles(t))), period)

    def cloudfront_metrics(
        self, rate5xx: Callable[[datetime], float] | None = None, period: int = 60
    ) -> None:
        c = self.c
        d = {"DistributionId": self.dist_id, "Region": "Global"}
        c.series(
            "AWS/CloudFront",
            "Requests",
            d,
            "None",
            lambda t: c.noisy(c.diurnal(t, 42000 * period / 60)),
            period,
        )
        c.series(
            "AWS/CloudFront",
            "BytesDownloaded",
            d,
            "None",
            lambda t: c.noisy(c.diurnal(t, 2.1e10 * period / 60)),
            period,
        )
        c.series("AWS/CloudFront", "4xxErrorRate", d, "Percent", lambda t: c.noisy(1.4, 0.3), period)
        c.series(
            "AWS/CloudFront",
            "5xxErrorRate",
            d,
            "Percent",
            (lambda t: rate5xx(t)) if rate5xx else (lambda t: c.noisy(0.04, 0.8)),
            period,
        )
        c.series("AWS/CloudFront", "TotalErrorRate", d, "Percent", lambda t: c.noisy(1.45, 0.3), period)


def clock(t: datetime, tz: str) -> str:
    from zoneinfo import ZoneInfo

    lt = t.astimezone(ZoneInfo(tz))
    h = lt.hour % 12 or 12
    return f"{h}:{lt.minute:02d}{'am' if lt.hour < 12 else 'pm'}"


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


TF_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.44.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/iam#1.31.4"
)
BOTO_UA = (
    "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215 md/arch#aarch64 lang/python#3.12.3 "
    "md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84"
)


def mc_job_id(rng: random.Random, t: datetime) -> str:
    return f"{ms(t)}-{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(6))}"


def asset_id(rng: random.Random) -> str:
    return "ast_" + "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(20))


Outcome = tuple[str, float, str, str]  # status, seconds to finish, error code, error message


def ingest(
    p: Platform,
    rate: Callable[[datetime], float],
    outcome: Callable[[datetime, str], Outcome],
    delay: Callable[[datetime], float] | None = None,
    creators: int = 400,
    submit_ms: tuple[float, float] = (180.0, 420.0),
) -> dict[str, list[datetime]]:
    """Uploads land in S3, EventBridge invokes the submit function, which calls MediaConvert CreateJob;
    MediaConvert's job state changes invoke the status function. Returns the times of each step."""
    c = p.c
    rng = c.rng
    seen: dict[str, list[datetime]] = {"upload": [], "submit": [], "complete": [], "error": []}
    submit_who = c.identity_role(f"{p.fn_submit}-role", p.fn_submit)
    sub_stream = c.lambda_stream(c.start)
    st_stream = c.lambda_stream(c.start)
    t = c.start
    while t < c.now:
        for _ in range(poisson(rng, rate(t))):
            up = t + timedelta(seconds=rng.uniform(0, 60))
            seen["upload"].append(up)
            d = delay(up) if delay else 0.0
            sub = up + timedelta(seconds=rng.uniform(0.4, 2.5) + d)
            if sub >= c.now:
                continue
            seen["submit"].append(sub)
            aid = asset_id(rng)
            creator = f"cr_{rng.randint(1, creators):05d}"
            ext = rng.choice(["mov", "mp4", "mp4", "mxf"])
            key = f"uploads/{creator}/{aid}/source.{ext}"
            jid = mc_job_id(rng, sub)
            if rng.random() < 0.04:
                sub_stream = c.lambda_stream(sub)
                init: float | None = rng.uniform(380, 620)
            else:
                init = None
            dur = rng.uniform(*submit_ms)
            c.lambda_invocation(
                p.fn_submit,
                sub_stream,
                sub,
                [
                    f"[INFO]\t{iso(sub)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tObject Created s3://{p.raw_bucket}/{key} size={rng.randint(200, 9000) * 1_000_000}",
                    f"[INFO]\t{iso(sub)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tsubmitted MediaConvert job {jid} asset={aid} template={c.brand}-hls-abr-v7",
                ],
                dur,
                256,
                rng.randint(88, 97),
                init,
            )
            c.ct(
                sub + timedelta(milliseconds=dur * 0.8),
                submit_who,
                "mediaconvert.amazonaws.com",
                "CreateJob",
                {
                    "role": p.mc_role_arn,
                    "queue": p.mc_queue,
                    "jobTemplate": f"{c.brand}-hls-abr-v7",
                    "settings": {"inputs": [{"fileInput": f"s3://{p.raw_bucket}/{key}"}]},
                    "userMetadata": {"assetId": aid, "creatorId": creator},
                    "statusUpdateInterval": "SECONDS_60",
                },
                {
                    "job": {
                        "arn": c.arn("mediaconvert", f"jobs/{jid}"),
                        "id": jid,
                        "createdAt": int(sub.timestamp()),
                        "queue": p.mc_queue,
                        "role": p.mc_role_arn,
                        "status": "SUBMITTED",
                        "jobTemplate": f"{c.brand}-hls-abr-v7",
                        "userMetadata": {"assetId": aid, "creatorId": creator},
                    }
                },
                ua=BOTO_UA,
                ip=f"3.{rng.randint(80, 95)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
            )
            status, secs, code, msg = outcome(sub, f"s3://{p.raw_bucket}/{key}")
            fin = sub + timedelta(seconds=secs)
            if fin >= c.now:
                continue
            seen["complete" if status == "COMPLETE" else "error"].append(fin)
            ev = fin + timedelta(seconds=rng.uniform(0.5, 3))
            if rng.random() < 0.05:
                st_stream = c.lambda_stream(ev)
            if status == "COMPLETE":
                lines = [
                    f"[INFO]\t{iso(ev)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tjob {jid} asset={aid} status=COMPLETE outputs=7 transcode_s={int(secs * 0.9)}",
                    f"[INFO]\t{iso(ev)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tasset {aid} -> READY; published transcode.completed",
                ]
            else:
                lines = [
                    f"[ERROR]\t{iso(ev)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tjob {jid} asset={aid} status=ERROR errorCode={code} errorMessage={msg}",
                    f"[INFO]\t{iso(ev)[:-1]}.{rng.randint(100, 999)}Z\t{{rid}}\tasset {aid} -> FAILED; published transcode.failed",
                ]
            c.lambda_invocation(
                p.fn_status, st_stream, ev, lines, rng.uniform(60, 140), 256, rng.randint(80, 92)
            )
        t += timedelta(minutes=1)
    return seen


def per_minute(times: list[datetime]) -> Callable[[datetime], float]:
    counts: dict[datetime, int] = {}
    for x in times:
        k = x.replace(second=0, microsecond=0)
        counts[k] = counts.get(k, 0) + 1
    return lambda t: float(counts.get(t.replace(second=0, microsecond=0), 0))
