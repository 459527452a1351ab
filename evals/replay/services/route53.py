"""Route 53: hosted zones and their record sets, from `route53/HostedZone` and `route53/ZoneRecordSet`
items. Only reads: a record change never reaches a handler."""

from __future__ import annotations

from typing import Any

from evals.bundle.shapes import to_parsed
from evals.replay.context import ReplayContext
from evals.replay.errors import AwsError
from evals.replay.registry import operation

MAX_ZONES = 100  # ListHostedZones answers at most 100 zones a page
MAX_RECORDS = 300  # ListResourceRecordSets at most 300 record sets a page


def bare_zone_id(ident: str) -> str:
    """`/hostedzone/Z123` and `Z123` name the same zone."""
    return ident.rsplit("/", 1)[-1]


def _max_items(params: dict[str, Any], ceiling: int) -> int:
    raw = params.get("MaxItems", str(ceiling))
    try:
        size = int(raw)
    except ValueError as exc:
        raise AwsError("InvalidInput", f"Invalid value for MaxItems: {raw}") from exc
    if size < 1:
        raise AwsError("InvalidInput", "MaxItems must be at least 1")
    return min(size, ceiling)  # more than the ceiling answers the ceiling, as Route 53 does


def _zones(ctx: ReplayContext) -> list[dict[str, Any]]:
    return list(ctx.resources("route53", "HostedZone"))


def _zone(ctx: ReplayContext, ident: str) -> dict[str, Any]:
    bare = bare_zone_id(ident)
    for z in _zones(ctx):
        if bare_zone_id(z["Id"]) == bare:
            return z
    raise AwsError("NoSuchHostedZone", f"No hosted zone found with ID: {bare}", 404)


@operation("route53", "ListHostedZones")
def list_hosted_zones(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("DelegationSetId"):
        raise AwsError("NoSuchDelegationSet", f"No delegation set found: {params['DelegationSetId']}", 404)
    zones = _zones(ctx)
    if params.get("HostedZoneType") == "PrivateHostedZone":
        zones = [z for z in zones if (z.get("Config") or {}).get("PrivateZone")]
    size = _max_items(params, MAX_ZONES)
    start = 0
    if params.get("Marker"):
        ids = [bare_zone_id(z["Id"]) for z in zones]
        marker = bare_zone_id(params["Marker"])
        if marker not in ids:
            raise AwsError("InvalidInput", f"Invalid marker: {params['Marker']}")
        start = ids.index(marker)
    page = zones[start : start + size]
    out: dict[str, Any] = {
        "HostedZones": [to_parsed("route53", "HostedZone", z) for z in page],
        "Marker": params.get("Marker", ""),  # required in the model: the request's marker, or empty
        "IsTruncated": start + size < len(zones),
        "MaxItems": str(size),
    }
    if out["IsTruncated"]:
        out["NextMarker"] = bare_zone_id(zones[start + size]["Id"])
    return out


@operation("route53", "GetHostedZone")
def get_hosted_zone(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    zone = _zone(ctx, params["Id"])
    out: dict[str, Any] = {"HostedZone": to_parsed("route53", "HostedZone", zone)}
    return out


def dns_key(name: str) -> tuple[str, ...]:
    """Route 53 lists record sets by name with its labels reversed (com, example, www), case-blind."""
    return tuple(reversed(name.lower().rstrip(".").split(".")))


def _order(record: dict[str, Any]) -> tuple[tuple[str, ...], str, str]:
    return dns_key(record["Name"]), record["Type"], record.get("SetIdentifier", "")


@operation("route53", "ListResourceRecordSets")
def list_resource_record_sets(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    zone = bare_zone_id(_zone(ctx, params["HostedZoneId"])["Id"])
    records = sorted(
        (
            {k: v for k, v in r.items() if k != "HostedZoneId"}
            for r in ctx.resources("route53", "ZoneRecordSet")
            if bare_zone_id(r["HostedZoneId"]) == zone
        ),
        key=_order,
    )
    if params.get("StartRecordType") and not params.get("StartRecordName"):
        raise AwsError("InvalidInput", "StartRecordType requires StartRecordName")
    if params.get("StartRecordIdentifier") and not params.get("StartRecordType"):
        raise AwsError("InvalidInput", "StartRecordIdentifier requires StartRecordType")
    if params.get("StartRecordName"):
        start = (
            dns_key(params["StartRecordName"]),
            params.get("StartRecordType", ""),
            params.get("StartRecordIdentifier", ""),
        )
        records = [r for r in records if _order(r) >= start]
    size = _max_items(params, MAX_RECORDS)
    page = records[:size]
    out: dict[str, Any] = {
        "ResourceRecordSets": [to_parsed("route53", "ResourceRecordSet", r) for r in page],
        "IsTruncated": len(records) > size,
        "MaxItems": str(size),
    }
    if out["IsTruncated"]:
        nxt = records[size]
        out["NextRecordName"], out["NextRecordType"] = nxt["Name"], nxt["Type"]
        if nxt.get("SetIdentifier"):
            out["NextRecordIdentifier"] = nxt["SetIdentifier"]
    return out
