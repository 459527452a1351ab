"""#10 A security-group rule between the web tier and the database was revoked.

Someone removes the database group's ingress rule that references the web tier's group (a cleanup
of "unused" rules). Established connections keep working until the pool recycles them; new ones
time out at connect, so errors ramp up over minutes. The database sees fewer connections and less
load, and logs nothing: the packets never reach it.
"""

from __future__ import annotations

import random
from datetime import datetime

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Instance
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.series import ramp
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "{svc} started throwing 5XX errors at {t} and it is getting worse. Nothing was deployed.",
    "Why is {product} failing since {t}? Latency is through the roof.",
    "Errors on {svc} since {t}; the database looks fine. What happened?",
]


@scenario(
    10,
    "sg-rule-revoked",
    "Security-group rule between app and database revoked",
    "A RevokeSecurityGroupIngress on the DB group cuts the web tier off; connects time out as pools recycle.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc, db = acct.services[0], acct.database
    inc.title = f"{svc.name} cannot reach {db.cluster_id}"
    db_sg = acct.security_groups[db.sg_id]
    inc.protected.update({db.sg_id, svc.sg_id})
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)

    actor = rng.choice([*cloudtrail.people(inc, 3), cloudtrail.ci_actor(inc)])
    # Only the web tier's source group leaves the port's permission; the other tier keeps access.
    for perm in db_sg["IpPermissions"]:
        perm["UserIdGroupPairs"] = [p for p in perm["UserIdGroupPairs"] if p["GroupId"] != svc.sg_id]
    db_sg["IpPermissions"] = [p for p in db_sg["IpPermissions"] if p["UserIdGroupPairs"] or p["IpRanges"]]
    change = cloudtrail.record(
        inc,
        actor,
        w.onset,
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        {
            "groupId": db.sg_id,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": db.port,
                        "toPort": db.port,
                        "groups": {"items": [{"groupId": svc.sg_id}]},
                        "ipRanges": {},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": acct.ids.uuid(),
            "_return": True,
            "revokedSecurityGroupRuleSet": {
                "items": [
                    {
                        "groupId": db.sg_id,
                        "securityGroupRuleId": acct.ids.ec2("sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": db.port,
                        "toPort": db.port,
                        "referencedGroupId": svc.sg_id,
                    }
                ]
            },
        },
        resources=[
            {"ARN": acct.sg_arn(db.sg_id), "accountId": acct.account_id, "type": "AWS::EC2::SecurityGroup"}
        ],
    )
    inc.hop("ingress rule from the web tier removed", acct.sg_arn(db.sg_id), w.onset)

    # Pools recycle their connections over `recycle` minutes; each new connect then times out.
    recycle = rng.randrange(4, 14)
    timeout_s = rng.choice([5, 10, 30])
    onset_i = w.index(w.onset)
    broken = [0.0 if i < onset_i else min(0.97, ramp(i - onset_i + 1, recycle)) for i in range(w.minutes)]
    first_drop = w.same_minute(w.onset, rng, (5, 40))
    conns = inc.get("AWS/RDS", "DatabaseConnections", DBInstanceIdentifier=db.writer)
    pool = traffic.pool_size[svc.name]
    for m in db.members:
        c = inc.get("AWS/RDS", "DatabaseConnections", DBInstanceIdentifier=m)
        share = 0.65 if m == db.writer else 0.35 / len(db.readers)
        for i in range(onset_i, w.minutes):
            lost = len(svc.alive(w.at(i))) * pool * share * broken[i]
            c.values[i] = max(1.0, round((c.values[i] or 0) - lost))
        cpu = inc.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=m)
        q = inc.get("AWS/RDS", "Queries", DBInstanceIdentifier=m)
        frac = traffic.rpm[svc.name][onset_i] / max(traffic.total(onset_i), 1)
        for s in (cpu, q):
            for i in range(onset_i, w.minutes):
                value = s.values[i]
                if value is not None:
                    s.values[i] = value * (1 - 0.9 * frac * broken[i])
    inc.hop("database connections from the web tier drop", db.cluster_arn, first_drop, conns, -1)

    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    rpm = traffic.rpm[svc.name]
    for i in range(onset_i, w.minutes):
        t5.values[i] = (t5.values[i] or 0) + float(round(rpm[i] * 0.95 * broken[i]))
        lat.values[i] = (lat.values[i] or 0.1) * (1 - broken[i]) + timeout_s * broken[i] * rng.uniform(
            0.9, 1.05
        )
    refresh_alb_latency(inc, traffic)
    inc.hop("web tier requests fail with 5XX", svc.tg_arn, first_drop, t5)
    host = db.endpoint
    for i in range(onset_i, w.minutes):
        alive = svc.alive(w.at(i))
        for _ in range(min(poisson(rng, rpm[i] * broken[i] * 0.01), 15)):
            t = w.moment(rng, i, w.onset)
            message = rng.choice(
                [
                    "Could not open JDBC Connection: Communications link failure. The driver has not received any "
                    "packets from the server. Caused by: java.net.SocketTimeoutException: Connect timed out",
                    f"(2003, \"Can't connect to MySQL server on '{host}' (timed out)\")",
                ]
            )
            logs.app_line(inc, svc, rng.choice(alive), t, "ERROR", message)

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep.kind != "sql" or inst.service is not svc or when < w.onset:
            return None
        if rng.random() > broken[w.index(when)]:
            return None
        return Outcome(
            extra_ms=timeout_s * 1000,
            fault=True,
            exception="CommunicationsException",
            message="Communications link failure: connect timed out",
            status=500,
        )

    topic = assembly.background(
        inc, traffic, near=["app_sg_monitoring_port", "alb_ingress", "db_parameter", "db_tags"], hook=hook
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "latency", "elb_5xx"], w.onset, question)
    inc.truth = Truth(
        root_cause=RootCause(
            resource=acct.sg_arn(db.sg_id),
            category="change",
            failure_mode="security-group-rule-revoked",
            event_id=change["eventID"],
        ),
        also_accept=[acct.sg_arn(svc.sg_id)],
        actions=["rollback"],
        chain=[
            f"ingress rule tcp/{db.port} from {svc.sg_id} revoked on {db.sg_id}",
            f"new connections from {svc.name} to {db.cluster_id} time out",
            f"{svc.name} requests fail with 5XX and wait {timeout_s}s connect timeouts",
        ],
    )
    return inc
