"""The HTML report: one self-contained, well-formed, script-free page with charts and a chain graph."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from agent.report import html
from agent.report.model import TimelineEntry
from agent.report.svg import line_chart
from tests.agent.report import samples

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}
# SVG elements written self-closing (<line/>); html.parser reports them through handle_startendtag.


class Page(HTMLParser):
    """Records every element with its attributes and the section it sits in; checks nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], str | None]] = []
        self.stack: list[str] = []
        self.section: list[str | None] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        current = self.section[-1] if self.section else None
        self.elements.append((tag, a, current))
        if tag in VOID:
            return
        self.stack.append(tag)
        self.section.append(a.get("id") if tag == "section" else current)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), self.section[-1] if self.section else None))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        self.section.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(doc: str) -> Page:
    page = Page()
    page.feed(doc)
    page.close()
    assert page.errors == []
    assert page.stack == []
    return page


def _all(page: Page, tag: str, cls: str | None = None) -> list[dict[str, str | None]]:
    return [
        a for t, a, _ in page.elements if t == tag and (cls is None or cls in (a.get("class") or "").split())
    ]


@pytest.fixture(scope="module")
def root_doc() -> str:
    return html.render(samples.root_cause())


def test_page_is_well_formed_and_leads_with_the_verdict(root_doc: str) -> None:
    page = parse(root_doc)
    assert root_doc.startswith("<!DOCTYPE html>")
    text = " ".join(" ".join(page.text).split())
    assert text.index(
        "Root cause found: Deploy web:42 shrank the DB connection pool to 5 (86% confidence, change)"
    ) < text.index("A deploy of prod/web at 14:02")
    headers = _all(page, "header", "verdict")
    assert headers and "verdict-root_cause" in (headers[0]["class"] or "")
    sections = [a["id"] for a in _all(page, "section")]
    assert sections == [
        "summary",
        "timeline",
        "charts",
        "causal-chain",
        "hypotheses",
        "remediation",
        "prevention",
        "evidence",
        "data-gaps",
        "observability-gaps",
        "notes",
        "stats",
    ]


def test_nothing_external_and_no_script(root_doc: str) -> None:
    page = parse(root_doc)
    assert not _all(page, "script") and not _all(page, "link") and not _all(page, "iframe")
    assert "@import" not in root_doc and "url(" not in root_doc.replace("url(#arrow)", "")
    for tag, attrs, section in page.elements:
        assert not any(k.startswith("on") for k in attrs), f"event handler on <{tag}>"
        for key in ("src", "href", "xlink:href", "action"):
            value = attrs.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                # The only way out: AWS documentation cited by a prevention step.
                assert section == "prevention" and value.startswith("https://docs.aws.amazon.com/"), value
            assert not value.lower().startswith(("javascript:", "data:text")), value
    links = [a["href"] for a in _all(page, "a") if (a.get("href") or "").startswith("https:")]
    assert links == [
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html"
    ]
    csp = [a for a in _all(page, "meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_script_in_evidence_is_inert_text(root_doc: str) -> None:
    page = parse(root_doc)
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in root_doc
    assert 'faults spread evenly over us-east-1a/b/c <script>alert("pwned")</script>' in " ".join(page.text)
    assert not _all(page, "script")


def test_hostile_text_everywhere_stays_text() -> None:
    report = samples.root_cause()
    evil = '"><svg onload=alert(1)><script>x()</script>'
    report.title = evil
    report.summary = evil
    report.timeline[0].what = evil
    report.charts[0].title = evil
    report.charts[0].markers[0].what = evil
    for h in report.hypotheses:
        h.chain = [evil, *h.chain]
        h.resource = evil
    report.evidence[0].source.params["value"] = evil
    doc = html.render(report)
    page = parse(doc)
    assert not _all(page, "script")
    assert all(not any(k.startswith("on") for k in a) for _, a, _ in page.elements)
    assert "<svg onload" not in doc


def test_secrets_are_redacted(root_doc: str) -> None:
    assert samples.SECRET not in root_doc and samples.ACCESS_KEY not in root_doc
    assert "password=[REDACTED]" in root_doc


def test_one_chart_per_entry_with_axes_time_labels_onset_and_markers() -> None:
    report = samples.root_cause()
    second = samples.chart().model_copy(update={"title": "DB connections", "unit": "Count", "markers": []})
    report.charts.append(second)
    page = parse(html.render(report))
    charts = _all(page, "svg", "chart")
    assert [c["aria-label"] for c in charts] == ["ALB 5XX responses (Count/min)", "DB connections (Count)"]
    text = " ".join(page.text)
    for label in ("13:30", "13:40", "13:50", "14:00", "14:10", "14:20", "time (UTC)", "Count/min"):
        assert label in text
    # The deploy is the leading hypothesis' evidence (ev-1): drawn and labelled as the cause.
    assert "14:02 cause: deploy web:42" in text and "14:07 alarm web-5xx" in text and "14:05 onset" in text
    causes = [a for a in _all(page, "text") if "cause" in (a.get("class") or "").split()]
    assert len(causes) == 1
    groups = [a["class"] for a in _all(page, "g") if "marker" in (a.get("class") or "")]
    assert groups == [
        "marker marker-change marker-cause",
        "marker marker-onset",
        "marker marker-alarm",
        "marker marker-onset",
    ]


def test_causal_chain_is_boxes_and_arrows(root_doc: str) -> None:
    page = parse(root_doc)
    chain_svgs = _all(page, "svg", "chain")
    assert len(chain_svgs) == 1
    nodes = [a["class"] for a in _all(page, "g") if "node" in (a.get("class") or "").split()]
    assert nodes == ["node node-root", "node node-step", "node node-symptom"]
    edges = [a for t, a, _ in page.elements if "edge" in (a.get("class") or "").split()]
    assert len(edges) == 2 and all(e["marker-end"] == "url(#arrow)" for e in edges)


def test_evidence_entries_are_anchored_and_rerunnable(root_doc: str) -> None:
    page = parse(root_doc)
    assert [a["id"] for a in _all(page, "article", "evidence")] == ["ev-1", "ev-2", "ev-3", "ev-4", "ev-5"]
    text = " ".join(page.text)
    assert f"AttributeKey=EventId,AttributeValue={samples.EVENT_ID}" in text
    assert "aws logs start-query --log-group-names /ecs/web --start-time 1795701600" in text
    assert "aws cloudwatch get-metric-data" in text
    hrefs = {a["href"] for a in _all(page, "a") if (a.get("href") or "").startswith("#")}
    assert hrefs == {"#ev-1", "#ev-2", "#ev-3", "#ev-4", "#ev-5"}


def test_no_fault_page() -> None:
    doc = html.render(samples.no_fault())
    page = parse(doc)
    text = " ".join(page.text)
    assert "No fault found" in text and "Root cause found" not in text
    sections = [a["id"] for a in _all(page, "section")]
    assert "causal-chain" not in sections and "remediation" not in sections and "prevention" not in sections
    assert "What was checked and ruled out" in text
    assert "verdict-no_fault" in doc


def test_inconclusive_page_shows_gaps_before_candidates() -> None:
    page = parse(html.render(samples.inconclusive()))
    sections = [a["id"] for a in _all(page, "section")]
    assert sections[:4] == ["summary", "data-gaps", "observability-gaps", "timeline"]
    assert "remediation" not in sections and "causal-chain" not in sections
    text = " ".join(page.text)
    assert "Inconclusive: cannot tell from this data" in text and "Candidates, none confirmed" in text
    assert "X-Ray has no traces for web" in text


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _png_rows_with_content(data: bytes) -> tuple[int, int, int]:
    """(width, height, rows that are not one flat colour) from a PNG, without an imaging library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    colour_type = data[25]
    channels = {2: 3, 6: 4}[colour_type]
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    # A flat row filters to one repeated byte (0 under Sub/Up/Paeth, the colour under None).
    busy = sum(1 for y in range(height) if len(set(raw[y * stride + 1 : (y + 1) * stride])) > 1)
    return width, height, busy


def _screenshot(document: str, name: str) -> Path:
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium or chromium-browser on PATH; install one to render the report screenshot")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(document, encoding="utf-8")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--screenshot={target}",
                "--window-size=1280,2000",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return target


def test_headless_chromium_screenshot(root_doc: str) -> None:
    width, height, busy = _png_rows_with_content(_screenshot(root_doc, "report.png").read_bytes())
    assert (width, height) == (1280, 2000)
    assert busy > 300, f"only {busy} rows of the screenshot have content"


@pytest.mark.parametrize(
    ("scenario", "verdict"), [("aurora-asg-loop", "root_cause"), ("benign-blip", "no_fault")]
)
def test_built_in_reports_render_in_headless_chromium(scenario: str, verdict: str) -> None:
    """A fault and a no-fault built-in report, as a person opens them (test-artifacts/*.png to look at)."""
    from agent.investigate import offline
    from evals.scenarios import build

    report = offline(build(scenario, 1))
    assert report.verdict == verdict
    document = html.render(report)
    first_chart = document.split('<svg class="chart"')[1]
    assert "alarm " + str(report.alarm) in first_chart.split("</text>")[0]  # the alarm's own metric first
    assert 'class="threshold"' in first_chart.split("</svg>")[0]
    width, height, busy = _png_rows_with_content(_screenshot(document, f"{scenario}.png").read_bytes())
    assert (width, height) == (1280, 2000)
    assert busy > 600, f"only {busy} rows of the screenshot have content"


def test_a_long_series_is_zoomed_on_the_incident_with_its_unit() -> None:
    base = samples.chart()
    step = base.timestamps[1] - base.timestamps[0]
    before = [base.timestamps[0] - step * i for i in range(300, 0, -1)]  # five more hours of calm
    early = TimelineEntry(time=before[10], what="an unrelated change", kind="change", evidence="ev-9")
    chart = base.model_copy(
        update={
            "title": "TargetResponseTime (p99) — web-tg",
            "unit": "",
            "timestamps": before + base.timestamps,
            "values": [1.0] * len(before) + base.values,
            "markers": [*base.markers, early],
        }
    )
    svg = parse(f"<div>{line_chart(chart, {'ev-1'})}</div>")
    text = " ".join(svg.text)
    assert "seconds" in text  # the metric's unit, from its name
    assert "1 earlier event in the timeline, not drawn" in text
    assert "an unrelated change" not in text
    hours = {t.split(":")[0] for t in re.findall(r"\b\d\d:\d\d\b", text)}
    assert len(hours) <= 2  # the incident and its lead-in, not six hours


def test_timeline_has_the_askers_clock_beside_utc() -> None:
    from agent.report import html as html_report

    report = samples.root_cause()
    report.timezone = "-07:00"
    page = html_report.render(report)
    assert "<th>time (UTC)</th><th>UTC-07:00</th>" in page
    assert '<td class="time">14:02:00</td><td class="time">07:02</td>' in page
    assert "Times are UTC, with the asker's clock (-07:00) beside." in page


def test_the_alarms_own_chart_comes_first_with_its_threshold_and_labels_never_overlap() -> None:
    report = samples.root_cause()
    alarm = samples.chart().model_copy(
        update={
            "title": "HTTPCode_Target_5XX_Count (Sum, 1 min) — alarm web-5xx",
            "unit": "",
            "evidence": None,
            "threshold": 100.0,
            "comparison": ">",
            "alarm": "web-5xx",
            # Six changes a minute apart: their labels cannot share a row.
            "markers": [
                TimelineEntry(time=samples.T0 + timedelta(minutes=i), what=f"change {i}", kind="change")
                for i in range(6)
            ],
        }
    )
    report.charts.append(alarm)
    page = parse(html.render(report))
    charts = _all(page, "svg", "chart")
    assert charts[0]["aria-label"] == "HTTPCode_Target_5XX_Count (Sum, 1 min) — alarm web-5xx"
    text = " ".join(page.text)
    assert "alarm when > 100 count" in text and "the alarm's own metric and threshold" in text
    svg = html.render(report).split('<svg class="chart"')[1]
    assert 'class="threshold"' in svg and 'stroke-dasharray="8 4"' in svg
    labels = re.findall(
        r'<text x="([\d.]+)" y="(\d+)" text-anchor="(start|end)"[^>]*class="mlabel mark-[^"]*">([^<]*)<', svg
    )
    boxes = []
    for x, y, anchor, label in labels:
        width = len(label) * 6.2
        x0 = float(x) - width if anchor == "end" else float(x)
        boxes.append((int(y), x0, x0 + width))
    for i, (row, a0, a1) in enumerate(boxes):
        for row2, b0, b1 in boxes[i + 1 :]:
            assert row != row2 or a1 <= b0 or b1 <= a0, f"labels overlap: {boxes}"
    assert len({row for row, _, _ in boxes}) > 1
