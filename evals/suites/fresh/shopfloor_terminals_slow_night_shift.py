"""Shop-floor terminals slow for the night shift: the ERP path moved from Direct Connect to the backup VPN."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzp import Kit, Rec, floor_min, iso, jitter, pick_day

NAME = "shopfloor-terminals-slow-night-shift"
TITLE = "Shop-floor terminals crawling for the night shift; was it tonight's shopfloor-api deploy?"
SUMMARY = (
    "AWS planned maintenance takes the single Direct Connect connection down; traffic to the on-premises ERP "
    "fails over to the backup Site-to-Site VPN through the transit gateway, and the chatty ERP calls get slow."
)

ZONE = "Europe/Berlin"


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "eu-central-1")
    rng = k.rng
    acct = k.account
    day = pick_day(rng)
    onset = day + timedelta(
        hours=rng.choice([20, 21, 22]), minutes=rng.choice([0, 0, 30]), seconds=rng.randint(5, 50)
    )
    maint_end = onset + timedelta(hours=rng.choice([2, 4]))
    start = floor_min(onset - timedelta(hours=3, minutes=rng.randint(25, 50)), 5)
    now = floor_min(onset + timedelta(minutes=rng.randint(40, 58))) + timedelta(seconds=rng.randint(5, 55))
    deploy = onset - timedelta(minutes=rng.randint(30, 50), seconds=rng.randint(0, 59))
    failover = onset + timedelta(seconds=rng.randint(85, 100))  # BGP hold timer

    dxcon = f"dxcon-{k.hex(8)}"
    dxvif = f"dxvif-{k.hex(8)}"
    dxgw = k.uid()
    tgw = f"tgw-{k.hex(17)}"
    att_vpc = f"tgw-attach-{k.hex(17)}"
    att_vpn = f"tgw-attach-{k.hex(17)}"
    att_dx = f"tgw-attach-{k.hex(17)}"
    vpn = f"vpn-{k.hex(17)}"
    cgw = f"cgw-{k.hex(17)}"
    vpc = f"vpc-{k.hex(17)}"
    tunnels = [f"3.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}" for _ in range(2)]
    lb = f"app/shopfloor-api-int/{k.hex(16)}"
    tg = f"targetgroup/shopfloor-api/{k.hex(16)}"
    cluster = "mes-prod"
    service = "shopfloor-api"
    group = "/ecs/shopfloor-api"
    tasks = [k.hex(32) for _ in range(3)]
    dx_name = "kessler-fra-dx-1"

    # --- network metrics ---------------------------------------------------------------------------------
    def dx_up(t: datetime) -> bool:
        return t < onset

    def load(t: datetime) -> float:
        # plant traffic: second shift, then the night shift with a shift-change dip
        local_h = t.astimezone(ZoneInfo(ZONE)).hour
        return 0.8 if 21 <= local_h <= 22 else 1.0

    t = start
    while t < now:
        s = iso(t)
        if t.minute % 5 == 0:
            up = dx_up(t)
            egress = jitter(rng, 62e6, 0.2) * load(t) if up else 0.0
            ingress = jitter(rng, 41e6, 0.2) * load(t) if up else 0.0
            for metric, v, unit in (
                ("ConnectionState", 1.0 if up else 0.0, "None"),
                ("ConnectionBpsEgress", egress, "Bits/Second"),
                ("ConnectionBpsIngress", ingress, "Bits/Second"),
                ("ConnectionPpsEgress", egress / 5200, "Count/Second"),
                ("ConnectionPpsIngress", ingress / 4800, "Count/Second"),
                ("ConnectionErrorCount", 0.0, "Count"),
            ):
                k.metrics.append(
                    {
                        "namespace": "AWS/DX",
                        "metric": metric,
                        "dimensions": {"ConnectionId": dxcon},
                        "timestamp": s,
                        "unit": unit,
                        "value": round(v, 2),
                    }
                )
            if up:
                for metric, v in (
                    ("ConnectionLightLevelTx", jitter(rng, -2.1, 0.03)),
                    ("ConnectionLightLevelRx", jitter(rng, -4.6, 0.03)),
                ):
                    k.metrics.append(
                        {
                            "namespace": "AWS/DX",
                            "metric": metric,
                            "dimensions": {"ConnectionId": dxcon},
                            "timestamp": s,
                            "unit": "None",
                            "value": round(v, 2),
                        }
                    )
            for metric, v in (("VirtualInterfaceBpsEgress", egress), ("VirtualInterfaceBpsIngress", ingress)):
                k.metrics.append(
                    {
                        "namespace": "AWS/DX",
                        "metric": metric,
                        "dimensions": {"ConnectionId": dxcon, "VirtualInterfaceId": dxvif},
                        "timestamp": s,
                        "unit": "Bits/Second",
                        "value": round(v, 2),
                    }
                )
            # VPN: idle keepalives until the failover, then the plant traffic splits over both tunnels (ECMP)
            k.metrics.append(
                {
                    "namespace": "AWS/VPN",
                    "metric": "TunnelState",
                    "dimensions": {"VpnId": vpn},
                    "timestamp": s,
                    "unit": "None",
                    "value": 1.0,
                }
            )
            for ip in tunnels:
                vpn_on = t >= floor_min(failover, 5)
                dout = jitter(rng, 62e6 / 8 * 300 / 2, 0.2) * load(t) if vpn_on else rng.uniform(3000, 9000)
                din = jitter(rng, 41e6 / 8 * 300 / 2, 0.2) * load(t) if vpn_on else rng.uniform(3000, 9000)
                dims = {"VpnId": vpn, "TunnelIpAddress": ip}
                k.metrics.append(
                    {
                        "namespace": "AWS/VPN",
                        "metric": "TunnelState",
                        "dimensions": dims,
                        "timestamp": s,
                        "unit": "None",
                        "value": 1.0,
                    }
                )
                k.metrics.append(
                    {
                        "namespace": "AWS/VPN",
                        "metric": "TunnelDataOut",
                        "dimensions": dims,
                        "timestamp": s,
                        "unit": "Bytes",
                        "value": round(dout),
                    }
                )
                k.metrics.append(
                    {
                        "namespace": "AWS/VPN",
                        "metric": "TunnelDataIn",
                        "dimensions": dims,
                        "timestamp": s,
                        "unit": "Bytes",
                        "value": round(din),
                    }
                )
        # transit gateway, per attachment, 1 minute
        base_out = jitter(rng, 41e6 / 8 * 60, 0.15) * load(t)
        base_in = jitter(rng, 62e6 / 8 * 60, 0.15) * load(t)
        gap = onset <= t < failover
        for att, active in ((att_dx, t < onset), (att_vpn, t >= failover)):
            dims = {"TransitGateway": tgw, "TransitGatewayAttachment": att}
            k.metrics.append(
                {
                    "namespace": "AWS/TransitGateway",
                    "metric": "BytesIn",
                    "dimensions": dims,
                    "timestamp": s,
                    "unit": "Bytes",
                    "value": round(base_out if active else rng.uniform(0, 2000)),
                }
            )
            k.metrics.append(
                {
                    "namespace": "AWS/TransitGateway",
                    "metric": "BytesOut",
                    "dimensions": dims,
                    "timestamp": s,
                    "unit": "Bytes",
                    "value": round(base_in if active else rng.uniform(0, 2000)),
                }
            )
        vdims = {"TransitGateway": tgw, "TransitGatewayAttachment": att_vpc}
        k.metrics.append(
            {
                "namespace": "AWS/TransitGateway",
                "metric": "BytesIn",
                "dimensions": vdims,
                "timestamp": s,
                "unit": "Bytes",
                "value": round(base_in * jitter(rng, 1.05, 0.02)),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/TransitGateway",
                "metric": "BytesOut",
                "dimensions": vdims,
                "timestamp": s,
                "unit": "Bytes",
                "value": round(base_out * jitter(rng, 1.05, 0.02)),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/TransitGateway",
                "metric": "PacketDropCountNoRoute",
                "dimensions": {"TransitGateway": tgw},
                "timestamp": s,
                "unit": "Count",
                "value": float(rng.randint(900, 2400) if gap or floor_min(onset) == t else rng.randint(0, 3)),
            }
        )
        t += timedelta(minutes=1)

    # --- shopfloor-api: ALB, ECS, logs -----------------------------------------------------------------
    t = start
    latency_points: dict[datetime, list[float]] = {}
    while t < now:
        s = iso(t)
        reqs = int(jitter(rng, 210, 0.12) * load(t))
        rtt = 0.0024 if t < onset else 0.0195  # on-prem round trip, DX vs VPN over the internet
        vals: list[float] = []
        slow_lines = 0
        timeouts = 0
        for _ in range(min(reqs, 80)):
            trips = rng.choice([4, 8, 12, 30, 36, 44])
            v = 0.025 + trips * rtt * rng.uniform(0.9, 1.6) + rng.lognormvariate(-4.0, 0.5)
            if onset <= t < failover:
                v = rng.choice([v, 10.0, 10.0])
                if v >= 10.0:
                    timeouts += 1
            vals.append(v)
            if v > 0.5:
                slow_lines += 1
        latency_points[t] = vals
        k.dist(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb, "TargetGroup": tg},
            t,
            vals,
            "Seconds",
        )
        k.dist("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": lb}, t, vals, "Seconds")
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": {"LoadBalancer": lb},
                "timestamp": s,
                "unit": "Count",
                "value": float(reqs),
            }
        )
        k.metrics.append(
            {
                "namespace": "AWS/ApplicationELB",
                "metric": "RequestCount",
                "dimensions": {"LoadBalancer": lb, "TargetGroup": tg},
                "timestamp": s,
                "unit": "Count",
                "value": float(reqs),
            }
        )
        if timeouts:
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": {"LoadBalancer": lb, "TargetGroup": tg},
                    "timestamp": s,
                    "unit": "Count",
                    "value": float(timeouts * 2),
                }
            )
        elif rng.random() < 0.05:
            k.metrics.append(
                {
                    "namespace": "AWS/ApplicationELB",
                    "metric": "HTTPCode_Target_5XX_Count",
                    "dimensions": {"LoadBalancer": lb, "TargetGroup": tg},
                    "timestamp": s,
                    "unit": "Count",
                    "value": 1.0,
                }
            )
        for metric, base in (("CPUUtilization", 18.0), ("MemoryUtilization", 46.0)):
            k.metrics.append(
                {
                    "namespace": "AWS/ECS",
                    "metric": metric,
                    "dimensions": {"ClusterName": cluster, "ServiceName": service},
                    "timestamp": s,
                    "unit": "Percent",
                    "value": round(jitter(rng, base, 0.1), 2),
                }
            )
        for _ in range(min(slow_lines, 6)):
            at = t + timedelta(seconds=rng.uniform(0, 60))
            task = rng.choice(tasks)
            ms = int(rng.uniform(520, 1900))
            order = rng.randint(4_100_000, 4_199_999)
            k.log(
                group,
                f"ecs/shopfloor-api/{task}",
                at,
                f"{at.astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:%M:%S.%f}"[:-3]
                + f"  WARN 1 --- [nio-8080-exec-{rng.randint(1, 40)}] d.k.mes.erp.ErpGatewayClient : slow ERP call POST /sap/opu/odata/sap/ZPP_CONFIRM_SRV/Confirmations order={order} took {ms} ms (threshold 500 ms)",
            )
        for _ in range(min(timeouts, 8)):
            at = t + timedelta(seconds=rng.uniform(0, 60))
            task = rng.choice(tasks)
            k.log(
                group,
                f"ecs/shopfloor-api/{task}",
                at,
                f"{at.astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:%M:%S.%f}"[:-3]
                + f'  ERROR 1 --- [nio-8080-exec-{rng.randint(1, 40)}] d.k.mes.erp.ErpGatewayClient : ERP call failed: I/O error on POST request for "https://erp-gw.kessler.local:44300/sap/opu/odata/sap/ZPP_CONFIRM_SRV/Confirmations": Read timed out\njava.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)\n\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:304)',
            )
        if rng.random() < 0.1:
            at = t + timedelta(seconds=rng.uniform(0, 60))
            k.log(
                group,
                f"ecs/shopfloor-api/{rng.choice(tasks)}",
                at,
                f"{at.astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:%M:%S.%f}"[:-3]
                + f"  INFO 1 --- [   scheduling-1] d.k.mes.sync.MachineStatusSync : pushed {rng.randint(80, 140)} machine status records to ERP",
            )
        t += timedelta(minutes=1)
    # the deploy: tasks restarted with the new revision
    rev = rng.randint(140, 190)
    for n, task in enumerate(tasks):
        at = deploy + timedelta(minutes=2 + n, seconds=rng.randint(0, 40))
        k.log(
            group,
            f"ecs/shopfloor-api/{task}",
            at,
            f"{at.astimezone(ZoneInfo(ZONE)):%Y-%m-%d %H:%M:%S.%f}"[:-3]
            + f"  INFO 1 --- [           main] d.k.mes.ShopfloorApiApplication : Started ShopfloorApiApplication in {rng.uniform(9, 14):.3f} seconds (process running for {rng.uniform(10, 15):.3f})",
        )

    # --- alarms ------------------------------------------------------------------------------------------
    def p99(vals: list[float]) -> float:
        ordered = sorted(vals)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]

    mins = sorted(latency_points)
    alarm_t = None
    pts: list[tuple[datetime, float]] = []
    for i in range(2, len(mins)):
        window = [(m, p99(latency_points[m])) for m in mins[i - 2 : i + 1]]
        if mins[i] > failover and all(v > 1.0 for _, v in window):
            alarm_t = mins[i] + timedelta(seconds=60 + rng.randint(10, 40))
            pts = window
            break
    if alarm_t is None or alarm_t >= now:
        alarm_t = floor_min(onset) + timedelta(minutes=3, seconds=20)
        pts = [
            (m, p99(latency_points[m]))
            for m in (
                floor_min(onset),
                floor_min(onset) + timedelta(minutes=1),
                floor_min(onset) + timedelta(minutes=2),
            )
        ]
    topic = "mes-oncall"
    created = start - timedelta(days=rng.randint(100, 600))
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{pts[2][1]:.4f} ({pts[2][0]:%d/%m/%y %H:%M:%S}), {pts[1][1]:.4f} "
        f"({pts[1][0]:%d/%m/%y %H:%M:%S}), {pts[0][1]:.4f} ({pts[0][0]:%d/%m/%y %H:%M:%S})] were greater than the threshold (1.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    rdata = k.reason_data("p99", 60, 1.0, pts, alarm_t)
    lat = k.alarm(
        "shopfloor-api-p99-latency",
        "shopfloor-api p99 response time above 1 s (terminals feel slow)",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb, "TargetGroup": tg},
        stat="p99",
        period=60,
        evals=3,
        threshold=1.0,
        op="GreaterThanThreshold",
        state="ALARM",
        state_reason=reason,
        state_time=alarm_t,
        created=created,
        topic=topic,
    )
    lat["StateReasonData"] = json.dumps(rdata, separators=(",", ":"))
    k.transition(lat, alarm_t, "OK", "ALARM", reason, rdata)
    k.action(lat, alarm_t)
    event = k.alarm_event(
        lat,
        alarm_t,
        reason,
        rdata,
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1.0).",
        start - timedelta(days=rng.randint(2, 30)),
        "p99",
    )
    dx_t = floor_min(onset, 5) + timedelta(minutes=5, seconds=rng.randint(30, 80))
    dx_alarm = k.alarm(
        "dx-fra-connection-state",
        "Direct Connect FR5 connection down (network team)",
        "AWS/DX",
        "ConnectionState",
        {"ConnectionId": dxcon},
        stat="Minimum",
        period=300,
        evals=1,
        threshold=1.0,
        op="LessThanThreshold",
        state="ALARM",
        state_reason="Threshold Crossed: 1 datapoint [0.0] was less than the threshold (1.0).",
        state_time=dx_t,
        created=created,
        topic="network-team",
        missing="breaching",
    )
    k.transition(dx_alarm, dx_t, "OK", "ALARM", dx_alarm["StateReason"])
    k.action(dx_alarm, dx_t)
    # a VPN tunnel-state alarm that flapped during the afternoon (the customer gateway's IKE rekey)
    flap = start + timedelta(minutes=rng.randint(30, 90))
    vpn_alarm = k.alarm(
        "vpn-backup-tunnel-down",
        "Backup VPN: a tunnel is down",
        "AWS/VPN",
        "TunnelState",
        {"VpnId": vpn, "TunnelIpAddress": tunnels[1]},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=1.0,
        op="LessThanThreshold",
        state="OK",
        state_reason="Threshold Crossed: 1 datapoint [1.0] was not less than the threshold (1.0).",
        state_time=flap + timedelta(minutes=10, seconds=12),
        created=created,
        topic="network-team",
    )
    k.transition(
        vpn_alarm,
        flap + timedelta(minutes=5, seconds=9),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [0.0] was less than the threshold (1.0).",
    )
    k.action(vpn_alarm, flap + timedelta(minutes=5, seconds=9))
    k.transition(vpn_alarm, flap + timedelta(minutes=10, seconds=12), "ALARM", "OK", vpn_alarm["StateReason"])
    for m in k.metrics:
        if (
            m["namespace"] == "AWS/VPN"
            and m["metric"] == "TunnelState"
            and m["dimensions"].get("TunnelIpAddress") == tunnels[1]
            and m["timestamp"] == iso(floor_min(flap, 5))
        ):
            m["value"] = 0.0
    k.alarm(
        "shopfloor-api-5xx",
        "shopfloor-api 5xx responses",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb, "TargetGroup": tg},
        stat="Sum",
        period=300,
        evals=1,
        threshold=50.0,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        state_reason="Threshold Crossed: 1 datapoint was not greater than or equal to the threshold (50.0).",
        state_time=start - timedelta(days=rng.randint(2, 20)),
        created=created,
        topic=topic,
        missing="notBreaching",
    )

    # --- CloudTrail --------------------------------------------------------------------------------------
    ci = k.role_identity("gitlab-deploy", "gitlab-ci-job-" + str(rng.randint(800000, 999999)))
    td_family = "shopfloor-api"
    td_arn = k.arn("ecs", f"task-definition/{td_family}:{rev}")
    k.ct(
        deploy - timedelta(seconds=25),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        params={
            "family": td_family,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        response={
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": td_family,
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
    )
    k.ct(
        deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        params={
            "cluster": cluster,
            "service": service,
            "taskDefinition": td_arn,
            "forceNewDeployment": False,
        },
        response={
            "service": {
                "serviceName": service,
                "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
                "taskDefinition": td_arn,
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
        read_only=False,
    )
    for i in range(6):
        k.ct(
            deploy + timedelta(seconds=30 + i * 45),
            "ecs.amazonaws.com",
            "DescribeServices",
            ci,
            params={"cluster": cluster, "services": [service]},
            read_only=True,
        )
    net = k.sso_identity(
        "NetworkAdmin", rng.choice(["j.hoffmann", "a.petrovic", "m.weber"]) + "@kessler-antriebe.de"
    )
    lab_att = f"tgw-attach-{k.hex(17)}"
    rt = f"tgw-rtb-{k.hex(17)}"
    route_t = start + timedelta(minutes=rng.randint(20, 60))
    k.ct(
        route_t,
        "ec2.amazonaws.com",
        "CreateTransitGatewayRoute",
        net,
        params={
            "CreateTransitGatewayRouteRequest": {
                "DestinationCidrBlock": "10.61.0.0/16",
                "TransitGatewayRouteTableId": rt,
                "TransitGatewayAttachmentId": lab_att,
            }
        },
        response={
            "CreateTransitGatewayRouteResponse": {
                "route": {
                    "destinationCidrBlock": "10.61.0.0/16",
                    "transitGatewayAttachments": {
                        "item": {
                            "resourceId": f"vpc-{k.hex(17)}",
                            "transitGatewayAttachmentId": lab_att,
                            "resourceType": "vpc",
                        }
                    },
                    "type": "static",
                    "state": "active",
                }
            }
        },
        read_only=False,
        agent="AWS Internal",
    )
    k.ct(
        route_t - timedelta(minutes=3),
        "ec2.amazonaws.com",
        "SearchTransitGatewayRoutes",
        net,
        params={
            "SearchTransitGatewayRoutesRequest": {
                "TransitGatewayRouteTableId": rt,
                "FilterSet": {"Filter": {"Name": "type", "Value": {"content": "static"}}},
            }
        },
        read_only=True,
        agent="AWS Internal",
    )
    k.readonly_noise(
        start,
        now,
        55,
        [
            ("directconnect.amazonaws.com", "DescribeConnections", None),
            ("directconnect.amazonaws.com", "DescribeVirtualInterfaces", None),
            ("ec2.amazonaws.com", "DescribeVpnConnections", None),
            ("ec2.amazonaws.com", "DescribeTransitGatewayAttachments", None),
            ("ec2.amazonaws.com", "DescribeInstances", None),
            ("ecs.amazonaws.com", "ListServices", {"cluster": cluster}),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("health.amazonaws.com", "DescribeEvents", None),
        ],
        k.role_identity("netbox-sync", "netbox-inventory"),
        "Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#6.1.0-23-amd64 md/arch#x86_64 lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.10",
    )
    k.assume_role_noise(
        start, now, 10, ["shopfloor-api-task-role", "shopfloor-api-execution-role"], "ecs-tasks.amazonaws.com"
    )

    # --- AWS Health: the scheduled maintenance ----------------------------------------------------------
    ev_arn = f"arn:aws:health:eu-central-1::event/DIRECTCONNECT/AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED/AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED_{k.hex(8)}-{k.hex(4)}-{k.hex(4)}-{k.hex(4)}-{k.hex(12)}"
    notified = onset - timedelta(days=rng.randint(10, 16), hours=rng.randint(0, 10))
    k.event(
        "health",
        {
            "event": {
                "arn": ev_arn,
                "service": "DIRECTCONNECT",
                "eventTypeCode": "AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED",
                "eventTypeCategory": "scheduledChange",
                "region": "eu-central-1",
                "startTime": iso(onset - timedelta(seconds=onset.second)),
                "endTime": iso(maint_end - timedelta(seconds=maint_end.second)),
                "lastUpdatedTime": iso(onset + timedelta(minutes=1)),
                "statusCode": "open",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": (
                f"Planned maintenance has been scheduled on an AWS Direct Connect router in Equinix FR5, Frankfurt, DEU from "
                f"{onset:%a, %d %b %Y %H:%M:00} GMT to {maint_end:%a, %d %b %Y %H:%M:00} GMT for {int((maint_end - onset).total_seconds() // 3600)} hours. "
                "During this maintenance window, your AWS Direct Connect services listed below may become unavailable.\n\n"
                f"{dxcon}\n\n"
                "This maintenance is scheduled to avoid disrupting redundant connections at the same time.\n\n"
                "If you encounter any problems with your connection after the end of this maintenance window, please contact AWS Support."
            ),
            "affected_entities": [
                {
                    "entityArn": f"arn:aws:health:eu-central-1:{acct}:entity/{k.hex(32)}",
                    "eventArn": ev_arn,
                    "entityValue": dxcon,
                    "awsAccountId": acct,
                    "lastUpdatedTime": iso(notified),
                    "statusCode": "IMPAIRED",
                }
            ],
        },
    )

    # --- resources ---------------------------------------------------------------------------------------
    made = start - timedelta(days=rng.randint(400, 900))
    k.res(
        "directconnect",
        "Connection",
        {
            "ownerAccount": acct,
            "connectionId": dxcon,
            "connectionName": dx_name,
            "connectionState": "down",
            "region": "eu-central-1",
            "location": "EqFA5",
            "bandwidth": "1Gbps",
            "awsDeviceV2": f"EqFA5-{k.hex(12)}",
            "awsLogicalDeviceId": f"EqFA5-{k.hex(12)}",
            "hasLogicalRedundancy": "no",
            "jumboFrameCapable": True,
            "macSecCapable": False,
            "encryptionMode": "no_encrypt",
            "tags": [{"key": "Name", "value": dx_name}, {"key": "owner", "value": "network-team"}],
        },
    )
    k.res(
        "directconnect",
        "VirtualInterface",
        {
            "ownerAccount": acct,
            "virtualInterfaceId": dxvif,
            "location": "EqFA5",
            "connectionId": dxcon,
            "virtualInterfaceType": "transit",
            "virtualInterfaceName": "kessler-transit-vif",
            "vlan": rng.randint(100, 900),
            "asn": 65010,
            "amazonSideAsn": 64512,
            "amazonAddress": "169.254.100.1/30",
            "customerAddress": "169.254.100.2/30",
            "addressFamily": "ipv4",
            "virtualInterfaceState": "down",
            "mtu": 8500,
            "jumboFrameCapable": True,
            "directConnectGatewayId": dxgw,
            "region": "eu-central-1",
            "bgpPeers": [
                {
                    "bgpPeerId": f"dxpeer-{k.hex(8)}",
                    "asn": 65010,
                    "addressFamily": "ipv4",
                    "amazonAddress": "169.254.100.1/30",
                    "customerAddress": "169.254.100.2/30",
                    "bgpPeerState": "available",
                    "bgpStatus": "down",
                }
            ],
        },
    )
    k.res(
        "directconnect",
        "DirectConnectGateway",
        {
            "directConnectGatewayId": dxgw,
            "directConnectGatewayName": "kessler-dxgw",
            "amazonSideAsn": 64512,
            "ownerAccount": acct,
            "directConnectGatewayState": "available",
        },
    )
    k.res(
        "ec2",
        "TransitGateway",
        {
            "TransitGatewayId": tgw,
            "TransitGatewayArn": k.arn("ec2", f"transit-gateway/{tgw}"),
            "State": "available",
            "OwnerId": acct,
            "Description": "kessler core",
            "CreationTime": iso(made),
            "Options": {
                "AmazonSideAsn": 64513,
                "AutoAcceptSharedAttachments": "disable",
                "DefaultRouteTableAssociation": "enable",
                "AssociationDefaultRouteTableId": rt,
                "DefaultRouteTablePropagation": "enable",
                "PropagationDefaultRouteTableId": rt,
                "VpnEcmpSupport": "enable",
                "DnsSupport": "enable",
            },
        },
    )
    for att, rtype, rid, name in (
        (att_vpc, "vpc", vpc, "mes-prod-vpc"),
        (att_vpn, "vpn", vpn, "plant-backup-vpn"),
        (att_dx, "direct-connect-gateway", dxgw, "kessler-dxgw"),
    ):
        k.res(
            "ec2",
            "TransitGatewayAttachment",
            {
                "TransitGatewayAttachmentId": att,
                "TransitGatewayId": tgw,
                "TransitGatewayOwnerId": acct,
                "ResourceOwnerId": acct,
                "ResourceType": rtype,
                "ResourceId": rid,
                "State": "available",
                "Association": {"TransitGatewayRouteTableId": rt, "State": "associated"},
                "CreationTime": iso(made),
                "Tags": [{"Key": "Name", "Value": name}],
            },
        )
    k.res(
        "ec2",
        "VpnConnection",
        {
            "CustomerGatewayConfiguration": "",
            "CustomerGatewayId": cgw,
            "Category": "VPN",
            "State": "available",
            "Type": "ipsec.1",
            "VpnConnectionId": vpn,
            "TransitGatewayId": tgw,
            "Options": {
                "EnableAcceleration": False,
                "StaticRoutesOnly": False,
                "LocalIpv4NetworkCidr": "0.0.0.0/0",
                "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                "TunnelInsideIpVersion": "ipv4",
            },
            "Routes": [],
            "Tags": [{"Key": "Name", "Value": "plant-backup-vpn"}],
            "VgwTelemetry": [
                {
                    "AcceptedRouteCount": 3,
                    "LastStatusChange": iso(
                        flap + timedelta(minutes=6) if i == 1 else made + timedelta(days=30)
                    ),
                    "OutsideIpAddress": ip,
                    "Status": "UP",
                    "StatusMessage": "3 BGP ROUTES",
                }
                for i, ip in enumerate(tunnels)
            ],
        },
    )
    k.res(
        "ec2",
        "CustomerGateway",
        {
            "BgpAsn": "65010",
            "CustomerGatewayId": cgw,
            "IpAddress": f"195.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 250)}",
            "State": "available",
            "Type": "ipsec.1",
            "DeviceName": "fw-plant-01",
            "Tags": [{"Key": "Name", "Value": "plant-firewall"}],
        },
    )
    k.res(
        "ec2",
        "Vpc",
        {
            "CidrBlock": "10.30.0.0/16",
            "DhcpOptionsId": f"dopt-{k.hex(17)}",
            "State": "available",
            "VpcId": vpc,
            "OwnerId": acct,
            "InstanceTenancy": "default",
            "IsDefault": False,
            "Tags": [{"Key": "Name", "Value": "mes-prod"}],
        },
    )
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": k.arn("elasticloadbalancing", f"loadbalancer/{lb}"),
            "DNSName": f"internal-shopfloor-api-int-{rng.randint(10**8, 10**9)}.eu-central-1.elb.amazonaws.com",
            "CreatedTime": iso(made),
            "LoadBalancerName": "shopfloor-api-int",
            "Scheme": "internal",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": k.arn("elasticloadbalancing", tg),
            "TargetGroupName": "shopfloor-api",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/actuator/health/liveness",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [k.arn("elasticloadbalancing", f"loadbalancer/{lb}")],
            "TargetType": "ip",
        },
    )
    k.res(
        "ecs",
        "Service",
        {
            "serviceArn": k.arn("ecs", f"service/{cluster}/{service}"),
            "serviceName": service,
            "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": td_arn,
            "deployments": [
                {
                    "id": f"ecs-svc/{rng.randint(10**18, 10**19)}",
                    "status": "PRIMARY",
                    "taskDefinition": td_arn,
                    "desiredCount": 3,
                    "pendingCount": 0,
                    "runningCount": 3,
                    "createdAt": iso(deploy),
                    "updatedAt": iso(deploy + timedelta(minutes=5)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "events": [
                {
                    "id": k.uid(),
                    "createdAt": iso(deploy + timedelta(minutes=5, seconds=20)),
                    "message": f"(service {service}) has reached a steady state.",
                }
            ],
            "createdAt": iso(made),
        },
    )
    k.log_group(group, made)

    since = (onset + timedelta(minutes=rng.randint(2, 8))).astimezone(ZoneInfo(ZONE))
    dep_local = deploy.astimezone(ZoneInfo(ZONE))
    question = rng.choice(
        [
            f"Night shift says the shop-floor terminals are crawling since about {since:%H:%M}, booking a confirmation takes ages. We deployed shopfloor-api at {dep_local:%H:%M}. Is it the deploy? Should we roll back?",
            f"Terminals in hall 3 very slow since ~{since:%H:%M}, some bookings time out. Was it tonight's shopfloor-api release ({dep_local:%H:%M})?",
        ]
    )
    truth: Rec = {
        "no_fault": False,
        "root_cause": {
            "resource": dxcon,
            "category": "system_change",
            "failure_mode": "direct-connect-planned-maintenance-vpn-failover",
        },
        "also_accept": [dx_name, ev_arn, dxvif],
        "actions": [],
        "chain": [dxcon, vpn, service, "shopfloor-api-int"],
    }
    return k.bundle(TITLE, start, now, {"question": question, "alarm_event": event, "timezone": ZONE}, truth)
