"""The narrator: one optional model call that writes the report's summary paragraph from the conclusion.

It runs after `conclude`. The verdict, the ranking and every confidence stay code's: the narrator only
rewrites `summary`, and a narrative that cites evidence the report does not hold is discarded. It also
stamps the report's stats with the planner that ran and what the model cost.
"""

from __future__ import annotations

import json
import re
from typing import Any

import anthropic
from langchain_core.runnables import RunnableConfig

from agent.planners.claude import brain_of
from agent.planners.client import ModelUnavailable, describe, make_client
from agent.planners.prompts import narrative_prompt
from agent.planners.settings import Brain
from agent.state import InvestigationState

NARRATIVE_TOKENS = 400


def conclusion_json(report: dict[str, Any]) -> str:
    """What the narrator reads: the conclusion without charts or raw tool parameters."""
    keep = {
        "verdict": report.get("verdict"),
        "title": report.get("title"),
        "code_summary": report.get("summary"),
        "impact_start": report.get("impact_start"),
        "hypotheses": [
            {
                k: h.get(k)
                for k in ("rank", "title", "category", "resource", "confidence", "evidence", "remediation")
            }
            for h in report.get("hypotheses", [])[:3]
        ],
        "timeline": report.get("timeline", [])[:12],
        "evidence": [{"id": e["id"], "summary": e["summary"][:200]} for e in report.get("evidence", [])[:40]],
        "data_gaps": report.get("data_gaps", [])[:6],
        "observability_gaps": report.get("observability_gaps", [])[:4],
    }
    return json.dumps(keep, default=str, indent=1)


def write_narrative(brain: Brain, report: dict[str, Any]) -> str:
    """The model's summary paragraph; raises ValueError when it cites evidence the report lacks."""
    client = brain.client or make_client(brain.settings)
    brain.client = client
    response = client.messages.create(
        model=brain.settings.model,
        max_tokens=NARRATIVE_TOKENS,
        system=[{"type": "text", "text": narrative_prompt()}],
        messages=[{"role": "user", "content": f"<conclusion>\n{conclusion_json(report)}\n</conclusion>"}],
    )
    brain.spend().add(response.usage)
    text = " ".join(b.text for b in response.content if b.type == "text").strip()
    if not text:
        raise ValueError("the narrator returned no text")
    known = {e["id"] for e in report.get("evidence", [])}
    cited = set(re.findall(r"\bev-\d+\b", text))
    if cited - known:
        raise ValueError(f"the narrative cites evidence the report does not hold: {sorted(cited - known)}")
    return text


def narrate(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    """After conclude: stamp which planner ran and its spend, and let the model write the summary."""
    brain = brain_of(config)
    if brain is None or "report" not in state:
        return {}
    report = dict(state["report"])
    stats = dict(report.get("stats") or {})
    notes = list(report.get("notes") or [])
    spent_out = {"llm tokens", "llm cost"} & set(brain.capped)
    if spent_out:
        notes.append(f"Narrator skipped: the model budget is spent ({', '.join(sorted(spent_out))}).")
    elif brain.failure is None and brain.settings.narrate:
        try:
            report["summary"] = write_narrative(brain, report)
            notes.append(
                f"Summary written by {brain.settings.model} from the conclusion; verdict, ranking and "
                "confidences are computed by code."
            )
        except (ModelUnavailable, anthropic.AnthropicError, ValueError) as exc:
            notes.append(f"Narrator skipped ({describe(exc)}); the summary is code's.")
    spent = brain.spend()
    stats["planner"] = "claude" if brain.failure is None else "rules"
    stats["llm_tokens"] = spent.tokens
    stats["llm_cost_usd"] = round(spent.cost_usd, 6)
    stats["capped"] = sorted({*stats.get("capped", []), *brain.capped})
    report["stats"] = stats
    report["notes"] = notes
    return {"report": report}
