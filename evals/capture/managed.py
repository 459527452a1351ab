"""Describers for managed services around an incident: Secrets Manager secrets (metadata and version
stages, never values), S3 bucket policies and public-access settings (never objects), Step Functions
state machines and executions (never their input or output), Kinesis streams with their shards and
consumers (never records), ElastiCache replication groups and clusters with their parameter groups,
Route 53 hosted zones and their record sets, ACM certificates (metadata, never the certificate or its
key), and the neighbours each one names."""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from evals.bundle.shapes import shape
from evals.capture.inventory import Inventory
from evals.capture.reader import Reader
from tools.buckets import read_bucket
from tools.dns import MAX_SCANNED_ZONES, ZONE_ID, plain
from tools.errors import classify
from tools.policies import parse_policy
from tools.workflows import calls_of

SOURCE = "resources"
MAX_VERSIONS = 100  # secret versions kept per secret (one page)
MAX_SHARDS = 1000  # shards kept per stream
MAX_CONSUMERS = 100  # enhanced fan-out consumers kept per stream
MAX_CACHE_PARAMETERS = 500  # parameters kept per cache parameter group
MAX_ZONES = 100  # hosted zones kept
MAX_RECORD_SETS = 1000  # record sets kept per hosted zone
MAX_EXECUTIONS = 100  # latest executions kept per state machine (one page)
MAX_FAILED = 10  # failed executions described (for their error and cause) per state machine
_PAYLOAD = ("input", "inputDetails", "output", "outputDetails")

_ENTRY_FIELDS = frozenset(shape("secretsmanager", "SecretListEntry").members)
_RDS_ARN = re.compile(r"arn:aws[a-z-]*:rds:[\w-]+:\d{12}:(db|cluster):(.+)")


def secrets(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """Secrets by name or ARN, with their versions' stages, their rotation function and their database."""
    for ref in refs:
        found = reader.call(SOURCE, "secretsmanager", "DescribeSecret", ref, SecretId=ref)
        if not found:
            continue
        # DescribeSecret's answer is a SecretListEntry but for the name of the stage map
        entry = {k: v for k, v in found.items() if k in _ENTRY_FIELDS}
        if found.get("VersionIdsToStages"):
            entry["SecretVersionsToStages"] = found["VersionIdsToStages"]
        if not inv.add("secretsmanager", "SecretListEntry", entry):
            continue
        inv.names.add(found["Name"])
        versions, _ = reader.pages(
            SOURCE,
            "secretsmanager",
            "ListSecretVersionIds",
            "Versions",
            max_items=MAX_VERSIONS,
            target=ref,
            SecretId=found["ARN"],
            IncludeDeprecated=True,
            MaxResults=MAX_VERSIONS,
        )
        for v in versions:
            inv.add("secretsmanager", "SecretVersion", {"SecretId": found["ARN"], **v})
        rotator = str(found.get("RotationLambdaARN") or "")
        if ":function:" in rotator:
            inv.want("lambda", [rotator.split(":function:")[1].split(":")[0]])
        for tag in found.get("Tags", []):
            db = _RDS_ARN.fullmatch(str(tag.get("Value", "")))
            if db and str(tag.get("Key", "")).startswith("aws:rds:"):
                inv.want("rds_instance" if db.group(1) == "db" else "rds_cluster", [db.group(2)])


def buckets(reader: Reader, inv: Inventory, names: list[str]) -> None:
    """Buckets' policies and public-access blocks, and the VPC endpoints and VPCs their policies name."""
    for name in names:
        try:
            policy, block = read_bucket(reader.aws.call, name)
        except ClientError as exc:
            failure = classify(exc)
            code = failure.code if failure else type(exc).__name__
            reader.report.gap(
                SOURCE, "s3:GetBucketPolicy", code, (failure.message if failure else str(exc))[:300], name
            )
            continue
        inv.add("s3", "Bucket", {"Name": name})
        if block:
            inv.add(
                "s3", "BucketPublicAccessBlock", {"Bucket": name, **block["PublicAccessBlockConfiguration"]}
            )
        if not policy:
            continue
        inv.add("s3", "BucketPolicy", {"Bucket": name, "Policy": policy["Policy"]})
        statements, _ = parse_policy(policy["Policy"])
        for s in statements:
            for _, key, values in s.network_tests():
                if key == "aws:sourcevpce":
                    inv.want("vpc_endpoint", [v for v in values if v.startswith("vpce-")])
                elif key == "aws:sourcevpc":
                    inv.want("vpc", [v for v in values if v.startswith("vpc-")])


def state_machines(reader: Reader, inv: Inventory, arns: list[str]) -> None:
    """State machines with their latest executions (the failed ones with error and cause), and what
    their Task states call."""
    execution_fields = frozenset(shape("stepfunctions", "DescribeExecutionOutput").members) - set(_PAYLOAD)
    for arn in arns:
        found = reader.call(SOURCE, "stepfunctions", "DescribeStateMachine", arn, stateMachineArn=arn)
        if not found:
            continue
        if not inv.add(
            "stepfunctions",
            "DescribeStateMachineOutput",
            {k: v for k, v in found.items() if k != "ResponseMetadata"},
        ):
            continue
        inv.names.add(found["name"])
        for kind, ref in calls_of(found.get("definition")):
            if kind == "function":
                inv.want("lambda", [ref.split(":function:")[-1].split(":")[0]])
            elif kind == "queue":
                inv.want("sqs_queue", [ref])
            elif kind == "topic":
                inv.want("sns_topic", [ref])
            elif kind == "table":
                inv.want("dynamodb", [ref.split("/")[-1]])
            elif kind == "state_machine":
                inv.want("state_machine", [ref])
        if found.get("type") == "EXPRESS":
            continue  # express executions are only in CloudWatch Logs
        page = reader.call(
            SOURCE, "stepfunctions", "ListExecutions", arn, stateMachineArn=arn, maxResults=MAX_EXECUTIONS
        )
        failed = 0
        for e in (page or {}).get("executions", []):
            item = {k: v for k, v in e.items() if k in execution_fields}
            if e["status"] in ("FAILED", "TIMED_OUT", "ABORTED") and failed < MAX_FAILED:
                failed += 1
                described = reader.call(
                    SOURCE,
                    "stepfunctions",
                    "DescribeExecution",
                    e["executionArn"],
                    executionArn=e["executionArn"],
                    includedData="METADATA_ONLY",
                )
                item = {k: v for k, v in (described or item).items() if k in execution_fields}
            inv.add("stepfunctions", "DescribeExecutionOutput", item)


def streams(reader: Reader, inv: Inventory, refs: list[str]) -> list[str]:
    """Kinesis streams by name or ARN, with their shards and consumers; returns the ARNs described."""
    described = []
    for ref in refs:
        key = {"StreamARN": ref} if ref.startswith("arn:") else {"StreamName": ref}
        page = reader.call(SOURCE, "kinesis", "DescribeStreamSummary", ref, **key)
        if not page:
            continue
        summary = page["StreamDescriptionSummary"]
        if not inv.add("kinesis", "StreamDescriptionSummary", summary):
            continue
        arn, name = summary["StreamARN"], summary["StreamName"]
        inv.names.add(name)
        described.append(arn)
        shards: list[dict[str, Any]] = []
        listed = reader.call(SOURCE, "kinesis", "ListShards", ref, StreamARN=arn)
        while listed:  # a token names the stream on its own: it goes alone
            shards += listed.get("Shards", [])
            if not listed.get("NextToken") or len(shards) >= MAX_SHARDS:
                break
            listed = reader.call(SOURCE, "kinesis", "ListShards", ref, NextToken=listed["NextToken"])
        for shard in shards[:MAX_SHARDS]:
            inv.add("kinesis", "StreamShard", {"StreamName": name, **shard})
        consumers, _ = reader.pages(
            SOURCE,
            "kinesis",
            "ListStreamConsumers",
            "Consumers",
            max_items=MAX_CONSUMERS,
            target=ref,
            StreamARN=arn,
        )
        for c in consumers:
            inv.add("kinesis", "ConsumerDescription", {**c, "StreamARN": arn})
    return described


def caches(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """ElastiCache replication groups or clusters by id, with their member clusters (nodes included),
    parameter groups and parameters, and security groups."""
    for ref in refs:
        ident = ref.lower()
        with reader.guessing():  # a replication group's id, else a cluster's
            groups = reader.call(
                SOURCE, "elasticache", "DescribeReplicationGroups", ref, ReplicationGroupId=ident
            )
        clusters: list[str] = []
        for group in (groups or {}).get("ReplicationGroups", []):
            if inv.add("elasticache", "ReplicationGroup", group):
                inv.names.add(group["ReplicationGroupId"])
                clusters += group.get("MemberClusters", [])
        if not groups:
            clusters = [ident]
        for cid in clusters:
            page = reader.call(
                SOURCE,
                "elasticache",
                "DescribeCacheClusters",
                ref,
                CacheClusterId=cid,
                ShowCacheNodeInfo=True,
            )
            for c in (page or {}).get("CacheClusters", []):
                if not inv.add("elasticache", "CacheCluster", c):
                    continue
                inv.names.add(c["CacheClusterId"])
                inv.want("security_group", [g.get("SecurityGroupId") for g in c.get("SecurityGroups", [])])
                _parameter_group(
                    reader, inv, (c.get("CacheParameterGroup") or {}).get("CacheParameterGroupName")
                )


def _parameter_group(reader: Reader, inv: Inventory, name: str | None) -> None:
    if not name or any(
        g["CacheParameterGroupName"] == name for g in inv.items("elasticache", "CacheParameterGroup")
    ):
        return
    page = reader.call(
        SOURCE, "elasticache", "DescribeCacheParameterGroups", name, CacheParameterGroupName=name
    )
    for g in (page or {}).get("CacheParameterGroups", []):
        inv.add("elasticache", "CacheParameterGroup", g)
    params, more = reader.pages(
        SOURCE,
        "elasticache",
        "DescribeCacheParameters",
        "Parameters",
        max_items=MAX_CACHE_PARAMETERS,
        target=name,
        in_token="Marker",
        out_token="Marker",
        CacheParameterGroupName=name,
    )
    if more:
        reader.report.cut(SOURCE, f"parameters of cache parameter group {name}", MAX_CACHE_PARAMETERS)
    for p in params:
        inv.add("elasticache", "CacheParameterGroupParameter", {"CacheParameterGroupName": name, **p})


def _hosted_zones(reader: Reader, inv: Inventory) -> list[dict[str, Any]]:
    """The account's hosted zones (metadata), listed once per capture."""
    if "route53:ListHostedZones" not in inv.listed:
        inv.listed.add("route53:ListHostedZones")
        zones, more = reader.pages(
            SOURCE,
            "route53",
            "ListHostedZones",
            "HostedZones",
            max_items=MAX_ZONES,
            in_token="Marker",
            out_token="NextMarker",
        )
        if more:
            reader.report.cut(SOURCE, "hosted zones", MAX_ZONES)
        for z in zones:
            inv.add("route53", "HostedZone", z)
    return inv.items("route53", "HostedZone")


def _zone_records(reader: Reader, inv: Inventory, zone: dict[str, Any]) -> None:
    zid = zone["Id"].rsplit("/", 1)[-1]
    if any(r["HostedZoneId"] == zid for r in inv.items("route53", "ZoneRecordSet")):
        return
    out: list[dict[str, Any]] = []
    start: dict[str, Any] = {}
    while len(out) < MAX_RECORD_SETS:
        page = reader.call(
            SOURCE, "route53", "ListResourceRecordSets", zid, HostedZoneId=zid, MaxItems="300", **start
        )
        if page is None:
            break
        out += page.get("ResourceRecordSets", [])
        if not page.get("IsTruncated"):
            break
        start = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"]}
        if page.get("NextRecordIdentifier"):
            start["StartRecordIdentifier"] = page["NextRecordIdentifier"]
    else:
        reader.report.cut(SOURCE, f"record sets of hosted zone {zid}", MAX_RECORD_SETS)
    for r in out[:MAX_RECORD_SETS]:
        inv.add("route53", "ZoneRecordSet", {"HostedZoneId": zid, **r})


def dns(reader: Reader, inv: Inventory, refs: list[str]) -> None:
    """Hosted zones by id, or the zones holding DNS names, with their record sets."""
    zones = _hosted_zones(reader, inv)
    for ref in refs:
        zone_id = ZONE_ID.fullmatch(ref)
        wanted = plain(ref)
        if zone_id:
            held = [z for z in zones if z["Id"].rsplit("/", 1)[-1] == zone_id.group(1)]
        else:
            best = [z for z in zones if wanted == plain(z["Name"]) or wanted.endswith("." + plain(z["Name"]))]
            longest = max((len(plain(z["Name"])) for z in best), default=0)
            held = [z for z in best if len(plain(z["Name"])) == longest]
        for zone in held:
            _zone_records(reader, inv, zone)


def dns_around_balancers(reader: Reader, inv: Inventory) -> None:
    """The record sets of the account's first zones when the capture holds load balancers: the graph
    reads them to find the names that send clients to each balancer."""
    if not inv.items("elbv2", "LoadBalancer"):
        return
    for zone in _hosted_zones(reader, inv)[:MAX_SCANNED_ZONES]:
        _zone_records(reader, inv, zone)


def certificates(reader: Reader, inv: Inventory, arns: list[str]) -> None:
    """ACM certificates by ARN: names, status, validity, renewal and what uses them."""
    for arn in arns:
        page = reader.call(SOURCE, "acm", "DescribeCertificate", arn, CertificateArn=arn)
        if page:
            inv.add("acm", "CertificateDetail", page["Certificate"])
