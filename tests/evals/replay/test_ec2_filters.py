"""The EC2 filter engine: wildcard values, item paths, and how unknown names are answered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evals.replay.engines.ec2_filters import (
    NETWORK_INTERFACE_FILTERS,
    as_text,
    compile_filters,
    documented_filters,
    pattern,
    tag_sources,
    values_at,
)
from evals.replay.errors import AwsError, ReplayUnsupported

ITEM = {
    "Id": "x-1",
    "Flag": False,
    "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "Team", "Value": "blue"}],
    "Perms": [
        {"Port": 22, "Ranges": [{"Cidr": "10.0.0.0/8"}, {"Cidr": "192.168.0.0/16"}]},
        {"Port": 443, "Ranges": []},
    ],
}
SOURCES = {"id": "Id", "flag": "Flag", "port": "Perms[].Port", "cidr": "Perms[].Ranges[].Cidr"}


@pytest.mark.parametrize(
    ("value", "text", "matches"),
    [
        ("web-*", "web-1", True),
        ("web-*", "web-", True),
        ("web-?", "web-12", False),
        ("w?b-1", "web-1", True),
        ("WEB-1", "web-1", False),  # values are case-sensitive
        ("web", "web-1", False),  # whole value, not a substring
        (r"\*lit\?", "*lit?", True),
        (r"\*lit\?", "xlit?", False),
        ("a.b", "axb", False),  # regex characters are literal
        ("back\\\\slash", "back\\slash", True),
    ],
)
def test_wildcard_values(value: str, text: str, matches: bool) -> None:
    assert bool(pattern(value).fullmatch(text)) is matches


def test_paths_walk_lists() -> None:
    assert list(values_at(ITEM, "Perms[].Ranges[].Cidr")) == ["10.0.0.0/8", "192.168.0.0/16"]
    assert list(values_at(ITEM, "Perms[].Port")) == [22, 443]
    assert list(values_at(ITEM, "Missing.Deeper")) == []


def test_values_compare_as_ec2_prints_them() -> None:
    assert as_text(True) == "true"
    assert as_text(443) == "443"
    assert as_text(datetime(2024, 5, 1, 3, 4, 5, 678000, tzinfo=UTC)) == "2024-05-01T03:04:05.678Z"


def _match(filters: list[dict[str, object]]) -> bool:
    return compile_filters("DescribeInstances", filters, SOURCES)(ITEM)


def test_or_within_a_filter_and_across_filters() -> None:
    assert _match([{"Name": "port", "Values": ["80", "443"]}])
    assert not _match([{"Name": "port", "Values": ["80", "8080"]}])
    assert _match([{"Name": "port", "Values": ["22"]}, {"Name": "flag", "Values": ["false"]}])
    assert not _match([{"Name": "port", "Values": ["22"]}, {"Name": "flag", "Values": ["true"]}])
    assert _match([{"Name": "cidr", "Values": ["192.168.*"]}])


def test_tag_filters() -> None:
    assert _match([{"Name": "tag:Name", "Values": ["web-?"]}])
    assert not _match([{"Name": "tag:Name", "Values": ["blue"]}])  # the value of *that* key only
    assert not _match([{"Name": "tag:Owner", "Values": ["*"]}])
    assert _match([{"Name": "tag-key", "Values": ["Team"]}])
    assert _match([{"Name": "tag-value", "Values": ["blu*"]}])


def test_unknown_filter_is_an_aws_error_not_a_match_all() -> None:
    with pytest.raises(AwsError) as err:
        _match([{"Name": "instance-colour", "Values": ["red"]}])
    assert err.value.code == "InvalidParameterValue"
    assert err.value.message == "The filter 'instance-colour' is invalid"


def test_documented_filter_without_a_source_is_unsupported() -> None:
    assert "hibernation-options.configured" in documented_filters("DescribeInstances")
    with pytest.raises(ReplayUnsupported, match="hibernation-options.configured"):
        _match([{"Name": "hibernation-options.configured", "Values": ["true"]}])


def test_filter_without_values_is_refused() -> None:
    with pytest.raises(ReplayUnsupported, match="without values"):
        _match([{"Name": "port", "Values": []}])


def test_flow_logs_document_their_filter_under_its_own_member() -> None:
    assert {"resource-id", "log-group-name", "traffic-type"} <= documented_filters(
        "DescribeFlowLogs", "Filter"
    )


def test_every_documented_network_interface_filter_is_replayed() -> None:
    documented = documented_filters("DescribeNetworkInterfaces")
    assert {"subnet-id", "attachment.instance-id", "interface-type", "requester-managed"} <= documented
    assert documented - set(NETWORK_INTERFACE_FILTERS) - set(tag_sources()) == set()


def test_tag_filters_read_the_tag_list_the_shape_names() -> None:
    eni = {"NetworkInterfaceId": "eni-1", "TagSet": [{"Key": "Name", "Value": "tgw-a"}]}

    def match(name: str, value: str, tags: str) -> bool:
        flt = [{"Name": name, "Values": [value]}]
        return compile_filters("DescribeNetworkInterfaces", flt, NETWORK_INTERFACE_FILTERS, tags=tags)(eni)

    assert match("tag:Name", "tgw-*", "TagSet")
    assert match("tag-key", "Name", "TagSet")
    assert match("tag-value", "tgw-a", "TagSet")
    assert not match("tag:Name", "tgw-*", "Tags")
