"""Private helpers for kit zzzzl's data-platform incidents (Glue, S3 lake, Athena, Step Functions)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """Everything one incident writes, plus the account's fixed names."""

    def __init__(self, seed: int, salt: str, onset_hour_range: tuple[int, int] = (8, 16)) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12))
        if self.account[0] == "0":
            self.account = "4" + self.account[1:]
        self.region = r.choice(["eu-west-1", "us-east-1", "us-west-2", "eu-central-1"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        hour = r.randint(*onset_hour_range)
        self.onset = day + timedelta(hours=hour, minutes=r.randint(0, 59), seconds=r.randint(0, 59))
        self.start = (self.onset - timedelta(hours=r.randint(4, 6))).replace(minute=0, second=0)
        self.now = self.onset + timedelta(minutes=r.randint(55, 95))
        self.end = self.now + timedelta(minutes=30)
        self.metrics: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.prefix = r.choice(["lm", "ndx", "corvid", "fenwick", "aster"])
        self.sns = f"arn:aws:sns:{self.region}:{self.account}:data-platform-oncall"

    # ---- ids ------------------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    def jitter(self, t: datetime, seconds: int) -> datetime:
        return t + timedelta(seconds=self.rng.randint(0, seconds))

    # ---- identities ---------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, t: datetime, invoked_by: str | None = None) -> Rec:
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"AROA{self.upper(17)}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": f"ASIA{self.upper(16)}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{self.upper(17)}",
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(1, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    def sso_identity(self, user: str, t: datetime) -> Rec:
        return self.role_identity(f"AWSReservedSSO_DataEngineer_{self.hexid(16)}", user, t)

    # ---- CloudTrail ---------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: Rec,
        req: Rec | None = None,
        resp: Rec | None = None,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[Rec] | None = None,
    ) -> Rec:
        invoked = identity.get("invokedBy")
        rec: Rec = {
            "eventVersion": "1.09" if source != "s3.amazonaws.com" else "1.10",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked
            or ip
            or f"10.{self.rng.randint(20, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 250)}",
            "userAgent": invoked or agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uuid() if source != "s3.amazonaws.com" else self.upper(16),
            "eventID": self.uuid(),
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
        if not invoked:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    # ---- metrics ------------------------------------------------------------------------------
    def metric(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> None:
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

    def stat(
        self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, values: list[float]
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "statistic_values": {
                    "SampleCount": float(len(values)),
                    "Sum": round(sum(values), 3),
                    "Minimum": round(min(values), 3),
                    "Maximum": round(max(values), 3),
                },
            }
        )

    def steps(
        self, period_s: int, start: datetime | None = None, stop: datetime | None = None
    ) -> list[datetime]:
        t = start or self.start
        t = t.replace(second=0)
        out = []
        while t <= (stop or self.end):
            out.append(t)
            t += timedelta(seconds=period_s)
        return out

    # ---- alarms -------------------------------------------------------------------------------
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
        description: str,
        missing: str = "missing",
        created: datetime | None = None,
    ) -> Rec:
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(
                created or (self.start - timedelta(days=self.rng.randint(20, 200)))
            ),
            "ActionsEnabled": True,
            "OKActions": [self.sns],
            "AlarmActions": [self.sns],
            "InsufficientDataActions": [],
            "StateValue": "OK",
            "StateReason": "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
            "StateUpdatedTimestamp": iso(
                self.start - timedelta(days=self.rng.randint(1, 9), minutes=self.rng.randint(0, 600))
            ),
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
        a["StateTransitionedTimestamp"] = a["StateUpdatedTimestamp"]
        self.alarms.append(a)
        return a

    def transition(self, a: Rec, t: datetime, new: str, old: str, reason: str) -> None:
        a["StateValue"] = new
        a["StateReason"] = reason
        a["StateUpdatedTimestamp"] = iso(t)
        a["StateTransitionedTimestamp"] = iso(t)
        data = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        self.history.append(
            {
                "AlarmName": a["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(data),
            }
        )
        self.history.append(
            {
                "AlarmName": a["AlarmName"],
                "AlarmType": "MetricAlarm",
                "Timestamp": iso(t + timedelta(seconds=1)),
                "HistoryItemType": "Action",
                "HistorySummary": f"Successfully executed action {self.sns}",
                "HistoryData": json.dumps(
                    {
                        "actionState": "Succeeded",
                        "stateUpdateTimestamp": ms(t),
                        "notificationResource": self.sns,
                        "publishedMessage": None,
                    }
                ),
            }
        )

    def alarm_event(self, a: Rec, t: datetime, reason: str, reason_data: Rec) -> Rec:
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": a["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": reason,
                    "reasonData": json.dumps(reason_data),
                    "timestamp": iso(t),
                },
                "previousState": {
                    "value": "OK",
                    "reason": "Threshold Crossed",
                    "timestamp": a["StateUpdatedTimestamp"],
                },
                "configuration": {
                    "description": a["AlarmDescription"],
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

    # ---- resources ----------------------------------------------------------------------------
    def res(self, service: str, typ: str, item: Rec) -> Rec:
        self.resources.append({"service": service, "type": typ, "item": item})
        return item

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # ---- bundle -------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
        self.trail.sort(key=lambda r: r["eventTime"])
        self.metrics.sort(
            key=lambda m: (
                m["namespace"],
                m["metric"],
                json.dumps(m["dimensions"], sort_keys=True),
                m["timestamp"],
            )
        )
        self.history.sort(key=lambda h: h["Timestamp"])
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        records: dict[str, list[Rec]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": self.history,
            "logs": self.logs,
            "cloudtrail": self.trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


# ---- the data platform every incident shares ------------------------------------------------


class Lake:
    """Names and baseline telemetry of the account's lake: buckets, Glue jobs, Athena, roles, tooling noise."""

    def __init__(self, c: Ctx) -> None:
        self.c = c
        p = c.prefix
        self.raw = f"{p}-lake-raw-{c.account}"
        self.curated = f"{p}-lake-curated-{c.account}"
        self.results = f"{p}-athena-results-{c.account}"
        self.assets = f"aws-glue-assets-{c.account}-{c.region}"
        self.glue_role = f"{p}-glue-etl-role"
        self.sfn_role = f"{p}-sfn-pipeline-role"
        self.bi_role = f"{p}-quicksight-athena"
        self.monitor_role = "DatadogIntegrationRole"
        self.vpc = f"vpc-{c.hexid(17)}"
        self.jobs: dict[str, Rec] = {}

    def base_resources(self) -> None:
        c = self.c
        for b, days in ((self.raw, 700), (self.curated, 690), (self.results, 650), (self.assets, 720)):
            c.res(
                "s3",
                "Bucket",
                {"Name": b, "CreationDate": iso(c.start - timedelta(days=days)), "BucketRegion": c.region},
            )
        for role, svc in ((self.glue_role, "glue"), (self.sfn_role, "states"), (self.bi_role, "quicksight")):
            c.res(
                "iam",
                "Role",
                {
                    "Path": "/service-role/" if svc != "quicksight" else "/",
                    "RoleName": role,
                    "RoleId": f"AROA{c.upper(17)}",
                    "Arn": f"arn:aws:iam::{c.account}:role/{'service-role/' if svc != 'quicksight' else ''}{role}",
                    "CreateDate": iso(c.start - timedelta(days=c.rng.randint(300, 700))),
                    "AssumeRolePolicyDocument": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": f"{svc}.amazonaws.com"},
                                    "Action": "sts:AssumeRole",
                                }
                            ],
                        }
                    ),
                    "MaxSessionDuration": 3600,
                },
            )
        c.res(
            "athena",
            "WorkGroup",
            {
                "Name": "analytics",
                "State": "ENABLED",
                "Configuration": {
                    "ResultConfiguration": {"OutputLocation": f"s3://{self.results}/analytics/"},
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": True,
                    "BytesScannedCutoffPerQuery": 200 * 1024**3,
                    "EngineVersion": {
                        "SelectedEngineVersion": "AUTO",
                        "EffectiveEngineVersion": "Athena engine version 3",
                    },
                },
                "Description": "BI dashboards and analysts",
                "CreationTime": iso(c.start - timedelta(days=500)),
            },
        )

    def glue_job(
        self,
        name: str,
        workers: int,
        worker_type: str = "G.1X",
        connections: list[str] | None = None,
        modified: datetime | None = None,
        timeout: int = 120,
    ) -> Rec:
        c = self.c
        job: Rec = {
            "Name": name,
            "JobMode": "SCRIPT",
            "Role": f"arn:aws:iam::{c.account}:role/service-role/{self.glue_role}",
            "CreatedOn": iso(c.start - timedelta(days=c.rng.randint(120, 600))),
            "LastModifiedOn": iso(modified or (c.start - timedelta(days=c.rng.randint(5, 90)))),
            "ExecutionProperty": {"MaxConcurrentRuns": 1},
            "Command": {
                "Name": "glueetl",
                "ScriptLocation": f"s3://{self.assets}/scripts/{name}.py",
                "PythonVersion": "3",
            },
            "DefaultArguments": {
                "--enable-metrics": "true",
                "--enable-continuous-cloudwatch-log": "true",
                "--job-language": "python",
                "--TempDir": f"s3://{self.assets}/temporary/",
                "--enable-job-insights": "true",
                "--target_bucket": self.curated,
            },
            "MaxRetries": 0,
            "AllocatedCapacity": workers,
            "Timeout": timeout,
            "MaxCapacity": float(workers),
            "WorkerType": worker_type,
            "NumberOfWorkers": workers,
            "GlueVersion": "4.0",
            "ExecutionClass": "STANDARD",
        }
        if connections:
            job["Connections"] = {"Connections": connections}
        c.res("glue", "Job", job)
        self.jobs[name] = job
        return job

    def job_run(
        self,
        name: str,
        t0: datetime,
        seconds: int,
        state: str = "SUCCEEDED",
        error: str | None = None,
        trigger: str | None = None,
    ) -> Rec:
        c = self.c
        job = self.jobs[name]
        run: Rec = {
            "Id": f"jr_{c.hexid(64)}",
            "Attempt": 0,
            "JobName": name,
            "JobMode": "SCRIPT",
            "StartedOn": iso(t0),
            "LastModifiedOn": iso(t0 + timedelta(seconds=seconds)),
            "CompletedOn": iso(t0 + timedelta(seconds=seconds)),
            "JobRunState": state,
            "Arguments": {"--job-bookmark-option": "job-bookmark-enable"},
            "PredecessorRuns": [],
            "AllocatedCapacity": job["NumberOfWorkers"],
            "ExecutionTime": seconds,
            "Timeout": job["Timeout"],
            "MaxCapacity": float(job["NumberOfWorkers"]),
            "WorkerType": job["WorkerType"],
            "NumberOfWorkers": job["NumberOfWorkers"],
            "LogGroupName": "/aws-glue/jobs",
            "GlueVersion": "4.0",
            "DPUSeconds": float(seconds * job["NumberOfWorkers"]),
            "ExecutionClass": "STANDARD",
        }
        if t0 + timedelta(seconds=seconds) > c.now:
            run["JobRunState"] = "RUNNING"
            run["LastModifiedOn"] = iso(t0 + timedelta(seconds=30))
            run["ExecutionTime"] = 0
            del run["CompletedOn"], run["DPUSeconds"]
            error = None
        if trigger:
            run["TriggerName"] = trigger
        if error:
            run["ErrorMessage"] = error
        c.res("glue", "JobRun", run)
        return run

    def glue_run_telemetry(self, run: Rec, ok: bool, rows: int, bytes_read: int) -> None:
        """Glue job metrics (published every 30 s while the run is alive, in 1-min points here) and log lines."""
        c = self.c
        name, rid = run["JobName"], run["Id"]
        t0 = datetime.fromisoformat(run["StartedOn"].replace("Z", "+00:00"))
        t1 = parse(run["CompletedOn"]) if "CompletedOn" in run else c.now
        dims = {"JobName": name, "JobRunId": "ALL", "Type": "gauge"}
        dcount = {"JobName": name, "JobRunId": "ALL", "Type": "count"}
        total = max(1, int((t1 - t0).total_seconds() // 60))
        for i, t in enumerate(c.steps(60, t0 + timedelta(minutes=1), t1)):
            frac = min(1.0, (i + 1) / total)
            c.metric(
                "Glue",
                "glue.driver.aggregate.bytesRead",
                dcount,
                t,
                "Bytes",
                bytes_read / total * (1 if ok else 0.05),
            )
            c.metric(
                "Glue",
                "glue.driver.aggregate.recordsRead",
                dcount,
                t,
                "Count",
                rows / total * (1 if ok else 0.05),
            )
            c.metric(
                "Glue",
                "glue.driver.aggregate.elapsedTime",
                dcount,
                t,
                "Milliseconds",
                (t - t0).total_seconds() * 1000,
            )
            n = run["NumberOfWorkers"] - 1
            c.metric(
                "Glue",
                "glue.driver.ExecutorAllocationManager.executors.numberAllExecutors",
                dims,
                t,
                "Count",
                n if ok else min(n, 2),
            )
            c.metric(
                "Glue", "glue.ALL.jvm.heap.usage", dims, t, "None", 0.35 + 0.25 * frac + c.rng.random() * 0.05
            )
        grp = "/aws-glue/jobs/output"
        c.log(
            grp,
            rid,
            t0 + timedelta(seconds=20),
            f"{iso(t0 + timedelta(seconds=20))[:-1].replace('T', ' ')},211 INFO [main] glue.ProcessLauncher (Logging.scala:logInfo(61)): Launching Glue job {name}, run id {rid}",
        )


def sfn_machine(c: Ctx, name: str, definition: Rec, role_arn: str, created_days: int = 300) -> Rec:
    return c.res(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": c.arn("states", f"stateMachine:{name}"),
            "name": name,
            "status": "ACTIVE",
            "definition": json.dumps(definition, indent=2),
            "roleArn": role_arn,
            "type": "STANDARD",
            "creationDate": iso(c.start - timedelta(days=created_days)),
            "loggingConfiguration": {"level": "ERROR", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
        },
    )


def sfn_execution(
    c: Ctx,
    sm: Rec,
    t0: datetime,
    t1: datetime | None,
    status: str,
    error: str | None = None,
    cause: str | None = None,
) -> Rec:
    name = f"{t0.strftime('%Y%m%dT%H%M')}-{c.hexid(8)}"
    ex: Rec = {
        "executionArn": sm["stateMachineArn"].replace(":stateMachine:", ":execution:") + f":{name}",
        "stateMachineArn": sm["stateMachineArn"],
        "name": name,
        "status": status,
        "startDate": iso(t0),
        "redriveCount": 0,
        "redriveStatus": "NOT_REDRIVABLE" if status in ("SUCCEEDED", "RUNNING") else "REDRIVABLE",
    }
    if t1 is not None:
        ex["stopDate"] = iso(t1)
    if error:
        ex["error"] = error
    if cause:
        ex["cause"] = cause
    c.res("stepfunctions", "DescribeExecutionOutput", ex)
    return ex


def tooling_noise(c: Ctx, lake: Lake, n: int) -> None:
    """Read-only calls from the monitoring integration, the BI tool, analysts and Terraform plans."""
    r = c.rng
    span = int((c.now - c.start).total_seconds())
    for _ in range(n):
        t = c.start + timedelta(seconds=r.randint(0, span))
        kind = r.random()
        if kind < 0.3:
            ident = c.role_identity(lake.monitor_role, "DatadogAWSIntegration", t)
            name = r.choice(["DescribeAlarms", "GetMetricData", "ListMetrics"])
            c.ct(
                t,
                "monitoring.amazonaws.com",
                name,
                ident,
                {"maxRecords": 100} if name == "DescribeAlarms" else None,
                None,
                True,
                agent="Datadog",
            )
        elif kind < 0.55:
            ident = c.role_identity(lake.bi_role, "QuickSight", t, None)
            qid = c.uuid()
            c.ct(
                t,
                "athena.amazonaws.com",
                "StartQueryExecution",
                ident,
                {
                    "queryString": "***OMITTED***",
                    "clientRequestToken": c.uuid(),
                    "queryExecutionContext": {"database": "lake_curated", "catalog": "awsdatacatalog"},
                    "workGroup": "analytics",
                },
                {"queryExecutionId": qid},
                False,
                agent="QuickSight",
            )
            c.ct(
                t + timedelta(seconds=r.randint(2, 9)),
                "athena.amazonaws.com",
                "GetQueryExecution",
                ident,
                {"queryExecutionId": qid},
                None,
                True,
                agent="QuickSight",
            )
        elif kind < 0.75:
            ident = c.sso_identity(r.choice(["priya.n", "tomasz.k", "jo.ellis"]), t)
            name = r.choice(["GetJobRuns", "GetJob", "GetTable", "GetPartitions", "ListExecutions"])
            src = "states.amazonaws.com" if name == "ListExecutions" else "glue.amazonaws.com"
            req: Rec | None = {"jobName": r.choice(list(lake.jobs))} if name.startswith("GetJob") else None
            if name in ("GetTable", "GetPartitions"):
                req = {
                    "databaseName": "lake_curated",
                    "name" if name == "GetTable" else "tableName": r.choice(
                        ["orders", "inventory_daily", "customers"]
                    ),
                }
            c.ct(
                t,
                src,
                name,
                ident,
                req,
                None,
                True,
                agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            )
        else:
            ident = c.role_identity("terraform-plan-ro", f"gitlab-{r.randint(100000, 999999)}", t)
            name, src, req = r.choice(
                [
                    (
                        "GetBucketPolicy",
                        "s3.amazonaws.com",
                        {
                            "bucketName": lake.curated,
                            "Host": f"{lake.curated}.s3.{c.region}.amazonaws.com",
                            "policy": "",
                        },
                    ),
                    (
                        "GetBucketEncryption",
                        "s3.amazonaws.com",
                        {
                            "bucketName": lake.raw,
                            "Host": f"{lake.raw}.s3.{c.region}.amazonaws.com",
                            "encryption": "",
                        },
                    ),
                    ("GetRole", "iam.amazonaws.com", {"roleName": lake.glue_role}),
                    ("DescribeStateMachine", "states.amazonaws.com", None),
                    ("GetWorkGroup", "athena.amazonaws.com", {"workGroup": "analytics"}),
                ]
            )
            c.ct(
                t,
                src,
                name,
                ident,
                req,
                None,
                True,
                agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0",
            )


def athena_metrics(c: Ctx, healthy_until: datetime | None = None) -> None:
    """Athena publishes per-query metrics only when queries finish: 5-minute sums here."""
    for t in c.steps(300):
        if t > c.now:
            break
        n = c.rng.randint(3, 14) if 7 <= t.hour <= 19 else c.rng.randint(0, 3)
        if n == 0:
            continue
        dims = {"WorkGroup": "analytics", "QueryState": "SUCCEEDED", "QueryType": "DML"}
        vals = [c.rng.uniform(1.2, 9.0) * 1000 for _ in range(n)]
        c.stat("AWS/Athena", "TotalExecutionTime", dims, t, "Milliseconds", vals)
        c.stat("AWS/Athena", "ProcessedBytes", dims, t, "Bytes", [c.rng.uniform(20e6, 4e9) for _ in range(n)])
        if c.rng.random() < 0.15:
            fd = {"WorkGroup": "analytics", "QueryState": "FAILED", "QueryType": "DML"}
            c.stat("AWS/Athena", "TotalExecutionTime", fd, t, "Milliseconds", [c.rng.uniform(300, 1500)])
