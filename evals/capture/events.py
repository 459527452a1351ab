"""Timestamped platform events: scaling activities (EC2 and Application Auto Scaling), RDS and ElastiCache
events and AWS Health events.

ECS service events need no reads of their own (DescribeServices' items carry them), and target health
is read with the target groups (one timeline point per target, stamped at the capture's `now`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evals.capture.inventory import Inventory
from evals.capture.reader import Reader

MAX_ACTIVITIES = 200  # per Auto Scaling group
MAX_RDS_EVENTS = 2000
MAX_HEALTH_EVENTS = 100
HEALTH_BATCH = 10  # DescribeEventDetails and DescribeAffectedEntities take at most 10 event ARNs


def activities(reader: Reader, inv: Inventory, start: datetime) -> None:
    """Scaling activities of each captured group, newest first, back to the window's start."""
    for group in inv.items("autoscaling", "AutoScalingGroup"):
        name = group["AutoScalingGroupName"]
        token: str | None = None
        kept = 0
        while kept < MAX_ACTIVITIES:
            page = reader.call(
                "events",
                "autoscaling",
                "DescribeScalingActivities",
                name,
                AutoScalingGroupName=name,
                MaxRecords=100,
                **({"NextToken": token} if token else {}),
            )
            if page is None:
                break
            done = False
            for activity in page.get("Activities", []):
                if activity["StartTime"] < start or kept >= MAX_ACTIVITIES:
                    done = True
                    break
                inv.event("autoscaling", activity)
                kept += 1
            token = page.get("NextToken")
            if done or not token:
                break
    scalable_activities(reader, inv, start)


def scalable_activities(reader: Reader, inv: Inventory, start: datetime) -> None:
    """Application Auto Scaling activities of each captured scalable target, back to the window's start
    (not-scaled decisions included: "already at maximum" is the telling one)."""
    resources = {
        (t["ServiceNamespace"], t["ResourceId"])
        for t in inv.items("application-autoscaling", "ScalableTarget")
    }
    for namespace, resource in sorted(resources):
        found, _ = reader.pages(
            "events",
            "application-autoscaling",
            "DescribeScalingActivities",
            "ScalingActivities",
            max_items=MAX_ACTIVITIES,
            target=resource,
            ServiceNamespace=namespace,
            ResourceId=resource,
            IncludeNotScaledActivities=True,
        )
        for activity in found:
            if activity["StartTime"] >= start:
                inv.event("application_autoscaling", activity)


def rds_events(reader: Reader, inv: Inventory, start: datetime, end: datetime) -> None:
    """Every RDS event of the account in the window (RDS keeps 14 days of them)."""
    events, more = reader.pages(
        "events",
        "rds",
        "DescribeEvents",
        "Events",
        max_items=MAX_RDS_EVENTS,
        in_token="Marker",
        out_token="Marker",
        StartTime=start,
        EndTime=end,
        MaxRecords=100,
    )
    if more:
        reader.report.cut("events", "RDS events in the window; kept the oldest", len(events))
    for event in events:
        inv.event("rds", event)


def elasticache_events(reader: Reader, inv: Inventory, start: datetime, end: datetime) -> None:
    """ElastiCache events in the window (failovers, node replacements, parameter changes), when the
    capture found caches (ElastiCache keeps 14 days of them)."""
    if not inv.items("elasticache", "CacheCluster") and not inv.items("elasticache", "ReplicationGroup"):
        return
    events, more = reader.pages(
        "events",
        "elasticache",
        "DescribeEvents",
        "Events",
        max_items=MAX_RDS_EVENTS,
        in_token="Marker",
        out_token="Marker",
        StartTime=start,
        EndTime=end,
        MaxRecords=100,
    )
    if more:
        reader.report.cut("events", "ElastiCache events in the window", len(events))
    for event in events:
        inv.event("elasticache", event)


def health(reader: Reader, inv: Inventory, start: datetime, region: str) -> None:
    """AWS Health events updated since the window's start, in this Region or global, with their
    descriptions and affected entities. Without a Business or Enterprise support plan AWS answers
    SubscriptionRequiredException, which the report records as a gap."""
    listed, more = reader.pages(
        "events",
        "health",
        "DescribeEvents",
        "events",
        max_items=MAX_HEALTH_EVENTS,
        in_token="nextToken",
        out_token="nextToken",
        maxResults=100,
        filter={"lastUpdatedTimes": [{"from": start}]},
    )
    if more:
        reader.report.cut("events", "AWS Health events; kept the newest", len(listed))
    events = [e for e in listed if e.get("region") in (None, region, "global")]
    for i in range(0, len(events), HEALTH_BATCH):
        batch = events[i : i + HEALTH_BATCH]
        arns = [e["arn"] for e in batch]
        details = reader.call("events", "health", "DescribeEventDetails", eventArns=arns) or {}
        text = {
            d["event"]["arn"]: d.get("eventDescription", {}).get("latestDescription", "")
            for d in details.get("successfulSet", [])
        }
        entities, _ = reader.pages(
            "events",
            "health",
            "DescribeAffectedEntities",
            "entities",
            max_items=1000,
            in_token="nextToken",
            out_token="nextToken",
            filter={"eventArns": arns},
        )
        for event in batch:
            mine = [e for e in entities if e.get("eventArn") == event["arn"]]
            item: dict[str, Any] = {
                "event": event,
                "description": text.get(event["arn"], ""),
                "affected_entities": mine,
            }
            inv.event("health", item)
