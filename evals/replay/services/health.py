"""AWS Health: events, their descriptions and affected entities, seen as they stood at the bundle's `now`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import ReplayUnsupported
from evals.replay.registry import operation

PAGE_DEFAULT = 100  # NOTE: AWS does not document the default page size; 100 is the documented maximum.


def _when(value: Any) -> datetime | None:
    return None if value is None else to_datetime(value)


def _after_now(ctx: ReplayContext, value: Any) -> bool:
    when = _when(value)
    return when is not None and when > ctx.now


def _at_now(ctx: ReplayContext, event: dict[str, Any]) -> dict[str, Any]:
    """The event as Health showed it at now: not yet closed if it closed later, no update from the future."""
    view = dict(event)
    end = _when(view.get("endTime"))
    if end is not None and end > ctx.now:
        view.pop("endTime")
        if view.get("statusCode") == "closed":
            view["statusCode"] = "open"
    updated = _when(view.get("lastUpdatedTime"))
    if updated is not None and updated > ctx.now:
        # Its update at now is unknown; its start is the latest time we know it was touched by then.
        start = _when(view.get("startTime"))
        view["lastUpdatedTime"] = start if start is not None and start <= ctx.now else ctx.now
    return view


def _visible(ctx: ReplayContext, event: dict[str, Any]) -> bool:
    """Started by now; an announced ("upcoming") change shows once its last update is not in the future."""
    start = _when(event.get("startTime"))
    if start is not None and start <= ctx.now:
        return True
    updated = _when(event.get("lastUpdatedTime"))
    return event.get("statusCode") == "upcoming" and updated is not None and updated <= ctx.now


def _items(ctx: ReplayContext) -> list[dict[str, Any]]:
    """(event as of now, description, entities) for every event visible at now."""

    def build() -> list[dict[str, Any]]:
        out = []
        for item in ctx.events("health"):
            if not _visible(ctx, item["event"]):
                continue
            arn = item["event"].get("arn")
            entities = [
                dict({"eventArn": arn} if arn else {}, **e)
                for e in item.get("affected_entities", [])
                if not _after_now(ctx, e.get("lastUpdatedTime"))
            ]
            out.append(
                {
                    "event": _at_now(ctx, item["event"]),
                    "description": item.get("description", ""),
                    "entities": entities,
                }
            )
        return out

    return ctx.cached("health-items", build)


def _in_ranges(value: Any, ranges: list[dict[str, Any]]) -> bool:
    when = _when(value)
    if when is None:
        return False
    for rng in ranges:
        low, high = _when(rng.get("from")), _when(rng.get("to"))
        if (low is None or low <= when) and (high is None or when <= high):
            return True
    return False


def _any_of(field: str) -> Callable[[dict[str, Any], list[Any]], bool]:
    return lambda item, wanted: item["event"].get(field) in wanted


_EVENT_FILTERS: dict[str, Callable[[dict[str, Any], list[Any]], bool]] = {
    "eventArns": _any_of("arn"),
    "eventTypeCodes": _any_of("eventTypeCode"),
    "services": _any_of("service"),
    "regions": _any_of("region"),
    "availabilityZones": _any_of("availabilityZone"),
    "eventTypeCategories": _any_of("eventTypeCategory"),
    "eventStatusCodes": _any_of("statusCode"),
    "actionabilities": _any_of("actionability"),
    "personas": lambda item, wanted: bool(set(item["event"].get("personas", [])) & set(wanted)),
    "startTimes": lambda item, ranges: _in_ranges(item["event"].get("startTime"), ranges),
    "endTimes": lambda item, ranges: _in_ranges(item["event"].get("endTime"), ranges),
    "lastUpdatedTimes": lambda item, ranges: _in_ranges(item["event"].get("lastUpdatedTime"), ranges),
    "entityArns": lambda item, wanted: any(e.get("entityArn") in wanted for e in item["entities"]),
    "entityValues": lambda item, wanted: any(e.get("entityValue") in wanted for e in item["entities"]),
}


def _page(ctx: ReplayContext, params: dict[str, Any], items: list[Any]) -> tuple[list[Any], str | None]:
    request = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    return ctx.page(
        items,
        params.get("nextToken"),
        params.get("maxResults", PAGE_DEFAULT),
        request=request,
        error_code="InvalidPaginationToken",
    )


@operation("health", "DescribeEvents")
def describe_events(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    items = list(_items(ctx))
    for name, wanted in params.get("filter", {}).items():
        check = _EVENT_FILTERS.get(name)
        if check is None:
            raise ReplayUnsupported("health", "DescribeEvents", f"filter {name}")
        items = [i for i in items if check(i, wanted)]
    items.sort(
        key=lambda i: _when(i["event"].get("lastUpdatedTime") or i["event"].get("startTime")) or ctx.now,
        reverse=True,
    )
    page, token = _page(ctx, params, items)
    out: dict[str, Any] = {"events": [to_parsed("health", "Event", i["event"]) for i in page]}
    if token:
        out["nextToken"] = token
    return out


@operation("health", "DescribeEventDetails")
def describe_event_details(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    by_arn = {i["event"].get("arn"): i for i in _items(ctx)}
    ok, failed = [], []
    for arn in params["eventArns"]:
        item = by_arn.get(arn)
        if item is None:
            failed.append(
                {"eventArn": arn, "errorName": "NotFoundException", "errorMessage": f"Event {arn} not found."}
            )
            continue
        ok.append(
            {
                "event": to_parsed("health", "Event", item["event"]),
                "eventDescription": {"latestDescription": item["description"]},
                "eventMetadata": {},
            }
        )
    return {"successfulSet": ok, "failedSet": failed}


@operation("health", "DescribeAffectedEntities")
def describe_affected_entities(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    flt = params["filter"]
    if "tags" in flt:
        raise ReplayUnsupported("health", "DescribeAffectedEntities", "filter tags")
    arns = set(flt["eventArns"])
    entities = [e for i in _items(ctx) if i["event"].get("arn") in arns for e in i["entities"]]
    if "entityArns" in flt:
        entities = [e for e in entities if e.get("entityArn") in flt["entityArns"]]
    if "entityValues" in flt:
        entities = [e for e in entities if e.get("entityValue") in flt["entityValues"]]
    if "statusCodes" in flt:
        entities = [e for e in entities if e.get("statusCode") in flt["statusCodes"]]
    if "lastUpdatedTimes" in flt:
        entities = [e for e in entities if _in_ranges(e.get("lastUpdatedTime"), flt["lastUpdatedTimes"])]
    page, token = _page(ctx, params, entities)
    out: dict[str, Any] = {"entities": [to_parsed("health", "AffectedEntity", e) for e in page]}
    if token:
        out["nextToken"] = token
    return out
