"""Partner files land by SFTP but stop being loaded: an endpoint security-group tidy-up cut the ingest Lambda
off from the Secrets Manager interface endpoint, so every cold sandbox fails to fetch its DB credentials."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzs as k

NAME = "filex-partner-files-not-loaded-after-endpoint-sg-edit"
TITLE = "Partner files uploaded over SFTP but not showing in reconciliation since this morning"
SUMMARY = (
    "A console edit to the interface-endpoint security group replaced the Lambda security-group source with a "
    "CIDR that misses the Lambda subnets; warm ingest sandboxes keep cached credentials, new ones time out "
    "reaching Secrets Manager, so ingest errors ramp up while SFTP uploads continue."
)

TRACE = (
    'Traceback (most recent call last):\n  File "/var/task/app.py", line 61, in handler\n    creds = _db_credentials()\n'
    '  File "/var/task/app.py", line 34, in _db_credentials\n'
    '    raw = _sm.get_secret_value(SecretId=os.environ["DB_SECRET_ID"])["SecretString"]\n'
    '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 565, in _api_call\n'
    "    return self._make_api_call(operation_name, kwargs)\n"
    '  File "/var/lang/lib/python3.12/site-packages/botocore/endpoint.py", line 377, in _send\n'
    "    return self.http_session.send(request)\n"
    '  File "/var/lang/lib/python3.12/site-packages/botocore/httpsession.py", line 499, in send\n'
    "    raise ConnectTimeoutError(endpoint_url=request.url, error=e)\n"
)


def build(seed: int) -> Bundle:
    c = k.Ctx(seed, NAME, datetime(2026, 1, 1, tzinfo=k.UTC), timedelta(0), timedelta(0))
    onset = k.onset_for(c.rng, None, (8, 10))
    c = k.Ctx(
        seed,
        NAME,
        onset,
        timedelta(hours=3, minutes=c.rng.randint(20, 50)),
        timedelta(minutes=c.rng.randint(45, 60)),
    )
    r = c.rng
    new_cidr = "10.40.0.0/22"
    c.__dict__["endpoint_perms"] = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "UserIdGroupPairs": [],
            "IpRanges": [
                {"CidrIp": new_cidr, "Description": "app subnets"},
                {"CidrIp": "10.40.64.0/20", "Description": "shared-services bastions"},
            ],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
        },
    ]
    k.resources(c)

    def rate(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return 0.9 + 0.8 * (1 if 8 <= h <= 16 else 0) + (1.5 if t.minute < 6 else 0)

    def ingest(cx: k.Ctx, t: datetime, cold: bool, partner: str, key: str) -> k.Outcome:
        if t < onset or not cold:
            return k.ok_ingest(cx, t, cold, partner, key)
        d = 15_000 + cx.rng.uniform(20, 90)
        url = f'"https://secretsmanager.{k.REGION}.amazonaws.com/"'
        body = [
            (14, "[INFO]\t{ts}\t{req}\t" + f"received s3://{cx.inbound_bucket}/{partner}/{key}\n"),
            (d - 5, f"[ERROR] ConnectTimeoutError: Connect timeout on endpoint URL: {url}\n{TRACE}"),
        ]
        return k.Outcome(d, body, error=True)

    conc = k.simulate(c, rate, ingest, lifetime=(12, 40))
    fail_from = onset + timedelta(minutes=r.randint(14, 30))

    def dfail(t: datetime) -> str | None:
        if t < fail_from:
            return None
        return (
            "partner key fetch failed: Connect timeout on endpoint URL: "
            f'"https://secretsmanager.{k.REGION}.amazonaws.com/"; 0 of pending files delivered'
        )

    k.dispatch_runs(c, dfail)
    k.rds_metrics(c, {t: v for t, v in conc.items() if t < onset + timedelta(minutes=8)})
    k.background_trail(c, 55)

    # innocent changes
    dev = c.identity(
        "AWSReservedSSO_FilexDeveloper_3b9a0e44c2d1f7a6", "tom.ashdown@northbank.example", sso=True
    )
    net = c.identity(
        "AWSReservedSSO_NetworkAdmin_91f0c3ab2e6d4a17", "marek.kowal@northbank.example", sso=True
    )
    ci = c.identity("gha-terraform-apply", "GitHubActions")
    console = "AWS Internal"
    t1 = onset - timedelta(minutes=r.randint(70, 110))
    c.trail(
        t1,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {"functionName": k.DISPATCH, "publish": False, "dryRun": False, "architectures": ["arm64"]},
        {
            "functionName": k.DISPATCH,
            "functionArn": c.fn_arn(k.DISPATCH),
            "runtime": "python3.12",
            "role": c.role_arn(f"{k.DISPATCH}-role"),
            "handler": "app.handler",
            "codeSize": 2201733,
            "timeout": 120,
            "memorySize": 512,
            "lastModified": k.iso(t1).replace("Z", ".000+0000"),
            "codeSha256": c.hexid(43) + "=",
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
        },
        read_only=False,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.67.0",
        ip=f"20.26.{r.randint(0, 255)}.{r.randint(1, 254)}",
    )
    t2 = onset - timedelta(minutes=r.randint(25, 45))
    c.trail(
        t2,
        net,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": c.sg["sftp"],
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {
                            "items": [
                                {
                                    "cidrIp": "203.0.113.200/29",
                                    "description": "partner harbour-leasing DR site",
                                }
                            ]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": c.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": c.acct,
                        "groupId": c.sg["sftp"],
                        "securityGroupRuleId": "sgr-" + c.hexid(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "203.0.113.200/29",
                        "description": "partner harbour-leasing DR site",
                    }
                ]
            },
        },
        read_only=False,
        agent=console,
        ip="10.40.70.21",
    )
    t3 = onset - timedelta(minutes=2, seconds=r.randint(0, 50))
    c.trail(
        t3 - timedelta(seconds=40),
        net,
        "ec2.amazonaws.com",
        "DescribeSecurityGroupRules",
        {
            "DescribeSecurityGroupRulesRequest": {
                "Filter": {"Name": "group-id", "Value": {"content": c.sg["endpoints"], "tag": 1}},
                "MaxResults": 1000,
            }
        },
        None,
        read_only=True,
        agent=console,
        ip="10.40.70.21",
    )
    c.trail(
        t3,
        net,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": c.sg["endpoints"],
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": new_cidr, "description": "app subnets"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": c.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": c.acct,
                        "groupId": c.sg["endpoints"],
                        "securityGroupRuleId": "sgr-" + c.hexid(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "cidrIpv4": new_cidr,
                        "description": "app subnets",
                    }
                ]
            },
        },
        read_only=False,
        agent=console,
        ip="10.40.70.21",
    )
    culprit = c.trail(
        onset - timedelta(seconds=r.randint(20, 70)),
        net,
        "ec2.amazonaws.com",
        "RevokeSecurityGroupIngress",
        {
            "groupId": c.sg["endpoints"],
            "securityGroupRuleIds": {"items": [{"securityGroupRuleId": "sgr-" + c.hexid(17)}]},
        },
        {"requestId": c.uid(), "_return": True},
        read_only=False,
        agent=console,
        ip="10.40.70.21",
    )
    t4 = onset + timedelta(minutes=r.randint(8, 20))
    c.trail(
        t4,
        dev,
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        {"functionName": k.INGEST},
        None,
        read_only=True,
        agent=console,
        ip="10.40.71.9",
    )
    c.trail(
        t4 + timedelta(minutes=2),
        dev,
        "transfer.amazonaws.com",
        "DescribeServer",
        {"serverId": c.server_id},
        None,
        read_only=True,
        agent=console,
        ip="10.40.71.9",
    )

    k.standard_alarms(c)
    local = (onset + timedelta(minutes=r.randint(12, 22))).astimezone(ZoneInfo("Europe/London"))
    question = (
        f"Recon team says nothing from the partners has loaded since about {local:%-I:%M}, but Northgate and "
        "Meridian both say their SFTP uploads went through fine. Is the SFTP server having problems?"
    )
    return c.bundle(
        TITLE,
        {"question": question, "alarm_event": None, "timezone": "Europe/London"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": c.sg["endpoints"],
                "category": "change",
                "failure_mode": "endpoint-security-group-source-removed",
                "event_id": culprit["eventID"],
            },
            "also_accept": ["filex-endpoints-sg"],
            "actions": ["rollback"],
            "chain": [c.sg["endpoints"], c.vpce["secretsmanager"], k.INGEST, c.inbound_bucket],
        },
    )
