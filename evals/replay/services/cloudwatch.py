"""CloudWatch metrics and alarms, answered from the bundle's metrics.jsonl, alarms.jsonl and alarm_history.jsonl."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle.shapes import to_datetime, to_parsed
from evals.replay.context import ReplayContext
from evals.replay.engines import metric_math
from evals.replay.engines.metric_math import Env, Series, Value
from evals.replay.engines.metrics import (
    OTHER_EXTENDED,
    SIMPLE_STATS,
    Bucket,
    MetricKey,
    aligned_start,
    bucket_count,
    buckets,
    buckets_many,
    catalogue,
    dim_key,
    parse_stat,
    period_retained,
    statistic,
    valid_period,
)
from evals.replay.errors import AwsError, ReplayUnsupported
from evals.replay.registry import operation

SERVICE = "cloudwatch"
MAX_QUERIES = 500
MAX_DATAPOINTS = 100_800
STATISTICS_LIMIT = 1_440
LIST_METRICS_PAGE = 500
LIST_METRICS_HORIZON = timedelta(days=14)  # ListMetrics shows metrics with data in the past two weeks
RECENTLY_ACTIVE = {"PT3H": timedelta(hours=3)}
ALARMS_PAGE = 50
_QUERY_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")


def _dims(dimensions: list[dict[str, str]] | None) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in dimensions or []}


def _time_range(params: dict[str, Any], code: str) -> tuple[datetime, datetime]:
    start, end = to_datetime(params["StartTime"]), to_datetime(params["EndTime"])
    if start >= end:
        raise AwsError(code, "The parameter StartTime must be less than the parameter EndTime.")
    return start, end


def _without_token(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "NextToken"}


def _when(epoch_s: int) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)


# --- GetMetricStatistics --------------------------------------------------------------------------


@operation(SERVICE, "GetMetricStatistics")
def get_metric_statistics(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    stats: list[str] = params.get("Statistics") or []
    extended: list[str] = params.get("ExtendedStatistics") or []
    if bool(stats) == bool(extended):
        raise AwsError(
            "InvalidParameterCombination",
            "Must specify either Statistics or ExtendedStatistics, but not both.",
        )
    for ext in extended:
        if OTHER_EXTENDED.fullmatch(ext):
            raise ReplayUnsupported(SERVICE, "GetMetricStatistics", f"extended statistic {ext}")
        if parse_stat(ext) is None or ext in SIMPLE_STATS:
            raise AwsError(
                "InvalidParameterValue", f"The value {ext} for parameter ExtendedStatistics is not valid."
            )
    period = params["Period"]
    if not valid_period(period):
        raise AwsError(
            "InvalidParameterValue", "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60."
        )
    start, end = _time_range(params, "InvalidParameterValue")
    start_s = aligned_start(start, ctx.now, period)
    wanted = bucket_count(start_s, end, period)
    if wanted > STATISTICS_LIMIT:
        raise AwsError(
            "InvalidParameterCombination",
            f"You have requested up to {wanted:,} datapoints, which exceeds the limit of {STATISTICS_LIMIT:,}. "
            "You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
        )
    unit = params.get("Unit")
    datapoints: list[dict[str, Any]] = []
    if period_retained(start, ctx.now, period):
        rows = buckets(
            ctx,
            namespace=params["Namespace"],
            metric=params["MetricName"],
            dimensions=_dims(params.get("Dimensions")),
            start_s=start_s,
            end=end,
            period=period,
            unit=unit,
            by_unit=True,
            with_dist=bool(extended),
        )
        for bucket in rows:
            point: dict[str, Any] = {"Timestamp": _when(bucket.ts)}
            for stat in stats:
                point[stat] = statistic(bucket, stat)
            if extended:
                values = {ext: statistic(bucket, ext) for ext in extended}
                present = {k: v for k, v in values.items() if v is not None}
                if not present:
                    continue  # no percentile is defined for this period's data (see engines/metrics.py)
                point["ExtendedStatistics"] = present
            point["Unit"] = bucket.unit or unit or "None"
            datapoints.append(point)
    # AWS documents the datapoints as unordered; replay returns them oldest first.
    return {"Label": params["MetricName"], "Datapoints": datapoints}


# --- GetMetricData --------------------------------------------------------------------------------


class _Request:
    """One GetMetricData request: its queries by id, evaluated on demand, each once."""

    def __init__(self, ctx: ReplayContext, params: dict[str, Any]) -> None:
        self.ctx = ctx
        self.queries: list[dict[str, Any]] = params["MetricDataQueries"]
        self.start, self.end = _time_range(params, "ValidationError")
        self.by_id: dict[str, tuple[int, dict[str, Any]]] = {}
        self.values: dict[str, Value] = {}
        self.active: list[str] = []
        self.trees: dict[str, metric_math.Node] = {}
        self._read: dict[str, list[Bucket]] | None = None
        self._validate()

    def _validate(self) -> None:
        if len(self.queries) > MAX_QUERIES:
            raise AwsError(
                "ValidationError",
                f"The collection MetricDataQueries must not have more than {MAX_QUERIES} members.",
            )
        for n, query in enumerate(self.queries, 1):
            where = f"MetricDataQueries.member.{n}"
            qid = query["Id"]
            if not _QUERY_ID.fullmatch(qid):
                raise AwsError(
                    "ValidationError",
                    f"The value {qid} for parameter {where}.Id is not valid: it must start with a lowercase letter "
                    "and contain only letters, numbers and underscores.",
                )
            if qid in self.by_id:
                raise AwsError(
                    "ValidationError", f"The value {qid} for parameter MetricDataQueries.Id is duplicated."
                )
            self.by_id[qid] = (n, query)
            if query.get("AccountId") not in (None, self.ctx.account_id):
                raise ReplayUnsupported(SERVICE, "GetMetricData", "cross-account queries (AccountId)")
            if "${" in (query.get("Label") or ""):
                raise ReplayUnsupported(SERVICE, "GetMetricData", "dynamic labels")
            has_stat, has_expr = "MetricStat" in query, "Expression" in query
            if has_stat == has_expr:
                raise AwsError(
                    "ValidationError", f"Exactly one of MetricStat and Expression must be given in {where}."
                )
            if has_stat:
                self._check_stat(query["MetricStat"], where)
            else:
                text = query["Expression"]
                if text.lstrip().upper().startswith("SELECT"):
                    raise ReplayUnsupported(SERVICE, "GetMetricData", "Metrics Insights queries")
                self.trees[qid] = metric_math.parse(text, qid)
        for qid, tree in self.trees.items():
            for ref in metric_math.references(tree):
                if ref not in self.by_id and ref not in ("REPEAT", "LINEAR"):
                    raise metric_math.MathSyntaxError(qid, f"Unrecognized identifier {ref}")

    @staticmethod
    def _check_stat(stat: dict[str, Any], where: str) -> None:
        name = stat["Stat"]
        if OTHER_EXTENDED.fullmatch(name):
            raise ReplayUnsupported(SERVICE, "GetMetricData", f"statistic {name}")
        if parse_stat(name) is None:
            raise AwsError(
                "ValidationError", f"The value {name} for parameter {where}.MetricStat.Stat is not valid."
            )
        if not valid_period(stat["Period"]):
            raise AwsError(
                "ValidationError",
                f"The parameter {where}.MetricStat.Period must be 1, 5, 10, 20, 30, or a multiple of 60.",
            )

    # --- evaluation ---------------------------------------------------------------------------------

    def value(self, qid: str) -> Value:
        if qid in self.values:
            return self.values[qid]
        if qid in self.active:
            raise metric_math.MathSyntaxError(self.active[0], f"Circular reference to {qid}")
        self.active.append(qid)
        _, query = self.by_id[qid]
        result = self._metric(query) if "MetricStat" in query else self._expression(qid)
        self.active.pop()
        self.values[qid] = result
        return result

    def _read_all(self) -> dict[str, list[Bucket]]:
        """Every MetricStat query's buckets, read together: one query per period, unit and kind of
        statistic rather than one per metric (the same rows as `buckets` gives each)."""
        if self._read is not None:
            return self._read
        groups: dict[tuple[int, str | None, bool], list[tuple[str, MetricKey]]] = {}
        for query in self.queries:
            stat = query.get("MetricStat")
            if stat is None or not period_retained(self.start, self.ctx.now, stat["Period"]):
                continue
            metric = stat["Metric"]
            key = (metric["Namespace"], metric["MetricName"], dim_key(_dims(metric.get("Dimensions"))))
            shape = (stat["Period"], stat.get("Unit"), stat["Stat"] not in SIMPLE_STATS)
            groups.setdefault(shape, []).append((query["Id"], key))
        self._read = {}
        for (period, unit, with_dist), members in groups.items():
            found = buckets_many(
                self.ctx,
                [key for _, key in members],
                start_s=aligned_start(self.start, self.ctx.now, period),
                end=self.end,
                period=period,
                unit=unit,
                with_dist=with_dist,
            )
            for qid, key in members:
                self._read[qid] = found[key]
        return self._read

    def _metric(self, query: dict[str, Any]) -> Series:
        stat = query["MetricStat"]
        metric, period, name = stat["Metric"], stat["Period"], stat["Stat"]
        series = Series(query.get("Label") or metric["MetricName"], period)
        if not period_retained(self.start, self.ctx.now, period):
            return series
        rows = self._read_all()[query["Id"]]
        for bucket in rows:
            value = statistic(bucket, name)
            if value is not None:
                series.points[bucket.ts] = value
        return series

    def _expression(self, qid: str) -> Value:
        env = Env(qid, self.value, self._metrics, self._grid)
        return metric_math.evaluate(self.trees[qid], env)

    def _metrics(self, contains: str | None) -> list[Series]:
        out = []
        for query in self.queries:
            if "MetricStat" in query and (contains is None or contains in query["Id"]):
                value = self.value(query["Id"])
                assert isinstance(value, Series)
                out.append(value)
        return out

    def _grid(self, period: int) -> list[int]:
        """Bucket starts of the request's range that are not in the future (FILL stops at now)."""
        start_s = aligned_start(self.start, self.ctx.now, period)
        count = bucket_count(start_s, min(self.end, self.ctx.now + timedelta(seconds=1)), period)
        return [start_s + k * period for k in range(count)]

    # --- results ------------------------------------------------------------------------------------

    def results(self) -> Iterator[tuple[str, str, Series]]:
        """(Id, Label, series) for every query that returns data, in request order."""
        for query in self.queries:
            if not query.get("ReturnData", True):
                continue
            qid = query["Id"]
            value = self.value(qid)
            label = query.get("Label")
            if isinstance(value, float):
                raise ReplayUnsupported(
                    SERVICE, "GetMetricData", f"expression {qid} evaluates to a single number"
                )
            if isinstance(value, Series):
                # AWS names a metric by its MetricName and, lacking a label, an expression by its Id.
                yield (
                    qid,
                    label if label is not None else (value.label if "MetricStat" in query else qid),
                    value,
                )
            else:
                for member in value:
                    yield qid, f"{label} {member.label}" if label else member.label, member


@operation(SERVICE, "GetMetricData")
def get_metric_data(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    request = _Request(ctx, params)
    descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    series = list(request.results())
    flat: list[tuple[int, int, int, float]] = []  # (position, result index, timestamp, value)
    ends: list[int] = []  # position after each result's last datapoint
    for index, (_, _, one) in enumerate(series):
        for ts in sorted(one.points, reverse=descending):
            flat.append((len(flat), index, ts, one.points[ts]))
        ends.append(len(flat))
    # AWS: "NextToken is not returned if you are performing a math expression" - all data comes at once.
    size = max(len(flat), 1) if request.trees else params.get("MaxDatapoints", MAX_DATAPOINTS)
    page, token = ctx.page(
        flat,
        params.get("NextToken"),
        size,
        request=_without_token(params),
    )
    page_end = page[-1][0] + 1 if page else 0
    shown: dict[int, list[tuple[int, float]]] = {}
    for _, index, ts, value in page:
        shown.setdefault(index, []).append((ts, value))
    results = []
    for index, (qid, label, _) in enumerate(series):
        points = shown.get(index, [])
        # A result is partial while some of its datapoints wait on a later page.
        partial = token is not None and ends[index] > page_end
        results.append(
            {
                "Id": qid,
                "Label": label,
                "Timestamps": [_when(ts) for ts, _ in points],
                "Values": [v for _, v in points],
                "StatusCode": "PartialData" if partial else "Complete",
                "Messages": [],
            }
        )
    answer: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if token:
        answer["NextToken"] = token
    return answer


# --- ListMetrics ----------------------------------------------------------------------------------


@operation(SERVICE, "ListMetrics")
def list_metrics(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("IncludeLinkedAccounts") or params.get("OwningAccount"):
        raise ReplayUnsupported(SERVICE, "ListMetrics", "cross-account observability")
    now_ms = int(ctx.now.timestamp() * 1000)
    horizon = RECENTLY_ACTIVE.get(params.get("RecentlyActive", ""), LIST_METRICS_HORIZON)
    since_ms = now_ms - int(horizon.total_seconds() * 1000)
    filters = params.get("Dimensions") or []
    found = []
    for info in catalogue(ctx):
        if info.last_ms < since_ms:
            continue
        if "Namespace" in params and info.namespace != params["Namespace"]:
            continue
        if "MetricName" in params and info.metric != params["MetricName"]:
            continue
        dims = dict(info.dimensions)
        if not all(f["Name"] in dims and f.get("Value", dims[f["Name"]]) == dims[f["Name"]] for f in filters):
            continue
        found.append(
            {
                "Namespace": info.namespace,
                "MetricName": info.metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in info.dimensions],
            }
        )
    page, token = ctx.page(
        found,
        params.get("NextToken"),
        LIST_METRICS_PAGE,
        request=_without_token(params),
        error_code="InvalidParameterValue",
    )
    answer: dict[str, Any] = {"Metrics": page}
    if token:
        answer["NextToken"] = token
    return answer


# --- alarms ---------------------------------------------------------------------------------------


def _alarms(ctx: ReplayContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(metric alarms, composite alarms) as botocore parses them, each sorted by name."""

    def build() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        metric, composite = [], []
        for item in ctx.records("alarms"):
            if "AlarmRule" in item:
                composite.append(to_parsed(SERVICE, "CompositeAlarm", item))
            else:
                metric.append(to_parsed(SERVICE, "MetricAlarm", item))
        metric.sort(key=lambda a: a["AlarmName"])
        composite.sort(key=lambda a: a["AlarmName"])
        return metric, composite

    return ctx.cached("cloudwatch-alarms", build)


_RULE_STATE = re.compile(r"\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(\"[^\"]*\"|'[^']*'|[^()\s]+)\s*\)")
_RULE_AT_LEAST = re.compile(r"\bAT_LEAST\s*\([^,()]+,\s*!?\s*[A-Z_]+\s*,\s*\(([^()]*)\)\s*\)")


def rule_children(rule: str) -> list[str]:
    """Alarm names or ARNs an AlarmRule refers to, in order of first mention."""
    names: list[str] = []
    for match in _RULE_STATE.finditer(rule):
        names.append(match.group(1).strip("\"'"))
    for match in _RULE_AT_LEAST.finditer(rule):
        names.extend(part.strip().strip("\"'") for part in match.group(1).split(",") if part.strip())
    return list(dict.fromkeys(names))


def _refers_to(rule: str, alarm: Mapping[str, Any]) -> bool:
    return any(ref in (alarm.get("AlarmName"), alarm.get("AlarmArn")) for ref in rule_children(rule))


def _actions(alarm: Mapping[str, Any]) -> Iterator[str]:
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        yield from alarm.get(key) or []


def _page_alarms(
    ctx: ReplayContext, params: dict[str, Any], metric: list[dict[str, Any]], composite: list[dict[str, Any]]
) -> dict[str, Any]:
    tagged = [("MetricAlarms", a) for a in metric] + [("CompositeAlarms", a) for a in composite]
    page, token = ctx.page(
        tagged, params.get("NextToken"), params.get("MaxRecords", ALARMS_PAGE), request=_without_token(params)
    )
    answer: dict[str, Any] = {"MetricAlarms": [], "CompositeAlarms": []}
    for key, alarm in page:
        answer[key].append(alarm)
    if token:
        answer["NextToken"] = token
    return answer


@operation(SERVICE, "DescribeAlarms")
def describe_alarms(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    metric, composite = _alarms(ctx)
    family = params.get("ChildrenOfAlarmName") or params.get("ParentsOfAlarmName")
    if family is not None:
        others = set(params) - {"ChildrenOfAlarmName", "ParentsOfAlarmName", "MaxRecords", "NextToken"}
        if others or ("ChildrenOfAlarmName" in params and "ParentsOfAlarmName" in params):
            raise AwsError(
                "ValidationError",
                "With ChildrenOfAlarmName or ParentsOfAlarmName only MaxRecords and NextToken may be given.",
            )
        if "ChildrenOfAlarmName" in params:
            return _page_alarms(ctx, params, *_children(family, metric, composite))
        parents = [
            {"AlarmName": c["AlarmName"], "AlarmArn": c["AlarmArn"]}
            for c in composite
            if _refers_to(c["AlarmRule"], _find(family, metric, composite) or {"AlarmName": family})
        ]
        return _page_alarms(ctx, params, [], parents)
    if params.get("AlarmNames") and params.get("AlarmNamePrefix") is not None:
        raise AwsError(
            "InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be given together."
        )
    types = params.get("AlarmTypes") or ["MetricAlarm"]  # AWS: no AlarmTypes means metric alarms only

    def keep(alarm: dict[str, Any]) -> bool:
        if params.get("AlarmNames") and alarm["AlarmName"] not in params["AlarmNames"]:
            return False
        if "AlarmNamePrefix" in params and not alarm["AlarmName"].startswith(params["AlarmNamePrefix"]):
            return False
        if "StateValue" in params and alarm.get("StateValue") != params["StateValue"]:
            return False
        prefix = params.get("ActionPrefix")
        return prefix is None or any(action.startswith(prefix) for action in _actions(alarm))

    return _page_alarms(
        ctx,
        params,
        [a for a in metric if keep(a)] if "MetricAlarm" in types else [],
        [a for a in composite if keep(a)] if "CompositeAlarm" in types else [],
    )


def _find(name: str, metric: list[dict[str, Any]], composite: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((a for a in metric + composite if a["AlarmName"] == name), None)


def _children(
    name: str, metric: list[dict[str, Any]], composite: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    parent = next((c for c in composite if c["AlarmName"] == name), None)
    if parent is None:
        return [], []
    refs = set(rule_children(parent["AlarmRule"]))

    def brief(alarm: dict[str, Any]) -> dict[str, Any]:
        keys = ("AlarmName", "AlarmArn", "StateValue", "StateUpdatedTimestamp")
        return {k: alarm[k] for k in keys if k in alarm}

    def named(alarm: dict[str, Any]) -> bool:
        return alarm["AlarmName"] in refs or alarm.get("AlarmArn") in refs

    return [brief(a) for a in metric if named(a)], [brief(a) for a in composite if named(a)]


@operation(SERVICE, "DescribeAlarmsForMetric")
def describe_alarms_for_metric(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    metric, _ = _alarms(ctx)
    # The metric's dimensions must be given in full: an alarm matches only on the exact dimension set.
    dims = _dims(params.get("Dimensions"))
    found = []
    for alarm in metric:
        if alarm.get("Namespace") != params["Namespace"] or alarm.get("MetricName") != params["MetricName"]:
            continue
        if _dims(alarm.get("Dimensions")) != dims:
            continue
        if any(
            key in params and alarm.get(key) != params[key]
            for key in ("Statistic", "ExtendedStatistic", "Period", "Unit")
        ):
            continue
        found.append(alarm)
    return {"MetricAlarms": found}


@operation(SERVICE, "DescribeAlarmHistory")
def describe_alarm_history(ctx: ReplayContext, params: dict[str, Any]) -> dict[str, Any]:
    _, composite = _alarms(ctx)
    composite_names = {c["AlarmName"] for c in composite}
    types = params.get("AlarmTypes") or ["MetricAlarm"]
    start = to_datetime(params["StartDate"]) if "StartDate" in params else None
    end = to_datetime(params["EndDate"]) if "EndDate" in params else None
    items = []
    for raw in ctx.records("alarm_history"):
        item = to_parsed(SERVICE, "AlarmHistoryItem", raw)
        stamp = item.get("Timestamp")
        if stamp is None or stamp > ctx.now:
            continue  # not yet happened at the bundle's present
        kind = item.get("AlarmType") or (
            "CompositeAlarm" if item.get("AlarmName") in composite_names else "MetricAlarm"
        )
        if kind not in types:
            continue
        if "AlarmName" in params and item.get("AlarmName") != params["AlarmName"]:
            continue
        if "HistoryItemType" in params and item.get("HistoryItemType") != params["HistoryItemType"]:
            continue
        if (start is not None and stamp < start) or (end is not None and stamp > end):
            continue
        items.append(item)
    descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    items.sort(key=lambda i: i["Timestamp"], reverse=descending)
    page, token = ctx.page(
        items, params.get("NextToken"), params.get("MaxRecords", ALARMS_PAGE), request=_without_token(params)
    )
    answer: dict[str, Any] = {"AlarmHistoryItems": page}
    if token:
        answer["NextToken"] = token
    return answer
