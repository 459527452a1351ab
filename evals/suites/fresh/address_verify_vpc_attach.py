"""Address verification Lambda attached to isolated subnets; its calls to the vendor API time out."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_n import (
    CONSOLE_AGENT,
    GRAFANA,
    MINUTE,
    TERRAFORM,
    Json,
    Kit,
    floor_minute,
    iam_role,
    iso,
    lambda_function,
    lambda_invocation,
    lambda_stream,
    log_group,
    pick_day,
    role_identity,
    sso_identity,
    subnet_item,
    vpc_item,
)

NAME = "address-verify-vpc-attach"
TITLE = "Checkout address verification failing with 502s"
SUMMARY = (
    "Terraform moves the address-verification Lambda into VPC subnets whose route table has no NAT route; "
    "its HTTPS calls to the address vendor time out and API Gateway returns 5xx. The vendor is fine."
)

PEOPLE = ["grace.obi", "lukas.novak", "sofia.alvarez", "ben.hughes", "yuki.tanaka", "arjun.mehta"]
VENDOR = "us-street.api.smarty.com"


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, regions=("us-east-1", "us-west-2", "ca-central-1"))
    rng = kit.rng
    day = pick_day(kit)
    onset = day + timedelta(hours=rng.randint(15, 21), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = floor_minute(onset - timedelta(hours=3, minutes=rng.randint(15, 50)))
    domain = rng.choice(["basketly.com", "cartwheel.shop", "homegoods.co"])
    dev, oncall = (f"{p}@{domain}" for p in rng.sample(PEOPLE, 2))
    created = day - timedelta(days=rng.randint(150, 500))
    azs = [f"{kit.region}{c}" for c in "ab"]

    # --- network -------------------------------------------------------------------------------------
    vpc = kit.ec2_id("vpc")
    second = rng.randint(16, 60)
    vpc_item(kit, vpc, f"10.{second}.0.0/16", "checkout-prod")
    app_sn = [kit.ec2_id("subnet") for _ in azs]
    data_sn = [kit.ec2_id("subnet") for _ in azs]
    pub_sn = [kit.ec2_id("subnet") for _ in azs]
    for i, az in enumerate(azs):
        subnet_item(
            kit,
            app_sn[i],
            vpc,
            f"10.{second}.{16 + i * 16}.0/20",
            az,
            f"checkout-prod-private-{az[-1]}",
            rng.randint(3000, 3900),
        )
        subnet_item(
            kit,
            data_sn[i],
            vpc,
            f"10.{second}.{100 + i}.0/24",
            az,
            f"checkout-prod-data-{az[-1]}",
            rng.randint(200, 240),
        )
        subnet_item(
            kit,
            pub_sn[i],
            vpc,
            f"10.{second}.{i}.0/24",
            az,
            f"checkout-prod-public-{az[-1]}",
            rng.randint(240, 249),
        )
    nat = kit.ec2_id("nat")
    igw = kit.ec2_id("igw")
    nat_ip = kit.public_ip()
    kit.resource(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(created),
            "NatGatewayAddresses": [
                {
                    "AllocationId": kit.ec2_id("eipalloc"),
                    "NetworkInterfaceId": kit.ec2_id("eni"),
                    "PrivateIp": f"10.{second}.0.{rng.randint(10, 250)}",
                    "PublicIp": nat_ip,
                    "AssociationId": kit.ec2_id("eipassoc"),
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "NatGatewayId": nat,
            "State": "available",
            "SubnetId": pub_sn[0],
            "VpcId": vpc,
            "Tags": [{"Key": "Name", "Value": "checkout-prod-nat-a"}],
            "ConnectivityType": "public",
        },
    )
    s3_pl = f"pl-{kit.hexs(8)}"
    vpce = kit.ec2_id("vpce")

    def rtb(name: str, subnets: list[str], routes: list[Json]) -> str:
        rid = kit.ec2_id("rtb")
        kit.resource(
            "ec2",
            "RouteTable",
            {
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": kit.ec2_id("rtbassoc"),
                        "RouteTableId": rid,
                        "SubnetId": s,
                        "AssociationState": {"State": "associated"},
                    }
                    for s in subnets
                ],
                "PropagatingVgws": [],
                "RouteTableId": rid,
                "Routes": [
                    {
                        "DestinationCidrBlock": f"10.{second}.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    *routes,
                ],
                "Tags": [{"Key": "Name", "Value": name}],
                "VpcId": vpc,
                "OwnerId": kit.account,
            },
        )
        return rid

    rtb(
        "checkout-prod-public",
        pub_sn,
        [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "Origin": "CreateRoute", "State": "active"}],
    )
    rtb(
        "checkout-prod-private",
        app_sn,
        [
            {
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": nat,
                "Origin": "CreateRoute",
                "State": "active",
            },
            {"DestinationPrefixListId": s3_pl, "GatewayId": vpce, "Origin": "CreateRoute", "State": "active"},
        ],
    )
    rtb(
        "checkout-prod-data",
        data_sn,
        [{"DestinationPrefixListId": s3_pl, "GatewayId": vpce, "Origin": "CreateRoute", "State": "active"}],
    )
    fn_sg = kit.ec2_id("sg")
    cache_sg = kit.ec2_id("sg")
    kit.resource(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": fn_sg,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "UserIdGroupPairs": [],
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                }
            ],
            "Tags": [{"Key": "Name", "Value": "address-verify-lambda"}],
            "VpcId": vpc,
            "SecurityGroupArn": kit.arn("ec2", f"security-group/{fn_sg}"),
            "OwnerId": kit.account,
            "GroupName": "address-verify-lambda",
            "Description": "address-verify lambda",
            "IpPermissions": [],
        },
    )
    kit.resource(
        "ec2",
        "SecurityGroup",
        {
            "GroupId": cache_sg,
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "UserIdGroupPairs": [],
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                }
            ],
            "Tags": [{"Key": "Name", "Value": "address-cache"}],
            "VpcId": vpc,
            "SecurityGroupArn": kit.arn("ec2", f"security-group/{cache_sg}"),
            "OwnerId": kit.account,
            "GroupName": "address-cache",
            "Description": "address cache (valkey)",
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 6379,
                    "ToPort": 6379,
                    "UserIdGroupPairs": [
                        {"GroupId": fn_sg, "UserId": kit.account, "Description": "address-verify"}
                    ],
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                }
            ],
        },
    )

    # --- functions and the API --------------------------------------------------------------------------
    fn, auto = "address-verify", "address-autocomplete"
    fn_role = iam_role(kit, f"{fn}-role", "lambda.amazonaws.com", created, onset)
    auto_role = iam_role(kit, f"{auto}-role", "lambda.amazonaws.com", created, onset)
    pricing = "cart-pricing"
    pricing_role = iam_role(kit, f"{pricing}-role", "lambda.amazonaws.com", created, onset)
    enis = [kit.ec2_id("eni") for _ in azs]
    vpc_cfg = {
        "SubnetIds": data_sn,
        "SecurityGroupIds": [fn_sg],
        "VpcId": vpc,
        "Ipv6AllowedForDualStack": False,
    }
    env = {
        "VENDOR_HOST": VENDOR,
        "VENDOR_AUTH_ID": kit.uuid(),
        "CACHE_ENDPOINT": "",
        "POWERTOOLS_SERVICE_NAME": "address-verify",
    }
    lambda_function(
        kit,
        fn,
        runtime="python3.12",
        handler="app.handler",
        memory=256,
        timeout=15,
        role_arn=fn_role["Arn"],
        modified=onset,
        env=env,
        description="Verifies shipping addresses at checkout",
        vpc=vpc_cfg,
        arch="x86_64",
    )
    lambda_function(
        kit,
        auto,
        runtime="python3.12",
        handler="app.handler",
        memory=256,
        timeout=6,
        role_arn=auto_role["Arn"],
        modified=day - timedelta(days=rng.randint(10, 40)),
        env={"VENDOR_HOST": "us-autocomplete-pro.api.smarty.com"},
        description="Address autocomplete for the checkout form",
        arch="x86_64",
    )
    lambda_function(
        kit,
        pricing,
        runtime="nodejs20.x",
        handler="index.handler",
        memory=512,
        timeout=10,
        role_arn=pricing_role["Arn"],
        modified=day - timedelta(days=rng.randint(2, 9)),
        env={"NODE_OPTIONS": "--enable-source-maps"},
    )
    api_id = kit.upper(10).lower()
    api_name = "checkout-edge-api"
    kit.resource(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "description": "Checkout edge API",
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": kit.upper(10).lower(),
            "tags": {"team": "checkout"},
        },
    )
    deployment_prev, deployment_new = kit.upper(6).lower(), kit.upper(6).lower()
    access_group = f"API-Gateway-Access-Logs_{api_id}/prod"
    stage_deploy_at = onset - timedelta(minutes=rng.randint(13, 19), seconds=rng.randint(0, 59))
    kit.resource(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": deployment_new,
            "stageName": "prod",
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {},
            "tracingEnabled": False,
            "accessLogSettings": {
                "format": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLength":"$context.responseLength","integrationLatency":"$context.integration.latency","integrationStatus":"$context.integration.status","integrationError":"$context.integration.error"}',
                "destinationArn": kit.arn("logs", f"log-group:{access_group}"),
            },
            "createdDate": iso(created),
            "lastUpdatedDate": iso(stage_deploy_at),
        },
    )
    res_ids = {
        p: kit.upper(6).lower()
        for p in ("/v1/addresses/verify", "/v1/addresses/autocomplete", "/v1/cart/price", "/v1/cart/promo")
    }
    fns = {
        "/v1/addresses/verify": fn,
        "/v1/addresses/autocomplete": auto,
        "/v1/cart/price": pricing,
        "/v1/cart/promo": pricing,
    }
    for path, rid in res_ids.items():
        method = "GET" if "autocomplete" in path else "POST"
        kit.resource(
            "apigateway",
            "RestApiResource",
            {
                "restApiId": api_id,
                "id": rid,
                "parentId": kit.upper(6).lower(),
                "pathPart": path.rsplit("/", 1)[1],
                "path": path,
                "resourceMethods": {method: {}, "OPTIONS": {}},
            },
        )
        kit.resource(
            "apigateway",
            "MethodIntegration",
            {
                "restApiId": api_id,
                "resourceId": rid,
                "httpMethod": method,
                "type": "AWS_PROXY",
                "uri": f"arn:aws:apigateway:{kit.region}:lambda:path/2015-03-31/functions/{kit.arn('lambda', 'function:' + fns[path])}/invocations",
                "passthroughBehavior": "WHEN_NO_MATCH",
                "contentHandling": "CONVERT_TO_TEXT",
                "timeoutInMillis": 29000,
                "cacheNamespace": rid,
                "cacheKeyParameters": [],
            },
        )
    cache_id = "address-cache"
    kit.resource(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": cache_id,
            "Description": "address verification cache",
            "Status": "available",
            "MemberClusters": [f"{cache_id}-001", f"{cache_id}-002"],
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {
                        "Address": f"master.{cache_id}.{kit.hexs(6)}.use1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                }
            ],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "CacheNodeType": "cache.t4g.small",
            "ClusterEnabled": False,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": kit.arn("elasticache", f"replicationgroup:{cache_id}"),
            "Engine": "valkey",
            "ReplicationGroupCreateTime": iso(onset - timedelta(minutes=rng.randint(55, 90))),
        },
    )
    for e, (az, sn) in zip(enis, zip(azs, data_sn, strict=True), strict=True):
        ip = f"10.{second}.{100 + azs.index(az)}.{rng.randint(10, 250)}"
        kit.resource(
            "ec2",
            "NetworkInterface",
            {
                "AvailabilityZone": az,
                "Description": f"AWS Lambda VPC ENI-{fn}-{kit.uuid()}",
                "Groups": [{"GroupName": "address-verify-lambda", "GroupId": fn_sg}],
                "InterfaceType": "lambda",
                "Ipv6Addresses": [],
                "MacAddress": ":".join(kit.hexs(2) for _ in range(6)),
                "NetworkInterfaceId": e,
                "OwnerId": kit.account,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "RequesterId": f"{'AROA' + kit.upper(17)}:{fn}",
                "RequesterManaged": True,
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": sn,
                "TagSet": [],
                "VpcId": vpc,
            },
        )
    for g in (fn, auto, pricing):
        log_group(kit, f"/aws/lambda/{g}", created, 30, rng.randint(300_000_000, 3_000_000_000))
    log_group(kit, access_group, created, 30, rng.randint(2_000_000_000, 9_000_000_000))

    # --- traffic ------------------------------------------------------------------------------------
    ready = onset + timedelta(seconds=rng.randint(50, 95))  # the function update finishes (ENIs ready)
    end_sim = onset + timedelta(minutes=80)
    rate = rng.uniform(12, 20)  # verifications a minute at peak

    def per_min(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return rate * (0.6 + 0.4 * max(0.0, 1 - abs(h - 19) / 6))

    lam, apig = "AWS/Lambda", "AWS/ApiGateway"
    api_d = {"ApiName": api_name, "Stage": "prod"}
    group = f"/aws/lambda/{fn}"
    py_arn = f"arn:aws:lambda:{kit.region}::runtime:{kit.hexs(64)}"
    old_streams = [lambda_stream(kit, start - timedelta(minutes=rng.randint(5, 90))) for _ in range(2)]
    new_streams: list[str] = []
    stats: dict[datetime, dict[str, list[float]]] = {}
    access_lines: list[tuple[datetime, str]] = []
    t = start
    while t <= end_sim:
        n = kit.poisson(per_min(t))
        row = stats.setdefault(t, {"ok": [], "err": []})
        for at in sorted(t + timedelta(seconds=rng.uniform(0, 59.5)) for _ in range(n)):
            broken = at >= ready
            zip5 = f"{rng.randint(10000, 99999)}"
            if not broken:
                d = max(90.0, kit.jitter(230, 0.3) + (rng.random() < 0.03) * rng.uniform(300, 1500))
                lambda_invocation(
                    kit,
                    group,
                    rng.choice(old_streams),
                    at,
                    [
                        f"[INFO]\t{{ts}}\t{{rid}}\tverified address zip={zip5} match={rng.choice(['Y', 'Y', 'Y', 'S', 'D'])} vendor_ms={int(d * 0.8)}\n"
                    ],
                    d,
                    256,
                    rng.randint(78, 92),
                    runtime_arn=py_arn,
                    runtime_version="python:3.12.v27",
                )
                row["ok"].append(d)
                status = "200"
            else:
                cold = None
                if len(new_streams) < 2 + len(row["err"]) // 3 and len(new_streams) < 24:
                    new_streams.append(lambda_stream(kit, at))
                    cold = rng.uniform(620, 980)
                stream = new_streams[-1] if cold else rng.choice(new_streams)
                d = kit.jitter(9215, 0.004)
                lambda_invocation(
                    kit,
                    group,
                    stream,
                    at,
                    [
                        f"[WARNING]\t{{ts}}\t{{rid}}\tRetrying (Retry(total=1, connect=1, read=2, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{kit.hexs(10)}>, 'Connection to {VENDOR} timed out. (connect timeout=3.05)')': /street-address?zipcode={zip5}&candidates=1\n",
                        f"[WARNING]\t{{ts}}\t{{rid}}\tRetrying (Retry(total=0, connect=0, read=2, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{kit.hexs(10)}>, 'Connection to {VENDOR} timed out. (connect timeout=3.05)')': /street-address?zipcode={zip5}&candidates=1\n",
                        f"[ERROR] ConnectTimeout: HTTPSConnectionPool(host='{VENDOR}', port=443): Max retries exceeded with url: /street-address?zipcode={zip5}&candidates=1 (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f{kit.hexs(10)}>, 'Connection to {VENDOR} timed out. (connect timeout=3.05)'))\n"
                        "Traceback (most recent call last):\n"
                        '  File "/var/task/app.py", line 58, in handler\n'
                        "    result = verify(body)\n"
                        '  File "/var/task/app.py", line 37, in verify\n'
                        "    resp = SESSION.get(URL, params=params, timeout=(3.05, 10))\n"
                        '  File "/var/task/requests/sessions.py", line 602, in get\n'
                        '    return self.request("GET", url, **kwargs)\n'
                        '  File "/var/task/requests/adapters.py", line 507, in send\n'
                        "    raise ConnectTimeout(e, request=request)\n",
                    ],
                    d,
                    256,
                    rng.randint(80, 95),
                    init_ms=cold,
                    runtime_arn=py_arn,
                    runtime_version="python:3.12.v27",
                )
                row["err"].append(d)
                status = "502"
            ip = kit.public_ip()
            access_lines.append(
                (
                    at + timedelta(milliseconds=(d if status == "200" else 9215) + 30),
                    json.dumps(
                        {
                            "requestId": kit.uuid(),
                            "ip": ip,
                            "requestTime": at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                            "httpMethod": "POST",
                            "resourcePath": "/v1/addresses/verify",
                            "status": status,
                            "responseLength": "36" if status == "502" else str(rng.randint(380, 520)),
                            "integrationLatency": str(int(d)),
                            "integrationStatus": "200",
                            "integrationError": "-",
                        },
                        separators=(",", ":"),
                    ),
                )
            )
        t += MINUTE
    for at, line in access_lines:
        if rng.random() < 0.5 or '"502"' in line:
            kit.log(access_group, "prod", at, line)

    # other functions behind the same API carry on normally
    other: dict[str, dict[datetime, int]] = {auto: {}, pricing: {}}
    auto_stream = lambda_stream(kit, start - timedelta(minutes=20))
    t = start
    while t <= end_sim:
        for name, mult in ((auto, 6.5), (pricing, 3.2)):
            other[name][t] = kit.poisson(per_min(t) * mult)
        for _ in range(rng.randint(0, 2)):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            lambda_invocation(
                kit,
                f"/aws/lambda/{auto}",
                auto_stream,
                at,
                [
                    f"[INFO]\t{{ts}}\t{{rid}}\tsuggestions prefix_len={rng.randint(3, 12)} results={rng.randint(0, 10)} vendor_ms={rng.randint(40, 160)}\n"
                ],
                kit.jitter(95, 0.3),
                256,
                rng.randint(70, 80),
                runtime_arn=py_arn,
                runtime_version="python:3.12.v27",
            )
        t += MINUTE
    t = start
    while t <= end_sim:
        row = stats[t]
        nv = len(row["ok"]) + len(row["err"])
        na, npr = other[auto][t], other[pricing][t]
        durs = sorted(row["ok"] + row["err"])
        if nv:
            kit.put(lam, "Invocations", {"FunctionName": fn}, t, "Count", nv)
            kit.put(lam, "Errors", {"FunctionName": fn}, t, "Count", len(row["err"]))
            kit.put(lam, "Throttles", {"FunctionName": fn}, t, "Count", 0)
            kit.put_dist(
                lam,
                "Duration",
                {"FunctionName": fn},
                t,
                "Milliseconds",
                [round(x, 2) for x in durs],
                [1.0] * len(durs),
            )
            conc = max(1, round(sum(durs) / 60000 * 1.6)) if row["err"] else rng.randint(1, 2)
            kit.put(lam, "ConcurrentExecutions", {"FunctionName": fn}, t, "Count", conc)
        for name, n, med in ((auto, na, 95.0), (pricing, npr, 60.0)):
            if n:
                kit.put(lam, "Invocations", {"FunctionName": name}, t, "Count", n)
                kit.put(lam, "Errors", {"FunctionName": name}, t, "Count", 0)
                v, c = kit.latency(kit.jitter(med, 0.05), med * 4, n, digits=2)
                kit.put_dist(lam, "Duration", {"FunctionName": name}, t, "Milliseconds", v, c)
                kit.put(lam, "ConcurrentExecutions", {"FunctionName": name}, t, "Count", rng.randint(1, 3))
        total = nv + na + npr
        e5 = len(row["err"])
        e4 = kit.poisson(total * 0.01)
        kit.put(apig, "Count", api_d, t, "Count", total)
        kit.put(apig, "5XXError", api_d, t, "Count", e5)
        kit.put(apig, "4XXError", api_d, t, "Count", e4)
        lat = [x + rng.uniform(8, 25) for x in durs]
        v, c = kit.latency(70.0, 300.0, na + npr, digits=2)
        kit.put_dist(
            apig, "Latency", api_d, t, "Milliseconds", [round(x, 2) for x in lat] + v, [1.0] * len(lat) + c
        )
        kit.put_dist(
            apig,
            "IntegrationLatency",
            api_d,
            t,
            "Milliseconds",
            [round(x, 2) for x in durs] + [round(x - 6, 2) for x in v],
            [1.0] * len(durs) + c,
        )
        # NAT gateway keeps serving the app subnets (ECS services, not in this bundle)
        nd = {"NatGatewayId": nat}
        kit.put("AWS/NATGateway", "ActiveConnectionCount", nd, t, "Count", kit.poisson(180))
        kit.put("AWS/NATGateway", "ConnectionEstablishedCount", nd, t, "Count", kit.poisson(340))
        kit.put("AWS/NATGateway", "BytesOutToDestination", nd, t, "Bytes", round(kit.jitter(5.2e6, 0.1)))
        kit.put("AWS/NATGateway", "ErrorPortAllocation", nd, t, "Count", 0)
        t += MINUTE

    # --- alarms ---------------------------------------------------------------------------------------
    topic = kit.arn("sns", "checkout-alerts")
    changes = kit.alarm(
        "checkout-edge-api-5xx",
        description="checkout-edge-api prod: more than 2 5XX responses a minute in 3 of 5 minutes",
        ns=apig,
        metric="5XXError",
        dims=api_d,
        stat="Sum",
        period=60,
        evaluation_periods=5,
        datapoints=3,
        threshold=2.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        start=start,
        now=end_sim,
        actions=[topic],
        configured=created + timedelta(days=5),
    )
    fired = next(c for c in changes if c[2] == "ALARM")
    now = floor_minute(
        max(fired[0] + timedelta(minutes=rng.randint(18, 26)), onset + timedelta(minutes=33))
    ) + timedelta(seconds=rng.randint(0, 59))
    kit.records["alarms"].clear()
    kit.records["alarm_history"].clear()
    common: Json = {"start": start, "now": now, "actions": [topic]}
    changes = kit.alarm(
        "checkout-edge-api-5xx",
        description="checkout-edge-api prod: more than 2 5XX responses a minute in 3 of 5 minutes",
        ns=apig,
        metric="5XXError",
        dims=api_d,
        stat="Sum",
        period=60,
        evaluation_periods=5,
        datapoints=3,
        threshold=2.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=5),
        **common,
    )
    fired = next(c for c in changes if c[2] == "ALARM")
    kit.alarm(
        f"{fn}-errors",
        description="address-verify errors",
        ns=lam,
        metric="Errors",
        dims={"FunctionName": fn},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=10.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=5),
        **common,
    )
    kit.alarm(
        f"{pricing}-errors",
        description="cart-pricing errors",
        ns=lam,
        metric="Errors",
        dims={"FunctionName": pricing},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=10.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=5),
        **common,
    )
    kit.alarm(
        "checkout-nat-port-allocation",
        description="NAT gateway port allocation errors",
        ns="AWS/NATGateway",
        metric="ErrorPortAllocation",
        dims={"NatGatewayId": nat},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=0.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=5),
        **common,
    )

    # --- CloudTrail -----------------------------------------------------------------------------------
    ci = role_identity(kit, "terraform-apply-checkout", "atlantis-checkout", onset - timedelta(minutes=100))
    ci_ip = f"52.{rng.randint(0, 250)}.{rng.randint(0, 250)}.{rng.randint(1, 250)}"
    ls = "lambda.amazonaws.com"
    cache_at = onset - timedelta(minutes=rng.randint(55, 90))
    kit.trail(
        cache_at,
        "elasticache.amazonaws.com",
        "CreateReplicationGroup",
        ci,
        {
            "replicationGroupId": cache_id,
            "replicationGroupDescription": "address verification cache",
            "engine": "valkey",
            "cacheNodeType": "cache.t4g.small",
            "numCacheClusters": 2,
            "automaticFailoverEnabled": True,
            "multiAZEnabled": True,
            "cacheSubnetGroupName": "checkout-prod-data",
            "securityGroupIds": [cache_sg],
            "transitEncryptionEnabled": True,
            "atRestEncryptionEnabled": True,
        },
        {"replicationGroupId": cache_id, "status": "creating"},
        read_only=False,
        ip=ci_ip,
        agent=TERRAFORM.format(api="elasticache#1.38.2"),
    )
    kit.trail(
        cache_at - timedelta(seconds=20),
        "ec2.amazonaws.com",
        "CreateSecurityGroup",
        ci,
        {"groupName": "address-cache", "groupDescription": "address cache (valkey)", "vpcId": vpc},
        {"requestId": kit.uuid(), "_return": True, "groupId": cache_sg},
        read_only=False,
        ip=ci_ip,
        agent=TERRAFORM.format(api="ec2#1.155.0"),
    )
    kit.trail(
        cache_at - timedelta(seconds=25),
        "ec2.amazonaws.com",
        "CreateSecurityGroup",
        ci,
        {"groupName": "address-verify-lambda", "groupDescription": "address-verify lambda", "vpcId": vpc},
        {"requestId": kit.uuid(), "_return": True, "groupId": fn_sg},
        read_only=False,
        ip=ci_ip,
        agent=TERRAFORM.format(api="ec2#1.155.0"),
    )
    for i, name in enumerate(
        ["GetFunction20150331v2", "GetFunctionCodeSigningConfig", "ListVersionsByFunction20150331"]
    ):
        kit.trail(
            onset - timedelta(seconds=14 - 3 * i),
            ls,
            name,
            ci,
            {"functionName": fn},
            None,
            read_only=True,
            ip=ci_ip,
            agent=TERRAFORM.format(api="lambda#1.53.0"),
            version="1.08",
        )
    culprit = kit.trail(
        onset,
        ls,
        "UpdateFunctionConfiguration20150331v2",
        ci,
        {
            "functionName": fn,
            "vpcConfig": {
                "subnetIds": data_sn,
                "securityGroupIds": [fn_sg],
                "ipv6AllowedForDualStack": False,
            },
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        },
        {
            "functionName": fn,
            "functionArn": kit.arn("lambda", f"function:{fn}"),
            "runtime": "python3.12",
            "role": fn_role["Arn"],
            "handler": "app.handler",
            "codeSize": rng.randint(900_000, 2_000_000),
            "description": "Verifies shipping addresses at checkout",
            "timeout": 15,
            "memorySize": 256,
            "lastModified": onset.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "vpcConfig": {
                "subnetIds": data_sn,
                "securityGroupIds": [fn_sg],
                "vpcId": vpc,
                "ipv6AllowedForDualStack": False,
            },
            "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"},
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": kit.uuid(),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["x86_64"],
        },
        read_only=False,
        ip=ci_ip,
        agent=TERRAFORM.format(api="lambda#1.53.0"),
        version="1.08",
    )
    for i, e in enumerate(enis):
        kit.trail(
            onset + timedelta(seconds=8 + 3 * i),
            "ec2.amazonaws.com",
            "CreateNetworkInterface",
            {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
            {
                "subnetId": data_sn[i],
                "description": f"AWS Lambda VPC ENI-{fn}",
                "groupSet": {"items": [{"groupId": fn_sg}]},
                "privateIpAddressesSet": {},
                "ipv6AddressCount": 0,
                "clientToken": kit.uuid(),
            },
            {
                "requestId": kit.uuid(),
                "networkInterface": {
                    "networkInterfaceId": e,
                    "subnetId": data_sn[i],
                    "vpcId": vpc,
                    "availabilityZone": azs[i],
                    "interfaceType": "lambda",
                    "status": "pending",
                    "requesterManaged": True,
                },
            },
            read_only=False,
            ip="lambda.amazonaws.com",
            agent="lambda.amazonaws.com",
            tls=False,
        )
    t = onset + timedelta(seconds=5)
    while t < ready:
        kit.trail(
            t,
            ls,
            "GetFunction20150331v2",
            ci,
            {"functionName": fn},
            None,
            read_only=True,
            ip=ci_ip,
            agent=TERRAFORM.format(api="lambda#1.53.0"),
            version="1.08",
        )
        t += timedelta(seconds=rng.randint(9, 12))
    # the same morning: a stage deployment for a new promo route, a code deploy to cart-pricing
    sd = role_identity(
        kit,
        "github-actions-checkout",
        "GitHubActions",
        stage_deploy_at - timedelta(minutes=2),
        oidc="token.actions.githubusercontent.com",
    )
    gip = f"4.{rng.randint(150, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    kit.trail(
        stage_deploy_at - timedelta(seconds=30),
        "apigateway.amazonaws.com",
        "PutMethod",
        sd,
        {
            "restApiId": api_id,
            "resourceId": res_ids["/v1/cart/promo"],
            "httpMethod": "POST",
            "authorizationType": "NONE",
        },
        {"httpMethod": "POST", "authorizationType": "NONE", "apiKeyRequired": False},
        read_only=False,
        ip=gip,
        agent=TERRAFORM.format(api="apigateway#1.23.6"),
    )
    kit.trail(
        stage_deploy_at,
        "apigateway.amazonaws.com",
        "CreateDeployment",
        sd,
        {"restApiId": api_id, "stageName": "prod", "description": "add POST /v1/cart/promo"},
        {
            "id": deployment_new,
            "description": "add POST /v1/cart/promo",
            "createdDate": java_date_like(stage_deploy_at),
        },
        read_only=False,
        ip=gip,
        agent=TERRAFORM.format(api="apigateway#1.23.6"),
    )
    del deployment_prev
    pr_at = onset + timedelta(minutes=rng.randint(5, 12), seconds=rng.randint(0, 59))
    kit.trail(
        pr_at,
        ls,
        "UpdateFunctionCode20150331v2",
        sd,
        {
            "functionName": pricing,
            "publish": False,
            "dryRun": False,
            "zipFile": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {
            "functionName": pricing,
            "functionArn": kit.arn("lambda", f"function:{pricing}"),
            "runtime": "nodejs20.x",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "revisionId": kit.uuid(),
            "codeSize": rng.randint(400_000, 900_000),
        },
        read_only=False,
        ip=gip,
        agent="Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84",
        version="1.08",
    )
    # routine
    graf = role_identity(kit, "grafana-cloudwatch-read", "grafana", start)
    t = start + timedelta(seconds=rng.randint(60, 600))
    while t < now:
        kit.trail(
            t,
            "monitoring.amazonaws.com",
            "GetMetricData",
            graf,
            {"startTime": iso(t - timedelta(hours=3)), "endTime": iso(t)},
            None,
            read_only=True,
            ip="44.205.12.80",
            agent=GRAFANA,
        )
        t += timedelta(seconds=rng.randint(1500, 2700))
    for name, role in ((fn, fn_role), (auto, auto_role), (pricing, pricing_role)):
        t = start + timedelta(seconds=rng.randint(60, 3600))
        while t < now:
            kit.service_assume_role(t, ls, role["Arn"], name)
            t += timedelta(seconds=rng.randint(4000, 8000))
    kit.service_assume_role(ready + timedelta(seconds=3), ls, fn_role["Arn"], fn)
    oc = sso_identity(
        kit,
        f"AWSReservedSSO_CheckoutOnCall_{kit.hexs(16)}",
        oncall,
        fired[0] + timedelta(minutes=3),
        kit.region,
    )
    oip = kit.public_ip()
    t = fired[0] + timedelta(minutes=rng.randint(4, 7))
    oncall_calls: list[tuple[str, str, Json]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["checkout-edge-api-5xx"]}),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": group, "startTime": ms_of(t - timedelta(minutes=30)), "filterPattern": "ERROR"},
        ),
        (ls, "GetFunction20150331v2", {"functionName": fn}),
    ]
    for i, (src, name, params) in enumerate(oncall_calls):
        kit.trail(
            t + timedelta(seconds=30 * i + rng.randint(0, 9)),
            src,
            name,
            oc,
            params,
            None,
            read_only=True,
            ip=oip,
            agent=CONSOLE_AGENT,
            console=True,
            version="1.08" if src == ls else "1.09",
        )
    del dev

    alarm_event = kit.alarm_event("checkout-edge-api-5xx", fired)
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": fn,
            "category": "change",
            "failure_mode": "lambda-vpc-no-egress",
            "event_id": culprit["eventID"],
        },
        "also_accept": [kit.arn("lambda", f"function:{fn}"), *data_sn],
        "actions": ["rollback", "reconfigure"],
        "chain": [
            f"UpdateFunctionConfiguration attached {fn} to the checkout-prod-data subnets, whose route table has no 0.0.0.0/0 route (no NAT).",
            f"From the VPC, {fn}'s HTTPS connections to {VENDOR} time out (connect timeout, retries, ~9 s per call).",
            f"Every invocation of {fn} fails; {api_name} POST /v1/addresses/verify returns 502.",
            "checkout-edge-api-5xx goes to ALARM; the vendor itself is healthy (address-autocomplete, outside the VPC, still reaches it).",
        ],
    }
    return kit.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={
            "question": "Address verification at checkout is failing - customers get an error when they submit their shipping address. Is Smarty down?",
            "alarm_event": alarm_event,
        },
        truth=truth,
    )


def java_date_like(t: datetime) -> str:
    return t.strftime("%b %d, %Y %I:%M:%S %p")


def ms_of(t: datetime) -> int:
    return int(t.timestamp() * 1000)
