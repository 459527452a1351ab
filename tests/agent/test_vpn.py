"""A Site-to-Site VPN as the account's link to a private network: its tunnels' series belong to the
connection; a tunnel whose bytes rose and held flat at their peak is full (about 1.25 Gbps each), and a
tunnel whose state fell is down. Calls to the network behind it time out because of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agent.investigate import offline
from tests.conftest import make_bundle
from tests.tools.test_resources import res

ACCOUNT = "123456789012"
T0 = datetime(2024, 5, 1, tzinfo=UTC)
VPN = "vpn-0a1b2c3d4e5f60718"
FN = "stock-lookup"


def _vpn(metric: str, tunnel: str, value: Any) -> list[dict[str, Any]]:
    """Five-minute datapoints for six hours, as AWS/VPN publishes them per tunnel."""
    return [
        {
            "namespace": "AWS/VPN",
            "metric": metric,
            "dimensions": {"VpnId": VPN, "TunnelIpAddress": tunnel},
            "timestamp": (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "unit": "Bytes" if metric != "TunnelState" else "None",
            "value": float(value(m)),
        }
        for m in range(0, 360, 5)
    ]


def _bundle(full: bool, down: bool) -> Any:
    busy, idle = "52.32.97.53", "54.74.125.186"
    metrics = (
        _vpn("TunnelDataIn", busy, lambda m: 44_000_000_000 if full and m >= 280 else 3_000_000_000 + m * 1e6)
        + _vpn("TunnelDataIn", idle, lambda m: 1200 + m % 7)
        + _vpn("TunnelState", busy, lambda m: 0 if down and m >= 280 else 1)
        + _vpn("TunnelState", idle, lambda m: 1)
        + [
            {
                "namespace": "AWS/Lambda",
                "metric": "Errors",
                "dimensions": {"FunctionName": FN},
                "timestamp": (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "unit": "Count",
                "value": 30.0 + m % 4 if m >= 285 else 0.0,
            }
            for m in range(360)
        ]
    )
    function = res(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": FN,
            "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{FN}",
            "Runtime": "python3.12",
            "State": "Active",
            "Environment": {"Variables": {"ERP_HOST": "10.200.4.34"}},
        },
    )
    logs = [
        {
            "log_group": f"/aws/lambda/{FN}",
            "log_stream": "2024/05/01/[$LATEST]3afb56",
            "timestamp": int((T0 + timedelta(minutes=m, seconds=s)).timestamp() * 1000),
            "message": "[ERROR] ERP query failed: OperationalError: ('HYT00', '[HYT00] [Microsoft][ODBC Driver 18 "
            "for SQL Server]Query timeout expired (0) (SQLExecDirectW)')"
            if m >= 285
            else "[INFO] stock check served",
        }
        for m in range(200, 360)
        for s in (10, 40)
    ]
    return make_bundle(
        {"resources": [function], "metrics": metrics, "logs": logs},
        trigger={"question": "stock checks time out since about 04:45, nobody released anything"},
    )


def test_a_full_tunnel_is_the_limit_its_callers_met() -> None:
    report = offline(_bundle(full=True, down=False))
    assert any("bandwidth_at_limit" in e.signals and e.resource == VPN for e in report.evidence), [
        (e.resource, e.signals) for e in report.evidence if "VPN" in e.summary
    ]
    top = report.hypotheses[0]
    assert (top.resource, top.failure_mode, top.category) == (VPN, "vpn-tunnel-bandwidth-limit", "limit"), (
        report.summary
    )


def test_a_tunnel_that_went_down_is_the_link_failing() -> None:
    report = offline(_bundle(full=False, down=True))
    assert any("tunnel_down" in e.signals and e.resource == VPN for e in report.evidence)
    assert report.hypotheses[0].resource == VPN and report.hypotheses[0].failure_mode == "vpn-tunnel-down"
