"""The robustness probes take away exactly what they say, and leave the truth alone."""

from __future__ import annotations

from evals.probes import degrade
from evals.scenarios import build


def test_probes_drop_one_thing_each() -> None:
    full = build("aurora-asg-loop", 1)  # asked in words and alarmed
    assert full.manifest.trigger.question and full.manifest.trigger.alarm_event
    asked = degrade(full, "question-only")
    assert asked is not None and asked.manifest.trigger.alarm_event is None
    assert asked.manifest.trigger.question == full.manifest.trigger.question
    alarmed = degrade(full, "alarm-only")
    assert alarmed is not None and alarmed.manifest.trigger.question is None
    assert alarmed.manifest.trigger.alarm_event == full.manifest.trigger.alarm_event
    blind = degrade(full, "no-traces")
    assert blind is not None and "traces" not in blind.kinds() and "logs" in blind.kinds()
    quiet = degrade(full, "no-logs")
    assert quiet is not None and "logs" not in quiet.kinds() and "traces" in quiet.kinds()
    for probed in (asked, alarmed, blind, quiet):
        assert probed.manifest.truth == full.manifest.truth
        assert list(probed.records("metrics")) == list(full.records("metrics"))


def test_trigger_probes_skip_cases_with_one_trigger() -> None:
    full = build("aurora-asg-loop", 2)  # alarmed, nobody asked
    assert full.manifest.trigger.question is None and full.manifest.trigger.alarm_event is not None
    assert degrade(full, "question-only") is None and degrade(full, "alarm-only") is None
    assert degrade(full, "no-logs") is not None
