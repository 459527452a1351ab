"""The third-party fraud-screening API slows down and starts answering 503; screening times out."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzw import AlarmSpec, Pipeline, iso_ms, new_ctx

NAME = "claims-fraud-screen-vendor-timeouts"
TITLE = "Claims intake failing executions; fraud-screen step erroring since late morning"
SUMMARY = (
    "The external fraud-screening API the screening Lambda calls degrades (slow responses and 503s); "
    "the function hits its 8 s read timeout and most pipeline executions fail at the screening step."
)

HOST = "api.claimscreen.io"


def build(seed: int) -> Bundle:
    c = new_ctx(seed, onset_hour=(15, 17), after_min=(36, 52), salt=NAME)
    p = Pipeline(c, base_per_min=c.rng.uniform(32, 50))
    n = p.names
    share = c.rng.uniform(0.55, 0.8)

    def bad(t: datetime) -> bool:
        return t >= c.onset

    p.fail["fraud"] = lambda t: share if bad(t) else 0.0008
    p.duration["fraud"] = lambda t: 6900.0 + c.rng.uniform(-600, 900) if bad(t) else 610.0

    def fraud_lines(ts: datetime, reqid: str) -> list[str]:
        claim = f"CLM-{c.rng.randint(2_000_000, 9_999_999)}"
        if c.rng.random() < 0.7:
            return [
                f"[WARNING]\t{iso_ms(ts)}\t{reqid}\tscreen claim={claim} no response from vendor after 8.0s",
                f"[ERROR] ReadTimeout: HTTPSConnectionPool(host='{HOST}', port=443): Read timed out. (read timeout=8)\n"
                'Traceback (most recent call last):\n  File "/var/task/app.py", line 63, in handler\n'
                "    resp = session.post(SCREEN_API_URL, json=payload, timeout=(3, SCREEN_TIMEOUT_SECONDS))\n"
                '  File "/var/task/requests/adapters.py", line 713, in send\n    raise ReadTimeout(e, request=request)',
            ]
        return [
            f"[WARNING]\t{iso_ms(ts)}\t{reqid}\tscreen claim={claim} status=503 elapsed_ms={c.rng.randint(2100, 5200)}"
            " body='upstream connect error or disconnect/reset before headers. reset reason: overflow'",
            f"[ERROR] ScreeningUnavailable: fraud screen returned 503 for claim={claim}\n"
            'Traceback (most recent call last):\n  File "/var/task/app.py", line 71, in handler\n'
            '    resp.raise_for_status()\n  File "/var/task/app.py", line 74, in handler\n'
            "    raise ScreeningUnavailable(...)",
        ]

    p.error_lines["fraud"] = fraud_lines
    p.sfn_error["fraud"] = lambda _t: (
        c.rng.choice(["ReadTimeout", "ScreeningUnavailable"]),
        '{"errorMessage": "fraud screen unavailable", "errorType": "ScreeningUnavailable", '
        '"requestId": "", "stackTrace": []}',
    )
    tz_offset = -4
    p.write_resources()
    p.simulate(tz_offset)
    p.standard_alarms()
    c.add_alarm(
        AlarmSpec(
            f"{n['fraud']}-duration-high",
            "AWS/Lambda",
            "Duration",
            {"FunctionName": n["fraud"]},
            "Average",
            300,
            3,
            3,
            5000,
            "GreaterThanThreshold",
            "claims-fraud-screen running long (vendor latency?)",
        )
    )
    p.noise(["ana.ferreira@northfield-mutual.com", "tom.brandt@northfield-mutual.com"])

    # innocent changes shortly before: a memory bump on classify, and a NAT route table read
    dev = c.identity_role(
        "AWSReservedSSO_ClaimsDeveloper_5f1c2a9e0b7d4e31", "tom.brandt@northfield-mutual.com"
    )
    console = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
    )
    tm = c.onset - timedelta(minutes=c.rng.randint(18, 40))
    c.trail(
        tm,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": n["classify"], "memorySize": 1536},
        {
            "functionName": n["classify"],
            "functionArn": c.arn("lambda", f"function:{n['classify']}"),
            "runtime": "python3.12",
            "memorySize": 1536,
            "timeout": 60,
            "lastModified": iso_ms(tm),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
        },
        read_only=False,
        agent=console,
        ip="198.51.100.77",
    )
    tr = c.onset + timedelta(minutes=c.rng.randint(14, 24))
    for src, name, params in (
        ("lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", {"functionName": n["fraud"]}),
        ("ec2.amazonaws.com", "DescribeNatGateways", {"natGatewayIdSet": {}, "filterSet": {}}),
        (
            "ec2.amazonaws.com",
            "DescribeRouteTables",
            {
                "routeTableIdSet": {},
                "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": n["vpc"]}]}}]},
            },
        ),
        (
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            {"securityGroupIdSet": {"items": [{"groupId": n["sg"]}]}},
        ),
    ):
        c.trail(tr, src, name, dev, params, None, read_only=True, agent=console, ip="198.51.100.77")
        tr += timedelta(seconds=c.rng.randint(15, 70))
    # the function's last deploy was days ago
    nat = f"nat-0{c.hexid(16)}"
    c.resource(
        "ec2",
        "NatGateway",
        {
            "CreateTime": (c.start - timedelta(days=300)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "NatGatewayId": nat,
            "State": "available",
            "SubnetId": n["subnets"].split(",")[0],
            "VpcId": n["vpc"],
            "ConnectivityType": "public",
            "NatGatewayAddresses": [
                {
                    "AllocationId": f"eipalloc-0{c.hexid(16)}",
                    "NetworkInterfaceId": f"eni-0{c.hexid(16)}",
                    "PrivateIp": "10.40.0.113",
                    "PublicIp": f"3.{c.rng.randint(20, 230)}.{c.rng.randint(1, 250)}.{c.rng.randint(1, 250)}",
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
        },
    )
    for t in c.minutes():
        c.metric("AWS/NATGateway", "ErrorPortAllocation", {"NatGatewayId": nat}, t, "Count", 0)
        c.metric(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            {"NatGatewayId": nat},
            t,
            "Count",
            c.rng.randint(140, 260) + (40 if bad(t) else 0),
        )
        c.metric(
            "AWS/NATGateway",
            "ConnectionEstablishedCount",
            {"NatGatewayId": nat},
            t,
            "Count",
            c.rng.randint(60, 140),
        )
    trans = c.evaluate_alarms(p.topic_arn)
    fired = next((x for x in trans["claims-doc-pipeline-executions-failed"] if x[2] == "ALARM"), None)
    event = c.alarm_event("claims-doc-pipeline-executions-failed", fired[0], fired[3]) if fired else None
    return c.bundle(
        title=TITLE,
        question=None,
        tz=None,
        alarm_event=event,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": HOST,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-timeouts",
            },
            "also_accept": ["https://api.claimscreen.io/v3/screen", "claimscreen", "fraud screening vendor"],
            "actions": ["reconfigure"],
            "chain": [HOST, n["fraud"], n["sm"]],
        },
    )
