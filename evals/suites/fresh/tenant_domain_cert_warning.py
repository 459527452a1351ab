"""A tenant's new custom domain serves the wrong certificate: the ALB is at its certificates-per-load-balancer quota."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzi import Kit, iso, local, minutes, ms

NAME = "tenant-domain-cert-warning"
TITLE = "New clinic's booking domain shows 'Your connection is not private'; other clinics fine"
SUMMARY = (
    "The custom-domain provisioner got its certificate issued but could not attach it: the tenants ALB "
    "already holds 25 SNI certificates, so AddListenerCertificates fails and the domain gets the default one."
)

ALB_NS = "AWS/ApplicationELB"
TENANTS = [
    "book.harrowgatephysio.co.uk",
    "appointments.kingsmeadvets.com",
    "book.northlandsdental.co.uk",
    "clinic.riversideosteo.com",
    "book.elmtreechiro.co.uk",
    "bookings.meadowbankpodiatry.com",
    "book.saltmarshsports.co.uk",
    "online.cobbletonclinic.com",
    "book.fernsidehearing.co.uk",
    "appointments.ashburyeyecare.com",
    "book.millbrookpilates.co.uk",
    "book.westgatephysio.com",
    "bookings.hollowaydental.co.uk",
    "book.tynesidetherapy.co.uk",
    "book.wrenfieldvets.com",
    "clinic.greyfriarsosteo.co.uk",
    "book.larkhillphysio.com",
    "book.quarrybankdental.co.uk",
    "bookings.hartwellbeauty.com",
    "book.stonebridgesports.co.uk",
    "book.oldmillpodiatry.com",
    "book.beechwoodclinic.co.uk",
    "appointments.cliftonmassage.com",
    "book.thornburyvets.co.uk",
]
NEW_DOMAINS = ["book.brightmoorphysio.co.uk", "book.ravenscarclinic.co.uk", "appointments.hedgerowdental.com"]


def build(seed: int) -> Bundle:
    k = Kit(seed, "7" + "".join(str((seed * 13 + i * 7) % 10) for i in range(11)), "eu-west-2", "certs")
    r = k.rng
    acct, region = k.account, k.region
    zone = "Europe/London"
    day = k.day()
    onset = day.replace(hour=r.randrange(7, 10), minute=r.randrange(0, 60), second=r.randrange(0, 60))
    start = (onset - timedelta(hours=3, minutes=35 + r.randrange(0, 25))).replace(second=0)
    now = onset + timedelta(minutes=40 + r.randrange(0, 20))
    new_domain = r.choice(NEW_DOMAINS)
    last_tenant = "book.oakfieldfamilydental.co.uk"
    vpc = "vpc-0" + k.hexid(16)
    azs = ["eu-west-2a", "eu-west-2b", "eu-west-2c"]
    subnets = {z: "subnet-0" + k.hexid(16) for z in azs}
    alb_name = "plotwise-tenants"
    alb_id = k.hexid(16)
    alb_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{alb_name}/{alb_id}"
    alb_dim = f"app/{alb_name}/{alb_id}"
    listener_arn = (
        f"arn:aws:elasticloadbalancing:{region}:{acct}:listener/app/{alb_name}/{alb_id}/{k.hexid(16)}"
    )
    tg_id = k.hexid(16)
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:targetgroup/plotwise-booking-web/{tg_id}"
    tg_dim = f"targetgroup/plotwise-booking-web/{tg_id}"
    sg = "sg-0" + k.hexid(16)

    def cert() -> str:
        return f"arn:aws:acm:{region}:{acct}:certificate/{k.uid()}"

    default_cert = cert()
    tenant_certs = {d: cert() for d in TENANTS}
    last_cert = cert()
    new_cert = cert()
    fn = "custom-domain-provisioner"
    fn_arn = f"arn:aws:lambda:{region}:{acct}:function:{fn}"
    fn_role = "custom-domain-provisioner-role"
    q_url = f"https://sqs.{region}.amazonaws.com/{acct}/custom-domain-requests"
    dlq_url = f"https://sqs.{region}.amazonaws.com/{acct}/custom-domain-requests-dlq"
    lam = k.role(fn_role, fn)
    lam_agent = (
        "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.214-223.836.amzn2.x86_64 md/arch#x86_64 "
        "lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy"
    )
    lam_ip = f"18.132.{r.randrange(0, 255)}.{r.randrange(1, 254)}"

    # ---------- the provisioner's runs ----------
    def run_ok(t: datetime, domain: str, arn: str) -> None:
        rid = k.uid()
        k.ct(
            t,
            "elasticloadbalancing.amazonaws.com",
            "DescribeListenerCertificates",
            lam,
            {"listenerArn": listener_arn},
            read_only=True,
            ip=lam_ip,
            agent=lam_agent,
        )
        k.ct(
            t + timedelta(seconds=1),
            "acm.amazonaws.com",
            "DescribeCertificate",
            lam,
            {"certificateArn": arn},
            read_only=True,
            ip=lam_ip,
            agent=lam_agent,
        )
        k.ct(
            t + timedelta(seconds=2),
            "elasticloadbalancing.amazonaws.com",
            "AddListenerCertificates",
            lam,
            {"listenerArn": listener_arn, "certificates": [{"certificateArn": arn}]},
            {"certificates": [{"certificateArn": arn, "isDefault": False}]},
            ip=lam_ip,
            agent=lam_agent,
        )
        grp = f"/aws/lambda/{fn}"
        stream = f"{t:%Y/%m/%d}/[$LATEST]{k.hexid(32)}"
        k.log(grp, stream, t - timedelta(milliseconds=300), f"START RequestId: {rid} Version: $LATEST")
        k.log(
            grp,
            stream,
            t,
            f"[INFO]\t{iso(t)[:-1]}.{r.randrange(100, 999)}Z\t{rid}\tcertificate for {domain} is "
            f"ISSUED; attaching to listener",
        )
        k.log(
            grp,
            stream,
            t + timedelta(seconds=3),
            f"[INFO]\t{iso(t + timedelta(seconds=3))[:-1]}.{r.randrange(100, 999)}Z\t{rid}\t{domain} attached; "
            f"marking tenant domain ACTIVE",
        )
        dur = 3200 + r.random() * 800
        k.log(grp, stream, t + timedelta(seconds=3, milliseconds=400), f"END RequestId: {rid}")
        k.log(
            grp,
            stream,
            t + timedelta(seconds=3, milliseconds=401),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
            f"Memory Size: 256 MB\tMax Memory Used: {r.randrange(84, 96)} MB",
        )
        invocations[t.replace(second=0)] = (1, 0, dur)

    def run_fail(t: datetime, attempt: int) -> None:
        rid = k.uid()
        k.ct(
            t,
            "elasticloadbalancing.amazonaws.com",
            "DescribeListenerCertificates",
            lam,
            {"listenerArn": listener_arn},
            read_only=True,
            ip=lam_ip,
            agent=lam_agent,
        )
        k.ct(
            t + timedelta(seconds=1),
            "acm.amazonaws.com",
            "DescribeCertificate",
            lam,
            {"certificateArn": new_cert},
            read_only=True,
            ip=lam_ip,
            agent=lam_agent,
        )
        k.ct(
            t + timedelta(seconds=2),
            "elasticloadbalancing.amazonaws.com",
            "AddListenerCertificates",
            lam,
            {"listenerArn": listener_arn, "certificates": [{"certificateArn": new_cert}]},
            error=(
                "TooManyCertificates",
                "You've reached the limit on the number of certificates per load balancer",
            ),
            ip=lam_ip,
            agent=lam_agent,
        )
        grp = f"/aws/lambda/{fn}"
        stream = f"{t:%Y/%m/%d}/[$LATEST]{k.hexid(32)}"
        k.log(grp, stream, t - timedelta(milliseconds=300), f"START RequestId: {rid} Version: $LATEST")
        k.log(
            grp,
            stream,
            t,
            f"[INFO]\t{iso(t)[:-1]}.{r.randrange(100, 999)}Z\t{rid}\tcertificate for {new_domain} "
            f"is ISSUED; attaching to listener (receive count {attempt})",
        )
        k.log(
            grp,
            stream,
            t + timedelta(seconds=2, milliseconds=600),
            "[ERROR] TooManyCertificatesException: An error occurred (TooManyCertificates) when calling the "
            "AddListenerCertificates operation: You've reached the limit on the number of certificates per load "
            'balancer\nTraceback (most recent call last):\n  File "/var/task/handler.py", line 47, in handler\n'
            '    attach_certificate(domain["certificateArn"])\n  File "/var/task/handler.py", line 112, in '
            'attach_certificate\n    elbv2.add_listener_certificates(\n  File "/var/lang/lib/python3.12/'
            'site-packages/botocore/client.py", line 565, in _api_call\n    return self._make_api_call('
            'operation_name, kwargs)\n  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line '
            "1021, in _make_api_call\n    raise error_class(parsed_response, operation_name)",
        )
        dur = 2600 + r.random() * 600
        k.log(grp, stream, t + timedelta(seconds=2, milliseconds=700), f"END RequestId: {rid}")
        k.log(
            grp,
            stream,
            t + timedelta(seconds=2, milliseconds=701),
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\t"
            f"Memory Size: 256 MB\tMax Memory Used: {r.randrange(84, 96)} MB",
        )
        invocations[t.replace(second=0)] = (1, 1, dur)

    invocations: dict[datetime, tuple[int, int, float]] = {}
    # the 25th tenant's domain went through earlier in the window
    last_req = start + timedelta(minutes=r.randrange(20, 50), seconds=r.randrange(0, 60))
    k.ct(
        last_req,
        "acm.amazonaws.com",
        "RequestCertificate",
        lam,
        {
            "domainName": last_tenant,
            "validationMethod": "DNS",
            "idempotencyToken": k.hexid(12),
            "options": {"certificateTransparencyLoggingPreference": "ENABLED"},
            "keyAlgorithm": "RSA_2048",
        },
        {"certificateArn": last_cert},
        ip=lam_ip,
        agent=lam_agent,
    )
    invocations[last_req.replace(second=0)] = (1, 0, 1900.0)
    run_ok(last_req + timedelta(minutes=r.randrange(9, 16)), last_tenant, last_cert)
    # the new clinic's request
    req = onset - timedelta(minutes=r.randrange(55, 80))
    k.ct(
        req,
        "acm.amazonaws.com",
        "RequestCertificate",
        lam,
        {
            "domainName": new_domain,
            "validationMethod": "DNS",
            "idempotencyToken": k.hexid(12),
            "options": {"certificateTransparencyLoggingPreference": "ENABLED"},
            "keyAlgorithm": "RSA_2048",
        },
        {"certificateArn": new_cert},
        ip=lam_ip,
        agent=lam_agent,
    )
    invocations[req.replace(second=0)] = (1, 0, 1850.0)
    issued = req + timedelta(minutes=r.randrange(6, 12))
    fails = [issued + timedelta(minutes=5 * i, seconds=r.randrange(0, 20)) for i in range(5)]
    for i, t in enumerate(fails):
        run_fail(t, i + 1)
    dlq_at = fails[-1] + timedelta(minutes=5)

    # ---------- resources ----------
    certs = [{"CertificateArn": default_cert, "IsDefault": True}]
    certs += [{"CertificateArn": a, "IsDefault": False} for a in tenant_certs.values()]
    certs.append({"CertificateArn": last_cert, "IsDefault": False})
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{r.randrange(10**9, 10**10)}.{region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
            "CreatedTime": iso(day - timedelta(days=620)),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in subnets.items()],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": listener_arn,
            "LoadBalancerArn": alb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": certs,
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn, "Order": 1}],
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "plotwise-booking-web",
            "Protocol": "HTTP",
            "Port": 8000,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 30,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 5,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/health/",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "instance",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )

    def acm_item(arn: str, domain: str, created: datetime, in_use: list[str]) -> dict[str, object]:
        return {
            "CertificateArn": arn,
            "DomainName": domain,
            "SubjectAlternativeNames": [domain],
            "DomainValidationOptions": [
                {
                    "DomainName": domain,
                    "ValidationDomain": domain,
                    "ValidationStatus": "SUCCESS",
                    "ValidationMethod": "DNS",
                    "ResourceRecord": {
                        "Name": f"_{k.hexid(32)}.{domain}.",
                        "Type": "CNAME",
                        "Value": f"_{k.hexid(32)}.djqtsrsxkq.acm-validations.aws.",
                    },
                }
            ],
            "Serial": ":".join(k.hexid(2) for _ in range(16)),
            "Subject": f"CN={domain}",
            "Issuer": "Amazon",
            "CreatedAt": iso(created),
            "IssuedAt": iso(created + timedelta(minutes=8)),
            "Status": "ISSUED",
            "NotBefore": iso(created),
            "NotAfter": iso(created + timedelta(days=395)),
            "KeyAlgorithm": "RSA-2048",
            "SignatureAlgorithm": "SHA256WITHRSA",
            "InUseBy": in_use,
            "Type": "AMAZON_ISSUED",
            "RenewalEligibility": "ELIGIBLE" if in_use else "INELIGIBLE",
            "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}, {"Name": "KEY_ENCIPHERMENT"}],
            "ExtendedKeyUsages": [
                {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
                {"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"},
            ],
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
        }

    dc = acm_item(default_cert, "*.plotwise.io", day - timedelta(days=300), [alb_arn])
    dc["SubjectAlternativeNames"] = ["*.plotwise.io", "plotwise.io"]
    k.res("acm", "CertificateDetail", dc)
    for i, (dom, a) in enumerate(tenant_certs.items()):
        k.res("acm", "CertificateDetail", acm_item(a, dom, day - timedelta(days=400 - i * 15), [alb_arn]))
    k.res("acm", "CertificateDetail", acm_item(last_cert, last_tenant, last_req, [alb_arn]))
    nc = acm_item(new_cert, new_domain, req, [])
    nc["IssuedAt"] = iso(issued)
    k.res("acm", "CertificateDetail", nc)
    k.res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": fn,
            "FunctionArn": fn_arn,
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{acct}:role/{fn_role}",
            "Handler": "handler.handler",
            "CodeSize": 18423,
            "Timeout": 60,
            "MemorySize": 256,
            "LastModified": (day - timedelta(days=47)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "CodeSha256": k.hexid(43) + "=",
            "Version": "$LATEST",
            "State": "Active",
            "PackageType": "Zip",
            "Architectures": ["arm64"],
            "Environment": {"Variables": {"LISTENER_ARN": listener_arn, "TENANT_TABLE": "tenant-domains"}},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn}"},
        },
    )
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uid(),
            "BatchSize": 1,
            "EventSourceArn": f"arn:aws:sqs:{region}:{acct}:custom-domain-requests",
            "FunctionArn": fn_arn,
            "LastModified": iso(day - timedelta(days=200)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
        },
    )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{region}:{acct}:custom-domain-requests",
                "VisibilityTimeout": "300",
                "MessageRetentionPeriod": "345600",
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": '{"deadLetterTargetArn":"arn:aws:sqs:'
                + region
                + ":"
                + acct
                + ':custom-domain-requests-dlq","maxReceiveCount":5}',
            },
            "Tags": {"team": "platform"},
        },
    )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": dlq_url,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{region}:{acct}:custom-domain-requests-dlq",
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "ApproximateNumberOfMessages": "1",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
            },
            "Tags": {"team": "platform"},
        },
    )
    asg = "plotwise-booking-web"
    inst = ["i-0" + k.hexid(16) for _ in range(4)]
    k.res(
        "autoscaling",
        "AutoScalingGroup",
        {
            "AutoScalingGroupName": asg,
            "AutoScalingGroupARN": f"arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{k.uid()}:"
            f"autoScalingGroupName/{asg}",
            "MinSize": 3,
            "MaxSize": 9,
            "DesiredCapacity": 4,
            "DefaultCooldown": 300,
            "AvailabilityZones": azs,
            "HealthCheckType": "ELB",
            "HealthCheckGracePeriod": 180,
            "CreatedTime": iso(day - timedelta(days=600)),
            "TargetGroupARNs": [tg_arn],
            "VPCZoneIdentifier": ",".join(subnets.values()),
            "Instances": [
                {
                    "InstanceId": i,
                    "AvailabilityZone": azs[n % 3],
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "ProtectedFromScaleIn": False,
                    "InstanceType": "m7g.large",
                }
                for n, i in enumerate(inst)
            ],
            "LaunchTemplate": {
                "LaunchTemplateId": "lt-0" + k.hexid(16),
                "LaunchTemplateName": "plotwise-booking-web",
                "Version": "$Latest",
            },
        },
    )
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/lambda/{fn}",
            "retentionInDays": 90,
            "creationTime": ms(day - timedelta(days=500)),
            "arn": f"arn:aws:logs:{region}:{acct}:log-group:/aws/lambda/{fn}:*",
        },
    )

    # ---------- other CloudTrail ----------
    ops = k.sso("PlatformEngineer", "hannah.okafor@plotwise.io")
    ci = k.role("plotwise-ci-deploy", "buildkite-" + k.hexid(8))
    ci_agent = "aws-cli/2.15.38 Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22 prompt/off command/autoscaling.start-instance-refresh"
    refresh_t = onset - timedelta(minutes=r.randrange(70, 110))
    k.ct(
        refresh_t,
        "autoscaling.amazonaws.com",
        "StartInstanceRefresh",
        ci,
        {"autoScalingGroupName": asg, "preferences": {"minHealthyPercentage": 90, "instanceWarmup": 120}},
        {"instanceRefreshId": k.uid()},
        ip=f"3.10.{r.randrange(0, 255)}.{r.randrange(1, 254)}",
        agent=ci_agent,
    )
    k.ct(
        refresh_t - timedelta(minutes=2),
        "ec2.amazonaws.com",
        "CreateLaunchTemplateVersion",
        ci,
        {
            "CreateLaunchTemplateVersionRequest": {
                "LaunchTemplateName": "plotwise-booking-web",
                "SourceVersion": "$Latest",
                "LaunchTemplateData": {"ImageId": "ami-0" + k.hexid(16)},
            }
        },
        {
            "CreateLaunchTemplateVersionResponse": {
                "launchTemplateVersion": {
                    "launchTemplateName": "plotwise-booking-web",
                    "versionNumber": r.randrange(80, 140),
                }
            }
        },
        ip="3.10.11.9",
        agent=ci_agent,
    )
    k.ct(
        onset - timedelta(minutes=r.randrange(15, 35)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        ops,
        {"functionName": "appointment-reminders", "timeout": 120},
        {"functionName": "appointment-reminders", "timeout": 120, "runtime": "python3.12", "state": "Active"},
        ip=f"86.14.{r.randrange(0, 255)}.{r.randrange(1, 254)}",
        agent="AWS Internal",
    )
    k.ct(
        start + timedelta(minutes=r.randrange(5, 40)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ops,
        {
            "groupId": "sg-0" + k.hexid(16),
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 5432,
                        "toPort": 5432,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": "10.40.8.0/24", "description": "reporting"}]},
                    }
                ]
            },
        },
        {"_return": True},
        ip="86.14.2.201",
        agent="AWS Internal",
    )
    k.read_noise(
        start,
        now,
        [
            ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            (
                "acm.amazonaws.com",
                "ListCertificates",
                {"certificateStatuses": ["ISSUED", "PENDING_VALIDATION"]},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg]}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ],
        55,
    )

    # ---------- metrics ----------
    base = r.randrange(700, 1100)
    for t in minutes(start, now + timedelta(minutes=1)):
        h = local(t, zone).hour + local(t, zone).minute / 60
        load = base * (0.35 + 0.65 * min(1.0, max(0.0, (h - 6.5) / 3)))
        rc = int(load * (0.92 + 0.16 * r.random()))
        d = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
        k.put(ALB_NS, "RequestCount", d, t, rc)
        k.put(ALB_NS, "RequestCount", {"LoadBalancer": alb_dim}, t, rc)
        k.put(ALB_NS, "HTTPCode_Target_2XX_Count", d, t, int(rc * 0.955))
        k.put(ALB_NS, "HTTPCode_Target_3XX_Count", d, t, int(rc * 0.03))
        k.put(ALB_NS, "HTTPCode_Target_4XX_Count", d, t, int(rc * 0.013) + 1)
        if r.random() < 0.2:
            k.put(ALB_NS, "HTTPCode_Target_5XX_Count", d, t, 1)
        k.dist(ALB_NS, "TargetResponseTime", d, t, 0.11, 0.9, rc)
        k.put(ALB_NS, "HealthyHostCount", d, t, 4)
        k.put(ALB_NS, "UnHealthyHostCount", d, t, 0)
        k.put(ALB_NS, "NewConnectionCount", {"LoadBalancer": alb_dim}, t, int(rc * 0.22))
        k.put(ALB_NS, "ActiveConnectionCount", {"LoadBalancer": alb_dim}, t, int(rc * 0.5))
        tls = r.choice([0, 0, 1, 1, 2, 3])
        if t >= onset:
            # browsers reaching the clinic's domain get *.plotwise.io and abort the handshake
            tls += int(load / base * (18 + 10 * r.random()))
        if tls:
            k.put(ALB_NS, "ClientTLSNegotiationErrorCount", {"LoadBalancer": alb_dim}, t, tls)
        k.put(ALB_NS, "HTTPCode_ELB_3XX_Count", {"LoadBalancer": alb_dim}, t, int(rc * 0.04))
        if r.random() < 0.1:
            k.put(ALB_NS, "HTTPCode_ELB_4XX_Count", {"LoadBalancer": alb_dim}, t, r.randrange(1, 4))
        inv = invocations.get(t)
        if inv:
            fd = {"FunctionName": fn}
            k.put("AWS/Lambda", "Invocations", fd, t, inv[0])
            k.put("AWS/Lambda", "Errors", fd, t, inv[1])
            k.put("AWS/Lambda", "Duration", fd, t, round(inv[2], 2), "Milliseconds")
            k.put("AWS/Lambda", "ConcurrentExecutions", fd, t, 1)
    for t in minutes(start, now + timedelta(minutes=1), 5):
        for qn, url in (("custom-domain-requests", q_url), ("custom-domain-requests-dlq", dlq_url)):
            qd = {"QueueName": qn}
            vis = 1 if (qn.endswith("dlq") and t >= dlq_at) else 0
            k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, vis)
            inflight = 1 if (not qn.endswith("dlq") and req <= t < dlq_at) else 0
            k.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, t, inflight)
            k.put(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                qd,
                t,
                int((t - req).total_seconds()) if (inflight or vis) else 0,
                "Seconds",
            )
            del url

    # ---------- alarms ----------
    topic = f"arn:aws:sns:{region}:{acct}:platform-alerts"
    err_alarm_t = fails[0].replace(second=0) + timedelta(minutes=1)
    ea = k.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": fn},
        stat="Sum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=fails[-1].replace(second=0) + timedelta(minutes=6),
        config_time=day - timedelta(days=200),
        state_reason="Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was "
        "treated as [NonBreaching].",
    )
    k.transition(
        ea,
        err_alarm_t,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [1.0 ("
        + (err_alarm_t - timedelta(minutes=5)).strftime("%d/%m/%y %H:%M")
        + ":00)] was greater than the "
        "threshold (0.0).",
    )
    k.transition(ea, fails[-1].replace(second=0) + timedelta(minutes=6), "ALARM", "OK", ea["StateReason"])
    dlq_t = (dlq_at + timedelta(minutes=5)).replace(second=0)
    dlq_t = dlq_t - timedelta(minutes=dlq_t.minute % 5)
    da = k.alarm(
        "custom-domain-requests-dlq-visible",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "custom-domain-requests-dlq"},
        stat="Maximum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
        state="ALARM",
        state_time=dlq_t,
        config_time=day - timedelta(days=200),
        state_reason="Threshold Crossed: 1 datapoint [1.0 ("
        + (dlq_t - timedelta(minutes=5)).strftime("%d/%m/%y %H:%M")
        + ":00)] was greater than the threshold (0.0).",
    )
    k.transition(da, dlq_t, "OK", "ALARM", da["StateReason"])
    k.alarm(
        "plotwise-booking-web-5xx",
        ALB_NS,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
        stat="Sum",
        period=300,
        evals=2,
        threshold=20,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=day - timedelta(days=4),
        config_time=day - timedelta(days=300),
        state_reason="Threshold Crossed: 2 datapoints [1.0, 0.0] were not greater than the threshold (20.0).",
    )
    k.alarm(
        "plotwise-booking-web-latency",
        ALB_NS,
        "TargetResponseTime",
        {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
        stat="Average",
        period=300,
        evals=3,
        threshold=1.0,
        op="GreaterThanThreshold",
        topic=topic,
        state="OK",
        state_time=day - timedelta(days=9),
        config_time=day - timedelta(days=300),
        state_reason="Threshold Crossed: 3 datapoints [0.14, 0.13, 0.15] were not greater than the threshold (1.0).",
    )

    lt = local(onset, zone)
    lt = lt.replace(minute=lt.minute // 15 * 15)
    clinic = (
        new_domain.split(".")[1]
        .replace("physio", " Physio")
        .replace("clinic", " Clinic")
        .replace("dental", " Dental")
        .title()
    )
    question = (
        f"{clinic} switched their booking page to {new_domain} this morning (went live around {lt:%-H:%M}) and "
        f"their patients are getting 'Your connection is not private' in Chrome. Our other clinics' domains are "
        f"working. Did something break with SSL on our side?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": question, "alarm_event": None, "timezone": zone},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": listener_arn,
                "category": "limit",
                "failure_mode": "alb-certificates-per-load-balancer-quota",
            },
            "also_accept": [alb_arn, alb_name, alb_dim],
            "actions": ["scale", "reconfigure"],
            "chain": [listener_arn, fn, new_cert, new_domain],
        },
    }
    return k.bundle(manifest, now)
