"""Remediation commands filled with real AWS identifiers, every substituted value shell-quoted.

A catalog command names its suspect as `{resource}` and leaves operator choices as `<placeholders>`.
`{resource}` becomes the resource's AWS identifier (an id, name-as-identifier or ARN the API takes),
never a display name such as a Name tag, which anyone who can tag a resource controls. Placeholders
whose value the evidence knows (the port and source of a revoked rule, the group an instance belongs
to, the target group in front of it) are filled from the CloudTrail record or the resource graph;
anything else stays a visible `<placeholder>` for the operator.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from typing import Any

from agent.analyzers.changes import request_params
from agent.board import Evidence
from agent.topology import Topology

_PLACEHOLDER = re.compile(r"<([a-z0-9-]+)>")


def fill(command: str | None, resource: str, topo: Topology, evidence: Iterable[Evidence]) -> str | None:
    """`command` with `{resource}` and the placeholders the evidence answers filled, shell-quoted."""
    if not command:
        return None
    known = _known(resource, topo, list(evidence))
    out = command.replace("{resource}", shlex.quote(_identifier(resource, topo)))
    if "source-cidr" in known and "--source-group <source-sg-id>" in out:
        # The revoked rule allowed a CIDR, not a group: restore it as it was.
        out = out.replace("--source-group <source-sg-id>", "--cidr <source-cidr>")
    return _PLACEHOLDER.sub(
        lambda m: shlex.quote(known[m.group(1)]) if m.group(1) in known else m.group(0), out
    )


def _identifier(resource: str, topo: Topology) -> str:
    key = topo.resolve(resource) or resource
    node = topo.nodes.get(key)
    if node is not None and node.kind == "ecr_repository" and node.name:
        return node.name  # ECR's commands take a repository by name, never by ARN
    return node.id if node is not None else key


def _known(resource: str, topo: Topology, evidence: list[Evidence]) -> dict[str, str]:
    key = topo.resolve(resource) or resource
    known: dict[str, str] = {}
    for a, b, rel in topo.edges:
        other = b if a == key else a if b == key else None
        if other is None or other not in topo.nodes:
            continue
        node = topo.nodes[other]
        if node.kind == "asg" and rel == "member_of":
            known.setdefault("asg-name", node.id)
        elif node.kind == "target_group":
            arn = next((x for x in [node.id, *node.aliases] if x.startswith("arn:")), None)
            if arn:
                known.setdefault("target-group-arn", arn)
        elif node.kind == "ecs_cluster":
            known.setdefault("cluster", node.id)
        elif node.kind == "ecs_service" and rel == "runs_image":
            # A service that runs the repository's image: the one to redeploy, in its cluster.
            known.setdefault("service", node.name or node.id.rsplit("/", 1)[-1])
            cluster = next((c for s, c, r in topo.edges if s == other and r == "in_cluster"), None)
            if cluster is not None:
                known.setdefault("cluster", topo.nodes[cluster].name or cluster.removeprefix("cluster/"))
            elif "/" in node.id:
                known.setdefault("cluster", node.id.split("/", 1)[0])
    own = topo.nodes.get(key)
    if own is not None and own.kind == "dynamodb_index":
        # An index is updated through its table.
        known.setdefault("index-name", own.attrs.get("index") or own.name or key)
        if own.attrs.get("table"):
            known.setdefault("table-name", own.attrs["table"])
    for e in evidence:
        if e.kind == "change_event" and (topo.resolve(e.resource or "") or e.resource) == key:
            known.update({k: v for k, v in _from_change(e.facts).items() if k not in known})
    return known


def _from_change(facts: dict[str, Any]) -> dict[str, str]:
    """Values a change's CloudTrail request parameters pin down (the rule a revoke removed, the tag
    an image was pushed to)."""
    if facts.get("action") == "PutImage":
        tag = request_params(str(facts.get("params") or "{}")).get("imageTag")
        return {"tag": str(tag)} if tag else {}
    if facts.get("action") not in ("RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress"):
        return {}
    # Cut short in the evidence, the parameters read as empty: better a placeholder than a guess.
    params = request_params(str(facts.get("params") or "{}"))
    perms = (params.get("ipPermissions") or {}).get("items") or [{}]
    perm = perms[0] if isinstance(perms[0], dict) else {}
    out: dict[str, str] = {}
    lo, hi = perm.get("fromPort"), perm.get("toPort")
    if isinstance(lo, int) and isinstance(hi, int):
        out["port-or-range"] = str(lo) if lo == hi else f"{lo}-{hi}"
        out["port"] = str(lo)
    groups = (perm.get("groups") or {}).get("items") or []
    ranges = (perm.get("ipRanges") or {}).get("items") or []
    if groups and isinstance(groups[0], dict) and groups[0].get("groupId"):
        out["source-sg-id"] = str(groups[0]["groupId"])
    elif ranges and isinstance(ranges[0], dict) and ranges[0].get("cidrIp"):
        out["source-cidr"] = str(ranges[0]["cidrIp"])
    return out
