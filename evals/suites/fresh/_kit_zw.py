# Ideas, in the order written (only the first was written within the time budget):
# 1. change: a managed WAF rule group added to the web ACL in front of an ALB silently blocks large POST bodies;
#    only big saves fail with 403 from the load balancer, a web deploy lands minutes before.
# 2. limit: a Lambda token authorizer's old reserved-concurrency cap is reached at the evening peak; the REST
#    API answers 500 while every backend function is healthy; a backend deploy shortly before.
# 3. no fault: API latency p99 alarm at night on a thin trickle of traffic, dominated by Lambda cold starts.
# 4. dependency_failure: public API behind CloudFront failing because a shared internal dependency is down.
"""Private helpers for the zw author's fresh incidents."""

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


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def hexid(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def uid(r: random.Random) -> str:
    h = hexid(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[r.randrange(4)]}{h[17:20]}-{h[20:]}"


def upper_id(r: random.Random, n: int) -> str:
    return "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))


def account(r: random.Random) -> str:
    return str(r.randrange(2, 9)) + "".join(str(r.randrange(10)) for _ in range(11))


def day_base(r: random.Random, weekday_only: bool = True) -> datetime:
    """A date in 2026 (midnight UTC), a weekday unless told otherwise."""
    while True:
        d = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randrange(0, 320))
        if not weekday_only or d.weekday() < 5:
            return d


def minutes(start: datetime, end: datetime, step: int = 1) -> Iterable[datetime]:
    t = start
    while t < end:
        yield t
        t += timedelta(minutes=step)


def timeline(start: datetime, fine_from: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(timestamp, period minutes): 5-minute points until fine_from, then 1-minute points."""
    out: list[tuple[datetime, int]] = []
    t = start
    while t < fine_from:
        out.append((t, 5))
        t += timedelta(minutes=5)
    while t < end:
        out.append((t, 1))
        t += timedelta(minutes=1)
    return out


def diurnal(t: datetime, utc_offset_h: float, peak_hour: float = 14.0, low: float = 0.15) -> float:
    """Traffic shape in 0..1 for the local hour of t, lowest about 12 hours from the peak."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    x = math.cos((h - peak_hour) / 24 * 2 * math.pi)
    return low + (1 - low) * ((x + 1) / 2) ** 1.6


def evening(t: datetime, utc_offset_h: float) -> float:
    """Consumer app shape: a morning bump and a strong evening peak around 19:30 local."""
    h = (t.hour + t.minute / 60 + utc_offset_h) % 24
    base = 0.06 + 0.25 * math.exp(-(((h - 8.0) / 1.6) ** 2))
    base += 0.35 * math.exp(-(((h - 13.0) / 2.5) ** 2))
    base += 0.95 * math.exp(-(((h - 19.6) / 1.9) ** 2))
    return min(base, 1.2)


def metric(ns: str, name: str, dims: dict[str, str], t: datetime, unit: str, value: float) -> Rec:
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "value": round(float(value), 3),
    }


def stats(
    ns: str,
    name: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    count: float,
    total: float,
    lo: float,
    hi: float,
) -> Rec:
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "statistic_values": {
            "SampleCount": round(float(count), 3),
            "Sum": round(float(total), 3),
            "Minimum": round(float(lo), 3),
            "Maximum": round(float(hi), 3),
        },
    }


def dist(
    ns: str,
    name: str,
    dims: dict[str, str],
    t: datetime,
    unit: str,
    samples: list[float],
) -> Rec:
    """A distribution datapoint from raw samples, bucketed to 3 significant figures."""
    buckets: dict[float, int] = {}
    for s in samples:
        k = float(f"{s:.3g}")
        buckets[k] = buckets.get(k, 0) + 1
    keys = sorted(buckets)
    return {
        "namespace": ns,
        "metric": name,
        "dimensions": dims,
        "timestamp": iso(t),
        "unit": unit,
        "values": keys,
        "counts": [float(buckets[k]) for k in keys],
    }


def lognormal_ms(r: random.Random, median: float, sigma: float = 0.35) -> float:
    return median * math.exp(r.gauss(0, sigma))


# --- alarms ----------------------------------------------------------------------------------------

_OPS = {
    "GreaterThanThreshold": (lambda v, th: v > th, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, th: v >= th, "greater than or equal to"),
    "LessThanThreshold": (lambda v, th: v < th, "less than"),
}


def _fmt_dp(v: float, t: datetime) -> str:
    return f"{round(v, 6)} ({t.strftime('%d/%m/%y %H:%M:%S')})"


class Alarm:
    """A metric alarm evaluated over per-period values, giving its MetricAlarm item and its history."""

    def __init__(
        self,
        acct: str,
        region: str,
        name: str,
        description: str,
        ns: str,
        metric_name: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        dta: int,
        threshold: float,
        op: str,
        topic: str,
        created: datetime,
        treat_missing: str = "notBreaching",
        unit: str | None = None,
    ) -> None:
        self.acct, self.region, self.name, self.description = acct, region, name, description
        self.ns, self.metric_name, self.dims, self.stat = ns, metric_name, dims, stat
        self.period, self.evals, self.dta, self.threshold, self.op = period, evals, dta, threshold, op
        self.topic, self.created, self.treat_missing, self.unit = topic, created, treat_missing, unit
        self.state = "OK"
        self.reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        self.reason_data: Rec = {}
        self.updated = created
        self.history: list[Rec] = []

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self.acct}:alarm:{self.name}"

    def _reason_data(self, t: datetime, window: list[tuple[datetime, float | None]]) -> Rec:
        recent = [v for _, v in reversed(window) if v is not None]
        data: Rec = {
            "version": "1.0",
            "queryDate": iso(t).replace("Z", ".") + f"{t.microsecond // 1000 + 412:03d}+0000",
            "startDate": iso(window[0][0]).replace("Z", ".000+0000"),
        }
        data["statistic" if not self.stat.startswith("p") else "extendedStatistic"] = self.stat
        data.update(
            {
                "period": self.period,
                "recentDatapoints": [round(v, 6) for v in reversed(recent)],
                "threshold": self.threshold,
                "evaluatedDatapoints": [
                    {"timestamp": iso(ts).replace("Z", ".000+0000"), "value": round(v, 6)}
                    for ts, v in reversed(window)
                    if v is not None
                ],
            }
        )
        return data

    def evaluate(self, points: list[tuple[datetime, float | None]], lag_s: int = 70) -> None:
        """points: (period start, value or None) in time order, at this alarm's period."""
        test, words = _OPS[self.op]
        for i in range(self.evals - 1, len(points)):
            window = points[i - self.evals + 1 : i + 1]
            t = window[-1][0] + timedelta(seconds=self.period + lag_s)
            breaching = sum(1 for _, v in window if v is not None and test(v, self.threshold))
            new = "ALARM" if breaching >= self.dta else "OK"
            if new == self.state:
                continue
            shown = [(ts, v) for ts, v in window if v is not None]
            dps = ", ".join(_fmt_dp(v, ts) for ts, v in reversed(shown))
            n = len(shown)
            if new == "ALARM":
                reason = (
                    f"Threshold Crossed: {breaching} out of the last {self.evals} datapoints [{dps}] were "
                    f"{words} the threshold ({self.threshold}) (minimum {self.dta} datapoint"
                    f"{'s' if self.dta > 1 else ''} for OK -> ALARM transition)."
                )
            else:
                reason = (
                    f"Threshold Crossed: {n} datapoint{'s' if n != 1 else ''} [{dps}] "
                    f"{'were' if n != 1 else 'was'} not {words} the threshold ({self.threshold})."
                )
            rdata = self._reason_data(t, window)
            hist: Rec = {
                "version": "1.0",
                "oldState": {"stateValue": self.state, "stateReason": self.reason},
                "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": rdata},
            }
            if self.reason_data:
                hist["oldState"]["stateReasonData"] = self.reason_data
            self.history.append(
                {
                    "AlarmName": self.name,
                    "AlarmType": "MetricAlarm",
                    "Timestamp": iso(t).replace("Z", ".") + "000Z",
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {self.state} to {new}",
                    "HistoryData": json.dumps(hist, separators=(",", ":")),
                }
            )
            if new == "ALARM":
                self.history.append(
                    {
                        "AlarmName": self.name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso(t + timedelta(milliseconds=180)).replace("Z", ".180Z"),
                        "HistoryItemType": "Action",
                        "HistorySummary": f"Successfully executed action {self.topic}",
                        "HistoryData": json.dumps(
                            {
                                "actionState": "Succeeded",
                                "stateUpdateTimestamp": ms(t),
                                "notificationResource": self.topic,
                                "publishedMessage": {"AlarmName": self.name, "NewStateValue": new},
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            self.state, self.reason, self.reason_data, self.updated = new, reason, rdata, t

    def item(self) -> Rec:
        it: Rec = {
            "AlarmName": self.name,
            "AlarmArn": self.arn,
            "AlarmDescription": self.description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.created),
            "ActionsEnabled": True,
            "OKActions": [self.topic],
            "AlarmActions": [self.topic],
            "InsufficientDataActions": [],
            "StateValue": self.state,
            "StateReason": self.reason,
            "StateUpdatedTimestamp": iso(self.updated),
            "StateTransitionedTimestamp": iso(self.updated),
            "MetricName": self.metric_name,
            "Namespace": self.ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dims.items()],
            "Period": self.period,
            "EvaluationPeriods": self.evals,
            "DatapointsToAlarm": self.dta,
            "Threshold": self.threshold,
            "ComparisonOperator": self.op,
            "TreatMissingData": self.treat_missing,
        }
        if self.reason_data:
            it["StateReasonData"] = json.dumps(self.reason_data, separators=(",", ":"))
        if self.stat.startswith("p"):
            it["ExtendedStatistic"] = self.stat
        else:
            it["Statistic"] = self.stat
        if self.unit:
            it["Unit"] = self.unit
        return it

    def event(self, t: datetime) -> Rec:
        """The EventBridge "CloudWatch Alarm State Change" event of the latest ALARM transition."""
        last = json.loads(self.history[-2]["HistoryData"]) if len(self.history) >= 2 else {}
        metric_stat: Rec = {
            "metric": {
                "namespace": self.ns,
                "name": self.metric_name,
                "dimensions": dict(self.dims),
            },
            "period": self.period,
            "stat": self.stat,
        }
        return {
            "version": "0",
            "id": uid(random.Random(self.arn + iso(t))),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.acct,
            "time": iso(t),
            "region": self.region,
            "resources": [self.arn],
            "detail": {
                "alarmName": self.name,
                "state": {
                    "value": "ALARM",
                    "reason": last.get("newState", {}).get("stateReason", self.reason),
                    "reasonData": json.dumps(
                        last.get("newState", {}).get("stateReasonData", {}), separators=(",", ":")
                    ),
                    "timestamp": iso(t).replace("Z", ".000+0000"),
                },
                "previousState": {
                    "value": "OK",
                    "reason": last.get("oldState", {}).get("stateReason", ""),
                    "timestamp": iso(self.created).replace("Z", ".000+0000"),
                },
                "configuration": {
                    "description": self.description,
                    "metrics": [
                        {"id": "m1", "metricStat": metric_stat, "returnData": True},
                    ],
                },
            },
        }


def per_period(
    values: dict[datetime, float], start: datetime, end: datetime, period_min: int, how: str
) -> list[tuple[datetime, float | None]]:
    """Aggregate per-minute values into alarm periods (how: sum, avg, max)."""
    out: list[tuple[datetime, float | None]] = []
    for t in minutes(start, end, period_min):
        vs = [values[x] for x in minutes(t, t + timedelta(minutes=period_min)) if x in values]
        if not vs:
            out.append((t, None))
        elif how == "sum":
            out.append((t, sum(vs)))
        elif how == "max":
            out.append((t, max(vs)))
        else:
            out.append((t, sum(vs) / len(vs)))
    return out


# --- CloudTrail ------------------------------------------------------------------------------------


class Who:
    """A principal as CloudTrail's userIdentity shows it, with its usual source and user agent."""

    def __init__(
        self,
        identity: Rec,
        ip: str,
        agent: str,
        invoked_by: str | None = None,
    ) -> None:
        self.identity, self.ip, self.agent, self.invoked_by = identity, ip, agent, invoked_by


def assumed(
    r: random.Random,
    acct: str,
    role: str,
    session: str,
    ip: str,
    agent: str,
    created: datetime,
    path: str = "/",
    invoked_by: str | None = None,
) -> Who:
    role_id = "AROA" + upper_id(r, 17)
    ident: Rec = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}",
        "accountId": acct,
        "accessKeyId": "ASIA" + upper_id(r, 16),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{acct}:role{path}{role}",
                "accountId": acct,
                "userName": role,
            },
            "attributes": {"creationDate": iso(created), "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return Who(ident, ip, agent, invoked_by)


def sso_user(
    r: random.Random, acct: str, region: str, perm_set: str, email: str, ip: str, created: datetime
) -> Who:
    role = f"AWSReservedSSO_{perm_set}_{hexid(r, 16)}"
    agent = r.choice(
        [
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ]
    )
    return assumed(
        r,
        acct,
        role,
        email,
        ip,
        agent,
        created,
        path=f"/aws-reserved/sso.amazonaws.com/{region}/",
    )


def cloudtrail(
    r: random.Random,
    acct: str,
    region: str,
    t: datetime,
    who: Who,
    source: str,
    name: str,
    params: Rec | None,
    response: Rec | None = None,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    console: bool = False,
) -> Rec:
    rec: Rec = {
        "eventVersion": "1.09" if not read_only else "1.08",
        "userIdentity": who.identity,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": who.invoked_by or who.ip,
        "userAgent": who.invoked_by or who.agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec.update(
        {
            "requestParameters": params,
            "responseElements": response,
            "requestID": uid(r),
            "eventID": uid(r),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": acct,
            "eventCategory": "Management",
        }
    )
    if not who.invoked_by:
        host = source.replace(".amazonaws.com", f".{region}.amazonaws.com")
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if console:
        rec["sessionCredentialFromConsole"] = "true"
    return rec


def spread(r: random.Random, start: datetime, end: datetime, n: int) -> list[datetime]:
    span = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=r.randrange(span)) for _ in range(n))


def pick(r: random.Random, options: list[Callable[[datetime], Rec]], times: list[datetime]) -> list[Rec]:
    return [r.choice(options)(t) for t in times]


# --- EC2 -------------------------------------------------------------------------------------------


def ec2_instance(
    r: random.Random,
    acct: str,
    iid: str,
    az: str,
    subnet: str,
    vpc: str,
    sg: tuple[str, str],
    ami: str,
    itype: str,
    launched: datetime,
    profile: str,
    tags: dict[str, str],
) -> Rec:
    ip = f"10.{r.randrange(20, 60)}.{r.randrange(0, 48)}.{r.randrange(4, 250)}"
    eni = "eni-0" + hexid(r, 16)
    return {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{az[:-1]}.compute.internal",
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "",
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "arm64" if "g." in itype else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": "vol-0" + hexid(r, 16),
                },
            }
        ],
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{acct}:instance-profile/{profile}",
            "Id": "AIPA" + upper_id(r, 17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": "eni-attach-0" + hexid(r, 16),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": sg[1], "GroupId": sg[0]}],
                "MacAddress": ":".join(hexid(r, 2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": acct,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{az[:-1]}.compute.internal",
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": subnet,
                "VpcId": vpc,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": sg[1], "GroupId": sg[0]}],
        "SourceDestCheck": True,
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "VirtualizationType": "hvm",
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
        },
    }


def instance_status(iid: str, az: str) -> Rec:
    return {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
    }


def lambda_fn(
    r: random.Random,
    acct: str,
    region: str,
    name: str,
    runtime: str,
    handler: str,
    memory: int,
    timeout: int,
    role: str,
    modified: datetime,
    env_keys: dict[str, str] | None = None,
    arch: str = "arm64",
) -> Rec:
    it: Rec = {
        "FunctionName": name,
        "FunctionArn": f"arn:aws:lambda:{region}:{acct}:function:{name}",
        "Runtime": runtime,
        "Role": f"arn:aws:iam::{acct}:role/{role}",
        "Handler": handler,
        "CodeSize": r.randrange(400_000, 9_000_000),
        "Description": "",
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "CodeSha256": "".join(
            r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(43)
        )
        + "=",
        "Version": "$LATEST",
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": uid(r),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": [arch],
        "EphemeralStorage": {"Size": 512},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
    }
    if env_keys:
        it["Environment"] = {"Variables": env_keys}
    return it


def lambda_report(
    r: random.Random,
    t: datetime,
    group: str,
    stream: str,
    duration: float,
    memory: int,
    used: int,
    body: list[str],
    init: float | None = None,
) -> list[Rec]:
    """START / app lines / END / REPORT for one invocation."""
    rid = uid(r)
    out = [
        {
            "log_group": group,
            "log_stream": stream,
            "timestamp": ms(t),
            "message": f"START RequestId: {rid} Version: $LATEST\n",
        }
    ]
    step = duration / max(len(body) + 1, 1)
    for i, line in enumerate(body):
        when = t + timedelta(milliseconds=step * (i + 1))
        msg = line.replace("{rid}", rid).replace(
            "{ts}", iso(when).replace("Z", f".{when.microsecond // 1000:03d}Z")
        )
        out.append({"log_group": group, "log_stream": stream, "timestamp": ms(when), "message": msg})
    end = t + timedelta(milliseconds=duration)
    out.append(
        {"log_group": group, "log_stream": stream, "timestamp": ms(end), "message": f"END RequestId: {rid}\n"}
    )
    rep = (
        f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {math.ceil(duration)} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB\t"
    )
    if init is not None:
        rep += f"Init Duration: {init:.2f} ms\t"
    out.append({"log_group": group, "log_stream": stream, "timestamp": ms(end), "message": rep + "\n"})
    return out


def lambda_stream(r: random.Random, t: datetime) -> str:
    return f"{t.strftime('%Y/%m/%d')}/[$LATEST]{hexid(r, 32)}"


def log_group(acct: str, region: str, name: str, created: datetime, retention: int | None = 30) -> Rec:
    it: Rec = {
        "logGroupName": name,
        "creationTime": ms(created),
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{region}:{acct}:log-group:{name}:*",
        "storedBytes": 0,
        "logGroupClass": "STANDARD",
        "logGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:{name}",
    }
    if retention:
        it["retentionInDays"] = retention
    return it


def res(service: str, typ: str, item: Rec) -> Rec:
    return {"service": service, "type": typ, "item": item}


def camel(obj: Any) -> Any:
    """Keys as CloudTrail's requestParameters spell them (first letter lower-cased)."""
    if isinstance(obj, dict):
        return {key[:1].lower() + key[1:]: camel(v) for key, v in obj.items()}
    if isinstance(obj, list):
        return [camel(v) for v in obj]
    return obj
