"""Head office loses the ERP: VGW route propagation switched off on the private route table."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzr import Env, iso

NAME = "erp-hq-vpn-route-propagation-off"
TITLE = "Head office ERP clients hang at logon although the VPN shows up"
SUMMARY = (
    "An engineer preparing a transit gateway migration disabled VGW route propagation on the ERP private "
    "route table; replies to the head office CIDR lost their route and every office session stalled."
)


def build(seed: int) -> Bundle:
    env = Env(seed, onset_local_hour=10.5)
    r = env.rng
    onset = env.onset

    def after(t: datetime) -> bool:
        return t >= onset

    def flows(t: datetime, base: float) -> float:
        if not after(t):
            return base
        mins = (t - onset).total_seconds() / 60
        # only VPC-internal sessions (RD gateway, batch) survive; office flows age out within minutes
        return base * 0.06 + base * 0.94 * max(0.0, 1 - mins / 6)

    def office_out(t: datetime, base: float) -> float:
        return float(r.randint(0, 3000)) if after(t + timedelta(minutes=1)) else base

    def conns(t: datetime, base: float) -> float:
        if not after(t):
            return base
        mins = (t - onset).total_seconds() / 60
        return max(22.0, base - min(mins, 30) * base / 40)

    env.estate(propagating=False)
    env.base_metrics(flows=flows, office_out=office_out, db_conn=conns)
    env.standard_alarms()
    # an unrelated flapping alarm: batch host disk on the nightly export volume
    env.alarm(
        "erp-batch-01-disk-used-high",
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": env.batch, "path": "/data", "device": "nvme1n1", "fstype": "xfs"},
        "Maximum",
        300,
        1,
        85,
        "GreaterThanThreshold",
        "Batch exchange volume above 85%",
        transitions=[
            (
                env.start + timedelta(minutes=50),
                "ALARM",
                "Threshold Crossed: 1 datapoint [86.2] was greater than the threshold (85.0).",
            ),
            (
                env.start + timedelta(minutes=95),
                "OK",
                "Threshold Crossed: 1 datapoint [81.7] was not greater than the threshold (85.0).",
            ),
        ],
    )
    env.series(
        "CWAgent",
        "disk_used_percent",
        {"InstanceId": env.batch, "path": "/data", "device": "nvme1n1", "fstype": "xfs"},
        "Percent",
        lambda t: (
            86.2
            if env.start + timedelta(minutes=45) <= t < env.start + timedelta(minutes=95)
            else env.jit(80.5, 0.01)
        ),
    )
    env.instance_status(env.app1, 0)
    env.instance_status(env.app2, 1)

    def quiet_after(t: datetime) -> str | None:
        if t >= onset and r.random() < 0.7:
            sess = r.randint(100000, 999999)
            ip = f"{env.office_prefix}.{r.randint(10, 40)}.{r.randint(2, 250)}"
            return f"WARN  [Session] session {sess} client {ip}: no keepalive for 120 s, closing"
        return None

    env.app_logs(env.app1, "erp-app-01", extra=quiet_after)
    env.app_logs(env.app2, "erp-app-02", extra=quiet_after)
    env.batch_logs()
    env.tooling_noise(70)
    env.console_noise()

    admin = env.user(env.admin, "AWSReservedSSO_NetworkAdmins_9d2e71b0")
    tgw = "tgw-" + env.hexid(17)
    att = "tgw-attach-" + env.hexid(17)
    t0 = onset - timedelta(minutes=r.randint(40, 70))
    env.ct(
        t0,
        "ec2.amazonaws.com",
        "DescribeRouteTables",
        admin,
        {
            "routeTableIdSet": {},
            "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": env.vpc}]}}]},
        },
        None,
        read_only=True,
    )
    env.ct(
        t0 + timedelta(minutes=4),
        "ec2.amazonaws.com",
        "CreateTransitGatewayVpcAttachment",
        admin,
        {
            "CreateTransitGatewayVpcAttachmentRequest": {
                "TransitGatewayId": tgw,
                "VpcId": env.vpc,
                "SubnetIds": {"item": env.sub_priv},
            }
        },
        {
            "CreateTransitGatewayVpcAttachmentResponse": {
                "transitGatewayVpcAttachment": {
                    "transitGatewayAttachmentId": att,
                    "transitGatewayId": tgw,
                    "vpcId": env.vpc,
                    "vpcOwnerId": env.account,
                    "state": "pending",
                    "subnetIds": {"item": env.sub_priv},
                    "creationTime": iso(t0 + timedelta(minutes=4)),
                }
            }
        },
    )
    env.ct(
        t0 + timedelta(minutes=9),
        "ec2.amazonaws.com",
        "DescribeTransitGatewayAttachments",
        admin,
        {"DescribeTransitGatewayAttachmentsRequest": {"TransitGatewayAttachmentIds": {"item": att}}},
        None,
        read_only=True,
    )
    env.ct(
        onset - timedelta(minutes=r.randint(20, 30)),
        "ec2.amazonaws.com",
        "CreateTags",
        admin,
        {
            "resourcesSet": {"items": [{"resourceId": att}]},
            "tagSet": {"items": [{"key": "Name", "value": "erp-prod-to-core-tgw"}]},
        },
        {"requestId": env.uid(), "_return": True},
    )
    culprit = env.ct(
        onset - timedelta(seconds=r.randint(30, 100)),
        "ec2.amazonaws.com",
        "DisableVgwRoutePropagation",
        admin,
        {"routeTableId": env.rtb_priv, "gatewayId": env.vgw},
        {"requestId": env.uid(), "_return": True},
    )
    env.ct(
        onset + timedelta(minutes=2),
        "ec2.amazonaws.com",
        "DescribeRouteTables",
        admin,
        {"routeTableIdSet": {"items": [{"routeTableId": env.rtb_priv}]}, "filterSet": {}},
        None,
        read_only=True,
    )
    # innocent change shortly before: a consultant's SFTP source added to the batch host
    other = env.user(env.others[0])
    cidr = f"{r.randint(100, 200)}.{r.randint(1, 250)}.{r.randint(1, 250)}.0/28"
    env.ct(
        onset - timedelta(minutes=r.randint(8, 15)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        other,
        {
            "groupId": env.sg_batch,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": cidr, "description": "Consultant SFTP"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": env.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": env.account,
                        "groupId": env.sg_batch,
                        "securityGroupRuleId": "sgr-" + env.hexid(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": cidr,
                    }
                ]
            },
        },
    )
    local = env.local(onset + timedelta(minutes=r.randint(1, 4)))
    q = (
        f"Nobody in the {env.office_city} office can get into the ERP since about {local.strftime('%H:%M')}, "
        "the client just sits on the logon screen. Our firewall says the VPN tunnel is up. "
        "Are the app servers down?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": env.rtb_priv,
            "category": "change",
            "failure_mode": "vgw-route-propagation-disabled",
            "event_id": culprit,
        },
        "also_accept": ["erp-private-rt", env.vgw],
        "actions": ["rollback"],
        "chain": [env.rtb_priv, env.vpn, env.nlb_name, "erp-appsrv-tcp"],
    }
    return env.bundle(TITLE, q, None, truth)
