"""Private helpers for kit `zzs` incidents (EC2 fleets, Auto Scaling, EBS, SSM)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def console_time(t: datetime) -> str:
    h = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year}, {h}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def floor_min(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class Kit:
    def __init__(self, seed: int, region: str, start: datetime, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.region = region
        self.account = f"{self.rng.randrange(10**11, 10**12 - 1):012d}"
        self.start = start
        self.now = now
        self.metrics: list[Rec] = []
        self.logs: list[Rec] = []
        self.trail: list[Rec] = []
        self.resources: list[Rec] = []
        self.alarms: list[Rec] = []
        self.history: list[Rec] = []
        self.events: list[Rec] = []
        self.asg_ids: dict[str, str] = {}
        self.last_prev: Rec = {}

    # --- ids ----------------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def window(self, start: datetime, now: datetime) -> None:
        self.start = start
        self.now = now

    def iid(self) -> str:
        return "i-0" + self.hexid(16)

    def akid(self, prefix: str = "ASIA") -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))

    def ip(self, net: str = "10.20") -> str:
        return f"{net}.{self.rng.randrange(1, 60)}.{self.rng.randrange(4, 250)}"

    # --- identities -----------------------------------------------------------------------------
    def sso(self, user: str, perm: str = "AdministratorAccess") -> Rec:
        suffix = self.hexid(16)
        role = f"AWSReservedSSO_{perm}_{suffix}"
        pid = "AROA" + self.akid("")[:17]
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/"
                    f"{self.region}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str, invoked_by: str | None = None) -> Rec:
        pid = "AROA" + self.akid("")[:17]
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": self.akid(),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": iso(self.start), "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    def asg_role(self) -> Rec:
        ident = self.role(
            "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", "AutoScaling"
        )
        ident["sessionContext"]["sessionIssuer"]["userName"] = "AWSServiceRoleForAutoScaling"
        ident["arn"] = f"arn:aws:sts::{self.account}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling"
        ident["invokedBy"] = "autoscaling.amazonaws.com"
        return ident

    # --- CloudTrail -----------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: Rec,
        req: Rec | None = None,
        resp: Rec | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        src_ip: str | None = None,
        error: tuple[str, str] | None = None,
        extra: Rec | None = None,
    ) -> str:
        eid = self.uid()
        invoked = ident.get("invokedBy")
        rec: Rec = {
            "eventVersion": "1.09" if not invoked else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": invoked or src_ip or f"203.0.113.{self.rng.randrange(2, 250)}",
            "userAgent": invoked or agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uid()
        rec["eventID"] = eid
        rec["readOnly"] = read_only
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if not invoked:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        if extra:
            rec.update(extra)
        self.trail.append(rec)
        return eid

    def noise_reads(
        self, idents: list[tuple[Rec, str, str]], every_min: int, calls: list[tuple[str, str, Rec]]
    ) -> None:
        """Read-only tooling calls spread over the window: idents are (identity, agent, ip)."""
        t = self.start + timedelta(minutes=self.rng.randrange(1, every_min))
        while t < self.now:
            ident, agent, ip = self.rng.choice(idents)
            source, name, req = self.rng.choice(calls)
            self.ct(t, source, name, ident, req, None, read_only=True, agent=agent, src_ip=ip)
            t += timedelta(minutes=every_min, seconds=self.rng.randrange(-90, 90))

    # --- metrics --------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        period: int = 60,
        until: datetime | None = None,
        digits: int = 2,
    ) -> None:
        t = self.start
        end = until or self.now
        while t <= end:
            v = fn(t)
            if v is not None:
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": name,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(float(v), digits),
                    }
                )
            t += timedelta(seconds=period)

    def dist(
        self, ns: str, name: str, dims: dict[str, str], unit: str, t: datetime, vals: list[float]
    ) -> None:
        self.metrics.append(
            {
                "namespace": ns,
                "metric": name,
                "dimensions": dims,
                "timestamp": iso(t),
                "unit": unit,
                "values": [round(v, 4) for v in vals],
            }
        )

    # --- alarms ---------------------------------------------------------------------------------
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
        threshold: float,
        op: str,
        topic: str,
        state: str = "OK",
        reason: str = "",
        state_t: datetime | None = None,
        updated: datetime | None = None,
        missing: str = "missing",
        dta: int | None = None,
        unit: str | None = None,
    ) -> Rec:
        st = state_t or self.start - timedelta(
            days=self.rng.randrange(3, 40), minutes=self.rng.randrange(0, 600)
        )
        a: Rec = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}",
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(
                updated or st - timedelta(days=self.rng.randrange(20, 200))
            ),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason
            or f"Threshold Crossed: {evals} out of the last {evals} datapoints were not "
            f"{'greater' if 'Greater' in op else 'less'} than the threshold ({float(threshold)}) "
            "(minimum 1 datapoint for ALARM -> OK transition).",
            "StateUpdatedTimestamp": iso(st),
            "StateTransitionedTimestamp": iso(st),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta or evals,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if unit:
            a["Unit"] = unit
        if stat.startswith("p"):
            del a["Statistic"]
            a["ExtendedStatistic"] = stat
        self.alarms.append(a)
        return a

    def point(self, alarm: Rec, t: datetime) -> float | None:
        if not hasattr(self, "_index"):
            idx: dict[tuple[str, str, str, str], list[float]] = {}
            for m in self.metrics:
                key = (
                    m["namespace"],
                    m["metric"],
                    json.dumps(m["dimensions"], sort_keys=True),
                    m["timestamp"],
                )
                if "value" in m:
                    idx[key] = [float(m["value"])]
                elif "values" in m:
                    idx[key] = [float(v) for v in m["values"]]
            self._index = idx
        dims = json.dumps({d["Name"]: d["Value"] for d in alarm["Dimensions"]}, sort_keys=True)
        vals = self._index.get((alarm["Namespace"], alarm["MetricName"], dims, iso(t)))
        if not vals:
            return None
        stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic", "Average")
        if stat == "Average":
            return round(sum(vals) / len(vals), 4)
        if stat == "Sum":
            return round(sum(vals), 4)
        if stat == "Maximum":
            return max(vals)
        if stat == "Minimum":
            return min(vals)
        if stat == "SampleCount":
            return float(len(vals))
        q = float(stat[1:]) / 100
        ordered = sorted(vals)
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)

    def transition(self, alarm: Rec, t: datetime, old: str, new: str) -> Rec:
        """Record a state change (reason built from the stored datapoints) and update the alarm."""
        period = alarm["Period"]
        n = alarm["EvaluationPeriods"]
        last = (
            floor_min(t) - timedelta(seconds=(floor_min(t).minute * 60) % period) - timedelta(seconds=period)
        )
        stamps = [last - timedelta(seconds=period * k) for k in range(n)]
        pts = [(ts, self.point(alarm, ts)) for ts in stamps]
        got = [(ts, v) for ts, v in pts if v is not None]
        words = {
            "GreaterThanThreshold": "greater than",
            "LessThanThreshold": "less than",
            "GreaterThanOrEqualToThreshold": "greater than or equal to",
            "LessThanOrEqualToThreshold": "less than or equal to",
        }[alarm["ComparisonOperator"]]
        thr = alarm["Threshold"]

        def breach(v: float) -> bool:
            op = alarm["ComparisonOperator"]
            return {
                "GreaterThanThreshold": v > thr,
                "LessThanThreshold": v < thr,
                "GreaterThanOrEqualToThreshold": v >= thr,
                "LessThanOrEqualToThreshold": v <= thr,
            }[op]

        shown = ", ".join(
            f"{v} ({ts:%d/%m/%y %H:%M:%S})" if i < 5 else str(v) for i, (ts, v) in enumerate(got[:10])
        )
        if new == "ALARM":
            k = sum(1 for _, v in got if breach(v))
            dta = alarm["DatapointsToAlarm"]
            verb = "was" if k == 1 else "were"
            reason = (
                f"Threshold Crossed: {k} out of the last {n} datapoints [{shown}] {verb} {words} the threshold "
                f"({thr}) (minimum {dta} datapoint{'s' if dta > 1 else ''} for OK -> ALARM transition)."
            )
        else:
            k = sum(1 for _, v in got if not breach(v))
            verb = "was" if k == 1 else "were"
            reason = (
                f"Threshold Crossed: {k} out of the last {n} datapoints [{shown}] {verb} not {words} the "
                f"threshold ({thr}) (minimum 1 datapoint for ALARM -> OK transition)."
            )
        data = {
            "version": "1.0",
            "queryDate": iso_ms(t),
            "startDate": iso_ms(stamps[-1]),
            "statistic": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
            "period": period,
            "recentDatapoints": [v for _, v in reversed(got)],
            "threshold": thr,
            "evaluatedDatapoints": [{"timestamp": iso(ts), "sampleCount": 1.0, "value": v} for ts, v in got],
        }
        state = {"value": new, "reason": reason, "reasonData": json.dumps(data), "timestamp": iso_ms(t)}
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
                        "oldState": {"stateValue": old, "stateReason": alarm["StateReason"]},
                        "newState": {"stateValue": new, "stateReason": reason, "stateReasonData": data},
                    }
                ),
            }
        )
        prev = {
            "value": old,
            "reason": alarm["StateReason"],
            "timestamp": iso_ms(
                datetime.fromisoformat(alarm["StateUpdatedTimestamp"].replace("Z", "+00:00"))
            ),
        }
        alarm["StateValue"] = new
        alarm["StateReason"] = reason
        alarm["StateReasonData"] = json.dumps(data)
        alarm["StateUpdatedTimestamp"] = iso(t)
        alarm["StateTransitionedTimestamp"] = iso(t)
        self.last_prev = prev
        return state

    def evaluate(self, alarm: Rec, lag: int = 20) -> list[tuple[datetime, Rec, Rec]]:
        """Run the alarm over the stored datapoints from `start` to `now`; record every transition."""
        period = alarm["Period"]
        n = alarm["EvaluationPeriods"]
        dta = alarm["DatapointsToAlarm"]
        thr = alarm["Threshold"]
        op = alarm["ComparisonOperator"]
        missing_breach = alarm["TreatMissingData"] == "breaching"
        out: list[tuple[datetime, Rec, Rec]] = []
        t = self.start + timedelta(seconds=period * (n + 1))
        t = t - timedelta(seconds=(t.minute * 60 + t.second) % period)
        state = alarm["StateValue"]
        while t + timedelta(seconds=lag) <= self.now:
            cnt = 0
            for k in range(1, n + 1):
                v = self.point(alarm, t - timedelta(seconds=period * k))
                if v is None:
                    cnt += 1 if missing_breach else 0
                    continue
                cnt += int(
                    {
                        "GreaterThanThreshold": v > thr,
                        "LessThanThreshold": v < thr,
                        "GreaterThanOrEqualToThreshold": v >= thr,
                        "LessThanOrEqualToThreshold": v <= thr,
                    }[op]
                )
            new = "ALARM" if cnt >= dta else "OK"
            if new != state:
                when = t + timedelta(seconds=lag, milliseconds=self.rng.randrange(0, 999))
                prev_state = state
                st = self.transition(alarm, when, state, new)
                out.append((when, st, self.last_prev))
                state = new
                del prev_state
            t += timedelta(seconds=period)
        return out

    def alarm_event(self, alarm: Rec, t: datetime, state: Rec, prev: Rec) -> Rec:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
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
                "state": state,
                "previousState": prev,
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": self.uid(),
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": dims,
                                },
                                "period": alarm["Period"],
                                "stat": alarm.get("Statistic") or alarm.get("ExtendedStatistic"),
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- resources and logs -----------------------------------------------------------------------
    def res(self, service: str, typ: str, item: Rec) -> Rec:
        self.resources.append({"service": service, "type": typ, "item": item})
        return item

    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg})

    def bundle(self, title: str, trigger: Rec, truth: Rec) -> Bundle:
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
        cut = ms(self.now)
        logs = sorted(
            (r for r in self.logs if r["timestamp"] <= cut),
            key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]),
        )
        trail = sorted(
            (r for r in self.trail if r["eventTime"] <= iso(self.now)), key=lambda r: str(r["eventTime"])
        )
        metrics = [m for m in self.metrics if m["timestamp"] <= iso(self.now)]
        history = sorted(self.history, key=lambda h: str(h["Timestamp"]))
        events = [e for e in self.events if _event_time(e) <= iso(self.now)]
        records: dict[str, list[Rec]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
            "events": events,
        }
        return Bundle(manifest, {k: v for k, v in records.items() if v})


def _event_time(e: Rec) -> str:
    item = e["item"]
    for key in ("StartTime", "timestamp", "Date"):
        if key in item:
            return str(item[key])
    return ""


# --- common AWS items ----------------------------------------------------------------------------


def instance(
    kit: Kit,
    iid: str,
    itype: str,
    ami: str,
    subnet: str,
    vpc: str,
    az: str,
    sgs: list[tuple[str, str]],
    tags: dict[str, str],
    launched: datetime,
    profile: str,
    lt: tuple[str, str, str] | None = None,
    spot: bool = False,
    state: str = "running",
    reason: str = "",
    arch: str = "x86_64",
) -> Rec:
    ip = kit.ip()
    eni = "eni-0" + kit.hexid(16)
    codes = {"running": 16, "terminated": 48, "shutting-down": 32, "stopped": 80}
    item: Rec = {
        "InstanceId": iid,
        "ImageId": ami,
        "InstanceType": itype,
        "LaunchTime": iso(launched),
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "enabled"},
        "State": {"Code": codes[state], "Name": state},
        "Architecture": arch,
        "RootDeviceType": "ebs",
        "RootDeviceName": "/dev/xvda",
        "VirtualizationType": "hvm",
        "Hypervisor": "xen",
        "EnaSupport": True,
        "EbsOptimized": True,
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{kit.account}:instance-profile/{profile}",
            "Id": "AIPA" + kit.akid("")[:17],
        },
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "InstanceMetadataTags": "disabled",
        },
    }
    if state == "running":
        item.update(
            {
                "PrivateIpAddress": ip,
                "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal",
                "SubnetId": subnet,
                "VpcId": vpc,
                "SecurityGroups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                "BlockDeviceMappings": [
                    {
                        "DeviceName": "/dev/xvda",
                        "Ebs": {
                            "AttachTime": iso(launched),
                            "DeleteOnTermination": True,
                            "Status": "attached",
                            "VolumeId": "vol-0" + kit.hexid(16),
                        },
                    }
                ],
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": eni,
                        "SubnetId": subnet,
                        "VpcId": vpc,
                        "PrivateIpAddress": ip,
                        "Status": "in-use",
                        "MacAddress": ":".join(kit.hexid(2) for _ in range(6)),
                        "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                        "Attachment": {
                            "AttachmentId": "eni-attach-0" + kit.hexid(16),
                            "AttachTime": iso(launched),
                            "DeleteOnTermination": True,
                            "DeviceIndex": 0,
                            "Status": "attached",
                        },
                        "InterfaceType": "interface",
                    }
                ],
            }
        )
    else:
        item["StateReason"] = {
            "Code": "Server.SpotInstanceTermination" if spot else "Client.UserInitiatedShutdown",
            "Message": reason,
        }
        item["StateTransitionReason"] = ""
    if spot:
        item["InstanceLifecycle"] = "spot"
        item["SpotInstanceRequestId"] = "sir-" + kit.hexid(8)
    return kit.res("ec2", "Instance", item)


def instance_status(kit: Kit, iid: str, az: str) -> Rec:
    return kit.res(
        "ec2",
        "InstanceStatus",
        {
            "InstanceId": iid,
            "AvailabilityZone": az,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "SystemStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
            "AttachedEbsStatus": {"Status": "ok", "Details": [{"Name": "reachability", "Status": "passed"}]},
        },
    )


def activity(
    kit: Kit,
    asg: str,
    start: datetime,
    end: datetime | None,
    desc: str,
    cause: str,
    code: str = "Successful",
    msg: str | None = None,
    details: Rec | None = None,
) -> None:
    item: Rec = {
        "ActivityId": kit.uid(),
        "AutoScalingGroupName": asg,
        "Description": desc,
        "Cause": cause,
        "StartTime": iso(start),
        "StatusCode": code,
        "Progress": 100 if code in ("Successful", "Failed", "Cancelled") else 50,
        "Details": json.dumps(details or {"Subnet ID": "", "Availability Zone": ""}),
        "AutoScalingGroupARN": asg_arn(kit, asg),
    }
    if end is not None:
        item["EndTime"] = iso(end)
    if msg:
        item["StatusMessage"] = msg
    kit.events.append({"source": "autoscaling", "item": item})


def asg_arn(kit: Kit, asg: str) -> str:
    if asg not in kit.asg_ids:
        kit.asg_ids[asg] = kit.uid()
    return f"arn:aws:autoscaling:{kit.region}:{kit.account}:autoScalingGroup:{kit.asg_ids[asg]}:autoScalingGroupName/{asg}"


def asg_item(
    kit: Kit,
    name: str,
    lt_id: str,
    lt_name: str,
    members: list[tuple[str, str, str, bool]],
    types: list[str],
    subnets: list[str],
    azs: list[str],
    tg_arns: list[str],
    desired: int,
    min_size: int,
    max_size: int,
    od_base: int,
    od_pct: int,
    created: datetime,
    tags: dict[str, str],
    rebalance: bool = False,
    spot_strategy: str = "price-capacity-optimized",
    health: str = "EC2",
) -> Rec:
    """members: (instance id, type, az, healthy)."""
    item: Rec = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": asg_arn(kit, name),
        "MixedInstancesPolicy": {
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": lt_name,
                    "Version": "$Default",
                },
                "Overrides": [{"InstanceType": t} for t in types],
            },
            "InstancesDistribution": {
                "OnDemandAllocationStrategy": "prioritized",
                "OnDemandBaseCapacity": od_base,
                "OnDemandPercentageAboveBaseCapacity": od_pct,
                "SpotAllocationStrategy": spot_strategy,
            },
        },
        "MinSize": min_size,
        "MaxSize": max_size,
        "DesiredCapacity": desired,
        "DefaultCooldown": 300,
        "AvailabilityZones": azs,
        "LoadBalancerNames": [],
        "TargetGroupARNs": tg_arns,
        "HealthCheckType": health,
        "HealthCheckGracePeriod": 300,
        "Instances": [
            {
                "InstanceId": iid,
                "InstanceType": typ,
                "AvailabilityZone": az,
                "LifecycleState": "InService",
                "HealthStatus": "Healthy" if ok else "Unhealthy",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": lt_name,
                    "Version": "$Default",
                },
                "ProtectedFromScaleIn": False,
            }
            for iid, typ, az, ok in members
        ],
        "CreatedTime": iso(created),
        "SuspendedProcesses": [],
        "VPCZoneIdentifier": ",".join(subnets),
        "EnabledMetrics": [
            {"Metric": m, "Granularity": "1Minute"}
            for m in (
                "GroupDesiredCapacity",
                "GroupInServiceInstances",
                "GroupPendingInstances",
                "GroupTotalInstances",
            )
        ],
        "Tags": [
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": k,
                "Value": v,
                "PropagateAtLaunch": True,
            }
            for k, v in tags.items()
        ],
        "TerminationPolicies": ["Default"],
        "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling",
        "CapacityRebalance": rebalance,
    }
    return kit.res("autoscaling", "AutoScalingGroup", item)


def alb(
    kit: Kit, name: str, vpc: str, subnets: list[tuple[str, str]], sg: str, created: datetime
) -> tuple[str, str]:
    """Returns (ARN, metric dimension value)."""
    lid = kit.hexid(16)
    arn = f"arn:aws:elasticloadbalancing:{kit.region}:{kit.account}:loadbalancer/app/{name}/{lid}"
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": f"{name}-{kit.rng.randrange(10**8, 10**9)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": s} for s, az in subnets],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"app/{name}/{lid}"


def target_group(kit: Kit, name: str, vpc: str, lb_arn: str, port: int, path: str) -> tuple[str, str]:
    tid = kit.hexid(16)
    arn = f"arn:aws:elasticloadbalancing:{kit.region}:{kit.account}:targetgroup/{name}/{tid}"
    kit.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": arn,
            "TargetGroupName": name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": path,
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "instance",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"targetgroup/{name}/{tid}"


def launch_template(
    kit: Kit, name: str, lt_id: str, created: datetime, default: int, latest: int, by: str
) -> None:
    kit.res(
        "ec2",
        "LaunchTemplate",
        {
            "LaunchTemplateId": lt_id,
            "LaunchTemplateName": name,
            "CreateTime": iso(created),
            "CreatedBy": by,
            "DefaultVersionNumber": default,
            "LatestVersionNumber": latest,
        },
    )


def target_health(
    kit: Kit, tg_arn: str, iid: str, port: int, t: datetime, state: str, reason: str = ""
) -> None:
    health: Rec = {"State": state}
    if reason:
        health["Reason"] = reason
        health["Description"] = {
            "Target.FailedHealthChecks": "Health checks failed",
            "Target.Timeout": "Request timed out",
            "Elb.RegistrationInProgress": "Target registration is in progress",
            "Target.DeregistrationInProgress": "Target deregistration is in progress",
            "Target.NotRegistered": "Target is not registered to the target group",
        }.get(reason, reason)
    kit.events.append(
        {
            "source": "target_health",
            "item": {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": port},
                "health": health,
                "timestamp": iso(t),
            },
        }
    )
