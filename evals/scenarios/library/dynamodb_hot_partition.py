"""#11 DynamoDB throttles one hot partition key, with no change anywhere.

A flash sale (or one huge tenant) concentrates the web tier's writes on a single item of a table
whose items for that key are large. A partition serves at most 1,000 WCU per second, so writes to
that key are throttled although the table as a whole uses a fraction of its capacity. SDK retries
add latency; the writes that exhaust them fail and the web tier answers 5XX. Nobody changed
anything: capacity, code and IAM are as they were yesterday.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Service, iso
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library._extra_resources import ExtendedIncident, latency_alarm, new_incident, series
from evals.scenarios.registry import scenario
from evals.scenarios.series import daily_curve, noisy, ramp

QUESTIONS = [
    "Checkout on {product} fails for some customers since {t}. Traffic is up a bit but nothing was deployed.",
    "{svc} 5XX since {t}. DynamoDB capacity looks fine, what is going on?",
    "Why are some {svc} requests failing since {t}?",
]
# Tables a shop's web tier writes to; any of them can hold the key that turns hot.
TABLES = [
    ("stock-levels", "sku"),
    ("inventory-counters", "item_id"),
    ("carts", "cart_id"),
    ("campaign-stats", "campaign_id"),
    ("offers", "offer_id"),
    ("reservations", "listing_id"),
    ("sessions", "session_id"),
    ("user-prefs", "user_id"),
    ("tenant-usage", "tenant_id"),
]
PARTITION_WCU = 1000.0  # per partition, per second
ON_DEMAND = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling "
    "your table or index so please try again shortly. If exceptions persist, check if you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)
PROVISIONED = (
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
    "provisioning level with the UpdateTable API."
)


@scenario(
    11,
    "dynamodb-hot-partition",
    "DynamoDB hot partition throttling with no change",
    "Writes concentrate on one partition key; it is throttled while the table is far below its capacity.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    traffic = Traffic.draw(inc, peak_rpm=(4000, 12000))
    onset_i = w.index(w.onset)
    # The sale brings somewhat more traffic, most of it to one item.
    bump = rng.uniform(0.1, 0.3)
    rise = rng.randrange(3, 10)
    rpm = traffic.rpm[svc.name]
    for i in range(onset_i, w.minutes):
        rpm[i] *= 1 + bump * ramp(i - onset_i + 1, rise)
    build_baseline(inc, traffic)

    drawn = [_table(inc, name, k) for name, k in rng.sample(TABLES, rng.randrange(2, 4))]
    table = rng.choice(drawn)
    key = table["KeySchema"][0]["AttributeName"]
    others = [t for t in drawn if t is not table]
    on_demand = table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    inc.protected.add(table["TableArn"])

    # Writes per request on the hot item, and its size in KB (WCU per write).
    hot_share = rng.uniform(0.25, 0.5)
    peak_writes = rpm[min(w.minutes - 1, onset_i + rise)] / 60 * hot_share
    demand_ratio = rng.uniform(1.3, 2.4)
    item_kb = max(2, math.ceil(PARTITION_WCU * demand_ratio / peak_writes))
    hot_wcu = [0.0] * w.minutes
    for i in range(w.minutes):
        share = hot_share * ramp(i - onset_i + 1, rise) if i >= onset_i else hot_share * 0.02
        hot_wcu[i] = rpm[i] / 60 * share * item_kb
    throttled = [max(0.0, 1 - PARTITION_WCU / h) if h > 0 else 0.0 for h in hot_wcu]
    first = next(i for i in range(onset_i, w.minutes) if throttled[i] > 0)
    retries = rng.choice([3, 10])  # the SDK's retry budget (standard mode 3, legacy 10)
    _table_metrics(inc, traffic, table, hot_wcu, throttled, retries, item_kb)
    for other in others:
        _table_metrics(inc, traffic, other, [0.0] * w.minutes, [0.0] * w.minutes, retries, 1)
    dims = {"TableName": table["TableName"]}
    throttle_series = inc.get("AWS/DynamoDB", "WriteThrottleEvents", **dims)
    inc.hop("writes to one partition key throttled", table["TableArn"], w.at(first), throttle_series)

    # Requests whose write exhausted the retries fail; the others wait for the backoff.
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    failing = [0.0] * w.minutes
    for i in range(first, w.minutes):
        failing[i] = throttled[i] ** (1 + retries / 4)
        hot_requests = rpm[i] * hot_share
        t5.values[i] = (t5.values[i] or 0) + float(poisson(rng, hot_requests * failing[i]))
        backoff = 0.05 * (2 ** min(retries, 6)) * throttled[i]
        lat.values[i] = (lat.values[i] or 0.1) + hot_share * backoff * rng.uniform(0.8, 1.2)
    refresh_alb_latency(inc, traffic)
    inc.hop("web tier 5XX rise", svc.tg_arn, w.same_minute(w.at(first), rng, (2, 40)), t5)

    topic = assembly.background(
        inc, traffic, near=["function_memory", "target_group_attributes", "ssm_parameter", "db_tags"]
    )
    _table_tag_change(inc, table)
    error = ON_DEMAND if on_demand else PROVISIONED
    _traces(inc, svc, table, hot_share, throttled, failing, retries, error)
    for other in others:
        _traces(inc, svc, other, rng.uniform(0.1, 0.4), [0.0] * w.minutes, [0.0] * w.minutes, retries, error)
    _app_logs(inc, svc, traffic, table["TableName"], hot_share, failing, retries, error, first)
    alarms = assembly.standard_alarms(inc, topic, replace={"latency": latency_alarm(inc, svc)})
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "latency", "elb_5xx"], w.at(first), question)
    inc.title = f"{svc.name} errors: hot partition in {table['TableName']}"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=table["TableArn"], category="limit", failure_mode="dynamodb-hot-partition-throttling"
        ),
        also_accept=[],
        actions=["reconfigure", "block"],
        chain=[
            f"writes concentrate on one {key} of {table['TableName']} ({item_kb} KB items, "
            f"~{max(hot_wcu):.0f} WCU/s against the {PARTITION_WCU:.0f} WCU/s partition limit)",
            f"{table['TableName']} throttles that key (WriteThrottleEvents) while the table stays far below "
            "its capacity",
            f"{svc.name} writes that exhaust their {retries} retries fail; {svc.name} returns 5XX and slows down",
        ],
    )
    return inc


def _table(inc: ExtendedIncident, base: str, key: str) -> dict[str, Any]:
    rng, acct = inc.rng, inc.account
    name = acct.name(base, hyphens=rng.random() < 0.7)
    created = acct.created + timedelta(days=rng.randrange(1, 60), seconds=rng.randrange(86400))
    on_demand = rng.random() < 0.5
    item: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "TableName": name,
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "TableStatus": "ACTIVE",
        "CreationDateTime": iso(created),
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0 if on_demand else rng.choice([2000, 4000, 6000]),
            "WriteCapacityUnits": 0 if on_demand else rng.choice([3000, 5000, 8000]),
        },
        "TableSizeBytes": rng.randrange(10**8, 10**11),
        "ItemCount": rng.randrange(10**5, 10**8),
        "TableArn": f"arn:aws:dynamodb:{acct.region}:{acct.account_id}:table/{name}",
        "TableId": acct.ids.uuid(),
        "BillingModeSummary": {
            "BillingMode": "PAY_PER_REQUEST" if on_demand else "PROVISIONED",
            "LastUpdateToPayPerRequestDateTime": iso(created),
        },
        "DeletionProtectionEnabled": rng.random() < 0.6,
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS"},
        "TableClassSummary": {"TableClass": "STANDARD"},
    }
    if not on_demand:
        del item["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"]
    return inc.resource("dynamodb", "TableDescription", item)


def _table_metrics(
    inc: Incident,
    traffic: Traffic,
    table: dict[str, Any],
    hot_wcu: list[float],
    throttled: list[float],
    retries: int,
    item_kb: int,
) -> None:
    """Consumed capacity (only successful writes count), throttle events and request latency."""
    rng, w = inc.rng, inc.window
    name, arn = table["TableName"], table["TableArn"]
    on_demand = table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    dims = {"TableName": name}
    shape = daily_curve(w, peak_hour=rng.uniform(12, 16), amplitude=rng.uniform(0.3, 0.5))
    # Ordinary writes spread over many keys: a few hundred WCU/s at peak, summed per minute.
    writes = noisy(rng, shape, scale=rng.uniform(60, 300) * 60, noise=0.06)
    reads = noisy(rng, shape, scale=rng.uniform(200, 1500) * 60, noise=0.06)
    served = [min(h, PARTITION_WCU) * 60 for h in hot_wcu]
    consumed = [(v or 0.0) + s for v, s in zip(writes, served, strict=True)]
    # Each request over the limit counts as a throttle event, retried attempts included.
    attempts = [
        hot_wcu[i] * 60 * throttled[i] * (1 + min(retries, 4) * throttled[i]) for i in range(w.minutes)
    ]
    events = [a / item_kb for a in attempts]
    series(inc, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, "Count", list(consumed), arn, decimals=0)
    series(inc, "AWS/DynamoDB", "ConsumedReadCapacityUnits", dims, "Count", reads, arn, decimals=0)
    series(
        inc, "AWS/DynamoDB", "WriteThrottleEvents", dims, "Count", list(events), arn, decimals=0, sparse=True
    )
    series(
        inc,
        "AWS/DynamoDB",
        "WriteKeyRangeThroughputThrottleEvents",
        dims,
        "Count",
        list(events),
        arn,
        decimals=0,
        sparse=True,
    )
    series(
        inc,
        "AWS/DynamoDB",
        "ThrottledRequests",
        {**dims, "Operation": "UpdateItem"},
        "Count",
        [e / (1 + min(retries, 4)) for e in events],
        arn,
        decimals=0,
        sparse=True,
    )
    if not on_demand:
        for metric, field in (
            ("ProvisionedWriteCapacityUnits", "WriteCapacityUnits"),
            ("ProvisionedReadCapacityUnits", "ReadCapacityUnits"),
        ):
            value = float(table["ProvisionedThroughput"][field])
            series(inc, "AWS/DynamoDB", metric, dims, "Count", [value] * w.minutes, arn, decimals=0)
    for op, median in (("GetItem", rng.uniform(2.5, 5)), ("UpdateItem", rng.uniform(4, 9)), ("Query", 8.0)):
        series(
            inc,
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**dims, "Operation": op},
            "Milliseconds",
            [median * (1 + abs(rng.gauss(0, 0.15))) for _ in range(w.minutes)],
            arn,
        )


def _table_tag_change(inc: Incident, table: dict[str, Any]) -> None:
    """A cost-allocation tag put on the table shortly before the sale: innocent, and close by."""
    rng, w = inc.rng, inc.window
    person = rng.choice(cloudtrail.people(inc, 2))
    cloudtrail.record(
        inc,
        person,
        w.onset - timedelta(seconds=rng.randrange(-120, 1500)),
        "dynamodb.amazonaws.com",
        "TagResource",
        {
            "resourceArn": table["TableArn"],
            "tags": [
                {
                    "key": rng.choice(["CostCenter", "Owner", "DataClass"]),
                    "value": rng.choice(["cc-204", "team-a"]),
                }
            ],
        },
        None,
    )


def _traces(
    inc: Incident,
    svc: Service,
    table: dict[str, Any],
    hot_share: float,
    throttled: list[float],
    failing: list[float],
    retries: int,
    error: str,
) -> None:
    """The web tier's DynamoDB calls, added to its sampled traces as AWS SDK subsegments."""
    rng, w, acct = inc.rng, inc.window, inc.account
    name = f"{acct.product}-{svc.name}"
    for seg in inc.traces:
        if seg["name"] != name or rng.random() > hot_share:
            continue
        i = min(w.minutes - 1, int((seg["start_time"] - w.start.timestamp()) // 60))
        start = max([seg["start_time"], *(s["end_time"] for s in seg["subsegments"])])
        hit = rng.random() < throttled[i]
        fail = hit and rng.random() < failing[i] / max(throttled[i], 1e-9)
        attempts = retries + 1 if fail else (rng.randrange(1, retries + 1) + 1 if hit else 1)
        ms = rng.uniform(4, 12) + sum(rng.uniform(25, 50) * 2**k for k in range(attempts - 1))
        sub: dict[str, Any] = {
            "id": acct.ids.segment_id(),
            "name": "DynamoDB",
            "namespace": "aws",
            "start_time": round(start, 6),
            "end_time": round(start + ms / 1000, 6),
            "aws": {
                "operation": "UpdateItem",
                "region": acct.region,
                "request_id": acct.ids.upper(52),
                "retries": attempts - 1,
                "table_name": table["TableName"],
                "resource_names": [table["TableName"]],
            },
            "http": {"response": {"status": 400 if fail else 200}},
        }
        if fail:
            sub |= {"throttle": True, "error": True}
            sub["cause"] = {
                "exceptions": [
                    {
                        "id": acct.ids.segment_id(),
                        "type": "ProvisionedThroughputExceededException",
                        "message": error,
                        "remote": True,
                    }
                ]
            }
            seg |= {"fault": True}
            seg["http"]["response"]["status"] = 500
            seg.pop("error", None)
        seg["subsegments"].append(sub)
        seg["end_time"] = round(max(seg["end_time"], sub["end_time"]) + rng.uniform(0.001, 0.01), 6)


def _app_logs(
    inc: Incident,
    svc: Service,
    traffic: Traffic,
    table: str,
    hot_share: float,
    failing: list[float],
    retries: int,
    error: str,
    first: int,
) -> None:
    rng, w = inc.rng, inc.window
    for i in range(first, w.minutes):
        alive = svc.alive(w.at(i))
        expected = traffic.rpm[svc.name][i] * hot_share * failing[i]
        for _ in range(min(poisson(rng, expected), 12)):
            t = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
            logs.app_line(
                inc,
                svc,
                rng.choice(alive),
                t,
                "ERROR",
                f"UpdateItem on {table} failed after {retries} retries: ProvisionedThroughputExceededException: "
                f"{error} (Service: DynamoDb, Status Code: 400, Request ID: {inc.account.ids.upper(52)})",
            )
