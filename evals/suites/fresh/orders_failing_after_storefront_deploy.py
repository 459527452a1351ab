"""Orders API pods lose their AWS credentials one by one after an IAM trust-policy edit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zzn import Cluster, Kit, diurnal, iso, ms, policy_text

NAME = "orders-failing-after-storefront-deploy"
TITLE = "Checkout orders failing for some customers since mid-morning; storefront deploy went out around then"
SUMMARY = (
    "A Terraform apply rewrote the orders-api IRSA role's trust policy with a new namespace in the sub "
    "condition; pods fail as their web-identity credentials come up for refresh, ALB target 5xx climbs."
)

PY_AGENT = "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69"
TF_AGENT = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/iam#1.31.4"


def _trust(k: Kit, c: Cluster, ns: str, sa: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{k.account}:oidc-provider/{c.oidc}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{c.oidc}:sub": f"system:serviceaccount:{ns}:{sa}",
                        f"{c.oidc}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def build(seed: int) -> Bundle:
    k = Kit(seed, "us-east-1", datetime(2026, 2, 2, tzinfo=UTC), 14)
    rng = k.rng
    change = k.t0 + timedelta(seconds=rng.randint(0, 59))
    start = (change - timedelta(hours=3, minutes=10)).replace(second=0)
    cname = rng.choice(["larkspur-prod", "tessera-prod", "quayside-prod"])
    ns = "shop"
    c = Cluster(k, cname, ns, ["storefront", "orders-api"], 6, "m6i.xlarge", start)
    table = f"{cname.split('-')[0]}-orders"
    orders_role = f"{cname}-orders-api"
    invoice_role = f"{cname}-invoice-worker"

    # --- pods and when each one's credentials come up for refresh -------------------------------
    orders_pods = []
    for i in range(6):
        node = c.nodes[i % len(c.nodes)]
        p = k.pod(
            ns,
            "orders-api",
            "6d8f9c7b54",
            "orders-api",
            f"{k.account}.dkr.ecr.us-east-1.amazonaws.com/orders-api:2.41.{rng.randint(0, 9)}",
            node["dns"],
            c.pod_ip(node),
        )
        p["phase"] = rng.randint(0, 44 * 60)
        orders_pods.append(p)
    for p in orders_pods:
        t = start - timedelta(hours=1) + timedelta(seconds=p["phase"])
        p["fail_at"] = None
        while True:
            if t >= change:
                p["fail_at"] = t + timedelta(minutes=5)
                p["advisory_at"] = t
                break
            if t >= start:
                c.assume_web_identity(t, orders_role, ns, "orders-api", p["ip"], PY_AGENT)
            t += timedelta(minutes=45, seconds=rng.randint(0, 20))
    onset = min(p["fail_at"] for p in orders_pods)
    now = max(onset + timedelta(minutes=rng.randint(34, 42)), change + timedelta(minutes=58)).replace(
        second=0
    )
    end = now

    # invoice worker (same terraform module, its policy untouched) keeps refreshing fine
    inv_pods = [
        k.pod(
            ns,
            "invoice-worker",
            "7b6c5d9f8",
            "invoice-worker",
            f"{k.account}.dkr.ecr.us-east-1.amazonaws.com/invoice-worker:1.9.3",
            c.nodes[j]["dns"],
            c.pod_ip(c.nodes[j]),
        )
        for j in (1, 4)
    ]
    for p in inv_pods:
        t = start + timedelta(seconds=rng.randint(0, 2700))
        while t < end:
            c.assume_web_identity(t, invoice_role, ns, "invoice-worker", p["ip"], PY_AGENT)
            t += timedelta(minutes=45, seconds=rng.randint(0, 20))

    c.background(start, end)

    # --- failed refreshes after the change: boto3 retries on every call once credentials lapse --
    for p in orders_pods:
        t = p["advisory_at"]
        while t < end:
            c.assume_web_identity(t, orders_role, ns, "orders-api", p["ip"], PY_AGENT, error=True)
            t += timedelta(seconds=rng.randint(50, 80) if t < p["fail_at"] else rng.randint(12, 30))

    # --- the changes of the morning --------------------------------------------------------------
    person = rng.choice(["dana.whitlock", "sam.okafor", "lena.brandt"])
    admin = k.sso(f"{person}@{cname.split('-')[0]}.io")
    other = k.sso(f"{rng.choice(['ravi.menon', 'ola.nilsen'])}@{cname.split('-')[0]}.io", "SRE")
    tf_ip = f"203.0.113.{rng.randint(10, 200)}"
    t_plan = change - timedelta(seconds=rng.randint(40, 90))
    for role in (orders_role, invoice_role, f"{cname}-aws-load-balancer-controller"):
        for name, params in (
            ("GetRole", {"roleName": role}),
            ("ListRolePolicies", {"roleName": role}),
            ("ListAttachedRolePolicies", {"roleName": role}),
        ):
            k.ct(
                t_plan,
                "iam.amazonaws.com",
                name,
                admin,
                params,
                None,
                read_only=True,
                ip=tf_ip,
                agent=TF_AGENT,
            )
            t_plan += timedelta(seconds=rng.randint(0, 2))
    new_trust = _trust(k, c, "orders", "orders-api")
    culprit = k.ct(
        change,
        "iam.amazonaws.com",
        "UpdateAssumeRolePolicy",
        admin,
        {"roleName": orders_role, "policyDocument": json.dumps(new_trust, indent=2)},
        None,
        ip=tf_ip,
        agent=TF_AGENT,
    )
    k.ct(
        change + timedelta(seconds=2),
        "iam.amazonaws.com",
        "TagRole",
        admin,
        {
            "roleName": invoice_role,
            "tags": [{"key": "owner", "value": "orders-team"}, {"key": "tf-module", "value": "irsa-v2"}],
        },
        None,
        ip=tf_ip,
        agent=TF_AGENT,
    )
    k.ct(
        change + timedelta(seconds=3),
        "iam.amazonaws.com",
        "TagRole",
        admin,
        {
            "roleName": orders_role,
            "tags": [{"key": "owner", "value": "orders-team"}, {"key": "tf-module", "value": "irsa-v2"}],
        },
        None,
        ip=tf_ip,
        agent=TF_AGENT,
    )
    k.ct(
        change + timedelta(seconds=5),
        "iam.amazonaws.com",
        "GetRole",
        admin,
        {"roleName": orders_role},
        None,
        read_only=True,
        ip=tf_ip,
        agent=TF_AGENT,
    )

    # an unrelated alarm tweak earlier, and the storefront deploy a few minutes after the apply
    t_alarm = change - timedelta(minutes=rng.randint(55, 80))
    k.ct(
        t_alarm,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        other,
        {
            "alarmName": f"{cname} storefront p99 latency",
            "namespace": "AWS/ApplicationELB",
            "metricName": "TargetResponseTime",
            "extendedStatistic": "p99",
            "period": 60,
            "evaluationPeriods": 5,
            "threshold": 1.5,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching",
        },
        None,
        ip=f"198.51.100.{rng.randint(10, 200)}",
        agent="aws-internal/3 aws-sdk-java/1.12.660 console.amazonaws.com",
    )
    deploy = change + timedelta(minutes=rng.randint(9, 16))
    gha_caller = {
        "type": "WebIdentityUser",
        "principalId": f"arn:aws:iam::{k.account}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:{cname.split('-')[0]}/storefront:ref:refs/heads/main",
        "userName": f"repo:{cname.split('-')[0]}/storefront:ref:refs/heads/main",
        "identityProvider": f"arn:aws:iam::{k.account}:oidc-provider/token.actions.githubusercontent.com",
    }
    gha_ip = f"20.{rng.randint(20, 200)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    k.ct(
        deploy - timedelta(minutes=4),
        "sts.amazonaws.com",
        "AssumeRoleWithWebIdentity",
        gha_caller,
        {"roleArn": f"arn:aws:iam::{k.account}:role/gha-ecr-push", "roleSessionName": "GitHubActions"},
        {
            "subjectFromWebIdentityToken": gha_caller["userName"],
            "audience": "sts.amazonaws.com",
            "provider": f"arn:aws:iam::{k.account}:oidc-provider/token.actions.githubusercontent.com",
        },
        read_only=True,
        ip=gha_ip,
        agent="aws-sdk-nodejs/2.1583.0 linux/v20.11.1 configure-aws-credentials-for-github-actions promise",
    )
    gha = k.role_session("gha-ecr-push", "GitHubActions")
    k.ct(
        deploy - timedelta(minutes=3),
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        gha,
        {},
        None,
        read_only=True,
        ip=gha_ip,
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22",
    )
    sf_tag = f"3.{rng.randint(10, 30)}.{rng.randint(0, 9)}"
    k.ct(
        deploy - timedelta(minutes=2),
        "ecr.amazonaws.com",
        "PutImage",
        gha,
        {
            "repositoryName": "storefront",
            "imageTag": sf_tag,
            "registryId": k.account,
            "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
        },
        {
            "image": {
                "registryId": k.account,
                "repositoryName": "storefront",
                "imageId": {"imageDigest": "sha256:" + k.hex(64), "imageTag": sf_tag},
            }
        },
        ip=gha_ip,
        agent="docker/24.0.9 go/go1.20.13 git-commit/fca702d kernel/6.5.0-1016-azure os/linux arch/amd64",
    )

    # --- metrics ---------------------------------------------------------------------------------
    tg_o, tg_o_arn = c.tgs["orders-api"]
    tg_s, tg_s_arn = c.tgs["storefront"]
    per_min: dict[datetime, tuple[int, int, int]] = {}

    def orders_traffic(t: datetime) -> tuple[int, int, int]:
        if t not in per_min:
            n = int(diurnal(t, 17, 90, 420) * rng.uniform(0.9, 1.1))
            failing = sum(1 for p in orders_pods if p["fail_at"] <= t)
            err = int(n * failing / 6 * rng.uniform(0.82, 0.9))
            base_err = 1 if rng.random() < 0.12 else 0
            per_min[t] = (n, err, base_err)
        return per_min[t]

    lb = {"LoadBalancer": c.lb_dim}
    tgd_o = {"TargetGroup": tg_o, "LoadBalancer": c.lb_dim}
    tgd_s = {"TargetGroup": tg_s, "LoadBalancer": c.lb_dim}
    sf_req: dict[datetime, int] = {}

    def sf(t: datetime) -> int:
        if t not in sf_req:
            sf_req[t] = int(diurnal(t, 17, 600, 2600) * rng.uniform(0.92, 1.08))
        return sf_req[t]

    k.series("AWS/ApplicationELB", "RequestCount", tgd_o, "Count", start, end, lambda t: orders_traffic(t)[0])
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd_o,
        "Count",
        start,
        end,
        lambda t: sum(orders_traffic(t)[1:]) or None,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tgd_o,
        "Count",
        start,
        end,
        lambda t: orders_traffic(t)[0] - sum(orders_traffic(t)[1:]),
    )
    k.series("AWS/ApplicationELB", "RequestCount", tgd_s, "Count", start, end, sf)
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd_s,
        "Count",
        start,
        end,
        lambda t: 1 if rng.random() < 0.06 else None,
    )
    k.series(
        "AWS/ApplicationELB", "RequestCount", lb, "Count", start, end, lambda t: sf(t) + orders_traffic(t)[0]
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Count",
        start,
        end,
        lambda t: 1 if rng.random() < 0.04 else None,
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        lb,
        "Count",
        start,
        end,
        lambda t: int(sf(t) * rng.uniform(0.01, 0.02)),
    )

    def rt(t: datetime, base: float, n: int, fast_frac: float) -> tuple[float, float, float, float]:
        ok = n * (1 - fast_frac)
        s = ok * base * rng.uniform(0.9, 1.1) + n * fast_frac * 0.004
        return (n, s, 0.002, base * rng.uniform(4, 9))

    k.stat_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd_o,
        "Seconds",
        start,
        end,
        lambda t: rt(t, 0.085, orders_traffic(t)[0], orders_traffic(t)[1] / max(1, orders_traffic(t)[0])),
    )
    k.stat_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd_s,
        "Seconds",
        start,
        end,
        lambda t: rt(t, 0.14 if t < deploy else 0.15, sf(t), 0.0),
    )
    k.series("AWS/ApplicationELB", "HealthyHostCount", tgd_o, "Count", start, end, lambda t: 6, digits=0)
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd_o, "Count", start, end, lambda t: 0, digits=0)
    k.series(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd_s,
        "Count",
        start,
        end,
        lambda t: 4 if not deploy <= t < deploy + timedelta(minutes=3) else 5,
        digits=0,
    )
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd_s, "Count", start, end, lambda t: 0, digits=0)

    tdim = {"TableName": table}
    k.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdim,
        "Count",
        start,
        end,
        lambda t: (orders_traffic(t)[0] - orders_traffic(t)[1]) * 0.35 * 2.0,
    )
    k.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdim,
        "Count",
        start,
        end,
        lambda t: (orders_traffic(t)[0] - orders_traffic(t)[1]) * 0.6 * 1.5,
    )

    def ddb_latency(b: float, t: datetime) -> tuple[float, float, float, float]:
        ok = max(1, (orders_traffic(t)[0] - orders_traffic(t)[1]) // 3)
        return (ok, ok * b * rng.uniform(0.9, 1.1), b * 0.4, b * rng.uniform(3, 8))

    for op, base in (("PutItem", 5.2), ("GetItem", 2.9), ("Query", 4.4)):
        k.stat_series(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": op},
            "Milliseconds",
            start,
            end,
            partial(ddb_latency, base),
        )

    hot = c.nodes[rng.randint(0, 5)]
    c.node_metrics(
        start,
        end,
        lambda n, t: min(
            97.0,
            diurnal(t, 17, 22, 48) * rng.uniform(0.85, 1.15)
            + (
                38
                if n is hot
                and change - timedelta(hours=2, minutes=20) <= t < change - timedelta(hours=1, minutes=58)
                else 0
            ),
        ),
        lambda n, t: 52 + rng.uniform(-3, 3),
        lambda n, t: 17 + int(n["id"][-2:], 16) % 5,
    )
    cdim = {"ClusterName": cname}
    k.series("ContainerInsights", "cluster_node_count", cdim, "Count", start, end, lambda t: 6, digits=0)
    k.series(
        "ContainerInsights", "cluster_failed_node_count", cdim, "Count", start, end, lambda t: 0, digits=0
    )

    def pods_of(n: int, s: str, t: datetime) -> float:
        return n + (1 if s == "storefront" and deploy <= t < deploy + timedelta(minutes=3) else 0)

    for svc, cnt in (("orders-api", 6), ("storefront", 4), ("invoice-worker", 2)):
        k.series(
            "ContainerInsights",
            "service_number_of_running_pods",
            {"ClusterName": cname, "Namespace": ns, "Service": svc},
            "Count",
            start,
            end,
            partial(pods_of, cnt, svc),
            digits=0,
        )
        k.series(
            "ContainerInsights",
            "pod_number_of_container_restarts",
            {"ClusterName": cname, "Namespace": ns, "PodName": svc},
            "Count",
            start,
            end,
            lambda t: 0,
            digits=0,
        )

    # --- alarms ----------------------------------------------------------------------------------
    topic = k.arn("sns", f"{cname}-oncall")
    fired = onset.replace(second=0) + timedelta(minutes=3, seconds=rng.randint(20, 50))
    a5 = k.alarm(
        f"{cname} orders-api target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd_o,
        stat="Sum",
        threshold=25,
        op="GreaterThanThreshold",
        evals=3,
        description="orders-api returning 5xx through the shop ingress. Runbook: wiki/runbooks/orders-api",
        topic=topic,
        transitions=[
            (
                fired,
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{sum(orders_traffic(fired.replace(second=0) - timedelta(minutes=1))[1:])}.0 ("
                + (fired.replace(second=0) - timedelta(minutes=1)).strftime("%d/%m/%y %H:%M:%S")
                + ")] were greater than the threshold (25.0) (minimum 3 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    k.alarm(
        f"{cname} storefront target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd_s,
        stat="Sum",
        threshold=40,
        op="GreaterThanThreshold",
        evals=3,
        topic=topic,
    )
    k.alarm(
        f"{cname} storefront p99 latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd_s,
        stat="Average",
        threshold=1.5,
        op="GreaterThanThreshold",
        evals=5,
        topic=topic,
        created=t_alarm,
    )
    hot_dims = {"ClusterName": cname, "InstanceId": hot["id"], "NodeName": hot["dns"]}
    cpu_on = change - timedelta(hours=2, minutes=20) + timedelta(minutes=5, seconds=31)
    k.alarm(
        f"{cname} node cpu high {hot['dns'].split('.')[0]}",
        "ContainerInsights",
        "node_cpu_utilization",
        hot_dims,
        stat="Average",
        threshold=80,
        op="GreaterThanThreshold",
        evals=5,
        topic=topic,
        transitions=[
            (
                cpu_on,
                "ALARM",
                "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (80.0) (minimum 5 datapoints for OK -> ALARM transition).",
            ),
            (
                cpu_on + timedelta(minutes=19),
                "OK",
                "Threshold Crossed: 1 out of the last 5 datapoints [61.3] was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )
    k.alarm(
        f"{cname} failed nodes",
        "ContainerInsights",
        "cluster_failed_node_count",
        cdim,
        stat="Maximum",
        threshold=0,
        op="GreaterThanThreshold",
        evals=2,
        topic=topic,
    )
    k.alarm(
        f"{table} write throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        tdim,
        stat="Sum",
        threshold=10,
        op="GreaterThanThreshold",
        evals=2,
        topic=topic,
    )

    # --- logs ------------------------------------------------------------------------------------
    err_msg = (
        "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: "
        "Not authorized to perform sts:AssumeRoleWithWebIdentity"
    )
    for p in orders_pods:
        t = start + timedelta(seconds=rng.randint(0, 120))
        while t < end:
            failing = t >= p["fail_at"]
            path = rng.choice(["POST /v1/orders", "GET /v1/orders/" + k.hex(8), "POST /v1/orders/quote"])
            client = (
                f"10.{c.second}.{rng.choice([0, 16, 32])}.{rng.randint(4, 250)}:{rng.randint(30000, 60000)}"
            )
            if failing:
                k.container_log(
                    cname,
                    p["node"],
                    p,
                    t,
                    f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} ERROR [orders.api] {path} failed: {err_msg}",
                    "stderr",
                )
                k.container_log(
                    cname,
                    p["node"],
                    p,
                    t,
                    f'INFO:     {client} - "{path.split()[0]} {path.split()[1]} HTTP/1.1" 500 Internal Server Error',
                )
                t += timedelta(seconds=rng.randint(20, 50))
            else:
                k.container_log(
                    cname,
                    p["node"],
                    p,
                    t,
                    f'INFO:     {client} - "{path.split()[0]} {path.split()[1]} HTTP/1.1" {rng.choice(["200 OK", "200 OK", "201 Created"])}',
                )
                t += timedelta(seconds=rng.randint(90, 240))
        adv = p["advisory_at"]
        k.container_log(
            cname,
            p["node"],
            p,
            adv + timedelta(seconds=1),
            "Refreshing temporary credentials failed during advisory refresh period.",
            "stderr",
        )
        k.container_log(
            cname,
            p["node"],
            p,
            adv + timedelta(seconds=1),
            f"botocore.exceptions.ClientError: {err_msg}",
            "stderr",
        )
        k.container_log(
            cname,
            p["node"],
            p,
            p["fail_at"],
            "Refreshing temporary credentials failed during mandatory refresh period.",
            "stderr",
        )
        k.container_log(
            cname,
            p["node"],
            p,
            p["fail_at"],
            "Traceback (most recent call last):\n"
            '  File "/app/orders/api.py", line 212, in create_order\n    table.put_item(Item=item)\n'
            '  File "/usr/local/lib/python3.11/site-packages/botocore/credentials.py", line 634, in _protected_refresh\n'
            "    metadata = self._refresh_using()\n"
            f"botocore.exceptions.ClientError: {err_msg}",
            "stderr",
        )
    sf_pods = [
        k.pod(
            ns,
            "storefront",
            "5f7d8b9c6",
            "storefront",
            f"{k.account}.dkr.ecr.us-east-1.amazonaws.com/storefront:3.9.2",
            c.nodes[j]["dns"],
            c.pod_ip(c.nodes[j]),
        )
        for j in (0, 2, 3, 5)
    ]
    new_sf = [
        k.pod(
            ns,
            "storefront",
            "84c6d7f5b9",
            "storefront",
            f"{k.account}.dkr.ecr.us-east-1.amazonaws.com/storefront:{sf_tag}",
            c.nodes[j]["dns"],
            c.pod_ip(c.nodes[j]),
        )
        for j in (1, 2, 4, 5)
    ]
    for i, p in enumerate(sf_pods + new_sf):
        new = i >= 4
        t0 = deploy + timedelta(seconds=20 * (i - 4)) if new else start
        t1 = end if new else deploy + timedelta(seconds=20 * i + 40)
        if new:
            k.container_log(
                cname,
                p["node"],
                p,
                t0,
                f'{{"level":30,"time":{ms(t0)},"pid":1,"hostname":"{p["name"]}","msg":"storefront {sf_tag} listening on :8080"}}',
            )
        t = t0 + timedelta(seconds=rng.randint(5, 90))
        while t < t1:
            k.container_log(
                cname,
                p["node"],
                p,
                t,
                f'{{"level":30,"time":{ms(t)},"pid":1,"hostname":"{p["name"]}","req":{{"method":"GET","url":"{rng.choice(["/", "/menu", "/basket", "/account"])}"}},"res":{{"statusCode":200}},"responseTime":{rng.randint(40, 260)},"msg":"request completed"}}',
            )
            t += timedelta(seconds=rng.randint(120, 300))
        if not new:
            k.container_log(
                cname,
                p["node"],
                p,
                t1 - timedelta(seconds=5),
                f'{{"level":30,"time":{ms(t1)},"pid":1,"hostname":"{p["name"]}","msg":"SIGTERM received, draining connections"}}',
            )
        for step, (state, reason) in enumerate(
            [("initial", "Elb.RegistrationInProgress"), ("healthy", None)]
            if new
            else [("healthy", None), ("draining", "Target.DeregistrationInProgress")]
        ):
            when = (t0 + timedelta(seconds=25 * step)) if new else (start if step == 0 else t1)
            health: dict[str, Any] = {"State": state}
            if reason:
                health["Reason"] = reason
            k.events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_s_arn,
                        "target": {"Id": p["ip"], "Port": 8080},
                        "health": health,
                        "timestamp": iso(when),
                    },
                }
            )
    for p in orders_pods:
        k.events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_o_arn,
                    "target": {"Id": p["ip"], "Port": 8080},
                    "health": {"State": "healthy"},
                    "timestamp": iso(start),
                },
            }
        )

    # --- resources -------------------------------------------------------------------------------
    c.emit_resources(now)
    for role, ns_, sa, trust in (
        (orders_role, ns, "orders-api", new_trust),
        (invoice_role, ns, "invoice-worker", _trust(k, c, ns, "invoice-worker")),
        (
            f"{cname}-aws-load-balancer-controller",
            "kube-system",
            "aws-load-balancer-controller",
            _trust(k, c, "kube-system", "aws-load-balancer-controller"),
        ),
    ):
        k.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": role,
                "RoleId": k.upper_id("AROA", 17),
                "Arn": f"arn:aws:iam::{k.account}:role/{role}",
                "CreateDate": iso(start - timedelta(days=rng.randint(200, 400))),
                "AssumeRolePolicyDocument": policy_text(trust),
                "Description": f"IRSA role for {ns_}/{sa}",
                "MaxSessionDuration": 3600,
                "Tags": [{"Key": "owner", "Value": "orders-team" if ns_ == ns else "platform"}],
                "RoleLastUsed": {"LastUsedDate": iso(start + timedelta(hours=2)), "Region": "us-east-1"},
            },
        )
    k.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": orders_role,
            "PolicyName": "orders-table",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "dynamodb:GetItem",
                            "dynamodb:PutItem",
                            "dynamodb:UpdateItem",
                            "dynamodb:Query",
                        ],
                        "Resource": [
                            f"arn:aws:dynamodb:us-east-1:{k.account}:table/{table}",
                            f"arn:aws:dynamodb:us-east-1:{k.account}:table/{table}/index/*",
                        ],
                    }
                ],
            },
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": table,
            "TableStatus": "ACTIVE",
            "TableArn": f"arn:aws:dynamodb:us-east-1:{k.account}:table/{table}",
            "TableId": k.uid(),
            "CreationDateTime": iso(start - timedelta(days=500)),
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(10**9, 10**10),
            "ItemCount": rng.randint(10**6, 10**7),
        },
    )

    tz = ZoneInfo("America/New_York")
    q_time = (onset + timedelta(minutes=rng.randint(0, 4))).astimezone(tz)
    d_time = deploy.astimezone(tz)
    question = (
        f"customers are telling support their orders fail at checkout, started maybe {q_time:%-I:%M}ish? "
        f"storefront {sf_tag} went out at {d_time:%-I:%M}, should we roll it back? not everyone is affected"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": "us-east-1",
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": k.alarm_event(a5, fired, "OK", fired - timedelta(days=6)),
                "timezone": "America/New_York",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": orders_role,
                    "category": "change",
                    "failure_mode": "irsa-trust-policy-subject-mismatch",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [f"arn:aws:iam::{k.account}:role/{orders_role}"],
                "actions": ["rollback"],
                "chain": [orders_role, "orders-api", table, c.tgs["orders-api"][0].split("/")[1], c.lb_name],
            },
        }
    )
    recs = k.records()
    recs["cloudtrail"] = [r for r in recs["cloudtrail"] if r["eventTime"] <= iso(now)]
    recs["logs"] = [r for r in recs["logs"] if r["timestamp"] <= ms(now)]
    return Bundle(manifest, recs)
