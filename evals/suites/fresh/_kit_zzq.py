"""Private helpers for kit zzq: ECS Fargate microservices, internal ALBs, Cloud Map, X-Ray, CloudWatch Logs."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from evals.bundle import Bundle, Manifest

Rec = dict[str, Any]


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class Ctx:
    """One incident under construction: ids, clock and every record kind."""

    def __init__(self, seed: int, salt: str) -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        r = self.rng
        self.account = str(r.randint(2, 9)) + "".join(str(r.randint(0, 9)) for _ in range(11))
        self.region = r.choice(["us-east-1", "us-east-2", "us-west-2"])
        day = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=r.randint(0, 300))
        self.day = day
        self.vpc = "vpc-" + self.hex(17)
        self.subnets = ["subnet-" + self.hex(17) for _ in range(3)]
        self.azs = [self.region + z for z in ("a", "b", "c")]
        self.records: dict[str, list[Rec]] = {
            k: []
            for k in (
                "metrics",
                "alarms",
                "alarm_history",
                "logs",
                "traces",
                "cloudtrail",
                "resources",
                "events",
            )
        }

    # --- ids -------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:]}"

    def ip(self, az: int) -> str:
        return f"10.40.{16 * az + self.rng.randint(1, 14)}.{self.rng.randint(4, 250)}"

    def hostname(self) -> str:
        domain = "ec2.internal" if self.region == "us-east-1" else f"{self.region}.compute.internal"
        return f"ip-10-40-{self.rng.randint(1, 60)}-{self.rng.randint(1, 250)}.{domain}"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    # --- add --------------------------------------------------------------------------------------
    def resource(self, service: str, type_: str, item: Rec) -> None:
        self.records["resources"].append({"service": service, "type": type_, "item": item})

    def metric(
        self,
        ns: str,
        name: str,
        dims: dict[str, str],
        t: datetime,
        unit: str,
        value: float | None = None,
        values: list[float] | None = None,
        counts: list[float] | None = None,
    ) -> None:
        rec: Rec = {"namespace": ns, "metric": name, "dimensions": dims, "timestamp": iso(t), "unit": unit}
        if values is not None:
            rec["values"] = [round(v, 4) for v in values]
            if counts is not None:
                rec["counts"] = counts
        else:
            rec["value"] = round(float(value or 0.0), 4)
        self.records["metrics"].append(rec)

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.records["logs"].append(
            {"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message}
        )

    def event(self, source: str, item: Rec) -> None:
        self.records["events"].append({"source": source, "item": item})

    def ecs_event(self, service_arn: str, t: datetime, message: str) -> None:
        self.event(
            "ecs",
            {
                "service_arn": service_arn,
                "event": {"id": self.uuid(), "createdAt": iso(t), "message": message},
            },
        )

    # --- CloudTrail -------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, t: datetime, invoked_by: str | None = None) -> Rec:
        akid = "ASIA" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        ident: Rec = {
            "type": "AssumedRole",
            "principalId": "AROA" + self.hex(17).upper() + ":" + session,
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": akid,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROA" + self.hex(17).upper(),
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

    def sso_identity(self, user: str, perm_set: str, t: datetime) -> Rec:
        role = f"AWSReservedSSO_{perm_set}_{self.hex(16)}"
        ident = self.role_identity(role, user, t)
        ident["sessionContext"]["sessionIssuer"]["arn"] = (
            f"arn:aws:iam::{self.account}:role/aws-reserved/sso.amazonaws.com/{role}"
        )
        return ident

    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        identity: Rec,
        params: Rec | None,
        response: Rec | None = None,
        read_only: bool = False,
        agent: str | None = None,
        ip: str | None = None,
        error: tuple[str, str] | None = None,
        region: str | None = None,
        resources: list[Rec] | None = None,
    ) -> str:
        eid = self.uuid()
        invoked = identity.get("invokedBy")
        rec: Rec = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": identity,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": invoked or ip or f"3.{self.rng.randint(80, 239)}.{self.rng.randint(0, 255)}.9",
            "userAgent": invoked
            or agent
            or "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.45.2",
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
            "eventID": eid,
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if resources:
            rec["resources"] = resources
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if not invoked:
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region or self.region}.amazonaws.com",
            }
        self.records["cloudtrail"].append(rec)
        return eid

    def readonly_noise(
        self, start: datetime, now: datetime, cluster: str, services: list[str], n: int
    ) -> None:
        """Monitoring and tooling that polls the account all day."""
        r = self.rng
        span = int((now - start).total_seconds())
        for _ in range(n):
            t = start + timedelta(seconds=r.randint(0, span))
            kind = r.random()
            if kind < 0.3:
                ident = self.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration", t)
                svc = r.sample(services, k=min(len(services), 3))
                self.ct(
                    t,
                    "ecs.amazonaws.com",
                    "DescribeServices",
                    ident,
                    {"cluster": cluster, "services": svc},
                    None,
                    True,
                    "Datadog",
                )
            elif kind < 0.5:
                ident = self.role_identity("DatadogIntegrationRole", "DatadogAWSIntegration", t)
                self.ct(
                    t,
                    "ecs.amazonaws.com",
                    "ListTasks",
                    ident,
                    {"cluster": cluster, "serviceName": r.choice(services)},
                    None,
                    True,
                    "Datadog",
                )
            elif kind < 0.65:
                ident = self.role_identity("grafana-cloudwatch-read", "grafana", t)
                self.ct(
                    t,
                    "monitoring.amazonaws.com",
                    "DescribeAlarms",
                    ident,
                    {"maxRecords": 100},
                    None,
                    True,
                    "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
                )
            elif kind < 0.8:
                ident = self.role_identity("ecsTaskExecutionRole", "ecs-tasks", t, "ecs-tasks.amazonaws.com")
                self.ct(
                    t,
                    "ecr.amazonaws.com",
                    "GetAuthorizationToken",
                    ident,
                    {"registryIds": [self.account]},
                    None,
                    True,
                )
            elif kind < 0.9:
                ident = self.role_identity("github-actions-terraform-plan", "GitHubActions", t)
                self.ct(
                    t,
                    "elasticloadbalancing.amazonaws.com",
                    "DescribeTargetGroups",
                    ident,
                    {"pageSize": 400},
                    None,
                    True,
                    "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0",
                )
            else:
                ident = self.role_identity("ecsTaskExecutionRole", "ecs-tasks", t, "ecs-tasks.amazonaws.com")
                self.ct(
                    t,
                    "ssm.amazonaws.com",
                    "GetParameters",
                    ident,
                    {"names": [f"/prod/{r.choice(services)}/config"], "withDecryption": True},
                    None,
                    True,
                )

    # --- ECS ----------------------------------------------------------------------------------------
    def cluster(self, name: str, services: int, tasks: int) -> str:
        arn = self.arn("ecs", f"cluster/{name}")
        self.resource(
            "ecs",
            "Cluster",
            {
                "clusterArn": arn,
                "clusterName": name,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": tasks,
                "pendingTasksCount": 0,
                "activeServicesCount": services,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "settings": [{"name": "containerInsights", "value": "enabled"}],
            },
        )
        return arn

    def service(
        self,
        cluster: str,
        name: str,
        revision: int,
        count: int,
        sg: str,
        created: datetime,
        deployed: datetime,
        image_tag: str,
        env: dict[str, str],
        port: int = 8080,
        tg_arn: str | None = None,
        registry_arn: str | None = None,
        cpu: str = "512",
        memory: str = "1024",
        task_role: str | None = None,
        health_check: bool = True,
    ) -> tuple[str, str, list[str]]:
        """A service, its task definition and running tasks; returns (service arn, td arn, task ids)."""
        cl_arn = self.arn("ecs", f"cluster/{cluster}")
        svc_arn = self.arn("ecs", f"service/{cluster}/{name}")
        td_arn = self.arn("ecs", f"task-definition/{name}:{revision}")
        image = f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}:{image_tag}"
        container: Rec = {
            "name": name,
            "image": image,
            "cpu": 0,
            "portMappings": [
                {"containerPort": port, "hostPort": port, "protocol": "tcp", "name": f"{name}-{port}"}
            ],
            "essential": True,
            "environment": [{"name": k, "value": v} for k, v in env.items()],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{name}",
                    "awslogs-region": self.region,
                    "awslogs-stream-prefix": "ecs",
                },
            },
        }
        if health_check:
            container["healthCheck"] = {
                "command": ["CMD-SHELL", f"curl -fs http://localhost:{port}/health || exit 1"],
                "interval": 30,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 60,
            }
        xray: Rec = {
            "name": "xray-daemon",
            "image": "public.ecr.aws/xray/aws-xray-daemon:3.3.13",
            "cpu": 32,
            "memoryReservation": 256,
            "portMappings": [{"containerPort": 2000, "hostPort": 2000, "protocol": "udp"}],
            "essential": False,
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{name}",
                    "awslogs-region": self.region,
                    "awslogs-stream-prefix": "xray",
                },
            },
        }
        self.resource(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": td_arn,
                "containerDefinitions": [container, xray],
                "family": name,
                "taskRoleArn": f"arn:aws:iam::{self.account}:role/{task_role or name + '-task'}",
                "executionRoleArn": f"arn:aws:iam::{self.account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "revision": revision,
                "status": "ACTIVE",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": cpu,
                "memory": memory,
                "registeredAt": iso(deployed - timedelta(minutes=3)),
                "registeredBy": f"arn:aws:sts::{self.account}:assumed-role/github-actions-deploy/GitHubActions",
            },
        )
        net = {
            "awsvpcConfiguration": {
                "subnets": self.subnets,
                "securityGroups": [sg],
                "assignPublicIp": "DISABLED",
            }
        }
        svc: Rec = {
            "serviceArn": svc_arn,
            "serviceName": name,
            "clusterArn": cl_arn,
            "loadBalancers": [],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": count,
            "runningCount": count,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": td_arn,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": "ecs-svc/" + "".join(str(self.rng.randint(0, 9)) for _ in range(19)),
                    "status": "PRIMARY",
                    "taskDefinition": td_arn,
                    "desiredCount": count,
                    "pendingCount": 0,
                    "runningCount": count,
                    "failedTasks": 0,
                    "createdAt": iso(deployed),
                    "updatedAt": iso(deployed + timedelta(minutes=4)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": net,
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{self.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": iso(created),
            "networkConfiguration": net,
            "healthCheckGracePeriodSeconds": 60 if tg_arn else 0,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{self.account}:role/github-actions-terraform-apply",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        }
        if tg_arn:
            svc["loadBalancers"] = [{"targetGroupArn": tg_arn, "containerName": name, "containerPort": port}]
        if registry_arn:
            svc["serviceRegistries"] = [{"registryArn": registry_arn}]
        self.resource("ecs", "Service", svc)
        self.resource(
            "logs",
            "LogGroup",
            {
                "logGroupName": f"/ecs/{name}",
                "creationTime": ms(created),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": self.arn("logs", f"log-group:/ecs/{name}:*"),
                "storedBytes": self.rng.randint(10**8, 10**10),
                "logGroupClass": "STANDARD",
                "logGroupArn": self.arn("logs", f"log-group:/ecs/{name}"),
            },
        )
        tasks = [self.hex(32) for _ in range(count)]
        return svc_arn, td_arn, tasks

    def task(
        self,
        cluster: str,
        name: str,
        td_arn: str,
        task_id: str,
        az: int,
        ip: str,
        started: datetime,
        last_status: str = "RUNNING",
        stopped: datetime | None = None,
        stopped_reason: str | None = None,
        exit_code: int | None = None,
        container_reason: str | None = None,
        health: str = "HEALTHY",
        cpu: str = "512",
        memory: str = "1024",
    ) -> None:
        task_arn = self.arn("ecs", f"task/{cluster}/{task_id}")
        eni = "eni-" + self.hex(17)
        cont: Rec = {
            "containerArn": self.arn("ecs", f"container/{cluster}/{task_id}/{self.uuid()}"),
            "taskArn": task_arn,
            "name": name,
            "image": f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}",
            "imageDigest": "sha256:" + self.hex(64),
            "runtimeId": f"{task_id}-{self.rng.randint(1000000000, 4294967295)}",
            "lastStatus": last_status,
            "networkBindings": [],
            "networkInterfaces": [{"attachmentId": self.uuid(), "privateIpv4Address": ip}],
            "healthStatus": health if last_status == "RUNNING" else "UNKNOWN",
            "cpu": "0",
        }
        if exit_code is not None:
            cont["exitCode"] = exit_code
        if container_reason:
            cont["reason"] = container_reason
        item: Rec = {
            "attachments": [
                {
                    "id": self.uuid(),
                    "type": "ElasticNetworkInterface",
                    "status": "ATTACHED" if last_status == "RUNNING" else "DELETED",
                    "details": [
                        {"name": "subnetId", "value": self.subnets[az]},
                        {"name": "networkInterfaceId", "value": eni},
                        {"name": "privateIPv4Address", "value": ip},
                    ],
                }
            ],
            "availabilityZone": self.azs[az],
            "clusterArn": self.arn("ecs", f"cluster/{cluster}"),
            "connectivity": "CONNECTED",
            "connectivityAt": iso(started - timedelta(seconds=40)),
            "containers": [cont],
            "cpu": cpu,
            "memory": memory,
            "createdAt": iso(started - timedelta(seconds=55)),
            "desiredStatus": "RUNNING" if last_status == "RUNNING" else "STOPPED",
            "group": f"service:{name}",
            "healthStatus": health if last_status == "RUNNING" else "UNKNOWN",
            "lastStatus": last_status,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "pullStartedAt": iso(started - timedelta(seconds=30)),
            "pullStoppedAt": iso(started - timedelta(seconds=12)),
            "startedAt": iso(started),
            "startedBy": "ecs-svc/" + "".join(str(self.rng.randint(0, 9)) for _ in range(19)),
            "taskArn": task_arn,
            "taskDefinitionArn": td_arn,
            "version": 3 if last_status == "RUNNING" else 5,
            "ephemeralStorage": {"sizeInGiB": 20},
        }
        if stopped:
            item["stoppedAt"] = iso(stopped)
            item["stoppingAt"] = iso(stopped - timedelta(seconds=20))
            item["executionStoppedAt"] = iso(stopped - timedelta(seconds=5))
            item["stopCode"] = (
                "EssentialContainerExited" if exit_code is not None else "ServiceSchedulerInitiated"
            )
            item["stoppedReason"] = stopped_reason or "Essential container in task exited"
        self.resource("ecs", "Task", item)

    # --- metrics helpers ---------------------------------------------------------------------------
    def series(
        self,
        start: datetime,
        end: datetime,
        ns: str,
        name: str,
        dims: dict[str, str],
        unit: str,
        fn: Callable[[datetime], float | None],
        period: int = 60,
    ) -> None:
        t = start
        while t < end:
            v = fn(t)
            if v is not None:
                self.metric(ns, name, dims, t, unit, value=v)
            t += timedelta(seconds=period)

    def latency_dist(
        self,
        start: datetime,
        end: datetime,
        ns: str,
        name: str,
        dims: dict[str, str],
        fn: Callable[[datetime], Rec],
    ) -> None:
        """fn returns {'n': request count, 'base': median seconds, 'slow': fraction slow, 'slow_s': seconds}."""
        t = start
        r = self.rng
        while t < end:
            p = fn(t)
            n = int(p["n"])
            if n > 0:
                base = float(p["base"])
                vals = [base * 0.5, base * 0.8, base, base * 1.4, base * 2.2, base * 4.0]
                fr = [0.15, 0.3, 0.3, 0.15, 0.08, 0.02]
                slow = float(p.get("slow", 0.0))
                counts = [max(0.0, round(n * (1 - slow) * f * r.uniform(0.9, 1.1))) for f in fr]
                if slow > 0:
                    vals.append(float(p["slow_s"]))
                    counts.append(float(max(1, round(n * slow))))
                keep = [(v, c) for v, c in zip(vals, counts, strict=True) if c > 0]
                self.metric(
                    ns, name, dims, t, "Seconds", values=[v for v, _ in keep], counts=[c for _, c in keep]
                )
            t += timedelta(minutes=1)

    # --- alarms -------------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        ns: str,
        metric: str,
        dims: dict[str, str],
        stat: str,
        threshold: float,
        op: str,
        periods: int,
        datapoints: int,
        state: str,
        state_time: datetime,
        reason: str,
        period: int = 60,
        description: str = "",
        missing: str = "missing",
        unit: str | None = None,
        topic: str = "ops-pager",
    ) -> Rec:
        item: Rec = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso(self.day - timedelta(days=self.rng.randint(20, 200))),
            "ActionsEnabled": True,
            "OKActions": [self.arn("sns", topic)],
            "AlarmActions": [self.arn("sns", topic)],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso(state_time),
            "StateTransitionedTimestamp": iso(state_time),
            "MetricName": metric,
            "Namespace": ns,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": datapoints,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
        }
        if stat.startswith("p"):
            item["ExtendedStatistic"] = stat
        else:
            item["Statistic"] = stat
        if unit:
            item["Unit"] = unit
        self.records["alarms"].append(item)
        return item

    def history(
        self, alarm: str, t: datetime, old: str, new: str, reason: str, data: Rec | None = None
    ) -> None:
        hd: Rec = {
            "version": "1.0",
            "oldState": {"stateValue": old},
            "newState": {"stateValue": new, "stateReason": reason},
        }
        if data:
            hd["newState"]["stateReasonData"] = data
        self.records["alarm_history"].append(
            {
                "AlarmName": alarm,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t).replace("+0000", "Z"),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": json.dumps(hd),
            }
        )

    def alarm_event(self, alarm: Rec, t: datetime, old: str, old_time: datetime, old_reason: str) -> Rec:
        m: Rec = {
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
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {"value": "ALARM", "reason": alarm["StateReason"], "timestamp": iso_ms(t)},
                "previousState": {"value": old, "reason": old_reason, "timestamp": iso_ms(old_time)},
                "configuration": {
                    "description": alarm.get("AlarmDescription", ""),
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": m,
                                "period": alarm["Period"],
                                "stat": alarm.get("ExtendedStatistic") or alarm.get("Statistic"),
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- X-Ray --------------------------------------------------------------------------------------
    def trace_id(self, t: datetime) -> str:
        return f"1-{int(t.timestamp()):08x}-{self.hex(24)}"

    def segment(
        self,
        name: str,
        t: datetime,
        dur: float,
        method: str,
        url: str,
        status: int,
        task_id: str,
        subs: list[Rec],
        trace_id: str | None = None,
        parent: str | None = None,
    ) -> Rec:
        seg: Rec = {
            "id": self.hex(16),
            "trace_id": trace_id or self.trace_id(t),
            "name": name,
            "origin": "AWS::ECS::Container",
            "start_time": round(t.timestamp(), 3),
            "end_time": round(t.timestamp() + dur, 3),
            "http": {
                "request": {"method": method, "url": url},
                "response": {"status": status},
            },
            "aws": {
                "ecs": {
                    "container": self.hostname(),
                    "container_id": task_id,
                    "availability_zone": self.azs[self.rng.randint(0, 2)],
                },
                "xray": {"sdk": "X-Ray for Java", "sdk_version": "2.18.1"},
            },
            "subsegments": subs,
        }
        if parent:
            seg["parent_id"] = parent
        if status >= 500:
            seg["fault"] = True
        elif status >= 400:
            seg["error"] = True
            if status == 429:
                seg["throttle"] = True
        self.records["traces"].append(seg)
        return seg

    def sub_http(
        self,
        t: datetime,
        dur: float,
        host: str,
        method: str,
        url: str,
        status: int | None,
        exc: str | None = None,
    ) -> Rec:
        sub: Rec = {
            "id": self.hex(16),
            "name": host,
            "namespace": "remote",
            "start_time": round(t.timestamp(), 3),
            "end_time": round(t.timestamp() + dur, 3),
            "http": {"request": {"method": method, "url": url}},
        }
        if status is not None:
            sub["http"]["response"] = {"status": status}
            if status >= 500:
                sub["fault"] = True
            elif status >= 400:
                sub["error"] = True
        if exc:
            sub["fault"] = True
            sub["cause"] = {
                "working_directory": "/app",
                "exceptions": [
                    {"id": self.hex(16), "message": exc.split(": ", 1)[-1], "type": exc.split(": ")[0]}
                ],
            }
        return sub

    def sub_aws(
        self, t: datetime, dur: float, service: str, op: str, table: str | None, err: str | None
    ) -> Rec:
        sub: Rec = {
            "id": self.hex(16),
            "name": service,
            "namespace": "aws",
            "start_time": round(t.timestamp(), 3),
            "end_time": round(t.timestamp() + dur, 3),
            "aws": {"operation": op, "region": self.region, "request_id": self.uuid(), "retries": 0},
            "http": {"response": {"status": 400 if err else 200}},
        }
        if table:
            sub["aws"]["table_name"] = table
        if err:
            sub["error"] = True
            sub["cause"] = {
                "working_directory": "/app",
                "exceptions": [{"id": self.hex(16), "message": err, "type": "DynamoDbException"}],
            }
        return sub

    # --- finish -------------------------------------------------------------------------------------
    def bundle(
        self,
        title: str,
        start: datetime,
        now: datetime,
        trigger: Rec,
        truth: Rec,
    ) -> Bundle:
        for k in ("metrics", "logs", "cloudtrail", "traces"):
            self.records[k] = [r for r in self.records[k] if _before(r, k, now)]
            self.records[k].sort(key=partial(_sort_key, k))
        self.records["alarm_history"] = [
            h for h in self.records["alarm_history"] if h["Timestamp"] <= iso_ms(now).replace("+0000", "Z")
        ]
        self.records["alarm_history"].sort(key=lambda h: h["Timestamp"])
        self.records["events"] = [e for e in self.records["events"] if _event_time(e) <= iso(now)]
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account,
                "region": self.region,
                "start": iso(start),
                "end": iso(now),
                "now": iso(now),
                "trigger": trigger,
                "truth": truth,
            }
        )
        return Bundle(manifest, {k: v for k, v in self.records.items() if v})


def _sort_key(kind: str, r: Rec) -> tuple[Any, ...]:
    if kind == "metrics":
        return (r["namespace"], r["metric"], json.dumps(r["dimensions"]), r["timestamp"])
    if kind == "logs":
        return (r["log_group"], r["log_stream"], r["timestamp"])
    if kind == "cloudtrail":
        return (r["eventTime"],)
    return (r["start_time"],)


def _before(r: Rec, kind: str, now: datetime) -> bool:
    if kind == "metrics":
        return bool(r["timestamp"] <= iso(now))
    if kind == "logs":
        return bool(r["timestamp"] <= ms(now))
    if kind == "cloudtrail":
        return bool(r["eventTime"] <= iso(now))
    return bool(r["start_time"] <= now.timestamp() and r["end_time"] <= now.timestamp())


def _event_time(e: Rec) -> str:
    item = e["item"]
    for key in ("createdAt", "timestamp", "StartTime", "Date"):
        if key in item:
            return str(item[key])
        ev = item.get("event")
        if isinstance(ev, dict) and key in ev:
            return str(ev[key])
    return ""


def alb(ctx: Ctx, name: str, internal: bool, sg: str, created: datetime) -> tuple[str, str]:
    """An application load balancer; returns (arn, LoadBalancer dimension value)."""
    lb_id = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{lb_id}")
    prefix = "internal-" if internal else ""
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": arn,
            "DNSName": f"{prefix}{name}-{ctx.rng.randint(100000000, 1999999999)}.{ctx.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(created),
            "LoadBalancerName": name,
            "Scheme": "internal" if internal else "internet-facing",
            "VpcId": ctx.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": z, "SubnetId": s} for z, s in zip(ctx.azs, ctx.subnets, strict=True)
            ],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"app/{name}/{lb_id}"


def target_group(
    ctx: Ctx, name: str, lb_arn: str, port: int = 8080, path: str = "/health"
) -> tuple[str, str]:
    tg_id = ctx.hex(16)
    arn = ctx.arn("elasticloadbalancing", f"targetgroup/{name}/{tg_id}")
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": arn,
            "TargetGroupName": name,
            "Protocol": "HTTP",
            "Port": port,
            "VpcId": ctx.vpc,
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
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    return arn, f"targetgroup/{name}/{tg_id}"


def diurnal(t: datetime, peak_hour_utc: float, base: float, amp: float) -> float:
    """Requests a minute: a smooth daily curve."""
    import math

    h = t.hour + t.minute / 60.0
    return base + amp * math.cos((h - peak_hour_utc) / 24.0 * 2 * math.pi)


def local(t: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    lt = t.astimezone(ZoneInfo(zone))
    return lt.strftime("%I:%M%p").lstrip("0").lower()


ZONES = {"us-east-1": "America/New_York", "us-east-2": "America/Chicago", "us-west-2": "America/Los_Angeles"}
