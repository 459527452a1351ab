"""A shared Terraform ALB module upgrade sets the load balancer's idle timeout back to 60 s; the
carrier scorecard export, which routinely runs 1-3 minutes before sending a byte, now gets 504s
from the load balancer itself while the targets stay healthy and keep answering 200."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_i import (
    Kit,
    diurnal,
    instance_item,
    instance_status,
    iso,
    minutes,
    security_group,
    tcp_from,
)

NAME = "alb-idle-timeout-export-504"
TITLE = "Portal ALB returning 504s on report exports"
SUMMARY = (
    "A Terraform module bump lowered the public ALB's idle_timeout from 300 s to 60 s; "
    "scorecard exports longer than a minute now get ELB 504s while targets stay healthy."
)


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region=["us-east-2", "us-east-1", "us-west-2"][seed % 3])
    rng = kit.rng
    brand = rng.choice(["haulwise", "lanebridge", "freightory"])
    short = brand[:2]
    tz_off = {"us-east-2": -5, "us-east-1": -4, "us-west-2": -7}[kit.region]

    day = datetime(2024, 1, 8, tzinfo=UTC) + timedelta(days=7 * rng.randint(0, 40) + rng.randint(0, 3))
    onset = day + timedelta(hours=15 + rng.randint(0, 4) - tz_off - 3, minutes=rng.randint(0, 59))
    onset = onset.replace(second=rng.randint(3, 55))
    start = (onset - timedelta(hours=4, minutes=rng.randint(0, 50))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(38, 55))).replace(second=0)
    azs = [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"]

    # --- resources ---------------------------------------------------------------------------------
    vpc = kit.rid("vpc")
    subnets = [kit.rid("subnet") for _ in azs]
    pub_subnets = [kit.rid("subnet") for _ in azs]
    alb_sg, app_sg = kit.rid("sg"), kit.rid("sg")
    lb_name = f"{short}-portal-public"
    lb_hex = kit.hex(16)
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_name = f"{short}-portal-api-8080"
    tg_hex = kit.hex(16)
    tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
    ops_tg_name = f"{short}-ops-console"
    ops_hex = kit.hex(16)
    ops_tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{ops_tg_name}/{ops_hex}")
    ops_dim = f"targetgroup/{ops_tg_name}/{ops_hex}"
    asg = f"{short}-portal-api-asg"
    n_inst = rng.choice([3, 4, 4, 5])
    ami = "ami-0" + kit.hex(16)
    insts = [kit.iid() for _ in range(n_inst)]
    ops_inst = kit.iid()
    fx_fn = f"{brand}-fx-rates-sync"

    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randint(100000000, 999999999)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": {
                "us-east-2": "Z3AADJGX6KTTL2",
                "us-east-1": "Z35SXDOTRQ7X7K",
                "us-west-2": "Z1H1FL5HABSF5",
            }[kit.region],
            "CreatedTime": iso(start - timedelta(days=611)),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": z, "SubnetId": s, "LoadBalancerAddresses": []}
                for z, s in zip(azs, pub_subnets, strict=True)
            ],
            "SecurityGroups": [alb_sg],
            "IpAddressType": "ipv4",
        },
    )
    for arn, name, port, path in (
        (tg_arn, tg_name, 8080, "/actuator/health"),
        (ops_tg_arn, ops_tg_name, 3000, "/healthz"),
    ):
        kit.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": arn,
                "TargetGroupName": name,
                "Protocol": "HTTP",
                "Port": port,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15 if port == 8080 else 30,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": path,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "instance",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    kit.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": kit.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{kit.hex(16)}"),
            "LoadBalancerArn": lb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": kit.arn("acm", f"certificate/{kit.uuid()}")}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn, "Order": 1}],
        },
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        security_group(
            kit,
            alb_sg,
            f"{short}-portal-alb",
            "public ALB",
            vpc,
            [tcp_from(443, cidr="0.0.0.0/0"), tcp_from(80, cidr="0.0.0.0/0")],
        ),
    )
    kit.res(
        "ec2",
        "SecurityGroup",
        security_group(
            kit,
            app_sg,
            f"{short}-portal-api",
            "portal api instances",
            vpc,
            [tcp_from(8080, group=alb_sg, kit=kit), tcp_from(3000, group=alb_sg, kit=kit)],
        ),
    )
    for i, iid in enumerate(insts):
        az = azs[i % 3]
        kit.res(
            "ec2",
            "Instance",
            instance_item(
                kit,
                iid,
                itype="m6i.xlarge",
                ami=ami,
                az=az,
                subnet=subnets[i % 3],
                vpc=vpc,
                sgs=[(app_sg, f"{short}-portal-api")],
                launched=start - timedelta(days=rng.randint(2, 9), hours=i),
                name=f"{short}-portal-api",
                profile=f"{short}-portal-api",
                asg=asg,
            ),
        )
        kit.res("ec2", "InstanceStatus", instance_status(iid, az))
    kit.res(
        "ec2",
        "Instance",
        instance_item(
            kit,
            ops_inst,
            itype="t3.medium",
            ami=ami,
            az=azs[0],
            subnet=subnets[0],
            vpc=vpc,
            sgs=[(app_sg, f"{short}-portal-api")],
            launched=start - timedelta(days=83),
            name=f"{short}-ops-console",
            profile=f"{short}-ops-console",
        ),
    )
    kit.res("ec2", "InstanceStatus", instance_status(ops_inst, azs[0]))
    kit.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": kit.arn(
                "autoscaling", f"autoScalingGroup:{kit.uuid()}:autoScalingGroupName/{asg}"
            ),
            "LaunchTemplate": {
                "LaunchTemplateId": "lt-0" + kit.hex(16),
                "LaunchTemplateName": f"{short}-portal-api",
                "Version": "$Latest",
            },
            "MinSize": n_inst,
            "MaxSize": 10,
            "DesiredCapacity": n_inst,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [tg_arn],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 180,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "m6i.xlarge",
                    "AvailabilityZone": azs[i % 3],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {
                        "LaunchTemplateId": "lt-0" + kit.hex(16),
                        "LaunchTemplateName": f"{short}-portal-api",
                        "Version": "14",
                    },
                    "ProtectedFromScaleIn": False,
                }
                for i, iid in enumerate(insts)
            ],
            "CreatedTime": iso(start - timedelta(days=611)),
            "VPCZoneIdentifier": ",".join(subnets),
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling",
        },
    )
    fx_arn = kit.arn("lambda", f"function:{fx_fn}")
    kit.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fx_fn,
            "FunctionArn": fx_arn,
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{kit.account}:role/{fx_fn}-role",
            "Handler": "app.handler",
            "CodeSize": 48213,
            "Description": "pulls ECB/BoC reference rates every 15 min",
            "Timeout": 60,
            "MemorySize": 256,
            "LastModified": (onset - timedelta(minutes=17)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": kit.upper(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            + "=",
            "Version": "$LATEST",
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": kit.uuid(),
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fx_fn}"},
        },
    )
    app_group = f"/{brand}/portal-api"
    kit.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": app_group,
            "creationTime": int((start - timedelta(days=600)).timestamp() * 1000),
            "retentionInDays": 30,
            "metricFilterCount": 0,
            "arn": kit.arn("logs", f"log-group:{app_group}:*"),
            "storedBytes": 81234567890,
        },
    )

    # --- traffic model -----------------------------------------------------------------------------
    mins = minutes(start, now)
    base_rpm = rng.uniform(1800, 3200)
    export_rate = rng.uniform(5.0, 8.0)  # scorecard exports a minute at the peak
    req: dict[datetime, float | None] = {}
    t2xx: dict[datetime, float | None] = {}
    t4xx: dict[datetime, float | None] = {}
    t5xx: dict[datetime, float | None] = {}
    e5xx: dict[datetime, float | None] = {}
    e504: dict[datetime, float | None] = {}
    e4xx: dict[datetime, float | None] = {}
    lat: dict[datetime, Any] = {}
    active: dict[datetime, float | None] = {}
    newconn: dict[datetime, float | None] = {}
    long_calls: list[tuple[datetime, float, bool]] = []  # (start, duration, cut by the LB)
    for t in mins:
        shape = diurnal(t, tz_off)
        n = kit.noise(base_rpm * shape, 0.06)
        exports = rng.betavariate(2, 2) * 2 * export_rate * shape
        k = int(exports) + (1 if rng.random() < exports - int(exports) else 0)
        cut = 0
        durations = []
        for _ in range(k):
            d = min(240.0, rng.lognormvariate(4.05, 0.55))
            s = t + timedelta(seconds=rng.uniform(0, 59))
            lb_cut = s >= onset and d > 60
            long_calls.append((s, d, lb_cut))
            if lb_cut:
                cut += 1
            else:
                durations.append(d)
        # retries: a user whose export failed tries again within a couple of minutes
        if t >= onset:
            n += cut * 0.6
        t5 = rng.choice([0, 0, 0, 0, 0, 0, 1]) if rng.random() < 0.3 else 0
        t4 = n * rng.uniform(0.008, 0.014)
        e4 = rng.choice([0, 0, 0, 1, 2]) if rng.random() < 0.4 else 0
        req[t] = round(n)
        e504[t] = cut
        e5xx[t] = cut
        e4xx[t] = e4
        t5xx[t] = t5
        t4xx[t] = round(t4)
        t2xx[t] = round(n - t4 - t5 - cut - e4)
        values, counts = kit.latency(n - cut, rng.uniform(0.085, 0.11), 0.5)
        for d in durations:
            values.append(round(d, 3))
            counts.append(1.0)
        lat[t] = (values, counts)
        active[t] = round(n * 0.42 + rng.uniform(-20, 20))
        newconn[t] = round(n * 0.31 + rng.uniform(-15, 15))

    ns = "AWS/ApplicationELB"
    lb = {"LoadBalancer": lb_dim}
    tg = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    kit.emit(ns, "RequestCount", lb, "Count", req)
    kit.emit(ns, "RequestCount", tg, "Count", req)
    kit.emit(ns, "HTTPCode_Target_2XX_Count", lb, "Count", t2xx, sparse=True)
    kit.emit(ns, "HTTPCode_Target_2XX_Count", tg, "Count", t2xx, sparse=True)
    kit.emit(ns, "HTTPCode_Target_4XX_Count", lb, "Count", t4xx, sparse=True)
    kit.emit(ns, "HTTPCode_Target_4XX_Count", tg, "Count", t4xx, sparse=True)
    kit.emit(ns, "HTTPCode_Target_5XX_Count", lb, "Count", t5xx, sparse=True)
    kit.emit(ns, "HTTPCode_Target_5XX_Count", tg, "Count", t5xx, sparse=True)
    kit.emit(ns, "HTTPCode_ELB_5XX_Count", lb, "Count", e5xx, sparse=True)
    kit.emit(ns, "HTTPCode_ELB_504_Count", lb, "Count", e504, sparse=True)
    kit.emit(ns, "HTTPCode_ELB_4XX_Count", lb, "Count", e4xx, sparse=True)
    kit.emit_dist(ns, "TargetResponseTime", lb, "Seconds", lat)
    kit.emit_dist(ns, "TargetResponseTime", tg, "Seconds", lat)
    kit.emit(ns, "ActiveConnectionCount", lb, "Count", active)
    kit.emit(ns, "NewConnectionCount", lb, "Count", newconn)
    kit.emit(ns, "HealthyHostCount", tg, "Count", {t: float(n_inst) for t in mins}, how="avg")
    kit.emit(ns, "UnHealthyHostCount", tg, "Count", {t: 0.0 for t in mins}, how="avg")
    ops = {"TargetGroup": ops_dim, "LoadBalancer": lb_dim}
    kit.emit(ns, "RequestCount", ops, "Count", {t: float(rng.randint(2, 14)) for t in mins}, sparse=True)
    kit.emit(ns, "HealthyHostCount", ops, "Count", {t: 1.0 for t in mins}, how="avg")
    kit.emit(ns, "UnHealthyHostCount", ops, "Count", {t: 0.0 for t in mins}, how="avg")
    for iid in insts:
        cpu = {t: kit.noise(14 + 30 * diurnal(t, tz_off), 0.1) for t in mins}
        kit.emit("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu, how="avg")
        kit.emit(
            "AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", {t: 0.0 for t in mins}, how="avg"
        )
    kit.emit(
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": ops_inst},
        "Percent",
        {t: kit.noise(6, 0.2) for t in mins},
        how="avg",
    )
    kit.emit(
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg},
        "Percent",
        {t: kit.noise(14 + 30 * diurnal(t, tz_off), 0.05) for t in mins},
        how="avg",
    )
    fx_runs = [t for t in mins if t.minute % 15 == 0]
    fxd = {"FunctionName": fx_fn}
    kit.emit("AWS/Lambda", "Invocations", fxd, "Count", {t: 1.0 for t in fx_runs})
    kit.emit("AWS/Lambda", "Errors", fxd, "Count", {t: 0.0 for t in fx_runs})
    kit.emit(
        "AWS/Lambda", "Duration", fxd, "Milliseconds", {t: rng.uniform(900, 2600) for t in fx_runs}, how="avg"
    )

    # --- logs --------------------------------------------------------------------------------------
    paths = [
        "GET /v2/lanes/search",
        "GET /v2/quotes/{id}",
        "POST /v2/quotes",
        "GET /v2/carriers/{id}/rates",
        "GET /v2/shipments",
        "POST /v2/tenders",
        "GET /v2/me",
    ]
    for t in mins:
        for iid in insts:
            stream = f"{iid}/application.log"
            for _ in range(rng.randint(1, 3)):
                s = t + timedelta(seconds=rng.uniform(0, 59.9))
                p = rng.choice(paths)
                kit.log(
                    app_group,
                    stream,
                    s,
                    f"{s:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}  INFO 1 --- [nio-8080-exec-{rng.randint(1, 200)}] "
                    f"c.{short}.portal.web.AccessLogFilter       : {p} 200 {int(rng.lognormvariate(4.4, 0.5))}ms",
                )
        if rng.random() < 0.03:
            iid = rng.choice(insts)
            s = t + timedelta(seconds=rng.uniform(0, 59))
            kit.log(
                app_group,
                f"{iid}/application.log",
                s,
                f"{s:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}  WARN 1 --- [   scheduling-1] "
                "com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Thread starvation or clock leap "
                f"detected (housekeeper delta={rng.randint(61, 75)}s{rng.randint(100, 999)}ms).",
            )
        if rng.random() < 0.02:
            iid = rng.choice(insts)
            s = t + timedelta(seconds=rng.uniform(0, 59))
            kit.log(
                app_group,
                f"{iid}/application.log",
                s,
                f"{s:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}  WARN 1 --- [nio-8080-exec-{rng.randint(1, 200)}] "
                f"c.{short}.portal.rates.CarrierRateClient  : carrier rate API slow: SCAC={rng.choice(['ODFL', 'XPOL', 'SAIA', 'RDWY'])} "
                f"took {rng.randint(2100, 4800)}ms (budget 2000ms), serving cached rates",
            )
    for s, d, lb_cut in long_calls:
        iid = rng.choice(insts)
        stream = f"{iid}/application.log"
        end = s + timedelta(seconds=d)
        thread = f"nio-8080-exec-{rng.randint(1, 200)}"
        rid = kit.hex(16)
        kit.log(
            app_group,
            stream,
            s + timedelta(milliseconds=40),
            f"{s:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}  INFO 1 --- [{thread}] "
            f"c.{short}.portal.reports.ScorecardExporter : export {rid} started: tenant={rng.randint(1000, 9999)} "
            f"carriers={rng.randint(40, 900)} range=P{rng.choice([30, 90, 180, 365])}D format=xlsx",
        )
        if lb_cut:
            kit.log(
                app_group,
                stream,
                end,
                f"{end:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}  WARN 1 --- [{thread}] "
                "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] "
                "threw exception\norg.apache.catalina.connector.ClientAbortException: java.io.IOException: "
                "Broken pipe\n\tat org.apache.catalina.connector.OutputBuffer.realWriteBytes(OutputBuffer.java:310)"
                "\n\tat org.apache.catalina.connector.OutputBuffer.flushByteBuffer(OutputBuffer.java:741)"
                "\n\tat org.apache.catalina.connector.OutputBuffer.doFlush(OutputBuffer.java:276)"
                "\n\tat org.springframework.util.StreamUtils.copy(StreamUtils.java:148)"
                f"\n\tat com.{short}.portal.reports.ScorecardController.export(ScorecardController.java:88)"
                "\nCaused by: java.io.IOException: Broken pipe\n\tat java.base/sun.nio.ch.SocketDispatcher.write0"
                "(Native Method)\n\t... 58 common frames omitted",
            )
        kit.log(
            app_group,
            stream,
            end + timedelta(milliseconds=5),
            f"{end:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d}  INFO 1 --- [{thread}] "
            f"c.{short}.portal.web.AccessLogFilter       : POST /v2/reports/carrier-scorecard/export 200 {int(d * 1000)}ms",
        )
    for t in fx_runs:
        rid = kit.uuid()
        lg = f"/aws/lambda/{fx_fn}"
        stream = f"{t:%Y/%m/%d}/[$LATEST]{kit.hex(32)}"
        kit.log(lg, stream, t + timedelta(seconds=1), f"START RequestId: {rid} Version: $LATEST\n")
        kit.log(
            lg,
            stream,
            t + timedelta(seconds=2),
            f"[INFO]\t{iso(t)}\t{rid}\tfetched 31 ECB rates, 27 BoC rates\n",
        )
        dur = rng.uniform(900, 2600)
        kit.log(lg, stream, t + timedelta(seconds=3), f"END RequestId: {rid}\n")
        kit.log(
            lg,
            stream,
            t + timedelta(seconds=3),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
            f"Memory Size: 256 MB\tMax Memory Used: {rng.randint(78, 96)} MB\t\n",
        )

    # --- CloudTrail --------------------------------------------------------------------------------
    people = [
        kit.sso(f"{u}@{brand}.com", ps, start - timedelta(hours=rng.randint(1, 3)))
        for u, ps in (
            ("marisol.ortega", "PlatformEngineer"),
            ("kwame.asante", "Developer"),
            ("lena.fischer", "ReadOnly"),
        )
    ]
    kit.routine_trail(start, now, 34, people)
    tf = kit.role(
        "gha-terraform-apply",
        "GitHubActions",
        onset - timedelta(minutes=4),
        web_identity="token.actions.githubusercontent.com",
    )
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux "
        "lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/elasticloadbalancingv2#1.30.5"
    )
    runner_ip = f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    apply_at = onset - timedelta(seconds=rng.randint(8, 25))
    # terraform refresh: reads
    refresh: list[tuple[str, dict[str, Any]]] = [
        ("DescribeLoadBalancers", {"names": [lb_name]}),
        ("DescribeLoadBalancerAttributes", {"loadBalancerArn": lb_arn}),
        ("DescribeTags", {"resourceArns": [lb_arn]}),
        ("DescribeTargetGroups", {"targetGroupArns": [tg_arn]}),
        ("DescribeTargetGroupAttributes", {"targetGroupArn": tg_arn}),
        ("DescribeListeners", {"loadBalancerArn": lb_arn}),
        ("DescribeTargetGroups", {"targetGroupArns": [ops_tg_arn]}),
    ]
    for i, (name, params) in enumerate(refresh):
        kit.ct(
            apply_at - timedelta(seconds=95 - i * 6),
            tf,
            "elasticloadbalancing.amazonaws.com",
            name,
            params,
            read_only=True,
            ip=runner_ip,
            agent=tf_agent,
        )
    kit.ct(
        apply_at - timedelta(seconds=40),
        tf,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": ops_tg_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}],
        },
        {
            "attributes": [
                {"key": "deregistration_delay.timeout_seconds", "value": "30"},
                {"key": "stickiness.enabled", "value": "false"},
                {"key": "load_balancing.algorithm.type", "value": "round_robin"},
                {"key": "slow_start.duration_seconds", "value": "0"},
            ]
        },
        ip=runner_ip,
        agent=tf_agent,
    )
    attrs_after = [
        {"key": "idle_timeout.timeout_seconds", "value": "60"},
        {"key": "routing.http.drop_invalid_header_fields.enabled", "value": "true"},
        {"key": "deletion_protection.enabled", "value": "true"},
        {"key": "access_logs.s3.enabled", "value": "true"},
        {"key": "access_logs.s3.bucket", "value": f"{brand}-elb-logs-{kit.account}"},
        {"key": "access_logs.s3.prefix", "value": "portal-public"},
        {"key": "routing.http2.enabled", "value": "true"},
        {"key": "routing.http.desync_mitigation_mode", "value": "defensive"},
        {"key": "routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "value": "false"},
        {"key": "routing.http.xff_client_port.enabled", "value": "false"},
        {"key": "routing.http.xff_header_processing.mode", "value": "append"},
        {"key": "waf.fail_open.enabled", "value": "false"},
        {"key": "client_keep_alive.seconds", "value": "3600"},
    ]
    culprit = kit.ct(
        apply_at,
        tf,
        "elasticloadbalancing.amazonaws.com",
        "ModifyLoadBalancerAttributes",
        {
            "loadBalancerArn": lb_arn,
            "attributes": [
                {"key": "idle_timeout.timeout_seconds", "value": "60"},
                {"key": "routing.http.drop_invalid_header_fields.enabled", "value": "true"},
            ],
        },
        {"attributes": attrs_after},
        ip=runner_ip,
        agent=tf_agent,
    )
    kit.ct(
        apply_at + timedelta(seconds=2),
        tf,
        "elasticloadbalancing.amazonaws.com",
        "DescribeLoadBalancerAttributes",
        {"loadBalancerArn": lb_arn},
        read_only=True,
        ip=runner_ip,
        agent=tf_agent,
    )
    kit.ct(
        apply_at + timedelta(seconds=4),
        tf,
        "elasticloadbalancing.amazonaws.com",
        "AddTags",
        {"resourceArns": [lb_arn], "tags": [{"key": "tf-module", "value": "alb-public/v3.2.0"}]},
        ip=runner_ip,
        agent=tf_agent,
    )
    # innocent changes nearby: the fx lambda deploy, a feature flag
    ci = kit.role(
        "gha-lambda-deploy",
        "GitHubActions",
        onset - timedelta(minutes=18),
        web_identity="token.actions.githubusercontent.com",
    )
    t_fx = onset - timedelta(minutes=17, seconds=rng.randint(0, 40))
    kit.ct(
        t_fx,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": fx_fn, "publish": False, "dryRun": False},
        {
            "functionName": fx_fn,
            "functionArn": fx_arn,
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeSize": 48213,
            "timeout": 60,
            "memorySize": 256,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": kit.uuid(),
        },
        ip=f"20.{rng.randint(20, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        agent="aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 command/lambda.update-function-code",
    )
    t_flag = onset + timedelta(minutes=rng.randint(6, 14), seconds=rng.randint(0, 59))
    kit.ct(
        t_flag,
        people[1],
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": f"/{brand}/portal/flags/lane-search-v2-ranking",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": rng.randint(3, 12), "tier": "Standard"},
        console=True,
    )
    kit.ct(
        onset - timedelta(minutes=rng.randint(9, 25)),
        people[0],
        "autoscaling.amazonaws.com",
        "DescribeAutoScalingGroups",
        {"autoScalingGroupNames": [asg]},
        read_only=True,
        console=True,
    )

    # target health: steady
    for iid in insts:
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 8080},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
    kit.event(
        "target_health",
        {
            "target_group_arn": ops_tg_arn,
            "target": {"Id": ops_inst, "Port": 3000},
            "health": {"State": "healthy"},
            "timestamp": iso(start),
        },
    )

    # --- alarms ------------------------------------------------------------------------------------
    topic = kit.arn("sns", f"{brand}-oncall-pager")
    trs = kit.alarm(
        f"{lb_name}-elb-5xx",
        ns,
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Sum",
        300,
        2,
        2,
        5.0,
        "GreaterThanThreshold",
        e5xx,
        start=start,
        now=now,
        actions=[topic],
        description="Load balancer generated 5xx on the public portal ALB",
    )
    kit.alarm(
        f"{tg_name}-target-5xx",
        ns,
        "HTTPCode_Target_5XX_Count",
        tg,
        "Sum",
        300,
        1,
        1,
        25.0,
        "GreaterThanThreshold",
        t5xx,
        start=start,
        now=now,
        actions=[topic],
        description="portal api returning 5xx",
    )
    kit.alarm(
        f"{tg_name}-unhealthy-hosts",
        ns,
        "UnHealthyHostCount",
        tg,
        "Maximum",
        60,
        3,
        3,
        0.0,
        "GreaterThanThreshold",
        {t: 0.0 for t in mins},
        start=start,
        now=now,
        actions=[topic],
        description="at least one portal api target failing health checks",
    )
    kit.alarm(
        f"{asg}-cpu-high",
        "AWS/EC2",
        "CPUUtilization",
        {"AutoScalingGroupName": asg},
        "Average",
        300,
        3,
        3,
        75.0,
        "GreaterThanThreshold",
        {t: 14 + 30 * diurnal(t, tz_off) for t in mins},
        start=start,
        now=now,
        description="portal api fleet CPU",
    )
    kit.alarm(
        f"{fx_fn}-errors",
        "AWS/Lambda",
        "Errors",
        fxd,
        "Sum",
        900,
        2,
        2,
        0.0,
        "GreaterThanThreshold",
        {t: 0.0 for t in fx_runs},
        start=start,
        now=now,
        description="fx rates sync failing",
    )
    fired = [tr for tr in trs if tr["new"] == "ALARM"]
    trigger: dict[str, Any] = {
        "alarm_event": kit.alarm_event(f"{lb_name}-elb-5xx", fired[0]) if fired else None
    }
    if not fired:
        trigger["question"] = "the portal ALB started throwing 5xx a bit ago, what's going on?"

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": lb_arn,
            "category": "change",
            "failure_mode": "alb-idle-timeout-lowered",
            "event_id": culprit["eventID"],
        },
        "also_accept": [lb_name, lb_dim],
        "actions": ["rollback", "reconfigure"],
        "chain": [
            f"ModifyLoadBalancerAttributes set idle_timeout.timeout_seconds to 60 on {lb_name}",
            "POST /v2/reports/carrier-scorecard/export takes over a minute before sending response headers",
            f"{lb_name} closes those connections at 60 s and answers 504 itself (HTTPCode_ELB_504_Count)",
            f"targets in {tg_name} stay healthy and finish the exports, logging broken pipes",
            f"alarm {lb_name}-elb-5xx fires",
        ],
    }
    return kit.bundle(TITLE, start, now, trigger, truth)
