"""Stock pulls from the on-premises ERP and the ERP order export stop working mid-morning.

AWS replaced the tunnel endpoint of tunnel 1 of the Site-to-Site VPN to the Reading data centre. Tunnel 2
was never brought up on the customer gateway (it has been DOWN since the connection was built, and AWS has
been nagging about single-tunnel operation), and the tunnels use IKEv1 with the startup action "add", so
after the replacement nobody re-initiates IKE: the only tunnel stays DOWN. Everything in the VPC that talks
to 10.60.0.0/16 times out; nothing else is affected. A deploy of the stock-pull function 20 minutes before
and a couple of unrelated changes are innocent.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_v as k

NAME = "erp-stock-sync-stalled"
TITLE = "Stock levels stale and the ERP order export dead-lettering since mid-morning"
SUMMARY = (
    "AWS tunnel endpoint maintenance took down the only configured tunnel of the VPN to the on-prem ERP; "
    "stock pulls and the order export Lambda time out."
)

REGION = "eu-west-2"
TZ = ZoneInfo("Europe/London")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "".join(str(rng.randint(0, 9)) for _ in range(12))
    if account[0] == "0":
        account = "4" + account[1:]
    day = datetime(2024, 2, 5, tzinfo=TZ) + timedelta(days=rng.randrange(0, 220))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset_local = day.replace(
        hour=rng.choice([10, 10, 11]), minute=rng.randrange(0, 50), second=rng.randrange(0, 60)
    )
    onset = onset_local.astimezone(UTC)
    utc_off = onset_local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = (onset - timedelta(hours=4, minutes=rng.randrange(0, 30))).replace(second=0)
    start = start.replace(minute=start.minute - start.minute % 5)
    now = (onset + timedelta(minutes=rng.randrange(46, 58))).replace(second=0) + timedelta(
        seconds=rng.randrange(0, 60)
    )
    fine_from = (onset - timedelta(minutes=90)).replace(second=0)
    fine_from = fine_from.replace(minute=fine_from.minute - fine_from.minute % 5)

    # --- ids ---------------------------------------------------------------------------------------
    vpc = "vpc-" + k.hexid(rng)
    sub_a, sub_b = "subnet-" + k.hexid(rng), "subnet-" + k.hexid(rng)
    rtb = "rtb-" + k.hexid(rng)
    nat = "nat-" + k.hexid(rng)
    vgw = "vgw-" + k.hexid(rng)
    cgw = "cgw-" + k.hexid(rng)
    vpn = "vpn-" + k.hexid(rng)
    sg_sync = "sg-" + k.hexid(rng)
    sg_bastion = "sg-" + k.hexid(rng)
    zone_id = "Z0" + k.upper_id(rng, 19)
    public_zone = "Z0" + k.upper_id(rng, 19)
    t1_ip = f"18.{rng.choice([130, 132, 133, 168, 169])}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    t2_ip = f"35.{rng.choice([176, 177, 178, 179])}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}"
    cgw_ip = f"81.{rng.randrange(128, 159)}.{rng.randrange(1, 254)}.{rng.randrange(2, 250)}"
    erp_ip = f"10.60.{rng.randrange(10, 20)}.{rng.randrange(20, 60)}"
    t1_inside = f"169.254.{rng.randrange(10, 250)}.{rng.choice([0, 4, 8, 12, 16])}/30"
    t2_inside = f"169.254.{rng.randrange(10, 250)}.{rng.choice([20, 24, 28, 32])}/30"
    pull_fn, export_fn = "stock-erp-pull", "erp-order-export"
    queue, dlq = "erp-order-export", "erp-order-export-dlq"
    esm_uuid = k.uid(rng)
    topic = f"arn:aws:sns:{REGION}:{account}:hv-prod-oncall"
    created_vpn = onset - timedelta(days=rng.randrange(400, 700))
    deploy_at = onset - timedelta(minutes=rng.randrange(19, 25), seconds=rng.randrange(0, 60))
    deploy_at = deploy_at.replace(microsecond=0)

    records: dict[str, list[k.Json]] = {
        "metrics": [],
        "alarms": [],
        "alarm_history": [],
        "logs": [],
        "cloudtrail": [],
        "resources": [],
        "events": [],
    }
    metrics, logs, trail = records["metrics"], records["logs"], records["cloudtrail"]

    # --- VPN metrics (5-minute) ---------------------------------------------------------------------
    grid5 = k.steps(start, now - timedelta(minutes=5), timedelta(minutes=5))
    for t in grid5:
        mins = [t + timedelta(minutes=i) for i in range(5)]
        up = [1.0 if m < onset else 0.0 for m in mins]
        load = k.diurnal(t, utc_off, low=0.15)
        din = [u * k.jitter(rng, 1.6e6 * load + 2.2e5, 0.15) for u in up]
        dout = [u * k.jitter(rng, 0.9e6 * load + 1.5e5, 0.15) for u in up]
        d1 = {"VpnId": vpn, "TunnelIpAddress": t1_ip}
        d2 = {"VpnId": vpn, "TunnelIpAddress": t2_ip}
        metrics.append(k.stats("AWS/VPN", "TunnelState", d1, t, "None", up))
        metrics.append(k.stats("AWS/VPN", "TunnelState", d2, t, "None", [0.0] * 5))
        metrics.append(k.stats("AWS/VPN", "TunnelState", {"VpnId": vpn}, t, "None", up + [0.0] * 5))
        metrics.append(k.datum("AWS/VPN", "TunnelDataIn", d1, t, "Bytes", round(sum(din))))
        metrics.append(k.datum("AWS/VPN", "TunnelDataOut", d1, t, "Bytes", round(sum(dout))))
        metrics.append(k.datum("AWS/VPN", "TunnelDataIn", d2, t, "Bytes", 0))
        metrics.append(k.datum("AWS/VPN", "TunnelDataOut", d2, t, "Bytes", 0))
        metrics.append(k.datum("AWS/VPN", "TunnelDataIn", {"VpnId": vpn}, t, "Bytes", round(sum(din))))
        metrics.append(k.datum("AWS/VPN", "TunnelDataOut", {"VpnId": vpn}, t, "Bytes", round(sum(dout))))

    # --- stock-erp-pull: scheduled every 5 minutes, async retries after failures ---------------------
    pull_group = f"/aws/lambda/{pull_fn}"
    pull_stream = k.lambda_stream(rng, start)
    pull_inv: dict[datetime, list[tuple[float, bool]]] = {}
    errors5: dict[datetime, float] = {}
    code_new = deploy_at
    after_deploy = False
    for t in k.steps(start, now, timedelta(minutes=5)):
        fire = t + timedelta(seconds=rng.randrange(1, 4), milliseconds=rng.randrange(0, 999))
        attempts = [fire]
        if fire >= onset:
            attempts += [
                fire + timedelta(seconds=70 + rng.randrange(0, 25)),
                fire + timedelta(seconds=200 + rng.randrange(0, 40)),
            ]
        for at in attempts:
            if at >= now:
                continue
            cold = False
            if not after_deploy and at >= code_new:
                after_deploy, cold = True, True
                pull_stream = k.lambda_stream(rng, at)
            elif rng.random() < 0.015:
                cold = True
                pull_stream = k.lambda_stream(rng, at)
            stream = pull_stream
            req = k.uid(rng)
            init = rng.uniform(780, 1150) if cold else None
            lines: list[tuple[float, str]] = [(0, f"START RequestId: {req} Version: $LATEST")]
            since = (at - timedelta(minutes=5)).replace(microsecond=0)
            if at < onset:
                skus = max(3, int(k.jitter(rng, 260 * k.diurnal(at, utc_off, low=0.1), 0.3)))
                dur = rng.uniform(2600, 5200) + skus * 4.5
                lines.append(
                    (
                        0.02,
                        f"[INFO]\t{k.iso_ms(at)}\t{req}\tpulling stock deltas from ERP changed since {k.iso(since)}",
                    )
                )
                lines.append(
                    (
                        dur * 0.55 / 1000,
                        f"[INFO]\t{k.iso_ms(at + timedelta(milliseconds=dur * 0.55))}\t{req}\tERP returned {skus} changed SKUs across 3 plants",
                    )
                )
                if rng.random() < 0.12:
                    sku = f"HV-{rng.randrange(10000, 39999)}"
                    lines.append(
                        (
                            dur * 0.6 / 1000,
                            f"[WARNING]\t{k.iso_ms(at + timedelta(milliseconds=dur * 0.6))}\t{req}\tSKU {sku} has negative on-hand ({-rng.randrange(1, 4)}) at plant RDG1; clamped to 0",
                        )
                    )
                lines.append(
                    (
                        dur * 0.98 / 1000,
                        f"[INFO]\t{k.iso_ms(at + timedelta(milliseconds=dur * 0.98))}\t{req}\tupserted {skus} rows into hv-stock-levels; watermark -> {k.iso(at.replace(microsecond=0))}",
                    )
                )
                ok = True
            else:
                dur = rng.uniform(30050, 30400)
                host = "erp-gw.hv-prod.internal"
                tb = (
                    f"[ERROR] ConnectTimeout: HTTPSConnectionPool(host='{host}', port=8443): Max retries exceeded with url: "
                    f"/sap/opu/odata/sap/ZSTOCK_DELTA_SRV/StockChanges?$filter=ChangedAt%20gt%20datetimeoffset'{k.iso(since)}' "
                    f"(Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{k.hexid(rng, 10)}>, "
                    f"'Connection to {host} timed out. (connect timeout=10)'))\n"
                    "Traceback (most recent call last):\n"
                    '  File "/var/task/handler.py", line 48, in handler\n'
                    "    changes = erp.stock_changes(since=watermark)\n"
                    '  File "/var/task/erp_client.py", line 77, in stock_changes\n'
                    "    resp = self.session.get(url, params=params, timeout=(10, 60))\n"
                    '  File "/var/task/requests/sessions.py", line 602, in get\n'
                    '    return self.request("GET", url, **kwargs)\n'
                    '  File "/var/task/requests/adapters.py", line 507, in send\n'
                    "    raise ConnectTimeout(e, request=request)"
                )
                lines.append(
                    (
                        0.02,
                        f"[INFO]\t{k.iso_ms(at)}\t{req}\tpulling stock deltas from ERP changed since {k.iso(since)}",
                    )
                )
                lines.append((dur / 1000 - 0.01, tb))
                ok = False
            lines.append((dur / 1000, f"END RequestId: {req}"))
            lines.append(
                (
                    dur / 1000,
                    k.lambda_report(
                        req, dur, 512, rng.randrange(88, 104) if ok else rng.randrange(84, 92), init
                    ),
                )
            )
            for off, msg in lines:
                logs.append(k.log(pull_group, stream, at + timedelta(seconds=off), msg))
            minute = at.replace(second=0, microsecond=0)
            pull_inv.setdefault(minute, []).append((dur, ok))
    for minute in sorted(pull_inv):
        runs = pull_inv[minute]
        dims = {"FunctionName": pull_fn}
        metrics.append(k.datum("AWS/Lambda", "Invocations", dims, minute, "Count", len(runs)))
        metrics.append(
            k.datum("AWS/Lambda", "Errors", dims, minute, "Count", sum(1 for _, ok in runs if not ok))
        )
        metrics.append(k.dist("AWS/Lambda", "Duration", dims, minute, "Milliseconds", [d for d, _ in runs]))
        metrics.append(k.datum("AWS/Lambda", "ConcurrentExecutions", dims, minute, "Count", 1))
        p5 = minute.replace(minute=minute.minute - minute.minute % 5)
        errors5[p5] = errors5.get(p5, 0.0) + sum(1 for _, ok in runs if not ok)
    for t in k.steps(start, now, timedelta(minutes=5)):
        errors5.setdefault(t, 0.0)
        first = t + timedelta(seconds=2)
        if first < now:
            dims = {"FunctionName": pull_fn}
            metrics.append(k.datum("AWS/Lambda", "AsyncEventsReceived", dims, t, "Count", 1))
            if t >= onset and t + timedelta(minutes=4) < now:
                metrics.append(
                    k.datum("AWS/Lambda", "AsyncEventsDropped", dims, t + timedelta(minutes=3), "Count", 1)
                )

    # --- erp-order-export: SQS consumer, batch size 10, visibility timeout 180 s, maxReceiveCount 5 ----
    exp_group = f"/aws/lambda/{export_fn}"
    streams = [k.lambda_stream(rng, start) for _ in range(3)]
    cohorts: list[tuple[datetime, int]] = []  # (arrival minute, messages) failing since onset
    dlq_depth = 0
    dlq_oldest: datetime | None = None
    visible5: dict[datetime, float] = {}
    order_no = rng.randrange(1040000, 1090000)
    so_no = rng.randrange(4500180000, 4500199999)
    for t, _p in k.grid(start, now, start):
        load = k.diurnal(t, utc_off, low=0.08)
        arrivals = max(0, round(k.jitter(rng, 34 * load, 0.2)))
        dq = {"QueueName": queue}
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesSent", dq, t, "Count", arrivals))
        metrics.append(k.datum("AWS/SQS", "SentMessageSize", dq, t, "Bytes", rng.randrange(1900, 2600)))
        invocations: list[tuple[float, bool]] = []
        if t + timedelta(minutes=1) <= onset:
            received = arrivals
            deleted = arrivals
            batches = max(1, (arrivals + 9) // 10) if arrivals else 0
            left = arrivals
            for _b in range(batches):
                size = min(10, left)
                left -= size
                dur = rng.uniform(180, 420) * size + rng.uniform(40, 120)
                invocations.append((dur, True))
                at = t + timedelta(seconds=rng.uniform(0, 59))
                req = k.uid(rng)
                st = k.pick(rng, streams)
                logs.append(k.log(exp_group, st, at, f"START RequestId: {req} Version: $LATEST"))
                for i in range(size):
                    order_no += 1
                    so_no += 1
                    at_i = at + timedelta(milliseconds=dur * (i + 1) / (size + 1))
                    if rng.random() < 0.02:
                        logs.append(
                            k.log(
                                exp_group,
                                st,
                                at_i,
                                f"{k.iso_ms(at_i)}\t{req}\tWARN\tERP answered 409 for order HV-{order_no} (sales order already exists as {so_no}); treating as delivered",
                            )
                        )
                    else:
                        logs.append(
                            k.log(
                                exp_group,
                                st,
                                at_i,
                                f"{k.iso_ms(at_i)}\t{req}\tINFO\tposted order HV-{order_no} to ERP as sales order {so_no} ({rng.randrange(1, 9)} lines)",
                            )
                        )
                end = at + timedelta(milliseconds=dur)
                logs.append(k.log(exp_group, st, end, f"END RequestId: {req}"))
                logs.append(k.log(exp_group, st, end, k.lambda_report(req, dur, 256, rng.randrange(92, 118))))
            visible = rng.randrange(0, 3)
            not_visible = rng.randrange(0, 4)
            oldest = rng.uniform(4, 40)
        else:
            cohorts.append((t, arrivals))
            # every cohort is received on arrival and again every 3 minutes; after 5 receives it is redriven
            received = 0
            in_flight = 0
            keep: list[tuple[datetime, int]] = []
            for arrived, n in cohorts:
                age_min = int((t - arrived).total_seconds() // 60)
                if age_min >= 15:
                    dlq_depth += n
                    if dlq_oldest is None:
                        dlq_oldest = arrived
                    continue
                keep.append((arrived, n))
                in_flight += n
                if age_min % 3 == 0:
                    received += n
            cohorts = keep
            deleted = 0
            remaining = received
            while remaining > 0:
                size = min(10, remaining)
                remaining -= size
                invocations.append((rng.uniform(10004, 10090), False))
            for dur, _ok in invocations:
                at = t + timedelta(seconds=rng.uniform(0, 49))
                req = k.uid(rng)
                st = k.pick(rng, streams)
                order_no += 1
                logs.append(k.log(exp_group, st, at, f"START RequestId: {req} Version: $LATEST"))
                end = at + timedelta(milliseconds=dur)
                err = {
                    "errorType": "AxiosError",
                    "errorMessage": "timeout of 10000ms exceeded",
                    "code": "ECONNABORTED",
                    "name": "AxiosError",
                    "stack": [
                        "AxiosError: timeout of 10000ms exceeded",
                        "    at RedirectableRequest.handleRequestTimeout (/var/task/node_modules/axios/dist/node/axios.cjs:3135:16)",
                        "    at RedirectableRequest.emit (node:events:519:28)",
                        "    at Timeout.<anonymous> (/var/task/node_modules/follow-redirects/index.js:210:12)",
                        "    at listOnTimeout (node:internal/timers:581:17)",
                        "    at process.processTimers (node:internal/timers:519:7)",
                        "    at Axios.request (/var/task/node_modules/axios/dist/node/axios.cjs:4224:41)",
                        "    at async postSalesOrder (/var/task/src/erp.js:41:18)",
                        "    at async Runtime.handler (/var/task/src/index.js:22:7)",
                    ],
                }
                logs.append(
                    k.log(
                        exp_group,
                        st,
                        end,
                        f"{k.iso_ms(end)}\t{req}\tERROR\tInvoke Error \t{json.dumps(err, separators=(',', ':'))}",
                    )
                )
                logs.append(k.log(exp_group, st, end, f"END RequestId: {req}"))
                logs.append(k.log(exp_group, st, end, k.lambda_report(req, dur, 256, rng.randrange(90, 104))))
            visible = rng.randrange(0, 4)
            not_visible = in_flight
            oldest = max((t - a).total_seconds() for a, _ in cohorts) + rng.uniform(5, 50) if cohorts else 0
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesReceived", dq, t, "Count", received))
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesDeleted", dq, t, "Count", deleted))
        metrics.append(k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", dq, t, "Count", visible))
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dq, t, "Count", not_visible)
        )
        metrics.append(k.datum("AWS/SQS", "ApproximateNumberOfMessagesDelayed", dq, t, "Count", 0))
        metrics.append(k.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", dq, t, "Seconds", round(oldest)))
        metrics.append(k.datum("AWS/SQS", "NumberOfEmptyReceives", dq, t, "Count", rng.randrange(40, 70)))
        dd = {"QueueName": dlq}
        dlq_age = (t - dlq_oldest).total_seconds() - 900 if dlq_oldest else 0
        metrics.append(k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", dlq_depth))
        metrics.append(k.datum("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dd, t, "Count", 0))
        metrics.append(
            k.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", dd, t, "Seconds", round(max(0, dlq_age)))
        )
        metrics.append(k.datum("AWS/SQS", "NumberOfEmptyReceives", dd, t, "Count", 0))
        p5 = t.replace(minute=t.minute - t.minute % 5)
        visible5[p5] = max(visible5.get(p5, 0.0), float(dlq_depth))
        if invocations:
            dims = {"FunctionName": export_fn}
            metrics.append(k.datum("AWS/Lambda", "Invocations", dims, t, "Count", len(invocations)))
            metrics.append(
                k.datum("AWS/Lambda", "Errors", dims, t, "Count", sum(1 for _, ok in invocations if not ok))
            )
            metrics.append(
                k.dist("AWS/Lambda", "Duration", dims, t, "Milliseconds", [d for d, _ in invocations])
            )
            conc = max(
                1,
                min(
                    len(invocations), 1 + len(invocations) * int(sum(d for d, _ in invocations) / 60000 + 0.5)
                ),
            )
            metrics.append(k.datum("AWS/Lambda", "ConcurrentExecutions", dims, t, "Count", conc))
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- alarms ------------------------------------------------------------------------------------
    created = onset - timedelta(days=rng.randrange(120, 300))
    tr_pull = k.evaluate_alarm(
        errors5,
        first_eval=start + timedelta(minutes=15),
        now=now,
        period=300,
        evals=2,
        dta=2,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        stat="Sum",
    )
    a_pull, h_pull = k.metric_alarm(
        account=account,
        region=REGION,
        name="stock-erp-pull-errors",
        description="stock-erp-pull failing on consecutive runs: website stock levels are not being refreshed from SAP. Runbook: https://wiki.harrowvale.internal/ops/stock-sync",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": pull_fn},
        stat="Sum",
        period=300,
        evals=2,
        dta=2,
        threshold=1,
        op="GreaterThanOrEqualToThreshold",
        topic=topic,
        created=created,
        transitions=tr_pull,
    )
    tr_dlq = k.evaluate_alarm(
        visible5,
        first_eval=start + timedelta(minutes=15),
        now=now,
        period=300,
        evals=1,
        dta=1,
        threshold=0,
        op="GreaterThanThreshold",
        stat="Maximum",
    )
    a_dlq, h_dlq = k.metric_alarm(
        account=account,
        region=REGION,
        name="erp-order-export-dlq-not-empty",
        description="Orders failed to reach SAP and were dead-lettered. Redrive with the erp-order-export runbook.",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": dlq},
        stat="Maximum",
        period=300,
        evals=1,
        dta=1,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
        created=created + timedelta(minutes=4),
        transitions=tr_dlq,
    )
    a_age, _ = k.metric_alarm(
        account=account,
        region=REGION,
        name="erp-order-export-oldest-message",
        description="Orders waiting more than 30 minutes for export to SAP.",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": queue},
        stat="Maximum",
        period=300,
        evals=3,
        dta=3,
        threshold=1800,
        op="GreaterThanThreshold",
        topic=topic,
        created=created + timedelta(minutes=5),
        transitions=[],
        ok_since=created + timedelta(minutes=9),
    )
    a_thr, _ = k.metric_alarm(
        account=account,
        region=REGION,
        name="erp-order-export-throttles",
        description="erp-order-export is being throttled.",
        namespace="AWS/Lambda",
        metric="Throttles",
        dims={"FunctionName": export_fn},
        stat="Sum",
        period=300,
        evals=1,
        dta=1,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
        created=created + timedelta(minutes=6),
        transitions=[],
    )
    records["alarms"] = [a_pull, a_dlq, a_age, a_thr]
    records["alarm_history"] = h_pull + h_dlq

    # --- resources ---------------------------------------------------------------------------------
    env_tags = [{"Key": "Environment", "Value": "prod"}, {"Key": "Team", "Value": "commerce-platform"}]
    r = records["resources"]
    r.append(
        k.res(
            "ec2",
            "Vpc",
            {
                "VpcId": vpc,
                "CidrBlock": "10.30.0.0/16",
                "State": "available",
                "OwnerId": account,
                "DhcpOptionsId": "dopt-" + k.hexid(rng),
                "InstanceTenancy": "default",
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": "hv-prod"}, *env_tags],
            },
        )
    )
    for sid, az, cidr, free in (
        (sub_a, "a", "10.30.16.0/20", rng.randrange(3900, 4060)),
        (sub_b, "b", "10.30.32.0/20", rng.randrange(3900, 4060)),
    ):
        r.append(
            k.res(
                "ec2",
                "Subnet",
                {
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "CidrBlock": cidr,
                    "AvailabilityZone": f"{REGION}{az}",
                    "AvailabilityZoneId": f"euw2-az{ {'a': 2, 'b': 3}[az] }",
                    "AvailableIpAddressCount": free,
                    "State": "available",
                    "MapPublicIpOnLaunch": False,
                    "DefaultForAz": False,
                    "OwnerId": account,
                    "SubnetArn": f"arn:aws:ec2:{REGION}:{account}:subnet/{sid}",
                    "Tags": [{"Key": "Name", "Value": f"hv-prod-private-{REGION}{az}"}, *env_tags],
                },
            )
        )
    r.append(
        k.res(
            "ec2",
            "RouteTable",
            {
                "RouteTableId": rtb,
                "VpcId": vpc,
                "OwnerId": account,
                "PropagatingVgws": [],
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": "rtbassoc-" + k.hexid(rng),
                        "RouteTableId": rtb,
                        "SubnetId": s,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in (sub_a, sub_b)
                ],
                "Routes": [
                    {
                        "DestinationCidrBlock": "10.30.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "10.60.0.0/16",
                        "GatewayId": vgw,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": nat,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationPrefixListId": "pl-b3a742da",
                        "GatewayId": "vpce-" + k.hexid(rng),
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": [{"Key": "Name", "Value": "hv-prod-private"}, *env_tags],
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "VpnGateway",
            {
                "VpnGatewayId": vgw,
                "State": "available",
                "Type": "ipsec.1",
                "AmazonSideAsn": 64512,
                "VpcAttachments": [{"VpcId": vpc, "State": "attached"}],
                "Tags": [{"Key": "Name", "Value": "hv-prod-vgw"}, *env_tags],
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "CustomerGateway",
            {
                "CustomerGatewayId": cgw,
                "State": "available",
                "Type": "ipsec.1",
                "IpAddress": cgw_ip,
                "BgpAsn": "65000",
                "DeviceName": "rdg-dc-fw01",
                "Tags": [{"Key": "Name", "Value": "reading-dc-fw01"}, *env_tags],
            },
        )
    )

    def tunnel(ip: str, inside: str) -> k.Json:
        return {
            "OutsideIpAddress": ip,
            "TunnelInsideCidr": inside,
            "Phase1LifetimeSeconds": 28800,
            "Phase2LifetimeSeconds": 3600,
            "RekeyMarginTimeSeconds": 540,
            "RekeyFuzzPercentage": 100,
            "ReplayWindowSize": 1024,
            "DpdTimeoutSeconds": 30,
            "DpdTimeoutAction": "clear",
            "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
            "Phase2EncryptionAlgorithms": [{"Value": "AES256"}],
            "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}],
            "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
            "Phase1DHGroupNumbers": [{"Value": 14}],
            "Phase2DHGroupNumbers": [{"Value": 14}],
            "IkeVersions": [{"Value": "ikev1"}],
            "StartupAction": "add",
            "LogOptions": {"CloudWatchLogOptions": {"LogEnabled": False}},
            "EnableTunnelLifecycleControl": False,
        }

    t2_since = created_vpn + timedelta(minutes=rng.randrange(20, 90))
    r.append(
        k.res(
            "ec2",
            "VpnConnection",
            {
                "VpnConnectionId": vpn,
                "State": "available",
                "Type": "ipsec.1",
                "Category": "VPN",
                "CustomerGatewayId": cgw,
                "VpnGatewayId": vgw,
                "Options": {
                    "EnableAcceleration": False,
                    "StaticRoutesOnly": True,
                    "LocalIpv4NetworkCidr": "0.0.0.0/0",
                    "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                    "OutsideIpAddressType": "PublicIpv4",
                    "TunnelInsideIpVersion": "ipv4",
                    "TunnelOptions": [tunnel(t1_ip, t1_inside), tunnel(t2_ip, t2_inside)],
                },
                "Routes": [
                    {"DestinationCidrBlock": "10.60.0.0/16", "Source": "Static", "State": "available"}
                ],
                "VgwTelemetry": [
                    {
                        "OutsideIpAddress": t1_ip,
                        "Status": "DOWN",
                        "StatusMessage": "",
                        "AcceptedRouteCount": 0,
                        "LastStatusChange": k.iso(onset + timedelta(seconds=rng.randrange(5, 40))),
                    },
                    {
                        "OutsideIpAddress": t2_ip,
                        "Status": "DOWN",
                        "StatusMessage": "",
                        "AcceptedRouteCount": 0,
                        "LastStatusChange": k.iso(t2_since),
                    },
                ],
                "Tags": [{"Key": "Name", "Value": "hv-prod-to-reading-dc"}, *env_tags],
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg_sync,
                "GroupName": "erp-integration-lambdas",
                "Description": "Lambdas that call SAP over the DC VPN",
                "VpcId": vpc,
                "OwnerId": account,
                "IpPermissions": [],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 8443,
                        "ToPort": 8443,
                        "IpRanges": [{"CidrIp": "10.60.0.0/16", "Description": "SAP gateway"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    },
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    },
                ],
                "Tags": env_tags,
            },
        )
    )
    r.append(
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg_bastion,
                "GroupName": "reporting-bastion",
                "Description": "SSM-only bastion for finance reporting",
                "VpcId": vpc,
                "OwnerId": account,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 5432,
                        "ToPort": 5432,
                        "IpRanges": [{"CidrIp": "10.30.0.0/16"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "Tags": env_tags,
            },
        )
    )
    code_sha = (
        "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(43)
        )
        + "="
    )

    def fn(
        name: str,
        runtime: str,
        handler: str,
        timeout: int,
        mem: int,
        modified: datetime,
        desc: str,
        env: dict[str, str],
    ) -> k.Json:
        return {
            "FunctionName": name,
            "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{name}",
            "Runtime": runtime,
            "Role": f"arn:aws:iam::{account}:role/{name}-lambda",
            "Handler": handler,
            "CodeSize": rng.randrange(800000, 4000000),
            "Description": desc,
            "Timeout": timeout,
            "MemorySize": mem,
            "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": code_sha if name == pull_fn else k.hexid(rng, 8),
            "Version": "$LATEST",
            "VpcConfig": {
                "SubnetIds": [sub_a, sub_b],
                "SecurityGroupIds": [sg_sync],
                "VpcId": vpc,
                "Ipv6AllowedForDualStack": False,
            },
            "Environment": {"Variables": env},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": k.uid(rng),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
        }

    r.append(
        k.res(
            "lambda",
            "FunctionConfiguration",
            fn(
                pull_fn,
                "python3.12",
                "handler.handler",
                60,
                512,
                deploy_at,
                "Pull stock deltas from SAP into hv-stock-levels",
                {
                    "ERP_BASE_URL": "https://erp-gw.hv-prod.internal:8443",
                    "STOCK_TABLE": "hv-stock-levels",
                    "LOG_LEVEL": "INFO",
                },
            ),
        )
    )
    r.append(
        k.res(
            "lambda",
            "FunctionConfiguration",
            fn(
                export_fn,
                "nodejs20.x",
                "src/index.handler",
                30,
                256,
                onset - timedelta(days=rng.randrange(9, 40), hours=3),
                "Post web orders to SAP as sales orders",
                {"ERP_BASE_URL": "https://erp-gw.hv-prod.internal:8443", "ERP_TIMEOUT_MS": "10000"},
            ),
        )
    )
    q_arn = f"arn:aws:sqs:{REGION}:{account}:{queue}"
    dlq_arn = f"arn:aws:sqs:{REGION}:{account}:{dlq}"
    r.append(
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": esm_uuid,
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": q_arn,
                "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{export_fn}",
                "LastModified": k.iso(created),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": [],
                "ScalingConfig": {"MaximumConcurrency": 5},
            },
        )
    )
    q_created = str(int((created - timedelta(days=30)).timestamp()))
    r.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{queue}",
                "Attributes": {
                    "QueueArn": q_arn,
                    "VisibilityTimeout": "180",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "MaximumMessageSize": "262144",
                    "CreatedTimestamp": q_created,
                    "LastModifiedTimestamp": q_created,
                    "SqsManagedSseEnabled": "true",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
                    ),
                },
                "Tags": {"Environment": "prod", "Team": "commerce-platform"},
            },
        )
    )
    r.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{dlq}",
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "VisibilityTimeout": "30",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "MaximumMessageSize": "262144",
                    "CreatedTimestamp": q_created,
                    "LastModifiedTimestamp": q_created,
                    "SqsManagedSseEnabled": "true",
                    "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
                },
                "Tags": {"Environment": "prod", "Team": "commerce-platform"},
            },
        )
    )
    r.append(
        k.res(
            "route53",
            "HostedZone",
            {
                "Id": f"/hostedzone/{zone_id}",
                "Name": "hv-prod.internal.",
                "CallerReference": k.uid(rng),
                "Config": {"Comment": "prod private names", "PrivateZone": True},
                "ResourceRecordSetCount": 9,
            },
        )
    )
    r.append(
        k.res(
            "route53",
            "ZoneRecordSet",
            {
                "HostedZoneId": zone_id,
                "Name": "erp-gw.hv-prod.internal.",
                "Type": "A",
                "TTL": 300,
                "ResourceRecords": [{"Value": erp_ip}],
            },
        )
    )

    # --- AWS Health ----------------------------------------------------------------------------------
    def health(
        code: str, cat: str, began: datetime, ended: datetime | None, status: str, desc: str
    ) -> k.Json:
        ev_arn = f"arn:aws:health:{REGION}::event/VPN/{code}/{code}-{k.ms(began)}-{rng.randrange(1000000, 9999999)}-LHR"
        ev: k.Json = {
            "arn": ev_arn,
            "service": "VPN",
            "eventTypeCode": code,
            "eventTypeCategory": cat,
            "region": REGION,
            "startTime": k.iso(began),
            "lastUpdatedTime": k.iso(ended or began),
            "statusCode": status,
            "eventScopeCode": "ACCOUNT_SPECIFIC",
        }
        if ended:
            ev["endTime"] = k.iso(ended)
        return {
            "source": "health",
            "item": {
                "event": ev,
                "description": desc,
                "affected_entities": [
                    {
                        "entityArn": f"arn:aws:health:{REGION}:{account}:entity/{k.hexid(rng, 24)}",
                        "eventArn": ev_arn,
                        "entityValue": vpn,
                        "awsAccountId": account,
                        "lastUpdatedTime": k.iso(ended or began),
                        "statusCode": "RESOLVED" if status == "closed" else "IMPAIRED",
                    }
                ],
            },
        }

    single = onset - timedelta(days=rng.randrange(8, 20), hours=rng.randrange(0, 12))
    records["events"].append(
        health(
            "AWS_VPN_SINGLE_TUNNEL_NOTIFICATION",
            "accountNotification",
            single,
            single + timedelta(days=1),
            "closed",
            f"You're receiving this message because you have at least one VPN connection in the {REGION} Region for which "
            "only one of the two VPN tunnels is up. Each Site-to-Site VPN connection has two tunnels, and running with only "
            "one tunnel exposes your connection to loss of connectivity during AWS tunnel endpoint maintenance. We recommend "
            "that you configure both tunnels on your customer gateway device. The affected VPN connection is listed in the "
            "'Affected resources' tab.",
        )
    )
    repl = onset - timedelta(seconds=rng.randrange(20, 70))
    records["events"].append(
        health(
            "AWS_VPN_REDUNDANCY_LOSS",
            "accountNotification",
            repl,
            repl + timedelta(minutes=rng.randrange(6, 11)),
            "closed",
            f"Your VPN Connection associated with this event in the {REGION} region had a momentary lapse of redundancy as "
            "one of two tunnel endpoints was replaced. Connectivity on the second tunnel was not affected during this time. "
            "This replacement was performed as part of routine maintenance. Please ensure both tunnels are configured on "
            "your customer gateway device so that traffic can fail over during tunnel endpoint replacements. If the tunnel "
            "is configured with startup action 'add', your customer gateway device must initiate IKE negotiation to bring "
            "the tunnel up.",
        )
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    seed_s = f"{NAME}:{seed}"
    ci = k.role_identity(seed_s, account, "github-actions-deploy", "GitHubActions")
    tf = k.role_identity(seed_s, account, "terraform-plan-readonly", "atlantis-plan")
    dd = k.role_identity(seed_s, account, "DatadogIntegrationRole", rng.choice(["datadog-aws-integration"]))
    cfg = k.role_identity(
        seed_s,
        account,
        "AWSServiceRoleForConfig",
        "AWSConfig-Describe",
        path="/aws-service-role/config.amazonaws.com/",
        invoked_by="config.amazonaws.com",
    )
    priya = k.sso_identity(seed_s, account, "PlatformEngineer", "priya.raman@harrowvale.co.uk")
    tom = k.sso_identity(seed_s, account, "Developer", "tom.whitlock@harrowvale.co.uk")
    ips = {
        "ci": f"4.{rng.randrange(150, 250)}.{rng.randrange(1, 254)}.{rng.randrange(1, 254)}",
        "office": f"195.{rng.randrange(10, 240)}.{rng.randrange(1, 254)}.{rng.randrange(2, 250)}",
        "dd": "3.233.147.104",
    }
    reads: list[tuple[k.Json, str, str, str, k.Json | None, str, str]] = [
        (
            tf,
            "ec2.amazonaws.com",
            "DescribeVpnConnections",
            k.TF_AGENT.format(svc="ec2", ver="1.152.0"),
            {
                "vpnConnectionSet": {},
                "filterSet": {
                    "items": [{"name": "vpn-connection-id", "valueSet": {"items": [{"value": vpn}]}}]
                },
            },
            ips["ci"],
            "1.09",
        ),
        (
            tf,
            "ec2.amazonaws.com",
            "DescribeRouteTables",
            k.TF_AGENT.format(svc="ec2", ver="1.152.0"),
            {"routeTableIdSet": {"items": [{"routeTableId": rtb}]}, "filterSet": {}},
            ips["ci"],
            "1.09",
        ),
        (
            tf,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            k.TF_AGENT.format(svc="lambda", ver="1.53.0"),
            {"functionName": pull_fn},
            ips["ci"],
            "1.08",
        ),
        (dd, "monitoring.amazonaws.com", "GetMetricData", "Datadog/AWS-integration", None, ips["dd"], "1.09"),
        (
            dd,
            "tag.amazonaws.com",
            "GetResources",
            "Datadog/AWS-integration",
            {"resourceTypeFilters": ["lambda"], "resourcesPerPage": 100},
            ips["dd"],
            "1.09",
        ),
        (
            dd,
            "lambda.amazonaws.com",
            "ListFunctions20150331",
            "Datadog/AWS-integration",
            None,
            ips["dd"],
            "1.08",
        ),
        (
            cfg,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            "config.amazonaws.com",
            {
                "securityGroupSet": {},
                "securityGroupIdSet": {"items": [{"groupId": sg_sync}]},
                "filterSet": {},
            },
            "config.amazonaws.com",
            "1.09",
        ),
        (
            cfg,
            "ec2.amazonaws.com",
            "DescribeVpnGateways",
            "config.amazonaws.com",
            {"vpnGatewaySet": {"items": [{"vpnGatewayId": vgw}]}, "filterSet": {}},
            "config.amazonaws.com",
            "1.09",
        ),
        (
            cfg,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            "config.amazonaws.com",
            {"queueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{queue}", "attributeNames": ["All"]},
            "config.amazonaws.com",
            "1.09",
        ),
    ]
    trail.extend(
        k.routine_reads(
            rng,
            account=account,
            region=REGION,
            start=start,
            end=now,
            count=rng.randrange(34, 44),
            calls=reads,
        )
    )
    # sts AssumeRole by Lambda for the functions' execution roles
    for t in k.steps(
        start + timedelta(minutes=rng.randrange(3, 40)), now, timedelta(minutes=rng.randrange(55, 70))
    ):
        for name in (pull_fn, export_fn):
            trail.append(
                k.ct(
                    rng,
                    account=account,
                    region=REGION,
                    when=t.replace(microsecond=0) + timedelta(seconds=rng.randrange(0, 90)),
                    source="sts.amazonaws.com",
                    name="AssumeRole",
                    ident=k.service_identity("lambda.amazonaws.com"),
                    params={"roleArn": f"arn:aws:iam::{account}:role/{name}-lambda", "roleSessionName": name},
                    response={
                        "credentials": {
                            "accessKeyId": "ASIA" + k.upper_id(rng, 16),
                            "sessionToken": "IQoJb3JpZ2luX2VjEHYaCWV1LXdlc3QtMiJHMEUCIQ...",
                            "expiration": (t + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                        }
                    },
                    read_only=True,
                    agent="lambda.amazonaws.com",
                    ip="lambda.amazonaws.com",
                    version="1.08",
                )
            )
    # the deploy of stock-erp-pull (innocent)
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=deploy_at,
            source="lambda.amazonaws.com",
            name="UpdateFunctionCode20150331v2",
            ident=ci,
            params={"functionName": pull_fn, "publish": False, "dryRun": False, "architectures": ["arm64"]},
            response={
                "functionName": pull_fn,
                "functionArn": f"arn:aws:lambda:{REGION}:{account}:function:{pull_fn}",
                "runtime": "python3.12",
                "handler": "handler.handler",
                "codeSha256": code_sha,
                "version": "$LATEST",
                "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "lastUpdateStatusReason": "The function is being created.",
                "lastUpdateStatusReasonCode": "Creating",
            },
            read_only=False,
            agent="aws-sdk-js/3.552.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.1 api/lambda#3.552.0",
            ip=ips["ci"],
            version="1.08",
        )
    )
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=deploy_at + timedelta(seconds=9),
            source="lambda.amazonaws.com",
            name="GetFunctionConfiguration20150331v2",
            ident=ci,
            params={"functionName": pull_fn},
            read_only=True,
            agent="aws-sdk-js/3.552.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.1 api/lambda#3.552.0",
            ip=ips["ci"],
            version="1.08",
        )
    )
    # an SSM parameter bump for the export's log level (innocent, near the culprit's victims)
    p_at = (onset - timedelta(minutes=rng.randrange(8, 15), seconds=rng.randrange(0, 59))).replace(
        microsecond=0
    )
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=p_at,
            source="ssm.amazonaws.com",
            name="PutParameter",
            ident=tom,
            params={
                "name": "/erp-order-export/prod/log-level",
                "type": "String",
                "overwrite": True,
                "tier": "Standard",
            },
            response={"version": rng.randrange(3, 9), "tier": "Standard"},
            read_only=False,
            agent=k.CONSOLE_AGENT,
            ip=ips["office"],
        )
    )
    # an unrelated security-group edit on the reporting bastion
    sg_at = (onset + timedelta(minutes=rng.randrange(4, 12), seconds=rng.randrange(0, 59))).replace(
        microsecond=0
    )
    trail.append(
        k.ct(
            rng,
            account=account,
            region=REGION,
            when=sg_at,
            source="ec2.amazonaws.com",
            name="AuthorizeSecurityGroupIngress",
            ident=priya,
            params={
                "groupId": sg_bastion,
                "ipPermissions": {
                    "items": [
                        {
                            "ipProtocol": "tcp",
                            "fromPort": 5432,
                            "toPort": 5432,
                            "groups": {},
                            "ipRanges": {
                                "items": [{"cidrIp": "10.30.48.0/20", "description": "finance-etl subnet"}]
                            },
                            "ipv6Ranges": {},
                            "prefixListIds": {},
                        }
                    ]
                },
            },
            response={
                "requestId": k.uid(rng),
                "_return": True,
                "securityGroupRuleSet": {
                    "items": [
                        {
                            "groupOwnerId": account,
                            "groupId": sg_bastion,
                            "securityGroupRuleId": "sgr-" + k.hexid(rng),
                            "isEgress": False,
                            "ipProtocol": "tcp",
                            "fromPort": 5432,
                            "toPort": 5432,
                            "cidrIpv4": "10.30.48.0/20",
                            "description": "finance-etl subnet",
                        }
                    ]
                },
            },
            read_only=False,
            agent=k.CONSOLE_AGENT,
            ip=ips["office"],
        )
    )
    # a marketing DNS record in the public zone (innocent)
    dns_at = (onset - timedelta(minutes=rng.randrange(26, 29))).replace(microsecond=0)
    trail.append(
        k.ct(
            rng,
            account=account,
            region="us-east-1",
            when=dns_at,
            source="route53.amazonaws.com",
            name="ChangeResourceRecordSets",
            ident=priya,
            params={
                "hostedZoneId": public_zone,
                "changeBatch": {
                    "changes": [
                        {
                            "action": "UPSERT",
                            "resourceRecordSet": {
                                "name": "offers.harrowvale.co.uk",
                                "type": "CNAME",
                                "tTL": 300,
                                "resourceRecords": [{"value": "harrowvale.pages.klaviyo.com"}],
                            },
                        }
                    ]
                },
            },
            response={
                "changeInfo": {
                    "id": "/change/C0" + k.upper_id(rng, 18),
                    "status": "PENDING",
                    "submittedAt": dns_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=False,
            agent=k.CONSOLE_AGENT,
            ip=ips["office"],
            version="1.08",
        )
    )
    # the on-call engineer looks around after the alarm
    look = onset + timedelta(minutes=rng.randrange(24, 32))
    looks: list[tuple[str, str, k.Json]] = [
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": pull_fn}),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {
                "logGroupName": f"/aws/lambda/{pull_fn}",
                "startTime": k.ms(onset - timedelta(hours=1)),
                "filterPattern": "ERROR",
            },
        ),
        ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": export_fn}),
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{dlq}",
                "attributeNames": ["All"],
            },
        ),
    ]
    for i, (src, nm, prm) in enumerate(looks):
        if look + timedelta(seconds=40 * i) < now:
            trail.append(
                k.ct(
                    rng,
                    account=account,
                    region=REGION,
                    when=(look + timedelta(seconds=40 * i)).replace(microsecond=0),
                    source=src,
                    name=nm,
                    ident=tom,
                    params=prm,
                    read_only=True,
                    agent=k.CONSOLE_AGENT,
                    ip=ips["office"],
                )
            )
    records["cloudtrail"] = k.sort_trail([rec for rec in trail if k.iso(now) >= rec["eventTime"]])

    local = onset_local + timedelta(minutes=rng.choice([0, 1, 2]))
    clock = local.strftime("%-I:%M%p").lower().replace(":00", "")
    dlq_clock = clock
    if tr_dlq:
        dlq_local = tr_dlq[-1][0].astimezone(TZ)
        dlq_clock = dlq_local.strftime("%-I:%M%p").lower().replace(":00", "")
    question = (
        f"Stock levels on the website haven't updated since about {clock} and the ERP order export DLQ alarm went "
        f"off at {dlq_clock}. The SAP team say SAP is up and they can't see anything wrong on their side. What's broken?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": vpn,
                    "category": "system_change",
                    "failure_mode": "vpn-tunnel-endpoint-replaced-no-redundant-tunnel",
                    "event_id": None,
                },
                "also_accept": ["hv-prod-to-reading-dc", t1_ip],
                "actions": ["reconfigure", "restart"],
                "chain": [
                    f"AWS replaced tunnel 1's endpoint ({t1_ip}) of {vpn}; tunnel 2 ({t2_ip}) was never up on {cgw}, and with IKEv1/startup 'add' nothing re-initiated IKE",
                    f"no path from {vpc} to the Reading DC 10.60.0.0/16 (erp-gw.hv-prod.internal {erp_ip})",
                    f"{pull_fn} connect timeouts: website stock levels stop refreshing",
                    f"{export_fn} times out on every batch; orders redrive from {queue} to {dlq}",
                ],
            },
        }
    )
    return Bundle(manifest, records)
