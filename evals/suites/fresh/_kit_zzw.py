"""Private helpers for kit zzw's incidents: ids, CloudTrail records, metric series, alarms."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def minutes(start: datetime, end: datetime, step: int = 1) -> list[datetime]:
    out = []
    t = start
    while t < end:
        out.append(t)
        t += timedelta(minutes=step)
    return out


class Kit:
    """Collects one bundle's records; every random choice comes from one seeded generator."""

    def __init__(self, seed: int, salt: str, region: str = "us-east-1") -> None:
        self.rng = random.Random(f"{salt}:{seed}")
        self.region = region
        self.account = str(self.rng.randint(100000000000, 999999999999))
        self.metrics: list[dict[str, Any]] = []
        self.alarms: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.logs: list[dict[str, Any]] = []
        self.trail: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # --- ids -------------------------------------------------------------------------------------
    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def upper(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def day(self, year: int = 2026) -> datetime:
        base = datetime(year, 1, 5, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 300))
        return base

    def arn(self, service: str, rest: str, region: str | None = None) -> str:
        reg = self.region if region is None else region
        return f"arn:aws:{service}:{reg}:{self.account}:{rest}"

    # --- identities ------------------------------------------------------------------------------
    def role_identity(self, role: str, session: str, *, console: bool = False) -> dict[str, Any]:
        role_id = "AROA" + self.upper(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        ident: dict[str, Any] = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{session}",
            "accountId": self.account,
            "accessKeyId": "ASIA" + self.upper(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{self.account}:role/{role}",
                    "accountId": self.account,
                    "userName": role,
                },
                "attributes": {"creationDate": "", "mfaAuthenticated": "true" if console else "false"},
            },
        }
        return ident

    # --- CloudTrail ------------------------------------------------------------------------------
    def ct(
        self,
        t: datetime,
        source: str,
        name: str,
        ident: dict[str, Any],
        params: dict[str, Any] | None,
        response: dict[str, Any] | None = None,
        *,
        read_only: bool = False,
        agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023",
        ip: str | None = None,
        region: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        ident = dict(ident)
        if "sessionContext" in ident:
            sc = dict(ident["sessionContext"])
            attrs = dict(sc["attributes"])
            attrs["creationDate"] = iso(t - timedelta(minutes=self.rng.randint(3, 50)))
            sc["attributes"] = attrs
            ident["sessionContext"] = sc
        rec: dict[str, Any] = {
            "eventVersion": "1.09" if not read_only else "1.08",
            "userIdentity": ident,
            "eventTime": iso(t),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region or self.region,
            "sourceIPAddress": ip
            or f"10.{self.rng.randint(0, 40)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 254)}",
            "userAgent": agent,
            "requestParameters": params,
            "responseElements": response,
            "requestID": self.uuid(),
            "eventID": self.uuid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
        }
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        if source not in ("sts.amazonaws.com",):
            rec["tlsDetails"] = {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region or self.region}.amazonaws.com",
            }
        self.trail.append(rec)
        return rec

    def readonly_noise(
        self, start: datetime, end: datetime, calls: list[tuple[str, str, dict[str, Any] | None]], count: int
    ) -> None:
        """Read-only calls from monitoring tooling and people poking around."""
        tooling = self.role_identity("DatadogIntegrationRole", "datadog-aws-integration")
        person = self.role_identity(
            "AWSReservedSSO_ReadOnlyAccess_" + self.hex(16), self.rng.choice(["mlopez", "kchen", "aokafor"])
        )
        span = int((end - start).total_seconds())
        for _ in range(count):
            t = start + timedelta(seconds=self.rng.randint(0, span - 1))
            src, name, params = self.rng.choice(calls)
            who = tooling if self.rng.random() < 0.75 else person
            agent = (
                "Datadog/1.0 Botocore/1.34.69"
                if who is tooling
                else "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
            )
            self.ct(
                t,
                src,
                name,
                who,
                params,
                None,
                read_only=True,
                agent=agent,
                ip="3.233.147.12" if who is tooling else "73.158.22.41",
            )

    # --- metrics ---------------------------------------------------------------------------------
    def series(
        self,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        unit: str,
        times: list[datetime],
        fn: Callable[[datetime], float | None],
        digits: int = 2,
    ) -> None:
        for t in times:
            v = fn(t)
            if v is None:
                continue
            self.metrics.append(
                {
                    "namespace": namespace,
                    "metric": metric,
                    "dimensions": dims,
                    "timestamp": iso(t),
                    "unit": unit,
                    "value": round(v, digits),
                }
            )

    def noise(self, scale: float) -> float:
        return self.rng.gauss(0, scale)

    # --- alarms ----------------------------------------------------------------------------------
    def alarm(
        self,
        name: str,
        namespace: str,
        metric: str,
        dims: dict[str, str],
        *,
        stat: str,
        period: int,
        evals: int,
        threshold: float,
        op: str,
        state: str,
        state_time: datetime,
        reason: str,
        topic: str,
        description: str = "",
        datapoints: int | None = None,
        missing: str = "missing",
        updated: datetime | None = None,
        unit: str | None = None,
    ) -> dict[str, Any]:
        a: dict[str, Any] = {
            "AlarmName": name,
            "AlarmArn": self.arn("cloudwatch", f"alarm:{name}"),
            "AlarmDescription": description,
            "AlarmConfigurationUpdatedTimestamp": iso_ms(updated or state_time - timedelta(days=90)),
            "ActionsEnabled": True,
            "OKActions": [topic],
            "AlarmActions": [topic],
            "InsufficientDataActions": [],
            "StateValue": state,
            "StateReason": reason,
            "StateUpdatedTimestamp": iso_ms(state_time),
            "MetricName": metric,
            "Namespace": namespace,
            "Statistic": stat,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            "Period": period,
            "EvaluationPeriods": evals,
            "DatapointsToAlarm": datapoints or evals,
            "Threshold": threshold,
            "ComparisonOperator": op,
            "TreatMissingData": missing,
            "StateTransitionedTimestamp": iso_ms(state_time),
        }
        if unit:
            a["Unit"] = unit
        self.alarms.append(a)
        return a

    def transition(self, name: str, t: datetime, old: str, new: str, reason: str) -> None:
        self.history.append(
            {
                "AlarmName": name,
                "AlarmType": "MetricAlarm",
                "Timestamp": iso_ms(t),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old} to {new}",
                "HistoryData": '{"version":"1.0","oldState":{"stateValue":"'
                + old
                + '"},"newState":{"stateValue":"'
                + new
                + '","stateReason":"'
                + reason.replace('"', '\\"')
                + '"}}',
            }
        )

    def alarm_event(
        self, alarm: dict[str, Any], t: datetime, prev: str, prev_t: datetime, prev_reason: str
    ) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self.uuid(),
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": self.account,
            "time": iso(t),
            "region": self.region,
            "resources": [alarm["AlarmArn"]],
            "detail": {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": alarm["StateValue"],
                    "reason": alarm["StateReason"],
                    "timestamp": alarm["StateUpdatedTimestamp"].replace("Z", "+0000"),
                },
                "previousState": {
                    "value": prev,
                    "reason": prev_reason,
                    "timestamp": iso_ms(prev_t).replace("Z", "+0000"),
                },
                "configuration": {
                    "description": alarm["AlarmDescription"],
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": alarm["Namespace"],
                                    "name": alarm["MetricName"],
                                    "dimensions": {d["Name"]: d["Value"] for d in alarm["Dimensions"]},
                                },
                                "period": alarm["Period"],
                                "stat": alarm["Statistic"],
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }

    # --- resources / logs ------------------------------------------------------------------------
    def res(self, service: str, type_: str, item: dict[str, Any]) -> None:
        self.resources.append({"service": service, "type": type_, "item": item})

    def log(self, group: str, stream: str, t: datetime, message: str) -> None:
        self.logs.append({"log_group": group, "log_stream": stream, "timestamp": ms(t), "message": message})

    def bundle(self, manifest: dict[str, Any], now: datetime) -> Bundle:
        cut = iso(now)
        trail = sorted((r for r in self.trail if r["eventTime"] <= cut), key=lambda r: r["eventTime"])
        metrics = sorted(
            (m for m in self.metrics if m["timestamp"] <= cut),
            key=lambda m: (m["namespace"], m["metric"], str(m["dimensions"]), m["timestamp"]),
        )
        logs = sorted(
            (x for x in self.logs if x["timestamp"] <= ms(now)),
            key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]),
        )
        history = sorted(
            (h for h in self.history if h["Timestamp"] <= iso_ms(now)), key=lambda h: h["Timestamp"]
        )
        records: dict[str, list[dict[str, Any]]] = {
            "metrics": metrics,
            "alarms": self.alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": self.resources,
        }
        if self.events:
            records["events"] = self.events
        return Bundle(Manifest.model_validate(manifest), records)


# --- edge resources ------------------------------------------------------------------------------
def load_balancer(
    k: Kit, name: str, vpc: str, subnets: list[tuple[str, str]], sg: str, created: datetime
) -> dict[str, Any]:
    lb_id = k.hex(16)
    arn = k.arn("elasticloadbalancing", f"loadbalancer/app/{name}/{lb_id}")
    item = {
        "LoadBalancerArn": arn,
        "DNSName": f"{name}-{k.rng.randint(100000000, 1999999999)}.{k.region}.elb.amazonaws.com",
        "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
        "CreatedTime": iso_ms(created),
        "LoadBalancerName": name,
        "Scheme": "internet-facing",
        "VpcId": vpc,
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": [
            {"ZoneName": az, "SubnetId": sn, "LoadBalancerAddresses": []} for az, sn in subnets
        ],
        "SecurityGroups": [sg],
        "IpAddressType": "ipv4",
    }
    k.res("elbv2", "LoadBalancer", item)
    return item


def lb_dim(lb: dict[str, Any]) -> str:
    return str(lb["LoadBalancerArn"]).split(":loadbalancer/")[1]


def target_group(
    k: Kit, name: str, lb: dict[str, Any], port: int, path: str, target_type: str = "ip"
) -> dict[str, Any]:
    arn = k.arn("elasticloadbalancing", f"targetgroup/{name}/{k.hex(16)}")
    item = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": lb["VpcId"],
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": path,
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [lb["LoadBalancerArn"]],
        "TargetType": target_type,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    k.res("elbv2", "TargetGroup", item)
    return item


def tg_dim(tg: dict[str, Any]) -> str:
    return "targetgroup/" + str(tg["TargetGroupArn"]).split(":targetgroup/")[1]


def acm_cert(
    k: Kit, domain: str, sans: list[str], created: datetime, in_use: list[str], zone_validation: bool = True
) -> dict[str, Any]:
    arn = k.arn("acm", f"certificate/{k.uuid()}")
    issued = created + timedelta(minutes=k.rng.randint(2, 9))
    item: dict[str, Any] = {
        "CertificateArn": arn,
        "DomainName": domain,
        "SubjectAlternativeNames": sans,
        "DomainValidationOptions": [
            {
                "DomainName": d,
                "ValidationDomain": d.lstrip("*."),
                "ValidationStatus": "SUCCESS",
                "ResourceRecord": {
                    "Name": f"_{k.hex(32)}.{d.lstrip('*.')}.",
                    "Type": "CNAME",
                    "Value": f"_{k.hex(32)}.{k.upper(10, 'abcdefghijklmnopqrstuvwxyz')}.acm-validations.aws.",
                },
                "ValidationMethod": "DNS",
            }
            for d in sans
        ],
        "Serial": ":".join(k.hex(2) for _ in range(16)),
        "Subject": f"CN={domain}",
        "Issuer": "Amazon",
        "CreatedAt": iso(created),
        "IssuedAt": iso(issued),
        "Status": "ISSUED",
        "NotBefore": iso(issued.replace(hour=0, minute=0, second=0)),
        "NotAfter": iso(issued.replace(hour=23, minute=59, second=59) + timedelta(days=395)),
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
    k.res("acm", "CertificateDetail", item)
    return item


def hosted_zone(k: Kit, name: str, count: int) -> str:
    zid = "Z0" + k.upper(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    k.res(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zid}",
            "Name": name + ".",
            "CallerReference": f"terraform-{k.hex(26)}",
            "Config": {"Comment": "Managed by Terraform", "PrivateZone": False},
            "ResourceRecordSetCount": count,
        },
    )
    return zid


def alias_record(k: Kit, zone: str, name: str, target_dns: str, target_zone: str, rtype: str = "A") -> None:
    k.res(
        "route53",
        "ZoneRecordSet",
        {
            "HostedZoneId": zone,
            "Name": name + ".",
            "Type": rtype,
            "AliasTarget": {
                "HostedZoneId": target_zone,
                "DNSName": target_dns + ".",
                "EvaluateTargetHealth": False,
            },
        },
    )


def distribution(
    k: Kit,
    aliases: list[str],
    origin_id: str,
    origin_domain: str,
    cert_arn: str,
    web_acl: str | None,
    modified: datetime,
    comment: str,
    extra_behaviors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    did = "E" + k.upper(13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    cfg: dict[str, Any] = {
        "CallerReference": f"terraform-{k.hex(20)}",
        "Aliases": {"Quantity": len(aliases), "Items": aliases},
        "DefaultRootObject": "",
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": origin_id,
                    "DomainName": origin_domain,
                    "OriginPath": "",
                    "CustomHeaders": {"Quantity": 0},
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                        "OriginReadTimeout": 30,
                        "OriginKeepaliveTimeout": 5,
                    },
                    "ConnectionAttempts": 3,
                    "ConnectionTimeout": 10,
                    "OriginShield": {"Enabled": False},
                    "OriginAccessControlId": "",
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": origin_id,
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {
                "Quantity": 7,
                "Items": ["HEAD", "DELETE", "POST", "GET", "OPTIONS", "PUT", "PATCH"],
                "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]},
            },
            "Compress": True,
            "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
            "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3",
        },
        "CacheBehaviors": {"Quantity": len(extra_behaviors or []), "Items": extra_behaviors or []},
        "Comment": comment,
        "PriceClass": "PriceClass_100",
        "Enabled": True,
        "ViewerCertificate": {
            "CloudFrontDefaultCertificate": False,
            "ACMCertificateArn": cert_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        },
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "WebACLId": web_acl or "",
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
    }
    if not extra_behaviors:
        del cfg["CacheBehaviors"]
    item = {
        "Id": did,
        "ARN": f"arn:aws:cloudfront::{k.account}:distribution/{did}",
        "Status": "Deployed",
        "LastModifiedTime": iso_ms(modified),
        "InProgressInvalidationBatches": 0,
        "DomainName": f"d{k.upper(13, 'abcdefghijklmnopqrstuvwxyz0123456789')}.cloudfront.net",
        "DistributionConfig": cfg,
    }
    k.res("cloudfront", "Distribution", item)
    return item
