"""clubhouse-api p99 latency alarm in the afternoon; no deploy on the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zj import (
    Json,
    Kit,
    around,
    const,
    diurnal,
    floor_min,
    iso,
    latency_hist,
    ms,
    noise,
    pick_day,
)

NAME = "clubhouse-api-p99-afternoon"
TITLE = "clubhouse-api p99 latency alarm mid-afternoon; fixture and roster pages hang for some members"
SUMMARY = (
    "One of three RDS for PostgreSQL read replicas behind a weighted reader record sits on degraded "
    "storage; its read latency and lag climb and about a third of read queries crawl or time out."
)

TZ = ZoneInfo("America/Chicago")
js = partial(json.dumps, separators=(",", ":"))


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "us-east-2")
    rng = kit.rng
    day = pick_day(rng, [1, 2, 3])
    local_onset = datetime(
        day.year, day.month, day.day, 14, rng.randint(5, 45), rng.randint(0, 59), tzinfo=TZ
    )
    onset = local_onset.astimezone(ZoneInfo("UTC"))
    off_h = (local_onset.utcoffset() or timedelta()).total_seconds() / 3600
    start = floor_min(onset - timedelta(hours=4, minutes=rng.randint(0, 30)), 5)
    now = onset + timedelta(minutes=rng.randint(38, 55), seconds=rng.randint(0, 59))
    end = now
    fine_from = floor_min(onset - timedelta(minutes=60), 5)
    acct, region = kit.account, kit.region
    onset_m = floor_min(onset)

    # --- names -------------------------------------------------------------------------------------------
    primary = "clubhouse-pg-primary"
    replicas = ["clubhouse-pg-replica-1", "clubhouse-pg-replica-2", "clubhouse-pg-replica-3"]
    bad = replicas[1]
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    cluster_suffix = kit.hex(12)
    endpoint = {n: f"{n}.{cluster_suffix}.{region}.rds.amazonaws.com" for n in [primary, *replicas]}
    dbi = {n: "db-" + kit.upper_id(26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for n in [primary, *replicas]}
    lb_name = "clubhouse-public"
    lb_dim = f"app/{lb_name}/{kit.hex(16)}"
    tg_dim = f"targetgroup/clubhouse-api/{kit.hex(16)}"
    tg_web_dim = f"targetgroup/clubhouse-web/{kit.hex(16)}"
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/{lb_dim}")
    tg_arn = kit.arn("elasticloadbalancing", tg_dim)
    tg_web_arn = kit.arn("elasticloadbalancing", tg_web_dim)
    cluster = "clubhouse-prod"
    alerts = kit.arn("sns", "clubhouse-pagerduty")
    zone_id = "Z0" + kit.upper_id(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    vpc = f"vpc-0{kit.hex(16)}"
    subnets = [f"subnet-0{kit.hex(16)}" for _ in range(3)]
    sg_db, sg_api = f"sg-0{kit.hex(16)}", f"sg-0{kit.hex(16)}"

    # --- traffic & the degradation --------------------------------------------------------------------
    base = rng.uniform(1400, 2100)  # API requests a minute at the afternoon level
    cache: dict[datetime, float] = {}

    def req(t: datetime) -> float:
        if t not in cache:
            cache[t] = noise(rng, base * diurnal(t, off_h, peak_h=17.5, floor=0.12, width=5.0), 0.05)
        return cache[t]

    def sev(t: datetime) -> float:
        """How degraded the bad replica's storage is, 0..1 (ramps over ~4 minutes, then stays rough)."""
        if t < onset_m:
            return 0.0
        k = min(1.0, ((t - onset_m).total_seconds() / 60 + 1) / 4)
        return k * min(1.0, max(0.35, rng.gauss(0.8, 0.18)))

    sev_cache: dict[datetime, float] = {}

    def sv(t: datetime) -> float:
        if t not in sev_cache:
            sev_cache[t] = sev(t)
        return sev_cache[t]

    slow_share = 0.31  # requests whose reads land on the bad replica

    lb = {"LoadBalancer": lb_dim}
    tg = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    tgw = {"LoadBalancer": lb_dim, "TargetGroup": tg_web_dim}
    s = kit.series
    web = lambda t: req(t) * 0.42  # noqa: E731

    s(
        "AWS/ApplicationELB",
        "RequestCount",
        lb,
        "Count",
        lambda t: req(t) + web(t),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s("AWS/ApplicationELB", "RequestCount", tg, "Count", req, start, end, fine_from=fine_from, digits=0)
    s("AWS/ApplicationELB", "RequestCount", tgw, "Count", web, start, end, fine_from=fine_from, digits=0)

    def errors5(t: datetime) -> float | None:
        v = sv(t)
        if v > 0:
            return req(t) * slow_share * 0.02 * v
        return 1.0 if rng.random() < 0.05 else None

    s(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tg,
        "Count",
        errors5,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tg,
        "Count",
        lambda t: req(t) * 0.955,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tg,
        "Count",
        lambda t: req(t) * 0.04,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgw,
        "Count",
        lambda t: web(t) * 0.99,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tg,
        "Count",
        const(6.0),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
    )
    s(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tg,
        "Count",
        const(0.0),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
    )
    s(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgw,
        "Count",
        const(3.0),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
    )

    def api_lat(t: datetime) -> tuple[list[float], list[float]]:
        v = sv(t)
        if v <= 0:
            return latency_hist(rng, 0.058, 0.6, req(t))
        return latency_hist(rng, 0.061, 0.6, req(t), tail=slow_share, tail_at=0.9 + 3.4 * v)

    kit.dist_series(
        "AWS/ApplicationELB", "TargetResponseTime", tg, "Seconds", api_lat, start, end, fine_from=fine_from
    )
    kit.dist_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgw,
        "Seconds",
        lambda t: latency_hist(rng, 0.012, 0.4, web(t)),
        start,
        end,
        fine_from=fine_from,
    )
    api_svc = {"ClusterName": cluster, "ServiceName": "clubhouse-api"}
    s(
        "AWS/ECS",
        "CPUUtilization",
        api_svc,
        "Percent",
        lambda t: noise(rng, 8 + 34 * req(t) / base * (1 - 0.25 * sv(t)), 0.05),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )
    s(
        "AWS/ECS",
        "MemoryUtilization",
        api_svc,
        "Percent",
        around(rng, 63.0, 0.015),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )

    # --- RDS ---------------------------------------------------------------------------------------------
    for name in [primary, *replicas]:
        d = {"DBInstanceIdentifier": name}
        is_bad = name == bad
        is_rep = name != primary

        def share(t: datetime) -> float:
            return req(t) / base

        def f_read_lat(t: datetime, is_bad: bool = is_bad) -> float:
            v = sv(t) if is_bad else 0.0
            return noise(rng, 0.00062, 0.15) + v * noise(rng, 0.055, 0.35)

        def f_write_lat(t: datetime, is_bad: bool = is_bad, is_rep: bool = is_rep) -> float:
            v = sv(t) if is_bad else 0.0
            return noise(rng, 0.0011 if is_rep else 0.0019, 0.15) + v * noise(rng, 0.07, 0.35)

        def f_queue(t: datetime, is_bad: bool = is_bad) -> float:
            v = sv(t) if is_bad else 0.0
            return noise(rng, 0.9 * share(t) + 0.3, 0.2) + v * noise(rng, 24, 0.3)

        def f_read_iops(t: datetime, is_bad: bool = is_bad, is_rep: bool = is_rep) -> float:
            v = sv(t) if is_bad else 0.0
            lvl = (1650 if is_rep else 420) * share(t) + 60
            return noise(rng, lvl * (1 - 0.72 * v), 0.08)

        def f_write_iops(t: datetime, is_bad: bool = is_bad, is_rep: bool = is_rep) -> float:
            v = sv(t) if is_bad else 0.0
            return noise(rng, (380 if is_rep else 610) * (0.5 + 0.5 * share(t)) * (1 - 0.6 * v), 0.08)

        def f_cpu(t: datetime, is_bad: bool = is_bad, is_rep: bool = is_rep) -> float:
            v = sv(t) if is_bad else 0.0
            return noise(rng, (6 + 31 * share(t) if is_rep else 9 + 18 * share(t)) * (1 - 0.45 * v), 0.06)

        def f_conn(t: datetime, is_bad: bool = is_bad, is_rep: bool = is_rep) -> float:
            v = sv(t) if is_bad else 0.0
            basec = 64 if is_rep else 92
            return float(round(noise(rng, basec + 8 * share(t), 0.03) + v * rng.uniform(60, 90)))

        s(
            "AWS/RDS",
            "ReadLatency",
            d,
            "Seconds",
            f_read_lat,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=6,
        )
        s(
            "AWS/RDS",
            "WriteLatency",
            d,
            "Seconds",
            f_write_lat,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=6,
        )
        s(
            "AWS/RDS",
            "DiskQueueDepth",
            d,
            "Count",
            f_queue,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=3,
        )
        s(
            "AWS/RDS",
            "ReadIOPS",
            d,
            "Count/Second",
            f_read_iops,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=2,
        )
        s(
            "AWS/RDS",
            "WriteIOPS",
            d,
            "Count/Second",
            f_write_iops,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=2,
        )
        s(
            "AWS/RDS",
            "ReadThroughput",
            d,
            "Bytes/Second",
            partial(_times, f_read_iops, 11800.0),
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=0,
        )
        s(
            "AWS/RDS",
            "CPUUtilization",
            d,
            "Percent",
            f_cpu,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=2,
        )
        s(
            "AWS/RDS",
            "DatabaseConnections",
            d,
            "Count",
            f_conn,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=0,
        )
        s(
            "AWS/RDS",
            "FreeableMemory",
            d,
            "Bytes",
            around(rng, 21.4e9 if is_rep else 19.8e9, 0.004),
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=0,
        )
        s(
            "AWS/RDS",
            "FreeStorageSpace",
            d,
            "Bytes",
            around(rng, 611e9, 0.0003),
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=0,
        )
        if is_rep:

            def f_lag(t: datetime, is_bad: bool = is_bad) -> float:
                v = sv(t) if is_bad else 0.0
                if v <= 0:
                    return float(rng.choice([0, 0, 0, 1]))
                mins = (t - onset_m).total_seconds() / 60
                return float(round(min(240.0, 6 + mins * 9 * v + rng.uniform(0, 20))))

            s(
                "AWS/RDS",
                "ReplicaLag",
                d,
                "Seconds",
                f_lag,
                start,
                end,
                fine_from=fine_from,
                kind="avg",
                digits=0,
            )
        else:
            s(
                "AWS/RDS",
                "TransactionLogsDiskUsage",
                d,
                "Bytes",
                around(rng, 2.1e9, 0.05),
                start,
                end,
                fine_from=fine_from,
                kind="avg",
                digits=0,
            )

    # --- alarms ------------------------------------------------------------------------------------------
    common: dict[str, Any] = {"start": start, "now": now, "topic_arn": alerts}
    p99 = kit.alarm(
        "clubhouse-api-p99-latency",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=tg,
        stat="p99",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=5,
        threshold=1.5,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="clubhouse-api p99 over 1.5s for 5 minutes",
        **common,
    )
    kit.alarm(
        "clubhouse-api-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=tg,
        stat="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=50,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="clubhouse-api 5xx over 50/min",
        **common,
    )
    kit.alarm(
        "clubhouse-pg-primary-cpu",
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dims={"DBInstanceIdentifier": primary},
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=80,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        description="Primary CPU sustained above 80%",
        **common,
    )
    for rname in replicas:
        kit.alarm(
            f"{rname}-replica-lag",
            namespace="AWS/RDS",
            metric="ReplicaLag",
            dims={"DBInstanceIdentifier": rname},
            stat="Maximum",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=600,
            comparison="GreaterThanThreshold",
            treat_missing="missing",
            description=f"{rname} more than 10 minutes behind",
            **common,
        )
    kit.alarm(
        "clubhouse-pg-primary-free-storage",
        namespace="AWS/RDS",
        metric="FreeStorageSpace",
        dims={"DBInstanceIdentifier": primary},
        stat="Minimum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=60e9,
        comparison="LessThanThreshold",
        treat_missing="missing",
        description="Primary below 60 GB free",
        **common,
    )

    # --- logs: API (Spring Boot) -------------------------------------------------------------------------
    api_group = "/ecs/clubhouse-api"
    tasks = [kit.hex(32) for _ in range(6)]
    paths = [
        "/v1/clubs/{c}/fixtures",
        "/v1/clubs/{c}/roster",
        "/v1/members/me",
        "/v1/clubs/{c}/standings",
        "/v1/clubs/{c}/events",
        "/v1/payments/{c}/history",
    ]
    threads = [f"nio-8080-exec-{i}" for i in range(1, 60)]

    def spring(t: datetime, level: str, logger: str, msg: str) -> str:
        return (
            f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z {level:>5} 1 --- [clubhouse-api] "
            f"[{rng.choice(threads):>15}] {logger:<40} : {msg}"
        )

    t = start
    while t < now:
        t += timedelta(seconds=rng.expovariate(max(req(floor_min(t)) / 60 / 250, 0.01)))
        tid = rng.choice(tasks)
        stream = f"api/clubhouse-api/{tid}"
        v = sv(floor_min(t))
        path = rng.choice(paths).replace("{c}", str(rng.randint(1000, 9999)))
        if v > 0 and rng.random() < slow_share:
            took = int((0.9 + 3.4 * v) * 1000 * rng.uniform(0.6, 1.4))
            if took > 5000 and rng.random() < 0.35:
                kit.log(
                    api_group,
                    stream,
                    t,
                    spring(
                        t,
                        "ERROR",
                        "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                        "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                        "[Request processing failed: org.springframework.dao.QueryTimeoutException: "
                        "PreparedStatementCallback; SQL [select f.* from fixture f join team t on t.id = f.home_team_id "
                        "where t.club_id = ? and f.starts_at >= ? order by f.starts_at limit ?]; ERROR: canceling "
                        "statement due to statement timeout] with root cause\n\n"
                        "org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout\n"
                        "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)\n"
                        "\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2412)\n"
                        "\tat org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:371)\n"
                        "\tat org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:502)\n"
                        "\tat org.postgresql.jdbc.PgPreparedStatement.executeQuery(PgPreparedStatement.java:134)\n"
                        "\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeQuery("
                        "HikariProxyPreparedStatement.java)\n"
                        "\tat org.springframework.jdbc.core.JdbcTemplate$1.doInPreparedStatement(JdbcTemplate.java:732)\n"
                        "\tat app.clubhouse.fixtures.FixtureRepository.upcoming(FixtureRepository.java:88)\n"
                        "\tat app.clubhouse.fixtures.FixtureService.forClub(FixtureService.java:41)\n"
                        "\t... 58 common frames omitted",
                    ),
                )
            else:
                kit.log(
                    api_group,
                    stream,
                    t,
                    spring(
                        t,
                        "WARN",
                        "a.c.web.RequestTimingFilter",
                        f"slow request GET {path} took {took} ms (db={int(took * 0.93)} ms, pool=reader)",
                    ),
                )
        elif rng.random() < 0.004:
            kit.log(
                api_group,
                stream,
                t,
                spring(
                    t,
                    "WARN",
                    "a.c.payments.StripeWebhookHandler",
                    "Ignoring webhook event evt_"
                    + kit.upper_id(24, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP0123456789")
                    + " of type charge.dispute.funds_withdrawn: no handler",
                ),
            )
        elif rng.random() < 0.08:
            kit.log(
                api_group,
                stream,
                t,
                spring(
                    t, "INFO", "a.c.web.RequestTimingFilter", f"GET {path} 200 {int(rng.uniform(15, 140))} ms"
                ),
            )
    for tid in tasks:
        tt = start + timedelta(seconds=rng.uniform(0, 3000))
        kit.log(
            api_group,
            f"api/clubhouse-api/{tid}",
            tt,
            spring(
                tt,
                "WARN",
                "com.zaxxer.hikari.pool.PoolBase",
                f"HikariPool-2 - Failed to validate connection org.postgresql.jdbc.PgConnection@{kit.hex(8)} "
                "(This connection has been closed.). Possibly consider using a shorter maxLifetime value.",
            ),
        )

    # --- logs: PostgreSQL (exported to CloudWatch Logs) ---------------------------------------------------
    db_texts: dict[str, list[str]] = {n: [] for n in [primary, *replicas]}
    for name in [primary, *replicas]:
        group = f"/aws/rds/instance/{name}/postgresql"
        is_bad = name == bad
        is_rep = name != primary
        ckpt_pid = rng.randint(380, 560)
        tt = start + timedelta(seconds=rng.uniform(0, 300))
        word = "restartpoint" if is_rep else "checkpoint"
        while tt < now:
            v = sv(floor_min(tt)) if is_bad else 0.0
            lines = [f"{tt:%Y-%m-%d %H:%M:%S} UTC::@:[{ckpt_pid}]:LOG:  {word} starting: time"]
            write_s = rng.uniform(240, 270) if v == 0 else rng.uniform(270, 300)
            sync_s = rng.uniform(0.004, 0.09) if v == 0 else rng.uniform(18, 75) * v + 2
            done = tt + timedelta(seconds=write_s + sync_s)
            if done < now:
                bufs = rng.randint(9000, 30000)
                lines.append(
                    f"{done:%Y-%m-%d %H:%M:%S} UTC::@:[{ckpt_pid}]:LOG:  {word} complete: wrote {bufs} buffers "
                    f"({bufs / 10485.76:.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(6, 19)} recycled; "
                    f"write={write_s:.3f} s, sync={sync_s:.3f} s, total={write_s + sync_s:.3f} s; sync files="
                    f"{rng.randint(120, 260)}, longest={sync_s * rng.uniform(0.2, 0.4):.3f} s, average="
                    f"{sync_s / 200:.3f} s; distance={rng.randint(300000, 520000)} kB, estimate="
                    f"{rng.randint(400000, 520000)} kB"
                    + (
                        ""
                        if not is_rep
                        else f"; lsn={rng.randint(0x3A0, 0x3A9):X}/{kit.hex(7).upper()}, redo lsn="
                        f"{rng.randint(0x3A0, 0x3A9):X}/{kit.hex(7).upper()}"
                    )
                )
                if is_rep:
                    lines.append(
                        f"{done:%Y-%m-%d %H:%M:%S} UTC::@:[{ckpt_pid}]:LOG:  recovery restart point at "
                        f"{rng.randint(0x3A0, 0x3A9):X}/{kit.hex(7).upper()}"
                    )
            for i, line in enumerate(lines):
                at = tt if i == 0 else done
                kit.log(group, name, at, line)
                db_texts[name].append(line)
            tt += timedelta(seconds=300)
        # slow statements (log_min_duration_statement) and timeouts
        tt = start
        while tt < now:
            v = sv(floor_min(tt)) if is_bad else 0.0
            rate = 0.25 + (45 * v if is_bad else 0)  # per minute
            tt += timedelta(seconds=rng.expovariate(rate / 60))
            if tt >= now:
                break
            pid = rng.randint(20000, 32000)
            client = f"10.30.{rng.randint(1, 63)}.{rng.randint(4, 250)}({rng.randint(32768, 60999)})"
            prefix = f"{tt:%Y-%m-%d %H:%M:%S} UTC:{client}:clubhouse_app@clubhouse:[{pid}]:"
            if v > 0 and rng.random() < 0.3:
                msgs = [
                    prefix + "ERROR:  canceling statement due to statement timeout",
                    prefix
                    + "STATEMENT:  select f.* from fixture f join team t on t.id = f.home_team_id where "
                    "t.club_id = $1 and f.starts_at >= $2 order by f.starts_at limit $3",
                ]
            else:
                dur = (rng.uniform(2000, 4900) * (0.5 + v)) if v > 0 else rng.uniform(1000, 1900)
                stmt = rng.choice(
                    [
                        "select m.* from membership m where m.club_id = $1 and m.status = $2 order by m.joined_at desc",
                        "select s.* from standings_view s where s.league_id = $1",
                        "select count(*) from event_attendance ea where ea.event_id = $1",
                    ]
                )
                msgs = [prefix + f"LOG:  duration: {dur:.3f} ms  execute <unnamed>: {stmt}"]
            for m in msgs:
                kit.log(group, name, tt, m)
                db_texts[name].append(m)
    for name in [primary, *replicas]:
        db_texts[name].sort()

    # --- CloudTrail --------------------------------------------------------------------------------------
    dba = kit.sso("marcus.lee@clubhouse.app", "DatabaseAdmin")
    dev = kit.sso("ana.ruiz@clubhouse.app", "Developer")
    gha_ip = f"{rng.choice(['20.161', '4.148', '52.234'])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    ci = kit.role(
        "gha-deploy-clubhouse",
        "GitHubActions",
        ip=gha_ip,
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1021-azure lang/js md/nodejs#20.12.2 "
        "api/ecs#3.556.0 aws-actions/amazon-ecs-deploy-task-definition",
    )
    dd = kit.role(
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        ip=f"3.233.{rng.randint(128, 159)}.{rng.randint(1, 254)}",
        agent="Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)",
    )
    task = kit.role(
        "clubhouse-api-task",
        kit.hex(32),
        ip=kit.ip("10.30"),
        agent="aws-sdk-java/2.25.31 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/"
        "21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard",
    )
    reads: list[tuple[str, str, Json | None]] = [
        ("rds.amazonaws.com", "DescribeDBInstances", None),
        ("rds.amazonaws.com", "DescribeEvents", {"sourceType": "db-instance", "duration": 1440}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("ecs.amazonaws.com", "ListServices", {"cluster": cluster}),
        ("route53.amazonaws.com", "ListHostedZones", None),
    ]
    kit.routine_reads([dd, dd, dd, dev], reads, start, now, 24)
    for _ in range(6):
        ts = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
        task.call(
            ts,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": kit.arn("secretsmanager", "secret:clubhouse/prod/db-app-" + kit.hex(6))},
            None,
            read_only=True,
        )
    # innocent 1: the DBA lowers log_min_duration_statement on the replicas' parameter group
    t_pg = onset - timedelta(minutes=rng.randint(9, 16), seconds=rng.randint(0, 59))
    dba.call(
        t_pg - timedelta(minutes=2),
        "rds.amazonaws.com",
        "DescribeDBParameters",
        {"dBParameterGroupName": "clubhouse-pg15-replicas", "source": "user"},
        None,
        read_only=True,
        console=True,
    )
    dba.call(
        t_pg,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": "clubhouse-pg15-replicas",
            "parameters": [
                {
                    "parameterName": "log_min_duration_statement",
                    "parameterValue": "1000",
                    "applyMethod": "immediate",
                }
            ],
        },
        {"dBParameterGroupName": "clubhouse-pg15-replicas"},
        read_only=False,
        console=True,
    )
    # innocent 2: a clubhouse-web deploy shortly after the onset
    t_web = onset + timedelta(minutes=rng.randint(5, 14), seconds=rng.randint(0, 59))
    rev = rng.randint(300, 420)
    ci.call(
        t_web - timedelta(seconds=8),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "clubhouse-web",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [
                {
                    "name": "clubhouse-web",
                    "essential": True,
                    "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/clubhouse-web:{kit.hex(7)}",
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": kit.arn("ecs", f"task-definition/clubhouse-web:{rev}"),
                "family": "clubhouse-web",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
    )
    ci.call(
        t_web,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "clubhouse-web",
            "taskDefinition": kit.arn("ecs", f"task-definition/clubhouse-web:{rev}"),
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "clubhouse-web",
                "status": "ACTIVE",
                "desiredCount": 3,
                "taskDefinition": kit.arn("ecs", f"task-definition/clubhouse-web:{rev}"),
            }
        },
        read_only=False,
    )
    for k in range(3):
        ci.call(
            t_web + timedelta(seconds=20 * (k + 1)),
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": ["clubhouse-web"]},
            None,
            read_only=True,
        )
    # the on-call starts looking
    look = p99.first("ALARM").at if p99.transitions else onset + timedelta(minutes=8)
    steps: list[tuple[str, str, Json]] = [
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": primary}),
        ("logs.amazonaws.com", "FilterLogEvents", {"logGroupName": api_group, "filterPattern": "ERROR"}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["clubhouse-api"]}),
        (
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": iso(onset - timedelta(hours=3)), "endTime": iso(now)},
        ),
    ]
    for k, (src, nm, prm) in enumerate(steps):
        dev.call(
            look + timedelta(minutes=3 + 2 * k, seconds=rng.randint(0, 59)),
            src,
            nm,
            prm,
            None,
            read_only=True,
            console=True,
        )

    # --- resources ---------------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(400, 800))
    for i, name in enumerate([primary, *replicas]):
        is_rep = name != primary
        az = azs[(i - 1) % 3] if is_rep else azs[0]
        item: Json = {
            "DBInstanceIdentifier": name,
            "DBInstanceClass": "db.r6g.2xlarge",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "clubhouse_admin",
            "DBName": "clubhouse",
            "Endpoint": {"Address": endpoint[name], "Port": 5432, "HostedZoneId": "ZUFXD4SLT2LS7"},
            "AllocatedStorage": 800,
            "InstanceCreateTime": iso(created + timedelta(days=30 * i)),
            "PreferredBackupWindow": "08:10-08:40",
            "BackupRetentionPeriod": 0 if is_rep else 14,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
            "DBParameterGroups": [
                {
                    "DBParameterGroupName": "clubhouse-pg15-replicas" if is_rep else "clubhouse-pg15",
                    "ParameterApplyStatus": "in-sync",
                }
            ],
            "AvailabilityZone": az,
            "DBSubnetGroup": {
                "DBSubnetGroupName": "clubhouse-db",
                "DBSubnetGroupDescription": "clubhouse db",
                "VpcId": vpc,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {"SubnetIdentifier": sn, "SubnetAvailabilityZone": {"Name": a}, "SubnetStatus": "Active"}
                    for sn, a in zip(subnets, azs, strict=True)
                ],
            },
            "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
            "PendingModifiedValues": {},
            "MultiAZ": not is_rep,
            "EngineVersion": "15.7",
            "AutoMinorVersionUpgrade": True,
            "LicenseModel": "postgresql-license",
            "Iops": 12000,
            "StorageThroughput": 500,
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "DbInstancePort": 0,
            "StorageEncrypted": True,
            "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
            "DbiResourceId": dbi[name],
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "CopyTagsToSnapshot": True,
            "MonitoringInterval": 0,
            "DBInstanceArn": kit.arn("rds", f"db:{name}"),
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": True,
            "PerformanceInsightsRetentionPeriod": 7,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "DeletionProtection": True,
            "MaxAllocatedStorage": 1200,
            "TagList": [
                {"Key": "team", "Value": "platform"},
                {"Key": "role", "Value": "reader" if is_rep else "writer"},
            ],
            "NetworkType": "IPV4",
            "BackupTarget": "region",
        }
        if is_rep:
            item["ReadReplicaSourceDBInstanceIdentifier"] = primary
            item["StatusInfos"] = [
                {"StatusType": "read replication", "Normal": True, "Status": "replicating"}
            ]
        else:
            item["ReadReplicaDBInstanceIdentifiers"] = list(replicas)
            item["SecondaryAvailabilityZone"] = azs[1]
            item["LatestRestorableTime"] = iso(now - timedelta(minutes=4))
        kit.resource("rds", "DBInstance", item)
        log_day = floor_min(now, 60)
        text = "\n".join(x for x in db_texts[name] if x[:13] >= f"{log_day:%Y-%m-%d %H}") + "\n"
        kit.resource(
            "rds",
            "DBLogFile",
            {
                "DBInstanceIdentifier": name,
                "LogFileName": f"error/postgresql.log.{log_day:%Y-%m-%d-%H}",
                "LastWritten": ms(now - timedelta(seconds=rng.randint(1, 20))),
                "Size": len(text),
                "Data": text,
            },
        )
    kit.resource(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zone_id}",
            "Name": "db.clubhouse.internal.",
            "CallerReference": kit.uuid(),
            "Config": {"Comment": "database endpoints", "PrivateZone": True},
            "ResourceRecordSetCount": 6,
        },
    )
    kit.resource(
        "route53",
        "ZoneRecordSet",
        {
            "HostedZoneId": zone_id,
            "Name": "writer.db.clubhouse.internal.",
            "Type": "CNAME",
            "TTL": 30,
            "ResourceRecords": [{"Value": endpoint[primary]}],
        },
    )
    for rname in replicas:
        kit.resource(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": "reader.db.clubhouse.internal.",
                "Type": "CNAME",
                "SetIdentifier": rname,
                "Weight": 100,
                "TTL": 30,
                "ResourceRecords": [{"Value": endpoint[rname]}],
            },
        )
    kit.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randint(10**8, 10**9)}.{region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z3AADJGX6KTTL2",
            "CreatedTime": iso(created),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": a, "SubnetId": sn} for sn, a in zip(subnets, azs, strict=True)
            ],
            "SecurityGroups": [f"sg-0{kit.hex(16)}"],
            "IpAddressType": "ipv4",
        },
    )
    for arn, nm, port, path in (
        (tg_arn, "clubhouse-api", 8080, "/actuator/health/liveness"),
        (tg_web_arn, "clubhouse-web", 3000, "/healthz"),
    ):
        kit.resource(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": arn,
                "TargetGroupName": nm,
                "Protocol": "HTTP",
                "Port": port,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": path,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    for nm, count, tgarn, port in (
        ("clubhouse-api", 6, tg_arn, 8080),
        ("clubhouse-web", 3, tg_web_arn, 3000),
    ):
        svc_arn = kit.arn("ecs", f"service/{cluster}/{nm}")
        tdrev = rev if nm == "clubhouse-web" else rng.randint(500, 700)
        dep_at = t_web if nm == "clubhouse-web" else day - timedelta(days=rng.randint(2, 6))
        kit.resource(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": nm,
                "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
                "loadBalancers": [{"targetGroupArn": tgarn, "containerName": nm, "containerPort": port}],
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": count,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": kit.arn("ecs", f"task-definition/{nm}:{tdrev}"),
                "deployments": [
                    {
                        "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
                        "status": "PRIMARY",
                        "taskDefinition": kit.arn("ecs", f"task-definition/{nm}:{tdrev}"),
                        "desiredCount": count,
                        "pendingCount": 0,
                        "runningCount": count,
                        "failedTasks": 0,
                        "createdAt": iso(dep_at),
                        "updatedAt": iso(dep_at + timedelta(minutes=3)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "createdAt": iso(created),
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_api],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
            },
        )
        if nm == "clubhouse-web":
            for msg, dt in (
                (
                    f"(service {nm}) has started 3 tasks: (task {kit.hex(32)}) (task {kit.hex(32)}) "
                    f"(task {kit.hex(32)}).",
                    25,
                ),
                (f"(service {nm}) registered 3 targets in (target-group {tgarn})", 70),
                (
                    f"(service {nm}) has stopped 3 running tasks: (task {kit.hex(32)}) (task "
                    f"{kit.hex(32)}) (task {kit.hex(32)}).",
                    150,
                ),
                (f"(service {nm}) deployment ecs-svc completed.", 175),
                (f"(service {nm}) has reached a steady state.", 180),
            ):
                if t_web + timedelta(seconds=dt) <= now:
                    kit.event(
                        "ecs",
                        {
                            "service_arn": svc_arn,
                            "event": {
                                "id": kit.uuid(),
                                "createdAt": iso(t_web + timedelta(seconds=dt)),
                                "message": msg,
                            },
                        },
                    )
        else:
            kit.event(
                "ecs",
                {
                    "service_arn": svc_arn,
                    "event": {
                        "id": kit.uuid(),
                        "createdAt": iso(start + timedelta(minutes=rng.randint(10, 60))),
                        "message": f"(service {nm}) has reached a steady state.",
                    },
                },
            )
    kit.event(
        "rds",
        {
            "SourceIdentifier": primary,
            "SourceType": "db-instance",
            "Message": "Finished DB Instance backup",
            "EventCategories": ["backup"],
            "Date": iso(day + timedelta(hours=8, minutes=rng.randint(25, 39))),
            "SourceArn": kit.arn("rds", f"db:{primary}"),
        },
    )

    # --- manifest ----------------------------------------------------------------------------------------
    tr = p99.first("ALARM")
    alarm_local = tr.at.astimezone(TZ)
    clock = alarm_local.strftime("%-I:%M") + ("am" if alarm_local.hour < 12 else "pm")
    question = (
        f"clubhouse-api p99 latency paged at {clock}. Members say fixture and roster pages sometimes hang and "
        "then load fine on refresh. We didn't deploy the API today. What's causing it?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": kit.alarm_event(p99, tr),
                "timezone": "America/Chicago",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad,
                    "category": "component_failure",
                    "failure_mode": "rds-replica-degraded-storage",
                    "event_id": None,
                },
                "also_accept": [kit.arn("rds", f"db:{bad}"), dbi[bad], endpoint[bad]],
                "actions": ["exclude", "restart"],
                "chain": [
                    f"{bad}'s storage degrades: read/write latency and disk queue depth jump, IOPS drop, lag grows",
                    f"reader.db.clubhouse.internal sends a third of clubhouse-api's read connections to {bad}",
                    "those queries crawl or hit the statement timeout",
                    "clubhouse-api's p99 on the clubhouse-public ALB climbs past 1.5s and some requests fail with 500",
                ],
            },
        }
    )
    return Bundle(manifest, kit.records())


def _times(f: Callable[[datetime], float], k: float, t: datetime) -> float:
    return f(t) * k
