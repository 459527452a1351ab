"""Ordinary metrics for every resource of the account, with AWS's namespaces, names and dimensions.

Traffic drives everything: requests per minute per web tier follow a daily curve; instance CPU, DB
connections and DB load follow from the requests and from which instances are alive each minute.
Scenarios build this baseline first and then bend the series their fault affects.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from evals.scenarios.account import Instance, Service
from evals.scenarios.incident import Incident
from evals.scenarios.series import Series, daily_curve, noisy


@dataclass
class Traffic:
    """Requests per minute to each web tier (by service name), and per-request costs."""

    rpm: dict[str, list[float]]
    cpu_per_request: dict[str, float]
    pool_size: dict[str, int]  # DB connections each app instance keeps open

    @classmethod
    def draw(cls, inc: Incident, *, peak_rpm: tuple[int, int] = (1500, 6000)) -> Traffic:
        rng, w = inc.rng, inc.window
        peak_hour = rng.uniform(12, 16)
        shape = daily_curve(w, peak_hour=peak_hour, amplitude=rng.uniform(0.35, 0.6))
        rpm: dict[str, list[float]] = {}
        cost: dict[str, float] = {}
        pools: dict[str, int] = {}
        for n, svc in enumerate(inc.account.services):
            level = rng.uniform(*peak_rpm) * (1.0 if n == 0 else rng.uniform(0.08, 0.3))
            rpm[svc.name] = [v or 0.0 for v in noisy(rng, shape, scale=level, noise=0.05)]
            # Per-instance CPU at the daily peak; teams size burstable instances to stay near baseline.
            target_cpu = rng.uniform(10, 18) if svc.instance_type.startswith("t3") else rng.uniform(28, 48)
            cost[svc.name] = (target_cpu - 5) * svc.desired / (level * 1.5)
        # Connection pools sized so that the writer normally runs at 30-55% of max_connections.
        db = inc.account.database
        total = sum(s.desired for s in inc.account.services)
        per_instance = db.max_connections * rng.uniform(0.3, 0.55) / (0.65 * total)
        for svc in inc.account.services:
            pools[svc.name] = max(2, int(per_instance * rng.uniform(0.85, 1.15)))
        return cls(rpm=rpm, cpu_per_request=cost, pool_size=pools)

    def total(self, minute: int) -> float:
        return sum(v[minute] for v in self.rpm.values())


def _series(
    inc: Incident,
    ns: str,
    metric: str,
    dims: dict[str, str],
    unit: str,
    values: list[float | None],
    resource: str,
    *,
    sparse: bool = False,
    decimals: int = 2,
) -> Series:
    return inc.add(
        Series(ns, metric, dims, unit, values, sparse=sparse, decimals=decimals, resource=resource)
    )


def build_baseline(inc: Incident, traffic: Traffic) -> None:
    """Emit the ordinary metrics of every resource (call after instance lifecycles are final)."""
    acct = inc.account
    for svc in acct.services:
        _service(inc, traffic, svc)
    _alb(inc, traffic)
    _database(inc, traffic)
    for fn in acct.functions:
        _function(inc, fn.name, fn.arn, fn.reserved)


def _alive_mask(inc: Incident, inst: Instance) -> list[bool]:
    return [inst.alive(when) for _, when in inc.window.grid()]


def _service(inc: Incident, traffic: Traffic, svc: Service) -> None:
    rng, w = inc.rng, inc.window
    rpm = traffic.rpm[svc.name]
    alive_counts = [len(svc.alive(when)) for _, when in w.grid()]
    for inst in svc.instances:
        if inst.terminated is not None and inst.terminated <= w.start:
            continue
        mask = _alive_mask(inc, inst)
        share = [rpm[i] / alive_counts[i] if mask[i] and alive_counts[i] else 0.0 for i in range(w.minutes)]
        idle = rng.uniform(3, 5)
        cpu: list[float | None] = [
            min(100.0, idle + traffic.cpu_per_request[svc.name] * share[i] * (1 + rng.gauss(0, 0.06)))
            if mask[i]
            else None
            for i in range(w.minutes)
        ]
        dims = {"InstanceId": inst.id}
        _series(inc, "AWS/EC2", "CPUUtilization", dims, "Percent", cpu, inst.id)
        bytes_per_req = rng.uniform(2500, 9000)
        net_in: list[float | None] = [
            share[i] * bytes_per_req * 0.3 * (1 + rng.gauss(0, 0.08)) + 4e4 if mask[i] else None
            for i in range(w.minutes)
        ]
        net_out: list[float | None] = [
            share[i] * bytes_per_req * (1 + rng.gauss(0, 0.08)) + 2e4 if mask[i] else None
            for i in range(w.minutes)
        ]
        _series(inc, "AWS/EC2", "NetworkIn", dims, "Bytes", net_in, inst.id, decimals=0)
        _series(inc, "AWS/EC2", "NetworkOut", dims, "Bytes", net_out, inst.id, decimals=0)
        _series(
            inc,
            "AWS/EC2",
            "StatusCheckFailed",
            dims,
            "Count",
            [0.0 if m else None for m in mask],
            inst.id,
            decimals=0,
        )
        if inst.instance_type.startswith("t"):
            balance = credit_balance(inst.instance_type, cpu, rng.uniform(0.5, 0.95))
            _series(inc, "AWS/EC2", "CPUCreditBalance", dims, "Count", balance, inst.id)
            _series(
                inc,
                "AWS/EC2",
                "CPUCreditUsage",
                dims,
                "Count",
                [2 * c / 100 if c is not None else None for c in cpu],
                inst.id,
                decimals=3,
            )
        agent = {
            "InstanceId": inst.id,
            "AutoScalingGroupName": svc.asg_name,
            "ImageId": svc.image_id,
            "InstanceType": inst.instance_type,
        }
        mem_base = rng.uniform(35, 65)
        _series(
            inc,
            "CWAgent",
            "mem_used_percent",
            agent,
            "Percent",
            [
                min(99.0, mem_base + 0.4 * k / 60 + rng.gauss(0, 0.4)) if m else None
                for k, m in enumerate(mask)
            ],
            inst.id,
        )
        disk_base = rng.uniform(18, 60)
        _series(
            inc,
            "CWAgent",
            "disk_used_percent",
            {**agent, "path": "/", "device": "nvme0n1p1", "fstype": "xfs"},
            "Percent",
            [disk_base + 0.002 * k if m else None for k, m in enumerate(mask)],
            inst.id,
        )
    _asg(inc, svc)
    _asg_cpu(inc, svc)
    _target_group(inc, traffic, svc, alive_counts)


# t3 burstable credits: one credit is one vCPU at 100% for a minute; (credits earned per minute, cap).
T3_CREDITS = {"t3.medium": (0.4, 576.0), "t3.large": (0.6, 864.0)}


def credit_balance(instance_type: str, cpu: list[float | None], start_fraction: float) -> list[float | None]:
    """CPUCreditBalance from CPU use: earn at the baseline rate, spend vCPUs x utilisation per minute."""
    earn, cap = T3_CREDITS.get(instance_type, (0.4, 576.0))
    balance = cap * start_fraction
    out: list[float | None] = []
    for value in cpu:
        if value is None:
            out.append(None)
            continue
        balance = min(cap, max(0.0, balance + earn - 2 * value / 100))
        out.append(balance)
    return out


def _asg(inc: Incident, svc: Service) -> None:
    w = inc.window
    dims = {"AutoScalingGroupName": svc.asg_name}
    in_service: list[float | None] = [float(len(svc.alive(when))) for _, when in w.grid()]
    desired = svc.desired
    _series(inc, "AWS/AutoScaling", "GroupInServiceInstances", dims, "None", in_service, svc.asg_arn)
    _series(inc, "AWS/AutoScaling", "GroupTotalInstances", dims, "None", list(in_service), svc.asg_arn)
    _series(
        inc,
        "AWS/AutoScaling",
        "GroupDesiredCapacity",
        dims,
        "None",
        [float(desired)] * w.minutes,
        svc.asg_arn,
    )


def _asg_cpu(inc: Incident, svc: Service) -> None:
    """AWS/EC2 CPUUtilization aggregated by AutoScalingGroupName (what target tracking watches)."""
    per = [s.values for i in svc.instances for s in inc.find("AWS/EC2", "CPUUtilization", InstanceId=i.id)]
    avg: list[float | None] = []
    for k in range(inc.window.minutes):
        vals = [v[k] for v in per if v[k] is not None]
        avg.append(sum(vals) / len(vals) if vals else None)  # type: ignore[arg-type]
    _series(
        inc, "AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": svc.asg_name}, "Percent", avg, svc.asg_arn
    )


def refresh_asg_cpu(inc: Incident) -> None:
    """Recompute the per-ASG CPU after a scenario changed instances' CPU."""
    for svc in inc.account.services:
        _asg_cpu(inc, svc)


def _target_group(inc: Incident, traffic: Traffic, svc: Service, alive_counts: list[int]) -> None:
    rng, w, acct = inc.rng, inc.window, inc.account
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    rpm: list[float | None] = [float(round(v)) for v in traffic.rpm[svc.name]]
    base_latency = rng.uniform(0.04, 0.22)
    _series(inc, "AWS/ApplicationELB", "RequestCount", tg, "Count", rpm, svc.tg_arn, decimals=0)
    _series(
        inc,
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        {"TargetGroup": svc.tg_dimension},
        "Count",
        [r / max(c, 1) for r, c in zip(traffic.rpm[svc.name], alive_counts, strict=True)],
        svc.tg_arn,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg,
        "Seconds",
        [
            base_latency
            * (1 + 0.15 * (r or 0) / max(max(traffic.rpm[svc.name]), 1))
            * (1 + abs(rng.gauss(0, 0.1)))
            for r in rpm
        ],
        svc.tg_arn,
        decimals=4,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tg,
        "Count",
        [float(c) for c in alive_counts],
        svc.tg_arn,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tg,
        "Count",
        [0.0] * w.minutes,
        svc.tg_arn,
        decimals=0,
    )
    error_rate = rng.uniform(0.0002, 0.0015)
    _series(
        inc,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tg,
        "Count",
        [float(poisson(rng, (r or 0) * error_rate)) for r in rpm],
        svc.tg_arn,
        sparse=True,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tg,
        "Count",
        [float(poisson(rng, (r or 0) * 0.02)) for r in rpm],
        svc.tg_arn,
        sparse=True,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tg,
        "Count",
        [float(round((r or 0) * 0.975)) for r in rpm],
        svc.tg_arn,
        sparse=True,
        decimals=0,
    )


def _alb(inc: Incident, traffic: Traffic) -> None:
    rng, w, acct = inc.rng, inc.window, inc.account
    lb = {"LoadBalancer": acct.alb_dimension}
    total = [traffic.total(i) for i in range(w.minutes)]
    arn = acct.alb_arn
    _series(
        inc,
        "AWS/ApplicationELB",
        "RequestCount",
        lb,
        "Count",
        [float(round(t)) for t in total],
        arn,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "ActiveConnectionCount",
        lb,
        "Count",
        [t * rng.uniform(0.25, 0.3) for t in total],
        arn,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "NewConnectionCount",
        lb,
        "Count",
        [t * rng.uniform(0.08, 0.12) for t in total],
        arn,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "ProcessedBytes",
        lb,
        "Bytes",
        [t * rng.uniform(4000, 6000) for t in total],
        arn,
        decimals=0,
    )
    # ELB-generated errors: the odd 502 from a client reset, 460s, and scanners' 4XXs.
    _series(
        inc,
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Count",
        [float(poisson(rng, 0.03)) for _ in total],
        arn,
        sparse=True,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "HTTPCode_ELB_4XX_Count",
        lb,
        "Count",
        [float(poisson(rng, 0.5 + t * 0.0005)) for t in total],
        arn,
        sparse=True,
        decimals=0,
    )
    _series(
        inc,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Seconds",
        _weighted_latency(inc, traffic),
        arn,
        decimals=4,
    )


def _weighted_latency(inc: Incident, traffic: Traffic) -> list[float | None]:
    out: list[float | None] = []
    svcs = inc.account.services
    for i in range(inc.window.minutes):
        num = den = 0.0
        for svc in svcs:
            latency = (
                inc.get(
                    "AWS/ApplicationELB",
                    "TargetResponseTime",
                    TargetGroup=svc.tg_dimension,
                    LoadBalancer=inc.account.alb_dimension,
                ).values[i]
                or 0.0
            )
            num += latency * traffic.rpm[svc.name][i]
            den += traffic.rpm[svc.name][i]
        out.append(num / den if den else None)
    return out


def refresh_alb_latency(inc: Incident, traffic: Traffic) -> None:
    """Recompute the ALB-wide latency after a scenario changed a target group's latency."""
    inc.get(
        "AWS/ApplicationELB", "TargetResponseTime", LoadBalancer=inc.account.alb_dimension
    ).values = _weighted_latency(inc, traffic)


def _database(inc: Incident, traffic: Traffic) -> None:
    rng, w, acct = inc.rng, inc.window, inc.account
    db = acct.database
    grid = list(w.grid())
    app_conns = [
        sum(len(s.alive(when)) * traffic.pool_size[s.name] for s in acct.services) for _, when in grid
    ]
    total = [traffic.total(i) for i in range(w.minutes)]
    peak = max(total) or 1.0
    for m in db.members:
        writer = m == db.writer
        dims = {"DBInstanceIdentifier": m}
        arn = db.instance_arn(acct, m)
        share = 0.65 if writer else 0.35 / len(db.readers)
        cpu_peak = rng.uniform(25, 45) if writer else rng.uniform(10, 25)
        _series(
            inc,
            "AWS/RDS",
            "CPUUtilization",
            dims,
            "Percent",
            [min(100.0, 4 + (cpu_peak - 4) * t / peak * (1 + rng.gauss(0, 0.05))) for t in total],
            arn,
        )
        _series(
            inc,
            "AWS/RDS",
            "DatabaseConnections",
            dims,
            "Count",
            [float(round(c * share + 5 + rng.gauss(0, 1.5))) for c in app_conns],
            arn,
            decimals=0,
        )
        _series(
            inc,
            "AWS/RDS",
            "Queries",
            dims,
            "Count/Second",
            [t * share * rng.uniform(2.5, 3.5) / 60 * 4 for t in total],
            arn,
        )
        mem = rng.uniform(4e9, 9e9)
        _series(
            inc,
            "AWS/RDS",
            "FreeableMemory",
            dims,
            "Bytes",
            [mem * (1 + rng.gauss(0, 0.004)) for _ in total],
            arn,
            decimals=0,
        )
        _series(
            inc,
            "AWS/RDS",
            "SelectLatency",
            dims,
            "Milliseconds",
            [rng.uniform(0.35, 0.6) * (1 + 0.3 * t / peak) for t in total],
            arn,
            decimals=3,
        )
        _series(
            inc,
            "AWS/RDS",
            "AbortedClients",
            dims,
            "Count",
            [float(poisson(rng, 0.02)) for _ in total],
            arn,
            decimals=0,
        )
        _series(inc, "AWS/RDS", "LoginFailures", dims, "Count/Second", [0.0 for _ in total], arn, decimals=0)
        _series(
            inc,
            "AWS/RDS",
            "NetworkThroughput",
            dims,
            "Bytes/Second",
            [t * share * rng.uniform(900, 1100) / 60 for t in total],
            arn,
            decimals=0,
        )
        if writer:
            _series(
                inc,
                "AWS/RDS",
                "CommitLatency",
                dims,
                "Milliseconds",
                [rng.uniform(1.8, 3.2) for _ in total],
                arn,
                decimals=3,
            )
        else:
            _series(
                inc,
                "AWS/RDS",
                "AuroraReplicaLag",
                dims,
                "Milliseconds",
                [rng.uniform(8, 25) for _ in total],
                arn,
                decimals=1,
            )
    cdims = {"DBClusterIdentifier": db.cluster_id}
    used = rng.uniform(2e10, 3e11)
    _series(
        inc,
        "AWS/RDS",
        "VolumeBytesUsed",
        cdims,
        "Bytes",
        [used + 1.2e4 * i for i in range(w.minutes)],
        db.cluster_arn,
        decimals=0,
    )
    _series(
        inc,
        "AWS/RDS",
        "VolumeWriteIOPs",
        cdims,
        "Count",
        [t * rng.uniform(0.2, 0.3) for t in total],
        db.cluster_arn,
        decimals=0,
    )
    _series(
        inc,
        "AWS/RDS",
        "VolumeReadIOPs",
        cdims,
        "Count",
        [t * rng.uniform(0.05, 0.1) for t in total],
        db.cluster_arn,
        decimals=0,
    )


def _function(inc: Incident, name: str, arn: str, reserved: int | None) -> None:
    rng, w = inc.rng, inc.window
    shape = daily_curve(w, peak_hour=rng.uniform(11, 17), amplitude=rng.uniform(0.3, 0.6))
    level = rng.uniform(40, 900)
    inv = [float(poisson(rng, level * f)) for f in shape]
    duration = rng.uniform(40, 900)
    dims = {"FunctionName": name}
    _series(inc, "AWS/Lambda", "Invocations", dims, "Count", list(inv), arn, decimals=0)
    _series(
        inc,
        "AWS/Lambda",
        "Errors",
        dims,
        "Count",
        [float(poisson(rng, v * rng.uniform(0.0005, 0.003))) for v in inv],
        arn,
        decimals=0,
    )
    _series(inc, "AWS/Lambda", "Throttles", dims, "Count", [0.0 for _ in inv], arn, decimals=0)
    _series(
        inc,
        "AWS/Lambda",
        "Duration",
        dims,
        "Milliseconds",
        [duration * (1 + abs(rng.gauss(0, 0.12))) for _ in inv],
        arn,
        decimals=1,
    )
    _series(
        inc,
        "AWS/Lambda",
        "ConcurrentExecutions",
        dims,
        "Count",
        [max(1.0, v * duration / 60000 * rng.uniform(1.1, 1.6)) for v in inv],
        arn,
        decimals=0,
    )


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, a normal approximation for large ones)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
