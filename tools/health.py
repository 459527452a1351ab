"""AWS Health tool: the account's service events in a window (outages, scheduled changes, issues)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.redact import redact
from tools.registry import ToolContext, tool
from tools.result import ToolOutput
from tools.window import Window

MAX_EVENTS_READ = 300  # three DescribeEvents pages; a region rarely has more in an incident window
BATCH = 10  # DescribeEventDetails and DescribeAffectedEntities take at most 10 event ARNs a call
MAX_ENTITIES = 20  # affected entities kept per event (context budget)
DESCRIPTION_CHARS = 500  # Health descriptions run to pages; the first lines carry the news
SUBSCRIPTION_HINT = (
    "the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise support plan; without one, "
    "check the AWS Health Dashboard in the console instead"
)


class HealthEventsInput(Window):
    """Arguments of health_events."""

    services: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="only these services' events, e.g. EC2, RDS, ELASTICLOADBALANCING",
    )
    categories: list[str] = Field(
        default_factory=list,
        max_length=4,
        description="only these categories: issue, accountNotification, scheduledChange, investigation",
    )
    include_global: bool = Field(default=True, description="also events of global services (region 'global')")
    limit: int = Field(default=20, ge=1, le=50, description="events returned, newest first (context budget)")


class Entity(BaseModel):
    value: str
    arn: str | None
    status: str | None


class HealthEvent(BaseModel):
    arn: str
    service: str | None
    type_code: str | None
    category: str | None
    region: str | None
    az: str | None
    status: str | None
    start: datetime | None
    end: datetime | None
    description: str
    entities: list[Entity]

    def line(self) -> str:
        when = f"{self.start:%m-%d %H:%M}" if self.start else "?"
        until = f"-{self.end:%H:%M}" if self.end else " (open)"
        ents = ",".join(e.value for e in self.entities[:5])
        return (
            f"{when}{until} {self.type_code} {self.status} {self.region}{'/' + self.az if self.az else ''}"
            + (f" affecting {ents}" if ents else "")
        )


class HealthEvents(ToolOutput):
    events: list[HealthEvent]

    def summary(self) -> str:
        if not self.events:
            return "no AWS Health events for this account and region in the window"
        return f"{len(self.events)} AWS Health events: " + "; ".join(e.line() for e in self.events[:10])

    def is_empty(self) -> bool:
        return not self.events


def _call(ctx: ToolContext, operation: str, **params: Any) -> dict[str, Any]:
    """A Health call whose SubscriptionRequiredException says what to do about it (it stays denied)."""
    try:
        return ctx.aws.call("health", operation, **params)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") != "SubscriptionRequiredException":
            raise
        response = dict(exc.response)
        response["Error"] = dict(error, Message=f"{SUBSCRIPTION_HINT} ({error.get('Message', '')})")
        raise ClientError(response, operation) from exc


@tool
def health_events(ctx: ToolContext, args: HealthEventsInput) -> HealthEvents:
    """List AWS Health events for the account in this region (and global services) that were active in
    a window — service issues, scheduled changes such as instance retirement or maintenance — newest
    first, with descriptions and the affected resources. Needs a Business or Enterprise support plan.

    Args:
        start: window start.
        end: window end.
        services: only these services.
        categories: only these event categories.
        include_global: also events of global services.
        limit: events returned.
    """
    regions = [ctx.aws.region or "us-east-1"] + (["global"] if args.include_global else [])
    flt: dict[str, Any] = {"regions": regions, "startTimes": [{"to": args.end}]}
    if args.services:
        flt["services"] = args.services
    if args.categories:
        flt["eventTypeCategories"] = args.categories
    raw: list[dict[str, Any]] = []
    token: str | None = None
    while len(raw) < MAX_EVENTS_READ:
        page = _call(
            ctx, "DescribeEvents", filter=flt, maxResults=100, **({"nextToken": token} if token else {})
        )
        raw += page.get("events", [])
        token = page.get("nextToken")
        if not token:
            break
    # Active in the window: started by its end (the filter) and not closed before its start.
    active = [e for e in raw if e.get("endTime") is None or e["endTime"] >= args.start]
    active.sort(key=lambda e: e.get("startTime") or args.end, reverse=True)
    chosen = active[: args.limit]
    arns = [e["arn"] for e in chosen if e.get("arn")]
    descriptions: dict[str, str] = {}
    entities: dict[str, list[Entity]] = {}
    for i in range(0, len(arns), BATCH):
        batch = arns[i : i + BATCH]
        details = _call(ctx, "DescribeEventDetails", eventArns=batch)
        for ok in details.get("successfulSet", []):
            text = ok.get("eventDescription", {}).get("latestDescription", "")
            descriptions[ok["event"]["arn"]] = redact(text)[:DESCRIPTION_CHARS]
        found, _ = ctx.aws.collect(
            "health",
            "DescribeAffectedEntities",
            "entities",
            max_items=MAX_ENTITIES * len(batch),
            in_token="nextToken",
            out_token="nextToken",
            filter={"eventArns": batch},
        )
        for ent in found:
            kept = entities.setdefault(ent.get("eventArn", ""), [])
            if len(kept) < MAX_ENTITIES:
                kept.append(
                    Entity(
                        value=ent.get("entityValue", "?"),
                        arn=ent.get("entityArn"),
                        status=ent.get("statusCode"),
                    )
                )
    events = [
        HealthEvent(
            arn=e["arn"],
            service=e.get("service"),
            type_code=e.get("eventTypeCode"),
            category=e.get("eventTypeCategory"),
            region=e.get("region"),
            az=e.get("availabilityZone"),
            status=e.get("statusCode"),
            start=e.get("startTime"),
            end=e.get("endTime"),
            description=descriptions.get(e["arn"], ""),
            entities=entities.get(e["arn"], []),
        )
        for e in chosen
    ]
    return HealthEvents(events=events, has_more=len(active) > args.limit or bool(token), total=len(active))
