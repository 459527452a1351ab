"""CloudWatch Logs: log groups, log streams, GetLogEvents and FilterLogEvents, answered from the bundle.

Log groups are the union of the groups that have events in logs.jsonl and the `logs`/`LogGroup` items
of resources.jsonl (which add retention, creation time, or a group with no events). Streams exist
where events exist. Logs Insights lives in `logs_insights.py`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from evals.bundle.shapes import service_model
from evals.replay.context import ReplayContext
from evals.replay.engines.filter_pattern import compile_pattern
from evals.replay.engines.log_store import log_table
from evals.replay.errors import AwsError, ReplayError, ReplayUnsupported
from evals.replay.registry import operation

INVALID = "InvalidParameterException"
NOT_FOUND = "ResourceNotFoundException"
NO_GROUP = "The specified log group does not exist."
NO_STREAM = "The specified log stream does not exist."
PAGE_LIMIT = 50  # DescribeLogGroups / DescribeLogStreams default and maximum
EVENTS_LIMIT = 10_000  # GetLogEvents / FilterLogEvents default and maximum
PAGE_BYTES = 1_048_576  # ... and a page holds at most 1 MB of events
EVENT_OVERHEAD = 26  # bytes per event on top of its UTF-8 message, as PutLogEvents counts its 1 MB
# FilterLogEvents serves newest-first pages only for windows starting on or after this instant.
DESCENDING_SINCE_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
_GROUP_ARN = re.compile(r"arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+)")
_LOG_EVENTS_TOKEN = re.compile(r"([fb])/(\d{20})(\d{36})/s")


# --- request checks ------------------------------------------------------------------------------


def _check_constraints(operation_name: str, params: dict[str, Any]) -> None:
    """Enforce the model's max and pattern constraints, which botocore leaves to the service."""
    shape = service_model("logs").operation_model(operation_name).input_shape
    for name, value in params.items():
        member = shape.members.get(name)
        if member is None:
            continue
        meta = member.metadata
        problem = None
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and "max" in meta and value > meta["max"]:
            problem = f"Member must have value less than or equal to {meta['max']}"
        elif isinstance(value, str):
            if "max" in meta and len(value) > meta["max"]:
                problem = f"Member must have length less than or equal to {meta['max']}"
            elif "pattern" in meta and not re.fullmatch(meta["pattern"], value):
                problem = f"Member must satisfy regular expression pattern: {meta['pattern']}"
        elif isinstance(value, list) and "max" in meta and len(value) > meta["max"]:
            problem = f"Member must have length less than or equal to {meta['max']}"
        if problem:
            raise AwsError(
                INVALID,
                f"1 validation error detected: Value '{value}' at '{name}' failed to "
                f"satisfy constraint: {problem}",
            )


def _group_name(ctx: ReplayContext, params: dict[str, Any]) -> str:
    """The log group a request names, by logGroupName or logGroupIdentifier (name or ARN), exactly one."""
    name, ident = params.get("logGroupName"), params.get("logGroupIdentifier")
    if name is not None and ident is not None:
        raise AwsError(INVALID, "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if name is None and ident is None:
        raise AwsError(INVALID, "Either logGroupName or logGroupIdentifier must be provided.")
    if name is not None:
        return str(name)
    m = _GROUP_ARN.fullmatch(str(ident))
    if m is None:
        return str(ident)
    region, account, group = m.groups()
    if region != ctx.region or account != ctx.account_id:
        raise AwsError(NOT_FOUND, NO_GROUP)
    return group


# --- the bundle's groups and streams --------------------------------------------------------------


def _now_ms(ctx: ReplayContext) -> int:
    return int(ctx.now.timestamp() * 1000)


def visible_groups(ctx: ReplayContext) -> dict[str, dict[str, Any]]:
    """Every visible log group as a full `LogGroup` item, by name."""

    def build() -> dict[str, dict[str, Any]]:
        table = log_table(ctx)
        rows = (
            ctx.cursor()
            .execute(f"SELECT log_group, min(ts), sum(strlen(message)) FROM {table} GROUP BY log_group")
            .fetchall()
        )
        groups: dict[str, dict[str, Any]] = {}
        for name, first_ts, stored in rows:
            groups[name] = _group_item(ctx, name, int(first_ts), int(stored))
        for item in ctx.resources("logs", "LogGroup"):
            name = item.get("logGroupName")
            if not name:
                raise ReplayError("a logs/LogGroup resource in the bundle has no logGroupName")
            # A declared group with no events and no creation time has existed since the incident began.
            start_ms = int(ctx.manifest.start.timestamp() * 1000)
            base = groups.get(name) or _group_item(ctx, name, start_ms, 0)
            groups[name] = {**base, **item}
        return {
            name: g for name, g in sorted(groups.items()) if int(g.get("creationTime", 0)) <= _now_ms(ctx)
        }

    return ctx.cached("logs:groups", build)


def _group_item(ctx: ReplayContext, name: str, created: int, stored: int) -> dict[str, Any]:
    # Without a declared creation time, the group is as old as its first event; stored bytes are
    # approximated by the raw message bytes (AWS counts compressed bytes).
    arn = f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{name}"
    return {
        "logGroupName": name,
        "creationTime": created,
        "metricFilterCount": 0,
        "arn": f"{arn}:*",
        "storedBytes": stored,
        "logGroupClass": "STANDARD",
        "logGroupArn": arn,
    }


def _group(ctx: ReplayContext, name: str) -> dict[str, Any]:
    group = visible_groups(ctx).get(name)
    if group is None:
        raise AwsError(NOT_FOUND, NO_GROUP)
    return group


def _streams(ctx: ReplayContext, group: str) -> list[dict[str, Any]]:
    """A group's streams as `LogStream` items, by name."""

    def build() -> dict[str, list[dict[str, Any]]]:
        table = log_table(ctx)
        rows = (
            ctx.cursor()
            .execute(
                f"SELECT log_group, log_stream, min(ts), max(ts) FROM {table} "
                "GROUP BY log_group, log_stream ORDER BY log_group, log_stream"
            )
            .fetchall()
        )
        index: dict[str, list[dict[str, Any]]] = {}
        for grp, stream, first, last in rows:
            index.setdefault(grp, []).append(
                {
                    "logStreamName": stream,
                    "creationTime": int(first),
                    "firstEventTimestamp": int(first),
                    "lastEventTimestamp": int(last),
                    # Replay knows no ingestion delay: events are ingested at their timestamp.
                    "lastIngestionTime": int(last),
                    "arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{grp}:log-stream:{stream}",
                    "storedBytes": 0,  # AWS reports 0 for streams since 2019
                }
            )
        return index

    return ctx.cached("logs:streams", build).get(group, [])


# --- DescribeLogGroups / DescribeLogStreams ---------------------------------------------------------


@operation("logs", "DescribeLogGroups")
def describe_log_groups(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _check_constraints("DescribeLogGroups", params)
    prefix = params.get("logGroupNamePrefix")
    pattern = params.get("logGroupNamePattern")
    identifiers = params.get("logGroupIdentifiers")
    if prefix is not None and pattern is not None:
        raise AwsError(
            INVALID,
            "logGroupNamePrefix and logGroupNamePattern are mutually exclusive. "
            "Only one of these parameters can be passed.",
        )
    if identifiers is not None and (prefix is not None or pattern is not None or "logGroupClass" in params):
        raise AwsError(INVALID, "logGroupIdentifiers cannot be combined with other filters.")
    if params.get("accountIdentifiers"):
        raise ReplayUnsupported(
            "logs", "DescribeLogGroups", "accountIdentifiers (cross-account observability)"
        )
    groups = list(visible_groups(ctx).values())
    if prefix is not None:
        groups = [g for g in groups if g["logGroupName"].startswith(prefix)]
    if pattern:
        groups = [g for g in groups if pattern in g["logGroupName"]]
    if identifiers is not None:
        wanted = {_group_name(ctx, {"logGroupIdentifier": i}) for i in identifiers}
        groups = [g for g in groups if g["logGroupName"] in wanted]
    cls = params.get("logGroupClass")
    if cls is not None:
        # AWS documents that asking for either cheaper class returns both.
        accepted = (
            {"INFREQUENT_ACCESS", "ESSENTIALS"} if cls in ("INFREQUENT_ACCESS", "ESSENTIALS") else {cls}
        )
        groups = [g for g in groups if g.get("logGroupClass", "STANDARD") in accepted]
    if pattern is not None:
        groups = [{k: g[k] for k in ("arn", "creationTime", "logGroupName") if k in g} for g in groups]
    request = {k: v for k, v in params.items() if k not in ("nextToken", "limit")}
    page, token = ctx.page(
        groups, params.get("nextToken"), params.get("limit", PAGE_LIMIT), request=request, error_code=INVALID
    )
    out: dict[str, Any] = {"logGroups": page}
    if token:
        out["nextToken"] = token
    return out


@operation("logs", "DescribeLogStreams")
def describe_log_streams(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _check_constraints("DescribeLogStreams", params)
    group = _group_name(ctx, params)
    prefix = params.get("logStreamNamePrefix")
    order_by = params.get("orderBy", "LogStreamName")
    if order_by == "LastEventTime" and prefix is not None:
        raise AwsError(INVALID, "Cannot order by LastEventTime with a logStreamNamePrefix.")
    _group(ctx, group)
    streams = _streams(ctx, group)
    if prefix is not None:
        streams = [s for s in streams if s["logStreamName"].startswith(prefix)]
    if order_by == "LastEventTime":
        streams = sorted(streams, key=lambda s: (s["lastEventTimestamp"], s["logStreamName"]))
    if params.get("descending", False):
        streams = list(reversed(streams))
    request = {k: v for k, v in params.items() if k not in ("nextToken", "limit")}
    page, token = ctx.page(
        streams, params.get("nextToken"), params.get("limit", PAGE_LIMIT), request=request, error_code=INVALID
    )
    out: dict[str, Any] = {"logStreams": page}
    if token:
        out["nextToken"] = token
    return out


# --- GetLogEvents ----------------------------------------------------------------------------------


def _fit_page(rows: list[tuple[Any, ...]], message_at: int) -> list[tuple[Any, ...]]:
    """The leading rows that fit in one 1 MB page (always at least one)."""
    used = 0
    for n, row in enumerate(rows):
        used += len(str(row[message_at]).encode()) + EVENT_OVERHEAD
        if used > PAGE_BYTES and n > 0:
            return rows[:n]
    return rows


def _window_sql(params: dict[str, Any], end_inclusive: bool) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if params.get("startTime") is not None:
        clauses.append("ts >= ?")
        args.append(int(params["startTime"]))
    if params.get("endTime") is not None:
        clauses.append("ts <= ?" if end_inclusive else "ts < ?")
        args.append(int(params["endTime"]))
    return "".join(f" AND {c}" for c in clauses), args


def _log_events_token(direction: str, ts: int, boundary: int) -> str:
    # Shaped like AWS's own ("f/<56 digits>/s"). The boundary sits between events: event n has
    # position 2n, so 2n + 1 is "just after n" and 2n - 1 "just before n".
    return f"{direction}/{ts:020d}{boundary:036d}/s"


@operation("logs", "GetLogEvents")
def get_log_events(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _check_constraints("GetLogEvents", params)
    group = _group_name(ctx, params)
    _group(ctx, group)
    stream = params["logStreamName"]
    if not any(s["logStreamName"] == stream for s in _streams(ctx, group)):
        raise AwsError(NOT_FOUND, NO_STREAM)
    limit = int(params.get("limit", EVENTS_LIMIT))
    window, args = _window_sql(params, end_inclusive=False)
    token = params.get("nextToken")
    if token:
        m = _LOG_EVENTS_TOKEN.fullmatch(token)
        if m is None:
            raise AwsError(INVALID, "The specified nextToken is invalid.")
        direction, ts, boundary = m.group(1), int(m.group(2)), int(m.group(3))
        forward = direction == "f"
        cmp = ">" if forward else "<"
        window += f" AND (ts {cmp} ? OR (ts = ? AND 2 * seq {cmp} ?))"
        args += [ts, ts, boundary]
    else:
        forward = bool(params.get("startFromHead", False))
    order = "ASC" if forward else "DESC"
    rows = (
        ctx.cursor()
        .execute(
            f"SELECT ts, message, seq FROM {log_table(ctx)} WHERE log_group = ? AND log_stream = ?{window} "
            f"ORDER BY ts {order}, seq {order} LIMIT ?",
            [group, stream, *args, limit],
        )
        .fetchall()
    )
    rows = _fit_page(rows, 1)
    if not forward:
        rows.reverse()
    events = [{"timestamp": int(ts), "message": msg, "ingestionTime": int(ts)} for ts, msg, _ in rows]
    if rows:
        first, last = rows[0], rows[-1]
        fwd = _log_events_token("f", int(last[0]), 2 * int(last[2]) + 1)
        back = _log_events_token("b", int(first[0]), 2 * int(first[2]) - 1)
    elif token:
        # At either end of the stream AWS hands back the token it was given.
        fwd = token if token.startswith("f") else "f" + token[1:]
        back = token if token.startswith("b") else "b" + token[1:]
    else:
        start = int(params.get("startTime") or 0)
        fwd, back = _log_events_token("f", start, 0), _log_events_token("b", start, 0)
    return {"events": events, "nextForwardToken": fwd, "nextBackwardToken": back}


# --- FilterLogEvents -------------------------------------------------------------------------------


def _event_id(ts: int, seq: int) -> str:
    # AWS event ids are 56-digit decimal strings; ours order like the events they name.
    return f"{ts:020d}{seq:036d}"


def _bind(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _encode_filter_token(bind: str, forward: bool, ts: int, seq: int) -> str:
    data = {"k": bind, "f": forward, "t": ts, "s": seq}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _decode_filter_token(token: str, bind: str) -> tuple[bool, int, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        forward, ts, seq, bound = bool(data["f"]), int(data["t"]), int(data["s"]), data["k"]
    except (ValueError, KeyError, TypeError) as exc:
        raise AwsError(INVALID, "The specified nextToken is invalid.") from exc
    if bound != bind:
        raise AwsError(INVALID, "The specified nextToken is invalid.")
    return forward, ts, seq


@operation("logs", "FilterLogEvents")
def filter_log_events(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _check_constraints("FilterLogEvents", params)
    group = _group_name(ctx, params)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        raise AwsError(INVALID, "logStreamNames and logStreamNamePrefix are mutually exclusive.")
    _group(ctx, group)
    if names is not None:
        # AWS answers so for a named stream that does not exist (as users report, e.g. rds_exporter#81).
        known = {s["logStreamName"] for s in _streams(ctx, group)}
        if not set(names) <= known:
            raise AwsError(NOT_FOUND, NO_STREAM)
    start = params.get("startTime")
    if params.get("startFromHead") is False and (start is None or int(start) < DESCENDING_SINCE_MS):
        raise AwsError(
            INVALID,
            "startFromHead=false is supported only with a startTime on or after 2024-01-01T00:00:00Z.",
        )
    predicate = compile_pattern(params.get("filterPattern"))
    limit = int(params.get("limit", EVENTS_LIMIT))

    where, args = _window_sql(params, end_inclusive=True)
    if names is not None:
        where += f" AND log_stream IN ({', '.join('?' for _ in names)})"
        args += list(names)
    if prefix is not None:
        where += " AND starts_with(log_stream, ?)"
        args.append(prefix)
    request = {k: v for k, v in params.items() if k not in ("nextToken", "limit", "startFromHead")}
    bind = _bind(request)
    forward = params.get("startFromHead", True) is not False
    token = params.get("nextToken")
    if token:
        forward, ts, seq = _decode_filter_token(token, bind)
        cmp = ">" if forward else "<"
        where += f" AND (ts {cmp} ? OR (ts = ? AND seq {cmp} ?))"
        args += [ts, ts, seq]
    order = "ASC" if forward else "DESC"
    cur = ctx.cursor().execute(
        f"SELECT log_stream, ts, message, seq FROM {log_table(ctx)} "
        f"WHERE log_group = ?{where} AND ({predicate.sql}) ORDER BY ts {order}, seq {order}"
        + ("" if predicate.residual else " LIMIT ?"),
        [group, *args, *predicate.params, *([] if predicate.residual else [limit + 1])],
    )
    rows: list[tuple[Any, ...]] = []
    while len(rows) <= limit:
        batch = cur.fetchmany(2048)
        if not batch:
            break
        rows.extend(r for r in batch if predicate.residual is None or predicate.residual(r[2]))
    page = _fit_page(rows[:limit], 2)
    more = len(rows) > len(page)
    rows = page
    out: dict[str, Any] = {
        "events": [
            {
                "logStreamName": stream,
                "timestamp": int(ts),
                "message": message,
                "ingestionTime": int(ts),
                "eventId": _event_id(int(ts), int(seq)),
            }
            for stream, ts, message, seq in rows
        ],
        "searchedLogStreams": [],  # AWS returns an empty list since May 2020
    }
    if more:
        last = rows[-1]
        out["nextToken"] = _encode_filter_token(bind, forward, int(last[1]), int(last[3]))
    return out
