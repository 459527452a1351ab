"""Hypotheses from evidence, and their confidence, computed by code.

A failure mode from the catalog becomes a hypothesis about a resource when evidence on that resource
shows one of the mode's root signals. Its confidence then weighs: how clearly the root signal shows,
what corroborates it on the same resource, how much of the observed trouble the mode explains, whether
it came before the symptoms (a cause precedes its effects), how close it sits to the symptomatic
resources, and what contradicts it. The numbers are simple and visible on purpose: every term is
written into the hypothesis' rationale.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agent.analyzers.changes import base_action, keyed, request_params
from agent.analyzers.logs import called_api, has_operation
from agent.board import Evidence, Hypothesis, RemediationStep
from agent.catalog import FailureMode
from agent.inverse import inverse_command
from agent.remediation import fill
from agent.topology import Topology

# Signals that are symptoms of trouble wherever they appear (what the user is suffering from).
SYMPTOMS = frozenset(
    {
        "error_rate_up",
        "latency_up",
        "unhealthy_hosts",
        "targets_unhealthy",
        "log_errors_up",
        "new_error_pattern",
        "trace_faults",
        "asg_replacement_loop",
        "throttled",
        "capacity_below_desired",
        "queue_backlog",
        "instance_start_failed",
        "status_check_failed",
        "connection_refused_logs",
        "timeout_logs",
        "db_connection_errors",
        "cache_full_logs",
        "access_denied_logs",
        "ecs_tasks_stopped",
        "deployment_failed",
        "flow_log_rejects",
        "alarm_breached",
        "flow_stopped",
        "requests_blocked",
    }
)

# Symptoms nearly every failure produces: they count, but less than the specific ones.
GENERIC = frozenset(
    {
        "error_rate_up",
        "latency_up",
        "log_errors_up",
        "new_error_pattern",
        "trace_faults",
        "unhealthy_hosts",
        "targets_unhealthy",
        "traffic_down",
        "alarm_breached",
        "flow_stopped",
    }
)

LEAD_TIME = timedelta(hours=3)
# How far error lines in logs may lead the metrics that measure the same trouble (a period or two).
LOGS_LEAD = timedelta(minutes=10)
HEALTH_LAG = timedelta(minutes=30)  # a change more than this before the onset is unlikely to be its cause
GRACE = timedelta(minutes=3)  # onsets are measured in minutes; this much after still counts as before
# The most a change can be believed when nothing on or next to what it changed went wrong after it.
UNSEEN_EFFECT_CAP = 0.5
# How long a release takes to serve traffic (a rolling deploy's span): effects of its code show by then.
DEPLOY_TAKES_TRAFFIC = timedelta(minutes=15)
# Effects that build up while the release serves traffic (memory filling to an OOM kill, a disk or a
# connection pool filling, credits draining): they bite after a while, so a healthy spell is no alibi.
ACCUMULATES = frozenset(
    {
        "oom_logs",
        "memory_high",
        "disk_full",
        "disk_full_logs",
        "credits_exhausted",
        "ebs_balance_exhausted",
        "connections_high",
    }
)
# The most a healthy spell after a release costs it: after twice its rollout, healthy traffic through
# the new code is most of the proof that the code is not what broke (load- or time-triggered bugs aside).
HEALTHY_RELEASE_COST = 0.45
HEALTHY_RELEASE_CAP = 0.5
# A function's new code or alias serves its very next invocation: no rollout to wait for.
FUNCTION_TAKES_TRAFFIC = timedelta(minutes=3)


BALANCERS = frozenset({"alb", "nlb", "elb"})
# Balancer edits every next connection or request meets.
APPLIED_AT_ONCE = frozenset({"ModifyLoadBalancerAttributes", "ModifyListener", "ModifyRule"})
# Target group edits its next health checks and requests meet: its checks, attributes and members.
TARGETS_AT_ONCE = frozenset(
    {"ModifyTargetGroup", "ModifyTargetGroupAttributes", "RegisterTargets", "DeregisterTargets"}
)


def takes_traffic(kind: str | None) -> timedelta:
    """How long after a release its code serves the traffic, by what was released."""
    return FUNCTION_TAKES_TRAFFIC if kind == "lambda" else DEPLOY_TAKES_TRAFFIC


# What each distinctive symptom on the failing path that a hypothesis does not explain costs it.
UNEXPLAINED_EACH = 0.06
UNEXPLAINED_MAX = 0.18
# The most an explanation is believed while a refusal on the path remains unexplained.
INCOMPLETE_CAP = 0.79
REFUSALS = frozenset(
    {
        "access_denied_logs",
        "kms_errors",
        "throttled",
        "throttling_logs",
        "connection_refused_logs",
        "flow_log_rejects",
        "requests_blocked",
    }
)
# A rival that explains more must itself be a real candidate to outrank what it explains better.
FULLER_FLOOR = 0.3
# The most a change no known failure mode names can be believed (time and place are its whole argument).
GENERIC_CHANGE_CAP = 0.6
# What a capped generic change loses when what it changed shows nothing itself (only its neighbours
# do): a tie-breaker that orders it after an equal change whose own resource broke, never more (a
# route table, secret or NAT gateway shows its changes' effects only on what uses it).
PLACE_COST = 0.01
# A capacity reading with no sign that anything is at its ceiling.
CEILING_UNSEEN_CAP = 0.5
UNNAMED_KINDS = frozenset({"aws_api"})
UNNAMED_CAP = 0.7
# A change mode nominated by its effects on a resource nobody changed before the onset.
NO_CHANGE_CAP = 0.4
# Evidence that scaling could not add capacity, and how long after the load began it can first show.
SCALING_FAILED = frozenset({"subnet_addresses_exhausted", "instance_start_failed", "capacity_below_desired"})
SCALING_LAG = timedelta(minutes=15)
# Less capacity bites when load next meets it: at the next daily peak, up to a day and a half later.
NEXT_PEAK = timedelta(hours=36)
# A settings edit that sets a ceiling bites as soon as load meets it: within minutes, not hours.
AT_ONCE = timedelta(minutes=10)
# Calls that take a running resource out of service.
TAKES_AWAY = re.compile(r"^(Stop|Terminate|Delete|Deregister|Disable)")
# What a platform event says when AWS itself acted on a resource (not when it merely reports a state).
PLATFORM_ACTION = re.compile(
    r"fail ?over|restart|reboot|maintenance|patch|replac|host (?:recovery|migration)|retire", re.I
)

_PREFIX_KIND = [
    (r"^i-[0-9a-f]+$", "ec2"),
    (r"^sg-[0-9a-f]+$", "security_group"),
    (r"^acl-[0-9a-f]+$", "network_acl"),
    (r"^vol-[0-9a-f]+$", "ebs_volume"),
    (r"^subnet-[0-9a-f]+$", "subnet"),
    (r"^vpc-[0-9a-f]+$", "vpc"),
    (r"^tgw-attach-[0-9a-f]+$", "transit_gateway_attachment"),
    (r"^nat-[0-9a-f]+$", "nat_gateway"),
    (r"^(?:tgw-)?rtb-[0-9a-f]+$", "route_table"),
    (r"^lt-[0-9a-f]+$", "launch_template"),
    (r"^arn:aws[a-z-]*:iam::\d*:role/", "iam_role"),
    (r"^arn:aws[a-z-]*:kms:", "kms_key"),
    (r"^arn:aws[a-z-]*:ssm:.*:parameter/|^/[\w./-]+$", "ssm_parameter"),
    (r"^arn:aws[a-z-]*:lambda:", "lambda"),
    (r"^arn:aws[a-z-]*:rds:.*:cluster:", "rds_cluster"),
    (r"^arn:aws[a-z-]*:rds:.*:db:", "rds_instance"),
    (r"^arn:aws[a-z-]*:dynamodb:", "dynamodb_table"),
    (r"^arn:aws[a-z-]*:cloudwatch:.*:alarm:", "alarm"),
    (r"^us-[a-z]+-\d[a-z]$|^[a-z]{2}-[a-z]+-\d[a-z]$", "availability_zone"),
    (r"^targetgroup/", "target_group"),
    (r"^(app|net)/", "alb"),
]

# Instances a single change names that are each taken as changed by it.
MAX_SIBLINGS = 20
# Resources traffic passes through rather than runs on.
NETWORK_PATH = frozenset({"route_table", "network_acl", "subnet"})
# The account's own links to private networks, and names that live only on them.
PRIVATE_LINKS = frozenset(
    {"vpn_connection", "vpn_gateway", "dx_connection", "transit_gateway", "transit_gateway_attachment"}
)
PRIVATE_NAMES = (".internal", ".local", ".corp", ".lan", ".intra", ".consul", ".svc")
# The most a remote host is believed when the way to it changed or broke as its calls began failing.
PATH_CHANGED_CAP = 0.5


def _prefix_kind_link(ref: str | None) -> bool:
    """Whether an id names one of the account's private links, or a part of one, by its prefix (vpn-,
    vgw-, dxcon-, dxvif-, tgw-: a transit gateway, its attachments and its route tables)."""
    return bool(ref and re.match(r"^(?:vpn-|vgw-|dxcon-|dxvif-|tgw-)[0-9a-z-]+$", ref))


# Resources that hold settings for others (what they are used by is what a change to them changes),
# and the graph relations from a user to its settings holder.
SETTINGS_HOLDERS = frozenset(
    {
        "db_parameter_group",
        "cache_parameter_group",
        "launch_template",
        "ssm_parameter",
        "secret",
        "ecr_repository",
    }
)
SETTINGS_RELATIONS = frozenset(
    {"uses_parameters", "launches_from", "reads_at_start", "reads_setting", "runs_image"}
)
# Ceilings of the hardware under a resource: its storage's I/O and its burst credits.
HARDWARE_CEILINGS = frozenset({"io_saturated", "credits_exhausted", "ebs_balance_exhausted"})
# Relations by which settings reach their users only when these start: an instance launched from a
# template, a task that is handed a parameter or secret as it starts, or that pulls the image a tag
# names when its deployment starts (the last two dated by the user's next deployment).
HANDED_AT_START = frozenset({"reads_at_start", "runs_image"})
AT_START = HANDED_AT_START | {"launches_from"}
# A push that a deployment of the same release follows within this is one release, named by its deploy.
RELEASE_PIPELINE = timedelta(minutes=30)
# A change that has reached nothing yet (a template no instance was launched from since) caused nothing.
NOT_YET_IN_SERVICE_CAP = 0.1
# A push the release's own deployment followed: the deployment is how that release is named.
RELEASED_WITH_DEPLOY_CAP = 0.3
# A deployment whose tasks picked up an image pushed earlier to a tag it already ran.
MOVED_TAG_COST = 0.3
LAUNCHES_HOSTS = frozenset({"launch_template", "asg", "ec2"})  # what decides how a new host is built
CONFINED_COST = 0.15
# What serves only the instances launched after it is changed.
LAUNCHED_LATER = frozenset({"launch_template"})
# Evidence that something is abnormal, as opposed to something having been done.
ANOMALIES = frozenset({"metric_anomaly", "log_pattern", "resource_state", "health_event"})
# What a change leaves behind on or next to what it changed, beyond the users' symptoms.
LEFT_BEHIND = frozenset({"traffic_down", "route_blackhole"})


def _prefix_kind(ref: str) -> str | None:
    return next((kind for pattern, kind in _PREFIX_KIND if re.search(pattern, ref)), None)


def _took_out_of_service(e: Evidence) -> bool:
    """A change that stopped, terminated or removed a running resource (it stays so until undone)."""
    return "change_instance_state" in e.signals and bool(TAKES_AWAY.search(str(e.facts.get("action", ""))))


# Which kind a change's target is, when the action says it better than the id does.
_CHANGE_KIND = {
    "change_security_group": "security_group",
    "change_network_acl": "network_acl",
    "change_iam_policy": "iam_role",
    "change_kms_key": "kms_key",
}


def kind_of(ev: Evidence, topo: Topology) -> str | None:
    known = topo.kind(ev.resource)
    if known:
        return known
    if ev.facts.get("kind"):
        return str(ev.facts["kind"])
    for signal, kind in _CHANGE_KIND.items():
        if signal in ev.signals:
            return kind
    by_prefix = _prefix_kind(ev.resource or "")
    if by_prefix:
        return by_prefix
    action = str(ev.facts.get("action", ""))
    if action in ("PutParameter", "DeleteParameter"):
        return "ssm_parameter"
    if "Function" in action:
        return "lambda"
    if ev.kind == "trace_fault" and "remote_slow" in ev.signals:
        return "remote"
    if ev.kind == "trace_fault":
        return "service"
    return None


def canonical(ref: str | None, topo: Topology) -> str | None:
    return topo.resolve(ref) or ref


def incident_onset(
    evidence: list[Evidence], topo: Topology | None = None, entry: list[str] | None = None
) -> datetime | None:
    """When the trouble began: the earliest sustained symptom on the entry resources (the alarm's or
    the question's), or anywhere when none of those shows one."""

    def times(near: set[str] | None, kinds: tuple[str, ...]) -> list[datetime]:
        # A count in 5-minute bins began somewhere in its first bin: take the latest minute it can
        # have been, so a coarse series does not date the trouble before a per-minute one shows it.
        return [
            e.start + timedelta(seconds=max(0, int(e.facts.get("resolution_s") or 60) - 60))
            for e in evidence
            if e.start is not None
            and set(e.signals) & SYMPTOMS
            and e.kind in kinds
            and e.facts.get("sustained", True)
            and e.strength >= 0.3
            and (near is None or (topo is not None and canonical(e.resource, topo) in near))
        ]

    def earliest(near: set[str] | None) -> datetime | None:
        # What the resource measures of itself (its metrics, its state) dates the trouble; lines that
        # look like errors in its logs may lead that by a period or two, not by an hour: an hour
        # earlier they are some other, smaller trouble (a bot's 404s), not the one measured.
        measured = times(near, ("metric_anomaly", "resource_state"))
        logged = times(near, ("log_pattern", "trace_fault"))
        if not measured:
            return min(logged, default=None)
        first = min(measured)
        leading = [t for t in logged if first - LOGS_LEAD <= t < first]
        return min([first, *leading])

    if topo is not None and entry:
        near = {k for k, hops in topo.distances(entry).items() if hops <= 1}
        local = earliest(near)
        if local is not None:
            return local
    return earliest(None)


def symptomatic(evidence: list[Evidence], topo: Topology) -> set[str]:
    return {
        canonical(e.resource, topo) or ""
        for e in evidence
        if set(e.signals) & SYMPTOMS and e.resource and e.facts.get("sustained", True)
    } - {""}


def generate(
    modes: dict[str, FailureMode], evidence: list[Evidence], topo: Topology, entry: list[str]
) -> list[Hypothesis]:
    onset = incident_onset(evidence, topo, entry)
    sick = symptomatic(evidence, topo)
    observed = {
        s for e in evidence if e.facts.get("sustained", True) and e.strength >= 0.2 for s in e.signals
    }
    near = topo.distances(entry or list(sick))
    # The distinctive trouble on the failing path (denied calls, timeouts, throttles, refused connections):
    # what the root cause must account for, beyond the errors and latency every failure shows.
    distinctive = {
        s
        for e in evidence
        if e.facts.get("sustained", True)
        and e.strength >= 0.2
        and (key := canonical(e.resource, topo))
        and (key in sick or near.get(key, 99) <= OWN_STATE_REACH)
        for s in e.signals
        if s in SYMPTOMS and s not in GENERIC
    }
    by_resource: dict[str, list[Evidence]] = {}
    for e in evidence:
        key = canonical(e.resource, topo)
        if key:
            by_resource.setdefault(key, []).append(e)
        if e.kind == "change_event" and key and (topo.kind(key) or _prefix_kind(key)) == "ec2":
            # One call on several instances (stop, reboot, credit mode, attributes) changed each. Not
            # other kinds: a rule on one security group names its peer group, which did not change.
            for other in [str(r) for r in e.facts.get("resources") or []][1:MAX_SIBLINGS]:
                there = canonical(other, topo)
                if there and there != key and (topo.kind(there) or _prefix_kind(there)) == "ec2":
                    by_resource.setdefault(there, []).append(e)
    # A database cluster is judged with what its instances show: connections, aborts and CPU are
    # per-instance metrics, while callers see (and traces name) the cluster.
    members: dict[str, list[str]] = {}
    for inst, cluster in topo.cluster_of().items():
        members.setdefault(cluster, []).append(inst)
    for cluster, insts in members.items():
        pooled = list(by_resource.get(cluster, []))
        for inst in dict.fromkeys(insts):
            pooled += [e for e in by_resource.get(inst, []) if e not in pooled]
        if pooled:
            by_resource[cluster] = pooled
    # Hosts launched in the window that fail on their own: one reading for every change candidate.
    confined = _failing_new_hosts(None, None, evidence, topo)
    out: list[Hypothesis] = []
    for mode in modes.values():
        root = set(mode.root_signals)
        for resource, evs in by_resource.items():
            nominating = [e for e in evs if root & set(e.signals)]
            if not nominating:
                continue
            kinds = {kind_of(e, topo) for e in nominating}
            if resource in members:
                kinds = {"rds_cluster" if k == "rds_instance" else k for k in kinds}
            fits = "any" in mode.applies_to or kinds & set(mode.applies_to)
            if not fits and not (None in kinds and "service" in mode.applies_to):
                continue
            h = _score(
                mode, resource, nominating, evs, evidence, observed, distinctive, onset, near, topo, confined
            )
            if h is not None:
                out.append(h)
    _explain_away(out, modes, evidence, topo)
    _prefer_fuller(out, modes)
    out.sort(key=lambda h: h.confidence, reverse=True)
    for i, h in enumerate(out, 1):
        h.id = f"h-{i}"
    return out


# A queue backs up whenever what consumes it fails, slows or loses capacity, whatever the reason:
# the backlog is then that failure's effect, so any mode that makes a consumer fail produces it.
CONSUMER_TROUBLE = frozenset(
    {
        "timeout_logs",
        "error_rate_up",
        "access_denied_logs",
        "connection_refused_logs",
        "db_connection_errors",
        "capacity_below_desired",
        "ecs_tasks_stopped",
        "throttled",
        "latency_up",
    }
)
# Signals about a resource's own state: they follow from trouble on it or on what it depends on (a
# database failing the health checks that make a group replace its instances), not from elsewhere.
OWN_STATE = frozenset(
    {
        "capacity_below_desired",
        "ecs_tasks_stopped",
        "asg_replacement_loop",
        "status_check_failed",
        "instance_start_failed",
        "deployment_failed",
        "oom_logs",
    }
)
# A resource's throttles: its own capacity meeting its load.
THROTTLES = frozenset({"throttled"})
# A resource's load (its CPU, its connections): what its callers send it.
LOAD = frozenset({"cpu_high", "connections_high"})
# Symptoms that show a change's own side went wrong first (its service, its balancer, its cache).
PATH_TROUBLE = frozenset({"latency_up", "error_rate_up", "log_errors_up", "new_error_pattern", "memory_high"})
OWN_STATE_REACH = 3  # hops along the resource graph within which that dependence is credible


# Shared containers: two resources in the same cluster, VPC, subnet, zone or security group are
# neighbours, not one another's dependency.
CONTAINERS = frozenset({"ecs_cluster", "vpc", "subnet", "availability_zone", "security_group"})


def _ran_healthy(
    release: Evidence, mode: FailureMode, onset: datetime, topo: Topology
) -> tuple[timedelta, float, bool] | None:
    """New code serves traffic within minutes of shipping: a release that then ran healthy for longer
    than it takes to reach its traffic did not start the trouble (unless what it shipped builds up
    while serving). How long it ran before the onset, what that costs it, and whether that spell was
    longer than twice its rollout; None when it is no alibi."""
    if release.start is None or set(mode.root_signals) & ACCUMULATES:
        return None
    kind = kind_of(release, topo)
    action = base_action(str(release.facts.get("action") or ""))
    if "change_deploy" not in release.signals and not (
        (kind == "lambda" and action == "UpdateFunctionConfiguration")
        or (kind in BALANCERS and action in APPLIED_AT_ONCE)
        or (kind == "target_group" and action in TARGETS_AT_ONCE)
    ):
        # A function's own configuration (timeout, memory, environment) is read by its very next
        # invocation, as its code is; a load balancer's attributes, listeners and rules by its next
        # connections and requests; a target group's health check and members by its next checks and
        # requests. Other settings (how a queue feeds a function, its concurrency, a
        # setting elsewhere) may bite only when what they govern next happens: a full batch, a peak.
        return None
    if kind in LAUNCHED_LATER:
        # A new launch template version serves nothing until instances are launched from it (the next
        # scale-out or replacement): time since the edit is no alibi.
        return None
    healthy = onset - release.start
    lag = takes_traffic(kind)
    if healthy <= lag:
        return None
    return healthy, min(HEALTHY_RELEASE_COST, 0.3 * (healthy - lag) / DEPLOY_TAKES_TRAFFIC), healthy > 2 * lag


# Writes of a resource's own policy (who may call it): a bucket, key, queue, topic, function, secret or
# repository policy, its ACL or public-access block, a permission added or removed. Policies that govern
# something else (scaling, log retention, lifecycle, replication, backups) say nothing about callers.
_RESOURCE_POLICY = re.compile(
    r"^(?!\w*(?:Scaling|Retention|Lifecycle|Replication|Backup))"
    r"(?:Put|Set|Delete|Remove|Add)\w*(?:Policy|Permission|Acl|PublicAccessBlock)$"
)


def writes_resource_policy(e: Evidence) -> bool:
    """Whether a change rewrote who may call the resource it changed (its resource-based policy)."""
    service, action = str(e.facts.get("service") or ""), base_action(str(e.facts.get("action") or ""))
    if service in ("iam", "sts") or "change_failed" in e.signals:
        return False  # a role's policies are the caller's, not the callee's
    if _RESOURCE_POLICY.match(action):
        return True
    # SQS and SNS keep their policy among the attributes they set.
    return action in ("SetQueueAttributes", "SetTopicAttributes") and bool(
        re.search(r'"(?:attributeName":"Policy|Policy":)', str(e.facts.get("params") or ""), re.I)
    )


def refused_by_its_service(change: Evidence, evidence: list[Evidence]) -> list[Evidence]:
    """Calls refused as denied after a change to a resource's own policy, when what was called is an
    operation of that resource's service (S3's PutObject after a bucket policy was rewritten): a
    resource policy is decided where the resource is, whoever calls it, so those refusals are its."""
    if change.start is None or not writes_resource_policy(change):
        return []
    service = str(change.facts.get("service") or "")
    found = []
    for e in evidence:
        if "access_denied_logs" not in e.signals or e.kind == "change_event":
            continue
        if e.start is not None and e.start < change.start - GRACE:
            continue
        called, operation = called_api(str(e.facts.get("example") or e.summary))
        if called == service or (called is None and operation and has_operation(service, operation)):
            found.append(e)
    return found


def _pushed_tag(push: Evidence) -> str | None:
    """The tag an image push wrote."""
    text = str(push.facts.get("params") or "")
    tag = request_params(text).get("imageTag") or keyed(text, "imageTag")
    return str(tag) if tag else None


def _tags_run(repository: str, topo: Topology) -> set[str]:
    """The tags of a repository that the graph's services run."""
    node = topo.nodes.get(canonical(repository, topo) or repository)
    return {t for t in str(node.attrs.get("tags_run", "") if node else "").split(",") if t}


def _pushed_before(push: Evidence, evidence: list[Evidence], topo: Topology) -> bool:
    """Whether the same tag of the same repository was pushed before this push too: a tag pushed again
    is a pointer that moves (release, latest, prod), where a tag pushed once names one build."""
    repo = canonical(push.resource, topo)
    tag = _pushed_tag(push)
    return bool(tag) and any(
        e is not push
        and "change_image" in e.signals
        and e.start is not None
        and push.start is not None
        and e.start < push.start
        and canonical(e.resource, topo) == repo
        and _pushed_tag(e) == tag
        for e in evidence
    )


def _moved_tag_under(
    deploy: Evidence, service: str, evidence: list[Evidence], topo: Topology
) -> Evidence | None:
    """An image push, well before this deployment, to a tag the service runs: what the deployment's
    tasks started with is whatever that tag named then, so the push is what changed their code."""
    if deploy.start is None:
        return None
    key = canonical(service, topo) or service
    repos = {b for a, b, rel in topo.edges if a == key and rel == "runs_image"}
    for e in evidence:
        if (
            e.kind == "change_event"
            and "change_image" in e.signals
            and "change_failed" not in e.signals
            and e.start is not None
            and e.start < deploy.start - RELEASE_PIPELINE
            and deploy.start - e.start <= NEXT_PEAK
            and (repo := canonical(e.resource, topo)) in repos
            and _pushed_tag(e) in _tags_run(repo, topo)
            and _pushed_before(e, evidence, topo)
        ):
            return e
    return None


def read_at_start(holder: str, topo: Topology) -> bool:
    """Whether a settings holder reaches its users only when they start: a launch template, or a
    parameter or secret that tasks are handed as they start (and that nothing reads while running)."""
    if (topo.kind(holder) or _prefix_kind(holder)) in LAUNCHED_LATER:
        return True
    ways = {rel for a, b, rel in topo.edges if b == holder and rel in SETTINGS_RELATIONS}
    return bool(ways) and ways <= AT_START


def _launching_from(template: str, topo: Topology) -> set[str]:
    """The groups that launch their instances from `template`."""
    return {a for a, b, rel in topo.edges if b == template and rel == "launches_from"}


def _first_launch_after(
    holder: str, after: datetime, evidence: list[Evidence], topo: Topology
) -> datetime | None:
    """When what starts with `holder`'s settings first started after `after`: an instance launched by a
    group launching from the template; a new deployment of a service whose tasks are handed it."""
    groups = _launching_from(holder, topo)
    readers = {a for a, b, rel in topo.edges if b == holder and rel in HANDED_AT_START}
    times = [
        datetime.fromisoformat(str(t))
        for e in evidence
        if "instances_launched" in e.signals and canonical(e.resource, topo) in groups
        for t in e.facts.get("launched") or []
    ]
    times += [
        e.start
        for e in evidence
        if e.kind == "change_event"
        and e.start is not None
        and "change_deploy" in e.signals
        and "change_failed" not in e.signals
        and canonical(e.resource, topo) in readers
    ]
    return min((t for t in times if t >= after), default=None)


def _failing_new_hosts(
    template: str | None, after: datetime | None, evidence: list[Evidence], topo: Topology
) -> dict[str, Evidence]:
    """Instances launched (from `template`, after `after`; else by any group, at any time in the
    window) that show errors of their own (a log pattern written by that one host, an error metric on
    it): instance -> one such item."""
    groups = _launching_from(template, topo) if template else None
    new = {
        str(i)
        for e in evidence
        if "instances_launched" in e.signals and (groups is None or canonical(e.resource, topo) in groups)
        for i, t in (e.facts.get("instances") or {}).items()
        if after is None or datetime.fromisoformat(str(t)) >= after
    }
    failing = {"new_error_pattern", "log_errors_up", "error_rate_up"}
    out = {str(e.resource): e for e in evidence if e.resource in new and set(e.signals) & failing}
    # A pattern a few hosts write all of is each of theirs.
    for e in evidence:
        if e.kind == "log_pattern" and set(e.signals) & failing:
            for host in e.facts.get("hosts") or []:
                if host in new:
                    out.setdefault(str(host), e)
    return out


def produces(mode: FailureMode) -> set[str]:
    """The symptoms a failure mode brings about, including the backlog of whatever queue its
    failing consumer reads."""
    out = set(mode.symptoms)
    if out & CONSUMER_TROUBLE:
        out.add("queue_backlog")
    if out & {"timeout_logs", "latency_up"}:
        # What is slow makes whatever waits on it run to its own timeout: a function stopped at its
        # configured timeout is what a slow or unreachable dependency looks like from the function.
        out.add("function_timed_out")
    return out


def _explain_away(
    hyps: list[Hypothesis], modes: dict[str, FailureMode], evidence: list[Evidence], topo: Topology
) -> None:
    """Demote a hypothesis whose own root signal is a symptom another, earlier hypothesis explains:
    the ASG replacing instances is what a failing database looks like from the load balancer."""
    by_id = {e.id: e for e in evidence}
    # What each resource was seen waiting on: its own log lines, attributed to what they name.
    waits_on: dict[str, set[str]] = {}
    for e in evidence:
        seer = canonical(str(e.facts.get("seen_by") or ""), topo)
        there = canonical(e.resource, topo)
        if seer and there and seer != there:
            waits_on.setdefault(seer, set()).add(there)
    # The same line in other resources' logs names the same thing they wait on.
    named_in = {
        str(e.facts["template"]): e.resource
        for e in evidence
        if e.facts.get("seen_by") and e.facts.get("template")
    }
    for e in evidence:
        there = named_in.get(str(e.facts.get("template") or ""))
        seer = canonical(e.resource, topo)
        if there and seer and not e.facts.get("seen_by") and seer != canonical(there, topo):
            waits_on.setdefault(seer, set()).add(canonical(there, topo) or there)
    # When each function's invocations got slower: a function's concurrency is its request rate times
    # its duration, so at the same traffic a slower function needs more of it.
    slower: dict[str, datetime] = {}
    for e in evidence:
        there = canonical(e.resource, topo)
        if there and e.start and "latency_up" in e.signals and topo.kind(there) == "lambda":
            slower[there] = min(e.start, slower.get(there, e.start))
    first: dict[int, datetime | None] = {}
    roots: dict[int, set[str]] = {}
    for h in hyps:
        mode = modes[h.failure_mode]
        nominating = [
            by_id[i] for i in h.supporting if i in by_id and set(by_id[i].signals) & set(mode.root_signals)
        ]
        roots[id(h)] = {s for e in nominating for s in e.signals} & set(mode.root_signals)
        start = min((e.start for e in nominating if e.start), default=None)
        if start is not None and any(e.kind == "health_event" for e in nominating):
            start -= HEALTH_LAG
        first[id(h)] = start
    for b in hyps:
        kb = id(b)
        hops: dict[str, int] | None = None  # along b's dependencies, walked only when needed
        for a in hyps:
            ka = id(a)
            if a is b or a.resource == b.resource or a.confidence < b.confidence - 0.45:
                continue
            own = produces(modes[a.failure_mode])
            made = own
            tb = first[kb]
            waited = slower.get(canonical(b.resource, topo) or "")
            if (
                made & {"latency_up", "timeout_logs"}
                and waited is not None
                and tb is not None
                and waited <= tb + GRACE
                and _reaches(a.resource, b.resource, waits_on, slower, topo)
            ):
                # A function throttled once its invocations got slower, not when its traffic grew, is
                # throttled by what made them slower: the same requests now hold its concurrency longer.
                made = made | THROTTLES
            elif roots[kb] and roots[kb] <= LOAD and _sent_load(a, b, tb, modes, by_id, evidence, topo):
                made = made | LOAD
            # What a explains only through b's load or concurrency: the two are one observation.
            widened = made != own
            explained = roots[kb] & made
            if not explained or not roots[kb] <= made:
                continue
            if explained <= OWN_STATE:
                # A resource's own state (its tasks, its capacity, its instances' checks) is what a
                # failure of that resource or of what it depends on produces, along the request path:
                # a deploy of one service does not empty an unconnected service's tasks.
                hops = topo.distances([b.resource], CONTAINERS) if hops is None else hops
                if hops.get(a.resource, 99) > OWN_STATE_REACH:
                    continue
            if explained <= THROTTLES and not widened:
                # A throttle is the throttled resource's capacity meeting its load: only more load or
                # less capacity makes one. Elsewhere, only a change can have sent it more load (a
                # release that retries in a loop, a cache TTL set to zero); a limit or failure upstream
                # sends it less. A known kind of change reaches along the path; one linked to the
                # trouble by time and place alone, only what it calls directly.
                ma = modes[a.failure_mode]
                anchored = any(by_id[i].kind == "change_event" for i in a.supporting if i in by_id)
                hops = topo.distances([b.resource], CONTAINERS) if hops is None else hops
                reach = 1 if "any" in ma.applies_to else OWN_STATE_REACH
                if ma.category != "change" or not anchored or hops.get(a.resource, 99) > reach:
                    continue
            ta = first[ka]
            if a._released_healthy:
                # A release that served its traffic healthy for a while did not begin the trouble when
                # it shipped: its release time cannot put it before anyone's signs.
                continue
            # A symptom seen without a time (traces, templates) cannot have come first. Unless b's own
            # lines name a as what it was waiting on: then they are one observation, not two onsets.
            named = widened or a.resource in waits_on.get(b.resource, set())
            if named or (ta is not None and (tb is None or ta <= tb + GRACE)):
                # Signs with no time of their own (traces, templates) weigh least against a dated cause.
                # And what another hypothesis produces ranks below it: an effect is not its cause's rival.
                lowered = min(b.confidence - (0.3 if tb is None else 0.2), a.confidence - 0.01)
                b.confidence = round(max(0.0, lowered), 3)
                b._an_effect = True
                b.rationale += f"; its own signs ({', '.join(sorted(explained))}) are what {a.title} produces, and that began first"
                break


def _sent_load(
    a: Hypothesis,
    b: Hypothesis,
    tb: datetime | None,
    modes: dict[str, FailureMode],
    by_id: dict[str, Evidence],
    evidence: list[Evidence],
    topo: Topology,
) -> bool:
    """Whether change `a` to one of `b`'s callers sent `b` the load it is saturated with: a database's
    CPU and connections are its callers' queries, and a release that changed them shows on its own
    side (its latency, its errors, the cache in front) after it shipped and before `b` saturated."""
    if modes[a.failure_mode].category != "change" or tb is None:
        return False
    shipped = [by_id[i].start for i in a.supporting if i in by_id and by_id[i].kind == "change_event"]
    when = min((t for t in shipped if t is not None), default=None)
    if when is None or when > tb + GRACE:
        return False
    hops = topo.distances([a.resource], CONTAINERS)
    if hops.get(b.resource, 99) > OWN_STATE_REACH and not _admits(b.resource, a.resource, topo):
        return False
    target = canonical(b.resource, topo)
    return any(
        e.start is not None
        and when <= e.start < tb
        and set(e.signals) & PATH_TROUBLE
        and (there := canonical(e.resource, topo)) != target
        and hops.get(there or "", 99) <= 2
        for e in evidence
    )


def _admits(callee: str, caller: str, topo: Topology) -> bool:
    """Whether `callee`'s security groups let `caller`'s in: what a group's inbound rules name by its
    group id is how a database or cache says which services call it."""

    def groups(ref: str) -> set[str]:
        there = canonical(ref, topo)
        return {b for a, b, rel in topo.edges if a == there and rel == "secured_by"}

    mine = groups(caller)
    return bool(mine) and any(
        m in topo.nodes[g].attrs.get("inbound", "") for g in groups(callee) if g in topo.nodes for m in mine
    )


def _reaches(
    a: str, b: str, waits_on: dict[str, set[str]], slower: dict[str, datetime], topo: Topology
) -> bool:
    """Whether function `b` waits on `a`: its own lines name `a`, `a` is what it calls directly, or it
    got slower in the same minutes as functions whose lines name `a` (a shared dependency slows all
    its callers at once)."""
    if a in waits_on.get(b, set()) or topo.distances([b], CONTAINERS).get(a, 99) <= 1:
        return True
    began = slower.get(b)
    return began is not None and any(
        a in waits_on.get(peer, set()) and abs(when - began) <= GRACE
        for peer, when in slower.items()
        if peer != b
    )


def _prefer_fuller(hyps: list[Hypothesis], modes: dict[str, FailureMode]) -> None:
    """A root cause accounts for all the distinctive trouble on the failing path. When one candidate
    leaves a distinctive symptom unexplained (refused connections, throttles, timeouts) and another
    accounts for that symptom and for everything the first explains, the second is the better
    explanation: a release whose new errors are a dependency's refusals ranks below the dependency
    that refused. Only a known failure mode accounts for a symptom (a change named by none is linked
    to the trouble by time and place alone), and not one whose own signs are another's effect."""
    for a in sorted(hyps, key=lambda h: h.confidence, reverse=True):
        if not a._leaves:
            continue
        fuller = [
            b
            for b in hyps
            if b is not a
            and b.resource != a.resource
            and "any" not in modes[b.failure_mode].applies_to
            and not b._an_effect
            and FULLER_FLOOR <= b.confidence < a.confidence
            and a._leaves & b._covers
            and a._covers <= b._covers
            and b._leaves < a._leaves
        ]
        if not fuller:
            continue
        b = max(fuller, key=lambda h: h.confidence)
        a.confidence = round(max(0.0, b.confidence - 0.01), 3)
        a.rationale += f"; {b.resource} accounts for {', '.join(sorted(a._leaves & b._covers))} as well as everything this explains"


def _score(
    mode: FailureMode,
    resource: str,
    nominating: list[Evidence],
    on_resource: list[Evidence],
    evidence: list[Evidence],
    observed: set[str],
    distinctive: set[str],
    onset: datetime | None,
    near: dict[str, int],
    topo: Topology,
    confined: dict[str, Evidence],
) -> Hypothesis | None:
    """`confined`: the newly launched hosts that fail on their own (`_failing_new_hosts` over the
    whole window), read once per generation."""
    terms: list[str] = []
    kind = topo.kind(resource) or _prefix_kind(resource)
    best = max(nominating, key=lambda e: e.strength)
    if kind == "ecr_repository" and onset is not None:
        # Of several pushes, the one that counts is the last, before the onset, to a tag its services run.
        run = _tags_run(resource, topo)
        before = [e for e in nominating if e.start and e.start <= onset + GRACE and _pushed_tag(e) in run]
        if before:
            best = max(before, key=lambda e: e.start or onset)
            nominating = [best]
    root = best.strength
    score = 0.4 * root
    terms.append(f"root {root:.2f}")
    here = {s for e in on_resource for s in e.signals}
    # What a resource's direct neighbours show backs it up too: an ACL's subnets rejecting flows, the
    # service a role belongs to failing with AccessDenied, the instances behind a security group.
    neighbours: set[str] = set()
    for a, b, _ in topo.edges:
        if a == resource:
            neighbours.add(b)
        elif b == resource:
            neighbours.add(a)
    if not neighbours:
        # Unlinked (a secret, a role, a parameter): next to what it is named after.
        neighbours = set(topo.related(resource))
    if kind in NETWORK_PATH | SETTINGS_HOLDERS:
        # Traffic passes through a route table, ACL or subnet to what sits in it: a change there shows
        # on the functions and instances one hop further (route table -> subnet -> function). Settings
        # held for others do too: a launch template's on the instances its group launches, a
        # parameter group's on the nodes of the cluster that uses it.
        for a, b, _ in topo.edges:
            if a in neighbours:
                neighbours.add(b)
            elif b in neighbours:
                neighbours.add(a)
        neighbours.discard(resource)
    around = [e for e in evidence if canonical(e.resource, topo) in neighbours]
    # ... and so does what they show against it (a backlog next to a consumer whose calls are refused).
    weighed = {*mode.corroborating, *mode.root_signals, *mode.contradicting}
    here |= {s for e in around for s in e.signals if s in weighed}
    corroborating = [s for s in mode.corroborating if s in here]
    c = min(0.24, 0.08 * len(corroborating))
    if c:
        score += c
        terms.append(f"corroborated by {', '.join(corroborating)}")
    nominated_by = {sig for e in nominating for sig in e.signals}
    second = (here & set(mode.root_signals)) - nominated_by
    if second:
        score += 0.1
        terms.append(f"also shows {', '.join(sorted(second))}")
    own = sorted(set(mode.symptoms) & {sig for e in on_resource for sig in e.signals} - nominated_by)
    if own:
        score += min(0.1, 0.05 * len(own))
        terms.append(f"itself shows {', '.join(own)}")
    explained = [s for s in mode.symptoms if s in observed]
    if mode.symptoms:
        # Specific symptoms (timeouts, denied calls, throttles) say more than generic ones (errors up).
        weight = sum(0.4 if s in GENERIC else 1.0 for s in explained)
        cover = min(1.0, weight / min(3.0, sum(0.4 if s in GENERIC else 1.0 for s in mode.symptoms)))
        score += 0.3 * cover
        if explained:
            terms.append(f"explains {', '.join(explained)}")
        else:
            score -= 0.15
            terms.append("explains none of the observed symptoms")
    # A cause accounts for the distinctive trouble: a release does not explain calls denied by IAM, nor
    # a database's load timeouts to a third party. What it leaves unexplained points elsewhere.
    # (A resource's own state, such as its failed status checks, is what a hypothesis about that
    # resource is about; what its logs say about others, such as denied calls, still needs explaining.)
    itself = {sig for e in on_resource for sig in e.signals} & OWN_STATE
    unexplained = sorted(distinctive - produces(mode) - set(mode.root_signals) - itself)
    if unexplained:
        score -= min(UNEXPLAINED_MAX, UNEXPLAINED_EACH * len(unexplained))
        terms.append(f"leaves {', '.join(unexplained)} unexplained")
    # A limit is known by its ceiling: a capacity reading argued from its symptom alone is a guess.
    # Measured: a neighbour's line about its own wait (a timeout calling a third party) is not this
    # resource's ceiling; its measured state (CPU, throttles, concurrency) may be.
    measured = {s for e in on_resource for s in e.signals} | {
        s for e in around if e.kind not in ("log_pattern", "trace_fault") for s in e.signals
    }
    ceiling_unseen = bool(mode.ceiling) and not set(mode.ceiling) & measured
    if ceiling_unseen:
        terms.append(f"no sign of a ceiling ({', '.join(mode.ceiling)})")
    contradicting = [s for s in mode.contradicting if s in here]
    if contradicting:
        score -= 0.25 * len(contradicting)
        terms.append(f"contradicted by {', '.join(contradicting)}")
    first = min((e.start for e in nominating if e.start), default=None)
    is_change = best.kind == "change_event"
    released_healthy = long_healthy = False
    unanchored = False  # a change mode with no change found to anchor it
    if mode.category == "change" and not is_change and onset is not None:
        # What a bad change produces (tasks OOM-killed, errors from new code) shows after the change
        # shipped, and sometimes after the first symptoms too: the change on the resource dates it.
        shipped = [
            e.start
            for e in on_resource
            if e.kind == "change_event"
            and e.start
            and "change_failed" not in e.signals
            and set(e.signals) & set(mode.corroborating)
            and onset - LEAD_TIME <= e.start <= onset + GRACE
        ]
        if shipped:
            first = min([*shipped, *([first] if first else [])])
        # A change mode argued from its effects still needs the change: without one on the resource
        # before the onset it is a guess at a cause; with one, a release that ran healthy for longer
        # than it takes to serve traffic did not start the trouble (as for a change nominated itself).
        # (Only modes that name a change among their roots: a setting wrong since long before the
        # window, such as a scaling threshold never met, has no change in it to find.)
        kinds_of_change = {s for s in (*mode.root_signals, *mode.corroborating) if s.startswith("change_")}
        made = [
            e
            for e in on_resource
            if e.kind == "change_event"
            and e.start is not None
            and "change_failed" not in e.signals
            and set(e.signals) & kinds_of_change
            and onset - LEAD_TIME <= e.start <= onset + GRACE
        ]
        last = max(made, key=lambda e: e.start or onset, default=None)
        if last is None or last.start is None:
            if any(s.startswith("change_") for s in mode.root_signals):
                unanchored = True
                terms.append("no change was made to it before the onset")
        elif (spell := _ran_healthy(last, mode, onset, topo)) is not None:
            healthy, cost, long_healthy = spell
            score -= cost
            released_healthy = True
            terms.append(
                f"served traffic for {_minutes(healthy)} after its last release before the trouble began"
            )
    if first is None and onset is not None and not is_change:
        # A state read at the end of the window (a stopped target) dates from whatever set it.
        first = min(
            (
                e.start
                for e in on_resource
                if e.kind == "change_event"
                and e.start is not None
                and e.start <= onset + GRACE
                and _took_out_of_service(e)
            ),
            default=None,
        )
    if first is not None and best.kind == "health_event":
        # AWS Health posts events after the impact begins: a report up to half an hour late still leads.
        first = first - HEALTH_LAG
    allowed = GRACE
    if (
        not is_change
        and {e.kind for e in nominating} == {"resource_state"}
        and ({s for e in nominating for s in e.signals} & SCALING_FAILED)
    ):
        # Capacity that cannot be added shows only when scaling tries: after the load has begun to
        # hurt and an alarm has held for its evaluation periods. That lag still comes first.
        allowed = SCALING_LAG
    if onset is not None and first is not None:
        if first <= onset + allowed:
            lead = onset - first
            if is_change:
                closeness = max(0.0, 1 - lead / LEAD_TIME)
                score += 0.2 * closeness
                terms.append(f"{_minutes(lead)} before the onset")
            else:
                score += 0.12
                terms.append("began with or before the symptoms")
        else:
            lag = first - onset
            score -= 0.3 if lag > timedelta(minutes=15) else 0.2
            terms.append(f"began {_minutes(lag)} after the symptoms")
    path_unsure = False  # a remote host seen through a path that changed or broke as its calls failed
    if mode.category == "dependency_failure" and kind_of(best, topo) == "remote" and onset is not None:
        # A remote host cannot be judged through a path that just changed: if a route, ACL or security
        # group between the callers and the outside changed just before the calls began failing, the
        # calls may never have reached the host. Between them: near the symptoms, or near the host by
        # way of the callers that call it (their subnets and route tables).
        from_host = topo.distances([resource])
        between = {k: min(near.get(k, 99), from_host.get(k, 99)) for k in {*near, *from_host}}
        path = next(
            (
                e
                for e in evidence
                if e.kind == "change_event"
                and e.start is not None
                and onset - HEALTH_LAG <= e.start <= onset + GRACE
                and "change_failed" not in e.signals
                and (kind_of(e, topo) in NETWORK_PATH | {"security_group"} or moves_network(e))
                and between.get(canonical(e.resource, topo) or "", 99) <= 3
            ),
            None,
        )
        # The same when the way out is cut now: a default route left pointing at a deleted gateway.
        cut = next(
            (
                e
                for e in evidence
                if e.kind == "resource_state"
                and "route_blackhole" in e.signals
                and e.facts.get("egress")
                and between.get(canonical(e.resource, topo) or "", 99) <= 3
            ),
            None,
        )
        # A private name is reached over the account's own links (a VPN, Direct Connect, a transit
        # gateway): an impairment of one of them at the onset is the path failing, not the host.
        link_down = (
            next(
                (
                    e
                    for e in evidence
                    if e.start is not None
                    and (kind_of(e, topo) in PRIVATE_LINKS or _prefix_kind_link(e.resource))
                    and (
                        (e.kind == "health_event" and abs(e.start - onset) <= HEALTH_LAG)
                        # or its routes were edited just before (a transit gateway's route table)
                        or (
                            e.kind == "change_event"
                            and "change_config" in e.signals
                            and "change_failed" not in e.signals
                            and onset - HEALTH_LAG <= e.start <= onset + GRACE
                        )
                    )
                ),
                None,
            )
            if resource.endswith(PRIVATE_NAMES)
            or (resource in topo.nodes and topo.nodes[resource].attrs.get("private"))
            else None
        )
        if path is not None and path.start is not None:
            score -= 0.25
            path_unsure = True
            terms.append(
                f"the network path to it changed {_minutes(onset - path.start)} before ({path.resource})"
            )
        elif cut is not None:
            score -= 0.25
            path_unsure = True
            terms.append(f"the way out to it is cut: a default route points at {cut.resource}, which is gone")
        elif link_down is not None:
            score -= 0.25
            path_unsure = True
            what = (
                "was impaired at the onset" if link_down.kind == "health_event" else "had its routes edited"
            )
            terms.append(f"the private link to it {what} ({link_down.resource})")
    hops = near.get(resource)
    if hops is None and is_change:
        # A role, key or parameter named after a resource in the topology sits next to it.
        close = [near[k] + 1 for k in topo.related(resource) if k in near]
        hops = min(close) if close else None
    refused = refused_by_its_service(best, evidence) if is_change else []
    if hops is None and refused:
        # The callers whose calls its service refused are one hop from it, linked or not.
        hops = 1
        terms.append(
            f"calls to {best.facts.get('service')} were refused after it ({', '.join(sorted({e.resource or '?' for e in refused})[:3])})"
        )
    if hops is not None:
        score += 0.1 if hops <= 2 else 0.04
        terms.append(f"{hops} hop{'' if hops == 1 else 's'} from the symptoms")
    elif is_change:
        score -= 0.25
        terms.append("changed resource not connected to the symptomatic ones")
    if is_change and "change_failed" in best.signals:
        score -= 0.2
        terms.append("the change itself failed")
    if (
        is_change
        and "change_deploy" in best.signals
        and (push := _moved_tag_under(best, resource, evidence, topo))
    ):
        # The deployment started its tasks on whatever the tag named: the code it shipped was pushed
        # earlier, under a tag its task definition already used.
        score -= MOVED_TAG_COST
        terms.append(
            f"the image tag its tasks run was pushed {_minutes(best.start - push.start)} before it"  # type: ignore[operator]
            f" ({push.resource}): what changed is the image"
        )
    category = mode.category
    lowered: Evidence | None = None
    if is_change and best.start is not None:
        # A change is known by its effects: something abnormal on what it changed, or next to it, from
        # the change on. A change whose own resource stays healthy is a coincidence in time, not a cause.
        # A known kind of change is also known by the specific trouble it causes wherever that shows
        # (access denied after a policy change), since the graph rarely links a role to its callers.
        generic = "any" in mode.applies_to
        specific = set() if generic else set(mode.symptoms) - GENERIC
        after = [
            e
            for e in evidence
            if e.kind != "change_event" and (e.start is None or e.start >= best.start - GRACE)
        ]
        local = {e.id for e in [*on_resource, *around]}
        # Traffic that stopped flowing through it, or through what it pointed at, is an effect too
        # (a route moved off a NAT gateway, a listener moved off a target group), and so is a route
        # left pointing at it after it was deleted.
        # On what it changed, or next to it, any sustained anomaly counts (a replica's lag after its
        # parameter group was edited), not only what users suffer.
        effects = [
            e
            for e in after
            if (e.id in local and set(e.signals) & (SYMPTOMS | LEFT_BEHIND))
            or (
                e.id in local and e.kind in ANOMALIES and e.strength >= 0.5 and e.facts.get("sustained", True)
            )
            or set(e.signals) & specific
        ]
        effects += [e for e in refused if e not in effects]
        if read_at_start(resource, topo):
            # A template reaches instances only when they are launched, a parameter or secret handed to
            # tasks only when they start: dated by the first launch or deployment after the edit, and
            # nothing at all when none has happened since.
            launch = _first_launch_after(resource, best.start, evidence, topo)
            template = kind in LAUNCHED_LATER
            image = kind == "ecr_repository"
            pushed, run = (_pushed_tag(best), _tags_run(resource, topo)) if image else (None, set())
            tasks, task = (
                ("tasks running its tag", "runs its tag") if image else ("tasks handed it", "is handed it")
            )
            if launch is None:
                score = min(score, NOT_YET_IN_SERVICE_CAP)
                terms.append(
                    "no instance was launched from it after the change"
                    if template
                    else f"no task that {task} was deployed after the change"
                )
            elif onset is not None and launch <= onset + GRACE:
                score += 0.2 * max(0.0, 1 - (onset - launch) / HEALTH_LAG)
                if template and (hosts := _failing_new_hosts(resource, best.start, evidence, topo)):
                    # The failures come from instances launched from it since the edit, not from the
                    # fleet: what differs about them is what they were launched with.
                    score += 0.15
                    effects = [*effects, *hosts.values()]
                    terms.append(
                        f"the failing hosts ({', '.join(sorted(hosts)[:3])}) were launched from it after the change"
                    )
                terms.append(
                    f"{'instances launched from it' if template else f'{tasks} were deployed'} "
                    f"{_minutes(onset - launch)} before the onset"
                )
            if pushed and run and pushed not in run:
                # A push to a tag no task here runs changed nothing they start with.
                score = min(score, NOT_YET_IN_SERVICE_CAP)
                terms.append(f"it pushed tag {pushed}; the services run {', '.join(sorted(run))}")
            elif image and launch is not None and launch - best.start <= RELEASE_PIPELINE:
                # Pushed and deployed minutes apart: one release, which its deployment names.
                score = min(score, RELEASED_WITH_DEPLOY_CAP)
                terms.append(f"deployed {_minutes(launch - best.start)} after the push, as one release")
            elif image and not _pushed_before(best, evidence, topo):
                # A tag first pushed here names one build: the deployment that adopted it is the release.
                score = min(score, RELEASED_WITH_DEPLOY_CAP)
                terms.append(
                    f"tag {pushed} was not pushed before: the deployment that adopted it is the release"
                )
        if not effects:
            score = min(score, UNSEEN_EFFECT_CAP)
            terms.append("nothing abnormal on or next to the changed resource after the change")
        # A release stops being healthy when what is measured on or next to it first goes wrong, which
        # can be well before the alarm that was raised further along the path.
        sick = min(
            (
                e.start
                for e in effects
                if e.start
                and best.start <= e.start
                and e.kind in ("metric_anomaly", "resource_state")
                and set(e.signals) & PATH_TROUBLE
            ),
            default=None,
        )
        until = min(onset, sick) if onset is not None and sick is not None else onset
        if until is not None and (spell := _ran_healthy(best, mode, until, topo)) is not None:
            healthy, cost, long_healthy = spell
            score -= cost
            released_healthy = True
            terms.append(f"served traffic for {_minutes(healthy)} before the trouble began")
        if generic:
            # Named by no known failure mode, the link from this change to the trouble is time and
            # place alone: never certain, and below any known mode that explains the same trouble.
            score = min(score, GENERIC_CHANGE_CAP)
            if onset is not None and best.start <= onset + GRACE:
                # Capped alike, the closer change still comes first: time and place are its whole
                # argument. Closer in place is a change to the resource whose own traffic, errors or
                # health broke, before one to a resource beside it that shows nothing itself.
                score -= 0.05 * min(1.0, (onset - best.start) / HEALTH_LAG)
                if not own and not refused:
                    score -= PLACE_COST
                    terms.append("what it changed shows no trouble itself")
        if best.facts.get("applied_pending"):
            # A restart that applied settings written earlier: what changed is those settings.
            score -= 0.15
            terms.append(
                f"it applied pending settings of {best.facts['applied_pending']}, which are what changed"
            )
    elif category in ("limit", "component_failure") and onset is not None:
        # A ceiling reached right after someone lowered it is that person's change: the remedy is to
        # undo it, not to ask for more quota. The same holds for any edit of the resource's own settings
        # just before it hit the ceiling (a shorter timeout, fewer IOPS, a smaller class): the edit set
        # the ceiling the load then met. Capacity edits bite at the next peak; others at once.
        def sets_ceiling(e: Evidence) -> bool:
            if e.kind != "change_event" or "change_failed" in e.signals or e.start is None:
                return False
            if "change_capacity" in e.signals:
                return onset - NEXT_PEAK <= e.start <= onset + GRACE
            if _took_out_of_service(e):
                return e.start <= onset + GRACE  # stopped stays stopped until someone starts it
            if category != "limit":
                return False
            return bool({"change_config", "change_other"} & set(e.signals)) and (
                onset - AT_ONCE <= e.start <= onset + GRACE
            )

        # Its settings may live elsewhere (a parameter group, a launch template): an edit there is an
        # edit of it, and like a capacity cut it bites when the condition it governs next arises (the
        # next launch, the next long query, the next peak), not necessarily at once.
        relations = SETTINGS_RELATIONS
        if set(mode.root_signals) <= HARDWARE_CEILINGS:
            # A storage or burst ceiling is set by the volume and the instance class, never by the
            # engine's parameters: a parameter group edit does not move it.
            relations = relations - {"uses_parameters"}
        holders = {b for a, b, rel in topo.edges if a == resource and rel in relations}
        held = [
            e
            for e in evidence
            if e.kind == "change_event"
            and canonical(e.resource, topo) in holders
            and "change_failed" not in e.signals
            and e.start is not None
            and {"change_config", "change_other", "change_deploy"} & set(e.signals)
            and onset - NEXT_PEAK <= e.start <= onset + GRACE
        ]
        lowered = next((e for e in on_resource if sets_ceiling(e)), None)
        if lowered is None and held:
            lowered = max(held, key=lambda e: e.start or onset)
            holder = canonical(lowered.resource, topo) or resource
            category = "change"
            terms.append(
                f"its settings in {_display(holder, topo)} were changed {_minutes(onset - (lowered.start or onset))}"
                " before the onset"
            )
            resource = holder
        elif lowered is not None and lowered.start is not None:
            category = "change"
            what = "settings were"
            if "change_capacity" in lowered.signals:
                what = "capacity was"
            elif "change_instance_state" in lowered.signals:
                what = "state was"
            terms.append(f"its {what} changed {_minutes(onset - lowered.start)} before the onset")
        elif category == "limit":
            # The same when the platform acted on it just before (a failover promoted it, a reboot or
            # maintenance replaced it): the ceiling met afterwards is the platform change's effect.
            moved = next(
                (
                    e
                    for e in on_resource
                    if e.kind == "health_event"
                    and e.start is not None
                    and onset - HEALTH_LAG <= e.start <= onset + GRACE
                    and PLATFORM_ACTION.search(e.summary)
                ),
                None,
            )
            if moved is not None and moved.start is not None:
                category = "system_change"
                terms.append(f"the platform acted on it {_minutes(onset - moved.start)} before the onset")
    elif category == "system_change" and best.kind == "health_event" and _unplanned(on_resource):
        # The platform replacing or failing over a part because it failed (a node recovered after its
        # host degraded) is that part's failure; only planned work (maintenance, a scheduled or
        # requested restart) is a change the platform made.
        category = "component_failure"
        terms.append("the platform acted because the part failed, not for planned work")
    elif category == "system_change" and best.kind == "resource_state" and first is not None:
        # The platform reacting (replacing instances, rolling back) right after someone changed the
        # resource is reacting to that change: a refresh onto a new launch template, a new task
        # definition. The change is the cause; the reaction is how it shows.
        lowered = next(
            (
                e
                for e in on_resource
                if e.kind == "change_event"
                and {"change_deploy", "change_config"} & set(e.signals)
                and "change_failed" not in e.signals
                and e.start is not None
                and first - HEALTH_LAG <= e.start <= first + GRACE
            ),
            None,
        )
        if lowered is not None and lowered.start is not None:
            category = "change"
            terms.append(f"it began {_minutes(first - lowered.start)} after a change to it")
    supporting = sorted(
        {e.id for e in nominating}
        | {e.id for e in on_resource if set(e.signals) & set(mode.corroborating)}
        | ({lowered.id} if lowered else set())
    )
    supporting += [e.id for e in evidence if e.id not in supporting and set(e.signals) & set(explained)][:6]
    contra = [e.id for e in on_resource if set(e.signals) & set(contradicting)]
    if is_change and kind not in LAUNCHES_HOSTS and confined and canonical(resource, topo) not in confined:
        # Only hosts launched in the window fail, the rest of the fleet serves: what differs about
        # them is what they were launched with, not a setting every host reads.
        score -= CONFINED_COST
        terms.append(
            f"the failures are confined to newly launched hosts ({', '.join(sorted(confined)[:3])}), "
            "which a change every host sees does not explain"
        )
    if unanchored:
        score = min(score, NO_CHANGE_CAP)
    if ceiling_unseen:
        score = min(score, CEILING_UNSEEN_CAP)
    if kind in UNNAMED_KINDS:
        # An account's quota for an API, reached by all its callers together: which key, parameter or
        # caller took it over the line is not known, so the answer is a lead, not a finding.
        score = min(score, UNNAMED_CAP)
        terms.append("names the API whose quota was reached, not which of the account's resources used it up")
    if path_unsure:
        score = min(score, PATH_CHANGED_CAP)
    if long_healthy:
        # Healthy for twice its rollout and more: the release is at most a possibility.
        score = min(score, HEALTHY_RELEASE_CAP)
    if set(unexplained) & REFUSALS:
        # A refusal (denied, throttled, refused, rejected) is some resource's decision: an explanation
        # that leaves one unaccounted for is incomplete, since whatever refused may be the cause, so it
        # is never near certain. (Timeouts and lost capacity are what most failures upstream produce.)
        score = min(score, INCOMPLETE_CAP)
    confidence = round(max(0.0, min(0.99, score)), 3)
    name = _display(resource, topo)
    undo = inverse_command((lowered or best).facts) if (is_change or lowered) else None
    steps = [
        RemediationStep(
            action=r.action,
            description=r.description,
            # The inverse call is built (and quoted) from the record; fill quotes the rest.
            command=fill(
                r.command.replace("{inverse}", undo or "<inverse-call>") if r.command else None,
                resource,
                topo,
                on_resource,
            ),
        )
        for r in mode.remediation
    ]
    if lowered is not None:
        steps.insert(
            0,
            RemediationStep(
                action="rollback",
                description=(
                    "Restore the capacity the change lowered"
                    if "change_capacity" in lowered.signals
                    else "Bring back what the change took out of service"
                    if "change_instance_state" in lowered.signals
                    else "Roll back the release the platform is reacting to"
                    if "change_deploy" in lowered.signals
                    else "Restore the settings the change replaced"
                ),
                command=undo,
            ),
        )
    hypothesis = Hypothesis(
        id="h-0",
        title=f"{mode.title} ({name})",
        category=category,
        resource=resource,
        failure_mode=mode.id,
        chain=[],
        supporting=supporting,
        contradicting=contra,
        confidence=confidence,
        remediation=steps,
        prevention=list(mode.prevention),
        rationale="; ".join(terms),
    )
    hypothesis._released_healthy = released_healthy
    hypothesis._covers = frozenset(explained) | (
        distinctive & (produces(mode) | set(mode.root_signals) | itself)
    )
    hypothesis._leaves = frozenset(unexplained)
    return hypothesis


# What a service's own events say when it acted on a part because the part failed, and when the work
# was planned.
UNPLANNED = re.compile(
    r"recovering cache nodes|\b(host|hardware|node)\b.*\b(failed|failure|degraded|unreachable)\b|"
    r"\bfail(ed|ure)\b.*\b(host|hardware|node)\b",
    re.I,
)
PLANNED = re.compile(r"maintenance|scheduled|shutdown|upgrade|patch|requested|modif|restarted|reboot", re.I)


def _unplanned(on_resource: list[Evidence]) -> bool:
    """Whether the platform events about a resource say a part failed, and none says planned work."""
    said = [e.summary for e in on_resource if e.kind == "health_event"]
    return any(UNPLANNED.search(t) for t in said) and not any(PLANNED.search(t) for t in said)


def _display(resource: str, topo: Topology) -> str:
    node = topo.nodes.get(resource)
    return node.name or resource if node else resource


def moves_network(e: Evidence) -> bool:
    """Whether a change moved a caller's own network placement (a function put into other subnets, a
    task or instance given other security groups): every host it calls is reached through that path."""
    return e.kind == "change_event" and "change_network_placement" in e.signals


def _minutes(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
