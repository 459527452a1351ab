"""Private helpers for kit zzzzb: a small EKS search/recommendations account and its telemetry."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest

Fn = Callable[[datetime], float | None]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(t: datetime, tz: str) -> str:
    """A clock time as a person in `tz` would say it: 6:40pm."""
    return t.astimezone(ZoneInfo(tz)).strftime("%-I:%M%p").lower()


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class World:
    """One account: ids, a time window, and the records written so far."""

    def __init__(self, seed: int, salt: str, onset_hour: tuple[int, int] = (13, 20)) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = "".join(str(r.randint(0, 9)) for _ in range(12))
        if self.account[0] == "0":
            self.account = "4" + self.account[1:]
        self.region, self.tz = r.choice(
            [
                ("eu-west-1", "Europe/Dublin"),
                ("us-east-1", "America/New_York"),
                ("us-west-2", "America/Los_Angeles"),
                ("eu-central-1", "Europe/Berlin"),
            ]
        )
        zone = ZoneInfo(self.tz)
        day = datetime(2026, 1, 5) + timedelta(days=r.randint(0, 300))
        local = day + timedelta(hours=r.randint(*onset_hour), minutes=r.randint(0, 59))
        self.onset = local.replace(tzinfo=zone).astimezone(UTC)
        self.start = (self.onset - timedelta(hours=3, minutes=r.randint(20, 50))).replace(second=0)
        self.now = (self.onset + timedelta(minutes=r.randint(38, 70))).replace(second=0)
        self.end = self.now
        self._setup()

    def set_onset(self, onset: datetime) -> None:
        """Move the incident to another onset, keeping the baseline and tail lengths drawn at random."""
        self.start = (onset - (self.onset - self.start)).replace(second=0)
        self.now = (onset + (self.now - self.onset)).replace(second=0)
        self.end = self.now
        self.onset = onset

    def _setup(self) -> None:
        r = self.rng
        self.cluster = r.choice(["shop-prod", "storefront-prod", "market-prod"])
        self.azs = [f"{self.region}{z}" for z in "abc"]
        self.vpc = self.hx("vpc-", 17)
        self.subnets = [self.hx("subnet-", 17) for _ in range(3)]
        self.metrics: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self._series: dict[str, list[tuple[datetime, float]]] = {}
        self.topic = f"arn:aws:sns:{self.region}:{self.account}:sre-pager"

    # --- ids -----------------------------------------------------------------------------------

    def hx(self, prefix: str, n: int) -> str:
        return prefix + "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hx("", 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def ip(self, az: int = 0) -> str:
        return f"10.40.{32 * az + self.rng.randint(0, 31)}.{self.rng.randint(4, 250)}"

    def arn_role(self, role: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{role}"

    # --- CloudTrail ----------------------------------------------------------------------------

    def who_role(self, role: str, session: str, t: datetime) -> dict[str, Any]:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        return {
            "type": "AssumedRole",
            "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA"
            + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": pid,
                    "arn": self.arn_role(role),
                    "accountId": self.account,
                    "userName": role,
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": iso(t - timedelta(minutes=self.rng.randint(2, 50))),
                    "mfaAuthenticated": "false",
                },
            },
        }

    def who_sso(
        self, user: str, t: datetime, perm: str = "AWSReservedSSO_PlatformEngineer_5b1e0f3a9c2d7e44"
    ) -> dict:
        return self.who_role(perm, user, t)

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        who: dict[str, Any],
        req: dict[str, Any] | None = None,
        resp: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        src_ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if source != "ecr.amazonaws.com" else "1.08",
            "userIdentity": who,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": src_ip
            or f"{self.rng.randint(34, 54)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}",
            "userAgent": agent,
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        rec["requestID"] = self.uuid()
        rec["eventID"] = self.uuid()
        rec["readOnly"] = read_only
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsApiCall"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = self.account
        rec["eventCategory"] = "Management"
        if not src_ip or "amazonaws.com" not in src_ip:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def noise_trail(self, extra_sources: list[tuple[str, str, dict[str, Any]]] | None = None) -> None:
        """Read-only tooling, Karpenter's routine calls, CI pushes: what fills a real trail."""
        r = self.rng
        t = self.start + timedelta(minutes=r.randint(1, 9))
        reads: list[tuple[str, str, dict[str, Any]]] = [
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": "*"}),
            ("es.amazonaws.com", "DescribeDomain", {"domainName": "*"}),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", {}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("eks.amazonaws.com", "DescribeCluster", {"name": self.cluster}),
            ("ecr.amazonaws.com", "DescribeImages", {"repositoryName": "*"}),
        ]
        reads += extra_sources or []
        while t < self.now:
            kind = r.random()
            if kind < 0.55:
                src, name, req = r.choice(reads)
                self.ct(
                    t,
                    src,
                    name,
                    self.who_role("datadog-integration", "DatadogAWSIntegration", t),
                    req,
                    None,
                    read_only=True,
                    agent="Datadog/1.0 aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
                    src_ip="3.233.146.17",
                )
            elif kind < 0.8:
                name = r.choice(
                    ["DescribeLaunchTemplates", "DescribeInstanceTypeOfferings", "DescribeSpotPriceHistory"]
                )
                self.ct(
                    t,
                    "ec2.amazonaws.com",
                    name,
                    self.who_role(f"KarpenterController-{self.cluster}", "aws-go-sdk-1700000000000", t),
                    {"filterSet": {}}
                    if name != "DescribeSpotPriceHistory"
                    else {"productDescriptionSet": {"items": [{"productDescription": "Linux/UNIX"}]}},
                    None,
                    read_only=True,
                    agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0 karpenter.sh-v1.0.6",
                    src_ip=self.ip(),
                )
            else:
                self.ct(
                    t,
                    "sts.amazonaws.com",
                    "AssumeRoleWithWebIdentity",
                    {
                        "type": "WebIdentityUser",
                        "principalId": f"arn:aws:iam::{self.account}:oidc-provider/oidc.eks.{self.region}.amazonaws.com/id/{self.hx('', 32).upper()}:sts.amazonaws.com:system:serviceaccount:search:search-api",
                        "userName": "system:serviceaccount:search:search-api",
                        "identityProvider": f"arn:aws:iam::{self.account}:oidc-provider/oidc.eks.{self.region}.amazonaws.com",
                    },
                    {
                        "roleArn": self.arn_role("search-api-irsa"),
                        "roleSessionName": f"botocore-session-{r.randint(1700000000, 1799999999)}",
                        "durationSeconds": 3600,
                    },
                    {
                        "credentials": {
                            "accessKeyId": "ASIA" + self.hx("", 16).upper(),
                            "sessionToken": "IQoJb3JpZ2luX2VjENr//////////wEaCWV1LXdlc3QtMSJHMEUCIQ",
                            "expiration": iso(t + timedelta(hours=1)),
                        },
                        "provider": f"arn:aws:iam::{self.account}:oidc-provider/oidc.eks.{self.region}.amazonaws.com",
                        "audience": "sts.amazonaws.com",
                    },
                    read_only=True,
                    agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.11.8",
                    src_ip=self.ip(1),
                )
            t += timedelta(minutes=r.randint(3, 11), seconds=r.randint(0, 59))

    # --- metrics -------------------------------------------------------------------------------

    def series(
        self,
        ns: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        fn: Fn,
        period: int = 60,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        t = start or self.start
        stop = end or self.end
        key = self._key(ns, metric, dims)
        pts = self._series.setdefault(key, [])
        while t <= stop:
            v = fn(t)
            if v is not None:
                v = round(float(v), 3)
                pts.append((t, v))
                self.metrics.append(
                    {
                        "namespace": ns,
                        "metric": metric,
                        "dimensions": dims,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": v,
                    }
                )
            t += timedelta(seconds=period)

    @staticmethod
    def _key(ns: str, metric: str, dims: dict[str, str]) -> str:
        return json.dumps([ns, metric, sorted(dims.items())])

    def noisy(self, base: float, jitter: float) -> float:
        return max(0.0, base * (1 + self.rng.uniform(-jitter, jitter)))

    def diurnal(self, t: datetime, lo: float, hi: float, peak_hour: float = 19.0) -> float:
        import math

        lt = t.astimezone(ZoneInfo(self.tz))
        h = lt.hour + lt.minute / 60
        return lo + (hi - lo) * (0.5 + 0.5 * math.cos((h - peak_hour) / 24 * 2 * math.pi))

    # --- alarms --------------------------------------------------------------------------------

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
        desc: str,
        *,
        datapoints: int | None = None,
        missing: str = "missing",
        actions: bool = True,
        unit_word: str = "",
    ) -> dict[str, Any]:
        """Evaluate the alarm over the stored points; write the alarm as it stands at `now` and its history."""
        m = datapoints or evals
        pts = self._series.get(self._key(ns, metric, dims), [])
        buckets: dict[datetime, list[float]] = {}
        for t, v in pts:
            if t > self.now:
                continue
            b = datetime.fromtimestamp(t.timestamp() // period * period, UTC)
            buckets.setdefault(b, []).append(v)
        agg: dict[datetime, float] = {}
        for b, vs in buckets.items():
            agg[b] = {"Average": sum(vs) / len(vs), "Sum": sum(vs), "Maximum": max(vs), "Minimum": min(vs)}[
                stat
            ]
        cmp: dict[str, Callable[[float], bool]] = {
            "GreaterThanThreshold": lambda x: x > threshold,
            "GreaterThanOrEqualToThreshold": lambda x: x >= threshold,
            "LessThanThreshold": lambda x: x < threshold,
            "LessThanOrEqualToThreshold": lambda x: x <= threshold,
        }
        arn = f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}"
        created = self.start - timedelta(days=self.rng.randint(40, 400))
        state, since = "OK", created
        reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
        times = sorted(agg)
        for i, b in enumerate(times):
            window = times[max(0, i - evals + 1) : i + 1]
            breaching = [x for x in window if cmp[op](agg[x])]
            new = state
            if len(breaching) >= m and cmp[op](agg[b]):
                new = "ALARM"
            elif state == "ALARM" and not cmp[op](agg[b]) and len(breaching) < m:
                new = "OK"
            if new != state:
                at = b + timedelta(seconds=period, milliseconds=self.rng.randint(20000, 58000))
                if at > self.now:
                    break
                vals = ", ".join(
                    f"{agg[x]:.{3 if agg[x] < 10 else 1}f} ({x:%d/%m/%y %H:%M:%S})" for x in reversed(window)
                )
                verb = "greater than" if op.startswith("Greater") else "less than"
                eq = " or equal to" if "Equal" in op else ""
                if new == "ALARM":
                    reason = f"Threshold Crossed: {len(breaching)} out of the last {evals} datapoints [{vals}] were {verb}{eq} the threshold ({threshold}) (minimum {m} datapoint{'s' if m > 1 else ''} for OK -> ALARM transition)."
                else:
                    reason = f"Threshold Crossed: {len(window)} out of the last {evals} datapoints [{vals}] were not {verb}{eq} the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
                data = {
                    "version": "1.0",
                    "oldState": {"stateValue": state},
                    "newState": {
                        "stateValue": new,
                        "stateReason": reason,
                        "stateReasonData": {
                            "version": "1.0",
                            "queryDate": iso(at).replace("Z", ".000+0000"),
                            "startDate": iso(window[0]).replace("Z", ".000+0000"),
                            "statistic": stat,
                            "period": period,
                            "recentDatapoints": [round(agg[x], 3) for x in window],
                            "threshold": threshold,
                            "evaluatedDatapoints": [
                                {
                                    "timestamp": iso(x),
                                    "sampleCount": float(len(buckets[x])),
                                    "value": round(agg[x], 3),
                                }
                                for x in reversed(window)
                            ],
                        },
                    },
                }
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso(at),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {state} to {new}",
                        "HistoryData": json.dumps(data),
                    }
                )
                if actions and new == "ALARM":
                    self.history.append(
                        {
                            "AlarmName": name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": iso(at + timedelta(milliseconds=300)),
                            "HistoryItemType": "Action",
                            "HistorySummary": f"Successfully executed action {self.topic}",
                            "HistoryData": json.dumps(
                                {
                                    "actionState": "Succeeded",
                                    "stateUpdateTimestamp": ms(at),
                                    "notificationResource": self.topic,
                                    "publishedMessage": {"default": "{}"},
                                }
                            ),
                        }
                    )
                state, since = new, at
        item: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": arn,
            "AlarmDescription": desc,
            "AlarmConfigurationUpdatedTimestamp": iso(created),
            "ActionsEnabled": actions,
            "OKActions": [self.topic] if actions else [],
            "AlarmActions": [self.topic] if actions else [],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(since),
            "StateTransitionedTimestamp": iso(since),
            "MetricName": metric,
            "Namespace": ns,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": m,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        self.alarms.append(item)
        return item

    def alarm_event(self, alarm: dict[str, Any]) -> dict[str, Any]:
        """The EventBridge event of the alarm's latest transition to ALARM."""
        hist = [
            h
            for h in self.history
            if h["AlarmName"] == alarm["AlarmName"] and h["HistoryItemType"] == "StateUpdate"
        ]
        last = [h for h in hist if h["HistorySummary"].endswith("to ALARM")][-1]
        data = json.loads(last["HistoryData"])
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": last["Timestamp"],
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": "ALARM",
                    "reason": data["newState"]["stateReason"],
                    "reasonData": json.dumps(data["newState"]["stateReasonData"]),
                    "timestamp": last["Timestamp"].replace("Z", ".000+0000"),
                },
                "previousState": {
                    "value": data["oldState"]["stateValue"],
                    "timestamp": iso(self.start).replace("Z", ".000+0000"),
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

    # --- logs ----------------------------------------------------------------------------------

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def pod_log(
        self, pod: str, ns: str, container: str, node: str, t: datetime, line: str, stream: str = "stdout"
    ) -> None:
        doc = {
            "time": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}000000Z",
            "stream": stream,
            "_p": "F",
            "log": line,
            "kubernetes": {
                "pod_name": pod,
                "namespace_name": ns,
                "container_name": container,
                "host": node,
                "labels": {"app.kubernetes.io/name": container},
            },
        }
        self.log(
            f"/aws/containerinsights/{self.cluster}/application",
            f"{node}-application.var.log.containers.{pod}_{ns}_{container}.log",
            t,
            json.dumps(doc, separators=(",", ":")),
        )

    # --- resources -----------------------------------------------------------------------------

    def res(self, service: str, type_: str, item: dict[str, Any]) -> dict[str, Any]:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def eks_cluster(self) -> dict[str, Any]:
        oidc = self.hx("", 32).upper()
        return self.res(
            "eks",
            "Cluster",
            {
                "name": self.cluster,
                "arn": f"arn:aws:eks:{self.region}:{self.account}:cluster/{self.cluster}",
                "createdAt": iso(self.start - timedelta(days=500)),
                "version": "1.30",
                "endpoint": f"https://{oidc}.gr7.{self.region}.eks.amazonaws.com",
                "roleArn": self.arn_role(f"{self.cluster}-cluster-role"),
                "resourcesVpcConfig": {
                    "subnetIds": self.subnets,
                    "securityGroupIds": [self.hx("sg-", 17)],
                    "clusterSecurityGroupId": self.hx("sg-", 17),
                    "vpcId": self.vpc,
                    "endpointPublicAccess": False,
                    "endpointPrivateAccess": True,
                },
                "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
                "logging": {
                    "clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": False}]
                },
                "identity": {"oidc": {"issuer": f"https://oidc.eks.{self.region}.amazonaws.com/id/{oidc}"}},
                "status": "ACTIVE",
                "platformVersion": "eks.20",
                "tags": {"team": "platform", "env": "prod"},
                "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
            },
        )

    def node(
        self,
        name_az: int,
        itype: str,
        launched: datetime,
        pool: str = "default",
        state: str = "running",
        spot: bool = False,
    ) -> dict[str, Any]:
        iid = self.hx("i-0", 16)
        ip = self.ip(name_az)
        item: dict[str, Any] = {
            "InstanceId": iid,
            "ImageId": self.hx("ami-0", 16),
            "InstanceType": itype,
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": self.azs[name_az], "Tenancy": "default"},
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{self.region}.compute.internal",
            "PrivateIpAddress": ip,
            "State": {"Code": 16, "Name": "running"}
            if state == "running"
            else {"Code": 48, "Name": "terminated"},
            "SubnetId": self.subnets[name_az],
            "VpcId": self.vpc,
            "Architecture": "x86_64" if not itype.split(".")[0].endswith("g") else "arm64",
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{self.account}:instance-profile/{self.cluster}_{self.hx('', 20)}",
                "Id": "AIPA" + self.hx("", 17).upper(),
            },
            "Tags": [
                {"Key": "karpenter.sh/nodepool", "Value": pool},
                {"Key": "karpenter.k8s.aws/ec2nodeclass", "Value": "default"},
                {"Key": "karpenter.sh/nodeclaim", "Value": f"{pool}-{self.hx('', 5)}"},
                {"Key": f"kubernetes.io/cluster/{self.cluster}", "Value": "owned"},
                {"Key": "eks:eks-cluster-name", "Value": self.cluster},
                {"Key": "Name", "Value": f"ip-{ip.replace('.', '-')}.{self.region}.compute.internal"},
            ],
        }
        if spot:
            item["InstanceLifecycle"] = "spot"
        return self.res("ec2", "Instance", item)

    def alb(self, short: str) -> tuple[dict[str, Any], str]:
        h = self.hx("", 16)
        name = f"k8s-{short}-{self.hx('', 10)}"[:32]
        arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:loadbalancer/app/{name}/{h}"
        item = {
            "LoadBalancerArn": arn,
            "DNSName": f"internal-{name}-{self.rng.randint(100000000, 999999999)}.{self.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(self.start - timedelta(days=200)),
            "LoadBalancerName": name,
            "Scheme": "internet-facing",
            "VpcId": self.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": z, "SubnetId": s} for z, s in zip(self.azs, self.subnets, strict=True)
            ],
            "SecurityGroups": [self.hx("sg-", 17)],
            "IpAddressType": "ipv4",
        }
        self.res("elbv2", "LoadBalancer", item)
        return item, f"app/{name}/{h}"

    def target_group(
        self, lb_arn: str, ns: str, svc: str, port: int, path: str
    ) -> tuple[dict[str, Any], str]:
        name = f"k8s-{ns[:6]}-{svc[:8]}-{self.hx('', 10)}"
        h = self.hx("", 16)
        arn = f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:targetgroup/{name}/{h}"
        item = {
            "TargetGroupArn": arn,
            "TargetGroupName": name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": self.vpc,
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
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        }
        self.res("elbv2", "TargetGroup", item)
        return item, f"targetgroup/{name}/{h}"

    def repo(self, name: str, mutable: bool = True) -> dict[str, Any]:
        return self.res(
            "ecr",
            "Repository",
            {
                "repositoryArn": f"arn:aws:ecr:{self.region}:{self.account}:repository/{name}",
                "registryId": self.account,
                "repositoryName": name,
                "repositoryUri": f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}",
                "createdAt": iso(self.start - timedelta(days=self.rng.randint(300, 900))),
                "imageTagMutability": "MUTABLE" if mutable else "IMMUTABLE",
                "imageScanningConfiguration": {"scanOnPush": True},
                "encryptionConfiguration": {"encryptionType": "AES256"},
            },
        )

    def opensearch(self, name: str, itype: str, count: int, processing: bool = False) -> dict[str, Any]:
        did = f"{self.account}/{name}"
        return self.res(
            "opensearch",
            "DomainStatus",
            {
                "DomainId": did,
                "DomainName": name,
                "ARN": f"arn:aws:es:{self.region}:{self.account}:domain/{name}",
                "Created": True,
                "Deleted": False,
                "Endpoints": {"vpc": f"vpc-{name}-{self.hx('', 26)}.{self.region}.es.amazonaws.com"},
                "Processing": processing,
                "UpgradeProcessing": False,
                "EngineVersion": "OpenSearch_2.13",
                "ClusterConfig": {
                    "InstanceType": itype,
                    "InstanceCount": count,
                    "DedicatedMasterEnabled": True,
                    "ZoneAwarenessEnabled": True,
                    "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                    "DedicatedMasterType": "m6g.large.search",
                    "DedicatedMasterCount": 3,
                    "WarmEnabled": False,
                    "MultiAZWithStandbyEnabled": False,
                },
                "EBSOptions": {
                    "EBSEnabled": True,
                    "VolumeType": "gp3",
                    "VolumeSize": 500,
                    "Iops": 3000,
                    "Throughput": 250,
                },
                "VPCOptions": {
                    "VPCId": self.vpc,
                    "SubnetIds": self.subnets,
                    "AvailabilityZones": self.azs,
                    "SecurityGroupIds": [self.hx("sg-", 17)],
                },
                "EncryptionAtRestOptions": {
                    "Enabled": True,
                    "KmsKeyId": f"arn:aws:kms:{self.region}:{self.account}:key/{self.uuid()}",
                },
                "NodeToNodeEncryptionOptions": {"Enabled": True},
                "AdvancedOptions": {
                    "rest.action.multi.allow_explicit_index": "true",
                    "override_main_response_version": "false",
                },
                "ServiceSoftwareOptions": {
                    "CurrentVersion": "OpenSearch_2_13_R20240520-P5",
                    "NewVersion": "",
                    "UpdateAvailable": False,
                    "Cancellable": False,
                    "UpdateStatus": "COMPLETED",
                    "Description": "There is no software update available for this domain.",
                    "AutomatedUpdateDate": "1970-01-01T00:00:00Z",
                    "OptionalDeployment": True,
                },
                "DomainEndpointOptions": {
                    "EnforceHTTPS": True,
                    "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
                },
                "DomainProcessingStatus": "Modifying" if processing else "Active",
            },
        )

    def bundle(self, title: str, trigger: dict[str, Any], truth: dict[str, Any]) -> Bundle:
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
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": self.metrics,
            "alarms": self.alarms,
            "alarm_history": sorted(self.history, key=lambda h: h["Timestamp"]),
            "logs": sorted(self.logs, key=lambda e: e["timestamp"]),
            "cloudtrail": sorted(self.trail, key=lambda r: str(r["eventTime"])),
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(manifest, records)


def _bind(f: Callable[[datetime, float], float], k: float) -> Fn:
    """A series function with one constant bound (a loop's value, bound now rather than late)."""
    return lambda t: f(t, k)


class Shop:
    """The standard estate: EKS with Karpenter nodes, one ALB ingress, OpenSearch, ElastiCache, ECR."""

    def __init__(self, w: World, nodes: int = 5) -> None:
        self.w = w
        r = w.rng
        w.eks_cluster()
        self.nodes = [
            w.node(
                i % 3,
                r.choice(["m6i.2xlarge", "c6i.2xlarge", "m7i.2xlarge"]),
                w.start - timedelta(hours=r.randint(20, 300)),
            )
            for i in range(nodes)
        ]
        self.lb, self.lb_dim = w.alb("storefront")
        self.tg_search, self.tg_search_dim = w.target_group(
            self.lb["LoadBalancerArn"], "search", "search-api", 8080, "/healthz"
        )
        self.tg_recs, self.tg_recs_dim = w.target_group(
            self.lb["LoadBalancerArn"], "recs", "recs-api", 8000, "/health"
        )
        self.domain = r.choice(["catalog-search", "product-search", "search-prod"])
        self.os_nodes = r.choice([3, 6])
        w.opensearch(self.domain, "r6g.2xlarge.search", self.os_nodes)
        self.cache = r.choice(["recs-cache", "recs-features", "reco-redis"])
        for name in ["search/search-api", "search/recs-api", "search/catalog-indexer"]:
            w.repo(name)
        self.os_dims = {"DomainName": self.domain, "ClientId": w.account}
        self.cache_nodes = [f"{self.cache}-001", f"{self.cache}-002"]

    def cache_group(self, primary: int = 0, status: str = "available") -> None:
        w = self.w
        members = [
            {
                "CacheClusterId": cid,
                "CacheNodeId": "0001",
                "ReadEndpoint": {
                    "Address": f"{cid}.{w.hx('', 6)}.0001.{w.region[:2]}{w.region.split('-')[1][0]}{w.region[-1]}.cache.amazonaws.com",
                    "Port": 6379,
                },
                "PreferredAvailabilityZone": w.azs[i],
                "CurrentRole": "primary" if i == primary else "replica",
            }
            for i, cid in enumerate(self.cache_nodes)
        ]
        host = f"{self.cache}.{w.hx('', 6)}.ng.0001.cache.amazonaws.com"
        w.res(
            "elasticache",
            "ReplicationGroup",
            {
                "ReplicationGroupId": self.cache,
                "Description": "recommendations feature and result cache",
                "Status": status,
                "PendingModifiedValues": {},
                "MemberClusters": self.cache_nodes,
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": status,
                        "PrimaryEndpoint": {"Address": f"master.{host}", "Port": 6379},
                        "ReaderEndpoint": {"Address": f"replica.{host}", "Port": 6379},
                        "NodeGroupMembers": members,
                    }
                ],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "03:00-04:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r6g.large",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": False,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{w.region}:{w.account}:replicationgroup:{self.cache}",
                "ReplicationGroupCreateTime": iso(w.start - timedelta(days=420)),
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "ClusterMode": "disabled",
                "Engine": "redis",
            },
        )

    def traffic(self, t: datetime) -> float:
        """Requests a minute to the recs service (search is about 1.6x)."""
        return self.w.diurnal(t, 900, 5200, 19.5)

    def standard_metrics(self, ov: dict[str, Fn] | None = None) -> None:
        """Baseline telemetry for everything; `ov` replaces a series' function by key."""
        w, o = self.w, ov or {}
        r = w.rng

        def pick(key: str, default: Fn) -> Fn:
            return o.get(key, default)

        alb = "AWS/ApplicationELB"
        for svc, dim, scale, lat in [
            ("search", self.tg_search_dim, 1.6, 0.085),
            ("recs", self.tg_recs_dim, 1.0, 0.06),
        ]:
            d = {"TargetGroup": dim, "LoadBalancer": self.lb_dim}
            w.series(
                alb,
                "RequestCount",
                d,
                "Count",
                pick(f"{svc}.requests", _bind(lambda t, s: w.noisy(self.traffic(t) * s, 0.06), scale)),
            )
            w.series(
                alb,
                "TargetResponseTime",
                d,
                "Seconds",
                pick(f"{svc}.latency", _bind(lambda t, x: w.noisy(x, 0.15), lat)),
            )
            w.series(
                alb,
                "HTTPCode_Target_5XX_Count",
                d,
                "Count",
                pick(f"{svc}.5xx", lambda t: float(r.choice([0, 0, 0, 0, 1, 1, 2]))),
            )
            w.series(
                alb,
                "HTTPCode_Target_4XX_Count",
                d,
                "Count",
                pick(f"{svc}.4xx", _bind(lambda t, s: w.noisy(self.traffic(t) * s * 0.012, 0.3), scale)),
            )
            w.series(
                alb,
                "HealthyHostCount",
                d,
                "Count",
                pick(f"{svc}.healthy", _bind(lambda t, n: n, 6.0 if svc == "search" else 4.0)),
            )
            w.series(alb, "UnHealthyHostCount", d, "Count", pick(f"{svc}.unhealthy", lambda t: 0.0))
        w.series(
            alb,
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": self.lb_dim},
            "Count",
            pick("elb.5xx", lambda t: float(r.choice([0, 0, 0, 0, 0, 1]))),
        )
        es = "AWS/ES"
        w.series(
            es,
            "CPUUtilization",
            self.os_dims,
            "Percent",
            pick("os.cpu", lambda t: w.noisy(w.diurnal(t, 14, 38), 0.1)),
        )
        w.series(
            es,
            "JVMMemoryPressure",
            self.os_dims,
            "Percent",
            pick("os.jvm", lambda t: 48 + 18 * ((t.minute % 23) / 23) + r.uniform(-2, 2)),
        )
        w.series(
            es,
            "SearchLatency",
            self.os_dims,
            "Milliseconds",
            pick("os.searchlat", lambda t: w.noisy(11.5, 0.2)),
        )
        w.series(
            es,
            "SearchRate",
            self.os_dims,
            "Count",
            pick("os.searchrate", lambda t: w.noisy(self.traffic(t) * 1.6 / self.os_nodes / 1.0, 0.08)),
        )
        w.series(es, "IndexingRate", self.os_dims, "Count", pick("os.indexrate", lambda t: w.noisy(420, 0.3)))
        w.series(
            es,
            "IndexingLatency",
            self.os_dims,
            "Milliseconds",
            pick("os.indexlat", lambda t: w.noisy(0.9, 0.25)),
        )
        w.series(es, "ClusterStatus.green", self.os_dims, "Count", pick("os.green", lambda t: 1.0))
        w.series(es, "ClusterStatus.yellow", self.os_dims, "Count", pick("os.yellow", lambda t: 0.0))
        w.series(es, "ClusterStatus.red", self.os_dims, "Count", pick("os.red", lambda t: 0.0))
        w.series(es, "Nodes", self.os_dims, "Count", pick("os.nodes", lambda t: float(self.os_nodes + 3)))
        w.series(es, "ThreadpoolWriteRejected", self.os_dims, "Count", pick("os.writerej", lambda t: 0.0))
        w.series(es, "Shards.active", self.os_dims, "Count", pick("os.shards", lambda t: 212.0), period=300)
        ec = "AWS/ElastiCache"
        for i, cid in enumerate(self.cache_nodes):
            d = {"CacheClusterId": cid, "CacheNodeId": "0001"}
            role = "p" if i == 0 else "r"
            w.series(
                ec,
                "EngineCPUUtilization",
                d,
                "Percent",
                pick(
                    f"ec.{role}.cpu",
                    _bind(lambda t, k: w.noisy(w.diurnal(t, 6, 24) * k, 0.12), (1.0 if i == 0 else 0.35)),
                ),
            )
            w.series(
                ec,
                "CurrConnections",
                d,
                "Count",
                pick(
                    f"ec.{role}.conns",
                    _bind(lambda t, k: float(44 + 38 * k + r.randint(-2, 2)), (1 if i == 0 else 0)),
                ),
            )
            w.series(
                ec,
                "DatabaseMemoryUsagePercentage",
                d,
                "Percent",
                pick(f"ec.{role}.mem", lambda t: 61.0 + r.uniform(-0.4, 0.4)),
            )
            w.series(
                ec,
                "CacheHits",
                d,
                "Count",
                pick(
                    f"ec.{role}.hits",
                    _bind(lambda t, k: w.noisy(self.traffic(t) * 5.2 * k, 0.08), (1.0 if i == 0 else 0.0)),
                ),
            )
            w.series(
                ec,
                "CacheMisses",
                d,
                "Count",
                pick(
                    f"ec.{role}.misses",
                    _bind(lambda t, k: w.noisy(self.traffic(t) * 0.6 * k, 0.1), (1.0 if i == 0 else 0.0)),
                ),
            )
            w.series(ec, "Evictions", d, "Count", pick(f"ec.{role}.evictions", lambda t: 0.0))
            if i == 1:
                w.series(
                    ec,
                    "ReplicationLag",
                    d,
                    "Seconds",
                    pick("ec.r.lag", lambda t: round(r.uniform(0.0, 0.02), 3)),
                )
        ci = "ContainerInsights"
        w.series(
            ci,
            "cluster_node_count",
            {"ClusterName": w.cluster},
            "Count",
            pick("ci.nodes", lambda t: float(len(self.nodes))),
        )
        for ns, svc, pods in [
            ("search", "search-api", 6),
            ("recs", "recs-api", 4),
            ("search", "catalog-indexer", 2),
        ]:
            w.series(
                ci,
                "service_number_of_running_pods",
                {"ClusterName": w.cluster, "Namespace": ns, "Service": svc},
                "Count",
                pick(f"ci.{svc}.pods", _bind(lambda t, p: float(p), pods)),
            )
            w.series(
                ci,
                "pod_cpu_utilization",
                {"ClusterName": w.cluster, "Namespace": ns, "PodName": svc},
                "Percent",
                pick(f"ci.{svc}.cpu", lambda t: w.noisy(w.diurnal(t, 3, 11), 0.15)),
            )
