"""#5 An IAM policy change denies one service's role a DynamoDB action it needs.

A small service behind the shared load balancer runs on one instance and keeps its data in
DynamoDB, as the main web tier does with its own table and role. Someone tightens the small
service's inline DynamoDB policy to "just the table" (a least-privilege cleanup): the new document
lists the table's ARN but drops `table/NAME/index/*`, so every Query on the table's global secondary
index is denied while GetItem and PutItem keep working. IAM changes take effect within seconds; the
SDK does not retry AccessDeniedException, so the requests that query the index fail at once with
5XX. The table itself is healthy: it never sees the calls.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle.model import RootCause, Truth
from evals.scenarios import alarms as alarm_lib
from evals.scenarios import assembly, cloudtrail, logs, traces
from evals.scenarios.account import Instance, Service, iso
from evals.scenarios.alarms import AlarmSpec
from evals.scenarios.baseline import Traffic, build_baseline, poisson
from evals.scenarios.incident import Incident
from evals.scenarios.library._instance_storage import StorageIncident, new_incident
from evals.scenarios.registry import scenario
from evals.scenarios.series import Series
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "{svc} is throwing 500s since {t}, not all requests though. Other services are fine.",
    "Why are some {svc} calls failing since {t}? The {table} table looks healthy.",
    "{svc} keeps failing since {t}: search and history pages give 500s, the rest works. What broke?",
]
TABLES = ["orders", "sessions", "carts", "customers", "events", "inventory", "profiles", "bookings"]
INDEXES = ["by-customer", "customer-index", "gsi1", "status-created-index", "by-owner", "email-index"]
READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]


class Table:
    def __init__(self, inc: Incident, name: str, index: str, owner: Service) -> None:
        acct = inc.account
        self.name = name
        self.index = index
        self.owner = owner
        self.arn = f"arn:aws:dynamodb:{acct.region}:{acct.account_id}:table/{name}"
        self.created = acct.created + timedelta(days=inc.rng.randrange(1, 60))

    def item(self, inc: Incident) -> dict[str, Any]:
        rng = inc.rng
        return {
            "TableName": self.name,
            "TableArn": self.arn,
            "TableId": inc.account.ids.uuid(),
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(self.created),
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "gsi1pk", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randrange(10**7, 10**10),
            "ItemCount": rng.randrange(10**4, 10**7),
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": self.index,
                    "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                    "IndexStatus": "ACTIVE",
                    "IndexArn": f"{self.arn}/index/{self.index}",
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "IndexSizeBytes": rng.randrange(10**6, 10**9),
                    "ItemCount": rng.randrange(10**4, 10**7),
                }
            ],
            "DeletionProtectionEnabled": True,
        }


def _policy(tables: list[Table], *, with_indexes: bool) -> dict[str, Any]:
    resources = [t.arn for t in tables]
    if with_indexes:
        resources += [f"{t.arn}/index/*" for t in tables]
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "AppTables", "Effect": "Allow", "Action": READ + WRITE, "Resource": resources}],
    }


@scenario(
    5,
    "iam-dynamodb-denied",
    "IAM policy change denies a service's role access to DynamoDB",
    "A PutRolePolicy drops the index ARN from a web role's policy; its GSI queries fail with AccessDenied.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    # The failing service is a small tier behind the shared load balancer, running on one instance;
    # the main web tier uses DynamoDB the same way, through its own role and table.
    svc, peer = acct.services[-1], acct.services[0]
    svc.instances = svc.instances[:1]
    svc.desired = svc.min_size = 1
    svc.max_size = rng.choice([1, 2])
    taken = rng.sample(TABLES, 2)
    table = Table(inc, f"{acct.product}-{taken[0]}", rng.choice(INDEXES), svc)
    other = Table(inc, f"{acct.product}-{taken[1]}", rng.choice(INDEXES), peer)
    policy_name = rng.choice(["dynamodb-access", "app-tables", f"{svc.name}-dynamodb", "ddb-rw"])
    peer_policy = rng.choice(["dynamodb-access", "app-tables", f"{peer.name}-dynamodb", "ddb-rw"])
    inc.protected.add(acct.role_arn(svc.role_name))
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)

    actor = rng.choice([*cloudtrail.people(inc, 3), cloudtrail.ci_actor(inc)])
    new_doc = _policy([table], with_indexes=False)
    change = _put_role_policy(inc, actor, w.onset, svc.role_name, policy_name, new_doc)
    inc.hop("inline policy loses the table's index ARNs", acct.role_arn(svc.role_name), w.onset)
    # IAM is eventually consistent: the new document is enforced within seconds.
    denied_from = w.onset + timedelta(seconds=rng.randrange(2, 15))

    query_share = rng.uniform(0.15, 0.4)  # requests that query the index
    rpm = traffic.rpm[svc.name]
    fail_i = w.index(denied_from)
    failing = [0.0 if i < fail_i else 1.0 for i in range(w.minutes)]
    first_fail = w.same_minute(denied_from, rng, (1, 20))
    _table_metrics(inc, traffic, table, query_share, failing)
    peer_share = rng.uniform(0.2, 0.5)
    _table_metrics(inc, traffic, other, peer_share, [0.0] * w.minutes)
    user_errors = inc.add(
        Series(
            "AWS/DynamoDB",
            "UserErrors",
            {},
            "Count",
            [
                float(poisson(rng, 0.4)) + (rpm[i] * query_share * failing[i] * rng.uniform(0.95, 1.05))
                for i in range(w.minutes)
            ],
            sparse=True,
            decimals=0,
        )
    )
    gsi = inc.get(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        TableName=table.name,
        GlobalSecondaryIndexName=table.index,
    )
    inc.hop("queries on the index stop reaching DynamoDB", table.arn, first_fail, gsi, -1)
    inc.hop(
        "AccessDeniedException counted as DynamoDB user errors",
        acct.role_arn(svc.role_name),
        first_fail,
        user_errors,
    )

    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    for i in range(fail_i, w.minutes):
        t5.values[i] = (t5.values[i] or 0) + float(round(rpm[i] * query_share * rng.uniform(0.93, 1.0)))
    inc.hop(f"{svc.name} answers the index queries with 5XX", svc.tg_arn, first_fail, t5)

    sts = f"arn:aws:sts::{acct.account_id}:assumed-role/{svc.role_name}"
    index_arn = f"{table.arn}/index/{table.index}"
    for i in range(fail_i, w.minutes):
        alive = svc.alive(w.at(i))
        for _ in range(min(poisson(rng, rpm[i] * query_share * 0.01), 12)):
            when = max(w.at(i) + timedelta(milliseconds=rng.randrange(60000)), denied_from)
            inst = rng.choice(alive)
            denial = (
                f"User: {sts}/{inst.id} is not authorized to perform: dynamodb:Query on resource: "
                f"{index_arn} because no identity-based policy allows the dynamodb:Query action"
            )
            message = rng.choice(
                [
                    f"botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when "
                    f"calling the Query operation: {denial}",
                    f"software.amazon.awssdk.services.dynamodb.model.DynamoDbException: {denial} "
                    f"(Service: DynamoDb, Status Code: 400, Request ID: {acct.ids.upper(52)})",
                ]
            )
            logs.app_line(inc, svc, inst, when, "ERROR", message)

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep.name != "dynamodb.Query" or inst.service is not svc or when < denied_from:
            return None
        return Outcome(fault=True, exception="AccessDeniedException", message=denial_for(inst), status=400)

    def denial_for(inst: Instance) -> str:
        return (
            f"User: {sts}/{inst.id} is not authorized to perform: dynamodb:Query on resource: {index_arn} "
            "because no identity-based policy allows the dynamodb:Query action"
        )

    def calls(share: float) -> list[Dependency]:
        return [
            Dependency("http", "dynamodb.GetItem", rng.uniform(3, 6), 0.7),
            Dependency("http", "dynamodb.Query", rng.uniform(5, 12), share),
        ]

    topic = assembly.background(
        inc,
        traffic,
        near=[
            "app_sg_monitoring_port",
            "target_group_attributes",
            "launch_template_version",
            "ssm_parameter",
        ],
        hook=hook,
        extra_deps=calls(peer_share),
    )
    # The framework gives table calls to the main tier only: draw the small tier's traces again with its own.
    name = f"{acct.product}-{svc.name}"
    inc.traces = [t for t in inc.traces if t["name"] != name]
    traces.request_traces(
        inc, traffic, svc, traces.dependencies(inc, svc) + calls(query_share), hook, per_minute=1.0
    )
    _dynamodb_subsegments(inc, {name: table, f"{acct.product}-{peer.name}": other})
    peer_doc = _peer_role_change(inc, peer.role_name, other, peer_policy)

    inc.extra_resources += [
        {"service": "dynamodb", "type": "TableDescription", "item": table.item(inc)},
        {"service": "dynamodb", "type": "TableDescription", "item": other.item(inc)},
        _inline(svc.role_name, policy_name, new_doc),
        _inline(peer.role_name, peer_policy, peer_doc),
    ]
    for role in (svc.role_name, peer.role_name):
        for managed in ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"):
            inc.extra_resources.append(
                {
                    "service": "iam",
                    "type": "RoleAttachedPolicy",
                    "item": {
                        "RoleName": role,
                        "PolicyName": managed,
                        "PolicyArn": f"arn:aws:iam::aws:policy/{managed}",
                    },
                }
            )

    assembly.standard_alarms(inc, topic)
    spec = AlarmSpec(
        f"{svc.tg_name}-target-5xx",
        t5,
        "Sum",
        60,
        float(rng.choice([5, 10, 20])),
        "GreaterThanThreshold",
        3,
        rng.choice([2, 3]),
        "notBreaching",
        f"{svc.name} targets are returning 5XX",
    )
    transitions = alarm_lib.add_alarm(inc, spec, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, table=table.name
    )
    assembly.alarm_trigger(inc, spec, transitions, w.onset, question if rng.random() < 0.6 else None)
    inc.title = f"{svc.name} 5XX: its role may no longer query {table.name}'s index"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=acct.role_arn(svc.role_name),
            category="change",
            failure_mode="iam-policy-change-denies-access",
            event_id=change["eventID"],
        ),
        also_accept=[],
        actions=["rollback"],
        chain=[
            f"PutRolePolicy {policy_name} on {svc.role_name} keeps {table.name} but drops {table.arn}/index/*",
            f"dynamodb:Query on index {table.index} is denied (AccessDeniedException) for {svc.name}",
            f"{svc.name} requests that query the index fail with 5XX; GetItem/PutItem keep working",
        ],
    )
    return inc


def _inline(role: str, name: str, doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "service": "iam",
        "type": "RoleInlinePolicy",
        "item": {"RoleName": role, "PolicyName": name, "PolicyDocument": doc},
    }


def _put_role_policy(
    inc: Incident, actor: cloudtrail.Actor, when: datetime, role: str, name: str, doc: dict[str, Any]
) -> dict[str, Any]:
    rec = cloudtrail.record(
        inc,
        actor,
        when,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {"roleName": role, "policyName": name, "policyDocument": json.dumps(doc)},
        None,
    )
    # IAM is global: CloudTrail records its calls in us-east-1, through the global endpoint.
    rec["awsRegion"] = "us-east-1"
    if "tlsDetails" in rec:
        rec["tlsDetails"]["clientProvidedHostHeader"] = "iam.amazonaws.com"
    return rec


def _peer_role_change(inc: StorageIncident, role: str, table: Table, name: str) -> dict[str, Any]:
    """An innocent IAM edit near the onset: the other tier's table policy gains a statement for its
    export bucket. Returns the role's new policy document."""
    rng, w = inc.rng, inc.window
    doc = _policy([table], with_indexes=True)
    bucket = f"{inc.account.product}-{rng.choice(['exports', 'reports', 'assets'])}-{inc.account.ids.hex(6)}"
    doc["Statement"].append(
        {
            "Sid": "ExportBucket",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject"],
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
    )
    when = w.onset + timedelta(seconds=rng.choice([-1, 1]) * rng.randrange(120, 40 * 60))
    actor = rng.choice([*cloudtrail.people(inc, 2), cloudtrail.ci_actor(inc)])
    _put_role_policy(inc, actor, min(when, w.now - timedelta(minutes=2)), role, name, doc)
    return doc


def _table_metrics(
    inc: Incident, traffic: Traffic, table: Table, query_share: float, failing: list[float]
) -> None:
    """Consumed capacity and request latency of a table and its index, driven by the owner's traffic."""
    rng, w = inc.rng, inc.window
    rpm = traffic.rpm[table.owner.name]
    rcu_per_get, rcu_per_query = rng.uniform(0.5, 1.0), rng.uniform(2, 8)
    wcu_per_req = rng.uniform(0.2, 0.6)
    base = {"TableName": table.name}
    idx = {"TableName": table.name, "GlobalSecondaryIndexName": table.index}
    reads: list[float | None] = []
    index_reads: list[float | None] = []
    writes: list[float | None] = []
    get_lat: list[float | None] = []
    query_lat: list[float | None] = []
    for i in range(w.minutes):
        ok = 1 - failing[i]
        reads.append(rpm[i] * 0.7 * rcu_per_get * (1 + rng.gauss(0, 0.05)))
        index_reads.append(rpm[i] * query_share * ok * rcu_per_query * (1 + rng.gauss(0, 0.06)))
        writes.append(rpm[i] * wcu_per_req * (1 + rng.gauss(0, 0.05)))
        get_lat.append(rng.lognormvariate(0, 0.15) * 3.2)
        query_lat.append(rng.lognormvariate(0, 0.2) * 7.5 if ok else None)
    inc.add(Series("AWS/DynamoDB", "ConsumedReadCapacityUnits", base, "Count", reads, resource=table.arn))
    inc.add(Series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", base, "Count", writes, resource=table.arn))
    inc.add(
        Series("AWS/DynamoDB", "ConsumedReadCapacityUnits", idx, "Count", index_reads, resource=table.arn)
    )
    inc.add(
        Series(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**base, "Operation": "GetItem"},
            "Milliseconds",
            get_lat,
            resource=table.arn,
        )
    )
    inc.add(
        Series(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**base, "Operation": "Query"},
            "Milliseconds",
            query_lat,
            resource=table.arn,
        )
    )


def _dynamodb_subsegments(inc: Incident, tables: dict[str, Table]) -> None:
    """Render the DynamoDB calls as the X-Ray SDK records AWS calls (namespace aws, 4xx as error)."""
    for trace in inc.traces:
        table = tables.get(trace["name"])
        for sub in trace.get("subsegments", []):
            name = sub.get("name", "")
            if table is None or not name.startswith("dynamodb."):
                continue
            operation = name.split(".", 1)[1]
            denied = bool(sub.pop("fault", False))
            sub["name"] = "DynamoDB"
            sub["namespace"] = "aws"
            sub["aws"] = {
                "operation": operation,
                "region": inc.account.region,
                "request_id": inc.account.ids.upper(52),
                "retries": 0,
                "table_name": table.name,
                "resource_names": [table.name],
            }
            sub["http"] = {"response": {"status": 400 if denied else 200}}
            if denied:
                sub["error"] = True
