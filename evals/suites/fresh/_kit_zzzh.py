"""Private helpers for the zzzh media-pipeline incidents (video ingest: S3, Step Functions, SQS, Lambda, CloudFront)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

REGION = "us-east-1"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


@dataclass
class Account:
    seed: int
    rng: random.Random
    account_id: str
    org: str
    start: datetime
    onset: datetime
    now: datetime
    metrics: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    cloudtrail: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    # --- ids -------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{REGION}:{self.account_id}:{rest}"

    @property
    def end(self) -> datetime:
        return self.now + timedelta(minutes=10)

    def minutes(self) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=1)
        return out

    # --- records ---------------------------------------------------------------------------------
    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "Count",
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": round(float(value), 3),
            }
        )

    def stat(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        n: float,
        total: float,
        lo: float,
        hi: float,
        unit: str,
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(n),
                    "Sum": round(total, 3),
                    "Minimum": round(lo, 3),
                    "Maximum": round(max(hi, lo), 3),
                },
            }
        )

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def role_identity(self, role: str, session: str, *, console: bool = False) -> dict[str, Any]:
        key = "ASIA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account_id}:assumed-role/{role}/{session}",
            "accountId": self.account_id,
            "accessKeyId": key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account_id}:role/{role}",
                    "accountId": self.account_id,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "true" if console else "false"},
            },
        }
        return ident

    def trail(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: dict[str, Any],
        request: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        ident = json.loads(json.dumps(identity))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rng.randint(2, 50))
            )
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip or f"10.40.{self.rng.randint(1, 9)}.{self.rng.randint(10, 250)}",
            "userAgent": agent,
            "requestParameters": request,
            "responseElements": response,
            "requestID": self.uid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account_id,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if source in {"lambda.amazonaws.com", "sqs.amazonaws.com", "states.amazonaws.com"}:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{REGION}.amazonaws.com",
            }
        self.cloudtrail.append(rec)
        return eid

    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        *,
        period: int = 60,
        evals: int = 1,
        op: str = "GreaterThanThreshold",
        state: str = "OK",
        state_time: datetime | None = None,
        reason: str = "",
        description: str | None = None,
        missing: str = "missing",
        unit: str | None = None,
    ) -> dict[str, Any]:
        topic = self.arn("sns", "media-oncall")
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason or "Threshold Crossed: no datapoints were breaching the threshold.",
            "StateUpdatedTimestamp": iso(state_time or self.start - timedelta(hours=self.rng.randint(5, 60))),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso(
                state_time or self.start - timedelta(hours=self.rng.randint(5, 60))
            ),
        }
        if description:
            item["AlarmDescription"] = description
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def transition(
        self, alarm: dict[str, Any], t: datetime, old: str, new: str, reason: str, reason_data: dict[str, Any]
    ) -> None:
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(
                    {
                        "version": "1.0",
                        "oldState": {"stateValue": old},
                        "newState": {
                            "stateValue": new,
                            "stateReason": reason,
                            "stateReasonData": reason_data,
                        },
                    }
                ),
            }
        )
        self.history.append(
            {
                "AlarmName": alarm["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t + timedelta(seconds=1)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {self.arn('sns', 'media-oncall')}",
                "HistoryData": json.dumps(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": ms(t),
                        "notificationResource": self.arn("sns", "media-oncall"),
                    }
                ),
            }
        )

    def set_state(self, alarm: dict[str, Any], t: datetime, state: str, reason: str) -> None:
        alarm["StateValue"] = state
        alarm["StateReason"] = reason
        alarm["StateUpdatedTimestamp"] = iso(t)
        alarm["StateTransitionedTimestamp"] = iso(t)

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, reason: str, reason_data: dict[str, Any]
    ) -> dict[str, Any]:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account_id,
            "time": iso(t),
            "region": REGION,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data),
                    "timestamp": iso(t),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed",
                    "timestamp": alarm_prev(self, t),
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

    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account_id,
                "region": REGION,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        self.cloudtrail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: r["Timestamp"])
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": self.metrics,
            "logs": self.logs,
            "cloudtrail": self.cloudtrail,
            "resources": self.resources,
            "alarms": self.alarms,
            "alarm_history": self.history,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def alarm_prev(a: Account, t: datetime) -> str:
    return iso(t - timedelta(hours=a.rng.randint(20, 70)))


def new_account(seed: int, salt: str, *, onset_hour: int | None = None) -> Account:
    rng = random.Random(f"{salt}:{seed}")
    day = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=rng.randint(0, 250))
    hour = onset_hour if onset_hour is not None else rng.randint(13, 20)
    onset = day + timedelta(hours=hour, minutes=rng.randint(0, 59))
    start = onset - timedelta(hours=3, minutes=rng.randint(10, 50))
    now = onset + timedelta(minutes=rng.randint(38, 62))
    acct = "".join(str(rng.randint(0, 9)) for _ in range(12))
    acct = str(rng.randint(1, 9)) + acct[1:]
    org = rng.choice(["reelhouse", "clipwave", "streamly", "vidnorth", "framebox", "tapecast"])
    return Account(
        seed, rng, acct, org, start.replace(second=0), onset.replace(second=0), now.replace(second=0)
    )


# --- the shared media pipeline ----------------------------------------------------------------------


@dataclass
class Pipeline:
    uploads: str
    renditions: str
    queue: str
    queue_url: str
    queue_arn: str
    dlq: str
    dlq_url: str
    dlq_arn: str
    transcoder: str
    probe: str
    publisher: str
    thumbs: str
    state_machine: str
    sm_arn: str
    distribution: str
    esm_uuid: str
    roles: dict[str, str]


def pipeline(
    a: Account,
    *,
    visibility: int = 900,
    ephemeral: int = 2048,
    reserved: int = 40,
    transcoder_timeout: int = 900,
    transcoder_modified: datetime | None = None,
) -> Pipeline:
    o = a.org
    p = Pipeline(
        uploads=f"{o}-video-uploads",
        renditions=f"{o}-video-renditions",
        queue="video-transcode",
        queue_url=f"https://sqs.{REGION}.amazonaws.com/{a.account_id}/video-transcode",
        queue_arn=a.arn("sqs", "video-transcode"),
        dlq="video-transcode-dlq",
        dlq_url=f"https://sqs.{REGION}.amazonaws.com/{a.account_id}/video-transcode-dlq",
        dlq_arn=a.arn("sqs", "video-transcode-dlq"),
        transcoder="video-transcoder",
        probe="media-probe",
        publisher="rendition-publish",
        thumbs="thumbnail-generator",
        state_machine="video-ingest",
        sm_arn=a.arn("states", "stateMachine:video-ingest"),
        distribution="E" + "".join(a.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13)),
        esm_uuid=a.uid(),
        roles={},
    )
    created = a.start - timedelta(days=a.rng.randint(200, 500))
    a.resource("s3", "Bucket", {"Name": p.uploads, "CreationDate": iso(created)})
    a.resource("s3", "Bucket", {"Name": p.renditions, "CreationDate": iso(created + timedelta(minutes=3))})
    a.resource(
        "s3",
        "BucketPolicy",
        {
            "Bucket": p.renditions,
            "Policy": {
                "Version": "2008-10-17",
                "Id": "PolicyForCloudFrontPrivateContent",
                "Statement": [
                    {
                        "Sid": "AllowCloudFrontServicePrincipal",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{p.renditions}/*",
                        "Condition": {
                            "StringEquals": {
                                "AWS:SourceArn": f"arn:aws:cloudfront::{a.account_id}:distribution/{p.distribution}"
                            }
                        },
                    }
                ],
            },
        },
    )
    for qname, arn, url in ((p.queue, p.queue_arn, p.queue_url), (p.dlq, p.dlq_arn, p.dlq_url)):
        attrs = {
            "QueueArn": arn,
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp()) + 600),
            "LastModifiedTimestamp": str(int(created.timestamp()) + 900),
            "VisibilityTimeout": str(visibility if qname == p.queue else 30),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600" if qname == p.queue else "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20" if qname == p.queue else "0",
            "SqsManagedSseEnabled": "true",
        }
        if qname == p.queue:
            attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": p.dlq_arn, "maxReceiveCount": 3})
        a.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": url,
                "Attributes": attrs,
                "Tags": {"team": "media-platform", "managed-by": "terraform"},
            },
        )
    layer = a.arn("lambda", "layer:ffmpeg-static:7")
    for fn, mem, timeout, runtime in (
        (p.transcoder, 3008, transcoder_timeout, "python3.12"),
        (p.probe, 512, 60, "python3.12"),
        (p.publisher, 256, 30, "nodejs20.x"),
        (p.thumbs, 1024, 120, "python3.12"),
    ):
        role = f"{fn}-role"
        p.roles[fn] = role
        modified = a.start - timedelta(days=a.rng.randint(3, 40), minutes=a.rng.randint(0, 900))
        if fn == p.transcoder and transcoder_modified:
            modified = transcoder_modified
        item: dict[str, Any] = {
            "FunctionName": fn,
            "FunctionArn": a.arn("lambda", f"function:{fn}"),
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{a.account_id}:role/service-role/{role}",
            "Handler": "handler.main" if runtime.startswith("python") else "index.handler",
            "CodeSize": a.rng.randint(40_000, 9_000_000),
            "Description": "",
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": a.hexid(43) + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": a.uid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": ephemeral if fn == p.transcoder else 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
            "Environment": {
                "Variables": {"OUTPUT_BUCKET": p.renditions, "LOG_LEVEL": "INFO"}
                if fn != p.publisher
                else {"CDN_DOMAIN": f"d{a.hexid(12)}.cloudfront.net"}
            },
        }
        if fn in (p.transcoder, p.thumbs, p.probe):
            item["Layers"] = [{"Arn": layer, "CodeSize": 78_133_544}]
        a.resource("lambda", "FunctionConfiguration", item)
        a.resource(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{fn}",
                "creationTime": ms(created),
                "retentionInDays": 30,
                "arn": a.arn("logs", f"log-group:/aws/lambda/{fn}:*"),
                "storedBytes": a.rng.randint(10**8, 10**10),
            },
        )
        a.resource(
            "iam",
            "Role",
            {
                "Path": "/service-role/",
                "RoleName": role,
                "RoleId": "AROA" + a.hexid(17).upper(),
                "Arn": f"arn:aws:iam::{a.account_id}:role/service-role/{role}",
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect"
                "%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action"
                "%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                "MaxSessionDuration": 3600,
            },
        )
    a.resource(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": p.transcoder, "ReservedConcurrentExecutions": reserved},
    )
    a.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": p.esm_uuid,
            "BatchSize": 1,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": p.queue_arn,
            "FunctionArn": a.arn("lambda", f"function:{p.transcoder}"),
            "LastModified": iso(created + timedelta(days=2)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )
    definition = {
        "Comment": "Probe, transcode (SQS worker with task token), publish",
        "StartAt": "Probe",
        "States": {
            "Probe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": p.probe, "Payload.$": "$"},
                "ResultSelector": {"probe.$": "$.Payload"},
                "ResultPath": "$.probe",
                "Next": "Transcode",
            },
            "Transcode": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": p.queue_url,
                    "MessageBody": {"taskToken.$": "$$.Task.Token", "input.$": "$"},
                },
                "TimeoutSeconds": 3600,
                "ResultPath": "$.renditions",
                "Next": "Thumbnails",
            },
            "Thumbnails": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": p.thumbs, "Payload.$": "$"},
                "ResultPath": None,
                "Next": "Publish",
            },
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": p.publisher, "Payload.$": "$"},
                "End": True,
            },
        },
    }
    a.resource(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": p.sm_arn,
            "name": p.state_machine,
            "status": "ACTIVE",
            "definition": json.dumps(definition),
            "roleArn": f"arn:aws:iam::{a.account_id}:role/video-ingest-sfn-role",
            "type": "STANDARD",
            "creationDate": iso(created + timedelta(days=2)),
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
        },
    )
    a.resource(
        "sns",
        "Topic",
        {
            "TopicArn": a.arn("sns", "media-oncall"),
            "Attributes": {
                "TopicArn": a.arn("sns", "media-oncall"),
                "DisplayName": "media-oncall",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
            },
        },
    )
    return p


def noise(a: Account, p: Pipeline, *, innocent_deploy: bool = True) -> None:
    """Tooling reads, a dashboard poller, Terraform plans, a thumbnail deploy, a CloudFront tweak."""
    rng = a.rng
    span = (a.now - a.start).total_seconds()
    dash = a.role_identity("grafana-cloudwatch-read", "grafana")
    tf = a.role_identity("terraform-ci", "gha-media-infra-plan")
    for _ in range(rng.randint(14, 20)):
        t = a.start + timedelta(seconds=rng.uniform(0, span))
        name = rng.choice(["DescribeAlarms", "ListMetrics", "GetMetricData", "DescribeAlarmHistory"])
        a.trail(
            t,
            "monitoring.amazonaws.com",
            name,
            dash,
            {"maxRecords": 100} if name == "DescribeAlarms" else None,
            read_only=True,
            agent="Grafana/10.4.2 aws-sdk-go/1.50.8 (go1.21.9; linux; amd64)",
        )
    for _ in range(rng.randint(6, 9)):
        t = a.start + timedelta(seconds=rng.uniform(0, span))
        pick = rng.randrange(4)
        if pick == 0:
            a.trail(
                t,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                tf,
                {"functionName": p.transcoder},
                read_only=True,
            )
        elif pick == 1:
            a.trail(
                t,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                tf,
                {"queueUrl": p.queue_url, "attributeNames": ["All"]},
                read_only=True,
            )
        elif pick == 2:
            a.trail(
                t,
                "states.amazonaws.com",
                "DescribeStateMachine",
                tf,
                {"stateMachineArn": p.sm_arn},
                read_only=True,
            )
        else:
            a.trail(
                t,
                "s3.amazonaws.com",
                "GetBucketPolicy",
                tf,
                {"bucketName": p.renditions, "Host": f"{p.renditions}.s3.amazonaws.com", "policy": ""},
                read_only=True,
            )
    # the media-ops console user looks at executions now and then
    ops = a.role_identity(
        "AWSReservedSSO_MediaOps_3f2a9c1e7b", f"{rng.choice(['dana', 'lucas', 'ife'])}@{a.org}.com"
    )
    for _ in range(rng.randint(5, 8)):
        t = a.start + timedelta(seconds=rng.uniform(0, span))
        a.trail(
            t,
            "states.amazonaws.com",
            "ListExecutions",
            ops,
            {"stateMachineArn": p.sm_arn, "maxResults": 100},
            read_only=True,
            agent="AWS Internal",
            ip="AWS Internal",
        )
    if innocent_deploy:
        deploy = a.role_identity("github-actions-deploy", "GitHubActions")
        t = a.onset - timedelta(minutes=rng.randint(25, 70))
        a.trail(
            t,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            deploy,
            {
                "functionName": p.thumbs,
                "s3Bucket": f"{a.org}-lambda-artifacts",
                "s3Key": f"thumbs/{a.hexid(7)}.zip",
            },
            {
                "functionName": p.thumbs,
                "functionArn": a.arn("lambda", f"function:{p.thumbs}"),
                "runtime": "python3.12",
                "codeSha256": a.hexid(43) + "=",
                "lastUpdateStatus": "InProgress",
                "state": "Active",
            },
            agent="aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/lambda#3.540.0",
        )
    # a CloudFront behaviour tweak earlier in the afternoon (global service: us-east-1)
    t = a.start + timedelta(minutes=rng.randint(20, 80))
    a.trail(
        t,
        "cloudfront.amazonaws.com",
        "UpdateDistribution",
        a.role_identity("terraform-ci", "gha-media-infra-apply"),
        {
            "id": p.distribution,
            "ifMatch": "E" + a.hexid(12).upper(),
            "distributionConfig": {"comment": "video-cdn"},
        },
        {"distribution": {"id": p.distribution, "status": "InProgress"}},
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 aws-sdk-go-v2/1.26.1",
    )


def cloudfront(
    a: Account, p: Pipeline, err_bump: Callable[[datetime], float] | None = None
) -> dict[str, Any]:
    dims = {"DistributionId": p.distribution, "Region": "Global"}
    base = a.rng.uniform(3000, 9000)
    for t in a.minutes():
        req = base * a.rng.uniform(0.85, 1.15)
        a.metric("AWS/CloudFront", "Requests", dims, t, round(req), "None")
        a.metric("AWS/CloudFront", "BytesDownloaded", dims, t, req * a.rng.uniform(1.6e6, 2.4e6), "None")
        e4 = a.rng.uniform(0.6, 1.8) + (err_bump(t) if err_bump else 0.0)
        a.metric("AWS/CloudFront", "4xxErrorRate", dims, t, e4, "Percent")
        a.metric("AWS/CloudFront", "5xxErrorRate", dims, t, a.rng.uniform(0.0, 0.08), "Percent")
        a.metric("AWS/CloudFront", "TotalErrorRate", dims, t, e4 + 0.04, "Percent")
    return dims


def lambda_reports(
    a: Account,
    fn: str,
    mem: int,
    every: int,
    duration: Callable[[datetime], float],
    used: Callable[[datetime], int],
    body: Callable[[datetime, str], list[str]] | None = None,
) -> None:
    """A sample of one function's invocations, as Lambda writes them to CloudWatch Logs."""
    stream = None
    for i, t in enumerate(a.minutes()):
        if i % every:
            continue
        if stream is None or i % 90 == 0:
            stream = f"{t:%Y/%m/%d}/[$LATEST]{a.hexid(32)}"
            a.log(
                f"/aws/lambda/{fn}",
                stream,
                t - timedelta(milliseconds=900),
                "INIT_START Runtime Version: python:3.12.v29\tRuntime Version ARN: "
                f"arn:aws:lambda:{REGION}::runtime:{a.hexid(64)}",
            )
        rid = a.uid()
        t0 = t + timedelta(seconds=a.rng.uniform(0, 40))
        a.log(f"/aws/lambda/{fn}", stream, t0, f"START RequestId: {rid} Version: $LATEST")
        d = duration(t)
        lines = body(t0, rid) if body else []
        for k, line in enumerate(lines):
            a.log(
                f"/aws/lambda/{fn}", stream, t0 + timedelta(milliseconds=(k + 1) * d / (len(lines) + 1)), line
            )
        te = t0 + timedelta(milliseconds=d)
        a.log(f"/aws/lambda/{fn}", stream, te, f"END RequestId: {rid}")
        a.log(
            f"/aws/lambda/{fn}",
            stream,
            te,
            f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\t"
            f"Memory Size: {mem} MB\tMax Memory Used: {used(t)} MB\t",
        )


@dataclass
class Minute:
    """One minute of the pipeline, as its metrics would report it."""

    started: float
    succeeded: float
    failed: float
    exec_ms: float
    sent: float
    received: float
    deleted: float
    visible: float
    inflight: float
    oldest: float
    invocations: float
    errors: float
    throttles: float
    duration_ms: float
    duration_max_ms: float
    concurrency: float
    dlq_visible: float | None = None


def pipeline_metrics(a: Account, p: Pipeline, model: Callable[[datetime], Minute]) -> None:
    q = {"QueueName": p.queue}
    fn = {"FunctionName": p.transcoder}
    sm = {"StateMachineArn": p.sm_arn}
    for t in a.minutes():
        m = model(t)
        a.metric("AWS/States", "ExecutionsStarted", sm, t, round(m.started))
        a.metric("AWS/States", "ExecutionsSucceeded", sm, t, round(m.succeeded))
        if m.failed > 0:
            a.metric("AWS/States", "ExecutionsFailed", sm, t, round(m.failed))
        if m.succeeded > 0:
            n = round(m.succeeded)
            a.stat(
                "AWS/States",
                "ExecutionTime",
                sm,
                t,
                n,
                n * m.exec_ms,
                m.exec_ms * 0.4,
                m.exec_ms * 2.2,
                "Milliseconds",
            )
        a.metric("AWS/SQS", "NumberOfMessagesSent", q, t, round(m.sent))
        a.metric("AWS/SQS", "NumberOfMessagesReceived", q, t, round(m.received))
        a.metric("AWS/SQS", "NumberOfMessagesDeleted", q, t, round(m.deleted))
        a.metric("AWS/SQS", "NumberOfEmptyReceives", q, t, round(a.rng.uniform(40, 70) * 5))
        a.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, t, round(m.visible))
        a.metric("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", q, t, round(m.inflight))
        a.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", q, t, round(m.oldest), "Seconds")
        if m.dlq_visible is not None:
            a.metric(
                "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": p.dlq}, t, round(m.dlq_visible)
            )
            a.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": p.dlq}, t, 60.0, "Seconds")
        inv = round(m.invocations)
        a.metric("AWS/Lambda", "Invocations", fn, t, inv)
        a.metric("AWS/Lambda", "Errors", fn, t, round(m.errors))
        a.metric("AWS/Lambda", "Throttles", fn, t, round(m.throttles))
        if inv:
            a.stat(
                "AWS/Lambda",
                "Duration",
                fn,
                t,
                inv,
                inv * m.duration_ms,
                min(m.duration_ms * 0.3, 4000),
                m.duration_max_ms,
                "Milliseconds",
            )
        a.metric("AWS/Lambda", "ConcurrentExecutions", fn, t, round(m.concurrency))
    # the small functions around it: steady and healthy
    for name, dur, mem_ok in ((p.probe, 1800.0, True), (p.publisher, 240.0, True), (p.thumbs, 5200.0, True)):
        d = {"FunctionName": name}
        for t in a.minutes():
            inv = max(0, round(a.rng.gauss(9, 2)))
            a.metric("AWS/Lambda", "Invocations", d, t, inv)
            a.metric("AWS/Lambda", "Errors", d, t, 1 if a.rng.random() < 0.01 and mem_ok else 0)
            if inv:
                a.stat(
                    "AWS/Lambda",
                    "Duration",
                    d,
                    t,
                    inv,
                    inv * dur * a.rng.uniform(0.8, 1.2),
                    dur * 0.3,
                    dur * 2.5,
                    "Milliseconds",
                )


def local_clock(t: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    lt = t.astimezone(ZoneInfo(zone))
    return lt.strftime("%-I:%M%p").lower()
