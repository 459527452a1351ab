"""Partner-bank calls from several VPCs fail through the central egress proxies at the evening peak."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zzzc as k

NAME = "payout-transfers-failing-evening"
TITLE = "Payout transfers to partner banks failing at the evening peak"
SUMMARY = (
    "The two egress forward-proxy instances behind the Transit Gateway hit their EC2 connection-tracking "
    "allowance as the evening settlement batch added connections; new proxy connections are dropped."
)

ACCOUNT_POOL = ["284019573362", "519372046108", "907164283551"]
REGION = "us-east-1"


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    acct = rng.choice(ACCOUNT_POOL)
    onset = k.base_day(rng, 17, rng.randint(20, 55)).replace(second=rng.randint(0, 59))
    start = (onset - timedelta(hours=4, minutes=rng.randint(0, 25))).replace(second=0)
    now = onset + timedelta(minutes=rng.randint(35, 50))
    end = now
    batch_at = (
        onset.replace(minute=0, second=0)
        if onset.minute >= 30
        else onset.replace(minute=0, second=0) - timedelta(minutes=30)
    )
    batch_at = max(batch_at, onset - timedelta(minutes=45))
    azs = ["us-east-1a", "us-east-1b"]
    topic = f"arn:aws:sns:{REGION}:{acct}:payments-oncall"
    itype = rng.choice(["c6i.large", "m6i.large"])
    vpc_egress, vpc_pay = k.hexid(rng, "vpc-"), k.hexid(rng, "vpc-")
    sg_proxy = k.hexid(rng, "sg-")
    proxy_ids = [k.hexid(rng, "i-") for _ in range(2)]
    proxy_ips = [f"10.0.{8 + 16 * n}.{rng.randint(10, 200)}" for n in range(2)]
    proxy_enis = [k.hexid(rng, "eni-") for _ in range(2)]
    proxy_subnets = [k.hexid(rng, "subnet-") for _ in range(2)]
    worker_ids = [k.hexid(rng, "i-") for _ in range(3)]
    worker_ips = [f"10.60.{4 + 16 * (n % 2)}.{rng.randint(10, 200)}" for n in range(3)]
    nat_ids = [k.hexid(rng, "nat-") for _ in range(2)]
    asg = "egress-proxy"
    tg_suffix = k.hexid(rng, "", 16)
    nlb_suffix = k.hexid(rng, "", 16)
    nlb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:loadbalancer/net/egress-proxy-int/{nlb_suffix}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{acct}:targetgroup/egress-proxy-3128/{tg_suffix}"
    partner = rng.choice(["api.northgatebank.com", "connect.harbourtrust.co.uk"])
    created = onset - timedelta(days=rng.randint(200, 500))

    # --- resources -------------------------------------------------------------------------------------
    res: list[k.Rec] = []
    res.append(
        {"service": "ec2", "type": "Vpc", "item": k.vpc(vpc_egress, "10.0.0.0/16", "egress-inspection", acct)}
    )
    res.append(
        {"service": "ec2", "type": "Vpc", "item": k.vpc(vpc_pay, "10.60.0.0/16", "payments-prod", acct)}
    )
    launched = onset - timedelta(days=rng.randint(40, 90))
    ami = k.hexid(rng, "ami-")
    for n in range(2):
        inst = k.instance(
            proxy_ids[n],
            itype,
            proxy_ips[n],
            proxy_subnets[n],
            vpc_egress,
            azs[n],
            (sg_proxy, "egress-proxy"),
            launched + timedelta(minutes=n * 3),
            "egress-proxy",
            ami,
            proxy_enis[n],
            "egress-proxy",
            acct,
        )
        inst["Tags"].append({"Key": "aws:autoscaling:groupName", "Value": asg})
        inst["SourceDestCheck"] = True
        res.append({"service": "ec2", "type": "Instance", "item": inst})
        res.append(
            {"service": "ec2", "type": "InstanceStatus", "item": k.instance_status(proxy_ids[n], azs[n])}
        )
        res.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": k.subnet(
                    proxy_subnets[n],
                    vpc_egress,
                    f"10.0.{16 * n}.0/20",
                    azs[n],
                    f"egress-private-{azs[n][-1]}",
                    acct,
                    rng.randint(4070, 4085),
                ),
            }
        )
    wami = k.hexid(rng, "ami-")
    for n in range(3):
        sid = k.hexid(rng, "subnet-")
        res.append(
            {
                "service": "ec2",
                "type": "Instance",
                "item": k.instance(
                    worker_ids[n],
                    "m6i.xlarge",
                    worker_ips[n],
                    sid,
                    vpc_pay,
                    azs[n % 2],
                    (k.hexid(rng, "sg-"), "payouts-worker"),
                    onset - timedelta(days=rng.randint(2, 9)),
                    "payouts-worker",
                    wami,
                    k.hexid(rng, "eni-"),
                    "payouts-worker",
                    acct,
                ),
            }
        )
        res.append(
            {"service": "ec2", "type": "InstanceStatus", "item": k.instance_status(worker_ids[n], azs[n % 2])}
        )
    lt_id = k.hexid(rng, "lt-")
    res.append(
        {
            "service": "autoscaling",
            "type": "AutoScalingGroup",
            "item": {
                "AutoScalingGroupName": asg,
                "AutoScalingGroupARN": f"arn:aws:autoscaling:{REGION}:{acct}:autoScalingGroup:{k.uid(rng)}:autoScalingGroupName/{asg}",
                "LaunchTemplate": {
                    "LaunchTemplateId": lt_id,
                    "LaunchTemplateName": "egress-proxy",
                    "Version": "$Latest",
                },
                "MinSize": 2,
                "MaxSize": 2,
                "DesiredCapacity": 2,
                "DefaultCooldown": 300,
                "AvailabilityZones": azs,
                "TargetGroupARNs": [tg_arn],
                "HealthCheckType": "ELB",
                "HealthCheckGracePeriod": 300,
                "Instances": [
                    {
                        "InstanceId": proxy_ids[n],
                        "InstanceType": itype,
                        "AvailabilityZone": azs[n],
                        "LifecycleState": "InService",
                        "HealthStatus": "Healthy",
                        "LaunchTemplate": {
                            "LaunchTemplateId": lt_id,
                            "LaunchTemplateName": "egress-proxy",
                            "Version": "7",
                        },
                        "ProtectedFromScaleIn": False,
                    }
                    for n in range(2)
                ],
                "CreatedTime": k.iso(created),
                "VPCZoneIdentifier": ",".join(proxy_subnets),
                "Tags": [
                    {
                        "ResourceId": asg,
                        "ResourceType": "auto-scaling-group",
                        "Key": "Name",
                        "Value": "egress-proxy",
                        "PropagateAtLaunch": True,
                    }
                ],
            },
        }
    )
    res.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": nlb_arn,
                "DNSName": f"egress-proxy-int-{nlb_suffix}.elb.{REGION}.amazonaws.com",
                "CanonicalHostedZoneId": "Z26RNL4JYFTOTI",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": "egress-proxy-int",
                "Scheme": "internal",
                "VpcId": vpc_egress,
                "State": {"Code": "active"},
                "Type": "network",
                "AvailabilityZones": [{"ZoneName": azs[n], "SubnetId": proxy_subnets[n]} for n in range(2)],
                "IpAddressType": "ipv4",
            },
        }
    )
    res.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "egress-proxy-3128",
                "Protocol": "TCP",
                "Port": 3128,
                "VpcId": vpc_egress,
                "HealthCheckProtocol": "TCP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 10,
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "LoadBalancerArns": [nlb_arn],
                "TargetType": "instance",
                "IpAddressType": "ipv4",
            },
        }
    )
    for n in range(2):
        res.append(
            {
                "service": "ec2",
                "type": "NatGateway",
                "item": {
                    "CreateTime": k.iso(created),
                    "NatGatewayAddresses": [
                        {
                            "AllocationId": k.hexid(rng, "eipalloc-"),
                            "NetworkInterfaceId": k.hexid(rng, "eni-"),
                            "PrivateIp": f"10.0.{128 + 16 * n}.{rng.randint(5, 250)}",
                            "PublicIp": f"54.{rng.randint(80, 90)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                            "IsPrimary": True,
                            "Status": "succeeded",
                        }
                    ],
                    "NatGatewayId": nat_ids[n],
                    "State": "available",
                    "SubnetId": k.hexid(rng, "subnet-"),
                    "VpcId": vpc_egress,
                    "ConnectivityType": "public",
                    "Tags": k.tags(Name=f"egress-nat-{azs[n][-1]}"),
                },
            }
        )
    res.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": sg_proxy,
                "GroupName": "egress-proxy",
                "Description": "squid forward proxy",
                "OwnerId": acct,
                "VpcId": vpc_egress,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 3128,
                        "ToPort": 3128,
                        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "all internal VPCs via TGW"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "Tags": k.tags(Name="egress-proxy"),
            },
        }
    )

    # --- metrics ---------------------------------------------------------------------------------------
    metrics: list[k.Rec] = []
    span = (onset - start).total_seconds()

    def load(t: datetime) -> float:
        """Connection demand relative to the afternoon: climbs through the afternoon, steps up with the batch."""
        x = max(0.0, min(1.0, (t - start).total_seconds() / span))
        v = 0.72 + 0.18 * x
        if t >= batch_at:
            v += 0.22 * min(
                1.0, (t - batch_at).total_seconds() / max(60.0, (onset - batch_at).total_seconds())
            )
        return v

    def over(t: datetime) -> bool:
        return t >= onset

    allowance = rng.choice([48000, 52000, 56000])  # roughly what the type gets; AWS does not publish it
    for iid in proxy_ids:
        dims = {"InstanceId": iid, "driver": "ena", "interface": "ens5"}
        counter = {"v": float(rng.randint(0, 40))}

        def exceeded(t: datetime, c: dict[str, float] = counter) -> float:
            if over(t):
                c["v"] += rng.randint(2500, 6000) * load(t)
            return c["v"]

        def available(t: datetime) -> float:
            used = allowance * 0.93 * load(t) / 1.12 * rng.uniform(0.98, 1.02)
            return 0.0 if over(t) else max(0.0, round(allowance - used))

        metrics += k.series(
            "CWAgent", "ethtool_conntrack_allowance_exceeded", dims, "None", start, end, 60, exceeded
        )
        metrics += k.series(
            "CWAgent", "ethtool_conntrack_allowance_available", dims, "None", start, end, 60, available
        )
        metrics += k.series(
            "CWAgent", "ethtool_pps_allowance_exceeded", dims, "None", start, end, 60, lambda t: 0.0
        )
        metrics += k.series(
            "CWAgent", "ethtool_bw_out_allowance_exceeded", dims, "None", start, end, 60, lambda t: 0.0
        )
        metrics += k.series(
            "CWAgent",
            "mem_used_percent",
            {"InstanceId": iid},
            "Percent",
            start,
            end,
            60,
            lambda t: rng.uniform(31, 36),
        )
        metrics += k.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            start,
            end,
            300,
            lambda t: 18 + 22 * load(t) * rng.uniform(0.95, 1.05),
        )
        metrics += k.series(
            "AWS/EC2",
            "NetworkPacketsIn",
            {"InstanceId": iid},
            "Count",
            start,
            end,
            300,
            lambda t: 4.1e6 * load(t) * rng.uniform(0.95, 1.05),
        )
        metrics += k.series(
            "AWS/EC2",
            "NetworkOut",
            {"InstanceId": iid},
            "Bytes",
            start,
            end,
            300,
            lambda t: 2.3e9 * load(t) * rng.uniform(0.95, 1.05) * (0.8 if over(t) else 1.0),
        )
    nlb_dim = {"LoadBalancer": f"net/egress-proxy-int/{nlb_suffix}"}
    tg_dim = {**nlb_dim, "TargetGroup": f"targetgroup/egress-proxy-3128/{tg_suffix}"}

    def unhealthy(t: datetime) -> float:
        if not over(t):
            return 0.0
        return float(rng.choice([0, 0, 1, 1, 2]))

    metrics += k.series(
        "AWS/NetworkELB",
        "ActiveFlowCount",
        nlb_dim,
        "Count",
        start,
        end,
        60,
        lambda t: 21000 * load(t) * rng.uniform(0.97, 1.03),
    )
    metrics += k.series(
        "AWS/NetworkELB",
        "NewFlowCount",
        nlb_dim,
        "Count",
        start,
        end,
        60,
        lambda t: 5200 * load(t) * rng.uniform(0.95, 1.05),
    )
    metrics += k.series(
        "AWS/NetworkELB",
        "TCP_Target_Reset_Count",
        nlb_dim,
        "Count",
        start,
        end,
        60,
        lambda t: rng.uniform(3, 12),
    )
    metrics += k.series("AWS/NetworkELB", "UnHealthyHostCount", tg_dim, "Count", start, end, 60, unhealthy)
    metrics += k.series(
        "AWS/NetworkELB", "HealthyHostCount", tg_dim, "Count", start, end, 60, lambda t: 2.0 - unhealthy(t)
    )
    for nat in nat_ids:
        metrics += k.series(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            {"NatGatewayId": nat},
            "Count",
            start,
            end,
            60,
            lambda t: 9800 * load(t) * rng.uniform(0.95, 1.05) * (0.85 if over(t) else 1.0),
        )
        metrics += k.series(
            "AWS/NATGateway",
            "ErrorPortAllocation",
            {"NatGatewayId": nat},
            "Count",
            start,
            end,
            60,
            lambda t: 0.0,
        )
        metrics += k.series(
            "AWS/NATGateway",
            "PacketsDropCount",
            {"NatGatewayId": nat},
            "Count",
            start,
            end,
            60,
            lambda t: 0.0,
        )
    pdims = {"Service": "payouts-worker", "Partner": partner.split(".")[1]}

    def failures(t: datetime) -> float:
        return round(rng.uniform(90, 260) * load(t)) if over(t) else float(rng.choice([0, 0, 0, 1, 2]))

    metrics += k.series("Payouts", "PartnerCallFailures", pdims, "Count", start, end, 60, failures)
    metrics += k.series(
        "Payouts",
        "PartnerCalls",
        pdims,
        "Count",
        start,
        end,
        60,
        lambda t: round(640 * load(t) * rng.uniform(0.95, 1.05)),
    )

    # --- alarms ----------------------------------------------------------------------------------------
    alarms: list[k.Rec] = []
    history: list[k.Rec] = []
    fire = onset.replace(second=0) + timedelta(minutes=3, seconds=rng.randint(5, 45))
    pa = k.alarm(
        acct,
        REGION,
        "payouts-partner-call-failures",
        "payouts-worker: failed partner bank API calls over 25/min",
        "Payouts",
        "PartnerCallFailures",
        pdims,
        stat="Sum",
        period=60,
        evals=3,
        threshold=25.0,
        op="GreaterThanThreshold",
        state="ALARM",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (25.0).",
        updated=fire,
        configured=onset - timedelta(days=90),
        topic=topic,
        missing="notBreaching",
    )
    rd = k.reason_data(pa, fire, [float(rng.randint(150, 260)) for _ in range(3)])
    alarms.append(pa)
    history.append(k.transition(pa, fire, "OK", "ALARM", pa["StateReason"], rd))
    ua = k.alarm(
        acct,
        REGION,
        "egress-proxy-unhealthy-targets",
        "egress proxy NLB has an unhealthy target",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        tg_dim,
        stat="Maximum",
        period=60,
        evals=2,
        threshold=1.0,
        op="GreaterThanOrEqualToThreshold",
        state="OK",
        reason="Threshold Crossed: 2 out of the last 2 datapoints [0.0 (x), 0.0 (x)] were not greater than or equal to the threshold (1.0).",
        updated=now - timedelta(minutes=rng.randint(2, 6)),
        configured=onset - timedelta(days=300),
        topic=topic,
    )
    alarms.append(ua)
    tflap = onset + timedelta(minutes=6)
    for i in range(3):
        t1 = tflap + timedelta(minutes=9 * i)
        history.append(
            k.transition(
                ua,
                t1,
                "OK",
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than or equal to the threshold (1.0).",
                k.reason_data(ua, t1, [1.0, 2.0]),
            )
        )
        history.append(
            k.transition(
                ua,
                t1 + timedelta(minutes=3),
                "ALARM",
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than or equal to the threshold (1.0).",
                k.reason_data(ua, t1 + timedelta(minutes=3), [0.0, 0.0]),
            )
        )
    ua["StateUpdatedTimestamp"] = ua["StateTransitionedTimestamp"] = k.iso(tflap + timedelta(minutes=21))
    for iid in proxy_ids:
        alarms.append(
            k.alarm(
                acct,
                REGION,
                f"egress-proxy-cpu-high-{iid}",
                "egress proxy CPU above 80% for 10 minutes",
                "AWS/EC2",
                "CPUUtilization",
                {"InstanceId": iid},
                stat="Average",
                period=300,
                evals=2,
                threshold=80.0,
                op="GreaterThanThreshold",
                state="OK",
                reason="Threshold Crossed: 2 datapoints were not greater than the threshold (80.0).",
                updated=launched + timedelta(minutes=8),
                configured=launched,
                topic=topic,
            )
        )
    for nat in nat_ids:
        alarms.append(
            k.alarm(
                acct,
                REGION,
                f"nat-port-allocation-errors-{nat}",
                "NAT gateway port allocation errors",
                "AWS/NATGateway",
                "ErrorPortAllocation",
                {"NatGatewayId": nat},
                stat="Sum",
                period=300,
                evals=1,
                threshold=0.0,
                op="GreaterThanThreshold",
                state="OK",
                reason="Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
                updated=onset - timedelta(days=41),
                configured=onset - timedelta(days=180),
                topic=topic,
            )
        )

    # --- logs ------------------------------------------------------------------------------------------
    logs: list[k.Rec] = []
    t = start
    while t < now:
        n = rng.randrange(3)
        stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{rng.randint(0, 999):03d}"
        pid = k.uid(rng)[:12]
        if over(t) and rng.random() < 0.35:
            msg = (
                f"{stamp} ERROR payouts.transfer [payout={pid}] transfer submit failed, will retry: "
                f"HTTPSConnectionPool(host='{partner}', port=443): Max retries exceeded with url: /v3/transfers "
                "(Caused by ProxyError('Unable to connect to proxy', ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at "
                f"0x7f{rng.randint(0x1000000000, 0xFFFFFFFFFF):x}>, 'Connection to proxy.egress.internal timed out. (connect timeout=5)')))"
            )
        else:
            msg = f"{stamp} INFO payouts.transfer [payout={pid}] submitted to {partner} status=202 in {rng.randint(180, 900)}ms"
        logs.append(
            {
                "log_group": "/payments/payouts-worker",
                "log_stream": worker_ids[n],
                "timestamp": k.ms(t),
                "message": msg,
            }
        )
        t += timedelta(seconds=rng.randint(4, 14))
    t = start
    while t < now:
        n = rng.randrange(2)
        src = rng.choice(
            [*worker_ips, f"10.{rng.choice([20, 40, 60])}.{rng.randint(1, 40)}.{rng.randint(4, 250)}"]
        )
        dest = rng.choice(
            [partner, partner, "hooks.slack.com", "api.stripe.com", "sqs.us-east-1.amazonaws.com"]
        )
        msg = f"{t.timestamp():.3f} {rng.randint(40, 30000):6d} {src} TCP_TUNNEL/200 {rng.randint(3000, 90000)} CONNECT {dest}:443 - HIER_DIRECT/{rng.randint(3, 54)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)} -"
        logs.append(
            {
                "log_group": "/egress/squid/access",
                "log_stream": proxy_ids[n],
                "timestamp": k.ms(t),
                "message": msg,
            }
        )
        t += timedelta(seconds=rng.randint(3, 9))
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- CloudTrail ------------------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    tf = tr.role("terraform-ci", "atlantis-" + str(rng.randint(1000, 9999)))
    grafana = tr.role("grafana-cloudwatch-read", "grafana")
    eng = tr.role(
        "AWSReservedSSO_PaymentsEngineer_7d2e41a9c03b5f16",
        rng.choice(["s.achebe@fernpay.io", "t.varga@fernpay.io"]),
    )
    net = tr.role("AWSReservedSSO_NetworkAdmin_5c1e0b7a93d2f481", "r.hollis@fernpay.io")
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    tfa = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8"
    grafa = "Grafana/10.4.1 aws-sdk-go/1.50.8 (go1.21.9; linux; amd64)"
    tr.noise(
        start,
        now,
        [
            ("ec2.amazonaws.com", "DescribeInstances", tf, {"instancesSet": {}, "filterSet": {}}, tfa),
            ("ec2.amazonaws.com", "DescribeNatGateways", tf, {"DescribeNatGatewaysRequest": {}}, tfa),
            (
                "autoscaling.amazonaws.com",
                "DescribeAutoScalingGroups",
                tf,
                {"autoScalingGroupNames": [asg]},
                tfa,
            ),
            ("monitoring.amazonaws.com", "GetMetricData", grafana, None, grafa),
            ("monitoring.amazonaws.com", "DescribeAlarms", grafana, {"maxRecords": 100}, grafa),
            (
                "ssm.amazonaws.com",
                "UpdateInstanceInformation",
                tr.role("egress-proxy", proxy_ids[0]),
                {
                    "instanceId": proxy_ids[0],
                    "agentVersion": "3.3.1142.0",
                    "agentStatus": "Active",
                    "platformType": "Linux",
                    "platformName": "Amazon Linux",
                    "platformVersion": "2023",
                    "iPAddress": proxy_ips[0],
                    "computerName": f"ip-{proxy_ips[0].replace('.', '-')}.ec2.internal",
                    "agentName": "amazon-ssm-agent",
                    "availabilityZone": azs[0],
                    "availabilityZoneId": "use1-az4",
                },
                "aws-sdk-go/1.44.302 (go1.22.4; linux; amd64) amazon-ssm-agent/3.3.1142.0",
            ),
        ],
        rng.randint(30, 40),
    )
    cluster = f"arn:aws:ecs:{REGION}:{acct}:cluster/payments-batch"
    tr.add(
        batch_at + timedelta(seconds=rng.randint(0, 4)),
        "ecs.amazonaws.com",
        "RunTask",
        {
            "type": "AssumedRole",
            "principalId": "AROAEVENTS:events-settlement",
            "arn": f"arn:aws:sts::{acct}:assumed-role/ecs-events-settlement/{k.hexid(rng, '', 32)}",
            "accountId": acct,
            "invokedBy": "events.amazonaws.com",
        },
        {
            "cluster": cluster,
            "count": 6,
            "launchType": "FARGATE",
            "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/settlement-export:{rng.randint(40, 60)}",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "assignPublicIp": "DISABLED",
                    "subnets": [k.hexid(rng, "subnet-")],
                    "securityGroups": [k.hexid(rng, "sg-")],
                }
            },
            "startedBy": "events-rule/settlement-export-eve",
        },
        {
            "tasks": [
                {
                    "clusterArn": cluster,
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                    "launchType": "FARGATE",
                    "taskArn": f"arn:aws:ecs:{REGION}:{acct}:task/payments-batch/{k.hexid(rng, '', 32)}",
                }
            ],
            "failures": [],
        },
        agent="events.amazonaws.com",
        ip="events.amazonaws.com",
        service_call=True,
    )
    dep = "d-" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    tr.add(
        onset - timedelta(minutes=rng.randint(60, 100)),
        "codedeploy.amazonaws.com",
        "CreateDeployment",
        tr.role("github-actions-deploy", "GitHubActions"),
        {
            "applicationName": "payouts-worker",
            "deploymentGroupName": "prod",
            "revision": {
                "revisionType": "S3",
                "s3Location": {
                    "bucket": f"fernpay-artifacts-{acct}",
                    "key": f"payouts-worker/payouts-worker-2.{rng.randint(10, 40)}.{rng.randint(0, 9)}.zip",
                    "bundleType": "zip",
                },
            },
            "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        },
        {"deploymentId": dep},
        agent="aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/codedeploy#3.556.0",
        ip="140.82.112.21",
    )
    tr.add(
        onset - timedelta(minutes=rng.randint(18, 30)),
        "network-firewall.amazonaws.com",
        "UpdateRuleGroup",
        net,
        {
            "ruleGroupName": "egress-domain-allowlist",
            "type": "STATEFUL",
            "updateToken": k.uid(rng),
            "ruleGroup": "***",
        },
        {
            "updateToken": k.uid(rng),
            "ruleGroupResponse": {
                "ruleGroupName": "egress-domain-allowlist",
                "type": "STATEFUL",
                "ruleGroupStatus": "ACTIVE",
                "capacity": 300,
            },
        },
        agent=console,
        ip="203.0.113.61",
    )
    tr.add(
        onset - timedelta(minutes=rng.randint(130, 170)),
        "ec2.amazonaws.com",
        "ModifySecurityGroupRules",
        net,
        {
            "ModifySecurityGroupRulesRequest": {
                "GroupId": sg_proxy,
                "SecurityGroupRule": {
                    "SecurityGroupRuleId": k.hexid(rng, "sgr-"),
                    "SecurityGroupRule": {
                        "IpProtocol": "tcp",
                        "FromPort": 3128,
                        "ToPort": 3128,
                        "CidrIpv4": "10.0.0.0/8",
                        "Description": "all internal VPCs via TGW",
                    },
                },
            }
        },
        {
            "ModifySecurityGroupRulesResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": k.uid(rng),
                "return": True,
            }
        },
        agent=console,
        ip="203.0.113.61",
    )
    for n in range(2):
        tr.add(
            fire + timedelta(minutes=4 + 3 * n),
            "ec2.amazonaws.com",
            "DescribeInstanceStatus",
            eng,
            {
                "instancesSet": {"items": [{"instanceId": proxy_ids[n]}]},
                "filterSet": {},
                "includeAllInstances": False,
            },
            read_only=True,
            agent=console,
            ip="198.51.100.90",
        )
    tr.add(
        fire + timedelta(minutes=5),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        eng,
        {"targetGroupArn": tg_arn},
        read_only=True,
        agent=console,
        ip="198.51.100.90",
    )

    event = k.alarm_event(pa, acct, REGION, fire, rng, pa["StateReason"], rd)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": asg,
                    "category": "limit",
                    "failure_mode": "ec2-conntrack-allowance-exceeded",
                },
                "also_accept": [*proxy_ids, "egress-proxy-int", "egress proxy instances"],
                "actions": ["scale", "reconfigure"],
                "chain": [asg, "egress-proxy-int", "payouts-worker", "payouts-partner-call-failures"],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "resources": res,
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": tr.sorted(),
        },
    )
