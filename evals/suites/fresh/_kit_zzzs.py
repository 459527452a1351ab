"""Helpers for kit zzzs: a bank's partner file exchange (Transfer Family SFTP, S3, Lambda, Aurora MySQL)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]
REGION = "eu-west-2"
PARTNERS = ["northgate-clearing", "aldwych-payroll", "meridian-cards", "fenwick-fx", "harbour-leasing"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident's account, clock and the records gathered so far."""

    def __init__(self, seed: int, salt: str, onset: datetime, before: timedelta, after: timedelta) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.acct = str(r.randint(210000000000, 989999999999))
        self.onset = onset
        self.start = onset - before
        self.now = onset + after
        self.end = self.now + timedelta(minutes=10)
        self.series: dict[tuple[str, str, tuple[tuple[str, str], ...], str], dict[datetime, Any]] = {}
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.logs: list[Rec] = []
        self.ct: list[Rec] = []
        self.resources: list[Rec] = []
        self.events: list[Rec] = []
        self.hexid = lambda n: "".join(r.choice("0123456789abcdef") for _ in range(n))
        self.server_id = "s-" + self.hexid(17)
        self.vpc = "vpc-" + self.hexid(17)
        self.subnets = ["subnet-" + self.hexid(17) for _ in range(3)]
        self.sg = {
            k: "sg-" + self.hexid(17) for k in ("lambda", "endpoints", "aurora", "sftp", "dispatch-partner")
        }
        self.vpce = {
            k: "vpce-" + self.hexid(17) for k in ("secretsmanager", "s3", "partner", "transfer", "logs")
        }
        self.partner_svc = "com.amazonaws.vpce.eu-west-2.vpce-svc-" + self.hexid(17)
        self.cluster_res = "cluster-" + "".join(
            r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(26)
        )
        self.dns_suffix = "c" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(11))
        self.inbound_bucket = f"nbk-filex-partner-inbound-{self.acct[-6:]}"
        self.outbound_bucket = f"nbk-filex-partner-outbound-{self.acct[-6:]}"
        self.secret_suffix = "".join(
            r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(6)
        )
        self.topic = f"arn:aws:sns:{REGION}:{self.acct}:filex-oncall"

    # --- ids -------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{REGION}:{self.acct}:{rest}"

    def fn_arn(self, name: str) -> str:
        return self.arn("lambda", f"function:{name}")

    def role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.acct}:role/{name}"

    # --- metrics ---------------------------------------------------------------------------------
    def put(self, ns: str, metric: str, dims: dict[str, str], t: datetime, v: Any, unit: str) -> None:
        key = (ns, metric, tuple(sorted(dims.items())), unit)
        self.series.setdefault(key, {})[t] = v

    def get(self, ns: str, metric: str, dims: dict[str, str]) -> dict[datetime, Any]:
        for (n, m, d, _u), pts in self.series.items():
            if n == ns and m == metric and d == tuple(sorted(dims.items())):
                return pts
        return {}

    def minutes(self, step: int = 1) -> list[datetime]:
        out = []
        t = self.start
        while t <= self.now:
            out.append(t)
            t += timedelta(minutes=step)
        return out

    # --- CloudTrail ------------------------------------------------------------------------------
    def identity(self, role: str, session: str, *, sso: bool = False, service_role: bool = False) -> Rec:
        rid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        path = "aws-reserved/sso.amazonaws.com/eu-west-2/" if sso else ""
        role_arn = f"arn:aws:iam::{self.acct}:role/{path}{role}"
        return {
            "type": "AssumedRole",
            "principalId": f"{rid}:{session}",
            "arn": f"arn:aws:sts::{self.acct}:assumed-role/{role}/{session}",
            "accountId": self.acct,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": rid,
                    "arn": role_arn,
                    "accountId": self.acct,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": "PLACEHOLDER",
                    "mfaAuthenticated": "false",
                },
            },
        }

    def trail(
        self,
        t: datetime,
        who: Rec,
        source: str,
        name: str,
        params: Rec | None,
        response: Rec | None,
        *,
        read_only: bool,
        ip: str = "10.40.12.7",
        agent: str = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.9",
        error: tuple[str, str] | None = None,
    ) -> Rec:
        ident = json.loads(json.dumps(who))
        ctx = ident.get("sessionContext", {}).get("attributes")
        if ctx is not None:
            ctx["creationDate"] = iso(t - timedelta(minutes=self.rng.randint(2, 50)))
        rec: Rec = {
            "eventVersion": "1.09" if source != "sts.amazonaws.com" else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": REGION,
            "sourceIPAddress": ip,
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uid(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.acct,
            "eventCategory": "Management",
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{REGION}.amazonaws.com",
            },
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        self.ct.append(rec)
        return rec

    # --- logs ------------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def res(self, service: str, typ: str, item: Rec) -> None:
        self.resources.append({"service": service, "type": typ, "item": item})

    # --- alarms ----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        desc: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        dta: int,
        threshold: float,
        op: str,
        missing: str,
        created: datetime,
        unit_label: str = "",
    ) -> Rec:
        """A MetricAlarm evaluated over the series gathered so far, with its history items."""
        pts = self.get(ns, metric, dims)
        step = timedelta(seconds=period)

        def agg(t0: datetime) -> float | None:
            vals = [v for t, v in pts.items() if t0 <= t < t0 + step]
            if not vals:
                return None
            nums: list[float] = []
            for v in vals:
                if isinstance(v, dict):
                    nums.append(
                        v["Sum"]
                        if stat == "Sum"
                        else v["Maximum"]
                        if stat == "Maximum"
                        else v["Sum"] / v["SampleCount"]
                    )
                else:
                    nums.append(float(v))
            if stat == "Sum":
                return sum(nums)
            if stat == "Maximum":
                return max(nums)
            if stat == "Minimum":
                return min(nums)
            return sum(nums) / len(nums)

        def breach(v: float) -> bool:
            return {
                "GreaterThanOrEqualToThreshold": v >= threshold,
                "GreaterThanThreshold": v > threshold,
                "LessThanThreshold": v < threshold,
                "LessThanOrEqualToThreshold": v <= threshold,
            }[op]

        opword = {
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "GreaterThanThreshold": "greater than",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[op]
        state = "OK"
        reason = "Threshold Crossed: no datapoints were breaching"
        changed = self.start
        reason_data: Rec = {}
        arn = self.arn("cloudwatch", f"alarm:{name}")
        epoch = int(self.start.timestamp()) // period * period + period
        first = datetime.fromtimestamp(epoch, UTC) + step * evals
        t = first
        while t <= self.now:
            window = [t - step * (i + 1) for i in range(evals)]
            vals = [agg(w) for w in window]
            breaching = 0
            shown = []
            for w, v in zip(window, vals, strict=True):
                if v is None:
                    if missing == "breaching":
                        breaching += 1
                    continue
                shown.append((w, v))
                if breach(v):
                    breaching += 1
            new = state
            if breaching >= dta:
                new = "ALARM"
            elif shown or missing in ("notBreaching", "breaching"):
                new = "OK"
            if new != state:
                fmt = ", ".join(f"{v:g} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown) or ""
                if new == "ALARM":
                    verb = "were" if dta > 1 else "was"
                    text = f"Threshold Crossed: {dta} out of the last {evals} datapoints [{fmt}] {verb} {opword} the threshold ({threshold:g}) (minimum {dta} datapoint for OK -> ALARM transition)."
                    if not shown:
                        text = (
                            f"Threshold Crossed: no datapoints were received for {evals} period{'s' * (evals > 1)} and "
                            f"{evals} missing datapoint{'s were' if evals > 1 else ' was'} treated as [Breaching]."
                        )
                else:
                    text = f"Threshold Crossed: {len(shown)} datapoint[s] [{fmt}] {'was' if len(shown) == 1 else 'were'} not {opword} the threshold ({threshold:g})."
                    if not shown:
                        text = (
                            f"Threshold Crossed: no datapoints were received for {evals} period{'s' * (evals > 1)} and "
                            f"{evals} missing datapoint{'s were' if evals > 1 else ' was'} treated as [NonBreaching]."
                        )
                data: Rec = {
                    "version": "1.0",
                    "queryDate": t.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": [round(v, 2) for _, v in shown],
                    "threshold": threshold,
                    "evaluatedDatapoints": [
                        {
                            "timestamp": w.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                            "sampleCount": 1.0,
                            "value": round(v, 2),
                        }
                        for w, v in shown
                    ],
                }
                if shown:
                    data["startDate"] = shown[-1][0].strftime("%Y-%m-%dT%H:%M:%S.000+0000")
                hist = {
                    "version": "1.0",
                    "oldState": {"stateValue": state, "stateReason": reason},
                    "newState": {"stateValue": new, "stateReason": text, "stateReasonData": data},
                }
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso(t + timedelta(seconds=self.rng.randint(5, 40))),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(hist),
                    }
                )
                if new == "ALARM":
                    self.history.append(
                        {
                            "AlarmName": name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso(t + timedelta(seconds=self.rng.randint(41, 55))),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {self.topic}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": ms(t),
                                    "notificationResource": self.topic,
                                    "publishedMessage": {"messageId": self.uid()},
                                }
                            ),
                        }
                    )
                state, reason, changed, reason_data = new, text, t, data
            t += step
        _ = unit_label
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(created),
            "ActionsEnabled": True,
            "OKActions": [self.topic],
            "AlarmActions": [self.topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(changed),
            "StateTransitionedTimestamp": iso(changed),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if reason_data:
            item["StateReasonData"] = json.dumps(reason_data)
        self.alarms.append(item)
        return item

    def alarm_event(self, name: str) -> Rec:
        """The EventBridge event of the alarm's last transition to ALARM."""
        alarm = next(a for a in self.alarms if a["AlarmName"] == name)
        items = sorted(
            (h for h in self.history if h["AlarmName"] == name and h["HistoryItemType"] == "StateUpdate"),
            key=lambda h: str(h["Timestamp"]),
        )
        last = items[-1]
        data = json.loads(last["HistoryData"])
        prev_t = items[-2]["Timestamp"] if len(items) > 1 else iso(self.start)
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.acct,
            "time": last["Timestamp"],
            "region": REGION,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": name,
                "state": {
                    "value": data["newState"]["stateValue"],
                    "reason": data["newState"]["stateReason"],
                    "reasonData": json.dumps(data["newState"].get("stateReasonData", {})),
                    "timestamp": last["Timestamp"].replace("Z", ".000+0000"),
                },
                "previousState": {
                    "value": data["oldState"]["stateValue"],
                    "reason": data["oldState"]["stateReason"],
                    "timestamp": prev_t.replace("Z", ".000+0000"),
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

    # --- output ----------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
        metrics = []
        for (ns, metric, dims, unit), pts in self.series.items():
            for t in sorted(pts):
                if t > self.now:
                    continue
                v = pts[t]
                row: Rec = {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dict(dims),
                    "timestamp": iso(t),
                    "unit": unit,
                }
                if isinstance(v, dict):
                    row["statistic_values"] = v
                else:
                    row["value"] = round(float(v), 3)
                metrics.append(row)
        self.ct.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda h: h["Timestamp"])
        self.logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.acct,
                "region": REGION,
                "start": iso(self.start),
                "end": iso(self.end),
                "now": iso(self.now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(
            manifest,
            {
                "metrics": metrics,
                "alarms": self.alarms,
                "alarm_history": [h for h in self.history if h["Timestamp"] <= iso(self.now)],
                "logs": [e for e in self.logs if e["timestamp"] <= ms(self.now)],
                "cloudtrail": [r for r in self.ct if r["eventTime"] <= iso(self.now)],
                "resources": self.resources,
                "events": self.events,
            },
        )


def onset_for(rng: random.Random, weekday: int | None, hour_range: tuple[int, int]) -> datetime:
    """An onset in the autumn of 2026 on the given weekday (0 = Monday), minute-aligned."""
    base = datetime(2026, 9, 7, tzinfo=UTC) + timedelta(days=7 * rng.randint(0, 10))
    day = base + timedelta(days=weekday if weekday is not None else rng.randint(0, 4))
    return day + timedelta(hours=rng.randint(*hour_range), minutes=rng.randint(0, 59))


# --- the account -----------------------------------------------------------------------------------

INGEST = "filex-inbound-ingest"
DISPATCH = "filex-outbound-dispatch"
ROTATE = "filex-aurora-secret-rotation"
CLUSTER = "filex-aurora-prod"
SECRET = "filex/aurora/ingest-app"


def resources(c: Ctx, *, instance_class: str = "db.r6g.large", writer: int = 1) -> None:
    """The exchange's resources as they stand at `now`."""
    r = c.rng
    created = c.start - timedelta(days=r.randint(300, 700))
    tags = [{"Key": "app", "Value": "partner-file-exchange"}, {"Key": "cost-centre", "Value": "OPS-4471"}]
    c.res(
        "transfer",
        "DescribedServer",
        {
            "Arn": c.arn("transfer", f"server/{c.server_id}"),
            "Domain": "S3",
            "EndpointDetails": {
                "SubnetIds": c.subnets[:2],
                "VpcEndpointId": c.vpce["transfer"],
                "VpcId": c.vpc,
                "SecurityGroupIds": [c.sg["sftp"]],
                "AddressAllocationIds": ["eipalloc-" + c.hexid(17), "eipalloc-" + c.hexid(17)],
            },
            "EndpointType": "VPC",
            "HostKeyFingerprint": "SHA256:"
            + "".join(
                r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                for _ in range(43)
            ),
            "IdentityProviderType": "SERVICE_MANAGED",
            "LoggingRole": c.role_arn("filex-transfer-logging"),
            "Protocols": ["SFTP"],
            "SecurityPolicyName": "TransferSecurityPolicy-2024-01",
            "ServerId": c.server_id,
            "State": "ONLINE",
            "Tags": [*tags, {"Key": "Name", "Value": "filex-partner-sftp"}],
            "UserCount": len(PARTNERS),
            "StructuredLogDestinations": [c.arn("logs", f"log-group:/aws/transfer/{c.server_id}:*")],
            "S3StorageOptions": {"DirectoryListingOptimization": "ENABLED"},
            "IpAddressType": "IPV4",
            "PreAuthenticationLoginBanner": "Authorised use only. Activity on this system is monitored and recorded.",
        },
    )
    for p in PARTNERS:
        c.res(
            "transfer",
            "DescribedUser",
            {
                "Arn": c.arn("transfer", f"user/{c.server_id}/{p}"),
                "HomeDirectoryType": "LOGICAL",
                "HomeDirectoryMappings": [
                    {"Entry": "/inbound", "Target": f"/{c.inbound_bucket}/{p}"},
                    {"Entry": "/outbound", "Target": f"/{c.outbound_bucket}/{p}"},
                ],
                "Role": c.role_arn("filex-transfer-partner-access"),
                "SshPublicKeys": [
                    {
                        "DateImported": iso(created + timedelta(days=r.randint(1, 200))),
                        "SshPublicKeyBody": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + c.hexid(40),
                        "SshPublicKeyId": "key-" + c.hexid(17),
                    }
                ],
                "Tags": [{"Key": "partner", "Value": p}],
                "UserName": p,
            },
        )
    for b in (c.inbound_bucket, c.outbound_bucket):
        c.res("s3", "Bucket", {"Name": b, "CreationDate": iso(created), "BucketRegion": REGION})
    c.res(
        "s3",
        "BucketPublicAccessBlock",
        {
            "Bucket": c.inbound_bucket,
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    for name, desc, timeout, mem in (
        (INGEST, "Parses partner files landed by SFTP and loads them into the filex ledger", 60, 1024),
        (DISPATCH, "Pushes outbound statement files to partner APIs over PrivateLink", 120, 512),
        (ROTATE, "Secrets Manager rotation for filex Aurora credentials (single user)", 30, 128),
    ):
        c.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": name,
                "FunctionArn": c.fn_arn(name),
                "Runtime": "python3.12",
                "Role": c.role_arn(f"{name}-role"),
                "Handler": "app.handler" if name != ROTATE else "lambda_function.lambda_handler",
                "CodeSize": r.randint(800_000, 9_000_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": (c.start - timedelta(days=r.randint(3, 40))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": c.hexid(43) + "=",
                "Version": "$LATEST",
                "VpcConfig": {
                    "SubnetIds": c.subnets,
                    "SecurityGroupIds": [c.sg["lambda"]],
                    "VpcId": c.vpc,
                },
                "Environment": {
                    "Variables": {
                        "DB_SECRET_ID": SECRET,
                        "LOG_LEVEL": "INFO",
                        "POWERTOOLS_SERVICE_NAME": name,
                    }
                },
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": c.uid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        )
        c.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/aws/lambda/{name}",
                "creationTime": ms(created),
                "retentionInDays": 90,
                "arn": c.arn("logs", f"log-group:/aws/lambda/{name}:*"),
                "storedBytes": r.randint(10**8, 10**10),
            },
        )
    c.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/transfer/{c.server_id}",
            "creationTime": ms(created),
            "retentionInDays": 400,
            "arn": c.arn("logs", f"log-group:/aws/transfer/{c.server_id}:*"),
            "storedBytes": r.randint(10**8, 10**9),
        },
    )
    members = []
    for i in (1, 2):
        ident = f"{CLUSTER}-{i}"
        members.append(
            {
                "DBInstanceIdentifier": ident,
                "IsClusterWriter": i == writer,
                "DBClusterParameterGroupStatus": "in-sync",
                "PromotionTier": 1,
            }
        )
        c.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": ident,
                "DBInstanceClass": instance_class,
                "Engine": "aurora-mysql",
                "DBInstanceStatus": "available",
                "Endpoint": {
                    "Address": f"{ident}.{c.dns_suffix}.{REGION}.rds.amazonaws.com",
                    "Port": 3306,
                    "HostedZoneId": "Z1TTGA775OQIYO",
                },
                "InstanceCreateTime": iso(created),
                "AvailabilityZone": f"{REGION}{'ab'[i - 1]}",
                "MultiAZ": False,
                "EngineVersion": "8.0.mysql_aurora.3.05.2",
                "AutoMinorVersionUpgrade": True,
                "PubliclyAccessible": False,
                "StorageType": "aurora",
                "DBClusterIdentifier": CLUSTER,
                "StorageEncrypted": True,
                "DbiResourceId": "db-"
                + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(26)),
                "PromotionTier": 1,
                "DBInstanceArn": c.arn("rds", f"db:{ident}"),
                "PerformanceInsightsEnabled": False,
                "MonitoringInterval": 0,
                "DBParameterGroups": [
                    {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": c.sg["aurora"], "Status": "active"}],
            },
        )
    c.res(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": CLUSTER,
            "DBClusterArn": c.arn("rds", f"cluster:{CLUSTER}"),
            "Status": "available",
            "Engine": "aurora-mysql",
            "EngineVersion": "8.0.mysql_aurora.3.05.2",
            "Endpoint": f"{CLUSTER}.cluster-{c.dns_suffix}.{REGION}.rds.amazonaws.com",
            "ReaderEndpoint": f"{CLUSTER}.cluster-ro-{c.dns_suffix}.{REGION}.rds.amazonaws.com",
            "Port": 3306,
            "MasterUsername": "filexadmin",
            "DBClusterMembers": members,
            "DBClusterParameterGroup": "filex-aurora-mysql8",
            "DbClusterResourceId": c.cluster_res,
            "MultiAZ": True,
            "StorageEncrypted": True,
            "ClusterCreateTime": iso(created),
            "AvailabilityZones": [f"{REGION}a", f"{REGION}b", f"{REGION}c"],
            "BackupRetentionPeriod": 14,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": c.sg["aurora"], "Status": "active"}],
            "DeletionProtection": True,
        },
    )
    secret_arn = c.arn("secretsmanager", f"secret:{SECRET}-{c.secret_suffix}")
    c.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": SECRET,
            "Description": "Aurora credentials for filex ingest/dispatch",
            "RotationEnabled": True,
            "RotationLambdaARN": c.fn_arn(ROTATE),
            "RotationRules": {"AutomaticallyAfterDays": 30},
            "LastRotatedDate": iso(c.start - timedelta(days=r.randint(2, 25))),
            "LastChangedDate": iso(c.start - timedelta(days=r.randint(2, 25))),
            "LastAccessedDate": iso(c.onset.replace(hour=0, minute=0)),
            "CreatedDate": iso(created),
            "Tags": tags,
        },
    )
    eps = [
        ("secretsmanager", f"com.amazonaws.{REGION}.secretsmanager", "Interface", [c.sg["endpoints"]], True),
        ("logs", f"com.amazonaws.{REGION}.logs", "Interface", [c.sg["endpoints"]], True),
        ("s3", f"com.amazonaws.{REGION}.s3", "Gateway", [], False),
        ("partner", c.partner_svc, "Interface", [c.sg["dispatch-partner"]], False),
    ]
    for key, svc, typ, groups, pdns in eps:
        item: Rec = {
            "VpcEndpointId": c.vpce[key],
            "VpcEndpointType": typ,
            "VpcId": c.vpc,
            "ServiceName": svc,
            "State": "available",
            "RouteTableIds": ["rtb-" + c.hexid(17)] if typ == "Gateway" else [],
            "SubnetIds": c.subnets if typ == "Interface" else [],
            "Groups": [{"GroupId": g, "GroupName": _sg_name(c, g)} for g in groups],
            "PrivateDnsEnabled": pdns,
            "RequesterManaged": False,
            "NetworkInterfaceIds": ["eni-" + c.hexid(17) for _ in c.subnets] if typ == "Interface" else [],
            "CreationTimestamp": iso(created + timedelta(days=r.randint(0, 30))),
            "OwnerId": c.acct,
            "Tags": [{"Key": "Name", "Value": f"filex-{key}-endpoint"}],
        }
        c.res("ec2", "VpcEndpoint", item)
    for key, g in c.sg.items():
        c.res("ec2", "SecurityGroup", _sg_item(c, key, g))
    c.res(
        "ec2",
        "Vpc",
        {
            "VpcId": c.vpc,
            "CidrBlock": "10.40.0.0/16",
            "State": "available",
            "OwnerId": c.acct,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "filex-prod"}],
        },
    )
    for i, sub in enumerate(c.subnets):
        c.res(
            "ec2",
            "Subnet",
            {
                "SubnetId": sub,
                "VpcId": c.vpc,
                "CidrBlock": f"10.40.{8 + i}.0/24",
                "AvailabilityZone": f"{REGION}{'abc'[i]}",
                "AvailableIpAddressCount": 240 - 3 * i,
                "State": "available",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "OwnerId": c.acct,
                "SubnetArn": c.arn("ec2", f"subnet/{sub}"),
                "Tags": [{"Key": "Name", "Value": f"filex-private-{'abc'[i]}"}],
            },
        )


def _sg_name(c: Ctx, gid: str) -> str:
    for k, v in c.sg.items():
        if v == gid:
            return f"filex-{k}-sg"
    return gid


SG_RULES: dict[str, list[Rec]] = {}


def _sg_item(c: Ctx, key: str, gid: str) -> Rec:
    def from_sg(port: int, src: str, desc: str) -> Rec:
        return {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "UserIdGroupPairs": [{"GroupId": c.sg[src], "UserId": c.acct, "Description": desc}],
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
        }

    perms: list[Rec]
    if key == "endpoints":
        perms = c.__dict__.get("endpoint_perms") or [
            from_sg(443, "lambda", "filex lambdas"),
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "UserIdGroupPairs": [],
                "IpRanges": [{"CidrIp": "10.40.64.0/20", "Description": "shared-services bastions"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
            },
        ]
    elif key == "aurora":
        perms = [from_sg(3306, "lambda", "filex lambdas")]
    elif key == "sftp":
        perms = [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "UserIdGroupPairs": [],
                "IpRanges": [
                    {"CidrIp": cidr, "Description": f"partner {p}"}
                    for cidr, p in zip(
                        (
                            "198.51.100.0/27",
                            "203.0.113.64/28",
                            "192.0.2.128/26",
                            "198.51.100.160/28",
                            "203.0.113.200/29",
                        ),
                        PARTNERS,
                        strict=True,
                    )
                ],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
            }
        ]
    elif key == "dispatch-partner":
        perms = [from_sg(443, "lambda", "filex lambdas")]
    else:
        perms = []
    return {
        "GroupId": gid,
        "GroupName": f"filex-{key}-sg",
        "Description": f"filex {key}",
        "OwnerId": c.acct,
        "VpcId": c.vpc,
        "IpPermissions": perms,
        "IpPermissionsEgress": [
            {
                "IpProtocol": "-1",
                "UserIdGroupPairs": [],
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
            }
        ],
        "Tags": [{"Key": "Name", "Value": f"filex-{key}-sg"}],
    }


def background_trail(c: Ctx, n: int = 45) -> None:
    """Read-only tooling calls and routine service calls spread over the window."""
    r = c.rng
    span = int((c.now - c.start).total_seconds())
    mon = c.identity("datadog-integration-role", "DatadogAWSIntegration")
    tf = c.identity("gha-terraform-plan", "GitHubActions")
    sre = c.identity(
        "AWSReservedSSO_ReadOnly_7c1e2d9f03a6b5e4", "priya.natarajan@northbank.example", sso=True
    )
    calls: list[tuple[Rec, str, str, Rec | None, str]] = [
        (mon, "rds.amazonaws.com", "DescribeDBInstances", None, "Datadog/AWSIntegration"),
        (mon, "rds.amazonaws.com", "DescribeDBClusters", {"includeShared": False}, "Datadog/AWSIntegration"),
        (mon, "lambda.amazonaws.com", "ListFunctions20150331", None, "Datadog/AWSIntegration"),
        (mon, "transfer.amazonaws.com", "ListServers", {"maxResults": 100}, "Datadog/AWSIntegration"),
        (
            mon,
            "monitoring.amazonaws.com",
            "ListMetrics",
            {"namespace": "AWS/Transfer"},
            "Datadog/AWSIntegration",
        ),
        (
            mon,
            "tagging.amazonaws.com",
            "GetResources",
            {"resourceTypeFilters": ["rds:db"]},
            "Datadog/AWSIntegration",
        ),
        (
            tf,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {"securityGroupIdSet": {"items": [{"groupId": c.sg["endpoints"]}]}},
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5",
        ),
        (
            tf,
            "ec2.amazonaws.com",
            "DescribeVpcEndpoints",
            {"vpcEndpointId": {"items": [c.vpce["secretsmanager"]]}},
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5",
        ),
        (
            tf,
            "transfer.amazonaws.com",
            "DescribeServer",
            {"serverId": c.server_id},
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5",
        ),
        (
            tf,
            "secretsmanager.amazonaws.com",
            "DescribeSecret",
            {"secretId": SECRET},
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5",
        ),
        (
            tf,
            "s3.amazonaws.com",
            "GetBucketPolicy",
            {
                "bucketName": c.inbound_bucket,
                "Host": f"{c.inbound_bucket}.s3.{REGION}.amazonaws.com",
                "policy": "",
            },
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.5",
        ),
        (
            sre,
            "logs.amazonaws.com",
            "DescribeLogGroups",
            {"logGroupNamePrefix": "/aws/lambda/filex"},
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
        ),
        (
            sre,
            "transfer.amazonaws.com",
            "ListUsers",
            {"serverId": c.server_id},
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
        ),
    ]
    for _ in range(n):
        who, src, name, params, agent = r.choice(calls)
        t = c.start + timedelta(seconds=r.randint(0, span))
        c.trail(
            t,
            who,
            src,
            name,
            params,
            None,
            read_only=True,
            agent=agent,
            ip=f"52.94.{r.randint(0, 255)}.{r.randint(1, 254)}"
            if who is mon
            else f"10.40.{r.randint(64, 79)}.{r.randint(1, 254)}",
        )


def secret_reads(c: Ctx, fn: str, times: list[datetime]) -> None:
    """GetSecretValue by a function's role at its cold starts."""
    who = c.identity(f"{fn}-role", fn)
    for t in times:
        c.trail(
            t,
            who,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": SECRET},
            None,
            read_only=True,
            ip=f"10.40.{c.rng.choice((8, 9, 10))}.{c.rng.randint(4, 250)}",
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.224-233.876.amzn2.aarch64 md/arch#aarch64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145",
        )


def lambda_run(
    c: Ctx,
    fn: str,
    t: datetime,
    *,
    duration_ms: float,
    mem: int,
    used: int,
    body: list[tuple[float, str]],
    init_ms: float | None = None,
    timeout_s: int | None = None,
    stream: str | None = None,
) -> str:
    """One invocation's log lines (START, body, END, REPORT). Returns the request id."""
    req = c.uid()
    group = f"/aws/lambda/{fn}"
    st = stream or f"{t:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"
    c.log(group, st, t, f"START RequestId: {req} Version: $LATEST\n")
    for off, line in body:
        tt = t + timedelta(milliseconds=off)
        c.log(
            group,
            st,
            tt,
            line.replace("{req}", req).replace(
                "{ts}", tt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{tt.microsecond // 1000:03d}Z"
            ),
        )
    end = t + timedelta(milliseconds=duration_ms)
    if timeout_s is not None:
        c.log(
            group,
            st,
            end,
            f"{end:%Y-%m-%dT%H:%M:%S}.{end.microsecond // 1000:03d}Z {req} Task timed out after {duration_ms / 1000:.2f} seconds\n\n",
        )
    c.log(group, st, end, f"END RequestId: {req}\n")
    init = f"\tInit Duration: {init_ms:.2f} ms" if init_ms else ""
    status = "\tStatus: timeout" if timeout_s is not None else ""
    c.log(
        group,
        st,
        end,
        f"REPORT RequestId: {req}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {int(duration_ms) + 1} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB{init}{status}\t\n",
    )
    return req


def transfer_session(
    c: Ctx, t: datetime, user: str, files: list[tuple[str, int]], *, download: bool = False
) -> datetime:
    """Structured Transfer Family log lines for one SFTP session; returns its end."""
    r = c.rng
    sid = c.hexid(16)
    group = f"/aws/transfer/{c.server_id}"
    stream = f"{user}.{sid}"
    res = c.arn("transfer", f"server/{c.server_id}")
    ip = {
        "northgate-clearing": "198.51.100.14",
        "aldwych-payroll": "203.0.113.70",
        "meridian-cards": "192.0.2.141",
        "fenwick-fx": "198.51.100.166",
        "harbour-leasing": "203.0.113.202",
    }[user]
    c.log(
        group,
        stream,
        t,
        json.dumps(
            {
                "role": c.role_arn("filex-transfer-partner-access"),
                "activity-type": "AUTH_SUCCESS",
                "ciphers": "aes256-gcm@openssh.com,aes256-gcm@openssh.com",
                "client": "SSH-2.0-OpenSSH_8.7",
                "source-ip": ip,
                "resource-arn": res,
                "home-dir": "/",
                "user": user,
                "kex": "ecdh-sha2-nistp256",
                "session-id": sid,
            },
            separators=(",", ":"),
        ),
    )
    tt = t + timedelta(milliseconds=r.randint(300, 900))
    for path, size in files:
        folder = "outbound" if download else "inbound"
        c.log(
            group,
            stream,
            tt,
            json.dumps(
                {
                    "mode": "READ" if download else "CREATE|TRUNCATE|WRITE",
                    "path": f"/{c.outbound_bucket if download else c.inbound_bucket}/{user}/{path}",
                    "activity-type": "OPEN",
                    "resource-arn": res,
                    "session-id": sid,
                },
                separators=(",", ":"),
            ),
        )
        tt += timedelta(milliseconds=200 + size // 20000)
        key = "bytes-out" if download else "bytes-in"
        c.log(
            group,
            stream,
            tt,
            json.dumps(
                {
                    "path": f"/{c.outbound_bucket if download else c.inbound_bucket}/{user}/{path}",
                    key: str(size),
                    "activity-type": "CLOSE",
                    "resource-arn": res,
                    "session-id": sid,
                },
                separators=(",", ":"),
            ),
        )
        _ = folder
        tt += timedelta(milliseconds=r.randint(40, 200))
    c.log(
        group,
        stream,
        tt,
        json.dumps(
            {"activity-type": "DISCONNECTED", "resource-arn": res, "session-id": sid}, separators=(",", ":")
        ),
    )
    return tt


def stats(vals: list[float]) -> Rec:
    return {
        "SampleCount": float(len(vals)),
        "Sum": round(sum(vals), 2),
        "Minimum": round(min(vals), 2),
        "Maximum": round(max(vals), 2),
    }


Sched = Callable[[datetime], int]


class Outcome:
    """What one ingest invocation did."""

    def __init__(
        self,
        duration_ms: float,
        body: list[tuple[float, str]],
        *,
        error: bool = False,
        timeout: bool = False,
        secret_read: bool = False,
        db: bool = True,
    ) -> None:
        self.duration_ms = duration_ms
        self.body = body
        self.error = error
        self.timeout = timeout
        self.secret_read = secret_read
        self.db = db


Ingest = Callable[[Ctx, datetime, bool, str, str], Outcome]


def ok_ingest(c: Ctx, t: datetime, cold: bool, partner: str, key: str) -> Outcome:
    """A healthy parse-and-load of one file."""
    r = c.rng
    rows = r.randint(40, 4000)
    d = 180 + rows * r.uniform(0.08, 0.14)
    body: list[tuple[float, str]] = []
    if cold:
        body.append((5, "[INFO]\t{ts}\t{req}\tloaded DB credentials from Secrets Manager (" + SECRET + ")\n"))
    body.append((12, "[INFO]\t{ts}\t{req}\t" + f"received s3://{c.inbound_bucket}/{partner}/{key}\n"))
    body.append(
        (
            d - 20,
            "[INFO]\t{ts}\t{req}\t"
            + f"loaded {rows} rows into ledger.partner_txn batch={c.hexid(8)} partner={partner}\n",
        )
    )
    return Outcome(d, body, secret_read=cold)


def file_name(c: Ctx, partner: str, t: datetime) -> tuple[str, int]:
    kind = {
        "northgate-clearing": "BACS_SETTLE",
        "aldwych-payroll": "PAYRUN",
        "meridian-cards": "CARD_SETTLE",
        "fenwick-fx": "FX_CONF",
        "harbour-leasing": "DD_INSTR",
    }[partner]
    return f"{kind}_{t:%Y%m%d_%H%M%S}_{c.rng.randint(1, 999):03d}.csv.pgp", c.rng.randint(20_000, 3_500_000)


def simulate(
    c: Ctx,
    rate: Callable[[datetime], float],
    ingest: Ingest,
    *,
    fn_mem: int = 1024,
    lifetime: tuple[int, int] = (25, 70),
    log_every: int = 1,
    pick: Callable[[datetime], str | None] | None = None,
) -> dict[datetime, int]:
    """Partners upload files by SFTP, each file invokes the ingest function. Returns concurrency per minute."""
    r = c.rng
    sid = {"ServerId": c.server_id}
    fdim = {"FunctionName": INGEST}
    containers: list[list[Any]] = []  # [free_at, expires_at, stream]
    conc: dict[datetime, int] = {}
    pending_reads: list[datetime] = []
    for m in c.minutes():
        lam = rate(m)
        n = 0
        if lam > 5:
            n = max(0, round(r.gauss(lam, lam**0.5)))
            lam = 0
        while lam > 0:
            if r.random() < min(lam, 1.0):
                n += 1
            lam -= 1.0
        files: list[tuple[str, str, int, datetime]] = []
        for _ in range(n):
            p = (pick(m) if pick else None) or r.choices(PARTNERS, weights=(5, 2, 4, 2, 1))[0]
            name, size = file_name(c, p, m)
            files.append((p, name, size, m + timedelta(seconds=r.randint(0, 55))))
        # group by partner into sessions
        by_p: dict[str, list[tuple[str, int]]] = {}
        starts: dict[str, datetime] = {}
        for p, name, size, at in files:
            by_p.setdefault(p, []).append((name, size))
            starts[p] = min(starts.get(p, at), at)
        for p, fl in by_p.items():
            transfer_session(c, starts[p], p, fl)
        if files:
            c.put("AWS/Transfer", "FilesIn", sid, m, float(len(files)), "Count")
            c.put("AWS/Transfer", "BytesIn", sid, m, float(sum(f[2] for f in files)), "Bytes")
        durs: list[float] = []
        errs = 0
        busy = 0.0
        for idx, (p, name, _size, at) in enumerate(sorted(files, key=lambda f: f[3])):
            inv = at + timedelta(milliseconds=r.randint(300, 1500))
            containers = [k for k in containers if k[1] > inv]
            free = [k for k in containers if k[0] <= inv]
            fresh = not free
            if fresh:
                k: list[Any] = [
                    inv,
                    inv + timedelta(minutes=r.randint(*lifetime)),
                    f"{inv:%Y/%m/%d}/[$LATEST]{c.hexid(32)}",
                    False,
                ]
                containers.append(k)
            else:
                k = free[0]
            cold = not k[3]
            out = ingest(c, inv, cold, p, name)
            k[3] = bool(k[3] or out.secret_read)
            init = r.uniform(900, 1400) if fresh else None
            if idx % log_every == 0 or out.error:
                lambda_run(
                    c,
                    INGEST,
                    inv,
                    duration_ms=out.duration_ms,
                    mem=fn_mem,
                    used=r.randint(140, 210) + (0 if cold else 20),
                    body=out.body,
                    init_ms=init,
                    timeout_s=60 if out.timeout else None,
                    stream=k[2],
                )
            k[0] = inv + timedelta(milliseconds=out.duration_ms + (init or 0))
            if out.timeout:
                k[1] = k[0]  # the sandbox is reset after a timeout
            if out.secret_read:
                pending_reads.append(inv + timedelta(milliseconds=200))
            durs.append(out.duration_ms)
            errs += 1 if out.error else 0
            busy += out.duration_ms
        if files:
            c.put("AWS/Lambda", "Invocations", fdim, m, float(len(files)), "Count")
            c.put("AWS/Lambda", "Errors", fdim, m, float(errs), "Count")
            c.put("AWS/Lambda", "Duration", fdim, m, stats(durs), "Milliseconds")
            conc[m] = max(1, round(busy / 60000.0 * 1.6 + 0.4))
            c.put("AWS/Lambda", "ConcurrentExecutions", fdim, m, float(conc[m]), "Count")
    # the function's GetSecretValue calls are many; CloudTrail keeps every one, we keep them all
    secret_reads(c, INGEST, pending_reads)
    return conc


def dispatch_runs(c: Ctx, fail: Callable[[datetime], str | None] | None = None) -> None:
    """The outbound dispatcher, every five minutes by EventBridge schedule."""
    r = c.rng
    fdim = {"FunctionName": DISPATCH}
    stream = f"{c.start:%Y/%m/%d}/[$LATEST]{c.hexid(32)}"
    for m in c.minutes(5):
        sent = r.choice((0, 0, 1, 2, 3))
        err = fail(m) if fail else None
        d = 400 + sent * r.uniform(300, 900)
        body: list[tuple[float, str]] = [
            (8, "[INFO]\t{ts}\t{req}\t" + f"scan s3://{c.outbound_bucket}/ pending=" + str(sent) + "\n")
        ]
        for _ in range(sent):
            p = r.choice(PARTNERS)
            body.append(
                (
                    d - 50,
                    "[INFO]\t{ts}\t{req}\t"
                    + f"delivered STMT_{m:%Y%m%d}_{r.randint(1000, 9999)}.xml to {p} status=202\n",
                )
            )
        if err:
            body.append((d - 10, "[ERROR]\t{ts}\t{req}\t" + err + "\n"))
        lambda_run(
            c,
            DISPATCH,
            m + timedelta(seconds=r.randint(0, 3)),
            duration_ms=d,
            mem=512,
            used=r.randint(90, 120),
            body=body,
            stream=stream,
        )
        c.put("AWS/Lambda", "Invocations", fdim, m, 1.0, "Count")
        c.put("AWS/Lambda", "Errors", fdim, m, 1.0 if err else 0.0, "Count")
        c.put("AWS/Lambda", "Duration", fdim, m, stats([d]), "Milliseconds")
        if sent:
            c.put("AWS/Transfer", "FilesOut", {"ServerId": c.server_id}, m, float(r.randint(0, 2)), "Count")


def rds_metrics(
    c: Ctx,
    conc: dict[datetime, int],
    *,
    writer: Callable[[datetime], str] | None = None,
    conn_cap: int | None = None,
    extra_cpu: Callable[[datetime, str], float] | None = None,
    mem_mb: int = 5400,
) -> None:
    """CPU and connections for both instances (1-minute, as RDS publishes)."""
    r = c.rng
    for m in c.minutes():
        w = writer(m) if writer else f"{CLUSTER}-1"
        for i in (1, 2):
            ident = f"{CLUSTER}-{i}"
            d = {"DBInstanceIdentifier": ident}
            load = conc.get(m, 0)
            if ident == w:
                cpu = 9 + load * 0.9 + r.uniform(-2, 2)
                conns = 6 + load + r.randint(0, 2)
            else:
                cpu = 5 + r.uniform(-1.5, 1.5)
                conns = 2 + r.randint(0, 1)
            if extra_cpu:
                cpu += extra_cpu(m, ident)
            if conn_cap is not None:
                conns = min(conns, conn_cap)
            c.put("AWS/RDS", "CPUUtilization", d, m, max(1.0, min(cpu, 99.0)), "Percent")
            c.put("AWS/RDS", "DatabaseConnections", d, m, float(conns), "Count")
            c.put(
                "AWS/RDS", "FreeableMemory", d, m, float((mem_mb + r.randint(-150, 150)) * 1_048_576), "Bytes"
            )


def standard_alarms(c: Ctx, *, skip: tuple[str, ...] = ()) -> None:
    created = c.start - timedelta(days=200)
    specs: list[tuple[str, str, str, str, dict[str, str], str, int, int, int, float, str, str]] = [
        (
            "filex-inbound-ingest-errors",
            "Partner file ingest Lambda errors. Runbook: wiki/FILEX/ingest",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": INGEST},
            "Sum",
            300,
            1,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
        ),
        (
            "filex-outbound-dispatch-errors",
            "Outbound statement dispatch failing",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": DISPATCH},
            "Sum",
            300,
            3,
            2,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
        ),
        (
            "filex-aurora-writer-cpu",
            "filex Aurora writer CPU high",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": f"{CLUSTER}-1"},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
        ),
        (
            "filex-sftp-no-uploads",
            "No partner file received over SFTP in the last hour",
            "AWS/Transfer",
            "FilesIn",
            {"ServerId": c.server_id},
            "Sum",
            3600,
            1,
            1,
            1.0,
            "LessThanThreshold",
            "breaching",
        ),
    ]
    for s in specs:
        if s[0] in skip:
            continue
        c.alarm(*s, created=created)
