"""Web reservations stop reaching the hotels' property system in the morning; the outbound queue backs up."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzy as kit

NAME = "front-desk-missing-web-reservations"
TITLE = "Front desks not seeing new web reservations since mid-morning; pms-outbound age alarm"
SUMMARY = (
    "The on-prem edge firewall at the data centre stopped answering IKE/DPD; both Site-to-Site VPN tunnels went "
    "down, so booking-api holds and pms-bridge pushes to the PMS time out."
)


class _Shape(kit.Shape):
    def broken(self, t: datetime) -> bool:
        return t >= self.ctx.onset

    def tunnel_up(self, t: datetime, i: int) -> bool:
        return t < self.ctx.onset + timedelta(seconds=35 * i)

    def target_5xx(self, t: datetime) -> int:
        if self.broken(t) and t >= self.ctx.onset + timedelta(minutes=1):
            return int(self.load(t) * 60 * self.ctx.rng.uniform(0.09, 0.12))
        return super().target_5xx(t)

    def latency_ms(self, t: datetime) -> float:
        return 2300.0 if self.broken(t) else 85.0

    def pms_bytes(self, t: datetime) -> float:
        v = super().pms_bytes(t)
        return v * 0.003 if self.broken(t) else v

    def backlog_since(self, t: datetime) -> datetime | None:
        return self.ctx.onset if self.broken(t) else None


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, (15, 28))
    r = c.rng
    c.tunnel_changed = [c.onset, c.onset + timedelta(seconds=35)]
    sh = _Shape(c)
    kit.build_base(c, sh)
    kit.deploy_noise(c, c.deploy_at, "booking-api", c.td_rev)

    # innocent edits shortly before: a marketing redirect on the ALB, a tag on the VPN
    web = c.sso("WebPlatform", "aisha.bello@larkspurhotels.com", c.onset)
    rule_arn = c.arn(
        "elasticloadbalancing", f"listener-rule/app/{c.alb_name}/{c.alb_suffix}/{c.hex(16)}/{c.hex(16)}"
    )
    c.ct(
        c.onset - timedelta(minutes=r.randint(9, 16)),
        "elasticloadbalancing.amazonaws.com",
        "ModifyRule",
        web,
        {
            "ruleArn": rule_arn,
            "actions": [
                {
                    "type": "redirect",
                    "redirectConfig": {
                        "protocol": "HTTPS",
                        "host": "offers.larkspurhotels.com",
                        "path": "/winter",
                        "statusCode": "HTTP_302",
                    },
                }
            ],
        },
        {"rules": [{"ruleArn": rule_arn, "priority": "20", "isDefault": False}]},
        agent="AWS Internal",
    )
    net = c.sso("NetworkAdmin", "tomas.reyes@larkspurhotels.com", c.start)
    c.ct(
        c.start + timedelta(minutes=r.randint(40, 100)),
        "ec2.amazonaws.com",
        "CreateTags",
        net,
        {
            "resourcesSet": {"items": [{"resourceId": c.vpn}]},
            "tagSet": {"items": [{"key": "cost-centre", "value": "it-network"}]},
        },
        {"requestId": c.uuid(), "_return": True},
        agent="AWS Internal",
    )
    # the network team looking, after the page
    for k in range(3):
        c.ct(
            c.onset + timedelta(minutes=18 + k * 6),
            "ec2.amazonaws.com",
            "DescribeVpnConnections",
            net,
            {"vpnConnectionSet": {"items": [{"vpnConnectionId": c.vpn}]}, "filterSet": {}},
            None,
            read_only=True,
            agent="AWS Internal",
        )

    # VPN tunnel logs: routine rekeys, then DPD going unanswered
    for i, ip in enumerate(c.tunnel_ips):
        stream = f"{c.vpn}-{ip}"
        t = c.start + timedelta(minutes=r.randint(5, 50))
        while t < c.onset:
            for d in (
                "AWS tunnel is sending an IKE_SA rekey request",
                "AWS tunnel Phase 1 SA is established",
            ):
                c.log("/aws/vpn/dc1", stream, t, json.dumps(_vpn(t, d, "established", "established")))
                t += timedelta(seconds=1)
            t += timedelta(minutes=r.randint(55, 80))
        down = c.tunnel_changed[i] or c.onset
        seq = [
            (-30, "AWS tunnel is sending DPD request", "established", "established"),
            (-20, "AWS tunnel is sending DPD request", "established", "established"),
            (-10, "AWS tunnel is sending DPD request", "established", "established"),
            (0, "AWS tunnel detected a DPD timeout: peer not responding, clearing SAs", "down", "down"),
            (2, "AWS tunnel Phase 2 is down", "down", "down"),
            (3, "AWS tunnel Phase 1 is down", "down", "down"),
        ]
        for off, d, p1, p2 in seq:
            at = down + timedelta(seconds=off)
            c.log("/aws/vpn/dc1", stream, at, json.dumps(_vpn(at, d, p1, p2)))
        t = down + timedelta(seconds=10)
        while t < c.now:
            c.log(
                "/aws/vpn/dc1",
                stream,
                t,
                json.dumps(_vpn(t, "AWS tunnel is sending IKE_SA_INIT request", "down", "down")),
            )
            c.log(
                "/aws/vpn/dc1",
                stream,
                t + timedelta(seconds=20),
                json.dumps(
                    _vpn(
                        t + timedelta(seconds=20),
                        "AWS tunnel did not receive a response to IKE_SA_INIT request",
                        "down",
                        "down",
                    )
                ),
            )
            t += timedelta(seconds=r.randint(50, 70))

    tasks = kit.task_ids(c, c.desired)

    def extra(t: datetime, task: str) -> list[tuple[datetime, str]]:
        if not sh.broken(t) or r.random() < 0.4:
            return []
        at = t + timedelta(seconds=r.randint(0, 59), microseconds=r.randint(0, 999) * 1000)
        prop = r.choice(kit.PROPS)
        url = f"https://pms-gw.props.larkspur.local:8443/ohip/rsv/v1/hotels/{prop}/reservations"
        return [
            (
                at,
                kit.spring(
                    at,
                    "ERROR",
                    f"nio-8080-exec-{r.randint(1, 40)}",
                    "c.l.b.pms.PmsReservationClient",
                    f'PMS hold failed for property={prop}: I/O error on POST request for "{url}": Connect timed out\n'
                    "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
                    f'"{url}": Connect timed out\n'
                    "\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:905)\n"
                    "\tat com.larkspur.booking.pms.PmsReservationClient.hold(PmsReservationClient.java:88)\n"
                    "Caused by: java.net.SocketTimeoutException: Connect timed out\n"
                    "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)\n"
                    "\tat java.base/java.net.Socket.connect(Socket.java:751)",
                ),
            ),
            (
                at + timedelta(milliseconds=2),
                kit.spring(
                    at,
                    " WARN",
                    f"nio-8080-exec-{r.randint(1, 40)}",
                    "c.l.b.api.ReservationController",
                    f"POST /v2/reservations property={prop} status=503 took={r.randint(2003, 2090)}ms",
                ),
            ),
        ]

    kit.booking_logs(c, tasks, extra)

    def bridge(t: datetime) -> list[tuple[datetime, str]] | None:
        if not sh.broken(t):
            return None
        at = t + timedelta(seconds=r.randint(0, 59))
        return [
            (
                at,
                kit.spring(
                    at,
                    " WARN",
                    f"pool-2-thread-{r.randint(1, 8)}",
                    "c.l.pms.ohip.ReservationPusher",
                    f"push failed confirmation=LK{r.randint(10**7, 10**8 - 1)} attempt={r.randint(1, 6)}, will retry: "
                    f"org.apache.hc.client5.http.ConnectTimeoutException: Connect to https://pms-gw.props.larkspur.local:8443 "
                    f"[pms-gw.props.larkspur.local/{c.pms_ip}] failed: Connect timed out",
                    "pms-bridge",
                ),
            )
        ]

    kit.pms_bridge_logs(c, bridge)

    q = {"QueueName": "pms-outbound"}
    fire = c.onset + timedelta(minutes=15)
    reason = (
        "Threshold Crossed: 2 out of the last 2 datapoints "
        f"[{int((fire - c.onset).total_seconds())}.0 ({fire:%d/%m/%y %H:%M:%S}), "
        f"{int((fire - c.onset).total_seconds()) - 300}.0 ({fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] "
        "were greater than or equal to the threshold (600.0) (minimum 2 datapoints for OK -> ALARM transition)."
    )
    age_alarm = c.alarm(
        "pms-outbound-oldest-message-age",
        "Reservations waiting >10 min to be pushed to the PMS",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        "Maximum",
        300,
        2,
        600.0,
        "GreaterThanOrEqualToThreshold",
        "ALARM",
        fire,
        reason,
    )
    c.history(age_alarm["AlarmName"], fire, "OK", "ALARM", reason)
    f5 = c.onset + timedelta(minutes=4)
    r5 = "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (25.0) (minimum 3 datapoints for OK -> ALARM transition)."
    c.alarm(
        "booking-api-target-5xx",
        "booking-api returning 5xx to the ALB. Runbook: wiki/booking/5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": c.alb_dim},
        "Sum",
        60,
        3,
        25.0,
        "GreaterThanThreshold",
        "ALARM",
        f5,
        r5,
        missing="notBreaching",
    )
    c.history("booking-api-target-5xx", f5, "OK", "ALARM", r5)
    flap = c.start + timedelta(minutes=r.randint(30, 90))
    c.alarm(
        "guest-profile-api-p99-latency",
        "guest-profile p99",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": f"app/guest-profile-alb/{c.hex(16)}"},
        "Average",
        300,
        3,
        1.5,
        "GreaterThanThreshold",
        "OK",
        flap + timedelta(minutes=15),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (1.5).",
        missing="notBreaching",
    )
    c.history(
        "guest-profile-api-p99-latency",
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 3 datapoints were greater than the threshold (1.5).",
    )
    c.history(
        "guest-profile-api-p99-latency",
        flap + timedelta(minutes=15),
        "ALARM",
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (1.5).",
    )

    question = (
        f"Several hotels say new web reservations stopped showing up in the PMS around "
        f"{kit.local_clock(c.onset + timedelta(minutes=5), c.tz_offset)} and some guests got an error when booking. "
        "Is the booking site down? Nothing was released today as far as I know."
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": c.cgw,
            "category": "dependency_failure",
            "failure_mode": "vpn-peer-stopped-responding",
        },
        "also_accept": ["dc1-edge-fw01", c.cgw_ip, c.vpn, "dc1-vpn"],
        "actions": ["restart"],
        "chain": [c.cgw, c.vpn, c.tgw_vpn_att, "pms-gw.props.larkspur.local", "pms-bridge", "booking-api"],
    }
    event = c.alarm_event(age_alarm, fire, "OK", reason)
    return c.bundle(TITLE, question, event, f"{c.tz_offset:+03d}:00", truth)


def _vpn(t: datetime, details: str, p1: str, p2: str) -> dict[str, object]:
    return {
        "event_timestamp": int(t.timestamp()),
        "details": details,
        "dpd_enabled": True,
        "nat_t_detected": False,
        "ike_phase1_state": p1,
        "ike_phase2_state": p2,
    }
