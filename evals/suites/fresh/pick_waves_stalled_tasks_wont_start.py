"""Pick waves stall: new pick-allocator tasks never start (layer pulls refused by a tightened S3 gateway endpoint policy)."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzb as kz
from evals.suites.fresh._kit_zzb import Kit, iso

NAME = "pick-waves-stalled-tasks-wont-start"
TITLE = "Pick waves not reaching the floor this morning; pick-allocator release looks stuck"
SUMMARY = (
    "An S3 gateway endpoint policy limited to the company's own buckets blocks ECR layer downloads, so "
    "pick-allocator's scale-out and release tasks all fail with CannotPullContainerError while the "
    "pick queue backs up."
)

TZ = {
    "eu-west-1": "Europe/Dublin",
    "us-east-1": "America/New_York",
    "eu-central-1": "Europe/Berlin",
    "us-west-2": "America/Los_Angeles",
}


def build(seed: int) -> Bundle:
    k = Kit(seed)
    r = k.rng
    tz = TZ[k.region]
    zone = ZoneInfo(tz)
    local_day = k.day.replace(tzinfo=zone)
    onset = (local_day + timedelta(hours=r.choice([6, 7]), minutes=r.randrange(0, 60))).astimezone(kz.UTC)
    start = onset - timedelta(hours=3, minutes=r.randrange(40, 60))
    now = onset + timedelta(minutes=r.randrange(42, 58))
    base_in = r.uniform(35, 55)
    per_task = r.uniform(26, 32)
    wave = per_task * 4 / base_in * r.uniform(1.45, 1.8)
    agef = r.uniform(0.93, 1.02)
    growth = 60 * (1 - per_task * 4 / (base_in * wave)) * agef
    first = int(600 / growth) + 1
    t_age_alarm = onset + timedelta(minutes=first + 3, seconds=r.randrange(20, 50))
    now = max(now, t_age_alarm + timedelta(minutes=r.randrange(9, 16)))
    t_change = onset - timedelta(minutes=r.randrange(34, 70))
    t_scale = onset + timedelta(minutes=3)
    t_release = onset + timedelta(minutes=r.randrange(5, 11))
    t_wms_deploy = t_change - timedelta(minutes=r.randrange(60, 95))
    t_tg_attr = onset - timedelta(minutes=r.randrange(12, 25))
    org = r.choice(["quaymark", "northdock", "palletline", "harbourfreight"])
    cluster = "wh-prod"
    net = kz.vpc(k, f"{org}-prod", r.randrange(20, 60))
    subnets = net["subnets"]

    # ---- resources -----------------------------------------------------------------------------
    sg_tasks = k.rid("sg")
    sg_vpce = k.rid("sg")
    sg_alb = k.rid("sg")
    for sg, nm, desc, perms in [
        (
            sg_tasks,
            "wh-prod-tasks",
            "ECS tasks in wh-prod",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": k.account}],
                }
            ],
        ),
        (
            sg_vpce,
            "vpce-interface",
            "Interface endpoints",
            [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": f"{net['base']}.0.0/16"}],
                }
            ],
        ),
        (
            sg_alb,
            "wms-api-alb",
            "wms-api load balancer",
            [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
        ),
    ]:
        k.res(
            "ec2",
            "SecurityGroup",
            {
                "GroupId": sg,
                "GroupName": nm,
                "Description": desc,
                "VpcId": net["vpc"],
                "OwnerId": k.account,
                "IpPermissions": perms,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                "Tags": [{"Key": "Name", "Value": nm}],
            },
        )
    rtbs = [k.rid("rtb") for _ in subnets]
    s3_vpce = k.rid("vpce")
    created_old = k.day - timedelta(days=r.randrange(300, 700))
    org_id = "o-" + k.hx(10)
    new_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowOrgBucketsOnly",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{org}-*", f"arn:aws:s3:::{org}-*/*"],
                "Condition": {"StringEquals": {"aws:ResourceOrgID": org_id}},
            }
        ],
    }
    k.res(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": s3_vpce,
            "VpcEndpointType": "Gateway",
            "VpcId": net["vpc"],
            "ServiceName": f"com.amazonaws.{k.region}.s3",
            "State": "available",
            "PolicyDocument": json.dumps(new_policy),
            "RouteTableIds": rtbs,
            "SubnetIds": [],
            "Groups": [],
            "PrivateDnsEnabled": False,
            "RequesterManaged": False,
            "NetworkInterfaceIds": [],
            "DnsEntries": [],
            "CreationTimestamp": iso(created_old),
            "OwnerId": k.account,
            "Tags": [{"Key": "Name", "Value": f"{org}-prod-s3"}],
        },
    )
    full = json.dumps({"Statement": [{"Action": "*", "Effect": "Allow", "Principal": "*", "Resource": "*"}]})
    iface = {}
    for svc in ("ecr.api", "ecr.dkr", "logs", "sqs", "ssm"):
        vid = k.rid("vpce")
        iface[svc] = vid
        k.res(
            "ec2",
            "VpcEndpoint",
            {
                "VpcEndpointId": vid,
                "VpcEndpointType": "Interface",
                "VpcId": net["vpc"],
                "ServiceName": f"com.amazonaws.{k.region}.{svc}",
                "State": "available",
                "PolicyDocument": full,
                "RouteTableIds": [],
                "SubnetIds": subnets,
                "Groups": [{"GroupId": sg_vpce, "GroupName": "vpce-interface"}],
                "IpAddressType": "ipv4",
                "DnsOptions": {"DnsRecordIpType": "ipv4"},
                "PrivateDnsEnabled": True,
                "RequesterManaged": False,
                "NetworkInterfaceIds": [k.rid("eni") for _ in subnets],
                "DnsEntries": [
                    {
                        "DnsName": f"{vid}-{k.hx(8)}.{svc}.{k.region}.vpce.amazonaws.com",
                        "HostedZoneId": "Z" + k.hx(12).upper(),
                    }
                ],
                "CreationTimestamp": iso(created_old + timedelta(days=r.randrange(1, 90))),
                "OwnerId": k.account,
                "Tags": [{"Key": "Name", "Value": f"{org}-prod-{svc}"}],
            },
        )
    for i, rt in enumerate(rtbs):
        k.res(
            "ec2",
            "RouteTable",
            {
                "RouteTableId": rt,
                "VpcId": net["vpc"],
                "OwnerId": k.account,
                "Associations": [
                    {
                        "Main": False,
                        "RouteTableAssociationId": k.rid("rtbassoc"),
                        "RouteTableId": rt,
                        "SubnetId": subnets[i],
                        "AssociationState": {"State": "associated"},
                    }
                ],
                "Routes": [
                    {
                        "DestinationCidrBlock": f"{net['base']}.0.0/16",
                        "GatewayId": "local",
                        "Origin": "CreateRouteTable",
                        "State": "active",
                    },
                    {
                        "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": k.rid("nat"),
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                    {
                        "DestinationPrefixListId": "pl-" + k.hx(8),
                        "GatewayId": s3_vpce,
                        "Origin": "CreateRoute",
                        "State": "active",
                    },
                ],
                "Tags": [{"Key": "Name", "Value": f"{org}-prod-private-{k.azs[i][-1]}"}],
            },
        )

    repo = f"{k.account}.dkr.ecr.{k.region}.amazonaws.com"
    rev_old = r.randrange(40, 140)
    tag_old, tag_new = f"2.{r.randrange(10, 40)}.{r.randrange(0, 9)}", None
    tag_new = tag_old.rsplit(".", 1)[0] + "." + str(int(tag_old.rsplit(".", 1)[1]) + 1)
    td_old = kz.taskdef_item(
        k,
        "pick-allocator",
        rev_old,
        f"{repo}/pick-allocator:{tag_old}",
        registered=k.day - timedelta(days=r.randrange(2, 9)),
        port=None,
        cpu="1024",
        memory="2048",
    )
    td_new = kz.taskdef_item(
        k,
        "pick-allocator",
        rev_old + 1,
        f"{repo}/pick-allocator:{tag_new}",
        registered=t_release,
        port=None,
        cpu="1024",
        memory="2048",
    )
    wms_rev = r.randrange(200, 400)
    td_wms = kz.taskdef_item(
        k, "wms-api", wms_rev, f"{repo}/wms-api:{k.hx(7)}", registered=t_wms_deploy, cpu="1024", memory="2048"
    )
    td_lbl = kz.taskdef_item(
        k,
        "label-bridge",
        r.randrange(10, 30),
        f"{repo}/label-bridge:1.{r.randrange(2, 9)}.0",
        registered=k.day - timedelta(days=r.randrange(20, 80)),
        cpu="256",
        memory="512",
    )
    for td in (td_old, td_new, td_wms, td_lbl):
        k.res("ecs", "TaskDefinition", td)
    alb_name = "wms-api-prod"
    alb_arn = k.arn("elasticloadbalancing", f"loadbalancer/app/{alb_name}/{k.hx(16)}")
    tg_arn = k.arn("elasticloadbalancing", f"targetgroup/wms-api-prod/{k.hx(16)}")
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"internal-{alb_name}-{r.randrange(10**8, 10**9)}.{k.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(created_old),
            "LoadBalancerName": alb_name,
            "Scheme": "internal",
            "VpcId": net["vpc"],
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": az, "SubnetId": s} for az, s in zip(k.azs, subnets, strict=False)
            ],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "wms-api-prod",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": net["vpc"],
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": kz.cluster_arn(k, cluster),
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 4 + 6 + 2,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    pa_arn = k.arn("ecs", f"service/{cluster}/pick-allocator")
    svc_created = created_old + timedelta(days=r.randrange(5, 60))
    old_dep = {
        "id": f"ecs-svc/{r.randrange(10**18, 10**19)}",
        "status": "ACTIVE",
        "taskDefinition": td_old["taskDefinitionArn"],
        "desiredCount": 0,
        "pendingCount": 0,
        "runningCount": 4,
        "failedTasks": 0,
        "createdAt": td_old["registeredAt"],
        "updatedAt": iso(t_release),
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "rolloutState": "COMPLETED",
        "rolloutStateReason": "ECS deployment completed.",
    }
    failed_n = r.randrange(14, 24)
    k.res(
        "ecs",
        "Service",
        kz.service_item(
            k,
            cluster,
            "pick-allocator",
            td_new["taskDefinitionArn"],
            desired=8,
            running=4,
            pending=r.randrange(1, 5),
            created=svc_created,
            dep_created=t_release,
            subnets=subnets,
            sgs=[sg_tasks],
            rollout="IN_PROGRESS",
            extra_deployments=[old_dep],
            failed=failed_n,
        ),
    )
    wms_arn = k.arn("ecs", f"service/{cluster}/wms-api")
    k.res(
        "ecs",
        "Service",
        kz.service_item(
            k,
            cluster,
            "wms-api",
            td_wms["taskDefinitionArn"],
            desired=6,
            running=6,
            created=svc_created,
            dep_created=t_wms_deploy,
            subnets=subnets,
            sgs=[sg_tasks],
            tg_arn=tg_arn,
        ),
    )
    lbl_arn = k.arn("ecs", f"service/{cluster}/label-bridge")
    k.res(
        "ecs",
        "Service",
        kz.service_item(
            k,
            cluster,
            "label-bridge",
            td_lbl["taskDefinitionArn"],
            desired=2,
            running=2,
            created=svc_created,
            dep_created=k.day - timedelta(days=r.randrange(20, 80)),
            subnets=subnets,
            sgs=[sg_tasks],
        ),
    )

    queue = "pick-wave-requests"
    qurl = f"https://sqs.{k.region}.amazonaws.com/{k.account}/{queue}"
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": qurl,
            "Attributes": {
                "QueueArn": k.arn("sqs", queue),
                "VisibilityTimeout": "120",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "DelaySeconds": "0",
                "MaximumMessageSize": "262144",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": k.arn("sqs", queue + "-dlq"), "maxReceiveCount": 5}
                ),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "fulfilment"},
        },
    )
    k.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/pick-allocator",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 4,
            "MaxCapacity": 12,
            "RoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(svc_created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )

    # ---- stopped tasks, service events, scaling activity -----------------------------------------
    layer_bucket = f"prod-{k.region}-starport-layer-bucket"
    task_ids = []
    t = t_scale
    n_stopped = r.randrange(6, 9)
    for i in range(n_stopped):
        tid = k.hx(32)
        task_ids.append(tid)
        td = td_old if t < t_release else td_new
        created = t + timedelta(seconds=r.randrange(5, 40))
        stopped = created + timedelta(seconds=r.randrange(35, 80))
        _digest = "sha256:" + k.hx(64)
        reason = (
            f"CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: "
            f"failed open: unexpected status code https://{layer_bucket}.s3.{k.region}.amazonaws.com/"
            f"{k.uid()}/{k.uid()}?X-Amz-Security-Token=REDACTED: 403 Forbidden"
        )
        if t >= now:
            break
        k.res(
            "ecs",
            "Task",
            {
                "taskArn": k.arn("ecs", f"task/{cluster}/{tid}"),
                "clusterArn": kz.cluster_arn(k, cluster),
                "taskDefinitionArn": td["taskDefinitionArn"],
                "lastStatus": "STOPPED",
                "desiredStatus": "STOPPED",
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "cpu": "1024",
                "memory": "2048",
                "availabilityZone": k.azs[i % 3],
                "group": "service:pick-allocator",
                "startedBy": "ecs-svc/" + str(r.randrange(10**18, 10**19)),
                "createdAt": iso(created),
                "pullStartedAt": iso(created + timedelta(seconds=6)),
                "stoppingAt": iso(stopped),
                "stoppedAt": iso(stopped + timedelta(seconds=r.randrange(10, 30))),
                "stopCode": "TaskFailedToStart",
                "stoppedReason": reason,
                "connectivity": "CONNECTED",
                "connectivityAt": iso(created + timedelta(seconds=4)),
                "version": 4,
                "containers": [
                    {
                        "containerArn": k.arn("ecs", f"container/{cluster}/{tid}/{k.uid()}"),
                        "taskArn": k.arn("ecs", f"task/{cluster}/{tid}"),
                        "name": "pick-allocator",
                        "image": td["containerDefinitions"][0]["image"],
                        "lastStatus": "STOPPED",
                        "reason": reason,
                        "cpu": "0",
                    }
                ],
                "attachments": [
                    {
                        "id": k.uid(),
                        "type": "ElasticNetworkInterface",
                        "status": "DELETED",
                        "details": [
                            {"name": "subnetId", "value": subnets[i % 3]},
                            {"name": "networkInterfaceId", "value": k.rid("eni")},
                            {
                                "name": "privateIPv4Address",
                                "value": f"{net['base']}.{16 * (i % 3 + 1) + r.randrange(0, 15)}.{r.randrange(2, 250)}",
                            },
                        ],
                    }
                ],
            },
        )
        t = stopped + timedelta(seconds=r.randrange(30, 200))
    for t_ev in [
        start + timedelta(minutes=r.randrange(20, 80)),
        onset - timedelta(minutes=r.randrange(30, 100)),
    ]:
        for arn, nm in ((pa_arn, "pick-allocator"), (wms_arn, "wms-api"), (lbl_arn, "label-bridge")):
            kz.svc_event(
                k,
                arn,
                t_ev + timedelta(seconds=r.randrange(0, 600)),
                f"(service {nm}) has reached a steady state.",
            )
    kz.svc_event(
        k,
        wms_arn,
        t_wms_deploy + timedelta(seconds=40),
        "(service wms-api) has started 6 tasks: " + " ".join(f"(task {k.hx(32)})" for _ in range(6)) + ".",
    )
    kz.svc_event(
        k, wms_arn, t_wms_deploy + timedelta(minutes=9), "(service wms-api) has reached a steady state."
    )
    kz.svc_event(
        k,
        wms_arn,
        t_wms_deploy + timedelta(minutes=9, seconds=2),
        f"(service wms-api) (deployment ecs-svc/{r.randrange(10**18, 10**19)}) deployment completed.",
    )
    kz.svc_event(
        k,
        pa_arn,
        t_scale + timedelta(seconds=20),
        "(service pick-allocator) has started 4 tasks: "
        + " ".join(f"(task {x})" for x in task_ids[:4])
        + ".",
    )
    tt = t_scale + timedelta(minutes=3)
    while tt < now:
        nstart = r.randrange(1, 5)
        kz.svc_event(
            k,
            pa_arn,
            tt,
            f"(service pick-allocator) has started {nstart} tasks: "
            + " ".join(f"(task {k.hx(32)})" for _ in range(nstart))
            + ".",
        )
        tt += timedelta(minutes=r.randrange(3, 7))
    kz.svc_event(
        k,
        pa_arn,
        onset + timedelta(minutes=r.randrange(24, 34)),
        "(service pick-allocator) is unable to consistently start tasks successfully. For more information, "
        "see the Troubleshooting section of the Amazon ECS Developer Guide.",
    )
    k.event(
        "application_autoscaling",
        {
            "ActivityId": k.uid(),
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/pick-allocator",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": "Setting desired count to 8.",
            "Cause": "monitor alarm pick-allocator-backlog-high in state ALARM triggered policy pick-allocator-step-out",
            "StartTime": iso(t_scale),
            "EndTime": iso(t_scale + timedelta(seconds=40)),
            "StatusCode": "Successful",
            "StatusMessage": "Successfully set desired count to 8. Change successfully fulfilled by ecs.",
        },
    )
    k.event(
        "application_autoscaling",
        {
            "ActivityId": k.uid(),
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/pick-allocator",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": "Setting desired count to 4.",
            "Cause": "monitor alarm pick-allocator-backlog-low in state ALARM triggered policy pick-allocator-step-in",
            "StartTime": iso(start + timedelta(minutes=r.randrange(10, 60))),
            "EndTime": iso(start + timedelta(minutes=61)),
            "StatusCode": "Successful",
            "StatusMessage": "Successfully set desired count to 4. Change successfully fulfilled by ecs.",
        },
    )

    # ---- CloudTrail --------------------------------------------------------------------------------
    net_admin = r.choice(["aoife.brennan", "marek.zielinski", "dana.okafor", "li.wen"])
    sso = k.role_identity(f"AWSReservedSSO_NetworkAdmin_{k.hx(16)}", f"{net_admin}@{org}.com")
    gha = k.role_identity("gha-deploy", "GitHubActions")
    appas = k.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-UpdateService",
        invoked_by="ecs.application-autoscaling.amazonaws.com",
    )
    dd = k.role_identity("DatadogIntegrationRole", "datadog-aws-integration")
    ops = k.role_identity(f"AWSReservedSSO_PlatformOps_{k.hx(16)}", f"sam.hughes@{org}.com")
    k.ct(
        t_change - timedelta(minutes=4),
        "ec2.amazonaws.com",
        "DescribeVpcEndpoints",
        sso,
        {"DescribeVpcEndpointsRequest": {"VpcEndpointId": {"content": s3_vpce, "tag": 1}}},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    culprit = k.ct(
        t_change,
        "ec2.amazonaws.com",
        "ModifyVpcEndpoint",
        sso,
        {
            "ModifyVpcEndpointRequest": {
                "VpcEndpointId": s3_vpce,
                "PolicyDocument": json.dumps(new_policy, indent=2),
            }
        },
        {
            "ModifyVpcEndpointResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                "requestId": k.uid(),
                "return": True,
            }
        },
        agent="AWS Internal",
    )
    k.ct(
        t_change + timedelta(minutes=2),
        "ec2.amazonaws.com",
        "DescribeVpcEndpoints",
        sso,
        {"DescribeVpcEndpointsRequest": {"VpcEndpointId": {"content": s3_vpce, "tag": 1}}},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    # innocent changes
    k.ct(
        t_wms_deploy - timedelta(seconds=50),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {
            "family": "wms-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {"name": "wms-api", "image": td_wms["containerDefinitions"][0]["image"]}
            ],
        },
        {"taskDefinition": {"taskDefinitionArn": td_wms["taskDefinitionArn"], "revision": wms_rev}},
        agent="aws-sdk-js/3.540.0",
    )
    k.ct(
        t_wms_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {
            "cluster": cluster,
            "service": "wms-api",
            "taskDefinition": td_wms["taskDefinitionArn"],
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": "wms-api", "serviceArn": wms_arn, "desiredCount": 6}},
        agent="aws-sdk-js/3.540.0",
    )
    sg_bast = k.rid("sg")
    k.ct(
        start + timedelta(minutes=r.randrange(20, 70)),
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ops,
        {
            "groupId": sg_bast,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "ipRanges": {
                            "items": [
                                {
                                    "cidrIp": f"{r.randrange(30, 200)}.{r.randrange(1, 250)}.{r.randrange(1, 250)}.0/24",
                                    "description": "office",
                                }
                            ]
                        },
                    }
                ]
            },
        },
        {
            "requestId": k.uid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupId": sg_bast,
                        "securityGroupRuleId": k.rid("sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                    }
                ]
            },
        },
        agent="AWS Internal",
    )
    k.ct(
        t_tg_attr,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        ops,
        {
            "targetGroupArn": tg_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}],
        },
        {"attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}]},
        agent="AWS Internal",
    )
    k.ct(
        onset - timedelta(minutes=r.randrange(40, 120)),
        "ssm.amazonaws.com",
        "PutParameter",
        ops,
        {"name": "/label-bridge/prod/printer-pool", "type": "String", "overwrite": True},
        {"version": r.randrange(5, 30), "tier": "Standard"},
        agent="aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/arm64",
    )
    k.ct(
        t_scale,
        "ecs.amazonaws.com",
        "UpdateService",
        appas,
        {"cluster": cluster, "service": "pick-allocator", "desiredCount": 8},
        {"service": {"serviceName": "pick-allocator", "serviceArn": pa_arn, "desiredCount": 8}},
    )
    k.ct(
        t_release - timedelta(seconds=40),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {
            "family": "pick-allocator",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {"name": "pick-allocator", "image": td_new["containerDefinitions"][0]["image"]}
            ],
        },
        {"taskDefinition": {"taskDefinitionArn": td_new["taskDefinitionArn"], "revision": rev_old + 1}},
        agent="aws-sdk-js/3.540.0",
    )
    k.ct(
        t_release,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {
            "cluster": cluster,
            "service": "pick-allocator",
            "taskDefinition": td_new["taskDefinitionArn"],
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": "pick-allocator", "serviceArn": pa_arn, "desiredCount": 8}},
        agent="aws-sdk-js/3.540.0",
    )
    for tdx, tnow in ((td_wms, t_wms_deploy), (td_old, t_scale), (td_new, t_release)):
        fam = tdx["family"]
        exe = k.role_identity("ecsTaskExecutionRole", k.hx(32))
        for j in range(3):
            rec = k.ct(
                tnow + timedelta(seconds=30 + 20 * j),
                "ecr.amazonaws.com",
                ["GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer"][j],
                exe,
                None
                if j == 0
                else {
                    "registryId": k.account,
                    "repositoryName": fam,
                    **(
                        {
                            "imageIds": [
                                {"imageTag": tdx["containerDefinitions"][0]["image"].split(":")[-1]}
                            ],
                            "acceptedMediaTypes": ["application/vnd.docker.distribution.manifest.v2+json"],
                        }
                        if j == 1
                        else {"layerDigest": "sha256:" + k.hx(64)}
                    ),
                },
                None,
                read_only=True,
                agent="aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.24.7",
                ip=f"{net['base']}.{16 * (j + 1) + 3}.{r.randrange(2, 250)}",
            )
            rec["vpcEndpointId"] = iface["ecr.api"]
            rec.pop("tlsDetails", None)
    k.readonly_noise(
        start,
        now,
        r.randrange(50, 70),
        [
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": ["pick-allocator", "wms-api", "label-bridge"]},
            ),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster}),
            ("ecs.amazonaws.com", "ListClusters", None),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", {"filterSet": {}, "securityGroupIdSet": {}}),
            ("tagging.amazonaws.com", "GetResources", {"resourceTypeFilters": ["ecs:service"]}),
            ("sqs.amazonaws.com", "ListQueues", None),
        ],
        dd,
        "Datadog",
    )

    # ---- metrics -----------------------------------------------------------------------------------

    def sent(t):
        f = wave if t >= onset else 1.0
        return k.noise(base_in * f * (1 + 0.1 * ((t - start).total_seconds() / 14400)), 0.12)

    def deleted(t):
        if t < onset + timedelta(minutes=1):
            return sent(t) * r.uniform(0.96, 1.03)
        return k.noise(per_task * 4, 0.04)

    def backlog(t):
        if t < onset:
            return k.noise(base_in * 0.4, 0.3)
        m = (t - onset).total_seconds() / 60
        return base_in * 0.4 + m * (base_in * wave - per_task * 4) * r.uniform(0.95, 1.05)

    def age(t):
        if t < onset:
            return k.noise(18, 0.5)
        m = (t - onset).total_seconds() / 60
        return max(20.0, m * growth)

    qd = {"QueueName": queue}
    k.series("AWS/SQS", "NumberOfMessagesSent", qd, start, now, sent, unit="Count")
    k.series("AWS/SQS", "NumberOfMessagesReceived", qd, start, now, lambda t: deleted(t) * 1.01, unit="Count")
    k.series("AWS/SQS", "NumberOfMessagesDeleted", qd, start, now, deleted, unit="Count")
    k.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, start, now, backlog, unit="Count")
    k.series("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, start, now, age, unit="Seconds")
    k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": queue + "-dlq"},
        start,
        now,
        lambda t: 2,
        unit="Count",
    )
    ci = "ECS/ContainerInsights"
    for svc, n_run, cpu0 in (("pick-allocator", 4, 34), ("wms-api", 6, 22), ("label-bridge", 2, 9)):
        d = {"ClusterName": cluster, "ServiceName": svc}
        k.series(ci, "RunningTaskCount", d, start, now, lambda t, n=n_run: n, unit="Count")
        if svc == "pick-allocator":
            k.series(ci, "DesiredTaskCount", d, start, now, lambda t: 8 if t >= t_scale else 4, unit="Count")
            k.series(
                ci,
                "PendingTaskCount",
                d,
                start,
                now,
                lambda t: r.choice([0, 1, 2, 3, 4]) if t >= t_scale else 0,
                unit="Count",
            )
            k.series(
                "AWS/ECS",
                "CPUUtilization",
                {"ClusterName": cluster, "ServiceName": svc},
                start,
                now,
                lambda t, cpu0=cpu0: min(99.0, k.noise(cpu0 * (2.6 if t >= onset else 1), 0.08)),
                unit="Percent",
            )
        else:
            k.series(ci, "DesiredTaskCount", d, start, now, lambda t, n=n_run: n, unit="Count")
            k.series(ci, "PendingTaskCount", d, start, now, lambda t: 0, unit="Count")
            k.series(
                "AWS/ECS",
                "CPUUtilization",
                {"ClusterName": cluster, "ServiceName": svc},
                start,
                now,
                lambda t, c=cpu0: k.noise(c * (1.5 if t >= onset else 1), 0.1),
                unit="Percent",
            )
        k.series(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            start,
            now,
            lambda t: k.noise(41, 0.03),
            unit="Percent",
        )
    lbd = {"LoadBalancer": alb_arn.split("loadbalancer/")[1]}
    tgd = {"TargetGroup": tg_arn.split(":")[-1], "LoadBalancer": lbd["LoadBalancer"]}
    blip = start + timedelta(minutes=r.randrange(40, 90))
    k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        lbd,
        start,
        now,
        lambda t: k.noise(700 * (1.6 if t >= onset else 1), 0.08),
        unit="Count",
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        start,
        now,
        lambda t: (
            r.randrange(14, 30)
            if blip <= t < blip + timedelta(minutes=3)
            else (r.randrange(1, 3) if r.random() < 0.12 else None)
        ),
        unit="Count",
    )
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lbd,
        start,
        now,
        lambda t: k.noise(0.085, 0.15),
        unit="Seconds",
    )
    k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, start, now, lambda t: 6, unit="Count")
    k.series("AWS/ApplicationELB", "UnHealthyHostCount", tgd, start, now, lambda t: 0, unit="Count")

    # ---- alarms ------------------------------------------------------------------------------------
    topic = k.arn("sns", "fulfilment-oncall")
    cfg = created_old + timedelta(days=r.randrange(30, 200))
    tl = t_age_alarm.replace(second=0) - timedelta(minutes=1)
    age_reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{age(tl):.1f} ({tl.strftime('%d/%m/%y %H:%M:%S')}), "
        f"{age(tl - timedelta(minutes=1)):.1f} ({(tl - timedelta(minutes=1)).strftime('%d/%m/%y %H:%M:%S')}), {age(tl - timedelta(minutes=2)):.1f} ({(tl - timedelta(minutes=2)).strftime('%d/%m/%y %H:%M:%S')})] were greater than the threshold (600.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    age_alarm = k.alarm(
        "pick-wave-requests-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        stat="Maximum",
        threshold=600,
        evals=3,
        topic=topic,
        configured=cfg,
        desc="Pick wave requests waiting more than 10 minutes. Floor will run out of picks.",
        transitions=[
            (start, "OK", "Threshold Crossed: 3 datapoints were not greater than the threshold (600.0)."),
            (t_age_alarm, "ALARM", age_reason),
        ],
    )
    k.alarm(
        "pick-allocator-backlog-high",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        stat="Average",
        threshold=300,
        evals=1,
        topic=k.arn("sns", "fulfilment-oncall-noop"),
        configured=cfg,
        transitions=[
            (start, "OK", "Threshold Crossed: 1 datapoint was not greater than the threshold (300.0)."),
            (
                t_scale - timedelta(seconds=20),
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (300.0) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
        ],
    )
    k.alarms[-1]["AlarmActions"] = [
        f"arn:aws:autoscaling:{k.region}:{k.account}:scalingPolicy:{k.uid()}:resource/ecs/service/{cluster}/pick-allocator:policyName/pick-allocator-step-out"
    ]
    k.alarms[-1]["OKActions"] = []
    k.alarm(
        "wms-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        threshold=10,
        evals=2,
        topic=topic,
        configured=cfg,
        desc="wms-api returning 5xx",
        transitions=[
            (
                start,
                "OK",
                "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching].",
            ),
            (
                blip + timedelta(minutes=2),
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).",
            ),
            (
                blip + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (10.0) (minimum 2 datapoints for ALARM -> OK transition).",
            ),
        ],
    )
    k.alarm(
        "label-bridge-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "label-bridge"},
        stat="Average",
        period=300,
        threshold=80,
        evals=3,
        topic=topic,
        configured=cfg,
        transitions=[
            (start, "OK", "Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).")
        ],
    )

    # ---- logs --------------------------------------------------------------------------------------
    streams = [f"ecs/pick-allocator/{k.hx(32)}" for _ in range(4)]
    t = start
    while t < now:
        s = r.choice(streams)
        if t < onset:
            lines = r.randrange(8, 60)
            k.log(
                "/ecs/pick-allocator",
                s,
                t,
                f"{t.strftime('%Y-%m-%d %H:%M:%S')},{r.randrange(100, 999)} INFO [allocator] wave W{r.randrange(100000, 999999)} allocated: {lines} lines, zone {r.choice('ABCDEF')}{r.randrange(1, 9)}, {r.randrange(120, 900)}ms",
            )
            t += timedelta(seconds=r.randrange(20, 90))
        else:
            k.log(
                "/ecs/pick-allocator",
                s,
                t,
                f"{t.strftime('%Y-%m-%d %H:%M:%S')},{r.randrange(100, 999)} INFO [allocator] wave W{r.randrange(100000, 999999)} allocated: {r.randrange(8, 60)} lines, zone {r.choice('ABCDEF')}{r.randrange(1, 9)}, {r.randrange(400, 1900)}ms",
            )
            if r.random() < 0.2:
                k.log(
                    "/ecs/pick-allocator",
                    s,
                    t + timedelta(seconds=1),
                    f"{t.strftime('%Y-%m-%d %H:%M:%S')},{r.randrange(100, 999)} WARNING [poller] receive batch full (10/10), consumer busy; in-flight {r.randrange(38, 40)}/40",
                )
            t += timedelta(seconds=r.randrange(8, 30))
    ws = [f"ecs/wms-api/{k.hx(32)}" for _ in range(6)]
    t = start
    while t < now:
        path = r.choice(["/v1/locations/", "/v1/stock/", "/v1/orders/", "/v1/totes/"])
        code = 200 if r.random() > 0.004 else 500
        k.log(
            "/ecs/wms-api",
            r.choice(ws),
            t,
            f'{net["base"]}.{r.randrange(16, 63)}.{r.randrange(2, 250)} - - [{t.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "GET {path}{r.randrange(1000, 99999)} HTTP/1.1" {code} {r.randrange(200, 4000)} "-" "okhttp/4.12.0" {r.uniform(0.01, 0.3):.3f}',
        )
        t += timedelta(seconds=r.randrange(30, 120))

    prev_reason = age_alarm["StateReason"]
    ev = k.alarm_event(
        age_alarm,
        t_age_alarm,
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (600.0).",
        start,
    )
    hh = onset.astimezone(zone)
    question = (
        f"floor says pick waves stopped dropping around {hh.strftime('%-I:%M').lstrip('0')} and the queue age alarm just went off. "
        f"we shipped pick-allocator {tag_new} this morning and the deploy still says in progress — did the release break it? "
        "should we roll back?"
    )
    del prev_reason
    return k.bundle(
        title=TITLE,
        start=start,
        now=now,
        question=question,
        tz=tz,
        alarm_event=ev,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": s3_vpce,
                "category": "change",
                "failure_mode": "vpc-endpoint-policy-blocks-ecr-layer-downloads",
                "event_id": culprit["eventID"],
            },
            "also_accept": [f"{org}-prod-s3", f"com.amazonaws.{k.region}.s3"],
            "actions": ["rollback", "reconfigure"],
            "chain": [s3_vpce, "pick-allocator", queue],
        },
    )
