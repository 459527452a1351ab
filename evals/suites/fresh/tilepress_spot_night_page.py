"""A night page on the render worker fleet's in-service count."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zz as k

NAME = "tilepress-render-inservice-night-page"
TITLE = "tilepress-render in-service instances alarm paged in the small hours and cleared itself"
SUMMARY = (
    "Two Spot workers got rebalance recommendations and interruption notices; capacity rebalancing "
    "replaced them within minutes, jobs were retried from the queue, nothing was lost (no fault)."
)

REGION = "us-east-2"
TZ = "America/New_York"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = rng.choice(["507913862240", "219448630175", "861205577390"])
    day = k.pick_day(rng)
    if day < datetime(2024, 3, 12, tzinfo=k.UTC):
        day += timedelta(days=45)  # keep the date in EDT (UTC-4)
    onset = day + timedelta(hours=6, minutes=rng.randrange(0, 50), seconds=rng.randrange(60))  # 2-3am EDT
    start = (onset - timedelta(hours=8)).replace(minute=0, second=0)
    fine_from = onset - timedelta(minutes=90 + onset.minute % 5)
    now = onset + timedelta(minutes=rng.randrange(38, 55))
    now = now.replace(second=0)
    asg = "tilepress-render-spot"
    asg_arn = (
        f"arn:aws:autoscaling:{REGION}:{account}:autoScalingGroup:{k.uuid(rng)}:autoScalingGroupName/{asg}"
    )
    queue = "tilepress-render-jobs"
    dlq = "tilepress-render-jobs-dlq"
    topic = f"arn:aws:sns:{REGION}:{account}:maps-oncall"
    vpc = k.rid(rng, "vpc")
    subnets = [(k.rid(rng, "subnet"), f"{REGION}{z}") for z in "abc"]
    sg = (k.rid(rng, "sg"), "tilepress-render-workers")
    lt_id = f"lt-0{k.hexs(rng, 16)}"
    lt_ver = str(rng.randrange(12, 40))
    ami = k.rid(rng, "ami")
    desired = rng.choice([6, 8])
    types = ["c6i.2xlarge", "c6a.2xlarge", "c5.2xlarge", "m6i.2xlarge"]
    fleet: list[dict[str, Any]] = []
    for i in range(desired):
        fleet.append(
            {
                "id": k.rid(rng, "i"),
                "az": i % 3,
                "type": rng.choice(types),
                "launch": start - timedelta(hours=rng.randrange(6, 90)),
                "term": None,
                "ip": f"10.61.{(i % 3) * 32 + rng.randrange(1, 30)}.{rng.randrange(4, 250)}",
            }
        )
    victims = [f for f in fleet if f["az"] == 1][:2]
    if len(victims) < 2:
        victims = fleet[:2]
    rebalance_t = onset
    notice_t = onset + timedelta(minutes=rng.randrange(3, 6), seconds=rng.randrange(60))
    activities: list[dict[str, Any]] = []
    replacements: list[dict[str, Any]] = []
    for v in victims:
        lt = rebalance_t + timedelta(seconds=rng.randrange(20, 70))
        r: dict[str, Any] = {
            "id": k.rid(rng, "i"),
            "az": rng.choice([0, 2]),
            "type": rng.choice(types),
            "launch": lt,
            "term": None,
            "ip": f"10.61.{rng.randrange(1, 30)}.{rng.randrange(4, 250)}",
        }
        replacements.append(r)
        activities.append(
            {
                "ActivityId": k.uuid(rng),
                "AutoScalingGroupName": asg,
                "Description": f"Launching a new EC2 instance: {r['id']}",
                "Cause": f"At {k.iso(lt - timedelta(seconds=8))} an instance was launched in response to an EC2 instance rebalance recommendation for instance {v['id']}.",
                "StartTime": k.iso(lt),
                "EndTime": k.iso(lt + timedelta(seconds=rng.randrange(40, 90))),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps(
                    {
                        "Subnet ID": subnets[r["az"]][0],
                        "Availability Zone": subnets[r["az"]][1],
                        "InstanceType": r["type"],
                        "Market": "spot",
                    }
                ),
                "AutoScalingGroupARN": asg_arn,
            }
        )
        v["term"] = notice_t + timedelta(seconds=rng.randrange(5, 25))
        activities.append(
            {
                "ActivityId": k.uuid(rng),
                "AutoScalingGroupName": asg,
                "Description": f"Terminating EC2 instance: {v['id']}",
                "Cause": f"At {k.iso(v['term'])} an instance was taken out of service in response to an EC2 instance rebalance recommendation.",
                "StartTime": k.iso(v["term"]),
                "EndTime": k.iso(v["term"] + timedelta(seconds=rng.randrange(90, 120))),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps(
                    {
                        "Subnet ID": subnets[v["az"]][0],
                        "Availability Zone": subnets[v["az"]][1],
                        "InstanceType": v["type"],
                        "Market": "spot",
                    }
                ),
                "AutoScalingGroupARN": asg_arn,
            }
        )
    fleet += replacements
    boot = timedelta(minutes=rng.randrange(6, 9))

    def in_service(t: datetime) -> int:
        n = 0
        for f in fleet:
            ok = f["launch"] + boot <= t if f in replacements else f["launch"] <= t
            if ok and (f["term"] is None or f["term"] > t):
                n += 1
        return n

    # ------------------------------------------------------------ metrics
    qd = {"QueueName": queue}
    asgd = {"AutoScalingGroupName": asg}
    metrics: list[dict[str, Any]] = []
    inservice_series: list[tuple[datetime, float]] = []
    backlog = 40.0
    for t, period in k.grid(start, fine_from, now - timedelta(minutes=1)):
        mins = period // 60
        local_h = (t.hour - 4) % 24 + t.minute / 60
        arrivals = k.noisy(rng, 900 * k.diurnal(local_h, peak=14, floor=0.35), 0.08) * mins
        n = in_service(t)
        capacity = n * 170.0 * mins
        # jobs in flight on interrupted workers come back after the visibility timeout
        returned = 0.0
        for v in victims:
            if v["term"] and v["term"] <= t < v["term"] + timedelta(minutes=mins):
                returned += 6
        processed = min(capacity, arrivals + backlog * 0.8)
        backlog = max(5.0, backlog + arrivals + returned - processed)
        age = 8 + backlog / max(1.0, capacity / mins) * 60 * 0.5 + rng.uniform(0, 6)
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", round(arrivals)))
        metrics.append(
            k.datum("AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", round(processed + returned))
        )
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", round(processed)))
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", round(backlog))
        )
        metrics.append(
            k.datum(
                "AWS/SQS",
                "ApproximateNumberOfMessagesNotVisible",
                qd,
                t,
                "Count",
                n * 6 + rng.randrange(0, 4),
            )
        )
        metrics.append(k.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", round(age)))
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq}, t, "Count", 3)
        )
        cpu = min(97.0, 20 + 70 * processed / max(1.0, capacity))
        metrics.append(
            k.stat_datum(
                "AWS/EC2",
                "CPUUtilization",
                asgd,
                t,
                "Percent",
                max(1, n) * mins,
                cpu * max(1, n) * mins,
                cpu - 9,
                cpu + 7,
            )
        )
        running = sum(1 for f in fleet if f["launch"] <= t and (f["term"] is None or f["term"] > t))
        metrics.append(
            k.datum(
                "AWS/AutoScaling",
                "GroupDesiredCapacity",
                asgd,
                t,
                "None",
                running if t < notice_t else desired,
            )
        )
        metrics.append(k.datum("AWS/AutoScaling", "GroupInServiceInstances", asgd, t, "None", n))
        metrics.append(
            k.datum(
                "AWS/AutoScaling", "GroupPendingInstances", asgd, t, "None", running - n if running > n else 0
            )
        )
        if period == 60:
            inservice_series.append((t, float(n)))

    # ------------------------------------------------------------ alarms
    a_main, hist, trans = k.alarm_with_history(
        account,
        REGION,
        "tilepress-render-inservice-low",
        "Fewer render workers in service than expected",
        "AWS/AutoScaling",
        "GroupInServiceInstances",
        asgd,
        "Minimum",
        60,
        2,
        float(desired - 1),
        "LessThanThreshold",
        inservice_series,
        now,
        topic,
        day - timedelta(days=190),
    )
    alarms = [a_main]
    for nm, desc, ns, met, dims, st, per, evp, thr, op in [
        ("tilepress-render-jobs-age", "Oldest render job older than 15 min", "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Maximum", 300, 3, 900.0, "GreaterThanThreshold"),
        ("tilepress-render-dlq-growing", "Render DLQ above 25", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq}, "Maximum", 300, 1, 25.0, "GreaterThanThreshold"),
        ("tilepress-api-5xx", "tilepress-api target 5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": f"app/tilepress-api/{k.hexs(rng, 16)}"}, "Sum", 60, 5, 50.0, "GreaterThanThreshold"),
    ]:  # fmt: skip
        t_ok = day - timedelta(days=rng.randrange(2, 30), minutes=rng.randrange(0, 900))
        alarms.append(
            k.alarm(
                account,
                REGION,
                nm,
                desc,
                ns,
                met,
                dims,
                st,
                per,
                evp,
                thr,
                op,
                "OK",
                f"Threshold Crossed: {evp} datapoint{'s' if evp > 1 else ''} [..] not greater than the threshold ({thr}).",
                None,
                t_ok,
                t_ok - timedelta(days=40),
                [topic],
            )
        )
        alarms[-1]["StateReason"] = (
            f"Threshold Crossed: no datapoints were greater than the threshold ({thr})."
        )
    first = next(x for x in trans if x[1] == "ALARM")
    alarm_evt = k.alarm_event(account, REGION, a_main, first[0], first[2], first[3], rng)

    # ------------------------------------------------------------ CloudTrail
    people = [
        k.sso_human(
            rng, account, "MapsEngineer", rng.choice(["jl.ortega", "priscilla.tan"]) + "@tilepress.io"
        ),
        k.sso_human(
            rng, account, "ReadOnlyAccess", rng.choice(["kwame.boateng", "hannah.rieger"]) + "@tilepress.io"
        ),
    ]
    ci = k.ci_role(rng, account, "buildkite-deploy-maps", "buildkite-" + k.hexs(rng, 8))
    drift = k.ci_role(rng, account, "terraform-drift-check", "atlantis")
    trail: list[dict[str, Any]] = k.routine_reads(rng, account, REGION, start, now, [*people, drift], 30)
    svc = k.Principal(account, "service", "ec2.amazonaws.com")
    for v in victims:
        ev = k.ct(rng, account, REGION, notice_t, svc, "ec2.amazonaws.com", "BidEvictedEvent", None, None)
        ev["eventType"] = "AwsServiceEvent"
        ev["readOnly"] = False
        ev["userIdentity"] = {"accountId": account, "invokedBy": "ec2.amazonaws.com"}
        ev["sourceIPAddress"] = "ec2.amazonaws.com"
        ev["userAgent"] = "ec2.amazonaws.com"
        ev.pop("requestID", None)
        ev["requestParameters"] = None
        ev["responseElements"] = None
        ev["serviceEventDetails"] = {"instanceIdSet": [v["id"]]}
        trail.append(ev)
        rec = k.ct(
            rng, account, REGION, v["term"], svc, "ec2.amazonaws.com", "TerminateInstances",
            {"instancesSet": {"items": [{"instanceId": v["id"]}]}},
            {"requestId": k.uuid(rng), "instancesSet": {"items": [{"instanceId": v["id"], "currentState": {"code": 32, "name": "shutting-down"}, "previousState": {"code": 16, "name": "running"}}]}},
        )  # fmt: skip
        rec["userIdentity"] = k.asg_service_identity(account, v["term"])
        rec["sourceIPAddress"] = rec["userAgent"] = "autoscaling.amazonaws.com"
        trail.append(rec)
    for r in replacements:
        rec = k.ct(
            rng, account, REGION, r["launch"], svc, "ec2.amazonaws.com", "CreateFleet",
            {"CreateFleetRequest": {"Type": "instant", "TargetCapacitySpecification": {"TotalTargetCapacity": 1, "DefaultTargetCapacityType": "spot"}, "SpotOptions": {"AllocationStrategy": "price-capacity-optimized"}, "LaunchTemplateConfigs": {"LaunchTemplateSpecification": {"LaunchTemplateId": lt_id, "Version": lt_ver}, "tag": 1}}},
            {"CreateFleetResponse": {"fleetInstanceSet": {"item": {"instanceIds": {"item": r["id"]}, "instanceType": r["type"], "lifecycle": "spot"}}, "errorSet": ""}},
        )  # fmt: skip
        rec["userIdentity"] = k.asg_service_identity(account, r["launch"])
        rec["sourceIPAddress"] = rec["userAgent"] = "autoscaling.amazonaws.com"
        trail.append(rec)
    # innocent changes close to the page
    t1 = onset - timedelta(minutes=rng.randrange(12, 25))
    trail.append(
        k.ct(
            rng,
            account,
            REGION,
            t1,
            ci,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": "tilepress-cache-purge",
                "s3Bucket": f"tilepress-artifacts-{account}",
                "s3Key": f"cache-purge/{k.hexs(rng, 40)}.zip",
                "publish": True,
            },
            {
                "functionName": "tilepress-cache-purge",
                "runtime": "nodejs20.x",
                "version": str(rng.randrange(20, 60)),
                "state": "Active",
                "lastUpdateStatus": "InProgress",
            },
            agent="aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/lambda#1.54.0",
        )
    )
    t2 = onset + timedelta(minutes=rng.randrange(8, 20))
    trail.append(
        k.ct(
            rng,
            account,
            REGION,
            t2,
            drift,
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            {
                "queueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/tilepress-style-invalidations",
                "attributes": {"MessageRetentionPeriod": "345600"},
            },
            None,
            agent=k.TF_UA.format(api="sqs", ver="1.31.4"),
        )
    )
    trail = k.sort_by_time([r for r in trail if r["eventTime"] <= k.iso(now)], "eventTime")

    # ------------------------------------------------------------ resources
    alive = [f for f in fleet if f["term"] is None]
    res: list[dict[str, Any]] = [
        {"service": "autoscaling", "type": "AutoScalingGroup", "item": {
            "AutoScalingGroupName": asg, "AutoScalingGroupARN": asg_arn,
            "MixedInstancesPolicy": {
                "LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": lt_id, "LaunchTemplateName": "tilepress-render", "Version": lt_ver},
                                   "Overrides": [{"InstanceType": x} for x in types]},
                "InstancesDistribution": {"OnDemandBaseCapacity": 0, "OnDemandPercentageAboveBaseCapacity": 0, "SpotAllocationStrategy": "price-capacity-optimized"},
            },
            "MinSize": desired, "MaxSize": desired * 3, "DesiredCapacity": desired, "DefaultCooldown": 300,
            "AvailabilityZones": [s[1] for s in subnets], "LoadBalancerNames": [], "TargetGroupARNs": [],
            "HealthCheckType": "EC2", "HealthCheckGracePeriod": 300,
            "Instances": [{"InstanceId": f["id"], "InstanceType": f["type"], "AvailabilityZone": subnets[f["az"]][1], "LifecycleState": "InService", "HealthStatus": "Healthy",
                           "LaunchTemplate": {"LaunchTemplateId": lt_id, "LaunchTemplateName": "tilepress-render", "Version": lt_ver}, "ProtectedFromScaleIn": False} for f in alive],
            "CreatedTime": k.iso(day - timedelta(days=300)), "VPCZoneIdentifier": ",".join(s[0] for s in subnets),
            "EnabledMetrics": [{"Metric": m, "Granularity": "1Minute"} for m in ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances")],
            "Tags": [], "TerminationPolicies": ["Default"], "NewInstancesProtectedFromScaleIn": False, "CapacityRebalance": True,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        }},
        {"service": "sqs", "type": "Queue", "item": {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{queue}",
            "Attributes": {"QueueArn": f"arn:aws:sqs:{REGION}:{account}:{queue}", "VisibilityTimeout": "300", "MessageRetentionPeriod": "345600",
                           "RedrivePolicy": json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{account}:{dlq}", "maxReceiveCount": 5}),
                           "ReceiveMessageWaitTimeSeconds": "20", "CreatedTimestamp": str(int((day - timedelta(days=400)).timestamp()))},
            "Tags": {"service": "tilepress-render"},
        }},
        {"service": "sqs", "type": "Queue", "item": {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{dlq}",
            "Attributes": {"QueueArn": f"arn:aws:sqs:{REGION}:{account}:{dlq}", "MessageRetentionPeriod": "1209600", "VisibilityTimeout": "30"},
            "Tags": {"service": "tilepress-render"},
        }},
        {"service": "ec2", "type": "SecurityGroup", "item": {
            "Description": "render workers", "GroupName": sg[1], "IpPermissions": [], "OwnerId": account, "GroupId": sg[0],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}], "VpcId": vpc,
        }},
        {"service": "ec2", "type": "LaunchTemplate", "item": {
            "LaunchTemplateId": lt_id, "LaunchTemplateName": "tilepress-render", "CreateTime": k.iso(day - timedelta(days=300)),
            "CreatedBy": f"arn:aws:sts::{account}:assumed-role/terraform-apply/atlantis", "DefaultVersionNumber": int(lt_ver), "LatestVersionNumber": int(lt_ver),
        }},
    ]  # fmt: skip
    for f in alive:
        res.append(
            {"service": "ec2", "type": "Instance", "item": k.instance_item(
                rng, f["id"], f["type"], ami, subnets[f["az"]][0], vpc, subnets[f["az"]][1], f["ip"], sg,
                f"arn:aws:iam::{account}:instance-profile/tilepress-render", f["launch"],
                {"Name": "tilepress-render", "service": "tilepress-render"}, (lt_id, asg, lt_ver), REGION, lifecycle="spot")}
        )  # fmt: skip
        res.append(
            {"service": "ec2", "type": "InstanceStatus", "item": k.status_item(f["id"], subnets[f["az"]][1])}
        )
    events = [{"source": "autoscaling", "item": a} for a in activities if a["StartTime"] <= k.iso(now)]

    # ------------------------------------------------------------ logs
    logs: list[dict[str, Any]] = []
    lg = "/tilepress/render-worker"
    for f in fleet:
        lo = max(f["launch"] + (boot if f in replacements else timedelta(0)), fine_from)
        hi = f["term"] or now
        tl = lo
        while tl < hi:
            z = rng.randrange(9, 16)
            msg = {
                "level": "info",
                "time": k.iso(tl),
                "msg": "job done",
                "job": f"rj_{k.hexs(rng, 12)}",
                "style": rng.choice(["streets-v4", "outdoors-v2", "dark-v3"]),
                "z": z,
                "tiles": rng.randrange(16, 257),
                "ms": rng.randrange(900, 6500),
            }
            logs.append(
                {"log_group": lg, "log_stream": f["id"], "timestamp": k.ms(tl), "message": json.dumps(msg)}
            )
            if rng.random() < 0.01:
                logs.append(
                    {
                        "log_group": lg,
                        "log_stream": f["id"],
                        "timestamp": k.ms(tl) + 7,
                        "message": json.dumps(
                            {
                                "level": "warn",
                                "time": k.iso(tl),
                                "msg": "font glyph range missing, using fallback",
                                "range": "65024-65279",
                            }
                        ),
                    }
                )
            tl += timedelta(seconds=rng.randrange(15, 45))
        if f in victims:
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f["id"],
                    "timestamp": k.ms(rebalance_t + timedelta(seconds=30)),
                    "message": json.dumps(
                        {
                            "level": "warn",
                            "time": k.iso(rebalance_t + timedelta(seconds=30)),
                            "msg": "IMDS: rebalance recommendation received",
                            "noticeTime": k.iso(rebalance_t),
                        }
                    ),
                }
            )
            ts = f["term"] - timedelta(seconds=100)
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f["id"],
                    "timestamp": k.ms(ts),
                    "message": json.dumps(
                        {
                            "level": "warn",
                            "time": k.iso(ts),
                            "msg": "IMDS: spot instance-action terminate, draining",
                            "action": "terminate",
                            "inFlight": 6,
                        }
                    ),
                }
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f["id"],
                    "timestamp": k.ms(ts) + 2100,
                    "message": json.dumps(
                        {
                            "level": "info",
                            "time": k.iso(ts),
                            "msg": "stopped receiving; in-flight jobs will return to the queue after visibility timeout",
                            "released": 6,
                        }
                    ),
                }
            )
        if f in replacements:
            b = f["launch"] + boot - timedelta(seconds=20)
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f["id"],
                    "timestamp": k.ms(b),
                    "message": json.dumps(
                        {
                            "level": "info",
                            "time": k.iso(b),
                            "msg": "render-worker 3.14.2 starting",
                            "concurrency": 6,
                            "queue": queue,
                        }
                    ),
                }
            )
    logs.sort(key=lambda e: (str(e["log_stream"]), int(e["timestamp"])))

    local_alarm = first[0] - timedelta(hours=4)
    question = (
        f"Got paged at {local_alarm.strftime('%I:%M').lstrip('0')}am for tilepress-render-inservice-low, it cleared by itself a few minutes later. "
        "Do I need to do anything, and did we lose any render jobs?"
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
            "trigger": {"question": question, "alarm_event": alarm_evt, "timezone": TZ},
            "truth": {"no_fault": True},
        }
    )
    hist_sorted = sorted(hist, key=lambda h: str(h["Timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": hist_sorted,
            "logs": logs,
            "cloudtrail": trail,
            "resources": res,
            "events": events,
        },
    )
