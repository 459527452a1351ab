"""Replay-engine benchmark: `python -m evals.bench [--out DIR] [--events N] ...` (or `make bench`).

Generates (once, cached in --out) a bundle with many log events, metric datapoints, X-Ray segments and
CloudTrail records, then times loading it and the heavy queries an investigation makes, through boto3 as
the agent makes them. Each query runs cold (first call after attach, which includes building its
indexes) and warm (best of three more runs).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from evals.bundle import Bundle
from evals.replay import ReplayError, replay_session

START = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
HOURS = 12
END = START + timedelta(hours=HOURS)
ACCOUNT = "123456789012"
SERVICES = ["web", "checkout", "orders", "payments", "inventory", "search", "users", "catalog"]


@dataclass(frozen=True)
class Size:
    events: int
    datapoints: int
    segments: int
    trail: int


def _write_lines(path: Path, rows: Any) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, separators=(",", ":")) + "\n")


def generate(root: Path, size: Size, seed: int = 7) -> None:
    """Write the benchmark bundle to `root` (deterministic for a seed)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    span_ms = HOURS * 3600 * 1000
    t0_ms = int(START.timestamp() * 1000)
    levels = ["INFO"] * 90 + ["WARN"] * 6 + ["ERROR"] * 3 + ["FATAL"]

    def log_rows() -> Any:
        for i in range(size.events):
            svc = SERVICES[i % len(SERVICES)]
            level = rng.choice(levels)
            ts = t0_ms + (i * span_ms) // size.events
            if i % 3 == 0:
                msg = json.dumps(
                    {"level": level, "service": svc, "latency_ms": rng.randint(1, 900), "status": 200}
                )
            elif level in ("ERROR", "FATAL"):
                msg = f"{level} {svc} request {i} failed: Timeout after {rng.randint(1, 30)}s calling db"
            else:
                msg = f"{level} {svc} handled GET /api/{svc}/{i % 97} in {rng.randint(1, 900)} ms"
            yield {
                "log_group": f"/app/{svc}",
                "log_stream": f"{svc}-{i % 16}",
                "timestamp": ts,
                "message": msg,
            }

    _write_lines(root / "logs.jsonl", log_rows())

    per_series = HOURS * 60
    series = max(size.datapoints // per_series, 1)

    def metric_rows() -> Any:
        for s in range(series):
            dims = {"InstanceId": f"i-{s:017x}"}
            metric = ("CPUUtilization", "NetworkIn", "StatusCheckFailed")[s % 3]
            for m in range(per_series):
                yield {
                    "namespace": "AWS/EC2",
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": (START + timedelta(minutes=m)).isoformat().replace("+00:00", "Z"),
                    "unit": "Percent" if metric == "CPUUtilization" else "Count",
                    "value": round(rng.uniform(0, 100), 3),
                }

    _write_lines(root / "metrics.jsonl", metric_rows())

    def segment_rows() -> Any:
        for i in range(size.segments):
            start = START.timestamp() + (i * HOURS * 3600) / size.segments
            epoch = int(start)
            trace_id = f"1-{epoch:08x}-{rng.getrandbits(96):024x}"
            svc = SERVICES[i % len(SERVICES)]
            fault = rng.random() < 0.02
            duration = rng.uniform(0.005, 1.5)
            yield {
                "id": f"{rng.getrandbits(64):016x}",
                "trace_id": trace_id,
                "name": svc,
                "start_time": start,
                "end_time": start + duration,
                "fault": fault,
                "http": {
                    "request": {"method": "GET", "url": f"https://{svc}.example.com/api/{i % 50}"},
                    "response": {"status": 500 if fault else 200},
                },
                "annotations": {"tenant": f"t{i % 20}"},
                "subsegments": [
                    {
                        "id": f"{rng.getrandbits(64):016x}",
                        "name": "DynamoDB",
                        "namespace": "aws",
                        "start_time": start + 0.001,
                        "end_time": start + duration / 2,
                        "fault": fault,
                        "aws": {"operation": "GetItem", "table_name": f"{svc}-table"},
                    }
                ],
            }

    _write_lines(root / "traces.jsonl", segment_rows())

    names = [
        "RunInstances",
        "AuthorizeSecurityGroupIngress",
        "PutParameter",
        "UpdateService",
        "DescribeInstances",
    ]

    def trail_rows() -> Any:
        for i in range(size.trail):
            name = names[i % len(names)]
            yield {
                "eventVersion": "1.08",
                "eventTime": (START + timedelta(seconds=i * HOURS * 3600 / size.trail))
                .isoformat()
                .replace("+00:00", "Z"),
                "eventSource": "ec2.amazonaws.com" if i % 2 else "ssm.amazonaws.com",
                "eventName": name,
                "eventID": f"{rng.getrandbits(128):032x}",
                "awsRegion": "us-east-1",
                "readOnly": name.startswith("Describe"),
                "userIdentity": {
                    "type": "IAMUser",
                    "userName": f"user{i % 40}",
                    "arn": f"arn:aws:iam::{ACCOUNT}:user/user{i % 40}",
                    "accountId": ACCOUNT,
                    "accessKeyId": f"AKIA{i % 40:016d}",
                },
                "requestParameters": {"groupId": f"sg-{i % 300:017x}"},
            }

    _write_lines(root / "cloudtrail.jsonl", trail_rows())
    manifest = {
        "format": "sleuth-bundle/1",
        "title": f"benchmark: {size.events} log events, {series * per_series} datapoints",
        "account_id": ACCOUNT,
        "region": "us-east-1",
        "start": START.isoformat().replace("+00:00", "Z"),
        "end": END.isoformat().replace("+00:00", "Z"),
        "now": END.isoformat().replace("+00:00", "Z"),
        "trigger": {"question": None, "alarm_event": None},
        "truth": None,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _timed(fn: Callable[[], Any], warm_runs: int = 3) -> tuple[float, float, Any]:
    t = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - t
    warm = []
    for _ in range(warm_runs):
        t = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t)
    return cold, min(warm), result


def _queries(session: Any) -> dict[str, Callable[[], Any]]:
    logs = session.client("logs")
    cw = session.client("cloudwatch")
    xray = session.client("xray")
    trail = session.client("cloudtrail")
    window = {"startTime": int(START.timestamp()), "endTime": int(END.timestamp())}

    def insights() -> Any:
        qid = logs.start_query(
            logGroupNames=[f"/app/{s}" for s in SERVICES],
            queryString="filter @message like /ERROR|Timeout/ | stats count(*) as n by bin(1m)",
            **window,
        )["queryId"]
        return len(logs.get_query_results(queryId=qid)["results"])

    def metric_data() -> Any:
        queries = [
            {
                "Id": f"m{s}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/EC2",
                        "MetricName": ("CPUUtilization", "NetworkIn", "StatusCheckFailed")[s % 3],
                        "Dimensions": [{"Name": "InstanceId", "Value": f"i-{s:017x}"}],
                    },
                    "Period": 300,
                    "Stat": ("Average", "Maximum", "p99", "Sum")[s % 4],
                },
            }
            for s in range(20)
        ]
        resp = cw.get_metric_data(MetricDataQueries=queries, StartTime=START, EndTime=END)
        return sum(len(r["Values"]) for r in resp["MetricDataResults"])

    def summaries() -> Any:
        resp = xray.get_trace_summaries(
            StartTime=END - timedelta(hours=6),
            EndTime=END,
            FilterExpression='service("checkout") AND (fault OR responsetime > 1) AND NOT http.status = 404',
        )
        return len(resp["TraceSummaries"])

    def graph() -> Any:
        return len(xray.get_service_graph(StartTime=END - timedelta(hours=6), EndTime=END)["Services"])

    def lookup() -> Any:
        resp = trail.lookup_events(
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "AuthorizeSecurityGroupIngress"}
            ],
            StartTime=START,
            EndTime=END,
        )
        return len(resp["Events"])

    return {
        "Logs Insights: filter regex | stats count(*) by bin(1m)": insights,
        "GetMetricData: 20 queries, 5-minute period": metric_data,
        "GetTraceSummaries: compound filter, 6 h": summaries,
        "GetServiceGraph: 6 h": graph,
        "CloudTrail LookupEvents: EventName": lookup,
    }


def run(root: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    t = time.perf_counter()
    bundle = Bundle.load(root)
    rows.append(("load + validate bundle", f"{time.perf_counter() - t:.2f} s", "", ""))
    session, _ = replay_session(bundle)
    for label, query in _queries(session).items():
        try:
            cold, warm, result = _timed(query)
        except ReplayError as exc:
            rows.append((label, "not run", "", str(exc)))
            continue
        rows.append((label, f"{cold:.3f} s", f"{warm:.3f} s", f"{result} results"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out/bundle"), help="where the bundle is kept")
    parser.add_argument("--events", type=int, default=1_000_000, help="log events")
    parser.add_argument("--datapoints", type=int, default=200_000, help="metric datapoints")
    parser.add_argument("--segments", type=int, default=50_000, help="X-Ray segments")
    parser.add_argument("--trail", type=int, default=100_000, help="CloudTrail records")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the bundle even if cached")
    args = parser.parse_args(argv)
    size = Size(args.events, args.datapoints, args.segments, args.trail)
    stamp = args.out / ".size"
    if args.regenerate or not stamp.exists() or stamp.read_text() != repr(size):
        t = time.perf_counter()
        generate(args.out, size)
        stamp.write_text(repr(size))
        print(f"generated {args.out} in {time.perf_counter() - t:.1f} s")
    rows = run(args.out)
    width = max(len(r[0]) for r in rows)
    print(f"{'query'.ljust(width)}  {'cold':>9}  {'warm':>9}  result")
    for label, cold, warm, note in rows:
        print(f"{label.ljust(width)}  {cold:>9}  {warm:>9}  {note}")
    warm_times = [float(r[2].split()[0]) for r in rows if r[2]]
    if warm_times:
        print(f"median warm query: {statistics.median(warm_times):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
