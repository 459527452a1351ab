"""Private helpers for kit zzb's incidents (containers and service networking)."""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Kit:
    def __init__(self, seed: int, region: str | None = None):
        self.rng = random.Random(seed)
        r = self.rng
        self.region = region or r.choice(["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"])
        self.account = str(r.randrange(100000000000, 999999999999))
        day = datetime(2025, 3, 3, tzinfo=UTC) + timedelta(days=r.randrange(0, 240))
        self.day = day
        self.metrics: list[dict] = []
        self.alarms: list[dict] = []
        self.history: list[dict] = []
        self.logs: list[dict] = []
        self.trail: list[dict] = []
        self.resources: list[dict] = []
        self.events: list[dict] = []
        self.azs = [self.region + s for s in ("a", "b", "c")]

    # ids ------------------------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hx(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def rid(self, prefix: str, n: int = 17) -> str:
        return f"{prefix}-{self.hx(n)}"

    def arn(self, service: str, rest: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{rest}"

    # identities -----------------------------------------------------------------------------
    def role_identity(
        self, role: str, session: str, *, mfa: bool = False, invoked_by: str | None = None
    ) -> dict:
        pid = "AROA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))
        ident = {
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
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role.split("/")[-1],
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "true" if mfa else "false"},
            },
        }
        if invoked_by:
            ident["invokedBy"] = invoked_by
        return ident

    # cloudtrail -----------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict,
        req: dict | None,
        resp: dict | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        resources: list | None = None,
    ) -> dict:
        ident = json.loads(json.dumps(ident))
        sc = ident.get("sessionContext")
        if sc:
            sc["attributes"]["creationDate"] = iso(t - timedelta(minutes=self.rng.randrange(3, 50)))
        rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": ip
            or ident.get("invokedBy")
            or f"{self.rng.randrange(3, 200)}.{self.rng.randrange(1, 250)}.{self.rng.randrange(1, 250)}.{self.rng.randrange(1, 250)}",
            "userAgent": ident.get("invokedBy") or agent,
            "requestParameters": req,
            "responseElements": resp,
            "requestID": self.uid(),
            "eventID": self.uid(),
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
        if not ident.get("invokedBy"):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def readonly_noise(
        self,
        start: datetime,
        end: datetime,
        n: int,
        calls: list[tuple[str, str, dict | None]],
        ident: dict,
        agent: str,
    ) -> None:
        span = int((end - start).total_seconds())
        for _ in range(n):
            t = start + timedelta(seconds=self.rng.randrange(0, span))
            src, name, req = self.rng.choice(calls)
            self.ct(t, src, name, ident, req, None, read_only=True, agent=agent)

    # metrics --------------------------------------------------------------------------------
    def series(
        self,
        ns: str,
        name: str,
        dims: dict,
        start: datetime,
        end: datetime,
        fn,
        *,
        unit: str = "None",
        period: int = 60,
        skip_none: bool = True,
        kind: str = "value",
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is None and skip_none:
                t += timedelta(seconds=period)
                continue
            d: dict[str, Any] = {
                "namespace": ns,
                "metric": name,
                "dimensions": dict(dims),
                "timestamp": iso(t),
                "unit": unit,
            }
            if kind == "stats":
                d["statistic_values"] = v
            elif kind == "dist":
                d["values"], d["counts"] = v
            else:
                d["value"] = round(float(v), 4)
            self.metrics.append(d)
            t += timedelta(seconds=period)

    def noise(self, base: float, rel: float) -> float:
        return max(0.0, base * (1 + self.rng.gauss(0, rel)))

    @staticmethod
    def diurnal(t: datetime, peak_hour: float = 14.0, depth: float = 0.45) -> float:
        h = t.hour + t.minute / 60
        return 1 - depth * (1 - math.cos((h - peak_hour) / 24 * 2 * math.pi)) / 2

    # alarms ---------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict,
        *,
        stat: str = "Sum",
        period: int = 60,
        evals: int = 3,
        dta: int | None = None,
        threshold: float,
        op: str = "GreaterThanThreshold",
        missing: str = "notBreaching",
        topic: str,
        desc: str | None = None,
        transitions: list[tuple[datetime, str, str]],
        configured: datetime,
        unit: str | None = None,
        extended: str | None = None,
    ) -> dict:
        """transitions: (time, new_state, reason) in order; the first is the initial state."""
        a = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmConfigurationUpdatedTimestamp": iso_ms(configured),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": dta or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if extended:
            a["ExtendedStatistic"] = extended
        else:
            a["Statistic"] = stat
        if unit:
            a["Unit"] = unit
        if desc:
            a["AlarmDescription"] = desc
        prev: tuple[str, str, datetime] | None = None
        for t, state, reason in transitions:
            if prev is not None:
                self.history.append(
                    {
                        "AlarmName": name,
                        "AlarmType": "MetricAlarm",
                        "Timestamp": iso_ms(t),
                        "HistoryItemType": "StateUpdate",
                        "HistorySummary": f"Alarm updated from {prev[0]} to {state}",
                        "HistoryData": json.dumps(
                            {
                                "version": "1.0",
                                "oldState": {"stateValue": prev[0], "stateReason": prev[1]},
                                "newState": {"stateValue": state, "stateReason": reason},
                            }
                        ),
                    }
                )
            prev = (state, reason, t)
        assert prev is not None
        a["StateValue"], a["StateReason"] = prev[0], prev[1]
        a["StateUpdatedTimestamp"] = iso_ms(prev[2])
        a["StateTransitionedTimestamp"] = iso_ms(prev[2])
        self.alarms.append(a)
        return a

    def alarm_event(self, a: dict, t: datetime, prev_state: str, prev_reason: str, prev_t: datetime) -> dict:
        metric = {
            "id": self.uid()[:8],
            "metricStat": {
                "metric": {
                    "namespace": a["Namespace"],
                    "name": a["MetricName"],
                    "dimensions": {d["Name"]: d["Value"] for d in a["Dimensions"]},
                },
                "period": a["Period"],
                "stat": a.get("Statistic") or a.get("ExtendedStatistic"),
            },
            "returnData": True,
        }
        return {
            "version": "0",
            "id": self.uid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [a["AlarmArn"]],
            "detail": {
                "alarmName": a["AlarmName"],
                "state": {
                    "value": a["StateValue"],
                    "reason": a["StateReason"],
                    "timestamp": iso_ms(t).replace("Z", "+0000"),
                },
                "previousState": {
                    "value": prev_state,
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev_t).replace("Z", "+0000"),
                },
                "configuration": {"description": a.get("AlarmDescription", ""), "metrics": [metric]},
            },
        }

    # logs -----------------------------------------------------------------------------------
    def log(self, group: str, stream: str, t: datetime, msg: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": msg})

    # resources ------------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict) -> dict:
        self.resources.append({"service": service, "type": type_, "item": item})
        return item

    def event(self, source: str, item: dict) -> None:
        self.events.append({"source": source, "item": item})

    # bundle ---------------------------------------------------------------------------------
    def bundle(
        self,
        *,
        title: str,
        start: datetime,
        now: datetime,
        question: str | None,
        tz: str | None,
        alarm_event: dict | None,
        truth: dict,
    ) -> Bundle:
        def cut(rows, key):
            return [r for r in rows if key(r) <= now]

        self.trail.sort(key=lambda r: r["eventTime"])
        self.logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))
        self.metrics.sort(
            key=lambda r: (
                r["namespace"],
                r["metric"],
                json.dumps(r["dimensions"], sort_keys=True),
                r["timestamp"],
            )
        )
        self.history.sort(key=lambda r: r["Timestamp"])
        trig = {"question": question, "alarm_event": alarm_event}
        if tz:
            trig["timezone"] = tz
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": trig,
                "truth": truth,
            }
        )
        nows = iso(now)
        recs = {
            "metrics": [m for m in self.metrics if m["timestamp"] <= nows],
            "alarms": self.alarms,
            "alarm_history": [h for h in self.history if h["Timestamp"] <= iso_ms(now)],
            "logs": [lg for lg in self.logs if lg["timestamp"] <= ms(now)],
            "cloudtrail": [c for c in self.trail if c["eventTime"] <= nows],
            "resources": self.resources,
        }
        if self.events:
            recs["events"] = self.events
        return Bundle(manifest, recs)


# shared infrastructure -------------------------------------------------------------------------
def vpc(k: Kit, name: str, cidr2: int) -> dict:
    vpc_id = k.rid("vpc")
    base = f"10.{cidr2}"
    k.res(
        "ec2",
        "Vpc",
        {
            "VpcId": vpc_id,
            "CidrBlock": f"{base}.0.0/16",
            "State": "available",
            "OwnerId": k.account,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "DhcpOptionsId": k.rid("dopt"),
            "Tags": [{"Key": "Name", "Value": name}],
        },
    )
    subnets = []
    for i, az in enumerate(k.azs):
        sid = k.rid("subnet")
        free = k.rng.randrange(3000, 3900)
        k.res(
            "ec2",
            "Subnet",
            {
                "SubnetId": sid,
                "VpcId": vpc_id,
                "AvailabilityZone": az,
                "AvailabilityZoneId": f"{k.region[:2]}{k.region.split('-')[1][0]}{k.region[-1]}-az{i + 1}",
                "CidrBlock": f"{base}.{16 * (i + 1)}.0/20",
                "AvailableIpAddressCount": free,
                "State": "available",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "OwnerId": k.account,
                "SubnetArn": k.arn("ec2", f"subnet/{sid}"),
                "Tags": [{"Key": "Name", "Value": f"{name}-private-{az[-1]}"}],
            },
        )
        subnets.append(sid)
    return {"vpc": vpc_id, "subnets": subnets, "base": base}


def cluster_arn(k: Kit, cluster: str) -> str:
    return k.arn("ecs", f"cluster/{cluster}")


def service_item(
    k: Kit,
    cluster: str,
    name: str,
    td_arn: str,
    *,
    desired: int,
    running: int,
    pending: int = 0,
    created: datetime,
    dep_created: datetime,
    subnets: list,
    sgs: list,
    launch: str = "FARGATE",
    tg_arn: str | None = None,
    port: int = 8080,
    events: list | None = None,
    rollout: str = "COMPLETED",
    extra_deployments: list | None = None,
    failed: int = 0,
) -> dict:
    deps = list(extra_deployments or [])
    deps.insert(
        0,
        {
            "id": f"ecs-svc/{k.rng.randrange(10**18, 10**19)}",
            "status": "PRIMARY",
            "taskDefinition": td_arn,
            "desiredCount": desired,
            "pendingCount": pending,
            "runningCount": running,
            "failedTasks": failed,
            "createdAt": iso(dep_created),
            "updatedAt": iso(dep_created),
            "launchType": launch,
            "rolloutState": rollout,
            "rolloutStateReason": "ECS deployment ecs-svc completed."
            if rollout == "COMPLETED"
            else "ECS deployment ecs-svc in progress.",
        },
    )
    if launch == "FARGATE":
        deps[0]["platformVersion"] = "1.4.0"
    item = {
        "serviceArn": k.arn("ecs", f"service/{cluster}/{name}"),
        "serviceName": name,
        "clusterArn": cluster_arn(k, cluster),
        "status": "ACTIVE",
        "desiredCount": desired,
        "runningCount": running,
        "pendingCount": pending,
        "launchType": launch,
        "taskDefinition": td_arn,
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deployments": deps,
        "events": events or [],
        "createdAt": iso(created),
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": subnets, "securityGroups": sgs, "assignPublicIp": "DISABLED"}
        },
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "roleArn": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "propagateTags": "NONE",
        "enableECSManagedTags": True,
        "enableExecuteCommand": False,
    }
    if launch == "FARGATE":
        item["platformVersion"] = "LATEST"
        item["platformFamily"] = "Linux"
    if tg_arn:
        item["loadBalancers"] = [{"targetGroupArn": tg_arn, "containerName": name, "containerPort": port}]
        item["healthCheckGracePeriodSeconds"] = 60
    return item


def taskdef_item(
    k: Kit,
    family: str,
    rev: int,
    image: str,
    *,
    registered: datetime,
    cpu: str = "512",
    memory: str = "1024",
    port: int | None = 8080,
    env: list | None = None,
    compat: str = "FARGATE",
    network: str = "awsvpc",
) -> dict:
    c = {
        "name": family,
        "image": image,
        "essential": True,
        "cpu": 0,
        "environment": env or [],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": f"/ecs/{family}",
                "awslogs-region": k.region,
                "awslogs-stream-prefix": "ecs",
            },
        },
    }
    if port:
        c["portMappings"] = [{"containerPort": port, "hostPort": port, "protocol": "tcp"}]
    return {
        "taskDefinitionArn": k.arn("ecs", f"task-definition/{family}:{rev}"),
        "family": family,
        "revision": rev,
        "containerDefinitions": [c],
        "taskRoleArn": f"arn:aws:iam::{k.account}:role/{family}-task",
        "executionRoleArn": f"arn:aws:iam::{k.account}:role/ecsTaskExecutionRole",
        "networkMode": network,
        "status": "ACTIVE",
        "requiresCompatibilities": [compat],
        "compatibilities": ["EC2", "FARGATE"] if compat == "FARGATE" else ["EC2"],
        "cpu": cpu,
        "memory": memory,
        "registeredAt": iso(registered),
        "registeredBy": f"arn:aws:sts::{k.account}:assumed-role/gha-deploy/GitHubActions",
    }


def svc_event(k: Kit, service_arn: str, t: datetime, msg: str) -> None:
    k.event(
        "ecs", {"service_arn": service_arn, "event": {"id": k.uid(), "createdAt": iso(t), "message": msg}}
    )


def instance(
    k: Kit,
    iid: str,
    itype: str,
    az: str,
    subnet: str,
    vpc_id: str,
    ip: str,
    launched: datetime,
    *,
    sgs: list,
    profile: str,
    tags: list,
    image: str,
    state: str = "running",
    system: str = "ok",
    inst_status: str = "ok",
    impaired_since: datetime | None = None,
) -> None:
    k.res(
        "ec2",
        "Instance",
        {
            "InstanceId": iid,
            "InstanceType": itype,
            "ImageId": image,
            "LaunchTime": iso(launched),
            "Placement": {"AvailabilityZone": az, "Tenancy": "default"},
            "PrivateIpAddress": ip,
            "PrivateDnsName": f"ip-{ip.replace('.', '-')}.{k.region}.compute.internal",
            "SubnetId": subnet,
            "VpcId": vpc_id,
            "State": {"Code": 16 if state == "running" else 80, "Name": state},
            "Architecture": "x86_64",
            "RootDeviceType": "ebs",
            "RootDeviceName": "/dev/xvda",
            "Monitoring": {"State": "disabled"},
            "EbsOptimized": True,
            "IamInstanceProfile": {
                "Arn": f"arn:aws:iam::{k.account}:instance-profile/{profile}",
                "Id": "AIPA" + k.hx(17).upper(),
            },
            "SecurityGroups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
            "NetworkInterfaces": [
                {
                    "NetworkInterfaceId": k.rid("eni"),
                    "SubnetId": subnet,
                    "VpcId": vpc_id,
                    "PrivateIpAddress": ip,
                    "Status": "in-use",
                    "OwnerId": k.account,
                    "Attachment": {
                        "AttachmentId": k.rid("eni-attach"),
                        "DeviceIndex": 0,
                        "Status": "attached",
                        "AttachTime": iso(launched),
                        "DeleteOnTermination": True,
                    },
                    "Groups": [{"GroupId": g, "GroupName": n} for g, n in sgs],
                    "InterfaceType": "interface",
                    "SourceDestCheck": True,
                }
            ],
            "Tags": tags,
            "MetadataOptions": {
                "HttpTokens": "required",
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
                "State": "applied",
            },
        },
    )
    if state != "running":
        return

    def summ(st):
        d = {"Name": "reachability", "Status": "passed" if st == "ok" else "failed"}
        if st != "ok" and impaired_since:
            d["ImpairedSince"] = iso(impaired_since)
        return {"Status": st, "Details": [d]}

    k.res(
        "ec2",
        "InstanceStatus",
        {
            "AvailabilityZone": az,
            "InstanceId": iid,
            "InstanceState": {"Code": 16, "Name": "running"},
            "InstanceStatus": summ(inst_status),
            "SystemStatus": summ(system),
        },
    )
