"""Kit `y`: private helpers shared by this author's incidents only.

Incidents, in the order written:
  1. (change)            shortlist-ttl-wrong-attribute: a Terraform apply turns on DynamoDB TTL for the saved-
                         listings table using the item's last-updated epoch; an hour later TTL starts quietly
                         deleting customers' saved listings (no errors anywhere), next to a harmless deploy.
  2. (limit)             photo-resizer-oom: agents' new camera app uploads full-resolution photos; the S3->SQS
                         ->Lambda resizer hits its 1024 MB memory ceiling and is killed on the big ones, the
                         queue ages and the DLQ fills, while an unrelated queue setting was changed nearby.
  3. (system_change)     aurora-reader-autoscale-cold: Aurora replica auto scaling adds a reader at the
                         afternoon peak; the reader endpoint hands part of the connections to the cold
                         instance and the quotes API p99 jumps while the busy original readers look fine.
  4. (dependency_failure) order-fraud-privatelink-timeouts: the fraud-scoring vendor reached over PrivateLink
                         stops answering; place-order Lambdas hang to their timeout, API Gateway 5xx, while
                         a security-group edit and a Lambda config change sit right before the onset.
  5. (no fault)          recs-cache-memory-alarm: the LRU recommendations Redis reaches its memory alarm after
                         the nightly model refresh and a deploy; evictions are by design, hit rate and latency
                         unchanged.
"""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest

Json = dict[str, Any]

UA_CONSOLE = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
UA_CLI = (
    "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#{cmd}"
)
UA_TERRAFORM = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)
UA_BOTO = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214-202.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84"


def iso(t: datetime) -> str:
    """2024-06-03T12:04:05Z"""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    """2024-06-03T12:04:05.123Z"""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def iso_plus(t: datetime) -> str:
    """2024-06-03T12:04:05.123+0000, as CloudWatch writes alarm reasons and events."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return round(t.timestamp() * 1000)


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def diurnal(t: datetime, utc_offset_h: float, low: float = 0.25, peak_hour: float = 15.0) -> float:
    """A smooth daily load shape in [low, 1]: lowest ~12h away from the local peak hour."""
    h = (t.hour + t.minute / 60.0 + utc_offset_h) % 24
    x = 0.5 + 0.5 * math.cos(2 * math.pi * (h - peak_hour) / 24.0)
    return low + (1 - low) * x**1.6


def ticks(
    start: datetime, now: datetime, fine_from: datetime, coarse: int = 300
) -> list[tuple[datetime, int]]:
    """Period starts: coarse periods (5 minutes unless told) from start to fine_from, then 1-minute ones;
    none reaches past now."""
    out: list[tuple[datetime, int]] = []
    t = minute(start)
    t += timedelta(minutes=(-t.minute) % (coarse // 60))
    step = timedelta(seconds=coarse)
    while t < fine_from:
        if t + step > fine_from:
            break
        out.append((t, coarse))
        t += step
    t = minute(max(t, fine_from))
    while t + timedelta(minutes=1) <= now:
        out.append((t, 60))
        t += timedelta(minutes=1)
    return out


class Kit:
    """One incident's builder: deterministic ids, records of every kind, and the bundle at the end."""

    def __init__(self, name: str, seed: int, region: str) -> None:
        self.name = name
        self.rng = random.Random(f"{name}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(2, 9)) + "".join(
            self.rng.choice(string.digits) for _ in range(11)
        )
        self.metrics: list[Json] = []
        self.logs: list[Json] = []
        self.cloudtrail: list[Json] = []
        self.resources: list[Json] = []
        self.events: list[Json] = []
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self.traces: list[Json] = []
        self._principals: dict[str, tuple[str, str]] = {}

    # --- ids -------------------------------------------------------------------------------------

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        v = "89ab"[self.rng.randrange(4)]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v}{h[17:20]}-{h[20:32]}"

    def iid(self) -> str:
        return "i-0" + self.hex(16)

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.rng.randrange(len(seq))]

    def jitter(self, x: float, rel: float = 0.05) -> float:
        return x * (1 + self.rng.gauss(0, rel))

    # --- records ---------------------------------------------------------------------------------

    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        ts: datetime,
        unit: str,
        value: float | None = None,
        stats: tuple[float, float, float, float] | None = None,
        dist: tuple[list[float], list[float]] | None = None,
    ) -> None:
        d: Json = {"namespace": ns, "metric": name, "dimensions": dims, "timestamp": iso(ts), "unit": unit}
        if stats is not None:
            n, s, lo, hi = stats
            n = max(float(n), 1.0)
            lo = min(lo, hi)
            d["statistic_values"] = {
                "SampleCount": round(n, 3),
                "Sum": round(s, 4),
                "Minimum": round(lo, 4),
                "Maximum": round(hi, 4),
            }
        elif dist is not None:
            d["values"] = [round(v, 3) for v in dist[0]]
            d["counts"] = [float(round(c)) for c in dist[1]]
        else:
            d["value"] = round(float(value if value is not None else 0.0), 4)
        self.metrics.append(d)

    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        tks: Iterable[tuple[datetime, int]],
        fn: Callable[[datetime, int], float | None],
        agg: str = "sum",
    ) -> list[tuple[datetime, int, float]]:
        """Emit one datapoint per tick; fn returns the per-minute value (None: nothing published).

        agg='sum': counts (a 5-minute tick holds five minutes' worth); agg='avg': a gauge written as a
        statistic set with SampleCount = minutes; agg='value': the value as is."""
        out: list[tuple[datetime, int, float]] = []
        for t, p in tks:
            v = fn(t, p)
            if v is None:
                continue
            k = p // 60
            if agg == "sum":
                total = v * k
                self.metric(ns, name, dims, t, unit, value=total)
                out.append((t, p, total))
            elif agg == "avg":
                spread = abs(v) * 0.08 + 0.01
                self.metric(ns, name, dims, t, unit, stats=(k, v * k, max(0.0, v - spread), v + spread))
                out.append((t, p, v))
            else:
                self.metric(ns, name, dims, t, unit, value=v)
                out.append((t, p, v))
        return out

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def resource(self, service: str, type_: str, item: Json) -> Json:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    # --- CloudTrail ------------------------------------------------------------------------------

    def _principal(self, role: str) -> tuple[str, str]:
        if role not in self._principals:
            self._principals[role] = ("AROA" + self.upper(17), "ASIA" + self.upper(16))
        return self._principals[role]

    def role_identity(
        self, role: str, session: str, path: str = "/", created: datetime | None = None, console: bool = False
    ) -> Json:
        pid, key = self._principal(role)
        ident: Json = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role{path}{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(created) if created else None,
                    "mfaAuthenticated": "false",
                },
            },
        }
        if created is None:
            del ident["sessionContext"]["attributes"]["creationDate"]
        return ident

    def sso_identity(self, permission_set: str, suffix: str, user: str, created: datetime) -> Json:
        role = f"AWSReservedSSO_{permission_set}_{suffix}"
        return self.role_identity(
            role, user, path=f"/aws-reserved/sso.amazonaws.com/{self.region}/", created=created
        )

    @staticmethod
    def service_identity(invoked_by: str) -> Json:
        return {"type": "AWSService", "invokedBy": invoked_by}

    def ct(
        self,
        when: datetime,
        source: str,
        name: str,
        who: Json,
        params: Json | None = None,
        response: Json | None = None,
        read_only: bool = False,
        ip: str = "10.0.0.1",
        ua: str = UA_CONSOLE,
        error: tuple[str, str] | None = None,
        resources: list[Json] | None = None,
        event_type: str = "AwsApiCall",
        console: bool = False,
        version: str = "1.09",
        extra: Json | None = None,
    ) -> Json:
        rec: Json = {
            "eventVersion": version,
            "userIdentity": who,
            "eventTime": iso(when),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip,
            "userAgent": ua,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = response
        if extra:
            rec.update(extra)
        rec["requestID"] = self.uuid()
        rec["eventID"] = self.uuid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = event_type
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if who.get("type") != "AWSService" and not ip.endswith(".amazonaws.com"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if console:
            rec["sessionCredentialFromConsole"] = "true"
        self.cloudtrail.append(rec)
        return rec

    # --- alarms ----------------------------------------------------------------------------------

    def alarm(
        self,
        name: str,
        description: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        period: int,
        evals: int,
        to_alarm: int,
        threshold: float,
        op: str,
        points: list[tuple[datetime, float]],
        now: datetime,
        actions: list[str],
        treat_missing: str = "missing",
        created: datetime | None = None,
        unit: str | None = None,
    ) -> Json:
        """A MetricAlarm and its state history, evaluated over `points` (period starts and values)."""
        arn = self.arn("cloudwatch", f"alarm:{name}")
        ops = {
            "GreaterThanThreshold": ("greater than", lambda v: v > threshold),
            "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda v: v >= threshold),
            "LessThanThreshold": ("less than", lambda v: v < threshold),
            "LessThanOrEqualToThreshold": ("less than or equal to", lambda v: v <= threshold),
        }
        words, breach = ops[op]
        by_t = dict(points)
        state = "OK"
        last_change = created or (points[0][0] - timedelta(days=30) if points else now - timedelta(days=30))
        reason = ""
        reason_data: Json = {}
        if not points:
            raise ValueError("an alarm needs datapoints")
        t = points[0][0]
        end = now
        step = timedelta(seconds=period)
        while t + step <= end:
            window = [t - step * i for i in range(evals - 1, -1, -1)]
            vals = [(w, by_t.get(w)) for w in window]
            present = [(w, v) for w, v in vals if v is not None]
            n_breach = sum(1 for _, v in present if breach(v))
            if treat_missing == "breaching":
                n_breach += sum(1 for _, v in vals if v is None)
            new = state
            if n_breach >= to_alarm:
                new = "ALARM"
            elif present or treat_missing == "notBreaching":
                new = "OK"
            at = t + step + timedelta(seconds=self.rng.randint(8, 50))
            if at > now:
                break
            if new != state and present:
                shown = list(reversed(present))
                dp = ", ".join(f"{round(float(v), 4)!r} ({w:%d/%m/%y %H:%M:%S})" for w, v in shown)
                neg = "" if new == "ALARM" else "not "
                k = n_breach if new == "ALARM" else len(present) - n_breach
                if evals == 1 or (k == evals and to_alarm == evals):
                    lead = f"{k} datapoint{'s' if k > 1 else ''}"
                else:
                    lead = f"{k} out of the last {evals} datapoints"
                verb = "was" if k == 1 else "were"
                reason = f"Threshold Crossed: {lead} [{dp}] {verb} {neg}{words} the threshold ({float(threshold)!r})."
                stat_key = "statistic" if not stat.startswith("p") else "extendedStatistic"
                reason_data = {
                    "version": "1.0",
                    "queryDate": iso_plus(at),
                    "startDate": iso_plus(window[0]),
                    stat_key: stat,
                    "period": period,
                    "recentDatapoints": [round(v, 4) for _, v in present],
                    "threshold": float(threshold),
                    "evaluatedDatapoints": [
                        {"timestamp": iso_plus(w), "sampleCount": float(period // 60), "value": round(v, 4)}
                        for w, v in shown
                    ],
                }
                old_state = {"stateValue": state, "stateReason": "(previous)"}
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(at),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": old_state,
                                "newState": {
                                    "stateValue": new,
                                    "stateReason": reason,
                                    "stateReasonData": reason_data,
                                },
                            }
                        ),
                    }
                )
                state = new
                last_change = at
            t += step
        # fix the previous-state reasons to the reason actually recorded before
        first_t, first_v = points[0]
        prev_reason = (
            f"Threshold Crossed: 1 datapoint [{round(float(first_v), 4)!r} ({first_t:%d/%m/%y %H:%M:%S})] "
            f"was not {words} the threshold ({float(threshold)!r})."
        )
        for h in self.history:
            if h["AlarmName"] != name:
                continue
            data = json.loads(h["HistoryData"])
            data["oldState"]["stateReason"] = prev_reason
            prev_reason = data["newState"]["stateReason"]
            h["HistoryData"] = json.dumps(data)
        if not any(h["AlarmName"] == name for h in self.history):
            last_v = points[-1][1]
            reason = (
                f"Threshold Crossed: 1 datapoint [{round(float(last_v), 4)!r} ({points[-1][0]:%d/%m/%y %H:%M:%S})] "
                f"was not {words} the threshold ({float(threshold)!r})."
            )
        item: Json = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(created or last_change - timedelta(days=41)),
            "ActionsEnabled": True,
            "OKActions": actions,
            "AlarmActions": actions,
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(last_change),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": treat_missing,
            "StateTransitionedTimestamp": iso_ms(last_change),
        }
        if reason_data:
            item["StateReasonData"] = json.dumps(reason_data)
        if stat.startswith("p"):
            item["ExtendedStatistic"] = stat
        else:
            item["Statistic"] = stat
        if unit:
            item["Unit"] = unit
        self.alarms.append(item)
        return item

    def alarm_event(self, alarm: Json) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event for the alarm's last transition."""
        hist = [h for h in self.history if h["AlarmName"] == alarm["AlarmName"]]
        last = json.loads(hist[-1]["HistoryData"])
        when = datetime.fromisoformat(hist[-1]["Timestamp"].replace("Z", "+00:00"))
        metric: Json = {
            "namespace": alarm["Namespace"],
            "name": alarm["MetricName"],
            "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
        }
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(when),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": last["newState"]["stateValue"],
                    "reason": last["newState"]["stateReason"],
                    "reasonData": json.dumps(last["newState"]["stateReasonData"]),
                    "timestamp": iso_plus(when),
                },
                "previousState": {
                    "value": last["oldState"]["stateValue"],
                    "reason": last["oldState"]["stateReason"],
                    "timestamp": iso_plus(when - timedelta(hours=6, minutes=self.rng.randint(1, 59))),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": self.hex(8) + "-" + self.hex(4),
                            "metricStat": {
                                "metric": metric,
                                "period": alarm["Period"],
                                "stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- the bundle ------------------------------------------------------------------------------

    def bundle(self, manifest: Json, now: datetime) -> Bundle:
        cut = iso(now)
        logs = sorted((x for x in self.logs if x["timestamp"] <= ms(now)), key=lambda x: x["timestamp"])
        trail = sorted((r for r in self.cloudtrail if r["eventTime"] <= cut), key=lambda r: r["eventTime"])
        metrics = [m for m in self.metrics if m["timestamp"] <= cut]
        history = sorted(self.history, key=lambda h: h["Timestamp"])
        records: dict[str, list[Json]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
            "events": self.events,
        }
        if self.traces:
            records["traces"] = self.traces
        return Bundle(Manifest.model_validate(manifest), {k: v for k, v in records.items() if v})


def tags(d: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


# --- resource items in their describe-call shapes --------------------------------------------------


def policy_text(doc: Json) -> str:
    from urllib.parse import quote

    return quote(json.dumps(doc, separators=(",", ":")), safe="")


def iam_role(kit: Kit, name: str, service: str, created: datetime, last_used: datetime, desc: str) -> Json:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    pid, _ = kit._principal(name)
    return kit.resource(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": name,
            "RoleId": pid,
            "Arn": f"arn:aws:iam::{kit.account}:role/{name}",
            "CreateDate": iso(created),
            "AssumeRolePolicyDocument": policy_text(trust),
            "Description": desc,
            "MaxSessionDuration": 3600,
            "RoleLastUsed": {"LastUsedDate": iso(last_used), "Region": kit.region},
        },
    )


def log_group(kit: Kit, name: str, created: datetime, retention: int, stored: int) -> Json:
    arn = kit.arn("logs", f"log-group:{name}")
    return kit.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": name,
            "creationTime": ms(created),
            "retentionInDays": retention,
            "metricFilterCount": 0,
            "arn": arn + ":*",
            "storedBytes": stored,
            "logGroupClass": "STANDARD",
            "logGroupArn": arn,
        },
    )


def security_group(
    kit: Kit, gid: str, name: str, desc: str, vpc: str, ingress: list[Json], tag: dict[str, str]
) -> Json:
    return kit.resource(
        "ec2",
        "SecurityGroup",
        {
            "Description": desc,
            "GroupName": name,
            "IpPermissions": ingress,
            "OwnerId": kit.account,
            "GroupId": gid,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ],
            "Tags": tags(tag),
            "VpcId": vpc,
        },
    )


def sg_rule_from_sg(port: int, src: str, desc: str) -> Json:
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": port,
        "UserIdGroupPairs": [{"Description": desc, "GroupId": src}],
    }


def sg_rule_from_cidr(port: int, cidr: str, desc: str) -> Json:
    return {
        "FromPort": port,
        "IpProtocol": "tcp",
        "IpRanges": [{"CidrIp": cidr, "Description": desc}],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "ToPort": port,
        "UserIdGroupPairs": [],
    }


def load_balancer(
    kit: Kit,
    name: str,
    suffix: str,
    vpc: str,
    subnets: list[tuple[str, str]],
    sgs: list[str],
    created: datetime,
) -> Json:
    arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{suffix}")
    return kit.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": f"{name}-{kit.rng.randint(100000000, 1999999999)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2" if kit.region == "eu-west-1" else "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []} for sn, az in subnets
            ],
            "SecurityGroups": sgs,
            "IpAddressType": "ipv4",
        },
    )


def target_group(
    kit: Kit, name: str, suffix: str, vpc: str, port: int, path: str, lb_arn: str, target_type: str = "ip"
) -> Json:
    return kit.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": kit.arn("elasticloadbalancing", f"targetgroup/{name}/{suffix}"),
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
            "TargetType": target_type,
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )


def lambda_function(
    kit: Kit,
    name: str,
    runtime: str,
    handler: str,
    role_arn: str,
    memory: int,
    timeout: int,
    modified: datetime,
    env: dict[str, str],
    desc: str,
    vpc: Json | None = None,
    arch: str = "arm64",
) -> Json:
    item: Json = {
        "FunctionName": name,
        "FunctionArn": kit.arn("lambda", f"function:{name}"),
        "Runtime": runtime,
        "Role": role_arn,
        "Handler": handler,
        "CodeSize": kit.rng.randint(900_000, 9_000_000),
        "Description": desc,
        "Timeout": timeout,
        "MemorySize": memory,
        "LastModified": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000+0000",
        "CodeSha256": "".join(kit.rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(43))
        + "=",
        "Version": "$LATEST",
        "Environment": {"Variables": env},
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": kit.uuid(),
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": [arch],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {
            "RuntimeVersionArn": f"arn:aws:lambda:{kit.region}::runtime:{kit.hex(64)}",
        },
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if vpc:
        item["VpcConfig"] = vpc
    return kit.resource("lambda", "FunctionConfiguration", item)


def lambda_report(
    kit: Kit,
    group: str,
    stream: str,
    t: datetime,
    duration_ms: float,
    memory: int,
    used: int,
    init_ms: float | None,
) -> str:
    """START / END / REPORT lines for one invocation; returns the request id."""
    rid = kit.uuid()
    kit.log(group, stream, t, f"START RequestId: {rid} Version: $LATEST")
    end = t + timedelta(milliseconds=duration_ms)
    kit.log(group, stream, end, f"END RequestId: {rid}")
    init = f"\tInit Duration: {init_ms:.2f} ms" if init_ms else ""
    kit.log(
        group,
        stream,
        end,
        f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {math.ceil(duration_ms)} ms\t"
        f"Memory Size: {memory} MB\tMax Memory Used: {used} MB{init}\t",
    )
    return rid


def lambda_stream(kit: Kit, t: datetime) -> str:
    return f"{t:%Y/%m/%d}/[$LATEST]{kit.hex(32)}"


def ecs_event(kit: Kit, service_arn: str, t: datetime, message: str) -> None:
    kit.event(
        "ecs",
        {"service_arn": service_arn, "event": {"id": kit.uuid(), "createdAt": iso_ms(t), "message": message}},
    )


def target_health(
    kit: Kit,
    tg_arn: str,
    ip: str,
    port: int,
    az: str,
    state: str,
    t: datetime,
    reason: str | None = None,
    desc: str | None = None,
) -> None:
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
    if desc:
        health["Description"] = desc
    kit.event(
        "target_health",
        {
            "target_group_arn": tg_arn,
            "target": {"Id": ip, "Port": port, "AvailabilityZone": az},
            "health": health,
            "timestamp": iso(t),
        },
    )


def private_ip(kit: Kit, prefix: str) -> str:
    return f"{prefix}.{kit.rng.randint(1, 254)}"


def github_ip(kit: Kit) -> str:
    return (
        kit.pick(["20.57", "4.227", "20.169", "172.183", "52.234"])
        + f".{kit.rng.randint(1, 254)}.{kit.rng.randint(1, 254)}"
    )


def office_ip(kit: Kit) -> str:
    return kit.pick(["81.2.69", "86.129.14", "31.94.22", "195.12.48"]) + f".{kit.rng.randint(2, 250)}"


def oidc_assume(kit: Kit, when: datetime, role: str, repo: str, ref: str = "refs/heads/main") -> Json:
    """GitHub Actions' AssumeRoleWithWebIdentity, as the STS record shows it."""
    provider = f"arn:aws:iam::{kit.account}:oidc-provider/token.actions.githubusercontent.com"
    sub = f"repo:{repo}:ref:{ref}"
    pid, key = kit._principal(role)
    return kit.ct(
        when,
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        {
            "type": "WebIdentityUser",
            "principalId": f"{provider}:sts.amazonaws.com:{sub}",
            "userName": sub,
            "identityProvider": provider,
        },
        params={
            "roleArn": f"arn:aws:iam::{kit.account}:role/{role}",
            "roleSessionName": "GitHubActions",
            "durationSeconds": 3600,
        },
        response={
            "credentials": {
                "accessKeyId": key,
                "sessionToken": "IQoJb3JpZ2luX2VjE" + kit.upper(24, string.ascii_letters + string.digits),
                "expiration": (when + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            },
            "subjectFromWebIdentityToken": sub,
            "assumedRoleUser": {
                "assumedRoleId": f"{pid}:GitHubActions",
                "arn": f"arn:aws:sts::{kit.account}:assumed-role/{role}/GitHubActions",
            },
            "provider": provider,
            "audience": "sts.amazonaws.com",
        },
        read_only=True,
        ip=github_ip(kit),
        ua="aws-sdk-nodejs/2.1583.0 linux/v20.11.1 configure-aws-credentials-for-github-actions promise",
        version="1.08",
    )


def service_assume(kit: Kit, when: datetime, service: str, role_arn: str, session: str) -> Json:
    """An AWS service assuming a role on a customer's behalf (ECS tasks, Lambda)."""
    return kit.ct(
        when,
        "sts.amazonaws.com",
        "AssumeRole",
        kit.service_identity(service),
        params={"roleArn": role_arn, "roleSessionName": session},
        response={
            "credentials": {
                "accessKeyId": "ASIA" + kit.upper(16),
                "sessionToken": "IQoJb3JpZ2luX2VjE" + kit.upper(24, string.ascii_letters + string.digits),
                "expiration": (when + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
            },
        },
        read_only=True,
        ip=service,
        ua=service,
        resources=[{"accountId": kit.account, "type": "AWS::IAM::Role", "ARN": role_arn}],
        extra={"sharedEventID": kit.uuid()},
        version="1.08",
    )
