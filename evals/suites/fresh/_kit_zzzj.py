"""Private helpers for kit zzzj: a ticketing site (ALB, ECS on EC2, ElastiCache, DynamoDB, SQS, WAF)."""

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
REGION = "eu-west-2"
MIN = timedelta(minutes=1)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minutes(a: datetime, b: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = a
    while t < b:
        out.append(t)
        t += timedelta(minutes=step)
    return out


class Kit:
    """Collects one incident's records; every random choice comes from one seeded generator."""

    def __init__(self, seed: int, tag: str, brand: str) -> None:
        self.rng = random.Random(f"zzzj:{tag}:{seed}")
        r = self.rng
        self.account = str(r.randint(2, 9)) + "".join(str(r.randint(0, 9)) for _ in range(11))
        self.region = REGION
        self.brand = brand
        self._reasons: dict[str, str] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("metrics", "alarms", "alarm_history", "logs", "cloudtrail", "resources", "events")
        }
        self.vpc = "vpc-" + self.hexid(17)
        self.subnets = ["subnet-" + self.hexid(17) for _ in range(3)]
        self.azs = [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
        self.sns_ops = f"arn:aws:sns:{REGION}:{self.account}:{brand}-oncall-pagerduty"
        self.sns_low = f"arn:aws:sns:{REGION}:{self.account}:{brand}-alerts-slack"

    # ---------- ids ----------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def upper(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))

    def arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{rest}"

    # ---------- identities ----------
    def sso(self, user: str, perm: str = "PlatformEngineer") -> dict[str, Any]:
        suffix = getattr(self, "_sso_" + perm, None)
        if suffix is None:
            suffix = self.hexid(16)
            setattr(self, "_sso_" + perm, suffix)
        role = f"AWSReservedSSO_{perm}_{suffix}"
        pid = "AROA" + self.upper(17)
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{user}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{user}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{REGION}/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }

    def role(self, role: str, session: str, invoked_by: str | None = None) -> dict[str, Any]:
        pid = "AROA" + self.upper(17)
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    # ---------- records ----------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        req: dict[str, Any] | None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> str:
        ident = json.loads(json.dumps(ident))
        if "sessionContext" in ident:
            ident["sessionContext"]["attributes"]["creationDate"] = iso(
                t - timedelta(minutes=self.rng.randint(3, 50))
            )
        eid = self.uid()
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or ident.get("invokedBy")
            or f"81.{self.rng.randint(2, 250)}.{self.rng.randint(2, 250)}.{self.rng.randint(2, 250)}",
            "userAgent": ident.get("invokedBy") or agent,
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
        if not ident.get("invokedBy"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.rows["cloudtrail"].append(rec)
        return eid

    def resource(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.rows["resources"].append({"service": service, "type": type_, "item": item})

    def event(self, source: str, item: dict[str, Any]) -> None:
        self.rows["events"].append({"source": source, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.rows["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        times: list[datetime],
        fn: Callable[[datetime], float | None],
        digits: int = 2,
    ) -> dict[datetime, float]:
        out: dict[datetime, float] = {}
        for t in times:
            v = fn(t)
            if v is None:
                continue
            v = round(float(v), digits)
            out[t] = v
            self.rows["metrics"].append(
                {
                    "namespace": ns,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": v,
                }
            )
        return out

    def noisy(self, base: float, pct: float = 0.06) -> float:
        return max(0.0, base * (1 + self.rng.gauss(0, pct)))

    # ---------- alarms ----------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        data: dict[datetime, float],
        start: datetime,
        now: datetime,
        *,
        period: int = 60,
        evals: int = 3,
        to_alarm: int | None = None,
        missing: str = "notBreaching",
        description: str | None = None,
        page: bool = True,
        unit_word: str = "",
    ) -> dict[str, Any] | None:
        """Evaluate the alarm over `data` minute by minute, record its history, return the last transition
        into ALARM as an EventBridge event (or None)."""
        to_alarm = to_alarm or evals
        arn = self.arn("cloudwatch", f"alarm:{name}")
        step = timedelta(seconds=period)
        buckets: dict[datetime, list[float]] = {}
        for t, v in data.items():
            k = datetime.fromtimestamp((int(t.timestamp()) // period) * period, UTC)
            buckets.setdefault(k, []).append(v)

        def agg(vals: list[float]) -> float:
            if stat == "Sum":
                return sum(vals)
            if stat == "Maximum":
                return max(vals)
            if stat == "Minimum":
                return min(vals)
            return sum(vals) / len(vals)

        def breach(v: float) -> bool:
            return {
                "GreaterThanThreshold": v > threshold,
                "GreaterThanOrEqualToThreshold": v >= threshold,
                "LessThanThreshold": v < threshold,
                "LessThanOrEqualToThreshold": v <= threshold,
            }[op]

        state = "OK"
        state_ts = start
        reason = "Threshold Crossed: no datapoints were breaching the threshold"
        reason_data: dict[str, Any] = {}
        last_event: dict[str, Any] | None = None
        t = datetime.fromtimestamp((int(start.timestamp()) // period + evals) * period, UTC)
        while t <= now - step:
            window = [t - step * i for i in range(evals, 0, -1)]
            vals = [(w, agg(buckets[w])) for w in window if w in buckets]
            n_breach = sum(1 for _, v in vals if breach(v))
            if missing == "breaching":
                n_breach += evals - len(vals)
            new = "ALARM" if n_breach >= to_alarm else "OK"
            if new != state:
                ev_at = t + timedelta(seconds=self.rng.randint(8, 40))
                recent = [round(v, 3) for _, v in vals][::-1]
                word = "greater than" if op.startswith("Greater") else "less than"
                if "Equal" in op:
                    word += " or equal to"
                if new == "ALARM":
                    reason = (
                        f"Threshold Crossed: {n_breach} out of the last {evals} datapoints "
                        f"[{', '.join(f'{v} ({w:%d/%m/%y %H:%M:%S})' for w, v in reversed(vals) if breach(v))}] "
                        f"{'was' if n_breach == 1 else 'were'} {word} the threshold ({threshold}) "
                        f"(minimum {to_alarm} datapoint{'s' if to_alarm > 1 else ''} for OK -> ALARM transition)."
                    )
                else:
                    shown = vals[-1:] if vals else []
                    reason = (
                        f"Threshold Crossed: 1 out of the last {evals} datapoints "
                        f"[{', '.join(f'{v} ({w:%d/%m/%y %H:%M:%S})' for w, v in shown)}] was not {word} the "
                        f"threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
                    )
                reason_data = {
                    "version": "1.0",
                    "queryDate": ev_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
                    "startDate": window[0].strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    "statistic": stat,
                    "period": period,
                    "recentDatapoints": recent,
                    "threshold": threshold,
                    "evaluatedDatapoints": [
                        {
                            "timestamp": w.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                            "sampleCount": float(len(buckets[w])),
                            "value": round(v, 3),
                        }
                        for w, v in reversed(vals)
                    ],
                }
                old_state, old_ts, old_reason = state, state_ts, self._last_reason(name)
                self.rows["alarm_history"].append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso(ev_at),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": state, "stateReason": old_reason},
                                "newState": {
                                    "stateValue": new,
                                    "stateReason": reason,
                                    "stateReasonData": reason_data,
                                },
                            }
                        ),
                    }
                )
                self._reasons[name] = reason
                if new == "ALARM":
                    last_event = {
                        "version": "0",
                        "id": self.uid(),
                        "detail-type": "CloudWatch Alarm State Change",
                        "source": "aws.cloudwatch",
                        "account": self.account,
                        "time": iso(ev_at),
                        "region": self.region,
                        "resources": [arn],
                        "detail": {
                            "alarmName": name,
                            "state": {
                                "value": "ALARM",
                                "reason": reason,
                                "reasonData": json.dumps(reason_data),
                                "timestamp": ev_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
                            },
                            "previousState": {
                                "value": old_state,
                                "reason": old_reason,
                                "timestamp": old_ts.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
                            },
                            "configuration": {
                                "description": description or "",
                                "metrics": [
                                    {
                                        "id": self.hexid(8) + "-" + self.hexid(4),
                                        "metricStat": {
                                            "metric": {"namespace": ns, "name": metric, "dimensions": dims},
                                            "period": period,
                                            "stat": stat,
                                        },
                                        "returnData": True,
                                    }
                                ],
                            },
                        },
                    }
                state, state_ts = new, ev_at
            t += step
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmConfigurationUpdatedTimestamp": iso(start - timedelta(days=self.rng.randint(20, 300))),
            "ActionsEnabled": True,
            "OKActions": [self.sns_ops if page else self.sns_low],
            "AlarmActions": [self.sns_ops if page else self.sns_low],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": self._reasons.get(
                name, "Threshold Crossed: no datapoints were breaching the threshold"
            ),
            "StateUpdatedTimestamp": iso(
                state_ts if state_ts > start else start - timedelta(hours=self.rng.randint(5, 40))
            ),
            "StateTransitionedTimestamp": iso(
                state_ts if state_ts > start else start - timedelta(hours=self.rng.randint(5, 40))
            ),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": to_alarm,
            "Threshold": float(threshold),
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if description:
            item["AlarmDescription"] = description
        if reason_data:
            item["StateReasonData"] = json.dumps(reason_data)
        self.rows["alarms"].append(item)
        return last_event

    def _last_reason(self, name: str) -> str:
        return self._reasons.get(name, "Threshold Crossed: no datapoints were breaching the threshold")

    # ---------- bundle ----------
    def bundle(
        self,
        title: str,
        start: datetime,
        end: datetime,
        now: datetime,
        trigger: dict[str, Any],
        truth: dict[str, Any],
    ) -> Bundle:
        self.rows["cloudtrail"].sort(key=lambda rec: str(rec["eventTime"]))
        self.rows["alarm_history"].sort(key=lambda rec: str(rec["Timestamp"]))
        self.rows["logs"].sort(
            key=lambda rec: (str(rec["log_group"]), str(rec["log_stream"]), int(rec["timestamp"]))
        )
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(end),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, {k: v for k, v in self.rows.items() if v})


def sale_curve(t: datetime, sale: datetime, peak: float, base: float) -> float:
    """Requests a minute around an on-sale: a waiting-room build-up, a burst at the sale, a long tail."""
    d = (t - sale).total_seconds() / 60
    if d < -30:
        return base
    if d < 0:
        return base + peak * 0.12 * (1 + d / 30)
    return base + peak * (math.exp(-d / 70) * 0.7 + 0.3 * math.exp(-d / 300))


def diurnal(t: datetime, base: float) -> float:
    h = t.hour + t.minute / 60
    return base * (0.55 + 0.45 * math.sin(math.pi * max(0.0, min(1.0, (h - 7) / 16))))


class Estate:
    """The ticketing site's resources: names, ids and ARNs, written once into the kit's resources."""

    def __init__(self, kit: Kit, start: datetime, n_instances: int = 6) -> None:
        k = kit
        b = k.brand
        r = k.rng
        self.kit = k
        self.cluster = f"{b}-prod"
        self.cluster_arn = k.arn("ecs", f"cluster/{self.cluster}")
        self.alb_name = f"{b}-web-prod"
        self.alb_id = k.hexid(16)
        self.alb_dim = f"app/{self.alb_name}/{self.alb_id}"
        self.alb_arn = k.arn("elasticloadbalancing", f"loadbalancer/{self.alb_dim}")
        self.tg: dict[str, str] = {}
        self.tg_arn: dict[str, str] = {}
        for svc in ("web", "checkout-api"):
            tid = k.hexid(16)
            self.tg[svc] = f"targetgroup/{b}-{svc}/{tid}"
            self.tg_arn[svc] = k.arn("elasticloadbalancing", self.tg[svc])
        self.asg = f"{b}-prod-ecs-m6i"
        self.cp = f"{b}-prod-ec2"
        self.instances = [f"i-0{k.hexid(16)}" for _ in range(n_instances)]
        self.inst_az = {i: k.azs[n % 3] for n, i in enumerate(self.instances)}
        self.inst_ip = {
            i: f"10.40.{(n % 3) * 16 + r.randint(1, 14)}.{r.randint(10, 250)}"
            for n, i in enumerate(self.instances)
        }
        self.ci_arn = {
            i: k.arn("ecs", f"container-instance/{self.cluster}/{k.hexid(32)}") for i in self.instances
        }
        self.redis = f"{b}-holds"
        self.redis_nodes = [f"{b}-holds-001", f"{b}-holds-002"]
        self.redis_host = f"master.{b}-holds.{k.hexid(6)}.euw2.cache.amazonaws.com"
        self.redis_reader = self.redis_host.replace("master.", "replica.")
        self.orders_table = f"{b}-orders"
        self.inventory_table = f"{b}-seat-inventory"
        self.queue = f"{b}-order-fulfilment"
        self.dlq = f"{b}-order-fulfilment-dlq"
        self.queue_url = f"https://sqs.{k.region}.amazonaws.com/{k.account}/{self.queue}"
        self.dlq_url = f"https://sqs.{k.region}.amazonaws.com/{k.account}/{self.dlq}"
        self.acl = f"{b}-web-acl"
        self.acl_id = k.uid()
        self.acl_arn = k.arn("wafv2", f"regional/webacl/{self.acl}/{self.acl_id}")
        self.ipset_id = k.uid()
        self.taskdef_rev = {
            "web": r.randint(180, 420),
            "checkout-api": r.randint(90, 260),
            "order-worker": r.randint(40, 150),
        }
        self.image_tag = {
            s: f"{r.randint(2026, 2026)}.{r.randint(1, 12):02d}.{r.randint(1, 28):02d}-{k.hexid(7)}"
            for s in self.taskdef_rev
        }
        self.ecr = f"{k.account}.dkr.ecr.{k.region}.amazonaws.com"
        self.desired = {"web": 6, "checkout-api": 6, "order-worker": 3}
        self.task_ids: dict[str, list[str]] = {
            s: [k.hexid(32) for _ in range(n)] for s, n in self.desired.items()
        }
        self.created = start - timedelta(days=r.randint(200, 700))
        self.start = start

    def taskdef_arn(self, svc: str, rev: int | None = None) -> str:
        return self.kit.arn("ecs", f"task-definition/{self.kit.brand}-{svc}:{rev or self.taskdef_rev[svc]}")

    def service_arn(self, svc: str) -> str:
        return self.kit.arn("ecs", f"service/{self.cluster}/{svc}")

    def container_def(
        self, svc: str, env: dict[str, str], tag: str | None = None, memory: int = 1024
    ) -> dict[str, Any]:
        k = self.kit
        d: dict[str, Any] = {
            "name": svc,
            "image": f"{self.ecr}/{k.brand}/{svc}:{tag or self.image_tag[svc]}",
            "cpu": 512,
            "memory": memory,
            "essential": True,
            "environment": [{"name": a, "value": v} for a, v in sorted(env.items())],
            "secrets": [
                {
                    "name": "DB_PASSWORD" if svc != "web" else "SESSION_SECRET",
                    "valueFrom": k.arn("ssm", f"parameter/{k.brand}/prod/{svc}/secret"),
                }
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{k.brand}/{svc}",
                    "awslogs-region": k.region,
                    "awslogs-stream-prefix": "ecs",
                },
            },
        }
        if svc != "order-worker":
            d["portMappings"] = [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}]
            d["healthCheck"] = {
                "command": ["CMD-SHELL", "curl -fs http://localhost:8080/healthz || exit 1"],
                "interval": 15,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 30,
            }
        return d

    def env(self, svc: str) -> dict[str, str]:
        e = {"AWS_REGION": self.kit.region, "NODE_ENV": "production", "LOG_LEVEL": "info"}
        if svc in ("checkout-api", "web"):
            e["REDIS_URL"] = f"rediss://{self.redis_host}:6379"
        if svc in ("checkout-api", "order-worker"):
            e["ORDERS_TABLE"] = self.orders_table
            e["INVENTORY_TABLE"] = self.inventory_table
        if svc == "checkout-api":
            e["FULFILMENT_QUEUE_URL"] = self.queue_url
            e["HOLD_TTL_SECONDS"] = "480"
        if svc == "order-worker":
            e["QUEUE_URL"] = self.queue_url
            e["MAX_MESSAGES"] = "10"
        return e

    def taskdef(
        self, svc: str, rev: int, env: dict[str, str], at: datetime, who: str, tag: str | None = None
    ) -> dict[str, Any]:
        k = self.kit
        return {
            "taskDefinitionArn": self.taskdef_arn(svc, rev),
            "family": f"{k.brand}-{svc}",
            "revision": rev,
            "containerDefinitions": [self.container_def(svc, env, tag)],
            "taskRoleArn": f"arn:aws:iam::{k.account}:role/{k.brand}-{svc}-task",
            "executionRoleArn": f"arn:aws:iam::{k.account}:role/{k.brand}-ecs-execution",
            "networkMode": "bridge",
            "status": "ACTIVE",
            "requiresCompatibilities": ["EC2"],
            "compatibilities": ["EXTERNAL", "EC2"],
            "registeredAt": iso(at),
            "registeredBy": who,
        }

    def write_resources(self, now: datetime, overrides: dict[str, Any] | None = None) -> None:
        """Write the standing estate. `overrides` may replace a service's deployments/events/counts."""
        k = self.kit
        ov = overrides or {}
        r = k.rng
        lb_created = self.created + timedelta(days=3)
        k.resource(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": self.alb_arn,
                "DNSName": f"{self.alb_name}-{r.randint(100000000, 999999999)}.{k.region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": iso(lb_created),
                "LoadBalancerName": self.alb_name,
                "Scheme": "internet-facing",
                "VpcId": k.vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": z, "SubnetId": s} for z, s in zip(k.azs, k.subnets, strict=True)
                ],
                "SecurityGroups": ["sg-" + k.hexid(17)],
                "IpAddressType": "ipv4",
            },
        )
        for svc in ("web", "checkout-api"):
            k.resource(
                "elbv2",
                "TargetGroup",
                {
                    "TargetGroupArn": self.tg_arn[svc],
                    "TargetGroupName": f"{k.brand}-{svc}",
                    "Protocol": "HTTP",
                    "Port": 80,
                    "VpcId": k.vpc,
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 15,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 3,
                    "UnhealthyThresholdCount": 2,
                    "HealthCheckPath": "/healthz",
                    "Matcher": {"HttpCode": "200"},
                    "LoadBalancerArns": [self.alb_arn],
                    "TargetType": "instance",
                    "ProtocolVersion": "HTTP1",
                    "IpAddressType": "ipv4",
                },
            )
        k.resource(
            "ecs",
            "Cluster",
            {
                "clusterArn": self.cluster_arn,
                "clusterName": self.cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": len(self.instances),
                "runningTasksCount": sum(self.desired.values()),
                "pendingTasksCount": 0,
                "activeServicesCount": 3,
                "settings": [{"name": "containerInsights", "value": "disabled"}],
                "capacityProviders": [self.cp],
                "defaultCapacityProviderStrategy": [{"capacityProvider": self.cp, "weight": 1, "base": 0}],
            },
        )
        asg_arn = f"arn:aws:autoscaling:{k.region}:{k.account}:autoScalingGroup:{k.uid()}:autoScalingGroupName/{self.asg}"
        k.resource(
            "ecs",
            "CapacityProvider",
            {
                "capacityProviderArn": k.arn("ecs", f"capacity-provider/{self.cp}"),
                "name": self.cp,
                "status": "ACTIVE",
                "autoScalingGroupProvider": {
                    "autoScalingGroupArn": asg_arn,
                    "managedScaling": {
                        "status": "ENABLED",
                        "targetCapacity": 90,
                        "minimumScalingStepSize": 1,
                        "maximumScalingStepSize": 4,
                        "instanceWarmupPeriod": 180,
                    },
                    "managedTerminationProtection": "ENABLED",
                },
                "updateStatus": "UPDATE_COMPLETE",
            },
        )
        lt = {
            "LaunchTemplateId": "lt-0" + k.hexid(16),
            "LaunchTemplateName": f"{self.asg}-lt",
            "Version": str(r.randint(7, 30)),
        }
        k.resource(
            "autoscaling",
            "AutoScalingGroup",
            {
                "AutoScalingGroupName": self.asg,
                "AutoScalingGroupARN": asg_arn,
                "LaunchTemplate": lt,
                "MinSize": 3,
                "MaxSize": 18,
                "DesiredCapacity": len(self.instances),
                "DefaultCooldown": 300,
                "AvailabilityZones": k.azs,
                "HealthCheckType": "EC2",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": i,
                        "InstanceType": "m6i.xlarge",
                        "AvailabilityZone": self.inst_az[i],
                        "LifecycleState": "InService",
                        "HealthStatus": ov.get("asg_health", {}).get(i, "Healthy"),
                        "LaunchTemplate": lt,
                        "ProtectedFromScaleIn": True,
                    }
                    for i in self.instances
                ],
                "CreatedTime": iso(self.created),
                "VPCZoneIdentifier": ",".join(k.subnets),
                "NewInstancesProtectedFromScaleIn": True,
                "Tags": [
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "AmazonECSManaged",
                        "Value": "",
                        "PropagateAtLaunch": True,
                    },
                    {
                        "ResourceId": self.asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "team",
                        "Value": "platform",
                        "PropagateAtLaunch": True,
                    },
                ],
            },
        )
        for n, i in enumerate(self.instances):
            launched = ov.get("launch", {}).get(
                i, self.start - timedelta(days=r.randint(2, 30), minutes=r.randint(0, 900))
            )
            k.resource(
                "ec2",
                "Instance",
                {
                    "InstanceId": i,
                    "InstanceType": "m6i.xlarge",
                    "ImageId": "ami-0" + k.hexid(16),
                    "LaunchTime": iso(launched),
                    "Placement": {"AvailabilityZone": self.inst_az[i], "Tenancy": "default"},
                    "PrivateIpAddress": self.inst_ip[i],
                    "PrivateDnsName": f"ip-{self.inst_ip[i].replace('.', '-')}.{k.region}.compute.internal",
                    "State": {"Code": 16, "Name": "running"},
                    "SubnetId": k.subnets[n % 3],
                    "VpcId": k.vpc,
                    "IamInstanceProfile": {
                        "Arn": f"arn:aws:iam::{k.account}:instance-profile/{k.brand}-ecs-instance",
                        "Id": "AIPA" + k.upper(17),
                    },
                    "Monitoring": {"State": "disabled"},
                    "Tags": [
                        {"Key": "aws:autoscaling:groupName", "Value": self.asg},
                        {"Key": "AmazonECSManaged", "Value": ""},
                        {"Key": "Name", "Value": f"{self.cluster}-ecs"},
                    ],
                },
            )
            status = ov.get("instance_status", {}).get(i)
            k.resource(
                "ec2",
                "InstanceStatus",
                status
                or {
                    "AvailabilityZone": self.inst_az[i],
                    "InstanceId": i,
                    "InstanceState": {"Code": 16, "Name": "running"},
                    "InstanceStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                    "SystemStatus": {
                        "Status": "ok",
                        "Details": [{"Name": "reachability", "Status": "passed"}],
                    },
                },
            )
            k.resource(
                "ecs",
                "ContainerInstance",
                {
                    "containerInstanceArn": self.ci_arn[i],
                    "ec2InstanceId": i,
                    "capacityProviderName": self.cp,
                    "version": r.randint(200, 900),
                    "versionInfo": {
                        "agentVersion": "1.89.2",
                        "agentHash": k.hexid(8),
                        "dockerVersion": "DockerVersion: 25.0.6",
                    },
                    "status": "ACTIVE",
                    "agentConnected": ov.get("agent", {}).get(i, True),
                    "runningTasksCount": ov.get("ci_tasks", {}).get(i, 2 + n % 2),
                    "pendingTasksCount": 0,
                    "registeredAt": iso(launched + timedelta(seconds=40)),
                    "registeredResources": [
                        {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
                        {"name": "MEMORY", "type": "INTEGER", "integerValue": 15727},
                    ],
                    "remainingResources": [
                        {"name": "CPU", "type": "INTEGER", "integerValue": 4096 - 512 * (2 + n % 2)},
                        {"name": "MEMORY", "type": "INTEGER", "integerValue": 15727 - 1024 * (2 + n % 2)},
                    ],
                },
            )
        for svc, desired in self.desired.items():
            svc_ov = ov.get("service", {}).get(svc, {})
            deployments = svc_ov.get("deployments") or [
                {
                    "id": "ecs-svc/" + str(r.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": self.taskdef_arn(svc),
                    "desiredCount": desired,
                    "pendingCount": 0,
                    "runningCount": desired,
                    "failedTasks": 0,
                    "createdAt": iso(self.start - timedelta(days=r.randint(1, 9), hours=r.randint(0, 8))),
                    "updatedAt": iso(self.start - timedelta(hours=r.randint(20, 60))),
                    "capacityProviderStrategy": [{"capacityProvider": self.cp, "weight": 1, "base": 0}],
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ]
            item: dict[str, Any] = {
                "serviceArn": self.service_arn(svc),
                "serviceName": svc,
                "clusterArn": self.cluster_arn,
                "status": "ACTIVE",
                "desiredCount": svc_ov.get("desired", desired),
                "runningCount": svc_ov.get("running", desired),
                "pendingCount": svc_ov.get("pending", 0),
                "capacityProviderStrategy": [{"capacityProvider": self.cp, "weight": 1, "base": 0}],
                "taskDefinition": deployments[0]["taskDefinition"],
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": deployments,
                "events": [],
                "createdAt": iso(self.created + timedelta(days=5)),
                "placementStrategy": svc_ov.get(
                    "placementStrategy",
                    [
                        {"type": "spread", "field": "attribute:ecs.availability-zone"},
                        {"type": "binpack", "field": "memory"},
                    ],
                ),
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
                "createdBy": f"arn:aws:iam::{k.account}:role/{k.brand}-terraform",
            }
            if svc != "order-worker":
                item["loadBalancers"] = [
                    {"targetGroupArn": self.tg_arn[svc], "containerName": svc, "containerPort": 8080}
                ]
                item["healthCheckGracePeriodSeconds"] = 60
                item["roleArn"] = (
                    f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
                )
            k.resource("ecs", "Service", item)
            if svc not in ov.get("skip_taskdef", []):
                k.resource(
                    "ecs",
                    "TaskDefinition",
                    self.taskdef(
                        svc,
                        self.taskdef_rev[svc],
                        self.env(svc),
                        self.start - timedelta(days=r.randint(1, 9)),
                        f"arn:aws:sts::{k.account}:assumed-role/{k.brand}-gha-deploy/GitHubActions",
                    ),
                )
        # ElastiCache
        k.resource(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": self.redis,
                "Description": "seat holds, carts and session store",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": self.redis_nodes,
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {"Address": self.redis_host, "Port": 6379},
                        "ReaderEndpoint": {"Address": self.redis_reader, "Port": 6379},
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": n,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": f"{n}.{self.redis_host.split('.', 2)[2].split('.', 1)[0]}.euw2.cache.amazonaws.com",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": k.azs[j],
                                "CurrentRole": "primary" if j == 0 else "replica",
                            }
                            for j, n in enumerate(self.redis_nodes)
                        ],
                    }
                ],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "03:00-04:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r6g.large",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": k.arn("elasticache", f"replicationgroup:{self.redis}"),
                "ReplicationGroupCreateTime": iso(self.created),
                "AutoMinorVersionUpgrade": True,
                "Engine": "redis",
            },
        )
        # DynamoDB
        for table, pk, sk in (
            (self.orders_table, "orderId", None),
            (self.inventory_table, "eventId", "seatBlock"),
        ):
            ks = [{"AttributeName": pk, "KeyType": "HASH"}] + (
                [{"AttributeName": sk, "KeyType": "RANGE"}] if sk else []
            )
            item = {
                "AttributeDefinitions": [
                    {"AttributeName": a["AttributeName"], "AttributeType": "S"} for a in ks
                ],
                "TableName": table,
                "KeySchema": ks,
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(self.created),
                "TableSizeBytes": r.randint(10**9, 9 * 10**9),
                "ItemCount": r.randint(10**6, 9 * 10**6),
                "TableArn": k.arn("dynamodb", f"table/{table}"),
                "TableId": k.uid(),
                "DeletionProtectionEnabled": True,
            }
            if table == self.orders_table:
                item["BillingModeSummary"] = {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": iso(self.created),
                }
                item["ProvisionedThroughput"] = {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                }
            else:
                item["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
                item["ProvisionedThroughput"] = ov.get(
                    "inventory_throughput",
                    {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 3000, "WriteCapacityUnits": 1500},
                )
            k.resource("dynamodb", "TableDescription", item)
        # SQS
        dlq_arn = k.arn("sqs", self.dlq)
        k.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": self.queue_url,
                "Attributes": {
                    "QueueArn": k.arn("sqs", self.queue),
                    "VisibilityTimeout": "120",
                    "MessageRetentionPeriod": "345600",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "DelaySeconds": "0",
                    "MaximumMessageSize": "262144",
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
                    "SqsManagedSseEnabled": "true",
                    "CreatedTimestamp": str(int(self.created.timestamp())),
                    "LastModifiedTimestamp": str(int((self.created + timedelta(days=40)).timestamp())),
                    "ApproximateNumberOfMessages": str(ov.get("queue_depth", r.randint(0, 6))),
                    "ApproximateNumberOfMessagesNotVisible": str(r.randint(2, 20)),
                    "ApproximateNumberOfMessagesDelayed": "0",
                },
                "Tags": {"team": "orders", "service": "order-worker"},
            },
        )
        k.resource(
            "sqs",
            "Queue",
            {
                "QueueUrl": self.dlq_url,
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "DelaySeconds": "0",
                    "MaximumMessageSize": "262144",
                    "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
                    "SqsManagedSseEnabled": "true",
                    "CreatedTimestamp": str(int(self.created.timestamp())),
                    "LastModifiedTimestamp": str(int(self.created.timestamp())),
                    "ApproximateNumberOfMessages": str(ov.get("dlq_depth", 0)),
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                },
                "Tags": {"team": "orders"},
            },
        )
        k.resource("wafv2", "WebACL", ov.get("web_acl") or self.web_acl(2000))
        k.resource(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": f"table/{self.inventory_table}",
                "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                "MinCapacity": 200,
                "MaxCapacity": ov.get("inventory_wcu_max", 6000),
                "RoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                "CreationTime": iso(self.created),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
        k.resource(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{self.cluster}/order-worker",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 3,
                "MaxCapacity": 24,
                "RoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": iso(self.created),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )

    def web_acl(self, limit: int) -> dict[str, Any]:
        k = self.kit

        def vis(n: str) -> dict[str, Any]:
            return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": n}

        return {
            "Name": self.acl,
            "Id": self.acl_id,
            "ARN": self.acl_arn,
            "DefaultAction": {"Allow": {}},
            "Description": "public web + checkout",
            "Rules": [
                {
                    "Name": "block-bad-ips",
                    "Priority": 0,
                    "Statement": {
                        "IPSetReferenceStatement": {
                            "ARN": k.arn("wafv2", f"regional/ipset/{k.brand}-blocklist/{self.ipset_id}")
                        }
                    },
                    "Action": {"Block": {}},
                    "VisibilityConfig": vis("block-bad-ips"),
                },
                {
                    "Name": "AWS-AWSManagedRulesCommonRuleSet",
                    "Priority": 1,
                    "Statement": {
                        "ManagedRuleGroupStatement": {
                            "VendorName": "AWS",
                            "Name": "AWSManagedRulesCommonRuleSet",
                        }
                    },
                    "OverrideAction": {"None": {}},
                    "VisibilityConfig": vis("AWS-AWSManagedRulesCommonRuleSet"),
                },
                {
                    "Name": "rate-limit-per-ip",
                    "Priority": 2,
                    "Statement": {
                        "RateBasedStatement": {
                            "Limit": limit,
                            "EvaluationWindowSec": 300,
                            "AggregateKeyType": "IP",
                        }
                    },
                    "Action": {"Block": {}},
                    "VisibilityConfig": vis("rate-limit-per-ip"),
                },
            ],
            "VisibilityConfig": vis(self.acl),
            "Capacity": 735,
            "ManagedByFirewallManager": False,
            "LabelNamespace": f"awswaf:{k.account}:webacl:{self.acl}:",
        }

    # ---------- background telemetry ----------
    def tooling_noise(self, a: datetime, b: datetime) -> None:
        """Read-only calls from monitoring, the ECS agent and the capacity provider, all day long."""
        k = self.kit
        r = k.rng
        dd = k.role("DatadogIntegrationRole", "DatadogAWSIntegration")
        t = a + timedelta(seconds=r.randint(10, 200))
        while t < b:
            choice = r.random()
            if choice < 0.3:
                k.ct(
                    t,
                    "ecs.amazonaws.com",
                    "DescribeServices",
                    dd,
                    {"cluster": self.cluster, "services": [self.service_arn(s) for s in self.desired]},
                    None,
                    read_only=True,
                    agent="Datadog",
                    ip="3.233.146.12",
                )
            elif choice < 0.5:
                tg = r.choice(list(self.tg_arn.values()))
                k.ct(
                    t,
                    "elasticloadbalancing.amazonaws.com",
                    "DescribeTargetHealth",
                    dd,
                    {"targetGroupArn": tg},
                    None,
                    read_only=True,
                    agent="Datadog",
                    ip="3.233.146.12",
                )
            elif choice < 0.65:
                table = r.choice([self.orders_table, self.inventory_table])
                k.ct(
                    t,
                    "dynamodb.amazonaws.com",
                    "DescribeTable",
                    dd,
                    {"tableName": table},
                    None,
                    read_only=True,
                    agent="Datadog",
                    ip="3.233.146.12",
                )
            elif choice < 0.8:
                k.ct(
                    t,
                    "elasticache.amazonaws.com",
                    "DescribeReplicationGroups",
                    dd,
                    {"replicationGroupId": self.redis},
                    None,
                    read_only=True,
                    agent="Datadog",
                    ip="3.233.146.12",
                )
            else:
                k.ct(
                    t,
                    "autoscaling.amazonaws.com",
                    "DescribeAutoScalingGroups",
                    k.role("AWSServiceRoleForECS", "ecs-service-scheduler", invoked_by="ecs.amazonaws.com"),
                    {"autoScalingGroupNames": [self.asg]},
                    None,
                    read_only=True,
                )
            t += timedelta(seconds=r.randint(60, 300))

    def deploy(
        self, t: datetime, svc: str, who: dict[str, Any], new_rev: int, env: dict[str, str], tag: str
    ) -> tuple[str, str, dict[str, Any]]:
        """RegisterTaskDefinition + UpdateService from CI; returns (register eventID, update eventID, td)."""
        k = self.kit
        td = self.taskdef(svc, new_rev, env, t, who["arn"], tag)
        cdef = td["containerDefinitions"][0]
        reg = k.ct(
            t,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            who,
            {
                "family": td["family"],
                "taskRoleArn": td["taskRoleArn"],
                "executionRoleArn": td["executionRoleArn"],
                "networkMode": "bridge",
                "containerDefinitions": [cdef],
                "requiresCompatibilities": ["EC2"],
            },
            {"taskDefinition": td},
            agent="aws-sdk-js/3.592.0 ua/2.0 os/linux lang/js md/nodejs#20.14.0 api/ecs#3.592.0 exec-env/GitHubActions",
            ip=f"20.{k.rng.randint(20, 200)}.{k.rng.randint(1, 250)}.{k.rng.randint(1, 250)}",
        )
        dep_id = "ecs-svc/" + str(k.rng.randint(10**18, 10**19 - 1))
        upd = k.ct(
            t + timedelta(seconds=k.rng.randint(3, 9)),
            "ecs.amazonaws.com",
            "UpdateService",
            who,
            {
                "cluster": self.cluster,
                "service": svc,
                "taskDefinition": td["taskDefinitionArn"],
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceArn": self.service_arn(svc),
                    "serviceName": svc,
                    "clusterArn": self.cluster_arn,
                    "status": "ACTIVE",
                    "desiredCount": self.desired[svc],
                    "taskDefinition": td["taskDefinitionArn"],
                    "deployments": [
                        {
                            "id": dep_id,
                            "status": "PRIMARY",
                            "taskDefinition": td["taskDefinitionArn"],
                            "desiredCount": 0,
                            "rolloutState": "IN_PROGRESS",
                        },
                    ],
                }
            },
            agent="aws-sdk-js/3.592.0 ua/2.0 os/linux lang/js md/nodejs#20.14.0 api/ecs#3.592.0 exec-env/GitHubActions",
            ip=f"20.{k.rng.randint(20, 200)}.{k.rng.randint(1, 250)}.{k.rng.randint(1, 250)}",
        )
        return reg, upd, td

    def ecs_event(self, svc: str, t: datetime, message: str) -> None:
        self.kit.event(
            "ecs",
            {
                "service_arn": self.service_arn(svc),
                "event": {"id": self.kit.uid(), "createdAt": iso(t), "message": message},
            },
        )

    def steady_state_events(self, a: datetime, b: datetime) -> None:
        t = a + timedelta(minutes=self.kit.rng.randint(5, 200))
        while t < b:
            for svc in self.desired:
                self.ecs_event(
                    svc,
                    t + timedelta(seconds=self.kit.rng.randint(0, 50)),
                    f"(service {svc}) has reached a steady state.",
                )
            t += timedelta(hours=6)


Fx = dict[str, Callable[[datetime], float | None]]


def _share(series: dict[datetime, float], share: float) -> Callable[[datetime], float | None]:
    return lambda t: series.get(t, 0.0) * share


def std_metrics(
    est: Estate, times: list[datetime], rpm: Callable[[datetime], float], fx: Fx | None = None
) -> dict[str, dict[datetime, float]]:
    """One-minute telemetry for the whole site. `fx` replaces any series by key (None = publish nothing)."""
    k = est.kit
    r = k.rng
    f = dict(fx or {})
    lb = {"LoadBalancer": est.alb_dim}

    def tgd(svc: str) -> dict[str, str]:
        return {"TargetGroup": est.tg[svc], "LoadBalancer": est.alb_dim}

    def sparse(rate: float) -> Callable[[datetime], float | None]:
        def g(t: datetime) -> float | None:
            x = r.random()
            if x < rate:
                return float(1 + (x < rate / 4) + (x < rate / 12))
            return None

        return g

    def load(t: datetime) -> float:
        return rpm(t) / max(1.0, rpm(times[0]))

    d: dict[str, dict[datetime, float]] = {}
    defaults: Fx = {
        "requests": lambda t: k.noisy(rpm(t), 0.04),
        "web_5xx": sparse(0.05),
        "checkout_5xx": sparse(0.06),
        "elb_5xx": sparse(0.01),
        "elb_4xx": lambda t: k.noisy(rpm(t) * 0.004, 0.3),
        "web_latency": lambda t: k.noisy(0.045 + 0.004 * load(t), 0.08),
        "checkout_latency": lambda t: k.noisy(0.11 + 0.012 * load(t), 0.08),
        "web_healthy": lambda t: float(est.desired["web"]),
        "checkout_healthy": lambda t: float(est.desired["checkout-api"]),
        "web_unhealthy": lambda t: 0.0,
        "checkout_unhealthy": lambda t: 0.0,
        "cpu_web": lambda t: min(99.0, k.noisy(11 + 6 * load(t), 0.07)),
        "cpu_checkout-api": lambda t: min(99.0, k.noisy(9 + 7 * load(t), 0.07)),
        "cpu_order-worker": lambda t: min(99.0, k.noisy(6 + 4 * load(t), 0.1)),
        "mem_web": lambda t: k.noisy(38, 0.02),
        "mem_checkout-api": lambda t: k.noisy(44, 0.02),
        "mem_order-worker": lambda t: k.noisy(29, 0.02),
        "cpu_reservation": lambda t: 100.0 * 512 * sum(est.desired.values()) / (4096 * len(est.instances)),
        "redis_cpu": lambda t: min(99.0, k.noisy(4 + 3.5 * load(t), 0.08)),
        "redis_conns": lambda t: float(
            int(k.noisy(26 * (est.desired["web"] + est.desired["checkout-api"]), 0.03))
        ),
        "redis_mem": lambda t: k.noisy(31 + 0.6 * load(t), 0.01),
        "redis_replica_cpu": lambda t: k.noisy(2.5, 0.1),
        "orders_wcu": lambda t: k.noisy(rpm(t) * 0.3 * 0.05 * 2, 0.08),
        "orders_rcu": lambda t: k.noisy(rpm(t) * 0.3 * 0.4, 0.08),
        "inv_wcu": lambda t: k.noisy(rpm(t) * 0.3 * 1.4 * 60 / 60, 0.06),
        "inv_rcu": lambda t: k.noisy(rpm(t) * 0.5, 0.06),
        "inv_prov_wcu": lambda t: 1500.0,
        "inv_prov_rcu": lambda t: 3000.0,
        "inv_write_throttles": lambda t: None,
        "q_sent": lambda t: k.noisy(rpm(t) * 0.3 * 0.05, 0.1),
        "q_deleted": lambda t: k.noisy(rpm(t) * 0.3 * 0.05, 0.1),
        "q_visible": lambda t: float(r.randint(0, 4)),
        "q_age": lambda t: float(r.randint(1, 9)),
        "dlq_visible": lambda t: 0.0,
        "waf_allowed": lambda t: k.noisy(rpm(t) * 0.995, 0.04),
        "waf_blocked": lambda t: k.noisy(rpm(t) * 0.004 + 3, 0.3),
        "waf_blocked_rate": lambda t: None,
    }
    defaults.update(f)
    g = defaults
    ALB = "AWS/ApplicationELB"
    d["requests"] = k.series(ALB, "RequestCount", lb, "Count", times, g["requests"], 0)
    d["elb_5xx"] = k.series(ALB, "HTTPCode_ELB_5XX_Count", lb, "Count", times, g["elb_5xx"], 0)
    d["elb_4xx"] = k.series(ALB, "HTTPCode_ELB_4XX_Count", lb, "Count", times, g["elb_4xx"], 0)
    for svc, key in (("web", "web"), ("checkout-api", "checkout")):
        share = 0.7 if svc == "web" else 0.3
        k.series(ALB, "RequestCount", tgd(svc), "Count", times, _share(d["requests"], share), 0)
        d[f"{key}_5xx"] = k.series(
            ALB, "HTTPCode_Target_5XX_Count", tgd(svc), "Count", times, g[f"{key}_5xx"], 0
        )
        d[f"{key}_latency"] = k.series(
            ALB, "TargetResponseTime", tgd(svc), "Seconds", times, g[f"{key}_latency"], 4
        )
        d[f"{key}_healthy"] = k.series(
            ALB, "HealthyHostCount", tgd(svc), "Count", times, g[f"{key}_healthy"], 0
        )
        d[f"{key}_unhealthy"] = k.series(
            ALB, "UnHealthyHostCount", tgd(svc), "Count", times, g[f"{key}_unhealthy"], 0
        )
    for svc in est.desired:
        dims = {"ClusterName": est.cluster, "ServiceName": svc}
        d[f"cpu_{svc}"] = k.series("AWS/ECS", "CPUUtilization", dims, "Percent", times, g[f"cpu_{svc}"])
        d[f"mem_{svc}"] = k.series("AWS/ECS", "MemoryUtilization", dims, "Percent", times, g[f"mem_{svc}"])
    d["cpu_reservation"] = k.series(
        "AWS/ECS", "CPUReservation", {"ClusterName": est.cluster}, "Percent", times, g["cpu_reservation"]
    )
    p = {"CacheClusterId": est.redis_nodes[0], "CacheNodeId": "0001"}
    q = {"CacheClusterId": est.redis_nodes[1], "CacheNodeId": "0001"}
    d["redis_cpu"] = k.series("AWS/ElastiCache", "EngineCPUUtilization", p, "Percent", times, g["redis_cpu"])
    d["redis_replica_cpu"] = k.series(
        "AWS/ElastiCache", "EngineCPUUtilization", q, "Percent", times, g["redis_replica_cpu"]
    )
    d["redis_conns"] = k.series("AWS/ElastiCache", "CurrConnections", p, "Count", times, g["redis_conns"], 0)
    d["redis_mem"] = k.series(
        "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", p, "Percent", times, g["redis_mem"]
    )
    k.series(
        "AWS/ElastiCache", "ReplicationLag", q, "Seconds", times, lambda t: round(r.uniform(0.0, 0.02), 3), 3
    )
    DDB = "AWS/DynamoDB"
    ot = {"TableName": est.orders_table}
    it = {"TableName": est.inventory_table}
    d["orders_wcu"] = k.series(
        DDB, "ConsumedWriteCapacityUnits", ot, "Count", times, lambda t: g["orders_wcu"](t), 0
    )
    d["orders_rcu"] = k.series(DDB, "ConsumedReadCapacityUnits", ot, "Count", times, g["orders_rcu"], 0)
    d["inv_wcu"] = k.series(DDB, "ConsumedWriteCapacityUnits", it, "Count", times, g["inv_wcu"], 0)
    d["inv_rcu"] = k.series(DDB, "ConsumedReadCapacityUnits", it, "Count", times, g["inv_rcu"], 0)
    d["inv_prov_wcu"] = k.series(
        DDB, "ProvisionedWriteCapacityUnits", it, "Count", times, g["inv_prov_wcu"], 0
    )
    d["inv_prov_rcu"] = k.series(
        DDB, "ProvisionedReadCapacityUnits", it, "Count", times, g["inv_prov_rcu"], 0
    )
    d["inv_write_throttles"] = k.series(
        DDB, "WriteThrottleEvents", it, "Count", times, g["inv_write_throttles"], 0
    )
    k.series(
        DDB,
        "SuccessfulRequestLatency",
        {"TableName": est.inventory_table, "Operation": "UpdateItem"},
        "Milliseconds",
        times,
        lambda t: k.noisy(4.2, 0.1),
    )
    k.series(
        DDB,
        "SuccessfulRequestLatency",
        {"TableName": est.orders_table, "Operation": "PutItem"},
        "Milliseconds",
        times,
        lambda t: k.noisy(5.1, 0.1),
    )
    SQS = "AWS/SQS"
    qd = {"QueueName": est.queue}
    d["q_sent"] = k.series(SQS, "NumberOfMessagesSent", qd, "Count", times, g["q_sent"], 0)
    d["q_deleted"] = k.series(SQS, "NumberOfMessagesDeleted", qd, "Count", times, g["q_deleted"], 0)
    d["q_visible"] = k.series(
        SQS, "ApproximateNumberOfMessagesVisible", qd, "Count", times, g["q_visible"], 0
    )
    d["q_age"] = k.series(SQS, "ApproximateAgeOfOldestMessage", qd, "Seconds", times, g["q_age"], 0)
    d["dlq_visible"] = k.series(
        SQS, "ApproximateNumberOfMessagesVisible", {"QueueName": est.dlq}, "Count", times, g["dlq_visible"], 0
    )
    WAF = "AWS/WAFV2"
    d["waf_allowed"] = k.series(
        WAF,
        "AllowedRequests",
        {"WebACL": est.acl, "Region": k.region, "Rule": "ALL"},
        "Count",
        times,
        g["waf_allowed"],
        0,
    )
    d["waf_blocked"] = k.series(
        WAF,
        "BlockedRequests",
        {"WebACL": est.acl, "Region": k.region, "Rule": "ALL"},
        "Count",
        times,
        g["waf_blocked"],
        0,
    )
    d["waf_blocked_rate"] = k.series(
        WAF,
        "BlockedRequests",
        {"WebACL": est.acl, "Region": k.region, "Rule": "rate-limit-per-ip"},
        "Count",
        times,
        g["waf_blocked_rate"],
        0,
    )
    return d


def app_logs(
    est: Estate, svc: str, times: list[datetime], rpm: Callable[[datetime], float], every: int = 5
) -> None:
    """Healthy-looking application logs (a sample): request lines from the Node services, every few minutes."""
    k = est.kit
    r = k.rng
    streams = [f"ecs/{svc}/{tid}" for tid in est.task_ids[svc]]
    paths = {
        "web": ["/", "/events/{id}", "/events/{id}/seats", "/account/orders", "/static/app.{h}.js"],
        "checkout-api": ["/api/holds", "/api/checkout", "/api/checkout/{id}/confirm", "/api/cart"],
    }.get(svc, [])
    for t in times[::every]:
        for s in r.sample(streams, min(2, len(streams))):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            if svc == "order-worker":
                oid = k.hexid(12).upper()
                k.log(
                    f"/ecs/{k.brand}/{svc}",
                    s,
                    at,
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms(at),
                            "pid": 1,
                            "hostname": s.split("/")[-1][:12],
                            "msg": "order fulfilled",
                            "orderId": oid,
                            "tickets": r.randint(1, 6),
                            "ms": r.randint(40, 300),
                        }
                    ),
                )
                continue
            path = r.choice(paths).replace("{id}", str(r.randint(10000, 99999))).replace("{h}", k.hexid(8))
            method = (
                "POST" if (svc == "checkout-api" and "confirm" in path) or path.endswith("holds") else "GET"
            )
            k.log(
                f"/ecs/{k.brand}/{svc}",
                s,
                at,
                json.dumps(
                    {
                        "level": 30,
                        "time": ms(at),
                        "pid": 1,
                        "hostname": s.split("/")[-1][:12],
                        "req": {"method": method, "url": path},
                        "res": {"statusCode": 200 if method == "GET" else r.choice([200, 201])},
                        "responseTime": r.randint(8, 160),
                        "msg": "request completed",
                    }
                ),
            )


def rollout_events(est: Estate, svc: str, t: datetime, dep_id: str, n: int) -> list[str]:
    """The ECS service events of a rolling deployment; returns the new task ids."""
    k = est.kit
    new = [k.hexid(32) for _ in range(n)]
    est.ecs_event(
        svc,
        t + timedelta(seconds=20),
        f"(service {svc}) has started {n} tasks: {' '.join(f'(task {x})' for x in new)}.",
    )
    if svc in est.tg:
        est.ecs_event(
            svc,
            t + timedelta(seconds=95),
            f"(service {svc}) registered {n} targets in (target-group {est.tg_arn[svc]})",
        )
        est.ecs_event(
            svc, t + timedelta(seconds=140), f"(service {svc}) has begun draining connections on {n} tasks."
        )
        est.ecs_event(
            svc,
            t + timedelta(seconds=141),
            f"(service {svc}) deregistered {n} targets in (target-group {est.tg_arn[svc]})",
        )
    est.ecs_event(
        svc,
        t + timedelta(seconds=200),
        f"(service {svc}) has stopped {n} running tasks: {' '.join(f'(task {x})' for x in est.task_ids[svc])}.",
    )
    est.ecs_event(
        svc, t + timedelta(seconds=260), f"(service {svc}) (deployment {dep_id}) deployment completed."
    )
    est.ecs_event(svc, t + timedelta(seconds=262), f"(service {svc}) has reached a steady state.")
    return new


def pick_day(rng: random.Random, hour: int, minute: int) -> datetime:
    """A weekday in January or February 2027 (London is on GMT, so clock time is UTC)."""
    while True:
        d = datetime(2027, 1, 4, tzinfo=UTC) + timedelta(days=rng.randint(0, 52))
        if d.weekday() < 5:
            return d.replace(hour=hour, minute=minute)
