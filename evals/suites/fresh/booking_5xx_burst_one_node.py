"""A worker node's root volume stops completing I/O; the node hangs, its pods and a CoreDNS replica go dark."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzn import Cluster, Kit, diurnal, iso, ms

NAME = "booking-5xx-burst-one-node"
TITLE = "Booking API 5xx and DNS timeouts for a few minutes early afternoon; alarm cleared on its own"
SUMMARY = (
    "One managed-node-group worker's root EBS volume stalled: XFS shut down, the node went NotReady and "
    "failed its instance status check; pods and a CoreDNS replica there timed out until the ASG replaced it."
)


def _zero(node: dict[str, Any], until: datetime, t: datetime) -> float | None:
    return None if t < node["launched"] + timedelta(minutes=3) or t > until else 0


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-southeast-2", datetime(2026, 5, 4, tzinfo=UTC), 3)
    rng = k.rng
    onset = k.t0 + timedelta(seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=rng.randint(8, 20))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(48, 70))).replace(second=0)
    end = now
    cname = rng.choice(["wattle-prod", "bluegum-prod", "saltbush-prod"])
    ns = "booking"
    c = Cluster(k, cname, ns, ["booking-api", "availability"], 6, "m6i.xlarge", start)
    bad = c.nodes[rng.randint(2, 4)]
    root_vol = "vol-0" + k.hex(16)
    hang = onset
    notready = hang + timedelta(seconds=rng.randint(40, 55))
    status_fail = hang.replace(second=0) + timedelta(minutes=rng.randint(3, 4))
    replaced = status_fail + timedelta(minutes=rng.randint(3, 5), seconds=rng.randint(0, 50))
    bad["gone_at"] = hang + timedelta(minutes=1)
    bad["state"] = "terminated"
    bad["reason"] = f"User initiated ({replaced + timedelta(seconds=5):%Y-%m-%d %H:%M:%S} GMT)"
    new = c.add_node(c.azs.index(bad["az"]), replaced + timedelta(seconds=20))

    # --- Auto Scaling replaces it -------------------------------------------------------------------
    asg_arn = k.arn("autoscaling", f"autoScalingGroup:{k.uid()}:autoScalingGroupName/{c.asg}")
    k.events.append(
        {
            "source": "autoscaling",
            "item": {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": c.asg,
                "Description": f"Terminating EC2 instance: {bad['id']}",
                "Cause": f"At {iso(replaced)} an instance was taken out of service in response to an EC2 instance status checks failure.",
                "StartTime": iso(replaced),
                "EndTime": iso(replaced + timedelta(minutes=1, seconds=12)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": bad["subnet"], "Availability Zone": bad["az"]}),
                "AutoScalingGroupARN": asg_arn,
            },
        }
    )
    k.events.append(
        {
            "source": "autoscaling",
            "item": {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": c.asg,
                "Description": f"Launching a new EC2 instance: {new['id']}",
                "Cause": (
                    f"At {iso(replaced + timedelta(seconds=9))} an instance was started in response to a difference between "
                    "desired and actual capacity, increasing the capacity from 5 to 6."
                ),
                "StartTime": iso(replaced + timedelta(seconds=10)),
                "EndTime": iso(replaced + timedelta(seconds=43)),
                "StatusCode": "Successful",
                "Progress": 100,
                "Details": json.dumps({"Subnet ID": new["subnet"], "Availability Zone": new["az"]}),
                "AutoScalingGroupARN": asg_arn,
            },
        }
    )
    asl: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"{k.upper_id('AROA', 17)}:AutoScaling",
        "arn": f"arn:aws:sts::{k.account}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling",
        "accountId": k.account,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": k.upper_id("AROA", 17),
                "arn": f"arn:aws:iam::{k.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "accountId": k.account,
                "userName": "AWSServiceRoleForAutoScaling",
            },
            "attributes": {"creationDate": "", "mfaAuthenticated": "false"},
        },
        "invokedBy": "autoscaling.amazonaws.com",
    }
    k.ct(
        replaced + timedelta(seconds=2),
        "ec2.amazonaws.com",
        "TerminateInstances",
        asl,
        {"instancesSet": {"items": [{"instanceId": bad["id"]}]}},
        {
            "requestId": k.uid(),
            "instancesSet": {
                "items": [
                    {
                        "instanceId": bad["id"],
                        "currentState": {"code": 32, "name": "shutting-down"},
                        "previousState": {"code": 16, "name": "running"},
                    }
                ]
            },
        },
        ip="autoscaling.amazonaws.com",
        agent="autoscaling.amazonaws.com",
    )
    k.ct(
        replaced + timedelta(seconds=11),
        "ec2.amazonaws.com",
        "RunInstances",
        asl,
        {
            "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
            "subnetId": new["subnet"],
            "launchTemplate": {"launchTemplateId": "lt-0" + k.hex(16), "version": "1"},
        },
        {
            "requestId": k.uid(),
            "reservationId": "r-0" + k.hex(16),
            "ownerId": k.account,
            "requesterId": "940372691376",
            "instancesSet": {
                "items": [
                    {
                        "instanceId": new["id"],
                        "instanceType": c.instance_type,
                        "privateIpAddress": new["ip"],
                        "subnetId": new["subnet"],
                        "instanceState": {"code": 0, "name": "pending"},
                    }
                ]
            },
        },
        ip="autoscaling.amazonaws.com",
        agent="autoscaling.amazonaws.com",
    )

    c.background(start, end)

    # --- innocent changes: an add-on update and a deploy earlier in the day ---------------------------
    eng = k.sso(
        f"{rng.choice(['priya.nair', 'ben.castle', 'hana.sato'])}@{cname.split('-')[0]}.com.au",
        "PlatformAdmin",
    )
    addon_at = onset - timedelta(minutes=rng.randint(45, 75))
    eng_ip = f"1.{rng.randint(120, 159)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    upd = k.uid()
    k.ct(
        addon_at,
        "eks.amazonaws.com",
        "UpdateAddon",
        eng,
        {
            "name": cname,
            "addonName": "aws-ebs-csi-driver",
            "addonVersion": "v1.30.0-eksbuild.1",
            "resolveConflicts": "PRESERVE",
        },
        {
            "update": {
                "id": upd,
                "status": "InProgress",
                "type": "AddonUpdate",
                "params": [
                    {"type": "AddonVersion", "value": "v1.30.0-eksbuild.1"},
                    {"type": "ResolveConflicts", "value": "PRESERVE"},
                ],
                "createdAt": iso(addon_at),
                "errors": [],
            }
        },
        ip=eng_ip,
        agent="aws-cli/2.15.40 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/eks.update-addon",
    )
    k.ct(
        addon_at + timedelta(minutes=2),
        "eks.amazonaws.com",
        "DescribeUpdate",
        eng,
        {"name": cname, "updateId": upd, "addonName": "aws-ebs-csi-driver"},
        None,
        read_only=True,
        ip=eng_ip,
        agent="aws-cli/2.15.40 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/eks.describe-update",
    )
    deploy = onset - timedelta(minutes=rng.randint(20, 35))
    ci = k.role_session("buildkite-deploy", f"buildkite-{rng.randint(10000, 99999)}")
    tag = f"4.{rng.randint(2, 9)}.{rng.randint(0, 20)}"
    k.ct(
        deploy,
        "ecr.amazonaws.com",
        "PutImage",
        ci,
        {"repositoryName": "availability", "imageTag": tag, "registryId": k.account},
        {
            "image": {
                "registryId": k.account,
                "repositoryName": "availability",
                "imageId": {"imageDigest": "sha256:" + k.hex(64), "imageTag": tag},
            }
        },
        ip=f"13.{rng.randint(200, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        agent="docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/6.1.0 os/linux arch/amd64",
    )

    # --- metrics -----------------------------------------------------------------------------------------
    share_bad = 1 / 6
    per_min: dict[datetime, tuple[int, int, int]] = {}

    def booking(t: datetime) -> tuple[int, int, int]:
        """(requests, target 5xx, elb 5xx)."""
        if t not in per_min:
            n = int(diurnal(t, 3, 150, 820) * rng.uniform(0.92, 1.08))
            e_t, e_elb = (1 if rng.random() < 0.1 else 0), (1 if rng.random() < 0.03 else 0)
            dt = (t - hang.replace(second=0)).total_seconds()
            if 0 <= dt <= 60:
                e_elb += int(n * share_bad * rng.uniform(0.7, 0.9))  # 504s from the hung pods
            elif 60 < dt <= 180:
                e_elb += int(n * share_bad * rng.uniform(0.1, 0.3))
            if 0 <= dt <= 240:
                e_t += int(n * rng.uniform(0.05, 0.09))  # DNS lookups through the dead CoreDNS replica
            per_min[t] = (n, e_t, e_elb)
        return per_min[t]

    lb = {"LoadBalancer": c.lb_dim}
    tg_b, tg_b_arn = c.tgs["booking-api"]
    tg_a, _ = c.tgs["availability"]
    tgd = {"TargetGroup": tg_b, "LoadBalancer": c.lb_dim}
    tga = {"TargetGroup": tg_a, "LoadBalancer": c.lb_dim}
    k.series("AWS/ApplicationELB", "RequestCount", tgd, "Count", start, end, lambda t: booking(t)[0])
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        start,
        end,
        lambda t: booking(t)[1] or None,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Count",
        start,
        end,
        lambda t: booking(t)[2] or None,
    )
    k.series(
        "AWS/ApplicationELB", "RequestCount", lb, "Count", start, end, lambda t: int(booking(t)[0] * 1.7)
    )
    k.series(
        "AWS/ApplicationELB", "RequestCount", tga, "Count", start, end, lambda t: int(booking(t)[0] * 0.7)
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tga,
        "Count",
        start,
        end,
        lambda t: (
            (int(booking(t)[1] * 0.6) or None)
            if hang <= t < hang + timedelta(minutes=4)
            else (1 if rng.random() < 0.05 else None)
        ),
    )

    def rt(t: datetime) -> tuple[float, float, float, float]:
        n = booking(t)[0]
        dt = (t - hang.replace(second=0)).total_seconds()
        avg = 0.09 * rng.uniform(0.9, 1.1) + (0.9 if 0 <= dt <= 240 else 0)
        return (n, n * avg, 0.004, 10.0 if 0 <= dt <= 240 else rng.uniform(0.5, 1.4))

    k.stat_series("AWS/ApplicationELB", "TargetResponseTime", tgd, "Seconds", start, end, rt)

    def healthy(total: int, t: datetime) -> float:
        if hang + timedelta(seconds=40) <= t < new["launched"] + timedelta(minutes=4):
            return total - 1
        return total

    def unhealthy(t: datetime) -> float:
        return 1 if hang + timedelta(seconds=40) <= t < notready + timedelta(minutes=1) else 0

    for dims, total in ((tgd, 6), (tga, 3)):
        k.series(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            dims,
            "Count",
            start,
            end,
            partial(healthy, total),
            digits=0,
        )
        k.series("AWS/ApplicationELB", "UnHealthyHostCount", dims, "Count", start, end, unhealthy, digits=0)

    # EC2 status checks and the root volume, as AWS publishes them
    for n in c.nodes:
        dims = {"InstanceId": n["id"]}
        alive_to = replaced + timedelta(minutes=1) if n is bad else end

        def sc(t: datetime, node: dict[str, Any] = n, until: datetime = alive_to) -> float | None:
            if t < node["launched"] + timedelta(minutes=3) or t > until:
                return None
            return 1 if node is bad and t >= status_fail else 0

        k.series("AWS/EC2", "StatusCheckFailed_Instance", dims, "Count", start, end, sc, digits=0)
        k.series(
            "AWS/EC2",
            "StatusCheckFailed_System",
            dims,
            "Count",
            start,
            end,
            partial(_zero, n, alive_to),
            digits=0,
        )
        k.series("AWS/EC2", "StatusCheckFailed", dims, "Count", start, end, sc, digits=0)
    vd = {"VolumeId": root_vol}
    k.series(
        "AWS/EBS",
        "VolumeStalledIOCheck",
        vd,
        "None",
        start,
        replaced,
        lambda t: 1 if t >= hang.replace(second=0) else 0,
        digits=0,
    )
    k.series(
        "AWS/EBS",
        "VolumeWriteOps",
        vd,
        "Count",
        start,
        replaced,
        lambda t: 0 if t >= hang.replace(second=0) + timedelta(minutes=1) else rng.randint(1800, 4200),
        digits=0,
    )
    k.series(
        "AWS/EBS",
        "VolumeReadOps",
        vd,
        "Count",
        start,
        replaced,
        lambda t: 0 if t >= hang.replace(second=0) + timedelta(minutes=1) else rng.randint(40, 400),
        digits=0,
    )
    k.series(
        "AWS/EBS",
        "VolumeQueueLength",
        vd,
        "Count",
        start,
        replaced,
        lambda t: rng.uniform(30, 34) if t >= hang.replace(second=0) else rng.uniform(0.01, 0.2),
        digits=3,
    )
    k.series(
        "AWS/EBS",
        "VolumeIdleTime",
        vd,
        "Seconds",
        start,
        replaced,
        lambda t: 0.0 if t >= hang.replace(second=0) else rng.uniform(48, 58),
    )

    c.node_metrics(
        start,
        end,
        lambda n, t: (
            diurnal(t, 3, 18, 46) * rng.uniform(0.85, 1.15) + (6 if n is not bad and t > notready else 0)
        ),
        lambda n, t: 49 + rng.uniform(-3, 3),
        lambda n, t: (
            16
            + int(n["id"][-2:], 16) % 4
            + (2 if n is not bad and t > notready + timedelta(minutes=5) else 0)
        ),
    )
    cdim = {"ClusterName": cname}
    k.series(
        "ContainerInsights",
        "cluster_node_count",
        cdim,
        "Count",
        start,
        end,
        lambda t: (
            6 if t < replaced + timedelta(minutes=1) or t >= new["launched"] + timedelta(minutes=2) else 5
        ),
        digits=0,
    )
    k.series(
        "ContainerInsights",
        "cluster_failed_node_count",
        cdim,
        "Count",
        start,
        end,
        lambda t: 1 if notready <= t < replaced + timedelta(minutes=1) else 0,
        digits=0,
    )
    for svc, cnt in (("booking-api", 6), ("availability", 3)):
        k.series(
            "ContainerInsights",
            "service_number_of_running_pods",
            {"ClusterName": cname, "Namespace": ns, "Service": svc},
            "Count",
            start,
            end,
            partial(healthy, cnt),
            digits=0,
        )
    k.series(
        "ContainerInsights",
        "service_number_of_running_pods",
        {"ClusterName": cname, "Namespace": "kube-system", "Service": "kube-dns"},
        "Count",
        start,
        end,
        lambda t: 1 if notready + timedelta(seconds=20) <= t < replaced + timedelta(minutes=2) else 2,
        digits=0,
    )

    # --- alarms --------------------------------------------------------------------------------------------
    topic = k.arn("sns", f"{cname}-alerts")
    f5 = hang.replace(second=0) + timedelta(minutes=2, seconds=rng.randint(15, 50))
    a_reason = "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (20.0) (minimum 2 datapoints for OK -> ALARM transition)."

    a = k.alarm(
        f"{cname}-booking-api-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        stat="Sum",
        threshold=20,
        op="GreaterThanThreshold",
        evals=2,
        topic=topic,
        transitions=[
            (f5, "ALARM", a_reason),
            (
                f5 + timedelta(minutes=rng.randint(4, 6)),
                "OK",
                "Threshold Crossed: 1 out of the last 2 datapoints [1.0] was not greater than the threshold (20.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )
    fn = notready.replace(second=0) + timedelta(minutes=2, seconds=rng.randint(5, 40))
    k.alarm(
        f"{cname}-failed-nodes",
        "ContainerInsights",
        "cluster_failed_node_count",
        cdim,
        stat="Maximum",
        threshold=0,
        op="GreaterThanThreshold",
        evals=2,
        topic=topic,
        transitions=[
            (
                fn,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints [1.0] were greater than the threshold (0.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                replaced + timedelta(minutes=2, seconds=40),
                "OK",
                "Threshold Crossed: 1 out of the last 2 datapoints [0.0] was not greater than the threshold (0.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )
    k.alarm(
        f"{cname}-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        stat="Sum",
        threshold=50,
        op="GreaterThanThreshold",
        evals=3,
        topic=topic,
    )
    k.alarm(
        f"{cname}-availability-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tga,
        stat="Sum",
        threshold=30,
        op="GreaterThanThreshold",
        evals=3,
        topic=topic,
    )
    flap = c.nodes[(c.nodes.index(bad) + 2) % 6]
    fc = start + timedelta(minutes=rng.randint(40, 90))
    k.alarm(
        f"{cname}-node-cpu-{flap['id']}",
        "ContainerInsights",
        "node_cpu_utilization",
        {"ClusterName": cname, "InstanceId": flap["id"], "NodeName": flap["dns"]},
        stat="Average",
        threshold=45,
        op="GreaterThanThreshold",
        evals=3,
        topic="",
        transitions=[
            (
                fc,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (45.0) (minimum 3 datapoints for OK -> ALARM transition).",
            ),
            (
                fc + timedelta(minutes=3),
                "OK",
                "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (45.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )

    # --- logs ------------------------------------------------------------------------------------------------
    host_group = f"/aws/containerinsights/{cname}/host"
    for n in c.nodes:
        t = max(start, n["launched"]) + timedelta(minutes=rng.randint(1, 40))
        stop = hang if n is bad else end
        while t < stop:
            k.log(
                host_group,
                f"{n['dns']}-host.messages",
                t,
                json.dumps(
                    {
                        "host": n["dns"].split(".")[0],
                        "ident": "systemd",
                        "message": rng.choice(
                            [
                                "Started Session of user root.",
                                "Starting Cleanup of Temporary Directories...",
                                "Started Cleanup of Temporary Directories.",
                                "Created slice User Slice of root.",
                            ]
                        ),
                    }
                ),
            )
            t += timedelta(minutes=rng.randint(20, 55))
    dev = "nvme0n1"
    kern = [
        (0, f"nvme nvme0: I/O {rng.randint(10, 120)} QID {rng.randint(1, 4)} timeout, aborting"),
        (0, f"nvme nvme0: I/O {rng.randint(10, 120)} QID {rng.randint(1, 4)} timeout, aborting"),
        (30, "nvme nvme0: Abort status: 0x0"),
        (
            31,
            f"blk_update_request: I/O error, dev {dev}, sector {rng.randint(10**6, 10**8)} op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0",
        ),
        (
            31,
            f'XFS ({dev}p1): metadata I/O error in "xfs_buf_ioend+0x{k.hex(3)}/0x{k.hex(3)} [xfs]" at daddr 0x{k.hex(6)} len 8 error 5',
        ),
        (32, f"XFS ({dev}p1): log I/O error -5"),
        (
            32,
            f"XFS ({dev}p1): Log I/O Error (0x2) detected at xlog_ioend_work+0x6e/0x70 [xfs] (fs/xfs/xfs_log.c:1297).  Shutting down filesystem.",
        ),
        (32, f"XFS ({dev}p1): Please unmount the filesystem and rectify the problem(s)"),
    ]
    for off, msg in kern:
        when = hang - timedelta(seconds=35) + timedelta(seconds=off)
        k.log(
            host_group,
            f"{bad['dns']}-host.dmesg",
            when,
            json.dumps({"host": bad["dns"].split(".")[0], "message": msg}),
        )
    k.log(
        host_group,
        f"{bad['dns']}-host.messages",
        hang - timedelta(seconds=2),
        json.dumps(
            {
                "host": bad["dns"].split(".")[0],
                "ident": "kubelet",
                "message": f'E{hang:%m%d %H:%M:%S}.{rng.randint(0, 999999):06d}    {rng.randint(2900, 3900)} kubelet_node_status.go:540] "Error updating node status, will retry" err="error getting node \\"{bad["dns"]}\\": Get \\"https://{c.oidc_id}.gr7.{k.region}.eks.amazonaws.com/api/v1/nodes/{bad["dns"]}?timeout=10s\\": context deadline exceeded"',
            }
        ),
    )

    booking_pods = [
        k.pod(
            ns,
            "booking-api",
            "5b8c7d9f6",
            "booking-api",
            f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/booking-api:7.2.4",
            c.nodes[i]["dns"],
            c.pod_ip(c.nodes[i]),
        )
        for i in range(6)
    ]
    for p in booking_pods:
        if p["node"] == bad["dns"]:
            continue
        t = start + timedelta(seconds=rng.randint(0, 200))
        while t < end:
            dt = (t - hang).total_seconds()
            if 0 <= dt <= 240 and rng.random() < 0.6:
                line = (
                    f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z ERROR 1 --- [nio-8080-exec-{rng.randint(1, 40)}] c.b.booking.AvailabilityClient : "
                    f'availability lookup failed: I/O error on GET request for "http://availability.{ns}.svc.cluster.local:8080/v1/slots": '
                    f"availability.{ns}.svc.cluster.local: Temporary failure in name resolution"
                )
            else:
                line = (
                    f"{t:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z  INFO 1 --- [nio-8080-exec-{rng.randint(1, 40)}] c.b.booking.BookingController : "
                    f"POST /v1/bookings 201 {rng.randint(40, 180)}ms"
                )
            k.container_log(cname, p["node"], p, t, line)
            t += timedelta(seconds=rng.randint(20, 60) if 0 <= dt <= 240 else rng.randint(120, 300))
    dns_pods = [
        k.pod(
            "kube-system",
            "coredns",
            "5d8b9cf7c6",
            "coredns",
            f"602401143452.dkr.ecr.{k.region}.amazonaws.com/eks/coredns:v1.11.1-eksbuild.9",
            node["dns"],
            c.pod_ip(node),
        )
        for node in (bad, c.nodes[(c.nodes.index(bad) + 3) % 6])
    ]
    for p in dns_pods:
        k.container_log(
            cname,
            p["node"],
            p,
            start + timedelta(minutes=rng.randint(1, 30)),
            "[INFO] plugin/reload: Running configuration SHA512 = " + k.hex(128),
        )
    for p in booking_pods:
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_b_arn,
                    "target": {"Id": p["ip"], "Port": 8080},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )
        if p["node"] == bad["dns"]:
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_b_arn,
                        "target": {"Id": p["ip"], "Port": 8080},
                        "health": {
                            "State": "unhealthy",
                            "Reason": "Target.Timeout",
                            "Description": "Request timed out",
                        },
                        "timestamp": iso(hang + timedelta(seconds=32)),
                    },
                }
            )
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_b_arn,
                        "target": {"Id": p["ip"], "Port": 8080},
                        "health": {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                        "timestamp": iso(notready + timedelta(seconds=15)),
                    },
                }
            )
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_b_arn,
                        "target": {"Id": p["ip"], "Port": 8080},
                        "health": {
                            "State": "unused",
                            "Reason": "Target.NotRegistered",
                            "Description": "Target is not registered to the target group",
                        },
                        "timestamp": iso(notready + timedelta(minutes=5, seconds=15)),
                    },
                }
            )
            nip = c.pod_ip(new)
            for st, off in (("initial", 0), ("healthy", 30)):
                h: dict[str, Any] = {"State": st}
                if st == "initial":
                    h.update(
                        {
                            "Reason": "Elb.RegistrationInProgress",
                            "Description": "Target registration is in progress",
                        }
                    )
                k.events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": tg_b_arn,
                            "target": {"Id": nip, "Port": 8080},
                            "health": h,
                            "timestamp": iso(new["launched"] + timedelta(minutes=3, seconds=off)),
                        },
                    }
                )

    c.emit_resources(now)
    event = k.alarm_event(a, f5, "OK", f5 - timedelta(days=9))
    event["detail"]["state"]["value"] = "ALARM"
    event["detail"]["state"]["reason"] = a_reason
    tz = ZoneInfo("Australia/Sydney")
    question = (
        (
            f"booking-api threw a bunch of 5xx around {hang.astimezone(tz):%-I:%M%p}, plus some 'name resolution' errors, "
            f"then the alarm cleared by itself. was it the availability deploy? can it happen again?"
        )
        .replace("AM", "am")
        .replace("PM", "pm")
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": "Australia/Sydney"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad["id"],
                    "category": "component_failure",
                    "failure_mode": "node-root-volume-io-stall",
                },
                "also_accept": [bad["dns"], root_vol],
                "actions": ["exclude", "restart"],
                "chain": [bad["id"], "coredns", "booking-api", tg_b.split("/")[1], c.lb_name],
            },
        }
    )
    recs = k.records()
    recs["cloudtrail"] = [r for r in recs["cloudtrail"] if r["eventTime"] <= iso(now)]
    recs["logs"] = [r for r in recs["logs"] if r["timestamp"] <= ms(now)]
    return Bundle(manifest, recs)
