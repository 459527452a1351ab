"""Resource and event items of the services beyond compute: pseudo types and parent-keyed shapes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from evals.bundle.items import check_event, check_resource
from evals.bundle.shapes import ShapeError

GOOD: list[tuple[str, str, dict[str, Any]]] = [
    (
        "sqs",
        "Queue",
        {
            "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
            "Attributes": {"VisibilityTimeout": "30", "ApproximateNumberOfMessages": "4"},
        },
    ),
    (
        "sns",
        "Subscription",
        {
            "SubscriptionArn": "arn:aws:sns:eu-west-1:123456789012:events:5f1e",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:events",
            "Protocol": "sqs",
            "Endpoint": "arn:aws:sqs:eu-west-1:123456789012:orders",
            "Owner": "123456789012",
            "Attributes": {"FilterPolicy": '{"kind": ["order"]}'},
        },
    ),
    (
        "apigateway",
        "RestApiStage",
        {"restApiId": "a1b2c3d4e5", "stageName": "prod", "deploymentId": "x1y2z3"},
    ),
    (
        "route53",
        "ZoneRecordSet",
        {
            "HostedZoneId": "Z0123456789ABCDEFGHIJ",
            "Name": "api.example.com.",
            "Type": "CNAME",
            "TTL": 60,
            "ResourceRecords": [{"Value": "lb-1.eu-west-1.elb.amazonaws.com"}],
        },
    ),
    ("s3", "BucketPublicAccessBlock", {"Bucket": "media", "BlockPublicAcls": True}),
]


@pytest.mark.parametrize(("service", "type_", "item"), GOOD, ids=[f"{s}/{t}" for s, t, _ in GOOD])
def test_items_of_the_new_services_validate(service: str, type_: str, item: dict[str, Any]) -> None:
    check_resource(service, type_, item)


def test_a_child_item_without_its_parent_id_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'restApiId'"):
        check_resource("apigateway", "RestApiStage", {"stageName": "prod"})


def test_a_child_item_is_checked_against_the_aws_shape() -> None:
    with pytest.raises(ShapeError, match="TTL"):
        check_resource(
            "route53", "ZoneRecordSet", {"HostedZoneId": "Z1", "Name": "a.", "Type": "A", "TTL": "sixty"}
        )


def test_a_pseudo_item_with_a_stray_field_is_refused() -> None:
    with pytest.raises(ValidationError, match="Body"):
        check_resource("sqs", "Queue", {"QueueUrl": "https://q", "Body": "a message"})


def test_application_autoscaling_activities_are_events() -> None:
    check_event(
        "application_autoscaling",
        {
            "ActivityId": "4d759079-a7a7-4ba4-9c4a-3a3c7a1f8f4c",
            "ServiceNamespace": "ecs",
            "ResourceId": "service/prod/orders",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": "Setting desired count to 2.",
            "Cause": "monitor alarm low-cpu in state ALARM triggered policy scale-in",
            "StartTime": "2026-03-02T10:00:00Z",
            "StatusCode": "Successful",
        },
    )
