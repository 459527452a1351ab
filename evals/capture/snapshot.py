"""`capture`: snapshot a live incident into a bundle (format v1), read-only and within a call budget."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import ValidationError

from evals.bundle import KINDS, Bundle, Manifest
from evals.bundle.model import AlarmEvent
from evals.bundle.shapes import ShapeError
from evals.capture import alarms as alarm_capture
from evals.capture import managed
from evals.capture.cloudtrail import capture_cloudtrail
from evals.capture.describe import discover
from evals.capture.events import activities, elasticache_events, health, rds_events
from evals.capture.inventory import Inventory, classify, dimension_refs
from evals.capture.logs import MAX_EVENTS, capture_logs, choose_groups
from evals.capture.metrics import Series, capture_metrics, catalog_series
from evals.capture.reader import Progress, Reader
from evals.capture.report import CaptureReport
from evals.capture.scrub import scrub
from evals.capture.traces import capture_traces
from tools.aws import AwsClients

UNKNOWN_ACCOUNT = "000000000000"
DEFAULT_BASELINE = timedelta(hours=3)  # what the metric and log tools compare the window with


class Captured(NamedTuple):
    bundle: Bundle
    report: CaptureReport


def capture(
    aws: AwsClients,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    alarm: str | None,
    resources: list[str],
    title: str,
    baseline: timedelta = DEFAULT_BASELINE,
    max_log_events: int = MAX_EVENTS,
    progress: Progress | None = None,
) -> Captured:
    """Snapshot what Sleuth's tools could need about an incident in [start, end] into a bundle.

    Telemetry covers [start - baseline, min(end, now)]; resource state is read as it is at capture
    time. Every failed read is a gap in the returned report; none ends the capture. The call budget
    of `aws` bounds the whole capture.
    """
    for name, value in (("start", start), ("end", end), ("now", now)):
        if value.tzinfo is None:
            raise ValueError(f"{name} needs a time zone")
    if start >= end:
        raise ValueError("start must be before end")
    if aws.region is None:
        raise ValueError("no AWS Region configured (pass --region or set AWS_DEFAULT_REGION)")
    if now < start - baseline:
        raise ValueError("now must not be before start - baseline")
    snap = _Snapshot(Reader(aws, CaptureReport(), progress), aws.region, start - baseline, end, now, alarm)
    stages = (
        ("account", snap.account),
        ("alarms", snap.list_alarms),
        ("resources", lambda: snap.discover(resources)),
        ("dns", lambda: managed.dns_around_balancers(snap.reader, snap.inv)),
        ("alarm history", snap.alarm_history),
        ("metrics", snap.metrics),
        ("logs", lambda: snap.logs(max_log_events)),
        ("traces", snap.traces),
        ("cloudtrail", snap.cloudtrail),
        ("scaling activities", lambda: activities(snap.reader, snap.inv, snap.first)),
        ("rds events", lambda: rds_events(snap.reader, snap.inv, snap.first, snap.last)),
        ("health events", lambda: health(snap.reader, snap.inv, snap.first, snap.region)),
        ("elasticache events", lambda: elasticache_events(snap.reader, snap.inv, snap.first, snap.last)),
    )
    for name, run in stages:
        with snap.reader.stage(name):
            run()
    return snap.assemble(title)


class _Snapshot:
    """The state of one capture as its stages fill it in."""

    def __init__(
        self, reader: Reader, region: str, first: datetime, end: datetime, now: datetime, alarm: str | None
    ) -> None:
        self.reader = reader
        self.report = reader.report
        self.inv = Inventory()
        self.region = region
        self.first, self.end, self.now = first, end, now
        self.last = min(end, now)
        self.alarm = alarm
        self.account_id = UNKNOWN_ACCOUNT
        self.listed: list[dict[str, Any]] = []
        self.named: dict[str, Any] | None = None
        self.explicit_groups: list[str] = []
        self.trigger: dict[str, Any] | None = None
        self.records: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}

    def account(self) -> None:
        identity = self.reader.call("account", "sts", "GetCallerIdentity") or {}
        self.account_id = identity.get("Account") or UNKNOWN_ACCOUNT
        if self.account_id == UNKNOWN_ACCOUNT:
            self.report.notes.append(
                f"account id unknown (GetCallerIdentity failed); manifest says {UNKNOWN_ACCOUNT}"
            )

    def list_alarms(self) -> None:
        listed, truncated = alarm_capture.list_alarms(self.reader)
        if truncated:
            self.report.cut(
                "alarms", "alarms listed; firing and named ones were read separately", len(listed)
            )
            listed += alarm_capture.list_alarms(self.reader, StateValue="ALARM")[0]
        self.listed = listed
        self.named = next((a for a in listed if self.alarm and a["AlarmName"] == self.alarm), None)
        if self.alarm and self.named is None:
            found = alarm_capture.list_alarms(self.reader, AlarmNames=[self.alarm])[0]
            self.named = found[0] if found else None
            self.listed += found
            if self.named is None:
                self.report.gap(
                    "alarms", "cloudwatch:DescribeAlarms", "NotFound", "no such alarm", self.alarm
                )

    def discover(self, resources: list[str]) -> None:
        for ref in resources:
            kind, rid = classify(ref)
            self.inv.want(kind, [rid])
        if self.named is not None:
            for _, _, dims in alarm_capture.metrics_of(self.named):
                for kind, rid in dimension_refs(dims):
                    self.inv.want(kind, [rid])
        self.explicit_groups = self.inv.take("log_group")
        discover(self.reader, self.inv)

    def alarm_history(self) -> None:
        identifiers = set(self.inv.names)
        identifiers |= {r for _, rid, extra in self.inv.metric_refs for r in (rid, extra) if r}
        kept = alarm_capture.select(self.listed, self.alarm, identifiers)
        if len(kept) > alarm_capture.MAX_KEPT:
            self.report.cut("alarms", "alarms (named first, then firing)", alarm_capture.MAX_KEPT, len(kept))
            kept = kept[: alarm_capture.MAX_KEPT]
        self.records["alarms"] = kept
        for item in kept:
            items = alarm_capture.history(self.reader, item["AlarmName"], self.first, self.now)
            self.records["alarm_history"] += items
            if item["AlarmName"] == self.alarm:
                event = alarm_capture.trigger_event(item, items, self.account_id, self.region, self.now)
                try:
                    AlarmEvent.model_validate(event)
                except ValidationError as exc:
                    message = str(exc).splitlines()[0][:300]
                    self.report.gap("alarms", "trigger", "invalid", message, self.alarm)
                    continue
                self.trigger = event

    def metrics(self) -> None:
        series: list[Series] = catalog_series(self.inv.metric_refs)
        units: dict[Series, str] = {}
        for item in self.records["alarms"]:
            for ns, metric, dims in alarm_capture.metrics_of(item):
                key = (ns, metric, tuple(sorted(dims.items())))
                series.append(key)
                if item.get("Unit"):
                    units[key] = item["Unit"]
        self.records["metrics"] = capture_metrics(self.reader, series, units, self.first, self.last)

    def logs(self, max_events: int) -> None:
        groups = choose_groups(self.reader, self.inv, self.explicit_groups)
        for group in groups:
            self.inv.add("logs", "LogGroup", group)
        names = [g["logGroupName"] for g in groups]
        self.records["logs"] = capture_logs(self.reader, names, self.first, self.last, max_events)

    def traces(self) -> None:
        self.records["traces"] = capture_traces(self.reader, self.first, self.last)

    def cloudtrail(self) -> None:
        self.records["cloudtrail"] = capture_cloudtrail(self.reader, self.first, self.last)

    def assemble(self, title: str) -> Captured:
        for event in self.inv.events:
            if event["source"] == "target_health":
                event["item"]["timestamp"] = self.now  # state read at capture time, as of `now`
        self.records["resources"] = [scrub(r) for r in self.inv.records()]
        self.records["events"] = [scrub(e) for e in self.inv.events]
        valid = {kind: _valid(self.report, kind, rows) for kind, rows in self.records.items()}
        manifest = Manifest.model_validate(
            {
                "format": "sleuth-bundle/1",
                "title": title,
                "account_id": self.account_id,
                "region": self.region,
                "start": self.first,
                "end": self.end,
                "now": self.now,
                "trigger": {"question": None, "alarm_event": self.trigger},
                "truth": None,
            }
        )
        self.report.counts = {kind: len(rows) for kind, rows in valid.items() if rows}
        self.reader.finish()
        return Captured(Bundle(manifest, {k: v for k, v in valid.items() if v}), self.report)


def _valid(report: CaptureReport, kind: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows that pass the bundle's own check; the rest are reported, never written."""
    check = KINDS[kind][1]
    out: list[dict[str, Any]] = []
    first_error = ""
    dropped = 0
    for row in rows:
        plain = json.loads(json.dumps(row, default=_json_default))
        try:
            check(json.dumps(plain))
        except (ValidationError, ValueError, ShapeError, TypeError) as exc:
            dropped += 1
            first_error = first_error or str(exc).splitlines()[0][:200]
            continue
        out.append(plain)
    if dropped:
        report.cut(
            kind,
            f"records that do not fit the bundle format were left out (first: {first_error})",
            0,
            dropped,
        )
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
