"""rates-api: one Availability Zone loses network connectivity (AWS Health issue); its targets fail."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_j as k

NAME = "rates-api-az-connectivity"
TITLE = "rates-api unhealthy hosts and errors"
SUMMARY = (
    "An AWS network connectivity issue in one Availability Zone impairs the instances there: their ALB "
    "targets time out, ELB 5xx spike, ASG replacements in that zone fail health checks too; nothing changed in "
    "the account."
)


def build(seed: int) -> Bundle:
    c = k.Ctx(NAME, seed)
    r = c.rng
    _, off = k.REGION_TZ[c.region]
    day = k.pick_day(c, (0, 1, 2, 3, 4, 5))
    onset = k.local_to_utc(c, day, r.randint(8, 19), r.randint(0, 59))
    start = onset - timedelta(hours=r.randint(4, 6), minutes=r.randint(0, 40))
    now = onset + timedelta(minutes=r.randint(40, 60), seconds=r.randint(0, 59))
    acct = c.account
    letters = ["a", "b", "c"]
    bad_letter = r.choice(letters)
    azs = [c.az(x) for x in letters]
    bad_az = c.az(bad_letter)
    vpc_id = c.rid("vpc")
    subnets = {az: c.rid("subnet") for az in azs}
    o = c.vpc_octet
    sg_alb, sg_app = c.rid("sg"), c.rid("sg")
    long_ago = start - timedelta(days=r.randint(150, 500))
    launched = start - timedelta(days=r.randint(1, 6), hours=r.randint(0, 20))
    lt_id = "lt-0" + c.hex(16)
    itype = r.choice(["c6i.xlarge", "c7i.xlarge", "m6i.xlarge"])

    # instances: two per AZ; the bad AZ's pair is replaced by the ASG every few minutes
    per_az = {az: [c.rid("i"), c.rid("i")] for az in azs}
    ip: dict[str, str] = {}
    launch_at: dict[str, datetime] = {}
    ended_at: dict[str, datetime] = {}
    for j, az in enumerate(azs):
        for n, iid in enumerate(per_az[az]):
            ip[iid] = f"10.{o}.{64 + 16 * j}.{r.randint(10, 250)}"
            launch_at[iid] = launched + timedelta(minutes=2 * j + n)
    unhealthy_at: dict[str, datetime] = {}
    asg_activities: list[dict[str, Any]] = []
    current_bad = list(per_az[bad_az])
    for iid in current_bad:
        unhealthy_at[iid] = onset + timedelta(seconds=r.randint(40, 75))
    replaced_rounds: list[list[str]] = [list(current_bad)]
    t_round = onset + timedelta(minutes=r.randint(4, 6))
    asg_name = "rates-api-prod"
    asg_arn = c.arn("autoscaling", f"autoScalingGroup:{c.uuid()}:autoScalingGroupName/{asg_name}")
    while t_round < now - timedelta(minutes=3):
        fresh = [c.rid("i"), c.rid("i")]
        for old, new in zip(current_bad, fresh, strict=True):
            ended_at[old] = t_round + timedelta(seconds=r.randint(5, 40))
            ip[new] = f"10.{o}.{64 + 16 * azs.index(bad_az)}.{r.randint(10, 250)}"
            launch_at[new] = t_round + timedelta(seconds=r.randint(45, 80))
            unhealthy_at[new] = launch_at[new] + timedelta(minutes=r.randint(5, 6))
            asg_activities.append(
                {
                    "ActivityId": c.uuid(),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Terminating EC2 instance: {old}",
                    "Cause": f"At {k.iso(t_round)} an instance was taken out of service in response to an ELB system health check failure.",
                    "StartTime": k.iso(t_round),
                    "EndTime": k.iso(ended_at[old] + timedelta(minutes=1)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": subnets[bad_az], "Availability Zone": bad_az}),
                    "AutoScalingGroupARN": asg_arn,
                }
            )
            asg_activities.append(
                {
                    "ActivityId": c.uuid(),
                    "AutoScalingGroupName": asg_name,
                    "Description": f"Launching a new EC2 instance: {new}",
                    "Cause": f"At {k.iso(t_round + timedelta(seconds=30))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 5 to 6.",
                    "StartTime": k.iso(launch_at[new] - timedelta(seconds=10)),
                    "EndTime": k.iso(launch_at[new] + timedelta(seconds=40)),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": json.dumps({"Subnet ID": subnets[bad_az], "Availability Zone": bad_az}),
                    "AutoScalingGroupARN": asg_arn,
                }
            )
        current_bad = fresh
        replaced_rounds.append(list(fresh))
        t_round = max(unhealthy_at[x] for x in fresh) + timedelta(minutes=r.randint(1, 2))
    all_ids = [i for az in azs if az != bad_az for i in per_az[az]] + [
        i for rnd in replaced_rounds for i in rnd
    ]
    az_of = {i: az for az in azs for i in per_az[az]}
    for rnd in replaced_rounds:
        for i in rnd:
            az_of[i] = bad_az

    def alive(iid: str, t: datetime) -> bool:
        return launch_at[iid] <= t and (iid not in ended_at or t < ended_at[iid])

    def impaired(iid: str, t: datetime) -> bool:
        return az_of[iid] == bad_az and t >= onset

    # --- target health timeline ------------------------------------------------------------------
    lb_item, lb_arn, lb_dim = k.alb(
        c, "rates-public", vpc_id, [(subnets[az], az) for az in azs], sg_alb, long_ago
    )
    lb_item["Scheme"] = "internet-facing"
    lb_item["DNSName"] = lb_item["DNSName"].replace("internal-", "")
    tg_item, tg_arn, tg_dim = k.target_group(c, "rates-api-8080", vpc_id, 8080, lb_arn, "/actuator/health")
    events: list[dict[str, Any]] = []
    for iid in all_ids:
        tgt = {"Id": iid, "Port": 8080, "AvailabilityZone": az_of[iid]}
        la = launch_at[iid]
        if la > start:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "initial",
                            "Reason": "Elb.RegistrationInProgress",
                            "Description": "Target registration is in progress",
                        },
                        "timestamp": k.iso(la + timedelta(seconds=50)),
                    },
                }
            )
            if not impaired(iid, la):
                events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": tg_arn,
                            "target": tgt,
                            "health": {"State": "healthy"},
                            "timestamp": k.iso(la + timedelta(minutes=2)),
                        },
                    }
                )
        else:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {"State": "healthy"},
                        "timestamp": k.iso(la + timedelta(minutes=2)),
                    },
                }
            )
        if iid in unhealthy_at:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "unhealthy",
                            "Reason": "Target.Timeout",
                            "Description": "Request timed out",
                        },
                        "timestamp": k.iso(unhealthy_at[iid]),
                    },
                }
            )
        if iid in ended_at:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                        "timestamp": k.iso(ended_at[iid] - timedelta(seconds=4)),
                    },
                }
            )
    events = [e for e in events if e["item"]["timestamp"] <= k.iso(now)]
    events += [{"source": "autoscaling", "item": a} for a in asg_activities if a["StartTime"] <= k.iso(now)]

    def healthy_in(az: str, t: datetime) -> int:
        n = 0
        for i in all_ids:
            if az_of[i] != az or not alive(i, t) or t < launch_at[i] + timedelta(minutes=2):
                continue
            if i in unhealthy_at and t >= unhealthy_at[i]:
                continue
            if impaired(i, t) and launch_at[i] >= onset:
                continue
            n += 1
        return n

    def unhealthy_in(az: str, t: datetime) -> int:
        return sum(
            1
            for i in all_ids
            if az_of[i] == az and alive(i, t) and i in unhealthy_at and t >= unhealthy_at[i]
        )

    # --- metrics -----------------------------------------------------------------------------------
    noise: dict[tuple[str, datetime], float] = {}

    def nz(key: str, t: datetime, rel: float) -> float:
        kk = (key, t)
        if kk not in noise:
            noise[kk] = 1.0 + r.gauss(0.0, rel)
        return noise[kk]

    rpm_peak = r.uniform(14000, 22000)

    def rpm(t: datetime) -> float:
        return rpm_peak * k.diurnal(t, off, 13, 0.22) * nz("rpm", t, 0.035)

    def az_share(az: str, t: datetime) -> float:
        # client requests arrive evenly over the ALB's nodes; the impaired zone's node drops most of its share
        if t >= onset and az == bad_az:
            return 1 / 3 * 0.08
        return 1 / 3

    def window_err(t: datetime) -> float:
        """ELB 5xx: requests routed to the zone's targets before they were marked unhealthy."""
        first = min(unhealthy_at[i] for i in per_az[bad_az])
        if onset <= t < first + k.MINUTE:
            return 0.28
        if t >= onset:
            return 0.004 * nz("resid", t, 0.5)
        return 0.0

    m = k.Metrics(c, start, now, start)
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}

    def total_rpm(t: datetime) -> float:
        return rpm(t) * sum(az_share(a, t) for a in azs)

    def rt(t: datetime) -> float:
        base = 0.062 * nz("rt", t, 0.06)
        if t >= onset:
            base *= 1.35  # four targets carry six targets' load
        return base

    m.add("AWS/ApplicationELB", "RequestCount", lbd, "Count", lambda t: round(total_rpm(t)))
    m.add(
        "AWS/ApplicationELB",
        "RequestCount",
        tgd,
        "Count",
        lambda t: round(total_rpm(t) * (1 - window_err(t))),
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda t: round(total_rpm(t) * window_err(t)),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_504_Count",
        lbd,
        "Count",
        lambda t: round(total_rpm(t) * window_err(t) * 0.7),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_502_Count",
        lbd,
        "Count",
        lambda t: round(total_rpm(t) * window_err(t) * 0.3),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetConnectionErrorCount",
        lbd,
        "Count",
        lambda t: round(total_rpm(t) * window_err(t) * 0.3),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        lambda t: round(total_rpm(t) * (1 - window_err(t)) * 0.97),
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        lambda t: round(total_rpm(t) * 0.03 * nz("4", t, 0.1)),
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda t: round(total_rpm(t) * 0.0004 * nz("t5", t, 0.8)) if nz("t5b", t, 1) > 1.4 else 0,
        sparse=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        rt,
        dist=lambda t, v: k.latency_dist(r, v, total_rpm(t) / 60),
    )
    m.add(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Count",
        lambda t: float(sum(healthy_in(a, t) for a in azs)),
    )
    m.add(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Count",
        lambda t: float(sum(unhealthy_in(a, t) for a in azs)),
    )
    m.add("AWS/ApplicationELB", "ActiveConnectionCount", lbd, "Count", lambda t: round(total_rpm(t) * 0.11))

    def per_az_fns(a: str) -> list[Callable[[datetime], float | None]]:
        return [
            lambda t: round(rpm(t) * az_share(a, t)),
            lambda t: float(healthy_in(a, t)),
            lambda t: float(unhealthy_in(a, t)),
            lambda t: round(total_rpm(t) * window_err(t)) if a == bad_az else 0,
        ]

    for az in azs:
        azd = {"LoadBalancer": lb_dim, "AvailabilityZone": az}
        tazd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim, "AvailabilityZone": az}
        fns = per_az_fns(az)
        m.add("AWS/ApplicationELB", "RequestCount", azd, "Count", fns[0])
        m.add("AWS/ApplicationELB", "HealthyHostCount", tazd, "Count", fns[1])
        m.add("AWS/ApplicationELB", "UnHealthyHostCount", tazd, "Count", fns[2])
        m.add("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", azd, "Count", fns[3], sparse=True)

    def cpu(iid: str) -> Callable[[datetime], float | None]:
        def f(t: datetime) -> float | None:
            if not alive(iid, t):
                return None
            if impaired(iid, t):
                return 2.5 * nz(iid + "c", t, 0.2)
            share = 6 if t < onset else 4
            return (4 + 55 * total_rpm(t) / rpm_peak / share * 6 / 1.0 * 0.5) * nz(iid, t, 0.05)

        return f

    def status(iid: str) -> Callable[[datetime], float | None]:
        return lambda t: (
            (1.0 if impaired(iid, t) and t >= onset + timedelta(minutes=2) else 0.0)
            if alive(iid, t)
            else None
        )

    def net(iid: str) -> Callable[[datetime], float | None]:
        def f(t: datetime) -> float | None:
            if not alive(iid, t):
                return None
            if impaired(iid, t):
                return 3000.0 * nz(iid + "n", t, 0.3)
            return total_rpm(t) / (6 if t < onset else 4) * 5 * 2100 * nz(iid + "n", t, 0.05)

        return f

    def zero_while_alive(iid: str) -> Callable[[datetime], float | None]:
        return lambda t: 0.0 if alive(iid, t) else None

    for iid in all_ids:
        d = {"InstanceId": iid}
        m.add("AWS/EC2", "CPUUtilization", d, "Percent", cpu(iid), step_min=5, decimals=3)
        m.add("AWS/EC2", "NetworkIn", d, "Bytes", net(iid), step_min=5, decimals=0)
        m.add("AWS/EC2", "StatusCheckFailed", d, "Count", status(iid), step_min=5)
        m.add("AWS/EC2", "StatusCheckFailed_System", d, "Count", status(iid), step_min=5)
        m.add(
            "AWS/EC2",
            "StatusCheckFailed_Instance",
            d,
            "Count",
            zero_while_alive(iid),
            step_min=5,
        )
    ad = {"AutoScalingGroupName": asg_name}
    m.add(
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        ad,
        "Count",
        lambda t: float(sum(1 for i in all_ids if alive(i, t))),
    )
    m.add("AWS/AutoScaling", "GroupDesiredCapacity", ad, "Count", lambda t: 6.0)

    # --- resources ---------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = []

    def res(service: str, type_: str, item: dict[str, Any]) -> None:
        resources.append({"service": service, "type": type_, "item": item})

    for az in azs:
        res(
            "ec2",
            "AvailabilityZone",
            {
                "State": "available",
                "OptInStatus": "opt-in-not-required",
                "Messages": [],
                "RegionName": c.region,
                "ZoneName": az,
                "ZoneId": k.az_id(c, az),
                "GroupName": c.region,
                "NetworkBorderGroup": c.region,
                "ZoneType": "availability-zone",
            },
        )
    res("ec2", "Vpc", k.vpc(c, vpc_id, "rates-prod"))
    for j, az in enumerate(azs):
        res(
            "ec2",
            "Subnet",
            k.subnet(
                c,
                subnets[az],
                vpc_id,
                az,
                f"10.{o}.{64 + 16 * j}.0/20",
                f"rates-prod-app-{az[-1]}",
                r.randint(4000, 4080),
            ),
        )
    res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            c,
            sg_alb,
            "rates-public-alb",
            "rates public ALB",
            vpc_id,
            [k.sg_rule("tcp", 443, cidr="0.0.0.0/0")],
            [k.sg_rule("-1", None, cidr="0.0.0.0/0")],
        ),
    )
    res(
        "ec2",
        "SecurityGroup",
        k.security_group(
            c,
            sg_app,
            "rates-api",
            "rates-api instances",
            vpc_id,
            [k.sg_rule("tcp", 8080, group=sg_alb, account=acct, desc="alb")],
            [k.sg_rule("-1", None, cidr="0.0.0.0/0")],
        ),
    )
    ami = c.rid("ami")
    for iid in all_ids:
        if launch_at[iid] > now:
            continue
        az = az_of[iid]
        it = k.instance(
            c,
            iid,
            itype,
            az,
            subnets[az],
            vpc_id,
            ip[iid],
            [(sg_app, "rates-api")],
            launch_at[iid],
            {"Name": "rates-api-prod", "aws:autoscaling:groupName": asg_name, "service": "rates"},
            [("/dev/xvda", c.rid("vol"))],
            profile="rates-api",
            ami=ami,
        )
        if iid in ended_at and ended_at[iid] <= now:
            it["State"] = {"Code": 48, "Name": "terminated"}
            it["StateTransitionReason"] = f"User initiated ({ended_at[iid]:%Y-%m-%d %H:%M:%S} GMT)"
            it["StateReason"] = {
                "Code": "Client.UserInitiatedShutdown",
                "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
            }
            it["BlockDeviceMappings"] = []
            it["NetworkInterfaces"] = []
            it["PrivateDnsName"] = ""
            it.pop("PrivateIpAddress", None)
            it.pop("SubnetId", None)
            it.pop("VpcId", None)
            it["SecurityGroups"] = []
            res("ec2", "Instance", it)
            continue
        res("ec2", "Instance", it)
        bad = impaired(iid, now) and now >= onset + timedelta(minutes=2)
        st = k.instance_status(iid, az, system="impaired" if bad else "ok")
        if bad:
            st["SystemStatus"]["Details"][0]["ImpairedSince"] = k.iso(
                max(onset, launch_at[iid]) + timedelta(minutes=2)
            )
        st["AvailabilityZoneId"] = k.az_id(c, az)
        res("ec2", "InstanceStatus", st)
    res("elbv2", "LoadBalancer", lb_item)
    res("elbv2", "TargetGroup", tg_item)
    live = [
        (i, az_of[i], "Unhealthy" if (i in unhealthy_at and now >= unhealthy_at[i]) else "Healthy")
        for i in all_ids
        if alive(i, now)
    ]
    g = k.asg(
        c, asg_name, lt_id, "rates-api", live, list(subnets.values()), [tg_arn], 6, 6, 12, long_ago, itype
    )
    g["AutoScalingGroupARN"] = asg_arn
    g["AvailabilityZones"] = azs
    res("autoscaling", "AutoScalingGroup", g)
    topic = c.arn("sns", "rates-pager")
    res(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {
                "TopicArn": topic,
                "DisplayName": "rates pager",
                "Owner": acct,
                "SubscriptionsConfirmed": "1",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )

    # --- AWS Health --------------------------------------------------------------------------------
    posted = onset + timedelta(minutes=r.randint(14, 24))
    azid = k.az_id(c, bad_az).upper()
    tzlabel = {-4: "EDT", -7: "PDT", 1: "IST", 2: "CEST", 10: "AEST"}[off]

    def lt(t: datetime) -> str:
        x = t + timedelta(hours=off)
        return f"{(x.hour % 12) or 12}:{x.minute:02d} {'AM' if x.hour < 12 else 'PM'} {tzlabel}"

    upd2 = posted + timedelta(minutes=r.randint(14, 22))
    desc = (
        f"[{lt(posted)}] We are investigating network connectivity issues affecting some EC2 instances in a single "
        f"Availability Zone ({azid}) in the {c.region.upper()} Region. Other Availability Zones are not affected. "
        "Customers may also experience elevated error rates and latencies for new instance launches in the affected "
        "Availability Zone."
    )
    last_upd = posted
    if upd2 < now:
        desc += (
            f"\n\n[{lt(upd2)}] We have identified the cause of the network connectivity issues in a single "
            f"Availability Zone ({azid}) and are working towards mitigation. Customers that are able to shift "
            "traffic away from the affected Availability Zone may do so."
        )
        last_upd = upd2
    code = f"AWS_EC2_OPERATIONAL_ISSUE_{c.alnum(5)}_{c.alnum(11)}"
    earn = f"arn:aws:health:{c.region}::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/{code}"
    if posted < now:
        ents = [
            {
                "entityArn": c.arn("health", f"entity/{c.alnum(32, upper=False)}"),
                "eventArn": earn,
                "entityValue": i,
                "awsAccountId": acct,
                "lastUpdatedTime": k.iso(last_upd),
                "statusCode": "IMPAIRED",
            }
            for i in all_ids
            if az_of[i] == bad_az and launch_at[i] <= posted
        ]
        events.append(
            {
                "source": "health",
                "item": {
                    "event": {
                        "arn": earn,
                        "service": "EC2",
                        "eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE",
                        "eventTypeCategory": "issue",
                        "region": c.region,
                        "availabilityZone": bad_az,
                        "startTime": k.iso(onset - timedelta(minutes=1)),
                        "lastUpdatedTime": k.iso(last_upd),
                        "statusCode": "open",
                        "eventScopeCode": "ACCOUNT_SPECIFIC",
                    },
                    "description": desc,
                    "affected_entities": ents,
                },
            }
        )
    # an older, closed scheduled event
    old_evt = start - timedelta(days=r.randint(8, 20))
    events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": f"arn:aws:health:{c.region}::event/RDS/AWS_RDS_MAINTENANCE_SCHEDULED/AWS_RDS_MAINTENANCE_SCHEDULED_{c.alnum(5)}_{c.alnum(11)}",
                    "service": "RDS",
                    "eventTypeCode": "AWS_RDS_MAINTENANCE_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": c.region,
                    "startTime": k.iso(old_evt),
                    "endTime": k.iso(old_evt + timedelta(hours=1)),
                    "lastUpdatedTime": k.iso(old_evt + timedelta(hours=1)),
                    "statusCode": "closed",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": "Maintenance was applied to your Amazon RDS instance rates-config-db during its maintenance window.",
                "affected_entities": [],
            },
        }
    )

    # --- alarms ------------------------------------------------------------------------------------
    created = long_ago + timedelta(days=5)
    unh = k.Alarm(
        c,
        "rates-api-unhealthy-hosts",
        namespace="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims=tgd,
        stat="Maximum",
        period=60,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=1.0,
        comparison="GreaterThanOrEqualToThreshold",
        description="rates-api has unhealthy targets for 2 minutes",
        topic_arn=topic,
        created=created,
    )
    unh.evaluate(lambda t: float(sum(unhealthy_in(a, t) for a in azs)), start, now, 60.0)
    e5 = k.Alarm(
        c,
        "rates-alb-elb-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_ELB_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=60,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=250.0,
        comparison="GreaterThanThreshold",
        description="ALB-generated 5xx on rates-public",
        topic_arn=topic,
        treat_missing="notBreaching",
        created=created,
    )
    e5.evaluate(lambda t: round(total_rpm(t) * window_err(t)) or None, start, now, 1.0)
    alarms = [unh.item(), e5.item()]
    alarms.append(
        k.ok_alarm(
            c,
            "rates-api-p99-latency",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "p99",
            60,
            5,
            1.5,
            "GreaterThanThreshold",
            "rates-api p99 above 1.5s",
            topic,
            created,
            start - timedelta(days=3),
        )
    )
    alarms.append(
        k.ok_alarm(
            c,
            "rates-api-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            100.0,
            "GreaterThanThreshold",
            "rates-api target 5xx",
            topic,
            created,
            start - timedelta(days=6),
        )
    )
    alarms.append(
        k.ok_alarm(
            c,
            "rates-api-cpu-high",
            "AWS/EC2",
            "CPUUtilization",
            ad,
            "Average",
            300,
            3,
            75.0,
            "GreaterThanThreshold",
            "rates-api fleet CPU",
            topic,
            created,
            start - timedelta(days=1),
        )
    )
    history: list[dict[str, Any]] = unh.history + e5.history
    history.sort(key=lambda h: h["Timestamp"])

    # --- CloudTrail --------------------------------------------------------------------------------
    office = f"{r.choice([64, 98, 173, 204])}.{r.randint(10, 250)}.{r.randint(0, 255)}.{r.randint(2, 250)}"
    sre = k.sso_cli(c, "SREOnCall", r.choice(["jonas.meyer", "ana.silva", "pat.oconnor"]), office)
    dev = k.sso(c, "Developer", r.choice(["yuki.tanaka", "felix.wagner", "chloe.martin"]), office)
    gha = k.Principal(
        c,
        "gha-rates-deploy",
        "GitHubActions",
        agent="aws-cli/2.17.20 Python/3.11.9 Linux/6.5.0-1025-azure exe/x86_64.ubuntu.22 prompt/off command/lambda.update-function-code",
        ip="140.82.113.9",
    )
    asgp = k.Principal(
        c,
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        agent="autoscaling.amazonaws.com",
        ip="autoscaling.amazonaws.com",
        path="/aws-service-role/autoscaling.amazonaws.com/",
    )
    dd = k.Principal(
        c,
        "DatadogAWSIntegrationRole",
        "DatadogAWSIntegration",
        agent="aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
        ip="3.233.144.17",
    )
    ct: list[dict[str, Any]] = []
    menu: list[tuple[str, str, dict[str, Any] | None]] = [
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        (
            "ec2.amazonaws.com",
            "DescribeInstanceStatus",
            {"instancesSet": {}, "filterSet": {}, "includeAllInstances": False},
        ),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        ("health.amazonaws.com", "DescribeEvents", {"filter": {"eventStatusCodes": ["open", "upcoming"]}}),
    ]
    ct += k.routine_reads(c, [dd, dd, sre, dev], start, now, menu, 24)
    for iid in all_ids:
        la = launch_at[iid]
        if start < la <= now:
            ct.append(
                k.trail(
                    c,
                    asgp,
                    la - timedelta(seconds=12),
                    "ec2.amazonaws.com",
                    "RunInstances",
                    {
                        "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                        "launchTemplate": {"launchTemplateId": lt_id, "version": "7"},
                        "availabilityZone": az_of[iid],
                        "subnetId": subnets[az_of[iid]],
                        "clientToken": c.uuid(),
                    },
                    {
                        "requestId": c.uuid(),
                        "reservationId": "r-0" + c.hex(16),
                        "ownerId": acct,
                        "instancesSet": {
                            "items": [
                                {
                                    "instanceId": iid,
                                    "instanceType": itype,
                                    "placement": {"availabilityZone": az_of[iid], "tenancy": "default"},
                                    "privateIpAddress": ip[iid],
                                    "subnetId": subnets[az_of[iid]],
                                    "vpcId": vpc_id,
                                    "instanceState": {"code": 0, "name": "pending"},
                                }
                            ]
                        },
                    },
                    api="ec2",
                )
            )
        if iid in ended_at and ended_at[iid] <= now:
            ct.append(
                k.trail(
                    c,
                    asgp,
                    ended_at[iid] - timedelta(seconds=3),
                    "ec2.amazonaws.com",
                    "TerminateInstances",
                    {"instancesSet": {"items": [{"instanceId": iid}]}},
                    {
                        "requestId": c.uuid(),
                        "instancesSet": {
                            "items": [
                                {
                                    "instanceId": iid,
                                    "currentState": {"code": 32, "name": "shutting-down"},
                                    "previousState": {"code": 16, "name": "running"},
                                }
                            ]
                        },
                    },
                    api="ec2",
                )
            )
    fn_at = onset - timedelta(minutes=r.randint(8, 22), seconds=r.randint(0, 59))
    ct.append(
        k.trail(
            c,
            gha,
            fn_at,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": "rates-fx-refresh",
                "s3Bucket": f"rates-artifacts-{acct}",
                "s3Key": f"rates-fx-refresh/{c.hex(40)}.zip",
                "publish": True,
            },
            {
                "functionName": "rates-fx-refresh",
                "functionArn": c.arn("lambda", "function:rates-fx-refresh"),
                "runtime": "java21",
                "handler": "com.rates.fx.Refresh::handleRequest",
                "codeSize": r.randint(9_000_000, 15_000_000),
                "version": str(r.randint(30, 90)),
                "lastUpdateStatus": "InProgress",
            },
            api="lambda",
        )
    )
    tg_at = onset - timedelta(minutes=r.randint(3, 12), seconds=r.randint(0, 59))
    ct.append(
        k.trail(
            c,
            dev,
            tg_at,
            "elasticloadbalancing.amazonaws.com",
            "ModifyTargetGroupAttributes",
            {
                "targetGroupArn": tg_arn,
                "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "60"}],
            },
            {
                "attributes": [
                    {"key": "deregistration_delay.timeout_seconds", "value": "60"},
                    {"key": "stickiness.enabled", "value": "false"},
                    {"key": "load_balancing.algorithm.type", "value": "round_robin"},
                ]
            },
        )
    )
    ssm_at = onset + timedelta(minutes=r.randint(9, 16))
    ssm_target = [i for i in all_ids if az_of[i] == bad_az and alive(i, ssm_at)] or [replaced_rounds[-1][0]]
    ct.append(
        k.trail(
            c,
            sre,
            ssm_at,
            "ssm.amazonaws.com",
            "StartSession",
            {"target": ssm_target[0], "documentName": "SSM-SessionManagerRunShell"},
            None,
            error=("TargetNotConnected", f"{ssm_target[0]} is not connected."),
            api="ssm",
        )
    )
    ct = [x for x in ct if x["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs (Spring Boot JSON via the CloudWatch agent; impaired hosts stop shipping) -------------
    logs: list[dict[str, Any]] = []
    group = "/rates/api"
    t = start
    pairs = ["EURUSD", "GBPUSD", "USDJPY", "AUDUSD", "USDCAD", "EURGBP"]
    while t < now:
        for iid in all_ids:
            if not alive(iid, t) or impaired(iid, t):
                continue
            for _ in range(r.randint(0, 2)):
                at = t + timedelta(milliseconds=r.randint(0, 59999))
                if at >= now:
                    continue
                host = f"ip-{ip[iid].replace('.', '-')}"
                if r.random() < 0.04:
                    msg = {
                        "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                        "level": "WARN",
                        "logger_name": "com.rates.pricing.QuoteService",
                        "thread_name": f"http-nio-8080-exec-{r.randint(1, 200)}",
                        "message": f"stale fx tick for {r.choice(pairs)}, age={r.randint(2100, 4000)}ms, using last known",
                        "host": host,
                    }
                else:
                    msg = {
                        "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                        "level": "INFO",
                        "logger_name": "com.rates.api.QuoteController",
                        "thread_name": f"http-nio-8080-exec-{r.randint(1, 200)}",
                        "message": f"quote served pair={r.choice(pairs)} tier={r.choice(['retail', 'pro', 'partner'])} latency_ms={r.randint(18, 140)}",
                        "host": host,
                    }
                logs.append(k.log(group, iid, at, json.dumps(msg, separators=(",", ":"))))
        t += k.MINUTE
    for iid in all_ids:
        if launch_at[iid] > start and launch_at[iid] < now:
            at = launch_at[iid] + timedelta(seconds=r.randint(60, 80))
            if impaired(iid, at):
                continue  # never shipped
            logs.append(
                k.log(
                    group,
                    iid,
                    at,
                    json.dumps(
                        {
                            "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                            "level": "INFO",
                            "logger_name": "com.rates.RatesApplication",
                            "thread_name": "main",
                            "message": f"Started RatesApplication in {r.uniform(11, 19):.3f} seconds (process running for {r.uniform(12, 20):.3f})",
                        },
                        separators=(",", ":"),
                    ),
                )
            )
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    trig = unh.event(max(i for i, tr in enumerate(unh.transitions) if tr[2] == "ALARM" and tr[0] >= onset))
    question = r.choice(
        [
            "rates-api paged for unhealthy hosts and we had a burst of 5xx from the load balancer. Instances keep getting replaced. What's wrong?",
            "Getting paged on rates-api unhealthy hosts, the ASG keeps cycling instances. Is it our deploy? what's going on?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": c.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": trig},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad_az,
                    "category": "component_failure",
                    "failure_mode": "az-network-connectivity-impairment",
                    "event_id": None,
                },
                "also_accept": [k.az_id(c, bad_az), subnets[bad_az], earn],
                "actions": ["exclude"],
                "chain": [
                    f"AWS network connectivity issue in {bad_az} ({k.az_id(c, bad_az)}), AWS Health AWS_EC2_OPERATIONAL_ISSUE",
                    f"rates-api instances in {bad_az} become unreachable (system status check impaired)",
                    "their targets in rates-api-8080 time out and go unhealthy; ELB 5xx spike before they are taken out",
                    "the ASG replaces them in the same zone; the replacements fail health checks too",
                    "rates-api-unhealthy-hosts alarm fires; the remaining zones carry the load",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.points,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
