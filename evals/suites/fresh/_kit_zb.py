# Incidents of kit zb, written in this order:
#   1. rx-relay e-prescriptions intermittently time out to the pharmacy network: the public subnets'
#      network ACL inbound ephemeral range was "hardened" to 32768-65535, so return traffic to the NAT
#      gateway's low source ports is dropped (change, VPC network ACL).
#   2. A launch-template version enforcing IMDSv2 with hop limit 1 is picked up only by instances the ASG
#      launches hours later at the afternoon scale-out; the dockerised app on those new instances cannot
#      get credentials, so a growing share of requests fail (change, EC2 launch template).
#   3. One web instance's root volume fills up; nginx can no longer buffer request bodies to disk, so
#      only uploads routed to that instance fail with 500 while health checks stay green
#      (component_failure, one instance).
#   4. Probe workers of an uptime-monitoring service exceed the per-ENI packet allowance to the VPC
#      resolver after check volume grows; DNS lookups fail intermittently and customers get false
#      "down" alerts, with an innocent private-zone record change just before (limit).
#   5. Flow-log REJECT metric-filter alarm at night: an internet-wide scanner sweeping the public
#      addresses, shortly after an unused SSH rule was removed from the bastion group; nothing is wrong
#      (no fault).
"""Private helpers for kit zb's fresh incidents: ids, time, noise series, alarms, CloudTrail records."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Json = dict[str, Any]

ACCOUNTS = ["418273650912", "730561248893", "261904735518", "584120937746", "902317465580"]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def cw_ts(t: datetime) -> str:
    """The `2024-05-01T14:03:00.000+0000` form CloudWatch uses inside alarm JSON."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minute_floor(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    """Collects one bundle's records; all randomness comes from `rng`."""

    def __init__(self, name: str, seed: int, region_choices: list[str]) -> None:
        self.rng = random.Random(f"{name}:{seed}")
        self.account = self.rng.choice(ACCOUNTS)
        self.region = self.rng.choice(region_choices)
        self.metrics: list[Json] = []
        self.alarms: list[Json] = []
        self.history: list[Json] = []
        self.logs: list[Json] = []
        self.trail: list[Json] = []
        self.resources: list[Json] = []
        self.events: list[Json] = []
        self._store: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[datetime, list[float]]] = {}
        self.start = datetime(2024, 1, 1, tzinfo=UTC)
        self.now = self.start
        self.end = self.start

    # ---- ids -----------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def alnum(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:]}"

    def rid(self, prefix: str) -> str:
        return f"{prefix}-0{self.hex(16)}"

    def access_key(self) -> str:
        return "ASIA" + self.alnum(16)

    def role_id(self) -> str:
        return "AROA" + self.alnum(17)

    def public_ip(self) -> str:
        first = self.rng.choice([3, 18, 34, 35, 52, 54, 63, 81, 86, 91, 108, 141, 185, 203])
        return f"{first}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # ---- time ----------------------------------------------------------------------------------
    def pick_day(self, *, weekday: bool = True) -> datetime:
        day = datetime(2024, 2, 5, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 480))
        while weekday and day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def minutes(
        self, step: int = 60, t0: datetime | None = None, t1: datetime | None = None
    ) -> list[datetime]:
        a = t0 or self.start
        b = t1 or self.now
        a = minute_floor(a)
        out = []
        t = a
        while t <= b:
            out.append(t)
            t += timedelta(seconds=step)
        return out

    # ---- noise ---------------------------------------------------------------------------------
    def noisy(self, base: float, rel: float = 0.08) -> float:
        return max(0.0, base * (1.0 + self.rng.gauss(0.0, rel)))

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit = math.exp(-lam)
        k, p = 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    # ---- metrics -------------------------------------------------------------------------------
    def put(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        t: datetime,
        value: float,
        unit: str = "None",
    ) -> None:
        v = round(float(value), 4)
        self.metrics.append(
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "value": v,
            }
        )
        self._record(namespace, metric, dims, t, [v])

    def put_dist(
        self, namespace: str, metric: str, dims: dict[str, str], t: datetime, samples: list[float], unit: str
    ) -> None:
        """A latency-like distribution as values/counts (percentiles are computed from it)."""
        buckets: dict[float, int] = {}
        for s in samples:
            key = round(s, 3)
            buckets[key] = buckets.get(key, 0) + 1
        keys = sorted(buckets)
        self.metrics.append(
            {
                "namespace": namespace,
                "metric": metric,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": keys,
                "counts": [float(buckets[k]) for k in keys],
            }
        )
        self._record(namespace, metric, dims, t, [k for k in keys for _ in range(buckets[k])])

    def _record(
        self, namespace: str, metric: str, dims: dict[str, str], t: datetime, vals: list[float]
    ) -> None:
        key = (namespace, metric, tuple(sorted(dims.items())))
        self._store.setdefault(key, {}).setdefault(t, []).extend(vals)

    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        step: int = 60,
        t0: datetime | None = None,
        t1: datetime | None = None,
    ) -> None:
        for t in self.minutes(step, t0, t1):
            v = fn(t)
            if v is not None:
                self.put(namespace, metric, dims, t, v, unit)

    # ---- alarms --------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        description: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        statistic: str,
        period: int,
        evaluation_periods: int,
        threshold: float,
        comparison: str,
        *,
        datapoints: int | None = None,
        treat_missing: str = "notBreaching",
        actions: list[str] | None = None,
        configured: datetime | None = None,
        unit: str | None = None,
        initial: str = "OK",
    ) -> Json:
        """Define a MetricAlarm, evaluate it over the data put so far, and record its history."""
        m = datapoints or evaluation_periods
        arn = self.arn("cloudwatch", f"alarm:{name}")
        acts = actions if actions is not None else [self.arn("sns", "ops-alerts")]
        series = self._store.get((namespace, metric, tuple(sorted(dims.items()))), {})
        buckets: dict[datetime, list[float]] = {}
        for t, vals in series.items():
            epoch = int(t.timestamp())
            b = datetime.fromtimestamp(epoch - epoch % period, UTC)
            buckets.setdefault(b, []).extend(vals)

        def stat(vals: list[float]) -> float:
            if statistic == "Sum":
                return sum(vals)
            if statistic == "Average":
                return sum(vals) / len(vals)
            if statistic == "Maximum":
                return max(vals)
            if statistic == "Minimum":
                return min(vals)
            return float(len(vals))

        def breaches(v: float) -> bool:
            return {
                "GreaterThanThreshold": v > threshold,
                "GreaterThanOrEqualToThreshold": v >= threshold,
                "LessThanThreshold": v < threshold,
                "LessThanOrEqualToThreshold": v <= threshold,
            }[comparison]

        words = {
            "GreaterThanThreshold": "greater than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanThreshold": "less than",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[comparison]

        state = initial
        if initial == "ALARM":
            updated = self.start - timedelta(hours=self.rng.randint(8, 14), minutes=self.rng.randint(0, 59))
        else:
            updated = self.start - timedelta(days=self.rng.randint(3, 40), minutes=self.rng.randint(0, 1000))
        first = [stat(buckets[b]) for b in sorted(buckets)[:1]]
        ok_v = first[0] if first and breaches(first[0]) == (initial == "ALARM") else threshold * 0.5
        ok_t = minute_floor(updated) - timedelta(seconds=period)
        if initial == "ALARM":
            pts0 = ", ".join(
                f"{ok_v:.1f} ({ok_t - timedelta(seconds=period * i):%d/%m/%y %H:%M:%S})"
                for i in range(evaluation_periods)
            )
            reason = f"Threshold Crossed: {evaluation_periods} datapoints [{pts0}] were {words} the threshold ({threshold:.1f})."
        else:
            reason = (
                f"Threshold Crossed: 1 datapoint [{ok_v:.1f} ({ok_t:%d/%m/%y %H:%M:%S})] was not {words} the "
                f"threshold ({threshold:.1f})."
            )
        reason_data: Json = {
            "version": "1.0",
            "queryDate": cw_ts(updated),
            "startDate": cw_ts(ok_t),
            "statistic": statistic,
            "period": period,
            "recentDatapoints": [round(ok_v, 4)],
            "threshold": threshold,
            "evaluatedDatapoints": [{"timestamp": cw_ts(ok_t), "sampleCount": 1.0, "value": round(ok_v, 4)}],
        }
        first_eval = minute_floor(self.start) + timedelta(seconds=period * evaluation_periods)
        e = first_eval
        while e <= self.now:
            ends = [
                datetime.fromtimestamp(
                    int(e.timestamp()) - (int(e.timestamp()) % period) - period * (i + 1), UTC
                )
                for i in range(evaluation_periods)
            ]
            evaluated = [(b, stat(buckets[b])) for b in ends if b in buckets]
            n_breach = sum(1 for _, v in evaluated if breaches(v))
            if treat_missing == "breaching":
                n_breach += evaluation_periods - len(evaluated)
            new_state = "ALARM" if n_breach >= m else "OK"
            if treat_missing in ("missing", "ignore") and len(evaluated) < m:
                new_state = state
            if new_state != state:
                shown = evaluated if new_state == "OK" else [x for x in evaluated if breaches(x[1])]
                shown = shown[: max(1, m)] if shown else evaluated[:1]
                pts = ", ".join(f"{v:.1f} ({b:%d/%m/%y %H:%M:%S})" for b, v in shown) if shown else ""
                if new_state == "ALARM":
                    if m == evaluation_periods:
                        txt = (
                            f"Threshold Crossed: {len(shown)} datapoint{'s' if len(shown) > 1 else ''} [{pts}] "
                            f"{'were' if len(shown) > 1 else 'was'} {words} the threshold ({threshold:.1f})."
                        )
                    else:
                        txt = (
                            f"Threshold Crossed: {len(shown)} out of the last {evaluation_periods} datapoints [{pts}] "
                            f"were {words} the threshold ({threshold:.1f}) (minimum {m} datapoints for OK -> ALARM "
                            "transition)."
                        )
                else:
                    k = len(shown)
                    txt = (
                        f"Threshold Crossed: {k} datapoint{'s' if k != 1 else ''} [{pts}] "
                        f"{'were' if k != 1 else 'was'} not {words} the threshold ({threshold:.1f})."
                    )
                qdate = e + timedelta(seconds=self.rng.randint(5, 50), milliseconds=self.rng.randint(0, 999))
                rdata = {
                    "version": "1.0",
                    "queryDate": cw_ts(qdate),
                    "startDate": cw_ts(ends[-1]),
                    "statistic": statistic,
                    "period": period,
                    "recentDatapoints": [round(v, 4) for _, v in reversed(evaluated)],
                    "threshold": threshold,
                    "evaluatedDatapoints": [
                        {"timestamp": cw_ts(b), "sampleCount": float(len(buckets[b])), "value": round(v, 4)}
                        for b, v in evaluated
                    ],
                }
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(qdate),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new_state}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": state, "stateReason": reason},
                                "newState": {
                                    "stateValue": new_state,
                                    "stateReason": txt,
                                    "stateReasonData": rdata,
                                },
                            }
                        ),
                    }
                )
                for a in acts:
                    self.history.append(
                        {
                            "AlarmName": name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso_ms(qdate + timedelta(milliseconds=self.rng.randint(40, 400))),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {a}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": int(qdate.timestamp() * 1000),
                                    "notificationResource": a,
                                }
                            ),
                        }
                    )
                state, reason, reason_data, updated = new_state, txt, rdata, qdate
            e += timedelta(seconds=60)
        item: Json = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(
                configured
                or (self.start - timedelta(days=self.rng.randint(40, 400), minutes=self.rng.randint(0, 900)))
            ),
            "ActionsEnabled": True,
            "OKActions": list(acts),
            "AlarmActions": list(acts),
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(updated),
            "StateTransitionedTimestamp": iso_ms(updated),
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": statistic,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evaluation_periods,
            "DatapointsToAlarm": m,
            "Threshold": threshold,
            "ComparisonOperator": comparison,
            "TreatMissingData": treat_missing,
        }
        if unit:
            item["Unit"] = unit
        if reason_data:
            item["StateReasonData"] = json.dumps(reason_data)
        self.alarms.append(item)
        return item

    def alarm_event(self, alarm: Json, which: int = -1) -> Json:
        """The EventBridge "CloudWatch Alarm State Change" event of one transition (the latest by default)."""
        hist = [
            h
            for h in self.history
            if h["AlarmName"] == alarm["AlarmName"] and h["HistoryItemType"] == "StateUpdate"
        ]
        if which >= 0:
            hist = hist[: which + 1]
        last = json.loads(hist[-1]["HistoryData"])
        prev_time = json.loads(hist[-2]["HistoryData"])["newState"] if len(hist) > 1 else {"stateValue": "OK"}
        prev_ts = hist[-2]["Timestamp"] if len(hist) > 1 else alarm["AlarmConfigurationUpdatedTimestamp"]
        t = datetime.fromisoformat(hist[-1]["Timestamp"].replace("Z", "+00:00"))
        metric_id = "m1"
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
                    "value": last["newState"]["stateValue"],
                    "reason": last["newState"]["stateReason"],
                    "reasonData": json.dumps(last["newState"]["stateReasonData"]),
                    "timestamp": cw_ts(t),
                },
                "previousState": {
                    "value": last["oldState"]["stateValue"],
                    "reason": last["oldState"]["stateReason"],
                    "timestamp": cw_ts(datetime.fromisoformat(prev_ts.replace("Z", "+00:00"))),
                    **(
                        {"reasonData": json.dumps(prev_time["stateReasonData"])}
                        if "stateReasonData" in prev_time
                        else {}
                    ),
                },
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": metric_id,
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

    # ---- logs ----------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    # ---- resources / events ----------------------------------------------------------------------
    def res(self, service: str, type_: str, item: Json) -> Json:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: Json) -> None:
        self.events.append({"source": source, "item": item})

    # ---- bundle --------------------------------------------------------------------------------
    def bundle(self, title: str, trigger: Json, truth: Json) -> Bundle:
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
        cut = ms(self.now)
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.metrics.sort(
            key=lambda r: (r["namespace"], r["metric"], json.dumps(r["dimensions"]), r["timestamp"])
        )
        self.trail.sort(key=lambda r: r["eventTime"])
        self.history.sort(key=lambda r: r["Timestamp"])
        now_s = iso(self.now)
        records: dict[str, list[Json]] = {
            "metrics": [m for m in self.metrics if m["timestamp"] <= now_s],
            "alarms": self.alarms,
            "alarm_history": [h for h in self.history if h["Timestamp"] <= iso_ms(self.now)],
            "logs": [entry for entry in self.logs if entry["timestamp"] <= cut],
            "cloudtrail": [r for r in self.trail if r["eventTime"] <= now_s],
            "resources": self.resources,
            "events": [e for e in self.events if _event_time(e) <= now_s],
        }
        return Bundle(manifest, {k: v for k, v in records.items() if v})


def _event_time(e: Json) -> str:
    item = e["item"]
    stamp = item.get("timestamp") or item.get("StartTime") or ""
    return str(stamp)[:19] + "Z" if stamp else ""


# ---- principals and CloudTrail ------------------------------------------------------------------


class Principal:
    """Who made a CloudTrail-recorded call: a userIdentity block plus where it came from."""

    def __init__(
        self,
        identity: Json,
        source_ip: str,
        user_agent: str,
        *,
        console: bool = False,
        invoked_by: str | None = None,
    ) -> None:
        self.identity = identity
        self.source_ip = source_ip
        self.user_agent = user_agent
        self.console = console
        self.invoked_by = invoked_by


def sso_user(kit: Kit, permission_set: str, email: str, *, console: bool = True) -> Principal:
    role = f"AWSReservedSSO_{permission_set}_{kit.hex(16)}"
    rid = kit.role_id()
    ident = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{email}",
        "arn": f"arn:aws:sts::{kit.account}:assumed-role/{role}/{email}",
        "accountId": kit.account,
        "accessKeyId": kit.access_key(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{kit.account}:role/aws-reserved/sso.amazonaws.com/{kit.region}/{role}",
                "accountId": kit.account,
                "userName": role,
            },
            "attributes": {
                "creationDate": iso(kit.start + timedelta(minutes=kit.rng.randint(5, 90))),
                "mfaAuthenticated": "false",
            },
        },
    }
    if console:
        ua = kit.rng.choice(
            [
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            ]
        )
    else:
        ua = (
            "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
            "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off"
        )
    return Principal(ident, kit.public_ip(), ua, console=console)


def role_session(
    kit: Kit, role: str, session: str, source_ip: str, user_agent: str, *, path: str = ""
) -> Principal:
    rid = kit.role_id()
    ident = {
        "type": "AssumedRole",
        "principalId": f"{rid}:{session}",
        "arn": f"arn:aws:sts::{kit.account}:assumed-role/{role}/{session}",
        "accountId": kit.account,
        "accessKeyId": kit.access_key(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": rid,
                "arn": f"arn:aws:iam::{kit.account}:role/{path}{role}",
                "accountId": kit.account,
                "userName": role,
            },
            "attributes": {
                "creationDate": iso(kit.start + timedelta(minutes=kit.rng.randint(1, 60))),
                "mfaAuthenticated": "false",
            },
        },
    }
    return Principal(ident, source_ip, user_agent)


TERRAFORM_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 "
    "md/GOOS#linux md/GOARCH#amd64"
)


def terraform_ci(kit: Kit, role: str = "gha-terraform-apply") -> Principal:
    p = role_session(kit, role, "GitHubActions", kit.public_ip(), TERRAFORM_UA)
    p.identity["sessionContext"]["webIdFederationData"] = {
        "federatedProvider": f"arn:aws:iam::{kit.account}:oidc-provider/token.actions.githubusercontent.com",
        "attributes": {},
    }
    return p


def service_linked(kit: Kit, role: str, session: str, service: str) -> Principal:
    p = role_session(kit, role, session, service, service, path=f"aws-service-role/{service}/")
    p.identity["invokedBy"] = service
    p.invoked_by = service
    return p


def aws_service(service: str) -> Principal:
    return Principal({"type": "AWSService", "invokedBy": service}, service, service, invoked_by=service)


def ct(
    kit: Kit,
    t: datetime,
    who: Principal,
    source: str,
    name: str,
    params: Json | None,
    response: Json | None = None,
    *,
    read_only: bool = False,
    error: tuple[str, str] | None = None,
    resources: list[Json] | None = None,
) -> Json:
    """One CloudTrail record as delivered to S3."""
    host = f"{source.split('.')[0]}.{kit.region}.amazonaws.com"
    rec: Json = {
        "eventVersion": "1.09" if who.identity.get("type") != "AWSService" else "1.08",
        "userIdentity": who.identity,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": kit.region,
        "sourceIPAddress": who.source_ip,
        "userAgent": who.user_agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    rec["requestID"] = kit.uuid()
    rec["eventID"] = kit.uuid()
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = "AwsApiCall"
    rec["managementEvent"] = True
    rec["recipientAccountId"] = kit.account
    rec["eventCategory"] = "Management"
    if who.invoked_by is None:
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host,
        }
    if who.console:
        rec["sessionCredentialFromConsole"] = "true"
    kit.trail.append(rec)
    return rec


def ec2_resp(kit: Kit, body: Json | None = None) -> Json:
    out: Json = {"requestId": kit.uuid()}
    out.update(body or {"_return": True})
    return out


def routine_reads(
    kit: Kit, people: list[Principal], extra: Iterable[tuple[str, str, Json | None]], n: int
) -> None:
    """Read-only calls scattered over the window (consoles, CLIs, monitoring integrations)."""
    calls: list[tuple[str, str, Json | None]] = [
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        (
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {"securityGroupSet": {}, "securityGroupIdSet": {}, "filterSet": {}},
        ),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", None),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
        ("logs.amazonaws.com", "DescribeLogGroups", {"limit": 50}),
        ("ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {}, "filterSet": {}}),
        ("sts.amazonaws.com", "GetCallerIdentity", None),
        ("ssm.amazonaws.com", "DescribeInstanceInformation", {"maxResults": 50}),
        ("cloudtrail.amazonaws.com", "LookupEvents", {"maxResults": 50}),
        ("ec2.amazonaws.com", "DescribeSubnets", {"subnetSet": {}, "filterSet": {}}),
    ]
    calls.extend(extra)
    span = (kit.now - kit.start).total_seconds()
    for _ in range(n):
        t = kit.start + timedelta(seconds=kit.rng.uniform(0, span))
        src, name, params = kit.rng.choice(calls)
        ct(kit, t, kit.rng.choice(people), src, name, params, None, read_only=True)


# ---- resource builders ------------------------------------------------------------------------------


def tags(d: dict[str, str]) -> list[Json]:
    return [{"Key": k, "Value": v} for k, v in d.items()]


def instance(
    kit: Kit,
    iid: str,
    *,
    itype: str,
    ami: str,
    subnet: str,
    vpc: str,
    az: str,
    ip: str,
    sgs: list[tuple[str, str]],
    profile: str,
    launched: datetime,
    tagd: dict[str, str],
    lt: tuple[str, str, str] | None = None,
    hop_limit: int = 2,
    http_tokens: str = "required",
    key: str | None = None,
) -> Json:
    eni = kit.rid("eni")
    vol = kit.rid("vol")
    mac = ":".join(kit.hex(2) for _ in range(6))
    dns = f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal"
    alltags = dict(tagd)
    if lt:
        alltags["aws:ec2launchtemplate:id"] = lt[0]
        alltags["aws:ec2launchtemplate:version"] = lt[2]
    item: Json = {
        "AmiLaunchIndex": 0,
        "ImageId": ami,
        "InstanceId": iid,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns,
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "",
        "SubnetId": subnet,
        "VpcId": vpc,
        "Architecture": "arm64" if itype.startswith(("m7g", "c7g", "r7g", "m6g", "c6g", "t4g")) else "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": iso(launched + timedelta(seconds=1)),
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": vol,
                },
            }
        ],
        "ClientToken": kit.uuid(),
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{kit.account}:instance-profile/{profile}",
            "Id": "AIPA" + kit.alnum(17),
        },
        "NetworkInterfaces": [
            {
                "Attachment": {
                    "AttachTime": iso(launched),
                    "AttachmentId": kit.rid("eni-attach"),
                    "DeleteOnTermination": True,
                    "DeviceIndex": 0,
                    "Status": "attached",
                    "NetworkCardIndex": 0,
                },
                "Description": "",
                "Groups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
                "Ipv6Addresses": [],
                "MacAddress": mac,
                "NetworkInterfaceId": eni,
                "OwnerId": kit.account,
                "PrivateDnsName": dns,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": subnet,
                "VpcId": vpc,
                "InterfaceType": "interface",
            }
        ],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": n, "GroupId": g} for g, n in sgs],
        "SourceDestCheck": True,
        "Tags": tags(alltags),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
        "HibernationOptions": {"Configured": False},
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": http_tokens,
            "HttpPutResponseHopLimit": hop_limit,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "EnclaveOptions": {"Enabled": False},
        "BootMode": "uefi-preferred",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": iso(launched),
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "uefi",
    }
    if key:
        item["KeyName"] = key
    return item


def instance_status(iid: str, az: str, *, ok: bool = True, events: list[Json] | None = None) -> Json:
    s = "ok" if ok else "impaired"
    return {
        "AvailabilityZone": az,
        "InstanceId": iid,
        "InstanceState": {"Code": 16, "Name": "running"},
        "InstanceStatus": {
            "Details": [{"Name": "reachability", "Status": "passed" if ok else "failed"}],
            "Status": s,
        },
        "SystemStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
        "Events": events or [],
    }


def subnet(
    kit: Kit, sid: str, vpc: str, az: str, cidr: str, name: str, free: int, public: bool = False
) -> Json:
    return {
        "AvailabilityZone": az,
        "AvailabilityZoneId": az_id(kit.region, az),
        "AvailableIpAddressCount": free,
        "CidrBlock": cidr,
        "DefaultForAz": False,
        "MapPublicIpOnLaunch": public,
        "State": "available",
        "SubnetId": sid,
        "VpcId": vpc,
        "OwnerId": kit.account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tags({"Name": name}),
        "SubnetArn": kit.arn("ec2", f"subnet/{sid}"),
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


AZ_PREFIX = {
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-2": "usw2",
    "eu-west-1": "euw1",
    "eu-west-2": "euw2",
    "eu-central-1": "euc1",
    "ap-southeast-2": "apse2",
    "ca-central-1": "cac1",
}


def az_id(region: str, az: str) -> str:
    return f"{AZ_PREFIX[region]}-az{'abcdef'.index(az[-1]) + 1}"


def vpc_item(kit: Kit, vid: str, cidr: str, name: str) -> Json:
    return {
        "CidrBlock": cidr,
        "DhcpOptionsId": kit.rid("dopt"),
        "State": "available",
        "VpcId": vid,
        "OwnerId": kit.account,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": kit.rid("vpc-cidr-assoc"),
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": False,
        "Tags": tags({"Name": name}),
    }


def sg_rule(
    proto: str, lo: int, hi: int, *, cidr: str | None = None, group: str | None = None, desc: str = ""
) -> Json:
    r: Json = {
        "IpProtocol": proto,
        "FromPort": lo,
        "ToPort": hi,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }
    if cidr:
        r["IpRanges"] = [{"CidrIp": cidr, **({"Description": desc} if desc else {})}]
    if group:
        r["UserIdGroupPairs"] = [{"GroupId": group, "UserId": "", **({"Description": desc} if desc else {})}]
    return r


def security_group(kit: Kit, gid: str, name: str, desc: str, vpc: str, ingress: list[Json]) -> Json:
    for r in ingress:
        for p in r["UserIdGroupPairs"]:
            p["UserId"] = kit.account
    return {
        "GroupId": gid,
        "GroupName": name,
        "Description": desc,
        "VpcId": vpc,
        "OwnerId": kit.account,
        "SecurityGroupArn": kit.arn("ec2", f"security-group/{gid}"),
        "IpPermissions": ingress,
        "IpPermissionsEgress": [
            {
                "IpProtocol": "-1",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        ],
        "Tags": tags({"Name": name}),
    }


def alb(
    kit: Kit,
    name: str,
    vpc: str,
    subnets: list[tuple[str, str]],
    sgs: list[str],
    created: datetime,
    *,
    internal: bool = False,
) -> Json:
    h = kit.hex(16)
    return {
        "LoadBalancerArn": kit.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{h}"),
        "DNSName": f"{'internal-' if internal else ''}{name}-{kit.rng.randint(100000000, 2099999999)}.{kit.region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z" + kit.alnum(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": name,
        "Scheme": "internal" if internal else "internet-facing",
        "VpcId": vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": s, "LoadBalancerAddresses": []} for s, az in subnets
        ],
        "SecurityGroups": sgs,
        "IpAddressType": "ipv4",
    }


def lb_dim(lb: Json) -> str:
    return lb["LoadBalancerArn"].split(":loadbalancer/")[1]


def target_group(kit: Kit, name: str, vpc: str, port: int, path: str, lb_arn: str) -> Json:
    return {
        "TargetGroupArn": kit.arn("elasticloadbalancing", f"targetgroup/{name}/{kit.hex(16)}"),
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
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb_arn],
        "TargetType": "instance",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


def tg_dim(tg: Json) -> str:
    return "targetgroup/" + tg["TargetGroupArn"].split(":targetgroup/")[1]


def log_group(kit: Kit, name: str, retention: int, created: datetime, stored: int, filters: int = 0) -> Json:
    return {
        "logGroupName": name,
        "creationTime": ms(created),
        "retentionInDays": retention,
        "metricFilterCount": filters,
        "arn": kit.arn("logs", f"log-group:{name}:*"),
        "logGroupArn": kit.arn("logs", f"log-group:{name}"),
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
    }


def asg_activity(
    kit: Kit, asg: str, iid: str, t: datetime, *, launch: bool, cause: str, subnet_az: str, dur: int = 40
) -> Json:
    verb = "Launching a new EC2 instance" if launch else "Terminating EC2 instance"
    return {
        "ActivityId": kit.uuid(),
        "AutoScalingGroupName": asg,
        "AutoScalingGroupARN": kit.arn(
            "autoscaling", f"autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{asg}"
        ),
        "Description": f"{verb}: {iid}",
        "Cause": cause,
        "StartTime": iso_ms(t),
        "EndTime": iso_ms(t + timedelta(seconds=dur)),
        "StatusCode": "Successful",
        "Progress": 100,
        "Details": json.dumps(
            {"Subnet ID": subnet_az.split("|")[0], "Availability Zone": subnet_az.split("|")[1]}
        ),
    }


def diurnal(
    t: datetime, utc_offset: float, *, night: float = 0.25, peaks: tuple[float, ...] = (11.0, 15.0)
) -> float:
    """A weekday business-hours shape (1.0 at the peaks, `night` at 4am local)."""
    h = (t.hour + t.minute / 60.0 + utc_offset) % 24
    best = 0.0
    for p in peaks:
        d = min(abs(h - p), 24 - abs(h - p))
        best = max(best, math.exp(-(d**2) / (2 * 3.2**2)))
    return night + (1.0 - night) * best


class Net:
    """A VPC with public and private subnets in two or three zones."""

    def __init__(self, kit: Kit, name: str, zones: int = 3) -> None:
        rng = kit.rng
        self.vpc = kit.rid("vpc")
        self.octet = rng.choice([8, 16, 24, 32, 48, 72, 100, 112])
        self.cidr = f"10.{self.octet}.0.0/16"
        self.azs = [f"{kit.region}{c}" for c in "abc"[:zones]]
        self.public = [kit.rid("subnet") for _ in self.azs]
        self.private = [kit.rid("subnet") for _ in self.azs]
        kit.res("ec2", "Vpc", vpc_item(kit, self.vpc, self.cidr, name))
        for i, az in enumerate(self.azs):
            kit.res(
                "ec2",
                "Subnet",
                subnet(
                    kit,
                    self.public[i],
                    self.vpc,
                    az,
                    f"10.{self.octet}.{i}.0/24",
                    f"{name}-public-{az[-1]}",
                    240 - rng.randint(0, 12),
                    True,
                ),
            )
            kit.res(
                "ec2",
                "Subnet",
                subnet(
                    kit,
                    self.private[i],
                    self.vpc,
                    az,
                    f"10.{self.octet}.{32 + i * 32}.0/19",
                    f"{name}-private-{az[-1]}",
                    8150 - rng.randint(0, 60),
                ),
            )

    def ip(self, kit: Kit, zone: int) -> str:
        return f"10.{self.octet}.{32 + zone * 32 + kit.rng.randint(0, 31)}.{kit.rng.randint(4, 250)}"


class Node:
    def __init__(self, iid: str, az: str, zone: int, ip: str, launched: datetime, lt_version: str) -> None:
        self.iid = iid
        self.az = az
        self.zone = zone
        self.ip = ip
        self.host = f"ip-{ip.replace('.', '-')}"
        self.launched = launched
        self.lt_version = lt_version


def asg_item(
    kit: Kit,
    name: str,
    net: Net,
    lt: tuple[str, str],
    nodes: list[Node],
    itype: str,
    *,
    min_size: int,
    max_size: int,
    tgs: list[str],
    created: datetime,
    health: str = "ELB",
    metrics: bool = True,
) -> Json:
    return {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": kit.arn(
            "autoscaling", f"autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{name}"
        ),
        "LaunchTemplate": {"LaunchTemplateId": lt[0], "LaunchTemplateName": lt[1], "Version": "$Latest"},
        "MinSize": min_size,
        "MaxSize": max_size,
        "DesiredCapacity": len(nodes),
        "DefaultCooldown": 300,
        "AvailabilityZones": list(net.azs),
        "LoadBalancerNames": [],
        "TargetGroupARNs": tgs,
        "HealthCheckType": health,
        "HealthCheckGracePeriod": 180,
        "Instances": [
            {
                "InstanceId": n.iid,
                "InstanceType": itype,
                "AvailabilityZone": n.az,
                "LifecycleState": "InService",
                "HealthStatus": "Healthy",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt[0],
                    "LaunchTemplateName": lt[1],
                    "Version": n.lt_version,
                },
                "ProtectedFromScaleIn": False,
            }
            for n in nodes
        ],
        "CreatedTime": iso_ms(created),
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": ",".join(net.private),
        "EnabledMetrics": (
            [
                {"Metric": m, "Granularity": "1Minute"}
                for m in ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize", "GroupMinSize")
            ]
            if metrics
            else []
        ),
        "Tags": [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": "service",
                "Value": name.rsplit("-", 1)[0],
                "PropagateAtLaunch": True,
            }
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "CapacityRebalance": False,
        "DefaultInstanceWarmup": 120,
    }


def target_point(
    kit: Kit, tg_arn: str, node: Node, port: int, t: datetime, state: str, reason: str | None = None
) -> None:
    health: Json = {"State": state}
    if reason:
        health["Reason"] = reason
        health["Description"] = {
            "Elb.RegistrationInProgress": "Target registration is in progress",
            "Elb.InitialHealthChecking": "Initial health checks in progress",
            "Target.Timeout": "Request timed out",
            "Target.ResponseCodeMismatch": "Health checks failed with these codes: [500]",
            "Target.DeregistrationInProgress": "Target deregistration is in progress",
        }.get(reason, reason)
    kit.event(
        "target_health",
        {
            "target_group_arn": tg_arn,
            "target": {"Id": node.iid, "Port": port, "AvailabilityZone": node.az},
            "health": health,
            "timestamp": iso(t),
        },
    )
