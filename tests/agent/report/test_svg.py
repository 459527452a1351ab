"""Inline SVG: where the chart puts its lines and labels, and how the chain graph is laid out."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

from agent.report import svg
from agent.report.model import Chart, TimelineEntry
from tests.agent.report import samples

NS = {"s": "http://www.w3.org/2000/svg"}


def _tree(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # also proves the SVG is well-formed XML


def _texts(root: ElementTree.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_chart_axes_ticks_and_onset_position() -> None:
    root = _tree(svg.line_chart(samples.chart()))
    texts = _texts(root)
    # 0..240 gets a 0/100/200/300 axis; 13:30..14:29 gets 10-minute ticks.
    assert [t for t in texts if t in {"0", "100", "200", "300"}] == ["0", "100", "200", "300"]
    assert [t for t in texts if re.fullmatch(r"\d\d:\d\d", t)] == [
        "13:30",
        "13:40",
        "13:50",
        "14:00",
        "14:10",
        "14:20",
    ]
    onset = root.find(".//s:g[@class='marker marker-onset']/s:line", NS)
    assert onset is not None
    # x = LEFT + (35 min / 59 min) * plot width = 64 + 35/59 * 672 = 462.6
    assert onset.get("x1") == "462.6" and onset.get("stroke-dasharray") == "5 3"
    path = root.find(".//s:path[@class='series']", NS)
    assert path is not None
    d = path.get("d") or ""
    assert d.startswith("M64.0,236.0")  # first point (13:30, 0) at the bottom-left corner of the plot
    assert d.count("L") == 59


def test_markers_outside_the_data_stretch_the_time_axis() -> None:
    chart = samples.chart()
    chart.markers = [
        TimelineEntry(time=chart.timestamps[0] - timedelta(minutes=20), what="deploy", kind="change")
    ]
    root = _tree(svg.line_chart(chart))
    line = root.find(".//s:g[@class='marker marker-change']/s:line", NS)
    assert line is not None and line.get("x1") == "64.0"  # the earliest moment is the left edge
    assert "13:10 deploy" in _texts(root)


def test_empty_single_point_and_non_finite_series() -> None:
    t = samples.T0
    empty = _tree(svg.line_chart(Chart(title="nothing", timestamps=[], values=[])))
    assert "no data points" in _texts(empty)
    one = _tree(svg.line_chart(Chart(title="one", timestamps=[t], values=[5.0])))
    assert one.find(".//s:circle", NS) is not None
    gaps = Chart(
        title="nan",
        timestamps=[t, t + timedelta(minutes=1), t + timedelta(minutes=2)],
        values=[1.0, float("nan"), -4.0],
    )
    root = _tree(svg.line_chart(gaps))
    d = root.find(".//s:path[@class='series']", NS).get("d")  # type: ignore[union-attr]
    assert d is not None and d.count("L") == 1 and "nan" not in d
    assert "-4" in _texts(root) or "-5" in _texts(root)  # the axis reaches below zero


def test_labels_are_escaped_and_the_svg_stays_well_formed() -> None:
    chart = samples.chart()
    chart.title = "</text><script>alert(1)</script>"
    chart.markers[0].what = '"><a href="https://evil">x</a>'
    markup = svg.line_chart(chart)
    root = _tree(markup)
    assert root.find(".//s:script", NS) is None and root.find(".//s:a", NS) is None
    assert "&lt;/text&gt;&lt;script&gt;" in markup


def test_chain_boxes_arrows_and_row_wrap() -> None:
    chain = [f"node-{i}" for i in range(6)]
    root = _tree(svg.chain_graph(chain))
    nodes = root.findall(".//s:g", NS)
    assert [n.get("class") for n in nodes] == ["node node-root"] + ["node node-step"] * 4 + [
        "node node-symptom"
    ]
    roles = [t for t in _texts(root) if t in {"root cause", "symptom"} or t.startswith("step")]
    assert roles == ["root cause", "step 2", "step 3", "step 4", "step 5", "symptom"]
    straight = root.findall(".//s:line[@class='edge']", NS)
    bends = root.findall(".//s:path[@class='edge']", NS)
    assert (len(straight), len(bends)) == (4, 1)  # four to a row: 0-1-2-3, down, 4-5
    assert svg.chain_graph([]) == ""


def test_long_resource_names_wrap_with_the_full_name_in_a_tooltip() -> None:
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/prod-alb/50dc6c495c0c9188"
    root = _tree(svg.chain_graph([arn, "x"]))
    node = root.find(".//s:g", NS)
    assert node is not None
    assert node.find("s:title", NS).text == arn  # type: ignore[union-attr]
    lines = [t.text or "" for t in node.iter("{http://www.w3.org/2000/svg}tspan")]
    assert len(lines) == 3 and all(len(line) <= 24 for line in lines) and lines[-1].endswith("…")
    assert lines == ["arn:aws:", "elasticloadbalancing:", "us-east-1:123456789012:…"]


def test_sparkline() -> None:
    assert svg.sparkline([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert svg.sparkline([3, 3, 3]) == "▁▁▁"
    assert svg.sparkline([]) == ""
    spike = [0.0] * 600
    spike[301] = 9.0
    line = svg.sparkline(spike)
    assert len(line) == 60 and line.count("█") == 1  # a one-point spike survives bucketing
