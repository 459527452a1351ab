"""The resources around the incident and how they connect, with every name each one goes by.

A resource shows up under several spellings: an id in EC2, an ARN in ELB, a `app/name/hash` dimension in
CloudWatch, a bare name in X-Ray and logs. The topology keeps one canonical id per resource and an
alias index, so evidence about "targetgroup/web/abc" and "arn:...:targetgroup/web/abc" lands on the
same node, and answers "how far is this resource from the symptom?" by walking the edges.
"""

from __future__ import annotations

import re
from collections import deque

from pydantic import BaseModel, Field

from tools.queues import queue_arn

KIND_MAP = {
    "instance": "ec2",
    "load_balancer": "alb",
    "volume": "ebs_volume",
    "table": "dynamodb_table",
    "ecs_task": "ecs_task",
    "nacl": "network_acl",
}


# Kinds given to a reference before anything describes it: a service named in a trace, a resource
# named by a change, a host in a log line. A node of such a kind is the same resource as a described one
# of the same name.
LOOSE_KINDS = frozenset({"resource", "service", "remote"})


def _same_kind(a: str, b: str) -> bool:
    return a == b or a in LOOSE_KINDS or b in LOOSE_KINDS


class TopoNode(BaseModel):
    id: str
    kind: str
    name: str | None = None
    az: str | None = None
    aliases: list[str] = Field(default_factory=list)
    attrs: dict[str, str] = Field(default_factory=dict)


class Topology(BaseModel):
    nodes: dict[str, TopoNode] = Field(default_factory=dict)
    edges: list[tuple[str, str, str]] = Field(default_factory=list)
    alias: dict[str, str] = Field(default_factory=dict)

    def add(
        self,
        kind: str,
        id: str,
        name: str | None = None,
        *,
        az: str | None = None,
        aliases: list[str] | None = None,
        attrs: dict[str, str] | None = None,
    ) -> str:
        """Add or merge a node; returns its canonical id."""
        kind = KIND_MAP.get(kind, kind)
        names = [id, *(aliases or []), *([name] if name else []), *derived_aliases(id)]
        # A name shared across kinds names different resources (an Auto Scaling group, its load
        # balancer and its launch template are often all "shop-web"): only a node of the same kind, or
        # one known only loosely so far, is the same resource.
        existing = (
            id
            if id in self.nodes
            else next(
                (
                    self.alias[n]
                    for n in names
                    if n in self.alias and _same_kind(self.nodes[self.alias[n]].kind, kind)
                ),
                None,
            )
        )
        key = existing or id
        node = self.nodes.get(key)
        if node is None:
            node = TopoNode(id=key, kind=kind, name=name, az=az)
            self.nodes[key] = node
        if node.kind in LOOSE_KINDS and kind not in LOOSE_KINDS:
            node.kind = kind  # known loosely until now (a name in a trace or a log): now it is known
        node.name = node.name or name
        node.az = node.az or az
        if attrs:
            node.attrs.update(attrs)
        for n in names:
            if n and n not in node.aliases:
                node.aliases.append(n)
            if n:
                self.alias.setdefault(n, key)
        return key

    def link(self, a: str, b: str, relation: str) -> None:
        ra, rb = self.resolve(a), self.resolve(b)
        if ra and rb and ra != rb and (ra, rb, relation) not in self.edges:
            self.edges.append((ra, rb, relation))

    def resolve(self, ref: str | None) -> str | None:
        """The canonical id a reference (id, name, ARN, dimension value) denotes, if known."""
        if not ref:
            return None
        if ref in self.nodes:
            return ref
        if ref in self.alias:
            return self.alias[ref]
        for candidate in derived_aliases(ref):
            if candidate in self.alias:
                return self.alias[candidate]
        if PART_ARN.match(ref):
            # A listener or rule is a resource of its own: the load balancer's name inside its ARN
            # does not make it the load balancer.
            return None
        if ref.startswith(("arn:", "/")):
            # An ARN or a path (a secret, parameter or log group) names one resource of its own: the
            # service named inside it ("secret:prod/ledger-api/db", "/ecs/ledger-api") is its consumer
            # or owner, not itself.
            return None
        # Names from traces and logs: "user@billing-db", "billing-db.cluster-x.rds.amazonaws.com".
        for piece in re.split(r"[@/:\s]+", ref):
            for candidate in (piece, piece.split(".")[0]):
                if candidate and len(candidate) >= 3 and candidate in self.alias:
                    return self.alias[candidate]
        return None

    def resolve_loose(self, name: str | None) -> str | None:
        """Resolve a service name from traces ("tickets-app") to the one resource named after it
        ("tickets-app-tg", "tickets-app-asg"), when exactly one resource kind-family matches."""
        key = self.resolve(name)
        if key or not name or len(name) < 3:
            return key
        low = name.lower()
        hits = {
            self.alias[a]
            for a in self.alias
            if a.lower().startswith(low + "-") or a.lower().startswith(low + "_") or a.lower() == low
        }
        if len(hits) == 1:
            return hits.pop()
        preferred = [
            h for h in hits if self.nodes[h].kind in ("asg", "ecs_service", "lambda", "target_group")
        ]
        return preferred[0] if len(preferred) == 1 else None

    def related(self, ref: str) -> list[str]:
        """Nodes a resource outside the topology is named after ("profile-jobs-instance-role" ->
        "profile-jobs"): the longest known name that starts its last path component."""
        last = re.split(r"[/:]", ref)[-1].lower()
        best: list[str] = []
        best_len = 5
        for alias, key in self.alias.items():
            a = alias.lower()
            if len(a) > best_len and last.startswith(a) and last[len(a) : len(a) + 1] in ("-", "_", "."):
                best, best_len = [key], len(a)
            elif len(a) == best_len and best and last.startswith(a) and key not in best:
                best.append(key)
        if not best and ref.startswith(("arn:aws", "/")):
            # A secret or parameter path names its consumer among its parts ("prod/ledger-api/postgres").
            parts = [p.lower() for p in re.split(r"[/:]", ref)[:-1] if len(p) >= 6]
            best = sorted({key for alias, key in self.alias.items() if alias.lower() in parts})
        return best

    def mentioned(self, text: str) -> list[str]:
        """Known resources whose name or id appears in a piece of text (a log line, an exception)."""
        low = text.lower()
        hits = {
            key
            for alias, key in self.alias.items()
            if len(alias) >= 6
            and not alias.startswith("arn:")
            # A dotted name (a host) inside a longer dotted name is that longer host's suffix, not itself.
            and re.search(rf"(?<![\w{'.' if '.' in alias else ''}-]){re.escape(alias.lower())}(?![\w-])", low)
        }
        return sorted(hits)

    def kind(self, ref: str | None) -> str | None:
        key = self.resolve(ref)
        return self.nodes[key].kind if key else None

    def distances(self, sources: list[str], stop_at: frozenset[str] = frozenset()) -> dict[str, int]:
        """Hops from any of `sources` to every reachable node (edges are walked both ways). Nodes of a
        kind in `stop_at` are reached but not walked through (a shared cluster or VPC joins its
        members as neighbours, not as one another's dependencies)."""
        adj: dict[str, set[str]] = {}
        for a, b, _ in self.edges:
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
        dist: dict[str, int] = {}
        queue: deque[str] = deque()
        for s in sources:
            key = self.resolve(s)
            if key and key not in dist:
                dist[key] = 0
                queue.append(key)
        while queue:
            cur = queue.popleft()
            if dist[cur] and self.kind(cur) in stop_at:
                continue
            for nxt in adj.get(cur, ()):
                if nxt not in dist:
                    dist[nxt] = dist[cur] + 1
                    queue.append(nxt)
        return dist

    def cluster_of(self) -> dict[str, str]:
        """Database instance -> the cluster it belongs to."""
        return {
            a: b
            for a, b, relation in self.edges
            if relation in ("member_of", "writer_of", "reader_of")
            and b in self.nodes
            and self.nodes[b].kind == "rds_cluster"
        }

    def names(self, key: str) -> list[str]:
        node = self.nodes.get(key)
        return node.aliases if node else [key]


# Reference shapes whose groups are other spellings of the same resource (every group is one).
_ALIAS_PATTERNS = [
    re.compile(p)
    for p in (
        r"arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d*:(targetgroup/([^/]+)/[0-9a-f]+)$",
        r"arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d*:loadbalancer/((?:app|net|gwy)/([^/]+)/[0-9a-f]+)$",
        r"^(?:app|net|gwy)/([^/]+)/[0-9a-f]+$",
        r"^targetgroup/([^/]+)/[0-9a-f]+$",
        r"arn:aws[a-z-]*:rds:[^:]*:\d*:(?:db|cluster):(.+)$",
        r"arn:aws[a-z-]*:lambda:[^:]*:\d*:function:([^:]+)",
        r"arn:aws[a-z-]*:dynamodb:[^:]*:\d*:table/([^/]+)",
        r"arn:aws[a-z-]*:ec2:[^:]*:\d*:[a-z-]+/((?:i|sg|vol|subnet|vpc|acl|rtb|eni|nat|tgw-attach)-[0-9a-f]+)$",
        r"arn:aws[a-z-]*:autoscaling:[^:]*:\d*:autoScalingGroup:[^:]+:autoScalingGroupName/(.+)$",
        r"arn:aws[a-z-]*:iam::\d*:role/(?:.*/)?([^/]+)$",
        r"arn:aws[a-z-]*:kms:[^:]*:\d*:key/(.+)$",
        r"arn:aws[a-z-]*:ecs:[^:]*:\d*:service/(?:[^/]+/)?([^/]+)$",
        r"^service/[^/]+/([^/]+)$",  # Application Auto Scaling's id of an ECS service
        r"arn:aws[a-z-]*:ssm:[^:]*:\d*:parameter(/.+)$",
        r"arn:aws[a-z-]*:sqs:[^:]*:\d*:([^:/]+)$",
        r"arn:aws[a-z-]*:sns:[^:]*:\d*:([^:/]+)$",
        r"(arn:aws[a-z-]*:secretsmanager:[^:]*:\d*:secret:(.+))-[A-Za-z0-9]{6}$",
        r"arn:aws[a-z-]*:ec2:[^:]*:\d*:vpc-endpoint/(vpce-[0-9a-f]+)$",
        r"arn:aws[a-z-]*:s3:::([^/]+)$",
        r"arn:aws[a-z-]*:states:[^:]*:\d*:stateMachine:([^:]+)$",
        r"arn:aws[a-z-]*:kinesis:[^:]*:\d*:stream/([^/]+)$",
        r"arn:aws[a-z-]*:elasticache:[^:]*:\d*:(?:cluster|replicationgroup):(.+)$",
        r"arn:aws[a-z-]*:acm:[^:]*:\d*:certificate/([0-9a-f-]+)$",
        r"arn:aws[a-z-]*:wafv2:[^:]*:\d*:(?:regional|global)/webacl/([^/]+)/([0-9a-f-]+)$",
        r"arn:aws[a-z-]*:elasticfilesystem:[^:]*:\d*:file-system/(fs-[0-9a-f]+)$",
        r"arn:aws[a-z-]*:cloudfront::\d*:distribution/([A-Z0-9]+)$",
        r"arn:aws[a-z-]*:es:[^:]*:\d*:domain/([^/]+)$",
        r"arn:aws[a-z-]*:firehose:[^:]*:\d*:deliverystream/([^/]+)$",
        r"arn:aws[a-z-]*:events:[^:]*:\d*:rule/(?:[^/]+/)?([^/]+)$",
        r"^https://(?:sqs\.[\w.-]+|queue\.amazonaws\.com)/\d{12}/([^/]+)$",
    )
]


# ARNs of parts of a load balancer; group 1 is the load balancer's CloudWatch form (app/name/id).
PART_ARN = re.compile(
    r"arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d*:listener(?:-rule)?/((?:app|net|gwy)/[^/]+/[0-9a-f]+)/"
)


def derived_aliases(ref: str) -> list[str]:
    """Other spellings of the same resource, from the shape of a reference."""
    out: list[str] = []
    for pattern in _ALIAS_PATTERNS:
        m = pattern.match(ref)
        if m:
            out += [g for g in m.groups() if g]
    queue = queue_arn(ref) if ref.startswith("https://") else None
    if queue:
        # A queue URL is its queue's ARN in another spelling, never a table or function of its name.
        out.insert(0, queue)
    return out
