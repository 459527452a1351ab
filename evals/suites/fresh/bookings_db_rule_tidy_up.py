"""A security-group tidy-up removes the app tier's access to the bookings database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_n import (
    CONSOLE_AGENT,
    GRAFANA,
    TERRAFORM,
    Json,
    Kit,
    cli,
    ec2_instance,
    floor_minute,
    flow_record,
    grid,
    instance_status_ok,
    iso,
    log_group,
    pick_day,
    role_identity,
    security_group,
    sg_rule,
    sso_identity,
    subnet_item,
    vpc_item,
)

NAME = "bookings-db-rule-tidy-up"
TITLE = "Bookings API returning 500s and timing out"
SUMMARY = (
    "An engineer's security-group tidy-up revokes the database SG's ingress from the app tier's SG; new "
    "connections to RDS time out as pooled ones retire, and the ALB's 5xx and latency climb."
)

PEOPLE = ["sam.whitfield", "nadia.karimi", "jordan.lee", "carlos.mendes", "hannah.schulz", "ravi.iyer"]
ZONES = ["America/Chicago", "America/Denver", "America/New_York", "America/Los_Angeles"]


def _pg_ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, regions=("us-east-1", "us-east-2", "us-west-2"))
    rng = kit.rng
    tz = rng.choice(ZONES)
    day = pick_day(kit)
    onset = day + timedelta(hours=rng.randint(14, 20), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = floor_minute(onset - timedelta(hours=rng.randint(5, 7)))
    start = start.replace(minute=start.minute - start.minute % 5)
    near = floor_minute(onset - timedelta(hours=2, minutes=30))
    near = near.replace(minute=near.minute - near.minute % 5)
    people = rng.sample(PEOPLE, 4)
    domain = rng.choice(["staybook.com", "roomwise.io", "innkeepr.com"])
    tidier, dba, oncall, _ = (f"{p}@{domain}" for p in people)
    azs = [f"{kit.region}{c}" for c in "abc"]

    # --- network -------------------------------------------------------------------------------------
    vpc = kit.ec2_id("vpc")
    second = rng.randint(16, 60)
    vpc_item(kit, vpc, f"10.{second}.0.0/16", "bookings-prod")
    app_subnets = [kit.ec2_id("subnet") for _ in azs]
    db_subnets = [kit.ec2_id("subnet") for _ in azs]
    for i, az in enumerate(azs):
        subnet_item(
            kit,
            app_subnets[i],
            vpc,
            f"10.{second}.{10 + i}.0/24",
            az,
            f"bookings-prod-app-{az[-1]}",
            rng.randint(200, 240),
        )
        subnet_item(
            kit,
            db_subnets[i],
            vpc,
            f"10.{second}.{20 + i}.0/24",
            az,
            f"bookings-prod-data-{az[-1]}",
            rng.randint(240, 249),
        )
    sg = {n: kit.ec2_id("sg") for n in ("alb", "app", "db", "legacy", "bastion", "reporting")}
    created = day - timedelta(days=rng.randint(300, 700))
    tags = {"env": "prod", "team": "bookings"}
    security_group(
        kit,
        sg["alb"],
        "bookings-alb-sg",
        "bookings public ALB",
        vpc,
        [
            sg_rule("tcp", 443, cidrs=[("0.0.0.0/0", "HTTPS")]),
            sg_rule("tcp", 80, cidrs=[("0.0.0.0/0", "redirect to HTTPS")]),
        ],
        tags,
    )
    security_group(
        kit,
        sg["app"],
        "bookings-app-sg",
        "bookings-api instances",
        vpc,
        [sg_rule("tcp", 8080, groups=[(sg["alb"], "from ALB")], account=kit.account)],
        tags,
    )
    # as it stands at `now`: only the bastion and the reporting job may reach Postgres
    security_group(
        kit,
        sg["db"],
        "bookings-db-sg",
        "bookings Postgres",
        vpc,
        [
            sg_rule(
                "tcp",
                5432,
                groups=[(sg["bastion"], "bastion"), (sg["reporting"], "reporting export lambda")],
                account=kit.account,
            )
        ],
        tags,
    )
    security_group(
        kit,
        sg["bastion"],
        "bastion-sg",
        "SSM bastion",
        vpc,
        [],
        {"env": "prod", "team": "platform"},
    )
    security_group(
        kit,
        sg["reporting"],
        "bookings-reporting-sg",
        "reporting export lambda",
        vpc,
        [],
        tags,
    )

    # --- instances, ALB ------------------------------------------------------------------------------
    ami = kit.ec2_id("ami")
    profile = f"arn:aws:iam::{kit.account}:instance-profile/bookings-api-instance"
    instances: list[tuple[str, str, str]] = []  # id, ip, az
    for i, az in enumerate(azs):
        iid = kit.ec2_id("i")
        ip = f"10.{second}.{10 + i}.{rng.randint(10, 250)}"
        launched = day - timedelta(days=rng.randint(2, 9), minutes=rng.randint(0, 600))
        ec2_instance(
            kit,
            iid,
            instance_type="m6i.large",
            ami=ami,
            az=az,
            subnet_id=app_subnets[i],
            vpc_id=vpc,
            ip=ip,
            groups=[(sg["app"], "bookings-app-sg")],
            launched=launched,
            profile_arn=profile,
            tags={
                "Name": "bookings-api",
                "aws:autoscaling:groupName": "bookings-api-prod",
                "env": "prod",
                "team": "bookings",
            },
        )
        instance_status_ok(kit, iid, az)
        instances.append((iid, ip, az))
    lb_hex, tg_hex = kit.hexs(16), kit.hexs(16)
    lb_name, tg_name = "bookings-prod-alb", "bookings-api-tg"
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/{tg_name}/{tg_hex}"
    kit.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randint(100000000, 999999999)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": iso(created),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": kit.ec2_id("subnet")} for az in azs],
            "SecurityGroups": [sg["alb"]],
            "IpAddressType": "ipv4",
        },
    )
    kit.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "instance",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    for iid, _, az in instances:
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": iid, "Port": 8080, "AvailabilityZone": az},
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
    kit.resource(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": "bookings-api-prod",
            "AutoScalingGroupARN": kit.arn(
                "autoscaling", f"autoScalingGroup:{kit.uuid()}:autoScalingGroupName/bookings-api-prod"
            ),
            "LaunchTemplate": {
                "LaunchTemplateId": kit.ec2_id("lt"),
                "LaunchTemplateName": "bookings-api",
                "Version": "$Latest",
            },
            "MinSize": 3,
            "MaxSize": 9,
            "DesiredCapacity": 3,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "LoadBalancerNames": [],
            "TargetGroupARNs": [tg_arn],
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 180,
            "Instances": [
                {
                    "InstanceId": iid,
                    "InstanceType": "m6i.large",
                    "AvailabilityZone": az,
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {"LaunchTemplateName": "bookings-api", "Version": "7"},
                    "ProtectedFromScaleIn": False,
                }
                for iid, _, az in instances
            ],
            "CreatedTime": iso(created),
            "VPCZoneIdentifier": ",".join(app_subnets),
            "EnabledMetrics": [],
            "Tags": [
                {
                    "ResourceId": "bookings-api-prod",
                    "ResourceType": "auto-scaling-group",
                    "Key": "Name",
                    "Value": "bookings-api",
                    "PropagateAtLaunch": True,
                }
            ],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": False,
            "ServiceLinkedRoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": False,
        },
    )

    # --- the database ---------------------------------------------------------------------------------
    db_id = "bookings-prod-pg"
    db_host = f"{db_id}.c{kit.hexs(11)}.{kit.region}.rds.amazonaws.com"
    db_ip = f"10.{second}.{20 + rng.randint(0, 2)}.{rng.randint(10, 250)}"
    db_eni = kit.ec2_id("eni")
    kit.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db_id,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "bookings_admin",
            "DBName": "bookings",
            "Endpoint": {"Address": db_host, "Port": 5432, "HostedZoneId": "Z2R2ITUGPM61AM"},
            "AllocatedStorage": 500,
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "07:10-07:40",
            "BackupRetentionPeriod": 14,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg["db"], "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": "bookings-pg15", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": azs[0],
            "DBSubnetGroup": {
                "DBSubnetGroupName": "bookings-prod-data",
                "DBSubnetGroupDescription": "bookings data subnets",
                "VpcId": vpc,
                "SubnetGroupStatus": "Complete",
                "Subnets": [
                    {
                        "SubnetIdentifier": s,
                        "SubnetAvailabilityZone": {"Name": az},
                        "SubnetOutpost": {},
                        "SubnetStatus": "Active",
                    }
                    for s, az in zip(db_subnets, azs, strict=True)
                ],
            },
            "PreferredMaintenanceWindow": "sun:08:00-sun:08:30",
            "PendingModifiedValues": {},
            "LatestRestorableTime": iso(floor_minute(onset + timedelta(minutes=40))),
            "MultiAZ": True,
            "EngineVersion": "15.5",
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": "postgresql-license",
            "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-15", "Status": "in-sync"}],
            "SecondaryAvailabilityZone": azs[1],
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "Iops": 12000,
            "StorageThroughput": 500,
            "DbInstancePort": 0,
            "StorageEncrypted": True,
            "KmsKeyId": kit.arn("kms", f"key/{kit.uuid()}"),
            "DbiResourceId": "db-" + kit.upper(26),
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "DomainMemberships": [],
            "CopyTagsToSnapshot": True,
            "MonitoringInterval": 60,
            "DBInstanceArn": kit.arn("rds", f"db:{db_id}"),
            "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": True,
            "PerformanceInsightsRetentionPeriod": 7,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "DeletionProtection": True,
            "AssociatedRoles": [],
            "MaxAllocatedStorage": 1000,
            "TagList": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "bookings"}],
            "CustomerOwnedIpEnabled": False,
            "NetworkType": "IPV4",
            "BackupTarget": "region",
            "CertificateDetails": {"CAIdentifier": "rds-ca-rsa2048-g1", "ValidTill": "2025-05-02T12:00:00Z"},
            "DedicatedLogVolume": False,
        },
    )
    kit.resource(
        "ec2",
        "NetworkInterface",
        {
            "AvailabilityZone": azs[0],
            "Description": "RDSNetworkInterface",
            "Groups": [{"GroupName": "bookings-db-sg", "GroupId": sg["db"]}],
            "InterfaceType": "interface",
            "Ipv6Addresses": [],
            "MacAddress": ":".join(kit.hexs(2) for _ in range(6)),
            "NetworkInterfaceId": db_eni,
            "OwnerId": kit.account,
            "PrivateIpAddress": db_ip,
            "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": db_ip}],
            "RequesterId": "amazon-rds",
            "RequesterManaged": True,
            "SourceDestCheck": True,
            "Status": "in-use",
            "SubnetId": db_subnets[0],
            "TagSet": [],
            "VpcId": vpc,
        },
    )
    flow_group = "/vpc/bookings-prod/flow-logs"
    kit.resource(
        "ec2",
        "FlowLog",
        {
            "CreationTime": iso(created + timedelta(days=30)),
            "DeliverLogsPermissionArn": f"arn:aws:iam::{kit.account}:role/vpc-flow-logs-delivery",
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": kit.ec2_id("fl"),
            "FlowLogStatus": "ACTIVE",
            "LogGroupName": flow_group,
            "ResourceId": vpc,
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
            "Tags": [],
            "MaxAggregationInterval": 600,
        },
    )
    app_group = "/bookings/api/application"
    pg_group = f"/aws/rds/instance/{db_id}/postgresql"
    log_group(kit, app_group, created, 30, rng.randint(20_000_000_000, 60_000_000_000))
    log_group(kit, pg_group, created, 14, rng.randint(5_000_000_000, 9_000_000_000))
    log_group(kit, flow_group, created + timedelta(days=30), 14, rng.randint(30_000_000_000, 90_000_000_000))

    # --- the connection pools ------------------------------------------------------------------------
    pool = 15
    end_sim = onset + timedelta(minutes=75)
    # each pooled connection lives 30 minutes (HikariCP maxLifetime), staggered
    conns: dict[str, list[tuple[datetime, datetime, int]]] = {}
    last_conn: dict[str, datetime] = {}
    pg_lines: list[tuple[datetime, str]] = []
    app_user = "bookings_app"
    for iid, ip, _ in instances:
        conns[iid] = []
        for _ in range(pool):
            born = start - timedelta(seconds=rng.uniform(0, 1750))
            while True:
                life = timedelta(seconds=1800 * rng.uniform(0.975, 1.0))
                died = born + life
                port = rng.randint(32768, 60999)
                if born >= onset:
                    break  # no replacement gets through any more
                conns[iid].append((born, died, port))
                if born >= start:
                    pid = rng.randint(10000, 65000)
                    pg_lines.append(
                        (
                            born,
                            f"{_pg_ts(born)}:{ip}({port}):[unknown]@[unknown]:[{pid}]:LOG:  connection received: host={ip} port={port}",
                        )
                    )
                    pg_lines.append(
                        (
                            born + timedelta(milliseconds=rng.randint(8, 30)),
                            f"{_pg_ts(born)}:{ip}({port}):{app_user}@bookings:[{pid}]:LOG:  connection authorized: user={app_user} database=bookings application_name=PostgreSQL JDBC Driver SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
                        )
                    )
                if died <= end_sim:
                    dpid = rng.randint(10000, 65000)
                    secs = life.total_seconds()
                    pg_lines.append(
                        (
                            died,
                            f"{_pg_ts(died)}:{ip}({port}):{app_user}@bookings:[{dpid}]:LOG:  disconnection: session time: 0:{int(secs // 60):02d}:{secs % 60:06.3f} user={app_user} database=bookings host={ip} port={port}",
                        )
                    )
                born = died + timedelta(milliseconds=rng.randint(2, 40))
        last_conn[iid] = max(d for _, d, _ in conns[iid])

    def alive(iid: str, t: datetime) -> int:
        return sum(1 for b, d, _ in conns[iid] if b <= t < d)

    # requests
    base_rpm = rng.uniform(260, 420)  # per instance, midday

    def rpm(t: datetime) -> float:
        local = t.astimezone(ZoneInfo(tz))
        h = local.hour + local.minute / 60
        return base_rpm * (0.45 + 0.55 * max(0.0, 1 - abs(h - 13) / 9))

    alb = "AWS/ApplicationELB"
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    times = grid(start, near, end_sim)
    app_stream = {iid: f"{iid}/application.log" for iid, _, _ in instances}
    first_5xx: datetime | None = None
    paths = ["/v2/bookings/{id}", "/v2/availability", "/v2/bookings", "/v2/rates", "/v2/guests/{id}"]
    threads = {iid: rng.randint(1000, 9000) for iid, _, _ in instances}
    for t, step in times:
        total = ok = err5 = 0
        lat_vals: list[float] = []
        lat_cnts: list[float] = []
        for iid, _ip, _ in instances:
            n = kit.poisson(rpm(t) * step / 60)
            total += n
            k = alive(iid, t + timedelta(seconds=30))
            if k >= 3:
                frac_fail = 0.0
                med, p99 = kit.jitter(0.032, 0.05), kit.jitter(0.31, 0.1)
            elif k > 0:
                frac_fail = 0.0
                med, p99 = kit.jitter(0.05, 0.05), kit.jitter(1.9, 0.1) * (3 - k)
            else:
                frac_fail = 0.86
                med, p99 = 30.02, 30.06
            fails = round(n * frac_fail)
            good = n - fails
            ok += good
            err5 += fails
            v, c = kit.latency(med if not fails else kit.jitter(0.004, 0.1), p99 if not fails else 0.02, good)
            lat_vals += v
            lat_cnts += c
            if fails:
                lat_vals.append(round(kit.jitter(30.01, 0.0005), 4))
                lat_cnts.append(float(fails))
                if first_5xx is None:
                    first_5xx = t
            kit.put(
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": iid},
                t,
                "Percent",
                round(kit.jitter(6 + 0.05 * n * 60 / step, 0.08) * (0.7 if fails else 1.0), 2),
            )
            # application log sample
            if step == 60:
                stream = app_stream[iid]
                for _ in range(rng.randint(2, 4)):
                    at = t + timedelta(seconds=rng.uniform(0, 59))
                    path = rng.choice(paths).replace("{id}", f"BK-{rng.randint(100000, 999999)}")
                    if fails and rng.random() < 0.86:
                        continue
                    kit.log(
                        app_group,
                        stream,
                        at,
                        f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}  INFO {threads[iid]} --- [nio-8080-exec-{rng.randint(1, 200)}] c.s.bookings.web.RequestLogFilter        : "
                        f"{rng.choice(['GET', 'GET', 'GET', 'POST'])} {path} 200 {max(3, int(kit.jitter(med * 1000, 0.5)))}ms",
                    )
                if rng.random() < 0.01:
                    at = t + timedelta(seconds=rng.uniform(0, 59))
                    kit.log(
                        app_group,
                        stream,
                        at,
                        f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}  WARN {threads[iid]} --- [pool-3-thread-{rng.randint(1, 4)}] c.s.bookings.rates.RateCacheRefresher    : "
                        f"rate cache refresh took {rng.randint(2100, 5200)}ms for property group {rng.randint(10, 99)} (threshold 2000ms)",
                    )
                if fails:
                    for _ in range(rng.randint(2, 4)):
                        at = t + timedelta(seconds=rng.uniform(0, 59))
                        path = rng.choice(paths).replace("{id}", f"BK-{rng.randint(100000, 999999)}")
                        exec_n = rng.randint(1, 200)
                        kit.log(
                            app_group,
                            stream,
                            at,
                            f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} ERROR {threads[iid]} --- [nio-8080-exec-{exec_n}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.dao.DataAccessResourceFailureException: Failed to obtain JDBC Connection] with root cause\n"
                            "\n"
                            "java.net.SocketTimeoutException: Connect timed out\n"
                            "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)\n"
                            "\tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)\n"
                            "\tat java.base/java.net.SocksSocketImpl.connect(SocksSocketImpl.java:327)\n"
                            "\tat java.base/java.net.Socket.connect(Socket.java:751)\n"
                            "\tat org.postgresql.core.PGStream.createSocket(PGStream.java:243)\n"
                            "\tat org.postgresql.core.PGStream.<init>(PGStream.java:98)\n"
                            "\tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:136)\n"
                            "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:262)\n"
                            "\tat org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)\n"
                            "\tat org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:273)\n"
                            "\tat org.postgresql.Driver.makeConnection(Driver.java:446)\n"
                            "\tat org.postgresql.Driver.connect(Driver.java:298)\n"
                            "\tat com.zaxxer.hikari.util.DriverDataSource.getConnection(DriverDataSource.java:137)\n"
                            "\tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:360)\n"
                            "\tat com.zaxxer.hikari.pool.PoolBase.newPoolEntry(PoolBase.java:202)\n"
                            "\tat com.zaxxer.hikari.pool.HikariPool.createPoolEntry(HikariPool.java:461)\n"
                            "\tat com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call(HikariPool.java:724)\n"
                            "\tat com.zaxxer.hikari.pool.HikariPool$PoolEntryCreator.call(HikariPool.java:703)\n"
                            "\tat java.base/java.util.concurrent.FutureTask.run(FutureTask.java:317)\n"
                            "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)\n"
                            "\tat java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:642)\n"
                            "\tat java.base/java.lang.Thread.run(Thread.java:1583)\n",
                        )
                        kit.log(
                            app_group,
                            stream,
                            at + timedelta(milliseconds=2),
                            f"{at:%Y-%m-%d %H:%M:%S}.{(at.microsecond // 1000 + 2) % 1000:03d}  WARN {threads[iid]} --- [nio-8080-exec-{exec_n}] c.s.bookings.web.RequestLogFilter        : "
                            f"GET {path} 500 30004ms (HikariPool-1 - Connection is not available, request timed out after 30000ms (total=0, active=0, idle=0, waiting={rng.randint(60, 170)}))",
                        )
        kit.put(alb, "RequestCount", lbd, t, "Count", total)
        kit.put(alb, "RequestCount", tgd, t, "Count", total)
        kit.put(alb, "HTTPCode_Target_2XX_Count", lbd, t, "Count", ok)
        kit.put(alb, "HTTPCode_Target_2XX_Count", tgd, t, "Count", ok)
        k4 = kit.poisson(total * 0.012)
        kit.put(alb, "HTTPCode_Target_4XX_Count", lbd, t, "Count", k4 or None)
        kit.put(alb, "HTTPCode_Target_4XX_Count", tgd, t, "Count", k4 or None)
        kit.put(alb, "HTTPCode_Target_5XX_Count", lbd, t, "Count", err5 or None)
        kit.put(alb, "HTTPCode_Target_5XX_Count", tgd, t, "Count", err5 or None)
        e5 = kit.poisson(0.004 * step / 60)
        kit.put(alb, "HTTPCode_ELB_5XX_Count", lbd, t, "Count", e5 or None)
        kit.put_dist(alb, "TargetResponseTime", lbd, t, "Seconds", lat_vals, lat_cnts)
        kit.put_dist(alb, "TargetResponseTime", tgd, t, "Seconds", lat_vals, lat_cnts)
        kit.put(alb, "HealthyHostCount", tgd, t, "Count", 3)
        kit.put(alb, "UnHealthyHostCount", tgd, t, "Count", 0)
        kit.put(alb, "ActiveConnectionCount", lbd, t, "Count", round(total * kit.jitter(0.42, 0.05)))
        kit.put(alb, "NewConnectionCount", lbd, t, "Count", round(total * kit.jitter(0.18, 0.05)))
        kit.put(alb, "ProcessedBytes", lbd, t, "Bytes", round(total * kit.jitter(5200, 0.04)))
        # RDS
        app_conns = sum(alive(i, t) for i, _, _ in instances)
        rds = {"DBInstanceIdentifier": db_id}
        kit.put(
            "AWS/RDS",
            "DatabaseConnections",
            rds,
            t,
            "Count",
            app_conns + 3 + (1 if rng.random() < 0.2 else 0),
        )
        load = ok / max(1.0, 3 * base_rpm * step / 60)
        kit.put("AWS/RDS", "CPUUtilization", rds, t, "Percent", round(kit.jitter(9 + 26 * load, 0.06), 2))
        kit.put("AWS/RDS", "ReadIOPS", rds, t, "Count/Second", round(kit.jitter(40 + 300 * load, 0.1), 2))
        kit.put("AWS/RDS", "WriteIOPS", rds, t, "Count/Second", round(kit.jitter(120 + 420 * load, 0.1), 2))
        kit.put("AWS/RDS", "ReadLatency", rds, t, "Seconds", round(kit.jitter(0.00062, 0.1), 6))
        kit.put("AWS/RDS", "WriteLatency", rds, t, "Seconds", round(kit.jitter(0.00121, 0.1), 6))
        kit.put("AWS/RDS", "FreeableMemory", rds, t, "Bytes", round(kit.jitter(17.1e9, 0.004)))
        kit.put(
            "AWS/RDS", "FreeStorageSpace", rds, t, "Bytes", round(212.4e9 - (t - start).total_seconds() * 900)
        )
        kit.put(
            "AWS/RDS",
            "NetworkReceiveThroughput",
            rds,
            t,
            "Bytes/Second",
            round(kit.jitter(90_000 + 1.4e6 * load, 0.08)),
        )
        kit.put(
            "AWS/RDS",
            "NetworkTransmitThroughput",
            rds,
            t,
            "Bytes/Second",
            round(kit.jitter(120_000 + 3.1e6 * load, 0.08)),
        )

    assert first_5xx is not None
    # --- postgres log (CloudWatch export and log files) -----------------------------------------------
    for _ in range(int((end_sim - start).total_seconds() // 1500)):
        at = start + timedelta(seconds=rng.uniform(0, (end_sim - start).total_seconds()))
        pg_lines.append(
            (
                at,
                f"{_pg_ts(at)}::@:[{rng.randint(300, 900)}]:LOG:  checkpoint complete: wrote {rng.randint(900, 9000)} buffers ({rng.uniform(0.5, 4):.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(1, 9)} recycled; write={rng.uniform(20, 270):.3f} s, sync=0.00{rng.randint(1, 9)} s, total={rng.uniform(20, 270):.3f} s; sync files={rng.randint(20, 90)}, longest=0.00{rng.randint(1, 9)} s, average=0.001 s; distance={rng.randint(20000, 90000)} kB, estimate={rng.randint(60000, 99000)} kB; lsn=1A4/{kit.hexs(8).upper()}, redo lsn=1A4/{kit.hexs(8).upper()}",
            )
        )
    for _ in range(rng.randint(3, 6)):
        at = start + timedelta(seconds=rng.uniform(0, (end_sim - start).total_seconds()))
        ip = instances[rng.randrange(3)][1]
        pg_lines.append(
            (
                at,
                f'{_pg_ts(at)}:{ip}({rng.randint(32768, 60999)}):{app_user}@bookings:[{rng.randint(10000, 65000)}]:ERROR:  duplicate key value violates unique constraint "booking_holds_room_night_key"',
            )
        )
    # the reporting export lambda connects every 15 minutes
    rep_ip = f"10.{second}.{10 + rng.randint(0, 2)}.{rng.randint(10, 250)}"
    at = start + timedelta(minutes=rng.randint(1, 14), seconds=rng.randint(0, 59))
    while at < end_sim:
        port, pid = rng.randint(32768, 60999), rng.randint(10000, 65000)
        pg_lines.append(
            (
                at,
                f"{_pg_ts(at)}:{rep_ip}({port}):[unknown]@[unknown]:[{pid}]:LOG:  connection received: host={rep_ip} port={port}",
            )
        )
        pg_lines.append(
            (
                at + timedelta(milliseconds=21),
                f"{_pg_ts(at)}:{rep_ip}({port}):reporting_ro@bookings:[{pid}]:LOG:  connection authorized: user=reporting_ro database=bookings SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            )
        )
        dur = rng.uniform(4, 40)
        e = at + timedelta(seconds=dur)
        pg_lines.append(
            (
                e,
                f"{_pg_ts(e)}:{rep_ip}({port}):reporting_ro@bookings:[{pid}]:LOG:  disconnection: session time: 0:00:{dur:06.3f} user=reporting_ro database=bookings host={rep_ip} port={port}",
            )
        )
        at += timedelta(minutes=15, seconds=rng.randint(-20, 20))
    pg_lines.sort()
    for at, line in pg_lines:
        kit.log(pg_group, f"{db_id}.0", at, line)

    # --- flow logs on the database's interface ---------------------------------------------------------
    window = timedelta(minutes=10)
    w = start
    while w < end_sim:
        we = w + window
        for iid, ip, _ in instances:
            for b, d, port in conns[iid]:
                if b < we and d > w:
                    pk = rng.randint(40, 900)
                    kit.log(
                        flow_group,
                        db_eni,
                        w + timedelta(seconds=rng.randint(0, 50)),
                        flow_record(
                            kit,
                            db_eni,
                            ip,
                            db_ip,
                            port,
                            5432,
                            pk,
                            pk * rng.randint(140, 420),
                            w,
                            we,
                            "ACCEPT",
                        ),
                    )
            if we > onset:
                attempts = rng.randint(14, 26) if w >= onset else rng.randint(3, 8)
                for _ in range(attempts):
                    s0 = max(w, onset) + timedelta(
                        seconds=rng.uniform(0, (we - max(w, onset)).total_seconds())
                    )
                    kit.log(
                        flow_group,
                        db_eni,
                        s0,
                        flow_record(
                            kit,
                            db_eni,
                            ip,
                            db_ip,
                            rng.randint(32768, 60999),
                            5432,
                            rng.randint(3, 4),
                            60 * rng.randint(3, 4),
                            w,
                            we,
                            "REJECT",
                        ),
                    )
        w = we
    # the ALB health checks and ssm traffic on app instances are not in this flow log's sample

    # --- alarms ---------------------------------------------------------------------------------------
    ops_topic = kit.arn("sns", "bookings-oncall-pagerduty")
    asked_local = floor_minute(first_5xx + timedelta(minutes=rng.randint(0, 3)))
    now = floor_minute(max(last_conn.values()) + timedelta(minutes=rng.randint(12, 22))) + timedelta(
        seconds=rng.randint(0, 59)
    )
    common: Json = {"start": start, "now": now, "actions": [ops_topic], "evaluate_from": near}
    kit.alarm(
        "bookings-alb-target-5xx",
        description="bookings ALB: more than 50 target 5xx a minute for 3 minutes",
        ns=alb,
        metric="HTTPCode_Target_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=60,
        evaluation_periods=3,
        datapoints=3,
        threshold=50.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=40),
        **common,
    )
    kit.alarm(
        "bookings-api-p99-latency",
        description="bookings-api p99 above 2.5 s for 5 minutes",
        ns=alb,
        metric="TargetResponseTime",
        dims=lbd,
        stat="p99",
        period=60,
        evaluation_periods=5,
        datapoints=5,
        threshold=2.5,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        configured=created + timedelta(days=40),
        **common,
    )
    kit.alarm(
        "bookings-api-unhealthy-hosts",
        description="unhealthy targets in bookings-api-tg",
        ns=alb,
        metric="UnHealthyHostCount",
        dims=tgd,
        stat="Maximum",
        period=60,
        evaluation_periods=3,
        datapoints=3,
        threshold=0.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=40),
        **common,
    )
    kit.alarm(
        "bookings-prod-pg-cpu-high",
        description="bookings-prod-pg CPU above 80% for 15 minutes",
        ns="AWS/RDS",
        metric="CPUUtilization",
        dims={"DBInstanceIdentifier": db_id},
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints=3,
        threshold=80.0,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        configured=created + timedelta(days=12),
        **common,
    )
    kit.alarm(
        "bookings-prod-pg-storage-low",
        description="bookings-prod-pg free storage below 50 GiB",
        ns="AWS/RDS",
        metric="FreeStorageSpace",
        dims={"DBInstanceIdentifier": db_id},
        stat="Minimum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=53687091200.0,
        comparison="LessThanThreshold",
        treat_missing="missing",
        configured=created + timedelta(days=12),
        **common,
    )

    # --- CloudTrail -----------------------------------------------------------------------------------
    sso_region = kit.region
    admin_set = f"AWSReservedSSO_PlatformAdmin_{kit.hexs(16)}"
    dba_set = f"AWSReservedSSO_DatabaseAdmin_{kit.hexs(16)}"
    tid = sso_identity(kit, admin_set, tidier, onset - timedelta(minutes=rng.randint(40, 70)), sso_region)
    tip = kit.public_ip()
    did = sso_identity(kit, dba_set, dba, onset - timedelta(minutes=rng.randint(30, 50)), sso_region)
    dip = kit.public_ip()
    oid = sso_identity(kit, admin_set, oncall, first_5xx + timedelta(minutes=6), sso_region)
    oip = kit.public_ip()
    ec2s = "ec2.amazonaws.com"

    def perms(group: str | None, cidr: str | None, desc: str) -> Json:
        item: Json = {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432}
        item["groups"] = {"items": [{"groupId": group, "description": desc}]} if group else {}
        item["ipRanges"] = {"items": [{"cidrIp": cidr, "description": desc}]} if cidr else {}
        item["ipv6Ranges"] = {}
        item["prefixListIds"] = {}
        return {"items": [item]}

    def revoked(group: str | None, cidr: str | None, desc: str, rid_hint: str) -> Json:
        rule: Json = {
            "groupOwnerId": kit.account,
            "isEgress": False,
            "ipProtocol": "tcp",
            "fromPort": 5432,
            "toPort": 5432,
            "securityGroupRuleId": f"sgr-0{kit.hexs(16)}",
            "groupId": sg["db"],
            "description": desc,
        }
        if group:
            rule["referencedGroupInfo"] = {"groupId": group, "userId": kit.account}
        if cidr:
            rule["cidrIpv4"] = cidr
        del rid_hint
        return {"requestId": kit.uuid(), "_return": True, "revokedSecurityGroupRuleSet": {"items": [rule]}}

    look = onset - timedelta(minutes=rng.randint(6, 11), seconds=rng.randint(0, 59))
    reads: list[tuple[int, str, Json, str]] = [
        (
            0,
            "DescribeSecurityGroups",
            {"filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": vpc}]}}]}},
            "ec2.describe-security-groups",
        ),
        (
            40,
            "DescribeNetworkInterfaces",
            {
                "filterSet": {
                    "items": [{"name": "group-id", "valueSet": {"items": [{"value": sg["legacy"]}]}}]
                }
            },
            "ec2.describe-network-interfaces",
        ),
        (
            95,
            "DescribeSecurityGroupRules",
            {
                "DescribeSecurityGroupRulesRequest": {
                    "Filter": {"Name": "group-id", "Value": {"content": sg["db"], "tag": 1}}
                }
            },
            "ec2.describe-security-group-rules",
        ),
        (
            150,
            "DescribeNetworkInterfaces",
            {"filterSet": {"items": [{"name": "group-id", "valueSet": {"items": [{"value": sg["db"]}]}}]}},
            "ec2.describe-network-interfaces",
        ),
    ]
    for off, name, params, cmd in reads:
        kit.trail(
            look + timedelta(seconds=off),
            ec2s,
            name,
            tid,
            params,
            None,
            read_only=True,
            ip=tip,
            agent=cli(kit, cmd),
        )
    kit.trail(
        onset - timedelta(seconds=rng.randint(100, 140)),
        ec2s,
        "RevokeSecurityGroupIngress",
        tid,
        {"groupId": sg["db"], "ipPermissions": perms(sg["legacy"], None, "bookings-api blue (legacy)")},
        revoked(sg["legacy"], None, "bookings-api blue (legacy)", "l"),
        read_only=False,
        ip=tip,
        agent=cli(kit, "ec2.revoke-security-group-ingress"),
    )
    kit.trail(
        onset - timedelta(seconds=rng.randint(45, 75)),
        ec2s,
        "RevokeSecurityGroupIngress",
        tid,
        {"groupId": sg["db"], "ipPermissions": perms(None, "10.40.0.0/16", "old office VPN")},
        revoked(None, "10.40.0.0/16", "old office VPN", "v"),
        read_only=False,
        ip=tip,
        agent=cli(kit, "ec2.revoke-security-group-ingress"),
    )
    culprit = kit.trail(
        onset,
        ec2s,
        "RevokeSecurityGroupIngress",
        tid,
        {"groupId": sg["db"], "ipPermissions": perms(sg["app"], None, "bookings-api")},
        revoked(sg["app"], None, "bookings-api", "a"),
        read_only=False,
        ip=tip,
        agent=cli(kit, "ec2.revoke-security-group-ingress"),
    )
    kit.trail(
        onset + timedelta(seconds=rng.randint(50, 90)),
        ec2s,
        "DeleteSecurityGroup",
        tid,
        {"groupId": sg["legacy"]},
        {"requestId": kit.uuid(), "_return": True, "groupId": sg["legacy"]},
        read_only=False,
        ip=tip,
        agent=cli(kit, "ec2.delete-security-group"),
    )
    kit.trail(
        onset + timedelta(seconds=rng.randint(100, 160)),
        ec2s,
        "DescribeSecurityGroups",
        tid,
        {"securityGroupIdSet": {"items": [{"groupId": sg["db"]}]}},
        None,
        read_only=True,
        ip=tip,
        agent=cli(kit, "ec2.describe-security-groups"),
    )
    # the DBA lengthens backup retention shortly before
    mod_at = onset - timedelta(minutes=rng.randint(12, 19), seconds=rng.randint(0, 59))
    kit.trail(
        mod_at - timedelta(minutes=2),
        "rds.amazonaws.com",
        "DescribeDBInstances",
        did,
        {"dBInstanceIdentifier": db_id},
        None,
        read_only=True,
        ip=dip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    kit.trail(
        mod_at,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        did,
        {
            "dBInstanceIdentifier": db_id,
            "backupRetentionPeriod": 14,
            "applyImmediately": True,
            "allowMajorVersionUpgrade": False,
        },
        {
            "dBInstanceIdentifier": db_id,
            "dBInstanceClass": "db.r6g.xlarge",
            "engine": "postgres",
            "dBInstanceStatus": "available",
            "backupRetentionPeriod": 14,
            "multiAZ": True,
            "engineVersion": "15.5",
            "pendingModifiedValues": {},
            "dBInstanceArn": kit.arn("rds", f"db:{db_id}"),
        },
        read_only=False,
        ip=dip,
        agent=CONSOLE_AGENT,
        version="1.08",
        console=True,
    )
    # CI deploys another service's launch template
    ci = role_identity(
        kit,
        "github-actions-deploy",
        "GitHubActions",
        onset - timedelta(minutes=30),
        oidc="token.actions.githubusercontent.com",
    )
    ci_at = onset - timedelta(minutes=rng.randint(21, 27), seconds=rng.randint(0, 59))
    lt_id = kit.ec2_id("lt")
    kit.trail(
        ci_at,
        ec2s,
        "CreateLaunchTemplateVersion",
        ci,
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateId": lt_id,
                "SourceVersion": "$Latest",
                "LaunchTemplateData": {"ImageId": kit.ec2_id("ami")},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "launchTemplateVersion": {
                    "launchTemplateId": lt_id,
                    "launchTemplateName": "search-indexer",
                    "versionNumber": rng.randint(20, 60),
                    "defaultVersion": False,
                }
            }
        },
        read_only=False,
        ip=kit.public_ip(),
        agent=TERRAFORM.format(api="ec2#1.155.0"),
    )
    kit.trail(
        ci_at + timedelta(seconds=6),
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        ci,
        {"autoScalingGroupName": "search-indexer-prod", "preferences": {"minHealthyPercentage": 90}},
        {"instanceRefreshId": kit.uuid()},
        read_only=False,
        ip=kit.public_ip(),
        agent=TERRAFORM.format(api="autoscaling#1.40.0"),
    )
    kit.event(
        "autoscaling",
        {
            "ActivityId": kit.uuid(),
            "AutoScalingGroupName": "search-indexer-prod",
            "Description": f"Terminating EC2 instance: {kit.ec2_id('i')}",
            "Cause": f"At {iso(ci_at + timedelta(seconds=40))} an instance was taken out of service in response to an instance refresh.  At {iso(ci_at + timedelta(seconds=40))} instance {kit.ec2_id('i')} was selected for termination.",
            "StartTime": iso(ci_at + timedelta(seconds=40)),
            "EndTime": iso(ci_at + timedelta(minutes=4)),
            "StatusCode": "Successful",
            "Progress": 100,
        },
    )
    # routine: grafana, secrets refresh by the app role, SSM agent, on-call reads
    graf = role_identity(kit, "grafana-cloudwatch-read", "grafana", start)
    t = start + timedelta(seconds=rng.randint(60, 600))
    while t < now:
        kit.trail(
            t,
            "monitoring.amazonaws.com",
            "GetMetricData",
            graf,
            {"startTime": iso(t - timedelta(hours=6)), "endTime": iso(t)},
            None,
            read_only=True,
            ip="3.92.14.77",
            agent=GRAFANA,
        )
        t += timedelta(seconds=rng.randint(1500, 2700))
    nat_ips = [kit.public_ip() for _ in instances]
    for iid, ip, az in instances:
        app_role = role_identity(kit, "bookings-api-instance", iid, start - timedelta(hours=1))
        t = start + timedelta(seconds=rng.randint(60, 3000))
        while t < now:
            kit.trail(
                t,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                app_role,
                {"secretId": "prod/bookings/db-credentials"},
                None,
                read_only=True,
                ip=nat_ips[instances.index((iid, ip, az))],
                agent="aws-sdk-java/2.25.28 Linux/5.10.216-204.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
            )
            t += timedelta(seconds=rng.randint(3300, 3900))
    t = first_5xx + timedelta(minutes=rng.randint(7, 10))
    for i, (src, name, params) in enumerate(
        [
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db_id}),
            ("rds.amazonaws.com", "DescribeEvents", {"sourceIdentifier": db_id, "sourceType": "db-instance"}),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        ]
    ):
        kit.trail(
            t + timedelta(seconds=25 * i + rng.randint(0, 9)),
            src,
            name,
            oid,
            params,
            None,
            read_only=True,
            ip=oip,
            agent=CONSOLE_AGENT,
            console=True,
        )

    local = asked_local.astimezone(ZoneInfo(tz))
    clock = f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    question = rng.choice(
        [
            f"bookings API is throwing 500s and requests are hanging for ~30s, started around {clock}. what's going on?",
            f"Customers can't load bookings since about {clock} - lots of 500s from the bookings ALB and it's really slow. Can you find out why?",
        ]
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": sg["db"],
            "category": "change",
            "failure_mode": "security-group-ingress-revoked",
            "event_id": culprit["eventID"],
        },
        "also_accept": ["bookings-db-sg"],
        "actions": ["rollback"],
        "chain": [
            f"RevokeSecurityGroupIngress removed bookings-db-sg ({sg['db']})'s rule allowing 5432 from bookings-app-sg ({sg['app']}).",
            f"New connections from the bookings-api instances to {db_id} time out; existing pooled connections keep working until HikariCP retires them (30 min).",
            "As each instance's pool empties, requests wait 30 s for a connection and fail with 500.",
            f"{lb_name} target 5xx and p99 TargetResponseTime climb; bookings-alb-target-5xx and bookings-api-p99-latency alarm.",
        ],
    }
    return kit.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={"question": question, "alarm_event": None, "timezone": tz},
        truth=truth,
    )
