"""#13 A NAT gateway runs out of source ports to one destination.

A NAT gateway can hold about 55,000 simultaneous connections to each destination (IP, port,
protocol). A batch job on the worker tier starts calling a partner API with a new connection per
request and high concurrency, through its AZ's NAT gateway. Once that gateway's connections to the
partner reach the limit it drops new ones (ErrorPortAllocation); the web tier's calls to the same
partner from that AZ then time out at connect, while the other AZs are fine. Nothing was changed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, logs
from evals.scenarios.account import Instance, Service, iso, tags
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library._extra_resources import ExtendedIncident, latency_alarm, new_incident, series
from evals.scenarios.registry import scenario
from evals.scenarios.series import ramp
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "Calls to {host} from {svc} time out intermittently since {t}. Is the partner down?",
    "Some {svc} requests fail since {t}, it looks random. What's going on?",
    "{product} errors since {t}; the partner says their API is healthy.",
]
PARTNERS = ["api.partner-payments.com", "gateway.shipfast.io", "api.taxengine.net", "rest.loyaltyhub.com"]
JOBS = ["partner-reconcile", "catalog-sync", "bulk-price-push", "order-export", "webhook-replay"]
PORT_LIMIT = 55_000  # simultaneous connections per destination (IP, port, protocol) per NAT address


@scenario(
    13,
    "nat-port-allocation",
    "NAT gateway port allocation errors",
    "A batch job floods one partner through an AZ's NAT gateway; its ports run out and that AZ's calls fail.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc, worker = acct.services[0], acct.services[-1]
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    nats = _nat_gateways(inc)
    # The job runs on a worker; with a gateway per AZ, the gateway of that worker's AZ fills up.
    runner = rng.choice(worker.alive(w.onset))
    hot_az = runner.az if len(nats) > 1 else next(iter(nats))
    nat = nats[hot_az]
    nat_arn = f"arn:aws:ec2:{acct.region}:{acct.account_id}:natgateway/{nat['NatGatewayId']}"
    inc.protected.update({nat_arn, worker.asg_arn})
    host = rng.choice(PARTNERS)
    job = rng.choice(JOBS)
    inc.protected.add(runner.id)

    onset_i = w.index(w.onset)
    climb = rng.randrange(4, 12)  # minutes until the job's connections fill the port range
    concurrency = rng.choice([128, 256, 512])
    # The job's open connections to the partner (each lingers after close), capped by the port limit.
    wanted = [0.0] * w.minutes
    for i in range(onset_i, w.minutes):
        wanted[i] = PORT_LIMIT * rng.uniform(1.4, 2.2) * ramp(i - onset_i + 1, climb)
    blocked = [max(0.0, 1 - PORT_LIMIT / v) if v > PORT_LIMIT else 0.0 for v in wanted]
    first = next(i for i in range(onset_i, w.minutes) if blocked[i] > 0)
    partner_share = rng.uniform(0.15, 0.4)  # web requests that call the partner
    for az, gw in nats.items():
        load = wanted if az == hot_az else [0.0] * w.minutes
        _nat_metrics(inc, traffic, gw, len(nats), load, blocked if az == hot_az else load, partner_share)
    active = inc.get("AWS/NATGateway", "ActiveConnectionCount", NatGatewayId=nat["NatGatewayId"])
    errors = inc.get("AWS/NATGateway", "ErrorPortAllocation", NatGatewayId=nat["NatGatewayId"])
    inc.hop("connections through the NAT gateway climb", nat_arn, w.onset, active)
    inc.hop("NAT gateway cannot allocate ports", nat_arn, w.at(first), errors)
    out = inc.get("AWS/EC2", "NetworkOut", InstanceId=runner.id)
    out.apply(w, w.onset, lambda k, v: v + rng.uniform(4e7, 9e7))

    affected = [i for i in svc.instances if len(nats) == 1 or i.az == hot_az]
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    connect_timeout = rng.choice([2, 3, 5, 10])
    rpm = traffic.rpm[svc.name]
    for i in range(first, w.minutes):
        alive = svc.alive(w.at(i))
        frac = sum(1 for a in alive if a in affected) / max(1, len(alive))
        failing = rpm[i] * frac * partner_share * blocked[i]
        t5.values[i] = (t5.values[i] or 0) + float(poisson(rng, failing))
        lat.values[i] = (lat.values[i] or 0.1) + frac * partner_share * blocked[i] * connect_timeout
    refresh_alb_latency(inc, traffic)
    inc.hop(
        "web tier calls to the partner fail in that AZ",
        svc.tg_arn,
        w.same_minute(w.at(first), rng, (5, 40)),
        t5,
    )

    partner = Dependency("http", host, rng.uniform(80, 250), partner_share)
    affected_ids = {a.id for a in affected}

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep is not partner or inst.id not in affected_ids or when < w.at(first):
            return None
        if rng.random() > blocked[w.index(when)]:
            return None
        return Outcome(
            extra_ms=connect_timeout * 1000,
            fault=True,
            exception="ConnectTimeoutException",
            message=f"Connect to {host}:443 failed: connect timed out",
            status=502,
        )

    topic = assembly.background(
        inc,
        traffic,
        near=["app_sg_monitoring_port", "alb_ingress", "launch_template_version", "target_group_attributes"],
        hook=hook,
        extra_deps=[partner],
        noise_exclude=("batch_cpu",),
    )
    _logs(
        inc, svc, worker, runner, affected, traffic, blocked, first, (host, job, concurrency, partner_share)
    )
    alarms = assembly.standard_alarms(inc, topic, replace={"latency": latency_alarm(inc, svc)})
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product, host=host
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "latency", "elb_5xx"], w.at(first), question)
    inc.title = f"{svc.name} calls to {host} fail: NAT gateway {nat['NatGatewayId']} out of ports"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=nat_arn, category="limit", failure_mode="nat-gateway-port-allocation-errors"
        ),
        also_accept=[worker.asg_arn],
        actions=["scale", "reconfigure"],
        chain=[
            f"job '{job}' on {runner.id} ({worker.name}) opens a new connection per request to {host} "
            f"({concurrency} in parallel) through {nat['NatGatewayId']} in {hot_az}",
            f"{nat['NatGatewayId']} reaches ~{PORT_LIMIT:,} connections to {host}:443 and reports "
            "ErrorPortAllocation",
            f"new connections from {hot_az if len(nats) > 1 else 'every AZ'} to {host} are dropped: {svc.name}'s "
            "calls time out at connect and those requests fail",
        ],
    )
    return inc


def _nat_gateways(inc: ExtendedIncident) -> dict[str, dict[str, Any]]:
    """One NAT gateway per AZ (or one for the VPC), with the private route tables that use them."""
    rng, acct = inc.rng, inc.account
    per_az = rng.random() < 0.7
    out: dict[str, dict[str, Any]] = {}
    for subnet in acct.public_subnets if per_az else acct.public_subnets[:1]:
        az = subnet["AvailabilityZone"]
        cidr = subnet["CidrBlock"]
        gw = {
            "CreateTime": iso(acct.created + timedelta(minutes=rng.randrange(10, 90))),
            "NatGatewayAddresses": [
                {
                    "AllocationId": acct.ids.ec2("eipalloc"),
                    "NetworkInterfaceId": acct.ids.ec2("eni"),
                    "PrivateIp": acct.ids.ip(cidr),
                    "PublicIp": acct.ids.public_ip(),
                    "AssociationId": acct.ids.ec2("eipassoc"),
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "NatGatewayId": acct.ids.ec2("nat"),
            "State": "available",
            "SubnetId": subnet["SubnetId"],
            "VpcId": acct.vpc_id,
            "ConnectivityType": "public",
            "Tags": tags(Name=f"{acct.env}-nat-{az[-1]}" if per_az else f"{acct.env}-nat"),
        }
        out[az] = inc.resource("ec2", "NatGateway", gw)
    for subnet in acct.private_subnets:
        gw = out.get(subnet["AvailabilityZone"]) or next(iter(out.values()))
        rt = acct.ids.ec2("rtb")
        inc.resource(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": acct.ids.ec2("rtbassoc"),
                        "RouteTableId": rt,
                        "SubnetId": subnet["SubnetId"],
                        "AssociationState": {"State": "associated"},
                    }
                ],
                "PropagatingVgws": [],
                "RouteTableId": rt,
                "Routes": [
                    {
                        "DestinationCidrBlock": acct.vpc_cidr,
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": gw["NatGatewayId"],
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": tags(Name=f"{acct.env}-private-{subnet['AvailabilityZone'][-1]}"),
                "VpcId": acct.vpc_id,
                "OwnerId": acct.account_id,
            },
        )
    return out


def _nat_metrics(
    inc: Incident,
    traffic: Traffic,
    gw: dict[str, Any],
    gateways: int,
    job: list[float],
    blocked: list[float],
    partner_share: float,
) -> None:
    """The gateway's connection counts: the AZ's ordinary egress plus the job's connections."""
    rng, w = inc.rng, inc.window
    gid = gw["NatGatewayId"]
    arn = f"arn:aws:ec2:{inc.account.region}:{inc.account.account_id}:natgateway/{gid}"
    dims = {"NatGatewayId": gid}
    share = 1.0 / gateways
    egress = [sum(traffic.rpm[s.name][i] for s in inc.account.services) * share for i in range(w.minutes)]
    per_request = rng.uniform(0.6, 1.2) + partner_share  # outbound connections per web request
    attempts = [e * per_request * rng.uniform(0.95, 1.05) + job[i] / 6 for i, e in enumerate(egress)]
    errors = [job[i] / 6 * blocked[i] * 1.0 for i in range(w.minutes)]
    active = [
        min(float(PORT_LIMIT), job[i]) + e / 60 * per_request * rng.uniform(10, 30)
        for i, e in enumerate(egress)
    ]
    series(inc, "AWS/NATGateway", "ActiveConnectionCount", dims, "Count", list(active), arn, decimals=0)
    series(inc, "AWS/NATGateway", "ConnectionAttemptCount", dims, "Count", list(attempts), arn, decimals=0)
    series(
        inc,
        "AWS/NATGateway",
        "ConnectionEstablishedCount",
        dims,
        "Count",
        [a - e for a, e in zip(attempts, errors, strict=True)],
        arn,
        decimals=0,
    )
    series(inc, "AWS/NATGateway", "ErrorPortAllocation", dims, "Count", list(errors), arn, decimals=0)
    series(
        inc,
        "AWS/NATGateway",
        "PacketsDropCount",
        dims,
        "Count",
        [float(poisson(rng, 0.3)) + e * rng.uniform(2, 3) for e in errors],
        arn,
        decimals=0,
    )
    series(
        inc,
        "AWS/NATGateway",
        "IdleTimeoutCount",
        dims,
        "Count",
        [float(poisson(rng, e * 0.01 + 1)) for e in egress],
        arn,
        decimals=0,
    )
    series(
        inc,
        "AWS/NATGateway",
        "BytesOutToDestination",
        dims,
        "Bytes",
        [e * rng.uniform(1500, 3000) + j * 60 for e, j in zip(egress, job, strict=True)],
        arn,
        decimals=0,
    )


def _logs(
    inc: Incident,
    svc: Service,
    worker: Service,
    runner: Instance,
    affected: list[Instance],
    traffic: Traffic,
    blocked: list[float],
    first: int,
    story: tuple[str, str, int, float],
) -> None:
    rng, w = inc.rng, inc.window
    host, job, concurrency, partner_share = story
    records = rng.randrange(80_000, 900_000)
    logs.app_line(
        inc,
        worker,
        runner,
        w.same_minute(w.onset, rng, (0, 5)),
        "INFO",
        f"Job '{job}' started: {records} records, concurrency {concurrency}, target https://{host}",
    )
    t = w.onset + timedelta(minutes=rng.randrange(2, 5))
    done = 0
    while t < w.now:
        i = w.index(t)
        step = int(records * rng.uniform(0.01, 0.03) * (1 - blocked[i]))
        done = min(records, done + step)
        level, extra = (
            ("WARN", f", {int(step * blocked[i] * 3)} failed (connect timed out)")
            if blocked[i]
            else ("INFO", "")
        )
        logs.app_line(inc, worker, runner, t, level, f"Job '{job}' progress: {done}/{records}{extra}")
        t += timedelta(minutes=rng.choice([1, 2, 3]), seconds=rng.randrange(0, 30))
    for i in range(first, w.minutes):
        alive = [a for a in svc.alive(w.at(i)) if a in affected]
        if not alive:
            continue
        per = traffic.rpm[svc.name][i] / max(1, len(svc.alive(w.at(i))))
        for inst in alive:
            for _ in range(min(poisson(rng, per * partner_share * blocked[i] * 0.2), 6)):
                when = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
                message = rng.choice(
                    [
                        f"Call to https://{host}/v1/ failed: ConnectTimeoutException: Connect to {host}:443 "
                        "failed: connect timed out",
                        f"HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded (Caused by "
                        "ConnectTimeoutError: Connection to host timed out)",
                    ]
                )
                logs.app_line(inc, svc, inst, when, "ERROR", message)
