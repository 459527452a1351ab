"""Recommendations cannot scale out at the evening peak: new pods on fresh Karpenter nodes fail to pull an
image that an ECR lifecycle rule, tightened that afternoon, expired from the repository."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzb import Shop, World, iso, local, ms

NAME = "recs-image-expired-by-lifecycle-rule"
TITLE = (
    "Recommendations slow and erroring at the evening peak; recs-api pods keep scaling but nothing improves"
)
SUMMARY = (
    "A tightened ECR lifecycle policy expired the release image prod still runs; pods scheduled on new "
    "Karpenter nodes sat in ImagePullBackOff, so recs-api could not scale out for the evening peak."
)


def build(seed: int) -> Bundle:
    w = World(seed, NAME, onset_hour=(17, 19))
    r = w.rng
    shop = Shop(w)
    shop.cache_group()
    repo = "search/recs-api"
    uri = f"{w.account}.dkr.ecr.{w.region}.amazonaws.com/{repo}"
    release = f"v2.{r.randint(8, 19)}.{r.randint(0, 9)}"
    onset = w.onset
    put_at = w.start + timedelta(minutes=r.randint(35, 70))
    expire_at = put_at + timedelta(minutes=r.randint(40, 75))
    keep = r.choice([15, 20, 25])
    engineer = r.choice(["priya.nair", "tom.becker", "li.wei", "marta.silva"])

    # --- the change: a registry clean-up, as a cost ticket asked -------------------------------------
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"keep last {keep} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
                "action": {"type": "expire"},
            }
        ]
    }
    culprit = w.ct(
        put_at,
        "ecr.amazonaws.com",
        "PutLifecyclePolicy",
        w.who_sso(engineer, put_at),
        {"repositoryName": repo, "lifecyclePolicyText": json.dumps(policy)},
        {"registryId": w.account, "repositoryName": repo, "lifecyclePolicyText": json.dumps(policy)},
        resources=[
            {
                "accountId": w.account,
                "type": "AWS::ECR::Repository",
                "ARN": f"arn:aws:ecr:{w.region}:{w.account}:repository/{repo}",
            }
        ],
    )
    # the same engineer did the other two repositories with a safer rule (untagged only): innocent
    for other in ["search/search-api", "search/catalog-indexer"]:
        t = put_at + timedelta(minutes=r.randint(2, 6))
        safe = {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "expire untagged after 14 days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 14,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
        w.ct(
            t,
            "ecr.amazonaws.com",
            "PutLifecyclePolicy",
            w.who_sso(engineer, t),
            {"repositoryName": other, "lifecyclePolicyText": json.dumps(safe)},
            {"registryId": w.account, "repositoryName": other, "lifecyclePolicyText": json.dumps(safe)},
        )
    t = put_at - timedelta(minutes=3)
    w.ct(
        t,
        "ecr.amazonaws.com",
        "GetLifecyclePolicy",
        w.who_sso(engineer, t),
        {"repositoryName": repo},
        None,
        read_only=True,
        error=(
            "LifecyclePolicyNotFoundException",
            f"Lifecycle policy does not exist for the repository with name '{repo}' in the registry with id '{w.account}'",
        ),
    )

    # ECR applies the rule some time later and records what it expired
    pushed = expire_at - timedelta(days=r.randint(16, 26))
    actions = []
    for rank in range(keep + 1, keep + r.randint(6, 12)):
        tag = release if rank == keep + 3 else f"sha-{w.hx('', 7)}"
        actions.append(
            {
                "lifecycleEventImage": {
                    "digest": "sha256:" + w.hx("", 64),
                    "tagStatus": "Tagged",
                    "tagList": [tag],
                    "pushedAt": ms(pushed - timedelta(hours=rank * 3)),
                },
                "rank": rank,
            }
        )
    w.trail.append(
        {
            "eventVersion": "1.08",
            "userIdentity": {"accountId": w.account, "invokedBy": "AWS Internal"},
            "eventTime": iso(expire_at),
            "eventSource": "ecr.amazonaws.com",
            "eventName": "PolicyExecutionEvent",
            "awsRegion": w.region,
            "sourceIPAddress": "AWS Internal",
            "userAgent": "AWS Internal",
            "requestParameters": None,
            "responseElements": None,
            "eventID": w.uuid(),
            "readOnly": True,
            "resources": [
                {"ARN": f"arn:aws:ecr:{w.region}:{w.account}:repository/{repo}", "accountId": w.account}
            ],
            "eventType": "AwsServiceEvent",
            "managementEvent": True,
            "recipientAccountId": w.account,
            "serviceEventDetails": {
                "repositoryName": repo,
                "lifecycleEventPolicy": {
                    "lifecycleEventRules": [
                        {
                            "rulePriority": 1,
                            "description": f"keep last {keep} images",
                            "lifecycleEventSelection": {
                                "tagStatus": "Any",
                                "tagPrefixList": [],
                                "countType": "Image count more than",
                                "countNumber": keep,
                            },
                            "action": "expire",
                        }
                    ],
                    "lastEvaluatedAt": 0,
                    "policyVersion": 1,
                    "policyId": w.uuid(),
                },
                "lifecycleEventImageActions": actions,
            },
            "eventCategory": "Management",
        }
    )

    # --- CI pushes (search-api release mid-afternoon, recs-api main-branch builds) --------------------
    # what DescribeImages lists now: the newest `keep` images, all CI builds; the release tag is gone
    for k in range(keep):
        w.res(
            "ecr",
            "ImageDetail",
            {
                "registryId": w.account,
                "repositoryName": repo,
                "imageDigest": "sha256:" + w.hx("", 64),
                "imageTags": [f"sha-{w.hx('', 7)}"],
                "imageSizeInBytes": r.randint(182_000_000, 196_000_000),
                "imagePushedAt": iso(expire_at - timedelta(hours=3 * k + r.randint(1, 3))),
                "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "artifactMediaType": "application/vnd.docker.container.image.v1+json",
            },
        )
    ci = "github-actions-ecr-push"
    for i, t in enumerate(
        [
            w.start + timedelta(minutes=r.randint(15, 30)),
            onset - timedelta(minutes=r.randint(50, 80)),
            onset - timedelta(minutes=r.randint(12, 25)),
        ]
    ):
        rp = "search/search-api" if i == 1 else repo
        tag = f"v3.{r.randint(2, 9)}.{r.randint(0, 20)}" if i == 1 else f"sha-{w.hx('', 7)}"
        who = w.who_role(ci, f"GitHubActions-{r.randint(7000000000, 9999999999)}", t)
        agent = (
            "aws-sdk-js/3.596.0 ua/2.0 os/linux#6.5.0-1022-azure lang/js md/nodejs#20.14.0 api/ecr#3.596.0"
        )
        w.ct(
            t,
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            who,
            {"registryIds": [w.account]},
            None,
            read_only=True,
            agent=agent,
        )
        w.ct(
            t + timedelta(seconds=40),
            "ecr.amazonaws.com",
            "InitiateLayerUpload",
            who,
            {"registryId": w.account, "repositoryName": rp},
            {"uploadId": w.uuid(), "partSize": 10485760},
            agent="docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/6.5.0-1022-azure os/linux arch/amd64",
        )
        w.ct(
            t + timedelta(seconds=70),
            "ecr.amazonaws.com",
            "CompleteLayerUpload",
            who,
            {
                "registryId": w.account,
                "repositoryName": rp,
                "uploadId": w.uuid(),
                "layerDigests": ["sha256:" + w.hx("", 64)],
            },
            {
                "registryId": w.account,
                "repositoryName": rp,
                "uploadId": w.uuid(),
                "layerDigest": "sha256:" + w.hx("", 64),
            },
            agent="docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/6.5.0-1022-azure os/linux arch/amd64",
        )
        w.ct(
            t + timedelta(seconds=75),
            "ecr.amazonaws.com",
            "PutImage",
            who,
            {
                "repositoryName": rp,
                "imageTag": tag,
                "registryId": w.account,
                "imageManifest": '{\n   "schemaVersion": 2,\n   "mediaType": "application/vnd.docker.distribution.manifest.v2+json"\n}',
            },
            {
                "image": {
                    "registryId": w.account,
                    "repositoryName": rp,
                    "imageId": {"imageDigest": "sha256:" + w.hx("", 64), "imageTag": tag},
                }
            },
            agent="docker/25.0.3 go/go1.21.6 git-commit/f417435 kernel/6.5.0-1022-azure os/linux arch/amd64",
        )

    # innocent config changes shortly before the onset
    t = onset - timedelta(minutes=r.randint(20, 40))
    w.ct(
        t,
        "es.amazonaws.com",
        "UpdateDomainConfig",
        w.who_sso("dana.okafor", t),
        {
            "domainName": shop.domain,
            "logPublishingOptions": {
                "SEARCH_SLOW_LOGS": {
                    "cloudWatchLogsLogGroupArn": f"arn:aws:logs:{w.region}:{w.account}:log-group:/aws/opensearch/{shop.domain}/search-slow",
                    "enabled": True,
                }
            },
        },
        {
            "domainConfig": {
                "logPublishingOptions": {
                    "status": {
                        "state": "Processing",
                        "updateVersion": r.randint(20, 60),
                        "pendingDeletion": False,
                    }
                }
            }
        },
    )
    t = onset - timedelta(minutes=r.randint(70, 110))
    w.ct(
        t,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        w.who_role(f"AmazonEKSLoadBalancerControllerRole-{w.cluster}", "1715000000000000000", t),
        {
            "targetGroupArn": shop.tg_search["TargetGroupArn"],
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}],
        },
        {"attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}]},
        agent="elbv2.k8s.aws/v2.8.1 aws-sdk-go/1.54.6 (go1.22.5; linux; amd64)",
        src_ip=w.ip(2),
    )
    w.noise_trail()

    # --- the evening ramp: HPA wants more recs pods; Karpenter launches nodes; pulls fail --------------
    karp = w.who_role(f"KarpenterController-{w.cluster}", "aws-go-sdk-1700000000000", onset)
    kagent = "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0 karpenter.sh-v1.0.6"
    new_nodes = []
    for k in range(r.randint(2, 3)):
        t = onset + timedelta(minutes=2 + 4 * k, seconds=r.randint(0, 40))
        az = r.randint(0, 2)
        node = w.node(az, r.choice(["c6i.2xlarge", "c7i.2xlarge"]), t + timedelta(seconds=3))
        new_nodes.append((node, t))
        w.ct(
            t,
            "ec2.amazonaws.com",
            "CreateFleet",
            karp,
            {
                "CreateFleetRequest": {
                    "Type": "instant",
                    "TargetCapacitySpecification": {
                        "TotalTargetCapacity": 1,
                        "DefaultTargetCapacityType": "on-demand",
                    },
                    "LaunchTemplateConfigs": {
                        "tag": 1,
                        "LaunchTemplateSpecification": {
                            "LaunchTemplateName": f"karpenter.k8s.aws/{w.hx('', 19)}",
                            "Version": "$Latest",
                        },
                    },
                }
            },
            {
                "CreateFleetResponse": {
                    "fleetId": w.hx("fleet-", 8) + "-" + w.uuid()[9:],
                    "fleetInstanceSet": {
                        "item": {
                            "instanceIds": {"item": node["InstanceId"]},
                            "instanceType": node["InstanceType"],
                            "lifecycle": "on-demand",
                        }
                    },
                    "errorSet": "",
                }
            },
            agent=kagent,
            src_ip=w.ip(),
        )
        w.ct(
            t + timedelta(seconds=2),
            "ec2.amazonaws.com",
            "RunInstances",
            {"type": "AWSService", "invokedBy": "ec2fleet.amazonaws.com"} | {"accountId": w.account},
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "instanceType": node["InstanceType"],
                "availabilityZone": node["Placement"]["AvailabilityZone"],
            },
            {
                "instancesSet": {
                    "items": [
                        {"instanceId": node["InstanceId"], "instanceState": {"code": 0, "name": "pending"}}
                    ]
                }
            },
            agent="ec2fleet.amazonaws.com",
            src_ip="ec2fleet.amazonaws.com",
        )
        nrole = w.who_role(f"KarpenterNodeRole-{w.cluster}", node["InstanceId"], t)
        for j in range(0, 45, 9):
            tp = t + timedelta(minutes=1, seconds=50) + timedelta(minutes=j // 3)
            if tp > w.now:
                break
            w.ct(
                tp,
                "ecr.amazonaws.com",
                "BatchGetImage",
                nrole,
                {
                    "imageIds": [{"imageTag": release}],
                    "registryId": w.account,
                    "repositoryName": repo,
                    "acceptedMediaTypes": [
                        "application/vnd.docker.distribution.manifest.v2+json",
                        "application/vnd.oci.image.manifest.v1+json",
                        "application/vnd.oci.image.index.v1+json",
                    ],
                },
                None,
                read_only=True,
                agent="containerd-stargz-grpc/v0.15.1 ecr-credential-provider/v1.30.0",
                src_ip=node["PrivateIpAddress"],
            )

    # --- logs ------------------------------------------------------------------------------------------
    kns = "kube-system"
    kpod = f"karpenter-{w.hx('', 9)}-{w.hx('', 5)}"
    knode = shop.nodes[0]["PrivateDnsName"]
    for node, t in new_nodes:
        nc = next(tg["Value"] for tg in node["Tags"] if tg["Key"] == "karpenter.sh/nodeclaim")
        w.pod_log(
            kpod,
            kns,
            "controller",
            knode,
            t - timedelta(seconds=4),
            json.dumps(
                {
                    "level": "INFO",
                    "time": iso(t),
                    "logger": "controller",
                    "message": "found provisionable pod(s)",
                    "commit": "6174c75",
                    "controller": "provisioner",
                    "Pods": f"recs/recs-api-{w.hx('', 9)}-{w.hx('', 5)}",
                    "duration": "61.2ms",
                }
            ),
        )
        w.pod_log(
            kpod,
            kns,
            "controller",
            knode,
            t,
            json.dumps(
                {
                    "level": "INFO",
                    "time": iso(t),
                    "logger": "controller",
                    "message": "created nodeclaim",
                    "commit": "6174c75",
                    "controller": "provisioner",
                    "NodePool": {"name": "default"},
                    "NodeClaim": {"name": nc},
                    "requests": {"cpu": "3150m", "memory": "5734Mi", "pods": "7"},
                    "instance-types": "c6i.2xlarge, c7i.2xlarge, m6i.2xlarge, m7i.2xlarge and 12 other(s)",
                }
            ),
        )
        w.pod_log(
            kpod,
            kns,
            "controller",
            knode,
            t + timedelta(seconds=3),
            json.dumps(
                {
                    "level": "INFO",
                    "time": iso(t),
                    "logger": "controller",
                    "message": "launched nodeclaim",
                    "commit": "6174c75",
                    "controller": "nodeclaim.lifecycle",
                    "NodeClaim": {"name": nc},
                    "provider-id": f"aws:///{node['Placement']['AvailabilityZone']}/{node['InstanceId']}",
                    "instance-type": node["InstanceType"],
                    "zone": node["Placement"]["AvailabilityZone"],
                    "capacity-type": "on-demand",
                }
            ),
        )
        w.pod_log(
            kpod,
            kns,
            "controller",
            knode,
            t + timedelta(seconds=48),
            json.dumps(
                {
                    "level": "INFO",
                    "time": iso(t),
                    "logger": "controller",
                    "message": "initialized nodeclaim",
                    "commit": "6174c75",
                    "controller": "nodeclaim.lifecycle",
                    "NodeClaim": {"name": nc},
                    "Node": {"name": node["PrivateDnsName"]},
                }
            ),
        )
        host = node["PrivateDnsName"]
        pods = [f"recs-api-{w.hx('', 10)}-{w.hx('', 5)}" for _ in range(2)]
        tp = t + timedelta(seconds=70)
        back = 10
        while tp < w.now:
            for pod in pods:
                img = f"{uri}:{release}"
                stamp = tp.strftime("%m%d %H:%M:%S") + f".{r.randint(100000, 999999)}"
                msg = (
                    f'E{stamp}    {r.randint(2000, 2300)} log.go:32] "PullImage from image service failed" err="rpc error: code = NotFound desc = '
                    f'failed to pull and unpack image \\"{img}\\": failed to resolve reference \\"{img}\\": {img}: not found" image="{img}"'
                )
                w.log(
                    f"/aws/containerinsights/{w.cluster}/dataplane",
                    f"{host}-dataplane.systemd.kubelet.service",
                    tp,
                    json.dumps({"hostname": host, "systemd_unit": "kubelet.service", "message": msg}),
                )
                msg2 = f'E{stamp}    {r.randint(2000, 2300)} pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"recs-api\\" with ImagePullBackOff: \\"Back-off pulling image \\\\\\"{img}\\\\\\"\\"" pod="recs/{pod}" podUID="{w.uuid()}"'
                w.log(
                    f"/aws/containerinsights/{w.cluster}/dataplane",
                    f"{host}-dataplane.systemd.kubelet.service",
                    tp + timedelta(seconds=1),
                    json.dumps({"hostname": host, "systemd_unit": "kubelet.service", "message": msg2}),
                )
            tp += timedelta(seconds=min(back, 300))
            back *= 2

    def recs_pressure(t: datetime) -> float:
        """How far demand exceeds the four pods that can run (0 before the ramp outgrows them)."""
        if t < onset:
            return 0.0
        return min(1.0, (t - onset).total_seconds() / 1500)

    # the recs pods that do run: slow and shedding
    running = [(f"recs-api-{w.hx('', 10)}-{w.hx('', 5)}", shop.nodes[i]["PrivateDnsName"]) for i in range(4)]
    t = w.start
    while t < w.now:
        p = recs_pressure(t)
        for pod, host in running:
            if r.random() < 0.25:
                lat = int(r.uniform(20, 70) * (1 + 9 * p))
                code = 200 if r.random() > 0.12 * p else 503
                w.pod_log(
                    pod,
                    "recs",
                    "recs-api",
                    host,
                    t + timedelta(seconds=r.randint(0, 59)),
                    f'{w.ip(r.randint(0, 2))}:{r.randint(30000, 60000)} - "GET /v1/recs/home?slot=carousel HTTP/1.1" {code} {lat}ms',
                )
            if p > 0.3 and r.random() < 0.5:
                w.pod_log(
                    pod,
                    "recs",
                    "recs-api",
                    host,
                    t + timedelta(seconds=r.randint(0, 59)),
                    f"WARNING recs.server: worker queue full ({r.randint(60, 64)}/64), rejecting request with 503",
                    "stderr",
                )
        if r.random() < 0.04:
            pod, host = running[r.randint(0, 3)]
            w.pod_log(
                pod,
                "recs",
                "recs-api",
                host,
                t,
                "WARNING recs.features: feature fetch for user segment took 212ms (budget 150ms), using cached vector",
                "stderr",
            )
        t += timedelta(minutes=1)

    # --- metrics ---------------------------------------------------------------------------------------
    base_nodes = float(len(shop.nodes) - len(new_nodes))

    def nodes(t: datetime) -> float:
        return base_nodes + sum(1 for _, tl in new_nodes if t >= tl + timedelta(minutes=1))

    shop.standard_metrics(
        {
            "recs.latency": lambda t: w.noisy(0.06 * (1 + 14 * recs_pressure(t)), 0.12),
            "recs.5xx": lambda t: float(
                int(shop.traffic(t) * 0.16 * recs_pressure(t) * r.uniform(0.7, 1.3)) + r.choice([0, 0, 1])
            ),
            "elb.5xx": lambda t: float(int(shop.traffic(t) * 0.03 * recs_pressure(t) * r.uniform(0.6, 1.4))),
            "ci.nodes": nodes,
            "ci.recs-api.cpu": lambda t: w.noisy(w.diurnal(t, 3, 11) + 70 * recs_pressure(t), 0.06),
        }
    )

    # --- alarms ----------------------------------------------------------------------------------------
    d_recs = {"TargetGroup": shop.tg_recs_dim, "LoadBalancer": shop.lb_dim}
    page = w.alarm(
        "recs-api-5xx-high",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        d_recs,
        "Sum",
        60,
        5,
        50.0,
        "GreaterThanThreshold",
        "recs-api target 5xx above 50/min for 3 of 5 minutes. Runbook: wiki/recs/oncall",
        datapoints=3,
        missing="notBreaching",
    )
    w.alarm(
        "recs-api-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        d_recs,
        "Average",
        60,
        5,
        0.5,
        "GreaterThanThreshold",
        "recs-api average response time above 500 ms",
        datapoints=3,
    )
    w.alarm(
        "search-api-5xx-high",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": shop.tg_search_dim, "LoadBalancer": shop.lb_dim},
        "Sum",
        60,
        5,
        50.0,
        "GreaterThanThreshold",
        "search-api target 5xx above 50/min",
        datapoints=3,
        missing="notBreaching",
    )
    w.alarm(
        f"{shop.domain}-jvm-pressure",
        "AWS/ES",
        "JVMMemoryPressure",
        shop.os_dims,
        "Maximum",
        60,
        1,
        65.0,
        "GreaterThanThreshold",
        "OpenSearch JVM memory pressure",
        actions=False,
    )
    w.alarm(
        f"{shop.domain}-cpu-high",
        "AWS/ES",
        "CPUUtilization",
        shop.os_dims,
        "Average",
        300,
        3,
        80.0,
        "GreaterThanThreshold",
        "OpenSearch CPU above 80% for 15 minutes",
    )
    w.alarm(
        f"{shop.cache}-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": shop.cache_nodes[0], "CacheNodeId": "0001"},
        "Average",
        300,
        2,
        75.0,
        "GreaterThanThreshold",
        "Redis engine CPU on the primary",
    )

    seen = onset + timedelta(minutes=r.randint(15, 25))
    question = (
        f"recs carousel on the homepage is super slow / blank for a lot of people since about {local(seen, w.tz)}. "
        "HPA shows recs-api wanting more replicas and Karpenter did add nodes, but latency isn't coming down. "
        "search-api went out this afternoon, could that be it?"
    )
    chain = [
        f"arn:aws:ecr:{w.region}:{w.account}:repository/{repo}",
        f"{repo}:{release}",
        "recs-api pods (ImagePullBackOff)",
        "recs-api",
        shop.lb["LoadBalancerName"],
    ]
    return w.bundle(
        TITLE,
        {"question": question, "alarm_event": w.alarm_event(page), "timezone": w.tz},
        {
            "no_fault": False,
            "root_cause": {
                "resource": repo,
                "category": "change",
                "failure_mode": "ecr-lifecycle-policy-expired-running-image",
                "event_id": culprit["eventID"],
            },
            "also_accept": [
                f"arn:aws:ecr:{w.region}:{w.account}:repository/{repo}",
                f"{uri}",
                "recs-api lifecycle policy",
            ],
            "actions": ["rollback", "reconfigure"],
            "chain": chain,
        },
    )
