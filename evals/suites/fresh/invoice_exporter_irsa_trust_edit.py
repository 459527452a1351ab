"""Invoice exports stall after an IAM trust-policy tidy-up points a service-account role at the wrong OIDC
provider; the workload's own deploy lands minutes later and takes the blame."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzd import (
    UTC,
    Kit,
    Platform,
    alb,
    alb_minute,
    cw_log,
    irsa_trust,
    iso,
    role_item,
    wave,
)

NAME = "invoice-exporter-irsa-trust-edit"
TITLE = "Invoice PDFs stopped arriving after this afternoon's invoice-exporter deploy"
SUMMARY = (
    "A service-account role's trust policy was rewritten against another cluster's OIDC provider; new pods "
    "cannot get credentials and the export queue backs up."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "eu-west-1")
    rng = k.rng
    day = datetime(2026, rng.randint(2, 11), rng.randint(1, 27), tzinfo=UTC)
    deploy = day + timedelta(hours=rng.randint(13, 15), minutes=rng.randint(0, 59))
    change = deploy - timedelta(minutes=rng.randint(9, 24), seconds=rng.randint(0, 59))
    now = deploy + timedelta(minutes=rng.randint(38, 55))
    start = deploy - timedelta(hours=4, minutes=rng.randint(0, 30))
    start = start.replace(second=0)
    cluster = rng.choice(["prod-core", "prod-euw1", "core-prod"])
    plat = Platform(k, cluster)
    nodes = plat.nodes("apps", "m6i.2xlarge", 5, start)
    created = start - timedelta(days=rng.randint(200, 600))
    plat.describe(created, {"apps": (3, 12, 5)})
    staging_oidc = k.hexid(32).upper()
    staging_host = f"oidc.eks.{k.region}.amazonaws.com/id/{staging_oidc}"
    acct = k.account

    # --- roles ---------------------------------------------------------------------------------
    role = f"{cluster}-billing-invoice-exporter"
    role_arn = f"arn:aws:iam::{acct}:role/{role}"
    sa = "system:serviceaccount:billing:invoice-exporter"
    bad_trust = irsa_trust(acct, staging_host, sa)
    irsa_trust(acct, plat.oidc_host, sa)
    ledger_role = f"{cluster}-finance-ledger-sync"
    ledger_sa = "system:serviceaccount:finance:ledger-sync"
    ledger_trust = irsa_trust(acct, plat.oidc_host, ledger_sa)
    ca_role = f"{cluster}-cluster-autoscaler"
    last_ok = deploy - timedelta(minutes=rng.randint(5, 20))
    k.res(
        "iam",
        "Role",
        role_item(
            k,
            role,
            bad_trust,
            created + timedelta(days=30),
            last_ok,
            "IRSA role for billing/invoice-exporter",
        ),
    )
    k.res(
        "iam",
        "Role",
        role_item(
            k,
            ledger_role,
            ledger_trust,
            created + timedelta(days=90),
            now - timedelta(minutes=4),
            "IRSA role for finance/ledger-sync",
        ),
    )
    k.res(
        "iam",
        "Role",
        role_item(
            k,
            ca_role,
            irsa_trust(acct, plat.oidc_host, "system:serviceaccount:kube-system:cluster-autoscaler"),
            created,
            now - timedelta(minutes=2),
            "cluster-autoscaler",
        ),
    )
    bucket = f"acme-invoices-{k.hexid(6)}"
    queue = "invoice-export-requests"
    qurl = f"https://sqs.{k.region}.amazonaws.com/{acct}/{queue}"
    k.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": role,
            "PolicyName": "invoice-exporter",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility",
                            "sqs:GetQueueAttributes",
                        ],
                        "Resource": f"arn:aws:sqs:{k.region}:{acct}:{queue}",
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject"],
                        "Resource": f"arn:aws:s3:::{bucket}/invoices/*",
                    },
                ],
            },
        },
    )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": qurl,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{k.region}:{acct}:{queue}",
                "VisibilityTimeout": "120",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": f"arn:aws:sqs:{k.region}:{acct}:{queue}-dlq",
                        "maxReceiveCount": 5,
                    }
                ),
                "CreatedTimestamp": str(int((created + timedelta(days=30)).timestamp())),
            },
            "Tags": {"team": "billing"},
        },
    )
    repo = "billing/invoice-exporter"
    old_v = f"v1.{rng.randint(30, 60)}.{rng.randint(0, 9)}"
    new_v = old_v.rsplit(".", 1)[0] + "." + str(int(old_v.rsplit(".", 1)[1]) + 1)
    new_digest = "sha256:" + k.hexid(64)
    k.res(
        "ecr",
        "Repository",
        {
            "repositoryArn": f"arn:aws:ecr:{k.region}:{acct}:repository/{repo}",
            "registryId": acct,
            "repositoryName": repo,
            "repositoryUri": f"{acct}.dkr.ecr.{k.region}.amazonaws.com/{repo}",
            "createdAt": iso(created + timedelta(days=30)),
            "imageTagMutability": "IMMUTABLE",
            "imageScanningConfiguration": {"scanOnPush": True},
            "encryptionConfiguration": {"encryptionType": "AES256"},
        },
    )
    push = deploy - timedelta(minutes=rng.randint(4, 7))
    k.res(
        "ecr",
        "ImageDetail",
        {
            "registryId": acct,
            "repositoryName": repo,
            "imageDigest": new_digest,
            "imageTags": [new_v],
            "imageSizeInBytes": rng.randint(18_000_000, 26_000_000),
            "imagePushedAt": iso(push),
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
            "lastRecordedPullTime": iso(deploy + timedelta(seconds=40)),
        },
    )
    k.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/aws/containerinsights/{cluster}/application",
            "creationTime": int(created.timestamp() * 1000),
            "retentionInDays": 30,
            "storedBytes": 91_238_441_022,
            "arn": f"arn:aws:logs:{k.region}:{acct}:log-group:/aws/containerinsights/{cluster}/application:*",
        },
    )
    lb, lbd, tg, tgd = alb(k, plat, "storefront", "web", "storefront", 8080, created + timedelta(days=10))

    # --- CloudTrail: changes -------------------------------------------------------------------
    alice = k.sso_identity(
        rng.choice(["m.okafor", "j.lindqvist", "p.raman"]) + "@acme-corp.com", "PlatformAdmin"
    )
    ip = f"81.{rng.randint(2, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    ua = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 cmd/iam.update-assume-role-policy"
    t0 = change - timedelta(minutes=rng.randint(4, 7))
    k.ct(
        t0,
        "iam.amazonaws.com",
        "GetRole",
        alice,
        {"roleName": ledger_role},
        None,
        read_only=True,
        ip=ip,
        agent=ua.replace("update-assume-role-policy", "get-role"),
        region="us-east-1",
    )
    k.ct(
        t0 + timedelta(seconds=70),
        "iam.amazonaws.com",
        "UpdateAssumeRolePolicy",
        alice,
        {"roleName": ledger_role, "policyDocument": json.dumps(ledger_trust, indent=2)},
        None,
        ip=ip,
        agent=ua,
        region="us-east-1",
    )
    k.ct(
        change - timedelta(seconds=50),
        "iam.amazonaws.com",
        "GetRole",
        alice,
        {"roleName": role},
        None,
        read_only=True,
        ip=ip,
        agent=ua.replace("update-assume-role-policy", "get-role"),
        region="us-east-1",
    )
    culprit = k.ct(
        change,
        "iam.amazonaws.com",
        "UpdateAssumeRolePolicy",
        alice,
        {"roleName": role, "policyDocument": json.dumps(bad_trust, indent=2)},
        None,
        ip=ip,
        agent=ua,
        region="us-east-1",
    )
    k.ct(
        change + timedelta(minutes=2),
        "iam.amazonaws.com",
        "TagRole",
        alice,
        {"roleName": role, "tags": [{"key": "owner", "value": "billing"}]},
        None,
        ip=ip,
        agent=ua.replace("update-assume-role-policy", "tag-role"),
        region="us-east-1",
    )
    bob = k.sso_identity(rng.choice(["t.nakamura", "s.ferreira"]) + "@acme-corp.com", "NetworkAdmin")
    k.ct(
        start + timedelta(minutes=rng.randint(40, 90)),
        "elasticloadbalancing.amazonaws.com",
        "ModifyLoadBalancerAttributes",
        bob,
        {"loadBalancerArn": lb, "attributes": [{"key": "idle_timeout.timeout_seconds", "value": "120"}]},
        {"attributes": [{"key": "idle_timeout.timeout_seconds", "value": "120"}]},
        ip="10.8.3.41",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/elbv2.modify-load-balancer-attributes",
    )
    ci = k.role_identity("github-actions-ecr-push", "GitHubActions")
    ci_agent = "aws-sdk-js/3.609.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.15.1 api/ecr#3.609.0"
    other_push = start + timedelta(minutes=rng.randint(60, 120))
    for t, r, tag in [(other_push, "web/storefront", f"2026.{rng.randint(100, 300)}.1"), (push, repo, new_v)]:
        k.ct(
            t - timedelta(seconds=40),
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            ci,
            {},
            None,
            read_only=True,
            ip="20.85.12.4",
            agent=ci_agent,
        )
        k.ct(
            t,
            "ecr.amazonaws.com",
            "PutImage",
            ci,
            {
                "repositoryName": r,
                "imageTag": tag,
                "registryId": acct,
                "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
            },
            {
                "image": {
                    "registryId": acct,
                    "repositoryName": r,
                    "imageId": {
                        "imageDigest": new_digest if r == repo else "sha256:" + k.hexid(64),
                        "imageTag": tag,
                    },
                }
            },
            ip="20.85.12.4",
            agent=ci_agent,
        )

    # node pulls of the new image
    for i, n in enumerate(rng.sample(nodes, 3)):
        node_ident = k.role_identity(plat.node_role, n.id)
        t = deploy + timedelta(seconds=15 + 35 * i)
        k.ct(
            t,
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            node_ident,
            {"registryIds": [acct]},
            None,
            read_only=True,
            ip=n.ip,
            agent="aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux api/ecr#1.30.3",
        )
        k.ct(
            t + timedelta(seconds=2),
            "ecr.amazonaws.com",
            "BatchGetImage",
            node_ident,
            {
                "repositoryName": repo,
                "registryId": acct,
                "imageIds": [{"imageTag": new_v}],
                "acceptedMediaTypes": ["application/vnd.oci.image.manifest.v1+json"],
            },
            None,
            read_only=True,
            ip=n.ip,
            agent="containerd/1.7.20",
        )

    # IRSA credential fetches
    def web_identity(sub: str) -> dict[str, object]:
        prov = f"arn:aws:iam::{acct}:oidc-provider/{plat.oidc_host}"
        return {
            "type": "WebIdentityUser",
            "principalId": f"{prov}:sts.amazonaws.com:{sub}",
            "userName": sub,
            "identityProvider": prov,
        }

    go_agent = (
        "aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.30.3"
    )

    def assume(t: datetime, r_arn: str, sub: str, ip_: str, ok: bool) -> None:
        sess = str(int(t.timestamp() * 1e9) + rng.randint(0, 999999))
        resp = None
        if ok:
            resp = {
                "credentials": {
                    "accessKeyId": k.key("ASIA"),
                    "sessionToken": "IQoJb3JpZ2luX2VjE...",
                    "expiration": (t + timedelta(hours=1)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                },
                "subjectFromWebIdentityToken": sub,
                "assumedRoleUser": {
                    "assumedRoleId": k.key("AROA") + ":" + sess,
                    "arn": r_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/" + sess,
                },
                "provider": f"arn:aws:iam::{acct}:oidc-provider/{plat.oidc_host}",
                "audience": "sts.amazonaws.com",
            }
        k.ct(
            t,
            "sts.amazonaws.com",
            "AssumeRoleWithWebIdentity",
            web_identity(sub),
            {"roleArn": r_arn, "roleSessionName": sess, "durationSeconds": 3600},
            resp,
            read_only=True,
            ip=ip_,
            agent=go_agent,
            error=None if ok else ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
            resources=[{"accountId": acct, "type": "AWS::IAM::Role", "ARN": r_arn}],
        )

    old_pods = [f"invoice-exporter-{k.hexid(10)}-{k.hexid(5)}" for _ in range(3)]
    new_rs = k.hexid(10)
    new_pods = [f"invoice-exporter-{new_rs}-{k.hexid(5)}" for _ in range(3)]
    pod_node = {p: rng.choice(nodes) for p in old_pods + new_pods}
    pod_ip = {
        p: f"{pod_node[p].ip.rsplit('.', 2)[0]}.{rng.randint(0, 255)}.{rng.randint(2, 250)}" for p in pod_node
    }
    for p in old_pods:
        t = start + timedelta(minutes=rng.randint(0, 55))
        while t < deploy:
            assume(t, role_arn, sa, pod_ip[p], True)
            t += timedelta(minutes=rng.randint(44, 50))
    ledger_arn = f"arn:aws:iam::{acct}:role/{ledger_role}"
    for _ in range(2):
        t = start + timedelta(minutes=rng.randint(0, 55))
        lip = k.private_ip(rng.randint(1, 200))
        while t < now:
            assume(t, ledger_arn, ledger_sa, lip, True)
            t += timedelta(minutes=rng.randint(44, 50))
    ca_arn = f"arn:aws:iam::{acct}:role/{ca_role}"
    t = start + timedelta(minutes=rng.randint(0, 40))
    while t < now:
        assume(t, ca_arn, "system:serviceaccount:kube-system:cluster-autoscaler", k.private_ip(50), True)
        t += timedelta(minutes=47)

    # new pods crash-loop: backoff 10s, 20s, 40s ... 5 min
    restarts: dict[datetime, int] = {}
    for i, p in enumerate(new_pods):
        t = deploy + timedelta(seconds=20 + 30 * i)
        backoff = 10
        while t < now:
            assume(t + timedelta(milliseconds=300), role_arn, sa, pod_ip[p], False)
            node = pod_node[p]
            cw_log(
                k,
                cluster,
                node,
                p,
                "billing",
                "invoice-exporter",
                t,
                f'time={iso(t)} level=INFO msg="starting invoice-exporter" version={new_v} queue={qurl} '
                f"workers=8",
            )
            for j in range(3):
                tt = t + timedelta(seconds=1 + j * 2)
                cw_log(
                    k,
                    cluster,
                    node,
                    p,
                    "billing",
                    "invoice-exporter",
                    tt,
                    f'time={iso(tt)} level=ERROR msg="receive failed" attempt={j + 1} err="operation error SQS: '
                    f"ReceiveMessage, get identity: get credentials: failed to refresh cached credentials, "
                    f"failed to retrieve credentials, operation error STS: AssumeRoleWithWebIdentity, https "
                    f"response error StatusCode: 403, RequestID: {k.uid()}, api error AccessDenied: Not "
                    f'authorized to perform sts:AssumeRoleWithWebIdentity"',
                    "stderr",
                )
            tt = t + timedelta(seconds=7)
            cw_log(
                k,
                cluster,
                node,
                p,
                "billing",
                "invoice-exporter",
                tt,
                f'time={iso(tt)} level=ERROR msg="giving up after 3 consecutive receive failures; exiting" '
                f"code=1",
                "stderr",
            )
            exit_min = (t + timedelta(seconds=8)).replace(second=0, microsecond=0)
            restarts[exit_min] = restarts.get(exit_min, 0) + 1
            t += timedelta(seconds=8 + backoff)
            backoff = min(backoff * 2, 300)

    # old pods' normal work
    for p in old_pods:
        t = start + timedelta(seconds=rng.randint(0, 300))
        while t < deploy:
            inv = f"INV-{rng.randint(2_000_000, 2_999_999)}"
            cw_log(
                k,
                cluster,
                pod_node[p],
                p,
                "billing",
                "invoice-exporter",
                t,
                f'time={iso(t)} level=INFO msg="invoice exported" invoice={inv} '
                f"key=invoices/{t:%Y/%m/%d}/{inv}.pdf bytes={rng.randint(40000, 190000)} "
                f"duration_ms={rng.randint(180, 900)}",
            )
            t += timedelta(seconds=rng.randint(50, 200))
        cw_log(
            k,
            cluster,
            pod_node[p],
            p,
            "billing",
            "invoice-exporter",
            deploy + timedelta(seconds=30),
            f'time={iso(deploy + timedelta(seconds=30))} level=INFO msg="received SIGTERM, draining" inflight=0',
        )

    # --- metrics ---------------------------------------------------------------------------------
    qdims = {"QueueName": queue}
    backlog = float(rng.randint(0, 6))
    oldest = 20.0
    age_series: dict[datetime, float] = {}
    tm = start
    while tm <= now:
        sent = max(0.0, wave(tm, 30, 14) + rng.uniform(-6, 6))
        ok = tm < deploy
        recv = sent + rng.uniform(-2, 2) if ok else 0.0
        recv = max(0.0, recv)
        backlog = max(0.0, backlog + sent - recv) if not ok else float(rng.randint(0, 8))
        oldest = rng.uniform(5, 45) if ok else oldest + 60
        ns = "AWS/SQS"
        k.metric(ns, "NumberOfMessagesSent", qdims, tm, round(sent), "Count")
        k.metric(ns, "NumberOfMessagesReceived", qdims, tm, round(recv), "Count")
        k.metric(ns, "NumberOfMessagesDeleted", qdims, tm, round(recv * 0.99), "Count")
        k.metric(ns, "NumberOfEmptyReceives", qdims, tm, 0 if not ok else rng.randint(10, 40), "Count")
        k.metric(ns, "ApproximateNumberOfMessagesVisible", qdims, tm, round(backlog), "Count")
        k.metric(ns, "ApproximateAgeOfOldestMessage", qdims, tm, round(oldest), "Seconds")
        age_series[tm] = round(oldest)
        # storefront ALB: healthy, ordinary
        req = wave(tm, 5200, 1800) + rng.uniform(-200, 200)
        t5 = rng.choice([0, 0, 0, 0, 1, 2]) + (rng.randint(15, 40) if rng.random() < 0.01 else 0)
        alb_minute(k, lbd, tgd, tm, req, rng.uniform(0.06, 0.11), t5, rng.choice([0, 0, 0, 1]), 6, 0)
        cdims = {"ClusterName": cluster, "Namespace": "billing", "PodName": "invoice-exporter"}
        k.metric(
            "ContainerInsights", "pod_number_of_container_restarts", cdims, tm, restarts.get(tm, 0), "Count"
        )
        k.metric(
            "ContainerInsights",
            "pod_cpu_utilization",
            cdims,
            tm,
            rng.uniform(0.8, 2.4) if ok else rng.uniform(0.0, 0.3),
            "Percent",
        )
        for n in nodes:
            k.metric(
                "ContainerInsights",
                "node_cpu_utilization",
                {"ClusterName": cluster, "InstanceId": n.id, "NodeName": n.name},
                tm,
                wave(tm, 38, 12) + rng.uniform(-5, 5),
                "Percent",
            )
        k.metric("ContainerInsights", "cluster_node_count", {"ClusterName": cluster}, tm, 5, "Count")
        k.metric("ContainerInsights", "cluster_failed_node_count", {"ClusterName": cluster}, tm, 0, "Count")
        tm += timedelta(minutes=1)

    topic = f"arn:aws:sns:{k.region}:{acct}:billing-oncall"
    age = k.alarm(
        f"{queue}-oldest-message-age",
        "Invoice export backlog: oldest message older than 10 min",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qdims,
        "Maximum",
        60,
        5,
        5,
        600,
        "GreaterThanThreshold",
        age_series,
        start,
        now,
        topic,
    )
    t5_series: dict[datetime, float] = {}
    for point in k.metrics:
        if point["metric"] == "HTTPCode_Target_5XX_Count" and "TargetGroup" not in point["dimensions"]:
            t5_series[datetime.fromisoformat(point["timestamp"].replace("Z", "+00:00"))] = point["value"]
    k.alarm(
        f"{cluster}-storefront-target-5xx",
        "storefront 5xx from pods",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lbd},
        "Sum",
        60,
        2,
        2,
        25,
        "GreaterThanThreshold",
        t5_series,
        start,
        now,
        f"arn:aws:sns:{k.region}:{acct}:web-oncall",
        missing="notBreaching",
    )
    k.tooling_reads(
        start,
        now,
        [
            ("eks.amazonaws.com", "DescribeCluster", {"name": cluster}),
            ("ec2.amazonaws.com", "DescribeInstances", {"maxResults": 1000}),
            ("sqs.amazonaws.com", "ListQueues", {}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg}),
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"maxRecords": 100}),
            ("iam.amazonaws.com", "ListRoles", {"maxItems": 1000}),
        ],
    )
    local = deploy.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M")
    question = (
        f"Customers say invoice PDFs haven't shown up since about {local}. billing shipped invoice-exporter "
        f"{new_v} right around then, should we just roll it back? queue alarm is firing too"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        question,
        "Europe/London",
        k.alarm_event(age),
        {
            "no_fault": False,
            "root_cause": {
                "resource": role,
                "category": "change",
                "failure_mode": "irsa-trust-policy-wrong-oidc-provider",
                "event_id": culprit,
            },
            "also_accept": [role_arn],
            "actions": ["rollback"],
            "chain": [role, "invoice-exporter", queue],
        },
    )
