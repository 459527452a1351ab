"""Change tools: recent write events from CloudTrail, normalised (who, when, what, which resource)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from tools.registry import ToolContext, tool
from tools.result import ToolOutput

MAX_EVENTS_READ = 2000  # 40 LookupEvents pages; LookupEvents is throttled at 2 calls/s per account
MAX_CHANGES = 60  # rows returned (context budget)
PARAMS_CHARS = 400  # request parameters are cut to this many characters (context budget)

# Write events that are machinery, not changes anyone made to the system under investigation.
NOISE = frozenset(
    {
        "AssumeRole",
        "AssumeRoleWithWebIdentity",
        "AssumeRoleWithSAML",
        "GetSessionToken",
        "GetFederationToken",
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "CreateLogStream",
        "PutLogEvents",
        "UpdateInstanceInformation",
        "PutMetricData",
        "ConsoleLogin",
        "CheckMfa",
        "SendHeartbeat",
        "PutTelemetryRecords",
        "PutTraceSegments",
    }
)


class Change(BaseModel):
    event_id: str
    time: datetime
    who: str
    principal_type: str
    source: str
    action: str
    resources: list[str]
    params: str
    error: str | None = None
    source_ip: str | None = None
    user_agent: str | None = None
    created: list[str] = Field(
        default_factory=list,
        description="what a create call made, as its response names it (only the response knows the id)",
    )
    was: dict[str, str] = Field(
        default_factory=dict,
        description="sizes the request set, as the response says the resource still had them "
        "(a class or count that changes later, or at the next maintenance, is reported as it was)",
    )
    repeats: int = Field(
        default=1,
        description="failed routine calls alike (same call, error and resource) folded into this one",
    )
    first: datetime | None = Field(default=None, description="the earliest of the folded calls")

    def line(self) -> str:
        err = f" FAILED {self.error}" if self.error else ""
        if self.repeats > 1:
            err += f" x{self.repeats} since {self.first or self.time:%H:%M:%S}"
        res = ", ".join(self.resources[:3])
        return f"{self.time:%H:%M:%S} {self.who} {self.source.split('.')[0]}:{self.action} [{res}]{err} ({self.event_id})"


def _who(identity: dict[str, Any], username: str | None) -> tuple[str, str]:
    kind = str(identity.get("type", "Unknown"))
    if kind == "AssumedRole":
        issuer = identity.get("sessionContext", {}).get("sessionIssuer", {}).get("userName")
        arn = str(identity.get("arn", ""))
        session = arn.rsplit("/", 1)[-1]
        if not issuer and ":assumed-role/" in arn and arn.count("/") >= 2:
            # No session context in the record: the role is named in the session's own ARN
            # (arn:aws:sts::<account>:assumed-role/<role>/<session>).
            issuer = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
        if str(issuer or "").startswith("AWSServiceRoleFor"):
            # A service-linked role: the platform acting (Auto Scaling replacing instances), not a person.
            return f"{issuer}/{session}", "AWSService"
        return (f"{issuer}/{session}" if issuer else session or username or "?"), kind
    if kind == "AWSService":
        return str(identity.get("invokedBy", "aws-service")), kind
    if kind == "Root":
        return "root", kind
    return str(identity.get("userName") or username or identity.get("arn") or "?"), kind


def normalise(event: dict[str, Any]) -> Change:
    """One LookupEvents event as a change record."""
    record: dict[str, Any] = {}
    raw = event.get("CloudTrailEvent")
    if raw:
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            record = {}
    who, kind = _who(record.get("userIdentity", {}), event.get("Username"))
    resources = [r["ResourceName"] for r in event.get("Resources", []) if r.get("ResourceName")]
    params = json.dumps(record.get("requestParameters") or {}, separators=(",", ":"), sort_keys=True)
    if len(params) > PARAMS_CHARS:
        # Long documents (policies, user data, templates) are cut first, so the ids beside them survive.
        params = json.dumps(_short(record.get("requestParameters")), separators=(",", ":"), sort_keys=True)
    if len(params) > PARAMS_CHARS:
        params = params[: PARAMS_CHARS - 1] + "…"
    error = record.get("errorCode")
    if error and record.get("errorMessage"):
        error = f"{error}: {str(record['errorMessage'])[:160]}"
    return Change(
        event_id=event.get("EventId", record.get("eventID", "")),
        time=event["EventTime"],
        who=who,
        principal_type=kind,
        source=event.get("EventSource", record.get("eventSource", "")),
        action=event.get("EventName", record.get("eventName", "")),
        resources=resources,
        params=params,
        error=error,
        source_ip=record.get("sourceIPAddress"),
        user_agent=(str(record.get("userAgent"))[:80] if record.get("userAgent") else None),
        created=_created(
            str(event.get("EventName", record.get("eventName", ""))), record.get("responseElements")
        ),
        was=_sizes_before(record.get("requestParameters"), record.get("responseElements")),
    )


CREATES = ("Create", "Run", "Allocate", "Copy", "Import", "Request")
AWS_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*-[0-9a-f]{8,17}$")


def _created(action: str, response: Any) -> list[str]:
    """The id or ARN a create call's response gives what it made: the value under `<noun>Id` or
    `<noun>Arn` (CreateVpcEndpoint -> vpcEndpointId), else the first id-shaped value, nearest the top."""
    verb = next((v for v in CREATES if action.startswith(v)), None)
    if verb is None or not isinstance(response, dict):
        return []
    noun = action[len(verb) :].lower()
    named: list[str] = []
    shaped: list[str] = []
    level: list[Any] = [response]
    while level:
        nxt: list[Any] = []
        for doc in level:
            for key, value in doc.items():
                if isinstance(value, dict):
                    nxt.append(value)
                elif isinstance(value, str) and value:
                    k = str(key).lower()
                    if k in (noun + "id", noun + "arn"):
                        named.append(value)
                    elif k.endswith("id") and AWS_ID.match(value):
                        shaped.append(value)
        level = nxt
    return list(dict.fromkeys(named or shaped[:1]))


DOCUMENT_CHARS = 80  # a string value longer than this is a document, cut when the parameters are too long


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > DOCUMENT_CHARS:
        return value[: DOCUMENT_CHARS - 1] + "…"
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value]
    return value


# Request keys that size a resource (lowercased): its class or type, its counts, its throughput.
SIZE_KEYS = frozenset(
    k.lower()
    for k in (
        "dBInstanceClass",
        "instanceType",
        "cacheNodeType",
        "allocatedStorage",
        "iops",
        "storageThroughput",
        "targetShardCount",
        "readCapacityUnits",
        "writeCapacityUnits",
        "reservedConcurrentExecutions",
        "provisionedConcurrentExecutions",
        "memorySize",
        "maxSize",
        "minSize",
        "desiredCapacity",
        "numCacheNodes",
        "desiredCount",
        "throttlingRateLimit",
        "throttlingBurstLimit",
    )
)


def _sizes_before(request: Any, response: Any) -> dict[str, str]:
    """The sizes a request set, as its response still reports them: RDS and ElastiCache answer a modify
    with the resource as it is, the new class pending. Scalars only, and only keys the request set."""
    if not isinstance(request, dict) or not isinstance(response, dict):
        return {}
    asked = {str(k).lower() for k, v in request.items() if str(k).lower() in SIZE_KEYS and _scalar(v)}
    found: dict[str, str] = {}
    parts = [response, *[v for v in response.values() if isinstance(v, dict)]]
    for part in parts:
        for k, v in part.items():
            # A response that reports the current value beside the target asked for (Kinesis answers
            # UpdateShardCount with currentShardCount and targetShardCount) says what it was.
            key = str(k)
            if key.lower().startswith("current") and f"target{key[7:]}".lower() in asked and _scalar(v):
                found[f"target{key[7:]}"] = str(v)
    taken = {f.lower() for f in found}
    for part in parts:
        for k, v in part.items():
            if str(k).lower() in asked and _scalar(v) and str(k).lower() not in taken:
                found[str(k)] = str(v)
                taken.add(str(k).lower())
    return found


def _scalar(v: Any) -> bool:
    return isinstance(v, str | int | float) and not isinstance(v, bool)


class _Window(BaseModel):
    start: AwareDatetime = Field(description="window start (ISO-8601 with zone)")
    end: AwareDatetime = Field(description="window end (ISO-8601 with zone)")

    @model_validator(mode="after")
    def _ordered(self) -> _Window:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class RecentChangesInput(_Window):
    """Arguments of recent_changes."""

    resources: list[str] = Field(
        default_factory=list,
        description="only changes that mention one of these (ids, names or ARNs, matched as substrings); "
        "empty for all",
    )
    include_failed: bool = Field(default=True, description="include calls that failed (errorCode set)")
    include_service_events: bool = Field(
        default=False, description="include routine events made by AWS services and credential machinery"
    )
    limit: int = Field(default=40, ge=1, le=MAX_CHANGES, description="rows returned, newest first")


class Changes(ToolOutput):
    changes: list[Change]
    read: int
    dropped_as_noise: int

    def summary(self) -> str:
        if not self.changes:
            return (
                f"no changes in the window ({self.read} write events read, {self.dropped_as_noise} routine)"
            )
        rows = "; ".join(c.line() for c in self.changes[:15])
        more = f" (+{len(self.changes) - 15} more)" if len(self.changes) > 15 else ""
        return f"{len(self.changes)} changes, newest first{more}: {rows}"

    def is_empty(self) -> bool:
        return not self.changes


def _mentions(event: dict[str, Any], needles: list[str]) -> bool:
    names = " ".join(r.get("ResourceName", "") for r in event.get("Resources", []))
    haystack = f"{names} {event.get('CloudTrailEvent', '')}"
    return any(n in haystack for n in needles)


@tool
def recent_changes(ctx: ToolContext, args: RecentChangesInput) -> Changes:
    """List the changes made in the account in a window: CloudTrail write events, newest first, each with
    who, when, which action, which resources, the request parameters and any error code. Routine
    machinery (role assumption, KMS data keys, log delivery) is dropped unless asked for.

    Args:
        start: window start.
        end: window end.
        resources: only changes mentioning one of these ids, names or ARNs.
        include_failed: include calls that failed.
        include_service_events: include routine service events.
        limit: rows returned.
    """
    events, more = ctx.aws.collect(
        "cloudtrail",
        "LookupEvents",
        "Events",
        max_items=MAX_EVENTS_READ,
        LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
        StartTime=args.start,
        EndTime=args.end,
        MaxResults=50,
    )
    kept: list[Change] = []
    noise = 0
    # Routine calls (assuming a role, using a key) are machinery while they succeed; refused, they are
    # what the role or key now does to its callers. Alike refusals fold into one, newest first.
    refused: dict[tuple[str, str, tuple[str, ...]], Change] = {}
    for event in events:
        if args.resources and not _mentions(event, args.resources):
            continue
        change = normalise(event)
        routine_refused = (
            change.action in NOISE and change.error is not None and change.principal_type != "AWSService"
        )
        if (
            not args.include_service_events
            and not routine_refused
            and (change.action in NOISE or change.principal_type == "AWSService")
        ):
            noise += 1
            continue
        if change.error and not args.include_failed:
            continue
        if routine_refused:
            key = (change.action, str(change.error).split(":", 1)[0], tuple(change.resources))
            if key in refused:
                alike = refused[key]
                alike.repeats += 1
                alike.first = min(alike.first or alike.time, change.time)
                continue
            refused[key] = change
        kept.append(change)
    kept.sort(key=lambda c: c.time, reverse=True)
    return Changes(
        changes=kept[: args.limit],
        read=len(events),
        dropped_as_noise=noise,
        has_more=more or len(kept) > args.limit,
        total=len(kept),
    )


LookupKey = Literal[
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
]


class CloudTrailLookupInput(_Window):
    """Arguments of cloudtrail_lookup."""

    key: LookupKey = Field(description="the one LookupEvents attribute to match")
    value: str = Field(
        min_length=1, description="its value, e.g. an event id, 'RunInstances', a resource name"
    )
    limit: int = Field(default=20, ge=1, le=50, description="events returned, newest first (context budget)")


class TrailEvents(ToolOutput):
    events: list[Change]

    def summary(self) -> str:
        if not self.events:
            return "no matching CloudTrail events"
        return f"{len(self.events)} events: " + "; ".join(e.line() for e in self.events[:15])

    def is_empty(self) -> bool:
        return not self.events


@tool
def cloudtrail_lookup(ctx: ToolContext, args: CloudTrailLookupInput) -> TrailEvents:
    """Look up CloudTrail events (reads and writes) by one attribute: an event id, an event name, a user,
    a resource type or name, an event source or an access key, newest first.

    Args:
        key: the attribute to match.
        value: its value.
        start: window start.
        end: window end.
        limit: events returned.
    """
    events, more = ctx.aws.collect(
        "cloudtrail",
        "LookupEvents",
        "Events",
        max_items=args.limit,
        LookupAttributes=[{"AttributeKey": args.key, "AttributeValue": args.value}],
        StartTime=args.start,
        EndTime=args.end,
        MaxResults=min(args.limit, 50),
    )
    return TrailEvents(events=[normalise(e) for e in events], has_more=more, total=None)
