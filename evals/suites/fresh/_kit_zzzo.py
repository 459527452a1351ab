"""Private helpers for the analytics-estate incidents (kit zzzo)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

UTC = UTC


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Inc:
    """One incident under construction: clock, ids and the record lists."""

    def __init__(self, seed: int, salt: str, region: str = "us-east-1") -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.region = region
        self.account = str(r.randint(10**11, 10**12 - 1))
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.start = day
        self.now = day
        self.end = day

    # ids -------------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def upper(self, n: int, prefix: str = "") -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def jitter(self, t: datetime, lo: int = 0, hi: int = 59) -> datetime:
        return t + timedelta(seconds=self.rng.randint(lo, hi))

    # identities ------------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, path: str = "/") -> dict[str, Any]:
        rid = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.upper(16, "ASIA"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def sso_identity(self, permission_set: str, user: str) -> dict[str, Any]:
        ident = self.role_identity(
            f"AWSReservedSSO_{permission_set}_{self.hexid(16)}",
            user,
            "/aws-reserved/sso.amazonaws.com/",
        )
        ident["sessionContext"]["attributes"]["mfaAuthenticated"] = "false"
        return ident

    # cloudtrail ------------------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.219 lang/python#3.11.9",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        region: str | None = None,
    ) -> str:
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or f"10.{self.rng.randint(20, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 250)}",
            "userAgent": agent,
            "requestParameters": req,
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
        if ident.get("type") == "AssumedRole" and "AWSReservedSSO" in ident["arn"]:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return eid

    # metrics ---------------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        period: int = 300,
        until: datetime | None = None,
    ) -> None:
        t = self.start
        stop = until or self.end
        while t < stop:
            v = fn(t)
            if v is not None:
                self.metrics.append(
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

    def point(self, ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, v: float) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": v,
            }
        )

    # logs ------------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # alarms ----------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        threshold: float,
        op: str,
        evals: int,
        topic: str,
        transitions: list[tuple[datetime, str, str]],
        description: str = "",
        treat_missing: str = "missing",
        unit: str | None = None,
    ) -> dict[str, Any]:
        """transitions: (time, new state, reason), oldest first; the first is from INSUFFICIENT_DATA."""
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        last_t, last_s, last_r = transitions[-1]
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.start - timedelta(days=self.rng.randint(30, 200))),
            "ActionsEnabled": True,
            "OKActions": [],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": last_s,
            "StateReason": last_r,
            "StateUpdatedTimestamp": iso(last_t),
            "StateTransitionedTimestamp": iso(last_t),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
        }
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        prev = "INSUFFICIENT_DATA"
        for t, state, reason in transitions:
            data = {
                "version": "1.0",
                "oldState": {"stateValue": prev, "stateReason": "Unchecked: Initial alarm creation"}
                if prev == "INSUFFICIENT_DATA"
                else {"stateValue": prev},
                "newState": {"stateValue": state, "stateReason": reason},
            }
            self.history.append(
                {
                    "AlarmName": name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t),
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {prev} to {state}",
                    "HistoryData": json.dumps(data),
                }
            )
            prev = state
        return item

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, prev_state: str, prev_t: datetime
    ) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {"value": alarm["StateValue"], "reason": alarm["StateReason"], "timestamp": iso(t)},
                "previousState": {
                    "value": prev_state,
                    "reason": "Threshold Crossed",
                    "timestamp": iso(prev_t),
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

    # resources -------------------------------------------------------------------------------------
    def res(self, service: str, typ: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    # output ----------------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        question: str | None,
        tz: str | None,
        alarm_event: dict[str, Any] | None,
        truth: dict[str, Any],
    ) -> Bundle:
        self.trail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.history.sort(key=lambda r: (r["Timestamp"], r["AlarmName"]))
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": {"question": question, "alarm_event": alarm_event, "timezone": tz},
                "truth": truth,
            }
        )
        records: dict[str, list[dict[str, Any]]] = {
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


# --- the analytics estate ------------------------------------------------------------------------

AIRFLOW_TS = "%Y-%m-%d, %H:%M:%S UTC"


def af(t: datetime) -> str:
    return t.strftime(AIRFLOW_TS)


class Estate:
    """A data platform: S3 lake, Glue jobs and crawler, Athena, Redshift, MWAA, with their usual noise."""

    def __init__(self, inc: Inc, company: str) -> None:
        self.inc = inc
        r = inc.rng
        a = inc.account
        self.company = company
        self.raw = f"{company}-lake-raw-{a}"
        self.curated = f"{company}-lake-curated-{a}"
        self.results = f"{company}-athena-results-{a}"
        self.dags = f"{company}-mwaa-dags-{a}"
        self.scripts = f"aws-glue-assets-{a}-{inc.region}"
        self.env = f"{company}-airflow-prod"
        self.exec_role = f"{company}-mwaa-execution"
        self.glue_role = f"{company}-glue-etl"
        self.cluster = f"{company}-dw"
        self.workgroup = "analysts"
        self.topic = f"arn:aws:sns:{inc.region}:{a}:data-platform-alerts"
        self.jobs = ["orders-curate", "customers-curate", "clickstream-sessionize"]
        self.crawler = "curated-orders-crawler"
        self.vpc = "vpc-" + inc.hexid(17)
        self.subnets = ["subnet-" + inc.hexid(17) for _ in range(2)]
        self.sg = "sg-" + inc.hexid(17)
        self.mwaa_ident = inc.role_identity(self.exec_role, "airflow-worker-" + inc.hexid(8))
        self.glue_ident = inc.role_identity(self.glue_role, "GlueJobRunnerSession")
        self.monitor = inc.role_identity("datadog-integration", "DatadogAWSIntegration")
        self.bi = inc.role_identity(f"{company}-tableau-athena", "tableau-" + inc.hexid(6))
        self.analysts = [
            inc.sso_identity("DataAnalyst", n) for n in ("priya.natarajan", "tom.becker", "ines.alves")
        ]
        self.engineers = [inc.sso_identity("DataPlatformAdmin", n) for n in ("marek.nowak", "sam.oyelaran")]
        self.glue_version = "4.0"
        self.workers = {"orders-curate": 10, "customers-curate": 5, "clickstream-sessionize": 20}
        self.created = inc.start - timedelta(days=r.randint(200, 700))

    def role_arn(self, role: str) -> str:
        return f"arn:aws:iam::{self.inc.account}:role/{role}"

    def add_resources(self) -> None:
        inc = self.inc
        for b in (self.raw, self.curated, self.results, self.dags, self.scripts):
            inc.res(
                "s3", "Bucket", {"Name": b, "CreationDate": iso(self.created), "BucketRegion": inc.region}
            )
        for j in self.jobs:
            inc.res(
                "glue",
                "Job",
                {
                    "Name": j,
                    "Role": self.role_arn(self.glue_role),
                    "CreatedOn": iso(self.created),
                    "LastModifiedOn": iso(self.created + timedelta(days=40)),
                    "ExecutionProperty": {"MaxConcurrentRuns": 1},
                    "Command": {
                        "Name": "glueetl",
                        "ScriptLocation": f"s3://{self.scripts}/scripts/{j}.py",
                        "PythonVersion": "3",
                    },
                    "DefaultArguments": {
                        "--enable-metrics": "true",
                        "--enable-continuous-cloudwatch-log": "true",
                        "--job-language": "python",
                        "--TempDir": f"s3://{self.scripts}/temporary/",
                        "--target_path": f"s3://{self.curated}/{j.split('-')[0]}/",
                    },
                    "MaxRetries": 0,
                    "Timeout": 120,
                    "WorkerType": "G.1X",
                    "NumberOfWorkers": self.workers[j],
                    "GlueVersion": self.glue_version,
                },
            )
        inc.res(
            "glue",
            "Crawler",
            {
                "Name": self.crawler,
                "Role": self.role_arn(self.glue_role),
                "Targets": {"S3Targets": [{"Path": f"s3://{self.curated}/orders/", "Exclusions": []}]},
                "DatabaseName": "curated",
                "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"},
                "SchemaChangePolicy": {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
                "State": "READY",
                "CreationTime": iso(self.created),
                "LastUpdated": iso(self.created + timedelta(days=12)),
                "Version": 3,
            },
        )
        inc.res(
            "athena",
            "WorkGroup",
            {
                "Name": self.workgroup,
                "State": "ENABLED",
                "Configuration": {
                    "ResultConfiguration": {"OutputLocation": f"s3://{self.results}/analysts/"},
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": True,
                    "BytesScannedCutoffPerQuery": 1099511627776,
                    "RequesterPaysEnabled": False,
                    "EngineVersion": {
                        "SelectedEngineVersion": "AUTO",
                        "EffectiveEngineVersion": "Athena engine version 3",
                    },
                },
                "Description": "Ad-hoc and BI queries",
                "CreationTime": iso(self.created),
            },
        )
        inc.res(
            "mwaa",
            "Environment",
            {
                "Name": self.env,
                "Status": "AVAILABLE",
                "Arn": f"arn:aws:airflow:{inc.region}:{inc.account}:environment/{self.env}",
                "CreatedAt": iso(self.created),
                "ExecutionRoleArn": self.role_arn(self.exec_role),
                "ServiceRoleArn": f"arn:aws:iam::{inc.account}:role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA",
                "AirflowVersion": "2.8.1",
                "SourceBucketArn": f"arn:aws:s3:::{self.dags}",
                "DagS3Path": "dags/",
                "RequirementsS3Path": "requirements.txt",
                "EnvironmentClass": "mw1.medium",
                "MaxWorkers": 10,
                "MinWorkers": 1,
                "Schedulers": 2,
                "NetworkConfiguration": {"SubnetIds": self.subnets, "SecurityGroupIds": [self.sg]},
                "LoggingConfiguration": {
                    k: {
                        "Enabled": True,
                        "LogLevel": "INFO",
                        "CloudWatchLogGroupArn": f"arn:aws:logs:{inc.region}:{inc.account}:log-group:airflow-{self.env}-{k[:-4]}",
                    }
                    for k in ("TaskLogs", "SchedulerLogs", "WorkerLogs", "WebserverLogs", "DagProcessingLogs")
                },
                "WebserverAccessMode": "PRIVATE_ONLY",
                "WeeklyMaintenanceWindowStart": "SUN:03:30",
                "LastUpdate": {"Status": "SUCCESS", "CreatedAt": iso(self.created + timedelta(days=90))},
            },
        )
        for role, svc in (
            (self.glue_role, "glue.amazonaws.com"),
            (self.exec_role, "airflow-env.amazonaws.com"),
        ):
            inc.res(
                "iam",
                "Role",
                {
                    "Path": "/",
                    "RoleName": role,
                    "RoleId": inc.upper(17, "AROA"),
                    "Arn": self.role_arn(role),
                    "CreateDate": iso(self.created),
                    "AssumeRolePolicyDocument": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}
                            ],
                        }
                    ),
                    "MaxSessionDuration": 3600,
                },
            )
        for g in (
            "/aws-glue/jobs/output",
            "/aws-glue/jobs/error",
            "/aws-glue/crawlers",
            f"airflow-{self.env}-Task",
        ):
            inc.res(
                "logs",
                "LogGroup",
                {
                    "logGroupName": g,
                    "creationTime": ms(self.created),
                    "retentionInDays": 30,
                    "arn": f"arn:aws:logs:{inc.region}:{inc.account}:log-group:{g}:*",
                    "storedBytes": inc.rng.randint(10**8, 10**10),
                },
            )

    def redshift_item(self, nodes: int, node_type: str, status: str = "available") -> dict[str, Any]:
        inc = self.inc
        return {
            "ClusterIdentifier": self.cluster,
            "NodeType": node_type,
            "ClusterStatus": status,
            "ClusterAvailabilityStatus": "Available",
            "MasterUsername": "dwadmin",
            "DBName": "analytics",
            "Endpoint": {
                "Address": f"{self.cluster}.c{inc.hexid(11)}.{inc.region}.redshift.amazonaws.com",
                "Port": 5439,
            },
            "ClusterCreateTime": iso(self.created),
            "AutomatedSnapshotRetentionPeriod": 7,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": self.sg, "Status": "active"}],
            "ClusterParameterGroups": [
                {"ParameterGroupName": f"{self.cluster}-params", "ParameterApplyStatus": "in-sync"}
            ],
            "ClusterSubnetGroupName": f"{self.cluster}-subnets",
            "VpcId": self.vpc,
            "AvailabilityZone": f"{inc.region}a",
            "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
            "ClusterVersion": "1.0",
            "AllowVersionUpgrade": True,
            "NumberOfNodes": nodes,
            "PubliclyAccessible": False,
            "Encrypted": True,
            "ClusterNodes": [{"NodeRole": "LEADER", "PrivateIPAddress": f"10.40.1.{10 + nodes}"}]
            + [{"NodeRole": f"COMPUTE-{i}", "PrivateIPAddress": f"10.40.1.{10 + i}"} for i in range(nodes)],
            "IamRoles": [
                {"IamRoleArn": self.role_arn(f"{self.company}-redshift-copy"), "ApplyStatus": "in-sync"}
            ],
            "EnhancedVpcRouting": False,
            "MaintenanceTrackName": "current",
        }

    # recurring work -------------------------------------------------------------------------------
    def glue_run(
        self,
        job: str,
        t: datetime,
        minutes: float,
        ok: bool,
        failure: list[str] | None = None,
        dag: str = "orders_hourly",
        task: str = "curate",
    ) -> str:
        """One Glue run started by Airflow: CloudTrail, Glue job metrics and logs, Airflow task log."""
        inc = self.inc
        run = "jr_" + inc.hexid(64)
        inc.ct(
            t,
            "glue.amazonaws.com",
            "StartJobRun",
            self.mwaa_ident,
            {"jobName": job},
            {"jobRunId": run},
        )
        end = t + timedelta(minutes=minutes)
        # job metrics (published while the run is alive, every 30 s; sampled each minute here)
        dims_c = {"JobName": job, "JobRunId": "ALL", "Type": "count"}
        dims_g = {"JobName": job, "JobRunId": "ALL", "Type": "gauge"}
        m = t + timedelta(minutes=1)
        total = 0.0
        while m <= end:
            b = inc.rng.uniform(2.0e8, 4.0e8) * self.workers[job] / 10
            total += b
            inc.point("Glue", "glue.driver.aggregate.bytesRead", dims_c, m, "Bytes", round(b))
            inc.point(
                "Glue", "glue.driver.aggregate.numCompletedTasks", dims_c, m, "Count", inc.rng.randint(20, 60)
            )
            inc.point(
                "Glue", "glue.ALL.jvm.heap.usage", dims_g, m, "None", round(inc.rng.uniform(0.2, 0.45), 3)
            )
            failed = 0 if ok or m + timedelta(minutes=1) <= end else inc.rng.randint(4, 12)
            inc.point("Glue", "glue.driver.aggregate.numFailedTasks", dims_c, m, "Count", failed)
            m += timedelta(minutes=1)
        out = "/aws-glue/jobs/output"
        inc.log(out, run, t + timedelta(seconds=40), f"{af(t)} Glue ETL job {job} starting, run {run}")
        inc.log(
            out,
            run,
            t + timedelta(seconds=55),
            f"INFO GlueContext: GlueMetrics configured and enabled; executors requested: {self.workers[job] - 1}",
        )
        if ok:
            inc.log(
                out,
                run,
                end - timedelta(seconds=5),
                f"INFO FileOutputCommitter: Saved output of task to s3://{self.curated}/{job.split('-')[0]}/",
            )
            inc.log(out, run, end, "INFO ApplicationMaster: Final app status: SUCCEEDED, exitCode: 0")
        else:
            for i, line in enumerate(failure or []):
                inc.log("/aws-glue/jobs/error", run, end - timedelta(seconds=20 - i), line)
            inc.log(
                out,
                run,
                end,
                "INFO ApplicationMaster: Final app status: FAILED, exitCode: 1, (reason: User application exited with 1)",
            )
        # Airflow task log
        grp = f"airflow-{self.env}-Task"
        logical = t.replace(minute=0, second=0)
        stream = f"dag_id={dag}/run_id=scheduled__{logical.isoformat()}/task_id={task}/attempt=1.log"
        inc.log(
            grp,
            stream,
            t - timedelta(seconds=3),
            f"[{af(t)}] {{taskinstance.py:2170}} INFO - Starting attempt 1 of 1",
        )
        inc.log(
            grp,
            stream,
            t,
            f"[{af(t)}] {{glue.py:171}} INFO - Initializing AWS Glue Job: {job}. Wait for completion: True",
        )
        inc.log(
            grp,
            stream,
            t + timedelta(seconds=1),
            f"[{af(t)}] {{glue.py:312}} INFO - You can monitor this Glue Job run at: https://console.aws.amazon.com/gluestudio/home?region={inc.region}#/job/{job}/run/{run}",
        )
        if ok:
            inc.log(
                grp,
                stream,
                end + timedelta(seconds=6),
                f"[{af(end)}] {{glue.py:280}} INFO - Exiting Job {run} Run State: SUCCEEDED",
            )
            inc.log(
                grp,
                stream,
                end + timedelta(seconds=7),
                f"[{af(end)}] {{taskinstance.py:1138}} INFO - Marking task as SUCCESS. dag_id={dag}, task_id={task}",
            )
        else:
            inc.log(
                grp,
                stream,
                end + timedelta(seconds=6),
                f"[{af(end)}] {{taskinstance.py:2699}} ERROR - Task failed with exception\nTraceback (most recent call last):\n"
                '  File "/usr/local/airflow/.local/lib/python3.11/site-packages/airflow/providers/amazon/aws/operators/glue.py", line 239, in execute\n'
                f"    raise AirflowException(f\"Error in glue job: {{glue_job_run}}\")\nairflow.exceptions.AirflowException: Error in glue job: {{'JobRunState': 'FAILED', 'JobRunId': '{run}'}}",
            )
            inc.log(
                grp,
                stream,
                end + timedelta(seconds=7),
                f"[{af(end)}] {{taskinstance.py:1138}} INFO - Marking task as FAILED. dag_id={dag}, task_id={task}",
            )
        for k in range(int(minutes // 2)):
            inc.ct(
                t + timedelta(minutes=2 * k + 1, seconds=inc.rng.randint(0, 50)),
                "glue.amazonaws.com",
                "GetJobRun",
                self.mwaa_ident,
                {"jobName": job, "runId": run},
                None,
                read_only=True,
            )
        return run

    def background(self, busy: Callable[[datetime], bool] | None = None) -> None:
        """Read-only tooling, analysts' Athena queries, crawler runs, Redshift monitoring."""
        inc = self.inc
        r = inc.rng
        t = inc.start
        while t < inc.end:
            if r.random() < 0.5:
                inc.ct(
                    inc.jitter(t),
                    "redshift.amazonaws.com",
                    "DescribeClusters",
                    self.monitor,
                    None,
                    None,
                    read_only=True,
                    agent="datadog-aws-integration",
                )
            if r.random() < 0.35:
                inc.ct(
                    inc.jitter(t),
                    "monitoring.amazonaws.com",
                    "GetMetricData",
                    self.monitor,
                    None,
                    None,
                    read_only=True,
                    agent="datadog-aws-integration",
                )
            if r.random() < 0.45:
                who = r.choice([*self.analysts, self.bi])
                qid = inc.uid()
                tt = inc.jitter(t, 0, 280)
                inc.ct(
                    tt,
                    "athena.amazonaws.com",
                    "StartQueryExecution",
                    who,
                    {
                        "queryString": "***OMITTED***",
                        "clientRequestToken": inc.uid(),
                        "queryExecutionContext": {"database": "curated", "catalog": "AwsDataCatalog"},
                        "workGroup": self.workgroup,
                    },
                    {"queryExecutionId": qid},
                    agent="Tableau/2024.1 (AthenaJDBC42_2.1.3.1000)" if who is self.bi else "AWS Internal",
                )
                inc.ct(
                    tt + timedelta(seconds=r.randint(3, 40)),
                    "athena.amazonaws.com",
                    "GetQueryExecution",
                    who,
                    {"queryExecutionId": qid},
                    None,
                    read_only=True,
                )
            if t.minute == 15 and r.random() < 0.9:
                inc.ct(
                    inc.jitter(t),
                    "glue.amazonaws.com",
                    "StartCrawler",
                    self.mwaa_ident,
                    {"name": self.crawler},
                    None,
                )
            t += timedelta(minutes=5)
        # Athena workgroup metrics (per query; sampled per 5 minutes)
        dims = {"WorkGroup": self.workgroup, "QueryState": "SUCCEEDED", "QueryType": "DML"}
        inc.series(
            "AWS/Athena",
            "ProcessedBytes",
            dims,
            "Bytes",
            lambda x: r.uniform(1e8, 4e9) if r.random() < 0.7 else None,
        )
        inc.series(
            "AWS/Athena",
            "TotalExecutionTime",
            dims,
            "Milliseconds",
            lambda x: r.uniform(1500, 9000) if r.random() < 0.7 else None,
        )
