"""Private helpers for author H's fresh incidents (built on author B's kit: Kit, Net, Alb, trail, alarms)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from evals.suites.fresh._kit_b import (
    AGENT_CONSOLE,
    AGENT_TF,
    Kit,
    Net,
    iso,
    iso_ms,
    name_tags,
)

J = dict[str, Any]
UPPER_NUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# Gateway-endpoint prefix lists are fixed per region.
PREFIX_LISTS = {
    "us-east-1": {"s3": "pl-63a5400a", "dynamodb": "pl-02cd2c6b"},
    "us-east-2": {"s3": "pl-7ba54012", "dynamodb": "pl-4ca54025"},
    "us-west-2": {"s3": "pl-68a54001", "dynamodb": "pl-00a54069"},
    "eu-west-1": {"s3": "pl-6da54004", "dynamodb": "pl-6fa54006"},
}

AGENT_JAVA_SDK = (
    "aws-sdk-java/2.25.60 Linux/6.1.90-99.173.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS "
    "Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard"
)


def ddb_request_id(kit: Kit) -> str:
    """DynamoDB's x-amzn-RequestId: 52 upper-case alphanumerics."""
    return "".join(kit.rng.choice(UPPER_NUM) for _ in range(52))


def ec2_request_wrap(action: str, body: J) -> J:
    """EC2's newer query APIs log their parameters as {ActionRequest: {...}}."""
    return {f"{action}Request": body}


def ec2_response_wrap(kit: Kit, action: str, request_id: str, body: J) -> J:
    return {
        f"{action}Response": {
            "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
            "requestId": request_id,
            **body,
        }
    }


def policy_text(doc: J) -> str:
    """A policy as AWS hands it back from DescribeVpcEndpoints (pretty-printed JSON text)."""
    return json.dumps(doc, indent=2)


def gateway_endpoint(
    kit: Kit,
    net: Net,
    service: str,
    *,
    route_tables: list[str],
    policy: J,
    created: datetime,
    name: str,
    extra_tags: dict[str, str] | None = None,
    vid: str = "",
) -> str:
    vid = vid or kit.ec2id("vpce")
    tags = name_tags(name, **(extra_tags or {}))
    kit.res(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": vid,
            "VpcEndpointType": "Gateway",
            "VpcId": net.vpc_id,
            "ServiceName": f"com.amazonaws.{kit.region}.{service}",
            "State": "available",
            "PolicyDocument": policy_text(policy),
            "RouteTableIds": route_tables,
            "SubnetIds": [],
            "Groups": [],
            "IpAddressType": "ipv4",
            "PrivateDnsEnabled": False,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [],
            "DnsEntries": [],
            "CreationTimestamp": iso_ms(created).replace("+0000", "Z"),
            "Tags": tags,
            "OwnerId": kit.account,
        },
    )
    return vid


def route_table(
    kit: Kit,
    net: Net,
    name: str,
    subnets: list[str],
    routes: list[J],
    *,
    main: bool = False,
) -> str:
    rid = kit.ec2id("rtb")
    assoc = [
        {
            "Main": False,
            "RouteTableAssociationId": kit.ec2id("rtbassoc"),
            "RouteTableId": rid,
            "SubnetId": s,
            "AssociationState": {"State": "associated"},
        }
        for s in subnets
    ]
    if main:
        assoc.append(
            {
                "Main": True,
                "RouteTableAssociationId": kit.ec2id("rtbassoc"),
                "RouteTableId": rid,
                "AssociationState": {"State": "associated"},
            }
        )
    kit.res(
        "ec2",
        "RouteTable",
        {
            "Associations": assoc,
            "PropagatingVgws": [],
            "RouteTableId": rid,
            "Routes": [
                {
                    "DestinationCidrBlock": net.cidr,
                    "GatewayId": "local",
                    "Origin": "CreateRouteTable",
                    "State": "active",
                },
                *routes,
            ],
            "Tags": name_tags(name),
            "VpcId": net.vpc_id,
            "OwnerId": kit.account,
        },
    )
    return rid


def iam_role(
    kit: Kit,
    name: str,
    *,
    service: str,
    created: datetime,
    desc: str,
    inline: dict[str, J] | None = None,
    managed: list[str] | None = None,
    last_used: datetime | None = None,
) -> str:
    arn = f"arn:aws:iam::{kit.account}:role/{name}"
    item: J = {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROA" + kit.upper(17),
        "Arn": arn,
        "CreateDate": iso(created),
        "AssumeRolePolicyDocument": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                ],
            },
            separators=(",", ":"),
        ),
        "Description": desc,
        "MaxSessionDuration": 3600,
        "Tags": [{"Key": "managed-by", "Value": "terraform"}],
    }
    if last_used:
        item["RoleLastUsed"] = {"LastUsedDate": iso(last_used), "Region": kit.region}
    kit.res("iam", "Role", item)
    for pname, doc in (inline or {}).items():
        kit.res("iam", "RoleInlinePolicy", {"RoleName": name, "PolicyName": pname, "PolicyDocument": doc})
    for parn in managed or []:
        kit.res(
            "iam",
            "RoleAttachedPolicy",
            {"RoleName": name, "PolicyName": parn.rsplit("/", 1)[-1], "PolicyArn": parn},
        )
    return arn


def ddb_table(
    kit: Kit,
    name: str,
    *,
    pk: str,
    sk: str | None,
    attrs: dict[str, str],
    gsis: list[tuple[str, str, str | None]] | None = None,
    created: datetime,
    items: int,
    avg_item_bytes: int,
    stream: bool = False,
) -> str:
    """An on-demand table. `gsis` are (index name, hash key, range key)."""
    arn = kit.arn("dynamodb", f"table/{name}")
    keys = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk:
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
    item: J = {
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": v} for k, v in attrs.items()],
        "TableName": name,
        "KeySchema": keys,
        "TableStatus": "ACTIVE",
        "CreationDateTime": iso(created),
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0,
            "WriteCapacityUnits": 0,
        },
        "TableSizeBytes": items * avg_item_bytes,
        "ItemCount": items,
        "TableArn": arn,
        "TableId": kit.uuid(),
        "BillingModeSummary": {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": iso(created),
        },
        "SSEDescription": {
            "Status": "ENABLED",
            "SSEType": "KMS",
            "KMSMasterKeyArn": kit.arn("kms", f"key/{kit.uuid()}"),
        },
        "TableClassSummary": {"TableClass": "STANDARD"},
        "DeletionProtectionEnabled": True,
    }
    if gsis:
        item["GlobalSecondaryIndexes"] = [
            {
                "IndexName": iname,
                "KeySchema": [{"AttributeName": h, "KeyType": "HASH"}]
                + ([{"AttributeName": r, "KeyType": "RANGE"}] if r else []),
                "Projection": {"ProjectionType": "ALL"},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "IndexSizeBytes": int(items * avg_item_bytes * 0.97),
                "ItemCount": items,
                "IndexArn": f"{arn}/index/{iname}",
            }
            for iname, h, r in gsis
        ]
    if stream:
        label = f"{created:%Y-%m-%dT%H:%M:%S}.{kit.rng.randint(100, 999)}"
        item["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        item["LatestStreamLabel"] = label
        item["LatestStreamArn"] = f"{arn}/stream/{label}"
    kit.res("dynamodb", "TableDescription", item)
    return arn


def ddb_op_metrics(
    kit: Kit,
    table: str,
    op: str,
    rate: Callable[[datetime], float],
    latency_ms: Callable[[datetime], tuple[float, float]],
    *,
    returned: float | None = None,
) -> None:
    """SuccessfulRequestLatency (and ReturnedItemCount for reads) of one table operation.

    `rate` is successful requests a minute; minutes with none publish nothing, as DynamoDB does."""
    dims = {"TableName": table, "Operation": op}

    def lat(t: datetime) -> tuple[float, float] | None:
        return latency_ms(t) if rate(t) >= 0.5 else None

    kit.dist("AWS/DynamoDB", "SuccessfulRequestLatency", dims, "Milliseconds", lat, samples=rate, digits=2)
    if returned is not None:
        per = returned
        kit.series(
            "AWS/DynamoDB",
            "ReturnedItemCount",
            dims,
            "Count",
            lambda t: kit.jitter(rate(t) * per, 0.08) if rate(t) >= 0.5 else None,
            digits=0,
        )


def spring_exception(
    head: str, frames: list[str], caused: list[tuple[str, list[str], int]] | None = None
) -> str:
    """A Java stack trace as logback prints it (tab-indented frames, '... N more')."""
    lines = [head, *(f"\tat {f}" for f in frames)]
    for cause, cframes, more in caused or []:
        lines.append(f"Caused by: {cause}")
        lines.extend(f"\tat {f}" for f in cframes)
        if more:
            lines.append(f"\t... {more} more")
    return "\n".join(lines)


def xray_id(kit: Kit) -> str:
    return kit.hex(16)


def terraform_agent(api: str) -> str:
    return AGENT_TF.format(api=api)


def console_agent() -> str:
    return AGENT_CONSOLE


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


__all__ = [
    "AGENT_JAVA_SDK",
    "PREFIX_LISTS",
    "UPPER_NUM",
    "console_agent",
    "ddb_op_metrics",
    "ddb_request_id",
    "ddb_table",
    "ec2_request_wrap",
    "ec2_response_wrap",
    "gateway_endpoint",
    "iam_role",
    "minutes",
    "policy_text",
    "route_table",
    "spring_exception",
    "terraform_agent",
    "xray_id",
]


def drop_series(kit: Kit, ns: str, metric: str) -> None:
    """Forget every datapoint of one metric (to re-emit it with a different shape)."""
    kit.records["metrics"] = [
        r for r in kit.records["metrics"] if not (r["namespace"] == ns and r["metric"] == metric)
    ]
    for key in [k for k in kit._series if json.loads(k)[:2] == [ns, metric]]:
        del kit._series[key]


_QS = (0.5, 0.75, 0.9, 0.97, 0.995)
_WS = (0.5, 0.25, 0.15, 0.07, 0.03)


def mix_dist(
    kit: Kit,
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    parts: Callable[[datetime], list[tuple[float, float, float]]],
    samples: Callable[[datetime], float],
    *,
    digits: int = 4,
) -> None:
    """A distribution made of lognormal parts (median, spread, weight), as values+counts per grid step."""
    import math

    from evals.suites.fresh._kit_b import _z

    for t, width in kit.grid():
        n = max(1.0, samples(t) * width)
        acc: dict[float, float] = {}
        for med, spread, weight in parts(t):
            if weight <= 0:
                continue
            for q, w in zip(_QS, _WS, strict=True):
                v = round(med * math.exp(spread * _z(q)) * (1 + kit.rng.gauss(0, 0.03)), digits)
                v = max(v, 10**-digits)
                c = round(n * weight * w)
                if c >= 1:
                    acc[v] = acc.get(v, 0.0) + float(c)
        if not acc:
            continue
        values = sorted(acc)
        kit.datum(ns, metric, dims, t, unit, values=values, counts=[acc[v] for v in values])
