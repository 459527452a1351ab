"""Room bookings fail for about a third of requests: network impairment in one Availability Zone."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzb as kz
from evals.suites.fresh._kit_zzb import Kit, iso

NAME = "bookings-failing-one-in-three-single-az"
TITLE = "Room bookings failing for roughly a third of attempts since early afternoon; booking-api was released at lunchtime"
SUMMARY = (
    "AWS reports packet loss in one Availability Zone: booking-api's Fargate tasks in that zone time out "
    "talking to the database and through the load balancer, so about a third of requests fail while the "
    "lunchtime release is innocent."
)

TZ = {
    "eu-west-1": "Europe/Lisbon",
    "us-east-1": "America/Toronto",
    "eu-central-1": "Europe/Vienna",
    "us-west-2": "America/Vancouver",
}


def build(seed: int) -> Bundle:
    k = Kit(seed + 9300)
    r = k.rng
    tz = TZ[k.region]
    zone = ZoneInfo(tz)
    onset = (k.day.replace(tzinfo=zone) + timedelta(hours=14, minutes=r.randrange(0, 70))).astimezone(kz.UTC)
    start = onset - timedelta(hours=3, minutes=r.randrange(35, 55))
    now = onset + timedelta(minutes=r.randrange(48, 62))
    t_deploy = onset - timedelta(minutes=r.randrange(42, 70))
    bad = r.randrange(3)
    org = r.choice(["roomly", "staybright", "hostelhub", "innfolio"])
    cluster = f"{org}-prod"
    net = kz.vpc(k, f"{org}-prod", r.randrange(16, 90))
    subnets = net["subnets"]
    az_ids = [rec["item"]["AvailabilityZoneId"] for rec in k.resources[1:4]]
    bad_az, bad_azid = k.azs[bad], az_ids[bad]
    created = k.day - timedelta(days=r.randrange(300, 800))

    # ---- resources ----------------------------------------------------------------------------------
    sg_task, sg_alb, sg_db = k.rid("sg"), k.rid("sg"), k.rid("sg")
    for sg, nm, perms in [
        (
            sg_task,
            "booking-tasks",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8000,
                    "ToPort": 8000,
                    "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": k.account}],
                }
            ],
        ),
        (
            sg_alb,
            "booking-alb",
            [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        ),
        (
            sg_db,
            "bookings-db",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "UserIdGroupPairs": [{"GroupId": sg_task, "UserId": k.account}],
                }
            ],
        ),
    ]:
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg,
                "GroupName": nm,
                "Description": nm,
                "VpcId": net["vpc"],
                "OwnerId": k.account,
                "IpPermissions": perms,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
    nats = []
    for i, az in enumerate(k.azs):
        nid = k.rid("nat")
        nats.append(nid)
        k.res(
            "ec2",
            "NatGateway",
            {
                "NatGatewayId": nid,
                "SubnetId": k.rid("subnet"),
                "VpcId": net["vpc"],
                "State": "available",
                "ConnectivityType": "public",
                "CreateTime": iso(created),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": k.rid("eipalloc"),
                        "NetworkInterfaceId": k.rid("eni"),
                        "PrivateIp": f"{net['base']}.{200 + i}.{r.randrange(4, 250)}",
                        "PublicIp": f"{r.randrange(3, 60)}.{r.randrange(1, 250)}.{r.randrange(1, 250)}.{r.randrange(1, 250)}",
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "Tags": [{"Key": "Name", "Value": f"{org}-prod-nat-{az[-1]}"}],
            },
        )
    alb_name = "booking-public"
    alb_arn = k.arn("elasticloadbalancing", f"loadbalancer/app/{alb_name}/{k.hx(16)}")
    tg_arn = k.arn("elasticloadbalancing", f"targetgroup/booking-api/{k.hx(16)}")
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{r.randrange(10**8, 10**9)}.{k.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": net["vpc"],
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": k.rid("subnet")} for az in k.azs],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "booking-api",
            "Protocol": "HTTP",
            "Port": 8000,
            "VpcId": net["vpc"],
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 30,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 5,
            "HealthCheckPath": "/health/live",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    db_cluster = "bookings-prod"
    db_host = f"{db_cluster}.cluster-{k.hx(12)}.{k.region}.rds.amazonaws.com"
    writer_az = (bad + r.choice([1, 2])) % 3
    k.res(
        "rds",
        "DBCluster",
        {
            "DBClusterIdentifier": db_cluster,
            "DBClusterArn": k.arn("rds", f"cluster:{db_cluster}"),
            "Engine": "aurora-postgresql",
            "EngineVersion": "15.6",
            "Status": "available",
            "Endpoint": db_host,
            "ReaderEndpoint": db_host.replace(".cluster-", ".cluster-ro-"),
            "Port": 5432,
            "MultiAZ": True,
            "AvailabilityZones": k.azs,
            "DBClusterMembers": [
                {
                    "DBInstanceIdentifier": f"{db_cluster}-1",
                    "IsClusterWriter": True,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
                {
                    "DBInstanceIdentifier": f"{db_cluster}-2",
                    "IsClusterWriter": False,
                    "DBClusterParameterGroupStatus": "in-sync",
                    "PromotionTier": 1,
                },
            ],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
            "ClusterCreateTime": iso(created),
            "StorageEncrypted": True,
        },
    )
    for n, az in (
        (1, k.azs[writer_az]),
        (2, k.azs[(writer_az + 1) % 3 if (writer_az + 1) % 3 != bad else (writer_az + 2) % 3]),
    ):
        k.res(
            "rds",
            "DBInstance",
            {
                "DBInstanceIdentifier": f"{db_cluster}-{n}",
                "DBInstanceClass": "db.r6g.large",
                "Engine": "aurora-postgresql",
                "DBInstanceStatus": "available",
                "AvailabilityZone": az,
                "DBClusterIdentifier": db_cluster,
                "MultiAZ": False,
                "PubliclyAccessible": False,
                "DBInstanceArn": k.arn("rds", f"db:{db_cluster}-{n}"),
                "InstanceCreateTime": iso(created),
            },
        )
    repo = f"{k.account}.dkr.ecr.{k.region}.amazonaws.com"
    rev = r.randrange(100, 300)
    img_new = f"{repo}/booking-api:{k.hx(7)}"
    td_new = kz.taskdef_item(
        k, "booking-api", rev, img_new, registered=t_deploy, port=8000, cpu="1024", memory="2048"
    )
    td_old = kz.taskdef_item(
        k,
        "booking-api",
        rev - 1,
        f"{repo}/booking-api:{k.hx(7)}",
        registered=k.day - timedelta(days=r.randrange(1, 6)),
        port=8000,
        cpu="1024",
        memory="2048",
    )
    td_av = kz.taskdef_item(
        k,
        "availability-api",
        r.randrange(40, 90),
        f"{repo}/availability-api:{k.hx(7)}",
        registered=k.day - timedelta(days=r.randrange(3, 30)),
        port=8000,
    )
    for td in (td_new, td_old, td_av):
        k.res("ecs", "TaskDefinition", td)
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": kz.cluster_arn(k, cluster),
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 12,
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
        },
    )
    bk_arn = k.arn("ecs", f"service/{cluster}/booking-api")
    k.res(
        "ecs",
        "Service",
        kz.service_item(
            k,
            cluster,
            "booking-api",
            td_new["taskDefinitionArn"],
            desired=9,
            running=9,
            created=created,
            dep_created=t_deploy,
            subnets=subnets,
            sgs=[sg_task],
            tg_arn=tg_arn,
            port=8000,
        ),
    )
    k.res(
        "ecs",
        "Service",
        kz.service_item(
            k,
            cluster,
            "availability-api",
            td_av["taskDefinitionArn"],
            desired=3,
            running=3,
            created=created,
            dep_created=k.day - timedelta(days=3),
            subnets=subnets,
            sgs=[sg_task],
        ),
    )
    tasks = []
    for i in range(9):
        azi = i % 3
        tid = k.hx(32)
        ip = f"{net['base']}.{16 * (azi + 1) + r.randrange(0, 15)}.{r.randrange(2, 250)}"
        tasks.append((tid, azi, ip))
        t_start = t_deploy + timedelta(seconds=r.randrange(40, 240))
        k.res(
            "ecs",
            "Task",
            {
                "taskArn": k.arn("ecs", f"task/{cluster}/{tid}"),
                "clusterArn": kz.cluster_arn(k, cluster),
                "taskDefinitionArn": td_new["taskDefinitionArn"],
                "lastStatus": "RUNNING",
                "desiredStatus": "RUNNING",
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "cpu": "1024",
                "memory": "2048",
                "availabilityZone": k.azs[azi],
                "group": "service:booking-api",
                "startedBy": "ecs-svc/" + str(r.randrange(10**18, 10**19)),
                "createdAt": iso(t_start - timedelta(seconds=40)),
                "startedAt": iso(t_start),
                "connectivity": "CONNECTED",
                "connectivityAt": iso(t_start - timedelta(seconds=35)),
                "healthStatus": "UNKNOWN",
                "version": 3,
                "containers": [
                    {
                        "containerArn": k.arn("ecs", f"container/{cluster}/{tid}/{k.uid()}"),
                        "taskArn": k.arn("ecs", f"task/{cluster}/{tid}"),
                        "name": "booking-api",
                        "image": img_new,
                        "lastStatus": "RUNNING",
                        "healthStatus": "UNKNOWN",
                        "networkInterfaces": [{"attachmentId": k.uid(), "privateIpv4Address": ip}],
                    }
                ],
                "attachments": [
                    {
                        "id": k.uid(),
                        "type": "ElasticNetworkInterface",
                        "status": "ATTACHED",
                        "details": [
                            {"name": "subnetId", "value": subnets[azi]},
                            {"name": "networkInterfaceId", "value": k.rid("eni")},
                            {"name": "privateIPv4Address", "value": ip},
                        ],
                    }
                ],
            },
        )

    # ---- target health timeline -------------------------------------------------------------------
    flaps = []  # (from, to) spans in which one target was unhealthy
    for _tid, azi, ip in tasks:
        tgt = {"Id": ip, "Port": 8000, "AvailabilityZone": k.azs[azi]}
        t0 = t_deploy + timedelta(minutes=2)
        k.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": iso(t0 - timedelta(seconds=60)),
            },
        )
        k.event(
            "target_health",
            {"target_group_arn": tg_arn, "target": tgt, "health": {"State": "healthy"}, "timestamp": iso(t0)},
        )
        if azi == bad:
            t = onset + timedelta(minutes=r.randrange(6, 20))
            while t < now - timedelta(minutes=4):
                k.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {
                            "State": "unhealthy",
                            "Reason": "Target.Timeout",
                            "Description": "Request timed out",
                        },
                        "timestamp": iso(t),
                    },
                )
                t_un = t
                t += timedelta(minutes=r.randrange(2, 6))
                flaps.append((t_un, t))
                if t >= now:
                    break
                k.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": tgt,
                        "health": {"State": "healthy"},
                        "timestamp": iso(t),
                    },
                )
                t += timedelta(minutes=r.randrange(6, 16))
    # the old revision's targets drained during the release
    for i in range(9):
        tgt = {
            "Id": f"{net['base']}.{16 * (i % 3 + 1) + r.randrange(0, 15)}.{r.randrange(2, 250)}",
            "Port": 8000,
            "AvailabilityZone": k.azs[i % 3],
        }
        k.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
        k.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
                "timestamp": iso(t_deploy + timedelta(minutes=4, seconds=r.randrange(0, 120))),
            },
        )
        k.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "unused",
                    "Reason": "Target.NotRegistered",
                    "Description": "Target is not registered to the target group",
                },
                "timestamp": iso(t_deploy + timedelta(minutes=10)),
            },
        )

    # ---- service events ------------------------------------------------------------------------------
    kz.svc_event(
        k,
        bk_arn,
        start + timedelta(minutes=r.randrange(5, 40)),
        "(service booking-api) has reached a steady state.",
    )
    kz.svc_event(
        k,
        bk_arn,
        t_deploy + timedelta(seconds=30),
        "(service booking-api) has started 9 tasks: " + " ".join(f"(task {t[0]})" for t in tasks) + ".",
    )
    kz.svc_event(
        k,
        bk_arn,
        t_deploy + timedelta(minutes=5),
        "(service booking-api) has stopped 9 running tasks: "
        + " ".join(f"(task {k.hx(32)})" for _ in range(9))
        + ".",
    )
    kz.svc_event(
        k, bk_arn, t_deploy + timedelta(minutes=11), "(service booking-api) has reached a steady state."
    )
    kz.svc_event(
        k,
        bk_arn,
        t_deploy + timedelta(minutes=11, seconds=1),
        f"(service booking-api) (deployment ecs-svc/{r.randrange(10**18, 10**19)}) deployment completed.",
    )
    for tid, azi, _ip in tasks:
        if azi == bad:
            kz.svc_event(
                k,
                bk_arn,
                onset + timedelta(minutes=r.randrange(10, 40)),
                f"(service booking-api) (task {tid}) (port 8000) is unhealthy in (target-group {tg_arn}) due to (reason Request timed out).",
            )

    # ---- AWS Health -----------------------------------------------------------------------------------
    ev_arn = f"arn:aws:health:{k.region}::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_{k.hx(5).upper()}_{k.hx(12).upper()}"
    posted = onset + timedelta(minutes=r.randrange(22, 30))
    upd = min(posted + timedelta(minutes=r.randrange(8, 14)), now - timedelta(minutes=3))
    pac = ZoneInfo("America/Los_Angeles")
    pz = posted.astimezone(pac).strftime("%Z")
    reg = k.region.upper()
    desc = (
        f"[{posted.astimezone(pac).strftime('%I:%M %p').lstrip('0')} {pz}] We are investigating increased packet loss and connection timeouts for network traffic "
        f"to and from some EC2 instances, ECS tasks and other resources in a single Availability Zone ({bad_azid}) in the {reg} Region. "
        f"Traffic within and between other Availability Zones is not affected.\n\n[{upd.astimezone(pac).strftime('%I:%M %p').lstrip('0')} {pz}] We have identified "
        f"the cause of the packet loss in a subsystem of the network in the affected Availability Zone ({bad_azid}) and are working to mitigate it. "
        "Customers that are able to shift traffic away from the affected Availability Zone may do so to mitigate impact. "
        "Resources in other Availability Zones are not affected."
    )
    k.event(
        "health",
        {
            "event": {
                "arn": ev_arn,
                "service": "EC2",
                "eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE",
                "eventTypeCategory": "issue",
                "region": k.region,
                "availabilityZone": bad_az,
                "startTime": iso(onset - timedelta(minutes=2)),
                "lastUpdatedTime": iso(upd),
                "statusCode": "open",
                "eventScopeCode": "PUBLIC",
            },
            "description": desc,
            "affected_entities": [],
        },
    )
    old = f"arn:aws:health:{k.region}::event/ECS/AWS_ECS_OPERATIONAL_ISSUE/AWS_ECS_OPERATIONAL_ISSUE_{k.hx(5).upper()}_{k.hx(12).upper()}"
    k.event(
        "health",
        {
            "event": {
                "arn": old,
                "service": "ECS",
                "eventTypeCode": "AWS_ECS_OPERATIONAL_ISSUE",
                "eventTypeCategory": "issue",
                "region": k.region,
                "startTime": iso(k.day - timedelta(days=9, hours=3)),
                "endTime": iso(k.day - timedelta(days=9, hours=1)),
                "lastUpdatedTime": iso(k.day - timedelta(days=9)),
                "statusCode": "closed",
                "eventScopeCode": "PUBLIC",
            },
            "description": f"Between 9:12 AM and 10:48 AM PDT, we experienced increased task launch latencies for Fargate tasks in the {reg} Region. The issue has been resolved and the service is operating normally.",
            "affected_entities": [],
        },
    )

    # ---- metrics -----------------------------------------------------------------------------------
    rps0 = r.uniform(220, 420)
    share = 1 / 3

    def load(t):
        return k.diurnal(t, peak_hour=(onset.hour + 1) % 24, depth=0.35)

    def impaired(t):
        return onset <= t

    def unhealthy(t):
        return sum(1 for a, b in flaps if a <= t < b)

    lb = alb_arn.split("loadbalancer/")[1]
    tgd = tg_arn.split(":")[-1]
    for i, az in enumerate(k.azs):
        isbad = i == bad
        k.series(
            "AWS/ApplicationELB",
            "RequestCount",
            {"LoadBalancer": lb, "AvailabilityZone": az},
            start,
            now,
            lambda t: k.noise(rps0 * share * load(t), 0.06),
            unit="Count",
        )
        k.series(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": lb, "AvailabilityZone": az},
            start,
            now,
            lambda t, b=isbad: k.noise(0.14, 0.1) + (k.noise(1.9, 0.25) if b and impaired(t) else 0),
            unit="Seconds",
        )
        k.series(
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": lb, "AvailabilityZone": az},
            start,
            now,
            lambda t, b=isbad: (
                k.noise(rps0 * share * 0.12, 0.3) if b and impaired(t) else (1 if r.random() < 0.04 else None)
            ),
            unit="Count",
        )
        k.series(
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"TargetGroup": tgd, "LoadBalancer": lb, "AvailabilityZone": az},
            start,
            now,
            lambda t, b=isbad: (
                k.noise(rps0 * share * 0.2, 0.25)
                if b and impaired(t)
                else (r.randrange(1, 3) if r.random() < 0.1 else None)
            ),
            unit="Count",
        )
        k.series(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"TargetGroup": tgd, "LoadBalancer": lb, "AvailabilityZone": az},
            start,
            now,
            lambda t, b=isbad: 3 - (unhealthy(t) if b else 0),
            unit="Count",
        )
        k.series(
            "AWS/NATGateway",
            "PacketsDropCount",
            {"NatGatewayId": nats[i]},
            start,
            now,
            lambda t, b=isbad: k.noise(900, 0.3) if b and impaired(t) else (r.randrange(0, 3)),
            unit="Count",
        )
        k.series(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            {"NatGatewayId": nats[i]},
            start,
            now,
            lambda t: k.noise(380 * load(t), 0.05),
            unit="Count",
        )
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        {"LoadBalancer": lb},
        start,
        now,
        lambda t: k.noise(rps0 * load(t), 0.05),
        unit="Count",
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb},
        start,
        now,
        lambda t: k.noise(0.14, 0.08) + (k.noise(0.65, 0.2) if impaired(t) else 0),
        unit="Seconds",
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb},
        start,
        now,
        lambda t: k.noise(rps0 * 0.04, 0.3) if impaired(t) else (1 if r.random() < 0.1 else None),
        unit="Count",
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": tgd, "LoadBalancer": lb},
        start,
        now,
        lambda t: (
            k.noise(rps0 * 0.067, 0.25) if impaired(t) else (r.randrange(1, 4) if r.random() < 0.2 else None)
        ),
        unit="Count",
    )
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "booking-api"},
        start,
        now,
        lambda t: k.noise(31 * load(t), 0.06),
        unit="Percent",
    )
    k.series(
        "AWS/ECS",
        "MemoryUtilization",
        {"ClusterName": cluster, "ServiceName": "booking-api"},
        start,
        now,
        lambda t: k.noise(38 if t > t_deploy else 44, 0.02),
        unit="Percent",
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBClusterIdentifier": db_cluster},
        start,
        now,
        lambda t: k.noise(96 + (25 if impaired(t) else 0), 0.05),
        unit="Count",
    )
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": f"{db_cluster}-1"},
        start,
        now,
        lambda t: k.noise(28 * load(t), 0.07),
        unit="Percent",
    )

    # ---- alarms ------------------------------------------------------------------------------------
    topic = k.arn("sns", "booking-oncall")
    cfg = created + timedelta(days=r.randrange(30, 200))
    t5 = onset + timedelta(minutes=3, seconds=r.randrange(5, 50))
    a5 = k.alarm(
        "booking-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": tgd, "LoadBalancer": lb},
        threshold=10,
        evals=3,
        topic=topic,
        configured=cfg,
        desc="booking-api 5xx above 10/min",
        transitions=[
            (start, "OK", "Threshold Crossed: 3 datapoints were not greater than the threshold (10.0)."),
            (
                t5,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (10.0) (minimum 3 datapoints for OK -> ALARM transition).",
            ),
        ],
    )
    k.alarm(
        "booking-api-unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": tgd, "LoadBalancer": lb},
        stat="Maximum",
        threshold=2,
        evals=5,
        topic=topic,
        configured=cfg,
        transitions=[
            (start, "OK", "Threshold Crossed: 5 datapoints were not greater than the threshold (2.0).")
        ],
    )
    k.series(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": tgd, "LoadBalancer": lb},
        start,
        now,
        unhealthy,
        unit="Count",
    )
    fl = start + timedelta(minutes=r.randrange(20, 80))
    av = {"ClusterName": cluster, "ServiceName": "availability-api"}
    k.alarm(
        "availability-api-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        av,
        stat="Average",
        threshold=75,
        evals=3,
        topic=topic,
        configured=cfg,
        transitions=[
            (start, "OK", "Threshold Crossed: 3 datapoints were not greater than the threshold (75.0)."),
            (
                fl,
                "ALARM",
                "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (75.0) (minimum 3 datapoints for OK -> ALARM transition).",
            ),
            (
                fl + timedelta(minutes=6),
                "OK",
                "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (75.0) (minimum 3 datapoints for ALARM -> OK transition).",
            ),
        ],
    )
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        av,
        start,
        now,
        lambda t: (
            k.noise(88, 0.04)
            if fl - timedelta(minutes=3) <= t < fl + timedelta(minutes=4)
            else k.noise(24 * load(t), 0.08)
        ),
        unit="Percent",
    )

    # ---- CloudTrail --------------------------------------------------------------------------------
    gha = k.role_identity("github-deploy-booking", "GitHubActions")
    dev = k.role_identity(
        f"AWSReservedSSO_PowerUser_{k.hx(16)}", f"{r.choice(['rui', 'marta', 'jonas', 'eva'])}@{org}.com"
    )
    k.ct(
        t_deploy - timedelta(seconds=30),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {
            "family": "booking-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [{"name": "booking-api", "image": img_new}],
        },
        {"taskDefinition": {"taskDefinitionArn": td_new["taskDefinitionArn"], "revision": rev}},
        agent="aws-sdk-js/3.600.0",
    )
    k.ct(
        t_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {"cluster": cluster, "service": "booking-api", "taskDefinition": td_new["taskDefinitionArn"]},
        {"service": {"serviceName": "booking-api", "serviceArn": bk_arn, "desiredCount": 9}},
        agent="aws-sdk-js/3.600.0",
    )
    k.ct(
        onset - timedelta(minutes=r.randrange(10, 25)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        dev,
        {
            "groupId": sg_task,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 9090,
                        "toPort": 9090,
                        "groups": {"items": [{"groupId": sg_task, "description": "prometheus scrape"}]},
                    }
                ]
            },
        },
        {"requestId": k.uid(), "_return": True},
        agent="AWS Internal",
    )
    k.ct(
        onset + timedelta(minutes=r.randrange(15, 30)),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        dev,
        {"targetGroupArn": tg_arn},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    k.ct(
        start + timedelta(minutes=r.randrange(10, 60)),
        "monitoring.amazonaws.com",
        "DeleteAlarms",
        dev,
        {"alarmNames": ["availability-api-legacy-latency", "booking-api-old-elb-5xx"]},
        None,
        agent="AWS Internal",
    )
    k.ct(
        start + timedelta(minutes=r.randrange(60, 150)),
        "secretsmanager.amazonaws.com",
        "RotateSecret",
        k.role_identity("SecretsRotationScheduler", "rotation"),
        {"secretId": k.arn("secretsmanager", f"secret:{org}/smtp-relay-{k.hx(6)}")},
        {
            "aRN": k.arn("secretsmanager", f"secret:{org}/smtp-relay"),
            "name": f"{org}/smtp-relay",
            "versionId": k.uid(),
        },
    )
    mon = k.role_identity("grafana-cloudwatch-reader", "grafana")
    k.readonly_noise(
        start,
        now,
        r.randrange(40, 60),
        [
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/ApplicationELB"}),
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["booking-api"]}),
            ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
            ("tagging.amazonaws.com", "GetResources", None),
        ],
        mon,
        "Grafana/10.4.2 aws-sdk-go/1.50.8",
    )

    # ---- logs ---------------------------------------------------------------------------------------
    t = start
    while t < now:
        tid, azi, ip = r.choice(tasks)
        stream = f"ecs/booking-api/{tid}"
        if t < t_deploy + timedelta(minutes=3):
            stream = f"ecs/booking-api/{k.hx(32)}"
        ts = t.strftime("%Y-%m-%d %H:%M:%S")
        if azi == bad and impaired(t) and r.random() < 0.6:
            msg = r.choice(
                [
                    f"[{ts} +0000] [{r.randrange(7, 40)}] [ERROR] POST /v1/bookings failed: (psycopg.errors.ConnectionTimeout) connection timeout expired\n(Background on this error at: https://sqlalche.me/e/20/e3q8)",
                    f"[{ts} +0000] [{r.randrange(7, 40)}] [WARNING] availability check to http://availability.{org}.internal:8000/v1/rooms timed out after 3.0s (attempt {r.randrange(1, 4)}/3)",
                    f"[{ts} +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:{r.randrange(20, 90)})",
                ]
            )
        else:
            msg = f"[{ts} +0000] [{r.randrange(7, 40)}] [INFO] {r.choice(['GET /v1/rooms', 'POST /v1/bookings', 'GET /v1/bookings'])} 200 {r.randrange(40, 300)}ms"
        k.log("/ecs/booking-api", stream, t, msg)
        t += timedelta(seconds=r.randrange(10, 40))

    ev = k.alarm_event(
        a5, t5, "OK", "Threshold Crossed: 3 datapoints were not greater than the threshold (10.0).", start
    )
    loc = onset.astimezone(zone)
    dl = t_deploy.astimezone(zone)
    question = (
        f"bookings are failing on and off since about {loc.strftime('%-I:%M')} — support reckons maybe a third of attempts. "
        f"booking-api went out at {dl.strftime('%-I:%M')}, should we roll it back?"
    )
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        question=question,
        tz=tz,
        alarm_event=ev,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": ev_arn,
                "category": "system_change",
                "failure_mode": "availability-zone-network-impairment",
                "event_id": None,
            },
            "also_accept": [bad_az, bad_azid, "AWS_EC2_OPERATIONAL_ISSUE"],
            "actions": ["exclude"],
            "chain": [ev_arn, bad_az, "booking-api", "booking-api target group", alb_name],
        },
    )
