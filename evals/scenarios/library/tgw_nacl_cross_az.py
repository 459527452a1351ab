"""#4 Intermittent connectivity to on-premises from one AZ: a transit-gateway subnet's network ACL.

The VPC reaches the data centre through a transit gateway; its attachment has one small subnet per
AZ, each with its own network ACL. A network engineer "scopes" one of those ACLs: its outbound allow
rule now covers only the private subnet of its own AZ. A transit-gateway subnet's outbound rules are
evaluated, by destination, for traffic the transit gateway delivers into the VPC; return traffic from
on-premises may enter through any AZ's attachment interface. Replies for instances in another AZ that
happen to come in through the changed subnet are rejected there (flow-log REJECTs on the transit
gateway's interface), so those instances' connections to on-premises time out some of the time.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_network
from typing import Any

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Instance, iso, tags
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library._instance_storage import StorageIncident, new_incident
from evals.scenarios.registry import scenario
from evals.scenarios.series import Series, noisy
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "Calls from {svc} to {host} keep timing out since {t}, but only sometimes. The data centre says "
    "nothing changed on their side.",
    "Intermittent timeouts to on-prem ({host}) since {t}. Retrying usually works. Why?",
    "Some {svc} instances can't reach {host} reliably since {t}; others are fine.",
]
ON_PREM = [("172.16.0.0/12", "172.{a}.{b}.{c}", (16, 31)), ("192.168.0.0/16", "192.168.{b}.{c}", (0, 0))]
HOSTS = ["erp.corp.internal", "ldap.corp.example.com", "sap-gw.corp.internal", "billing.dc1.internal"]
PORTS = [443, 8443, 1433, 636]
LOG_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} "
    "${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)


@dataclass
class Transit:
    """The transit gateway, the VPC's attachment, its per-AZ subnets, interfaces and network ACLs."""

    tgw_id: str
    attachment_id: str
    vpn_attachment_id: str
    subnets: dict[str, dict[str, Any]]  # AZ -> subnet item
    enis: dict[str, str]  # AZ -> the attachment's interface there
    acls: dict[str, dict[str, Any]]  # AZ -> network ACL item
    default_acl: dict[str, Any]
    on_prem: str
    host: str
    host_ip: str
    port: int
    flow_group: str


@scenario(
    4,
    "tgw-nacl-cross-az",
    "Intermittent on-premises timeouts from one AZ: a transit-gateway subnet's network ACL",
    "A narrowed outbound rule on one TGW attachment subnet's ACL rejects replies for instances in another AZ.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    changed_az = rng.choice(acct.azs)
    victim_az = rng.choice([az for az in acct.azs if az != changed_az])
    net = _transit(inc)
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    onset_i = w.index(w.onset)

    acl = net.acls[changed_az]
    # The private subnet's block as a valid network: EC2 refuses a CIDR with host bits set.
    own = str(
        ip_network(
            next(s for s in acct.private_subnets if s["AvailabilityZone"] == changed_az)["CidrBlock"],
            strict=False,
        )
    )
    actor = rng.choice([*cloudtrail.people(inc, 3), cloudtrail.ci_actor(inc)])
    change = _entry_call(inc, actor, w.onset, "ReplaceNetworkAclEntry", acl, 100, True, own)
    _set_entry(acl, 100, True, own, "allow")
    onprem_rule = rng.choice([110, 120, 200])
    _entry_call(
        inc,
        actor,
        w.onset + timedelta(seconds=rng.randrange(20, 90)),
        "CreateNetworkAclEntry",
        acl,
        onprem_rule,
        True,
        net.on_prem,
    )
    _set_entry(acl, onprem_rule, True, net.on_prem, "allow")
    acl_arn = f"arn:aws:ec2:{acct.region}:{acct.account_id}:network-acl/{acl['NetworkAclId']}"
    inc.hop("outbound rule of the transit-gateway subnet's ACL narrowed to its own AZ", acl_arn, w.onset)
    _innocent_acl_change(inc, net, victim_az)

    # Each new connection's reply comes back through one of the attachment's interfaces.
    p_fail = 1 / len(acct.azs)
    timeout_s = rng.choice([3, 5, 10, 30])
    share = rng.uniform(0.25, 0.5)  # requests that call on-premises
    victims = [i for i in svc.instances if i.az == victim_az]
    rpm = traffic.rpm[svc.name]
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    first = w.same_minute(w.onset, rng, (3, 30))
    for i in range(onset_i, w.minutes):
        alive = svc.alive(w.at(i))
        frac = len([v for v in victims if v in alive]) / max(len(alive), 1)
        failing = rpm[i] * share * frac * p_fail
        t5.values[i] = (t5.values[i] or 0) + float(round(failing * rng.uniform(0.9, 1.1)))
        lat.values[i] = (lat.values[i] or 0.1) + share * frac * p_fail * timeout_s * rng.uniform(0.9, 1.1)
    refresh_alb_latency(inc, traffic)
    inc.hop(f"{svc.name} calls to {net.host} from {victim_az} time out", svc.tg_arn, first, t5)

    for i in range(onset_i, w.minutes):
        for inst in victims:
            if not inst.alive(w.at(i)):
                continue
            alive = svc.alive(w.at(i))
            for _ in range(min(poisson(rng, rpm[i] / len(alive) * share * p_fail * 0.02), 6)):
                when = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
                logs.app_line(inc, svc, inst, when, "ERROR", _timeout_line(rng, net, timeout_s))

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep.name != net.host or inst.az != victim_az or when < w.onset or rng.random() > p_fail:
            return None
        return Outcome(
            extra_ms=timeout_s * 1000,
            fault=True,
            exception="SocketTimeoutException",
            message=f"Connect to {net.host}:{net.port} [{net.host}/{net.host_ip}] failed: connect timed out",
            status=504,
        )

    dep = Dependency("http", net.host, rng.uniform(15, 45), share)
    topic = assembly.background(
        inc,
        traffic,
        near=["app_sg_monitoring_port", "alb_ingress", "target_group_attributes", "launch_template_version"],
        hook=hook,
        extra_deps=[dep],
    )
    # A connect timeout gets no HTTP response: the subsegment keeps only its request.
    for t in inc.traces:
        for sub in t.get("subsegments", []):
            if sub.get("name") == net.host and sub.get("fault"):
                sub["http"].pop("response", None)
    _flow_logs(inc, net, traffic, share, victims, p_fail, changed_az)
    _tgw_metrics(inc, net, traffic, share)
    inc.extra_resources += _transit_records(inc, net)

    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(t=assembly.local_time(inc, w.onset), svc=svc.name, host=net.host)
    assembly.pick_trigger(inc, alarms, ["target_5xx", "latency", "elb_5xx"], w.onset, question)
    inc.title = f"{svc.name} in {victim_az}: intermittent timeouts to {net.host}"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=acl_arn,
            category="change",
            failure_mode="nacl-blocks-ephemeral-return-traffic",
            event_id=change["eventID"],
        ),
        also_accept=[net.subnets[changed_az]["SubnetArn"]],
        actions=["rollback"],
        chain=[
            f"rule 100 (egress) of {acl['NetworkAclId']} on the {changed_az} transit-gateway subnet now allows "
            f"only {own}",
            f"replies from {net.on_prem} for instances in {victim_az} that enter through the {changed_az} "
            f"attachment interface {net.enis[changed_az]} are rejected",
            f"about 1 in {len(acct.azs)} connections from {victim_az} to {net.host} time out after {timeout_s}s; "
            f"{svc.name} answers those requests with 5XX",
        ],
    )
    return inc


def _entries(cidr: str = "0.0.0.0/0") -> list[dict[str, Any]]:
    out = []
    for egress in (True, False):
        out.append(
            {"CidrBlock": cidr, "Egress": egress, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100}
        )
        out.append(
            {
                "CidrBlock": "0.0.0.0/0",
                "Egress": egress,
                "Protocol": "-1",
                "RuleAction": "deny",
                "RuleNumber": 32767,
            }
        )
    return out


def _set_entry(acl: dict[str, Any], number: int, egress: bool, cidr: str, action: str, port: int = 0) -> None:
    entries = [e for e in acl["Entries"] if not (e["RuleNumber"] == number and e["Egress"] == egress)]
    entry: dict[str, Any] = {
        "CidrBlock": cidr,
        "Egress": egress,
        "Protocol": "-1" if not port else "6",
        "RuleAction": action,
        "RuleNumber": number,
    }
    if port:
        entry["PortRange"] = {"From": port, "To": port}
    entries.append(entry)
    # DescribeNetworkAcls lists egress entries first, each direction by rule number.
    acl["Entries"] = sorted(entries, key=lambda e: (not e["Egress"], e["RuleNumber"]))


def _transit(inc: StorageIncident) -> Transit:
    acct, rng = inc.account, inc.rng
    octet = acct.vpc_cidr.split(".")[1]
    subnets: dict[str, dict[str, Any]] = {}
    enis: dict[str, str] = {}
    acls: dict[str, dict[str, Any]] = {}
    for k, az in enumerate(acct.azs):
        sid = acct.ids.ec2("subnet")
        template = next(s for s in acct.private_subnets if s["AvailabilityZone"] == az)
        subnets[az] = {
            **template,
            "SubnetId": sid,
            "CidrBlock": f"10.{octet}.250.{k * 16}/28",
            "AvailableIpAddressCount": 10,
            "MapPublicIpOnLaunch": False,
            "SubnetArn": f"arn:aws:ec2:{acct.region}:{acct.account_id}:subnet/{sid}",
            "Tags": tags(Name=f"{acct.env}-tgw-{az[-1]}", Tier="transit"),
        }
        enis[az] = acct.ids.ec2("eni")
        acl_id = acct.ids.ec2("acl")
        acls[az] = {
            "NetworkAclId": acl_id,
            "VpcId": acct.vpc_id,
            "IsDefault": False,
            "OwnerId": acct.account_id,
            "Entries": sorted(_entries(), key=lambda e: (not e["Egress"], e["RuleNumber"])),
            "Associations": [
                {"NetworkAclAssociationId": acct.ids.ec2("aclassoc"), "NetworkAclId": acl_id, "SubnetId": sid}
            ],
            "Tags": tags(Name=f"{acct.env}-tgw-{az[-1]}-nacl"),
        }
    default_id = acct.ids.ec2("acl")
    default = {
        "NetworkAclId": default_id,
        "VpcId": acct.vpc_id,
        "IsDefault": True,
        "OwnerId": acct.account_id,
        "Entries": sorted(_entries(), key=lambda e: (not e["Egress"], e["RuleNumber"])),
        "Associations": [
            {
                "NetworkAclAssociationId": acct.ids.ec2("aclassoc"),
                "NetworkAclId": default_id,
                "SubnetId": s["SubnetId"],
            }
            for s in acct.public_subnets + acct.private_subnets
        ],
        "Tags": [],
    }
    cidr, pattern, (lo, hi) = rng.choice(ON_PREM)
    host_ip = pattern.format(a=rng.randint(lo, hi), b=rng.randrange(0, 255), c=rng.randrange(2, 250))
    acct.roles["vpc-flow-logs-role"] = (
        "Delivers VPC flow logs to CloudWatch Logs",
        "vpc-flow-logs.amazonaws.com",
    )
    group = rng.choice(["/vpc/flow-logs", f"/aws/vpc/{acct.env}-flow-logs", f"{acct.env}-vpc-flow-logs"])
    acct.extra_log_groups.append(group)
    return Transit(
        tgw_id=acct.ids.ec2("tgw"),
        attachment_id=acct.ids.ec2("tgw-attach"),
        vpn_attachment_id=acct.ids.ec2("tgw-attach"),
        subnets=subnets,
        enis=enis,
        acls=acls,
        default_acl=default,
        on_prem=cidr,
        host=rng.choice(HOSTS),
        host_ip=host_ip,
        port=rng.choice(PORTS),
        flow_group=group,
    )


def _transit_records(inc: StorageIncident, net: Transit) -> list[dict[str, Any]]:
    acct = inc.account
    created = iso(acct.created + timedelta(days=inc.rng.randrange(1, 30)))
    tgw_rtb = acct.ids.ec2("tgw-rtb")
    out: list[dict[str, Any]] = [
        {"service": "ec2", "type": "Subnet", "item": s} for s in net.subnets.values()
    ]
    out += [
        {"service": "ec2", "type": "NetworkAcl", "item": a} for a in (*net.acls.values(), net.default_acl)
    ]
    out += [
        {"service": "ec2", "type": "NetworkInterface", "item": _attachment_interface(inc, net, az)}
        for az in net.subnets
    ]
    for attachment, kind, resource in (
        (net.attachment_id, "vpc", acct.vpc_id),
        (net.vpn_attachment_id, "vpn", acct.ids.ec2("vpn")),
    ):
        out.append(
            {
                "service": "ec2",
                "type": "TransitGatewayAttachment",
                "item": {
                    "TransitGatewayAttachmentId": attachment,
                    "TransitGatewayId": net.tgw_id,
                    "TransitGatewayOwnerId": acct.account_id,
                    "ResourceOwnerId": acct.account_id,
                    "ResourceType": kind,
                    "ResourceId": resource,
                    "State": "available",
                    "Association": {"TransitGatewayRouteTableId": tgw_rtb, "State": "associated"},
                    "CreationTime": created,
                    "Tags": tags(Name=f"{acct.env}-{kind}-attachment"),
                },
            }
        )
    private_rtb = acct.ids.ec2("rtb")
    out.append(
        {
            "service": "ec2",
            "type": "RouteTable",
            "item": {
                "RouteTableId": private_rtb,
                "VpcId": acct.vpc_id,
                "OwnerId": acct.account_id,
                "Routes": [
                    {
                        "DestinationCidrBlock": acct.vpc_cidr,
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": net.on_prem,
                        "TransitGatewayId": net.tgw_id,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": acct.ids.ec2("rtbassoc"),
                        "RouteTableId": private_rtb,
                        "SubnetId": s["SubnetId"],
                        "AssociationState": {"State": "associated"},
                    }
                    for s in acct.private_subnets
                ],
                "PropagatingVgws": [],
                "Tags": tags(Name=f"{acct.env}-private"),
            },
        }
    )
    out.append(
        {
            "service": "ec2",
            "type": "FlowLog",
            "item": {
                "FlowLogId": acct.ids.ec2("fl"),
                "CreationTime": created,
                "DeliverLogsPermissionArn": acct.role_arn("vpc-flow-logs-role"),
                "DeliverLogsStatus": "SUCCESS",
                "FlowLogStatus": "ACTIVE",
                "LogGroupName": net.flow_group,
                "ResourceId": acct.vpc_id,
                "TrafficType": "ALL",
                "LogDestinationType": "cloud-watch-logs",
                "LogFormat": LOG_FORMAT,
                "MaxAggregationInterval": 600,
                "Tags": [],
            },
        }
    )
    return out


def _attachment_interface(inc: StorageIncident, net: Transit, az: str) -> dict[str, Any]:
    """The attachment's requester-managed interface in `az`, as DescribeNetworkInterfaces shows it.

    Its address, MAC and requester are hashed from ids already drawn, so adding it leaves every other
    draw of the seed where it was.
    """
    acct = inc.account
    eni, subnet = net.enis[az], net.subnets[az]
    digest = hashlib.sha256(eni.encode()).hexdigest()
    # AWS keeps a subnet's first four addresses and its last; the attachment takes one of the rest.
    usable = list(ip_network(subnet["CidrBlock"]).hosts())[3:]
    ip = str(usable[int(digest[:8], 16) % len(usable)])
    role = hashlib.sha256(f"{acct.account_id}:AWSServiceRoleForVPCTransitGateway".encode()).digest()
    item: dict[str, Any] = {
        "NetworkInterfaceId": eni,
        "Description": f"Network Interface for Transit Gateway Attachment {net.attachment_id}",
        "InterfaceType": "transit_gateway",
        "RequesterManaged": True,
        "RequesterId": "AROA" + base64.b32encode(role).decode()[:17] + ":TransitGatewayAttachment",
        "Status": "in-use",
        "OwnerId": acct.account_id,
        "SubnetId": subnet["SubnetId"],
        "VpcId": acct.vpc_id,
        "AvailabilityZone": az,
        "MacAddress": ":".join(["02", *(digest[i : i + 2] for i in range(8, 18, 2))]),
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": [{"PrivateIpAddress": ip, "Primary": True}],
        "Groups": [],
        "Ipv6Addresses": [],
        "SourceDestCheck": False,
        "TagSet": [],
    }
    if subnet.get("AvailabilityZoneId"):
        item["AvailabilityZoneId"] = subnet["AvailabilityZoneId"]
    return item


def _entry_call(
    inc: StorageIncident,
    actor: cloudtrail.Actor,
    when: datetime,
    name: str,
    acl: dict[str, Any],
    number: int,
    egress: bool,
    cidr: str,
    action: str = "allow",
    port: int = 0,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "networkAclId": acl["NetworkAclId"],
        "ruleNumber": number,
        "egress": egress,
        "ruleAction": action,
        "icmpTypeCode": {},
        "portRange": {"from": port, "to": port} if port else {},
        "aclProtocol": "6" if port else "-1",
        "cidrBlock": cidr,
    }
    return cloudtrail.record(
        inc,
        actor,
        when,
        "ec2.amazonaws.com",
        name,
        request,
        {"requestId": inc.account.ids.uuid(), "_return": True},
    )


def _innocent_acl_change(inc: StorageIncident, net: Transit, az: str) -> None:
    """Near the onset, the victim AZ's own transit ACL gets a harmless inbound deny for one address."""
    rng, w = inc.rng, inc.window
    acl = net.acls[az]
    cidr = f"{rng.choice(['198.51.100', '203.0.113', '100.64.12'])}.{rng.randrange(2, 250)}/32"
    when = w.onset + timedelta(seconds=rng.choice([-1, 1]) * rng.randrange(90, 20 * 60))
    when = min(when, w.now - timedelta(minutes=2))
    actor = rng.choice(cloudtrail.people(inc, 2))
    number = rng.choice([50, 60, 90])
    _entry_call(inc, actor, when, "CreateNetworkAclEntry", acl, number, False, cidr, "deny", 22)
    _set_entry(acl, number, False, cidr, "deny", 22)


def _timeout_line(rng: random.Random, net: Transit, timeout_s: int) -> str:
    return rng.choice(
        [
            f'I/O error on POST request for "https://{net.host}:{net.port}/api/v2/lookup": Connect to '
            f"{net.host}:{net.port} [{net.host}/{net.host_ip}] failed: connect timed out",
            f"ConnectTimeoutError: connection to {net.host} ({net.host_ip}) timed out after {timeout_s}s "
            "(retry 1/3)",
        ]
    )


def _flow_logs(
    inc: StorageIncident,
    net: Transit,
    traffic: Traffic,
    share: float,
    victims: list[Instance],
    p_fail: float,
    changed_az: str,
) -> None:
    """Flow-log records every ten minutes: accepted on-premises flows of every instance and through each
    attachment interface, a few ordinary rejects, and from the onset the replies rejected on the changed
    subnet's interface."""
    rng, w, acct = inc.rng, inc.window, inc.account
    svc = acct.services[0]
    step = 10
    for i in range(0, w.minutes - step + 1, step):
        start, end = w.at(i), w.at(i + step)
        alive = svc.alive(start)
        calls = sum(traffic.rpm[svc.name][i : i + step]) * share / max(len(alive), 1)
        for inst in alive:
            port = rng.randrange(32768, 61000)
            flows = max(1, int(calls * 0.01))
            _flow(
                inc,
                net,
                inst.eni_id,
                inst.private_ip,
                net.host_ip,
                port,
                net.port,
                flows,
                start,
                end,
                "ACCEPT",
            )
            _flow(
                inc,
                net,
                net.enis[inst.az],
                net.host_ip,
                inst.private_ip,
                net.port,
                port,
                flows,
                start,
                end,
                "ACCEPT",
            )
            if inst in victims and start >= w.onset:
                for _ in range(min(poisson(rng, calls * p_fail * 0.05), 30)):
                    eph = rng.randrange(32768, 61000)
                    # The SYN leaves (accepted on the instance); the SYN-ACK retransmissions die on the way in.
                    _flow(
                        inc,
                        net,
                        inst.eni_id,
                        inst.private_ip,
                        net.host_ip,
                        eph,
                        net.port,
                        1,
                        start,
                        end,
                        "ACCEPT",
                    )
                    _flow(
                        inc,
                        net,
                        net.enis[changed_az],
                        net.host_ip,
                        inst.private_ip,
                        net.port,
                        eph,
                        rng.randrange(3, 7),
                        start,
                        end,
                        "REJECT",
                        per_packet=(44, 60),
                    )
        if rng.random() < 0.3:
            # Ordinary background: an on-premises scanner probing a closed port, refused by a security group.
            inst = rng.choice(alive)
            scanner = net.host_ip.rsplit(".", 1)[0] + f".{rng.randrange(2, 250)}"
            _flow(
                inc,
                net,
                inst.eni_id,
                scanner,
                inst.private_ip,
                rng.randrange(32768, 61000),
                rng.choice([22, 3389, 5985]),
                1,
                start,
                end,
                "REJECT",
                per_packet=(40, 60),
            )


def _flow(
    inc: StorageIncident,
    net: Transit,
    eni: str,
    src: str,
    dst: str,
    sport: int,
    dport: int,
    packets: int,
    start: datetime,
    end: datetime,
    action: str,
    per_packet: tuple[int, int] = (200, 1400),
) -> None:
    rng = inc.rng
    first = start + timedelta(seconds=rng.randrange(0, 300))
    last = min(end, first + timedelta(seconds=rng.randrange(1, 300)))
    size = sum(rng.randrange(*per_packet) for _ in range(min(packets, 50))) * max(1, packets // 50)
    line = (
        f"2 {inc.account.account_id} {eni} {src} {dst} {sport} {dport} 6 {packets} {size} "
        f"{int(first.timestamp())} {int(last.timestamp())} {action} OK"
    )
    inc.log(net.flow_group, f"{eni}-all", first, line)


def _tgw_metrics(inc: StorageIncident, net: Transit, traffic: Traffic, share: float) -> None:
    rng = inc.rng
    svc = inc.account.services[0]
    rpm = traffic.rpm[svc.name]
    base = [r * share for r in rpm]
    for dims in (
        {"TransitGateway": net.tgw_id},
        {"TransitGateway": net.tgw_id, "TransitGatewayAttachment": net.attachment_id},
    ):
        bytes_out = noisy(rng, base, scale=rng.uniform(3000, 9000), noise=0.08)
        bytes_in = noisy(rng, base, scale=rng.uniform(8000, 30000), noise=0.08)
        inc.add(
            Series(
                "AWS/TransitGateway", "BytesOut", dims, "Bytes", bytes_out, decimals=0, resource=net.tgw_id
            )
        )
        inc.add(
            Series("AWS/TransitGateway", "BytesIn", dims, "Bytes", bytes_in, decimals=0, resource=net.tgw_id)
        )
