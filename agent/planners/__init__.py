"""Planners ("brains") other than the rules planner: Claude as planner and narrator.

`claude_investigate` is a graph node that lets a model drive the probe -> evidence -> hypothesis loop with
the registered tools and the board tools; `narrate` writes the report's summary paragraph. Code keeps the
final say: it records evidence, checks every board action and computes every confidence.

Recording the model's HTTP (`agent.planners.recording`) needs vcrpy, an optional extra, so it is imported
only where it is used.
"""

from agent.planners.claude import claude_investigate
from agent.planners.narrator import narrate
from agent.planners.settings import Brain, ClaudeSettings

__all__ = ["Brain", "ClaudeSettings", "claude_investigate", "narrate"]
