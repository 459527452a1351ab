"""Website reservations fail with 5xx in the afternoon; a booking-api release went out shortly before."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzy as kit

NAME = "reservations-fail-after-afternoon-release"
TITLE = "Website reservations failing with 5xx since mid-afternoon; was it the booking-api release?"
SUMMARY = (
    "A network engineer repointed the Route 53 Resolver forwarding rule for the on-prem property zone at new "
    "DNS servers that do not answer; booking-api and pms-bridge can no longer resolve the PMS gateway."
)


class _Shape(kit.Shape):
    def broken(self, t: datetime) -> bool:
        return t >= self.ctx.onset + timedelta(seconds=40)

    def target_5xx(self, t: datetime) -> int:
        if self.broken(t):
            return int(self.load(t) * 60 * self.ctx.rng.uniform(0.1, 0.14))
        return super().target_5xx(t)

    def latency_ms(self, t: datetime) -> float:
        return 1450.0 if self.broken(t) else 85.0

    def pms_bytes(self, t: datetime) -> float:
        v = super().pms_bytes(t)
        return v * 0.04 if self.broken(t) else v

    def backlog_since(self, t: datetime) -> datetime | None:
        return self.ctx.onset if self.broken(t) else None


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, (22, 2))
    r = c.rng
    c.deploy_at = c.onset - timedelta(minutes=r.randint(32, 50))
    new_dns = [f"10.61.{r.randint(0, 3)}.{r.randint(10, 40)}", f"10.61.{r.randint(4, 7)}.{r.randint(10, 40)}"]
    c.rule_targets = new_dns
    change_at = c.onset - timedelta(seconds=r.randint(20, 90))
    c.rule_modified = change_at
    sh = _Shape(c)
    kit.build_base(c, sh)

    # the release people will suspect: booking-api, a while before
    kit.deploy_noise(c, c.deploy_at, "booking-api", c.td_rev)
    for i, msg in enumerate(
        [
            f"(service booking-api) has started {c.desired} tasks: (task {c.hex(32)}) ...",
            f"(service booking-api) registered {c.desired} targets in (target-group {c.tg_arn})",
            f"(service booking-api) has stopped {c.desired} running tasks: (task {c.hex(32)}) ...",
            "(service booking-api) has reached a steady state.",
        ]
    ):
        c.event(
            "ecs",
            {
                "service_arn": c.svc_arn,
                "event": {
                    "id": c.uuid(),
                    "createdAt": kit.iso(c.deploy_at + timedelta(minutes=1 + i * 2)),
                    "message": msg,
                },
            },
        )

    # the change that matters, by a network engineer doing a DNS migration
    net = c.sso("NetworkAdmin", "tomas.reyes@larkspurhotels.com", change_at)
    c.ct(
        change_at - timedelta(minutes=r.randint(3, 8)),
        "route53resolver.amazonaws.com",
        "GetResolverRule",
        net,
        {"resolverRuleId": c.rule},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    culprit = c.ct(
        change_at,
        "route53resolver.amazonaws.com",
        "UpdateResolverRule",
        net,
        {"resolverRuleId": c.rule, "config": {"targetIps": [{"ip": ip, "port": 53} for ip in new_dns]}},
        {
            "resolverRule": {
                "id": c.rule,
                "arn": c.arn("route53resolver", f"resolver-rule/{c.rule}"),
                "domainName": "props.larkspur.local.",
                "status": "UPDATING",
                "statusMessage": "[Trace id: 1-"
                + c.hex(8)
                + "-"
                + c.hex(24)
                + "] Updating the Resolver Rule.",
                "ruleType": "FORWARD",
                "name": "dc1-properties",
                "targetIps": [{"ip": ip, "port": 53, "protocol": "Do53"} for ip in new_dns],
                "resolverEndpointId": c.out_ep,
                "ownerId": c.account,
                "shareStatus": "NOT_SHARED",
            }
        },
        agent="AWS Internal",
    )
    c.ct(
        change_at + timedelta(minutes=r.randint(1, 3)),
        "route53resolver.amazonaws.com",
        "ListResolverRuleAssociations",
        net,
        {"maxResults": 50},
        None,
        read_only=True,
        agent="AWS Internal",
    )

    tasks = kit.task_ids(c, c.desired)

    def extra(t: datetime, task: str) -> list[tuple[datetime, str]]:
        if not sh.broken(t) or r.random() < 0.35:
            return []
        out = []
        for _ in range(r.randint(1, 2)):
            at = t + timedelta(seconds=r.randint(0, 59), microseconds=r.randint(0, 999) * 1000)
            prop = r.choice(kit.PROPS)
            url = f"https://pms-gw.props.larkspur.local:8443/ohip/rsv/v1/hotels/{prop}/reservations"
            out.append(
                (
                    at,
                    kit.spring(
                        at,
                        "ERROR",
                        f"nio-8080-exec-{r.randint(1, 40)}",
                        "c.l.b.pms.PmsReservationClient",
                        f'PMS hold failed for property={prop}: I/O error on POST request for "{url}": '
                        "pms-gw.props.larkspur.local\n"
                        "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
                        f'"{url}": pms-gw.props.larkspur.local\n'
                        "\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:905)\n"
                        "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:885)\n"
                        "\tat com.larkspur.booking.pms.PmsReservationClient.hold(PmsReservationClient.java:88)\n"
                        "Caused by: java.net.UnknownHostException: pms-gw.props.larkspur.local\n"
                        "\tat java.base/java.net.InetAddress$CachedLookup.get(InetAddress.java:988)\n"
                        "\tat java.base/java.net.InetAddress.getAllByName0(InetAddress.java:1818)\n"
                        "\tat java.base/java.net.InetAddress.getAllByName(InetAddress.java:1688)",
                    ),
                )
            )
            out.append(
                (
                    at + timedelta(milliseconds=3),
                    kit.spring(
                        at,
                        " WARN",
                        f"nio-8080-exec-{r.randint(1, 40)}",
                        "c.l.b.api.ReservationController",
                        f"POST /v2/reservations property={prop} status=503 took={r.randint(5010, 10040)}ms",
                    ),
                )
            )
        return out

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
                    "ERROR",
                    f"pool-2-thread-{r.randint(1, 8)}",
                    "c.l.pms.ohip.ReservationPusher",
                    f"push failed confirmation=LK{r.randint(10**7, 10**8 - 1)}, will retry: "
                    "java.net.UnknownHostException: pms-gw.props.larkspur.local: Temporary failure in name resolution",
                    "pms-bridge",
                ),
            )
        ]

    kit.pms_bridge_logs(c, bridge)

    # alarms
    fire = c.onset + timedelta(minutes=4)
    reason = (
        "Threshold Crossed: 3 out of the last 3 datapoints "
        f"[{sh.target_5xx(fire)}.0 ({fire:%d/%m/%y %H:%M:%S})] were greater than the threshold (25.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    a5 = c.alarm(
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
        fire,
        reason,
        missing="notBreaching",
    )
    c.history("booking-api-target-5xx", fire, "OK", "ALARM", reason)
    c.alarm(
        "booking-api-p95-latency",
        "p95 latency of the booking ALB above 2s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": c.alb_dim},
        "Average",
        300,
        3,
        2.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=2),
        "Threshold Crossed: 3 datapoints [0.31, 0.29, 0.3] were not greater than the threshold (2.0).",
    )
    c.alarm(
        "dc1-vpn-tunnel-down",
        "Both DC1 VPN tunnels down",
        "AWS/VPN",
        "TunnelState",
        {"VpnId": c.vpn},
        "Maximum",
        300,
        2,
        1.0,
        "LessThanThreshold",
        "OK",
        c.start - timedelta(days=9),
        "Threshold Crossed: 2 datapoints [1.0, 1.0] were not less than the threshold (1.0).",
    )
    flap = c.start + timedelta(minutes=r.randint(30, 90))
    c.alarm(
        "booking-aurora-reader-cpu",
        "reader CPU high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": f"{c.db_cluster}-2"},
        "Average",
        300,
        1,
        10.0,
        "GreaterThanThreshold",
        "OK",
        flap + timedelta(minutes=10),
        "Threshold Crossed: 1 datapoint [8.7] was not greater than the threshold (10.0).",
    )
    c.history(
        "booking-aurora-reader-cpu",
        flap,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [10.6] was greater than the threshold (10.0).",
    )
    c.history(
        "booking-aurora-reader-cpu",
        flap + timedelta(minutes=10),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [8.7] was not greater than the threshold (10.0).",
    )

    q = (
        f"Front desk and the call centre say guests are getting 'we couldn't complete your reservation' on the site "
        f"since about {kit.local_clock(c.onset, c.tz_offset)}, and the 5xx alarm is going off. Searching rooms works. "
        f"Did the {kit.local_clock(c.deploy_at, c.tz_offset)} booking-api release break it? Should we roll back?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": c.rule,
            "category": "change",
            "failure_mode": "dns-forwarding-rule-targets-unreachable",
            "event_id": culprit,
        },
        "also_accept": ["dc1-properties", c.arn("route53resolver", f"resolver-rule/{c.rule}")],
        "actions": ["rollback"],
        "chain": [c.rule, "pms-gw.props.larkspur.local", "booking-api", c.alb_name],
    }
    _ = a5
    return c.bundle(TITLE, q, None, f"{c.tz_offset:+03d}:00", truth)
