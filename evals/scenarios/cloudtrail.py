"""CloudTrail records in the shape CloudTrail delivers them, and the routine activity of an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evals.scenarios import naming
from evals.scenarios.account import Account, iso
from evals.scenarios.incident import Incident

SDK_AGENTS = [
    "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/prompt#off",
    "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.9 md/prompt#off",
    "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215 md/arch#x86_64 lang/python#3.12.2 cfg/retry-mode#legacy",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.44.0",
]
CONSOLE_AGENT = "AWS Internal"
CONSOLE_BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


@dataclass(frozen=True)
class Actor:
    """Who makes calls: a person through SSO, a CI pipeline, a monitoring integration, or AWS itself."""

    kind: str  # "person" | "ci" | "monitor" | "service"
    name: str  # session name (person, ci) or the invoking service principal
    role: str = ""
    role_id: str = ""
    source_ip: str = ""
    agent: str = ""


def people(inc: Incident, count: int = 4) -> list[Actor]:
    acct = inc.account
    sso = f"AWSReservedSSO_{inc.rng.choice(['AdministratorAccess', 'PowerUserAccess', 'Engineer'])}_{acct.ids.hex(16)}"
    taken: set[str] = set()
    return [
        Actor(
            "person",
            naming.pick(inc.rng, naming.PEOPLE, taken),
            sso,
            acct.role_id(sso),
            acct.ids.public_ip(),
            inc.rng.choice([*SDK_AGENTS[:2], CONSOLE_BROWSER]),
        )
        for _ in range(count)
    ]


def ci_actor(inc: Incident) -> Actor:
    role = inc.rng.choice(
        ["github-actions-deploy", "ci-deployer", "gitlab-runner-deploy", "codebuild-deploy"]
    )
    return Actor(
        "ci",
        f"{role}-{inc.account.ids.hex(8)}",
        role,
        inc.account.role_id(role),
        inc.account.ids.public_ip(),
        SDK_AGENTS[3] if inc.rng.random() < 0.5 else SDK_AGENTS[2],
    )


def monitor_actor(inc: Incident) -> Actor:
    role = inc.rng.choice(["DatadogIntegrationRole", "grafana-cloudwatch-reader", "newrelic-integration"])
    return Actor(
        "monitor",
        f"{role.lower()[:12]}-{inc.account.ids.hex(6)}",
        role,
        inc.account.role_id(role),
        inc.account.ids.public_ip(),
        SDK_AGENTS[2],
    )


def autoscaling_actor(inc: Incident) -> Actor:
    role = "AWSServiceRoleForAutoScaling"
    return Actor("service", "autoscaling.amazonaws.com", role, inc.account.role_id(role))


def identity(acct: Account, actor: Actor, when: datetime) -> dict[str, Any]:
    session = actor.name if actor.kind != "service" else "AutoScaling"
    path = "aws-service-role/autoscaling.amazonaws.com/" if actor.kind == "service" else ""
    if actor.role.startswith("AWSReservedSSO"):
        path = "aws-reserved/sso.amazonaws.com/"
    ident: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"{actor.role_id}:{session}",
        "arn": f"arn:aws:sts::{acct.account_id}:assumed-role/{actor.role}/{session}",
        "accountId": acct.account_id,
        "accessKeyId": acct.ids.access_key(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": actor.role_id,
                "arn": f"arn:aws:iam::{acct.account_id}:role/{path}{actor.role}",
                "accountId": acct.account_id,
                "userName": actor.role,
            },
            "attributes": {
                "creationDate": iso(
                    (when - timedelta(minutes=acct.rng.randrange(1, 55))).replace(microsecond=0)
                ),
                "mfaAuthenticated": "false",
            },
        },
    }
    if actor.kind == "service":
        ident["invokedBy"] = actor.name
        del ident["accessKeyId"]
    return ident


def record(
    inc: Incident,
    actor: Actor,
    when: datetime,
    source: str,
    name: str,
    request: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
    *,
    read_only: bool = False,
    resources: list[dict[str, str]] | None = None,
    error: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Append one management-event record and return it (its eventID is the change's id)."""
    acct = inc.account
    service_host = source.replace(".amazonaws.com", "")
    rec: dict[str, Any] = {
        "eventVersion": "1.09" if source == "ec2.amazonaws.com" else "1.08",
        "userIdentity": identity(acct, actor, when),
        "eventTime": iso(when.replace(microsecond=0)),
        "eventSource": source,
        "eventName": name,
        "awsRegion": acct.region,
        "sourceIPAddress": actor.source_ip or actor.name,
        "userAgent": actor.agent or actor.name,
        "requestParameters": request,
        "responseElements": response,
        "requestID": acct.ids.uuid(),
        "eventID": acct.ids.uuid(),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": acct.account_id,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    if resources:
        rec["resources"] = resources
    if actor.kind != "service":
        rec["tlsDetails"] = {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{service_host}.{acct.region}.amazonaws.com",
        }
    inc.cloudtrail.append(rec)
    return rec


def routine_activity(inc: Incident) -> None:
    """Reads by a monitoring integration and by people, tag edits, and session starts, all innocent."""
    acct, rng, w = inc.account, inc.rng, inc.window
    monitor = monitor_actor(inc)
    humans = people(inc)
    reads: list[tuple[str, str, dict[str, Any]]] = [
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ("ec2.amazonaws.com", "DescribeVolumes", {"volumeSet": {}, "filterSet": {}}),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupSet": {}, "filterSet": {}}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {"pageSize": 400}),
        ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {"pageSize": 400}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
        ("rds.amazonaws.com", "DescribeDBInstances", {"maxRecords": 100}),
        ("rds.amazonaws.com", "DescribeDBClusters", {"includeShared": False}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
    ]
    when = w.start + timedelta(seconds=rng.randrange(30, 300))
    while when < w.now:
        source, name, params = reads[rng.randrange(len(reads))]
        record(inc, monitor, when, source, name, dict(params), None, read_only=True)
        when += timedelta(seconds=rng.randrange(120, 900))
    for person in humans:
        for _ in range(rng.randrange(2, 7)):
            t = w.between(rng, w.start, w.now)
            record(inc, person, t, "sts.amazonaws.com", "GetCallerIdentity", None, None, read_only=True)
            source, name, params = reads[rng.randrange(len(reads))]
            record(
                inc,
                person,
                t + timedelta(seconds=rng.randrange(3, 90)),
                source,
                name,
                dict(params),
                None,
                read_only=True,
            )
    for _ in range(rng.randrange(1, 4)):
        person = rng.choice(humans)
        inst = rng.choice([i for i in acct.instances() if i.alive(w.start)])
        key, value = rng.choice(
            [
                ("CostCenter", f"cc-{rng.randrange(100, 999)}"),
                ("Owner", person.name),
                ("Team", acct.product),
                ("Backup", "daily"),
            ]
        )
        record(
            inc,
            person,
            w.between(rng, w.start, w.now),
            "ec2.amazonaws.com",
            "CreateTags",
            {
                "resourcesSet": {"items": [{"resourceId": inst.id}]},
                "tagSet": {"items": [{"key": key, "value": value}]},
            },
            {"requestId": acct.ids.uuid(), "_return": True},
        )
