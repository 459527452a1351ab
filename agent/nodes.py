"""The graph's nodes: intake, discover, survey, hypothesize, plan, probe, assess, conclude.

Nodes are plain functions (state, config) -> update. They call tools only through the runtime
(`config["configurable"]["runtime"]`), turn results into evidence with the analyzers, and leave
scoring to agent/scoring.py.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from agent import analyzers
from agent.analyzers import alarm as alarm_an
from agent.analyzers import changes as change_an
from agent.analyzers import graph as graph_an
from agent.analyzers import logs as log_an
from agent.analyzers import metric_graph as metric_graph_an
from agent.analyzers import metrics as metric_an
from agent.analyzers import state as state_an
from agent.analyzers import traces as trace_an
from agent.board import Evidence, Hypothesis
from agent.catalog import catalog
from agent.runtime import Runtime, call_key, gap_for, to_evidence
from agent.scope import ALARM_WORDS, Scope, alarm_event, from_trigger, named_alarm
from agent.scoring import NEXT_PEAK, PRIVATE_NAMES, SETTINGS_RELATIONS, generate, kind_of, symptomatic
from agent.state import InvestigationState
from agent.topology import PART_ARN, Topology
from tools.alarms import MetricRef
from tools.metric_catalog import CATALOG as METRIC_CATALOG
from tools.metrics import component_of
from tools.result import ToolResult, ToolStatus
from tools.window import parse_timezone

MAX_KEY_METRIC_RESOURCES = 100
DESCRIBE_REFS = 10  # references describe_resources takes in one call
MAX_LOG_GROUPS = 50
MAX_ASGS = 6
MAX_HISTORY = 3  # refusing resources whose longer history is read
MAX_TLS_HOPS = 3  # a TLS listener this close to the symptom (instance -> group -> balancer -> listener)
HISTORY = timedelta(days=30)
ALARM_HISTORY_HOURS = 24 * 8  # a week of the fired alarm's history, and the day before it
NO_TRACES = (
    "No X-Ray traces in the window: trace the request path (X-Ray or OpenTelemetry) so the failing hop "
    "shows by itself."
)
# Earlier periods whose same hours are this window's normal: the day before, the week before.
EARLIER_DAYS = ((timedelta(days=1), "the day before"), (timedelta(days=7), "a week before"))
# A question's window starts a little before the time it gives; a firing this much earlier still counts.
ASKED_SLACK = timedelta(hours=1)


def _rt(config: RunnableConfig) -> Runtime:
    runtime = (config.get("configurable") or {}).get("runtime")
    if not isinstance(runtime, Runtime):
        raise RuntimeError(
            "the investigation graph needs config['configurable']['runtime'] (agent.runtime.Runtime)"
        )
    return runtime


def _iso(t: datetime) -> str:
    return t.isoformat()


class _Batch:
    """Collects one node's tool results, evidence and gaps into a state update."""

    def __init__(self, state: InvestigationState, runtime: Runtime) -> None:
        self.rt = runtime
        self.next_id = len(state.get("evidence", [])) + 1
        # CloudTrail events already read in earlier rounds (by event id and the resource they name).
        self.read_events = {
            (str((e.get("facts") or {}).get("event_id")), e.get("resource"))
            for e in state.get("evidence", [])
            if e.get("kind") == "change_event" and (e.get("facts") or {}).get("event_id")
        }
        self.evidence: list[Evidence] = []
        self.gaps: list[str] = []
        self.keys: list[str] = []
        self.calls = 0
        self.aws = 0
        self.capped: list[str] = []
        self.last_status: ToolStatus | None = None  # how the last call ended (an empty answer is no data)

    def run(self, name: str, params: dict[str, Any]) -> ToolResult[Any] | None:
        result = self.rt.run(name, params)
        self.last_status = result.status if result is not None else None
        if result is None:
            cap = "wall time" if self.rt.out_of_time() else "tool calls"
            if cap not in self.capped:
                self.capped.append(cap)
            return None
        self.calls += 1
        self.aws += result.aws_calls
        self.keys.append(call_key(name, params))
        gap = gap_for(result)
        if gap:
            self.gaps.append(gap)
        return result if result.status is ToolStatus.OK else None

    def add(self, drafts: list[analyzers.Draft], result: ToolResult[Any]) -> list[Evidence]:
        # A CloudTrail event read again (a wider window, a probe for one resource) is the same evidence:
        # keep the first reading, which later steps may have annotated (dated at a restart, attributed).
        # So are refusals read from CloudTrail, known by their newest event.
        from_trail = ("change_event", "resource_state")
        known = self.read_events | {
            (str(e.facts["event_id"]), e.resource)
            for e in self.evidence
            if e.kind in from_trail and e.facts.get("event_id")
        }
        drafts = [
            d
            for d in drafts
            if not (d.kind in from_trail and (str(d.facts.get("event_id")), d.resource) in known)
        ]
        made = to_evidence(drafts, result, self.next_id)
        self.next_id += len(made)
        self.evidence += made
        for e in made:
            self.rt.progress(f"  found {e.id}: {e.summary[:150]}")
        return made

    def copy_onto(self, e: Evidence, resource: str, note: str, signals: list[str] | None = None) -> Evidence:
        """The same finding as evidence about another resource (the one it names), a little weaker."""
        update: dict[str, Any] = {
            "id": f"ev-{self.next_id}",
            "resource": resource,
            "strength": round(e.strength * 0.9, 3),
            "summary": f"{e.summary} ({note})",
        }
        if e.kind != "change_event":
            # whose observation this is: the one that saw the trouble, waiting on what it names (a
            # change copied onto what it started is no one's observation)
            update["facts"] = {**e.facts, "seen_by": e.facts.get("seen_by") or e.resource}
        if signals is not None:
            update["signals"] = signals
        self.next_id += 1
        return e.model_copy(update=update)

    def update(self, **extra: Any) -> dict[str, Any]:
        return {
            "evidence": [e.model_dump(mode="json") for e in self.evidence],
            "data_gaps": self.gaps,
            "probes_done": self.keys,
            "tool_calls": self.calls,
            "aws_calls": self.aws,
            "capped": self.capped,
            **extra,
        }


# --- intake ---------------------------------------------------------------------------------------


def intake(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    now = datetime.fromisoformat(str(state["now"]))
    start = datetime.fromisoformat(str(state["start"])) if state.get("start") else None
    end = datetime.fromisoformat(str(state["end"])) if state.get("end") else None
    zone = state.get("timezone")
    tz = parse_timezone(zone) if zone else None
    scope = from_trigger(state.get("question"), state.get("alarm_event"), now, start=start, end=end, tz=tz)
    batch = _Batch(state, _rt(config))
    if scope.question and not scope.alarm_name and ALARM_WORDS.search(scope.question):
        fired = _alarm_asked_about(batch, scope)
        if fired is not None:
            named = from_trigger(scope.question, fired, now, start=start, end=end, tz=tz)
            scope = named.model_copy(
                update={
                    "notes": [
                        *scope.notes,
                        f"the question names alarm {named.alarm_name}, which went to ALARM at "
                        f"{named.alarm_time:%H:%M} UTC: the window and symptom are the alarm's",
                    ]
                }
            )
    _rt(config).progress(
        f"scope: {scope.start:%H:%M}-{scope.end:%H:%M}, entry {[e.id for e in scope.entry]}, symptoms {scope.symptoms}"
    )
    return batch.update(
        scope=scope.model_dump(mode="json"),
        notes=scope.notes,
        iteration=0,
        feedback=state.get("feedback") or {},
    )


def _alarm_asked_about(batch: _Batch, scope: Scope) -> dict[str, Any] | None:
    """The alarm a question names, as the state-change event of its firing in (or just before) the
    question's window: asked about an alarm, the alarm is the symptom, whatever state it is in now."""
    listed = batch.run("active_alarms", {"include_ok": True, "include_insufficient_data": True, "limit": 100})
    alarms = listed.data.alarms if listed and listed.data else []
    name = named_alarm(scope.question or "", [a.name for a in alarms])
    if name is None:
        return None
    found = batch.run("alarm_details", {"name": name, "history_hours": ALARM_HISTORY_HOURS})
    if not found or not found.data or found.data.alarm is None:
        return None
    info = found.data.alarm
    firings = sorted(
        h.time
        for h in found.data.history
        if h.type == "StateUpdate"
        and h.summary.rstrip().endswith("to ALARM")
        and scope.start - ASKED_SLACK <= h.time <= scope.end
    )
    fired_at = firings[-1] if firings else (info.state_since if info.state == "ALARM" else None)
    if fired_at is None:
        return None
    metric = info.metric
    return alarm_event(
        name,
        {
            "namespace": metric.namespace,
            "metric": metric.metric,
            "dimensions": metric.dimensions,
            "stat": metric.stat,
            "period": metric.period_s,
        }
        if metric
        else None,
        fired_at,
    )


# --- discover -------------------------------------------------------------------------------------


ALIAS_ATTRS = ("arn", "name", "dimension", "cluster")


def _place_graph(topo: Topology, graph: Any) -> None:
    """A describe_resources answer into the topology: every node under each name it goes by (its ARN,
    name and metric dimension; for an endpoint, the private DNS names it answers in its VPC), and
    every edge."""
    for node in graph.nodes:
        aliases = [v for k, v in node.attrs.items() if k in ALIAS_ATTRS and v]
        aliases += node.attrs.get("dns_names", "").split()
        topo.add(node.kind, node.id, node.name, az=node.az, aliases=aliases, attrs=node.attrs)
    for edge in graph.edges:
        topo.link(edge.source, edge.target, edge.relation)


def configured_hosts(node: Any) -> dict[str, str]:
    """KEY -> host for the URLs a function's or service's configuration names (attribute `calls`)."""
    pairs = (p.split("=", 1) for p in str(node.attrs.get("calls", "")).split())
    return {k: h for k, h in pairs}


def _configured_calls(topo: Topology) -> None:
    """A host a function or service is configured to call, which a VPC endpoint answers, puts that
    endpoint on its path; one that is a described resource's own address (a database's, proxy's or
    cache node's endpoint) is that resource, which it calls. (Other hosts become nodes when failures
    are traced to them.)"""
    for key, node in list(topo.nodes.items()):
        for host in configured_hosts(node).values():
            ep = _endpoint_for(topo, host)
            if ep:
                topo.link(key, ep, "calls_through")
            # By its exact address only (a described resource's endpoint), not by a name inside it.
            there = topo.alias.get(host)
            if there and there != key and topo.nodes[there].kind not in ("remote", "resource"):
                topo.link(key, there, "calls")


def discover(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    rt = _rt(config)
    scope = Scope.model_validate(state["scope"])
    batch = _Batch(state, rt)
    topo = Topology()
    inv = batch.run("metric_inventory", {})
    inventory = inv.data.resources if inv and inv.data else []
    for item in inventory:
        key = topo.add(item.kind, item.id)
        if item.extra:
            topo.link(
                key, topo.add("alb" if item.kind == "target_group" else "ecs_cluster", item.extra), "behind"
            )
    for e in scope.entry:
        topo.add(e.kind, e.id)
    # an ECS service is known by its cluster too ("cluster/service"), as ECS describes it
    refs: list[str] = [
        f"{e.extra}/{e.id}" if e.kind == "ecs_service" and e.extra else e.id for e in scope.entry
    ]
    refs += [
        # A service's name alone is ambiguous across clusters; its metric dimensions carry the cluster.
        f"{i.extra}/{i.id}" if i.kind == "ecs_service" and i.extra else i.id
        for i in inventory
        if i.kind
        in (
            "asg",
            "alb",
            "rds_cluster",
            "rds_instance",
            "lambda",
            "dynamodb_table",
            "ecs_service",
            "sqs_queue",
            "elasticache_cluster",
        )
    ]
    refs += [i.id for i in inventory if i.kind == "api_gateway"]  # the functions and balancers behind it
    refs = list(dict.fromkeys(refs))[:30]
    # describe_resources takes ten references a call: more are described in several calls.
    judged: set[str] = set()  # instances whose state is read (a neighbour of two parts is read once)
    for part in [refs[i : i + DESCRIBE_REFS] for i in range(0, len(refs), DESCRIBE_REFS)]:
        graph = batch.run("describe_resources", {"refs": part, "include_network": True, "max_nodes": 200})
        if graph and graph.data:
            _place_graph(topo, graph.data)
            fresh = [n for n in graph.data.nodes if n.kind == "instance" and n.id not in judged]
            judged.update(n.id for n in fresh)
            batch.add(state_an.from_instances([(n.id, n.state, n.attrs) for n in fresh]), graph)
            batch.gaps += [f"describe_resources: {g}" for g in graph.data.gaps]
    _configured_calls(topo)
    for key, node in list(topo.nodes.items()):
        if node.az and node.kind in ("ec2", "ebs_volume", "subnet", "rds_instance"):
            topo.link(key, topo.add("availability_zone", node.az), "in_az")
    rt.progress(f"discovered {len(topo.nodes)} resources, {len(topo.edges)} links")
    return batch.update(topology=topo.model_dump(mode="json"))


# --- survey ---------------------------------------------------------------------------------------


# Failing functions whose runtime versions are read (one Logs Insights query each).
MAX_RUNTIME_READS = 3


def survey(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    rt = _rt(config)
    scope = Scope.model_validate(state["scope"])
    topo = Topology.model_validate(state["topology"])
    batch = _Batch(state, rt)
    window = {"start": _iso(scope.start), "end": _iso(scope.end)}
    end = scope.end
    obs_gaps: list[str] = []
    charts: list[dict[str, Any]] = []

    batch.run("active_alarms", {"include_insufficient_data": True})
    if scope.alarm_name:
        _fired_alarm(batch, scope)

    kinds = set(METRIC_CATALOG)  # every kind whose key metrics the catalog knows
    resources = []
    for node in topo.nodes.values():
        if node.kind not in kinds:
            continue
        dim = (
            next((a for a in node.aliases if a.startswith(("app/", "targetgroup/"))), None)
            if node.kind in ("alb", "target_group")
            else None
        )
        ref: dict[str, Any] = {"kind": node.kind, "id": dim or node.id}
        if node.kind == "dynamodb_index" and node.attrs.get("table"):
            # Published by index name within its table, not by the index's ARN.
            ref = {
                "kind": node.kind,
                "id": node.attrs.get("index") or node.name,
                "extra": node.attrs["table"],
            }
        if node.kind == "target_group":
            lb = next(
                (topo.nodes[b] for a, b, _ in topo.edges if a == node.id and topo.nodes[b].kind == "alb"),
                None,
            )
            lb_dim = next((x for x in lb.aliases if x.startswith("app/")), None) if lb else None
            if lb_dim:
                ref["extra"] = lb_dim
        resources.append(ref)
    if resources:
        res = batch.run(
            "key_metrics",
            {"resources": resources[:MAX_KEY_METRIC_RESOURCES], **window, "baseline_hours": 3, "limit": 40},
        )
        if res and res.data:
            drafts = _as_asked(metric_an.from_key_metrics(res.data, end), scope)
            _against_earlier_days(batch, resources, scope, drafts)
            made = batch.add(drafts, res)
            charts += _charts(made)

    changes = batch.run(
        "recent_changes",
        {"start": _iso(scope.start - timedelta(hours=3)), "end": _iso(scope.end), "limit": 60},
    )
    if changes and changes.data:
        made = batch.add(change_an.from_changes(changes.data), changes)
        _place_changed(topo, made)
        _refusing_history(batch, scope)
    _pending_reboot(batch, topo, scope)
    charts += _other_namespaces(batch, topo, scope)
    # After every namespace is read: a stream's throttles or a queue's ceiling count as much as a
    # database's CPU.
    _who_set_the_ceiling(batch, topo, scope)
    _errors_with_traffic(batch, topo)
    _failing_workflows(batch, topo, scope)

    groups_res = batch.run("list_log_groups", {"limit": 200})
    groups = groups_res.data.groups if groups_res and groups_res.data else []
    app_groups = [g for g in groups if "flow" not in g.lower() and "vpc" not in g.lower()][:MAX_LOG_GROUPS]
    if app_groups:
        errs = batch.run(
            "error_counts", {"log_groups": app_groups, **window, "bin_minutes": 5, "baseline_hours": 3}
        )
        if errs and errs.data:
            made = batch.add(log_an.from_error_counts(errs.data, end), errs)
            # What the alarm or question names, and what fails by its own metrics: their errors count
            # however few they are (a job that runs every few minutes fails a few lines at a time).
            entry = {topo.resolve_loose(e.id) or e.id for e in scope.entry} | {
                topo.resolve_loose(e.resource) or e.resource
                for e in batch.evidence
                if e.kind == "metric_anomaly" and e.resource and FAILING_METRICS & set(e.signals)
            }
            drafted = {str(e.facts["log_group"]) for e in made}
            own = {
                g.log_group
                for g in errs.data.groups
                if g.log_group not in drafted
                and (topo.resolve_loose(owner := log_an.owner_of(g.log_group)) or owner) in entry
            }
            if own:
                made += batch.add(log_an.from_first_errors(errs.data, own, end), errs)
            noisy = [str(e.facts["log_group"]) for e in made][:5]
            for group in noisy:
                tpl = batch.run(
                    "log_templates",
                    {
                        "log_groups": [group],
                        **window,
                        "baseline_hours": 3,
                        "filter_regex": "(?i)(error|exception|fail|fatal|denied|refused|timeout|timed out|throttl)",
                    },
                )
                if tpl and tpl.data:
                    batch.add(
                        log_an.from_templates(
                            tpl.data, [group], scope.start, scope.end, any_new=group in own
                        ),
                        tpl,
                    )
    else:
        batch.gaps.append("no log groups: application and platform logs are missing")
        obs_gaps.append("No CloudWatch log groups: ship application logs to CloudWatch Logs.")

    faults = batch.run("trace_faults", window)
    if faults and faults.data:
        batch.add(trace_an.from_faults(faults.data, scope.start, scope.end), faults)
    smap = batch.run("service_map", window)
    if smap is None and batch.last_status is ToolStatus.NO_DATA:
        # Read and empty (not refused: a refusal is a data gap of its own).
        obs_gaps.append(NO_TRACES)
    if smap and smap.data:
        batch.add(trace_an.from_service_map(smap.data, scope.start, scope.end), smap)
        # Every node first, with its own type, so a remote endpoint met first as someone's callee is
        # still known as remote.
        for node in smap.data.services:
            topo.resolve_loose(node.name) or topo.add(
                "remote" if node.type == "remote" else "service", node.name
            )
        for node in smap.data.services:
            here = topo.resolve_loose(node.name) or node.name
            for callee in node.calls:
                there = topo.resolve_loose(callee) or topo.add("service", callee)
                topo.link(here, there, "calls")

    _custom_metrics(batch, topo, scope)

    for svc in [n for n in topo.nodes.values() if n.kind == "ecs_service"][:MAX_ASGS]:
        cluster = next(
            (
                topo.nodes[b].name or b
                for a, b, _ in topo.edges
                if a == svc.id and topo.nodes[b].kind == "ecs_cluster"
            ),
            None,
        )
        if cluster:
            es = batch.run("ecs_service_events", {"cluster": cluster, "service": svc.name or svc.id})
            if es and es.data:
                batch.add(state_an.from_ecs(es.data), es)
    _attribute_mentions(batch, topo)
    _attribute_principals(batch, topo)
    _attribute_endpoint_hosts(batch, topo)
    _attribute_throttles(batch, topo)
    _quota_consumers(batch, topo, scope)
    _attribute_cache_refusals(batch, topo)
    _attribute_size_refusals(batch, topo)
    _attribute_lock_waits(batch, topo)
    _attribute_remote_hosts(batch, topo)
    _dead_routes(batch, topo)
    _network_follow_up(batch, topo, window, scope)
    # A group whose CPU is pinned while traffic rises should have scaled out: did its alarms say so?
    saturated = sorted(
        {
            key
            for e in batch.evidence
            if "cpu_high" in e.signals
            and e.facts.get("sustained", True)
            and (key := topo.resolve(e.resource)) is not None
            and topo.nodes[key].kind == "asg"
        }
    )
    rising = any("traffic_up" in e.signals and e.facts.get("sustained", True) for e in batch.evidence)
    if "no_scaling" in scope.symptoms or (saturated and rising):
        _scaling_alarms(batch, topo, scope, saturated)

    _tls_certificates(batch, topo, scope)
    tgs = [n.id for n in topo.nodes.values() if n.kind == "target_group"]
    if tgs:
        th = batch.run("target_health", {"target_groups": tgs[:20]})
        if th and th.data:
            # A group's targets sit behind it, whatever state they are in (a stopped one included).
            for g in th.data.groups:
                behind = topo.resolve_loose(g.arn) or topo.resolve_loose(g.name)
                for t in g.targets:
                    if behind and re.fullmatch(r"i-[0-9a-f]{8,17}", t.id):
                        topo.link(behind, topo.add("ec2", t.id), "targets")
            batch.add(state_an.from_target_health(th.data, scope.now), th)
    instances = [
        n.id for n in topo.nodes.values() if n.kind == "ec2" and re.fullmatch(r"i-[0-9a-f]{8,17}", n.id)
    ]
    if instances:
        # Status checks as they are now: a host can fail after the window the alarm set.
        st = batch.run("instance_status", {"instances": instances[:100]})
        if st and st.data:
            batch.add(state_an.from_instance_status(st.data), st)
            _attribute_attached_ebs(batch, topo, window, end)
    for asg in [n for n in topo.nodes.values() if n.kind == "asg"][:MAX_ASGS]:
        sa = batch.run("scaling_activities", {"group": asg.name or asg.id})
        if sa and sa.data:
            batch.add(state_an.from_scaling(sa.data), sa)
    _attribute_mentions(batch, topo, states=True)

    rds = batch.run("rds_events", {"start": _iso(scope.start - timedelta(hours=3)), "end": _iso(scope.end)})
    if rds and rds.data:
        batch.add(state_an.from_rds_events(rds.data), rds)
    _cache_events(batch, topo)
    health = batch.run(
        "health_events", {"start": _iso(scope.start - timedelta(hours=6)), "end": _iso(scope.end)}
    )
    if health and health.data:
        batch.add(state_an.from_health(health.data), health)
    deps = batch.run(
        "codedeploy_deployments", {"start": _iso(scope.start - timedelta(hours=3)), "end": _iso(scope.end)}
    )
    if deps and deps.data:
        batch.add(state_an.from_deployments(deps.data), deps)
    _settings_changed_earlier(batch, topo, scope)

    # An Aurora instance's logs are its cluster's log groups; other instances export their own.
    db_like = [
        n
        for n in topo.nodes.values()
        if n.kind in ("rds_cluster", "lambda")
        or (n.kind == "rds_instance" and "aurora" not in str(n.attrs.get("engine") or "aurora"))
    ]
    if db_like:
        fl = batch.run(
            "find_log_groups",
            {
                "resources": [
                    {
                        "name": n.name or n.id,
                        "kind": n.kind,
                        # The engine decides which log files exist (PostgreSQL has no slow query log).
                        **({"engine": str(n.attrs["engine"])[:60]} if n.attrs.get("engine") else {}),
                    }
                    for n in db_like[:20]
                ]
            },
        )
        if fl and fl.data:
            for r in fl.data.resources:
                if r.missing:
                    obs_gaps.append(
                        f"{r.resource}: log groups not exported to CloudWatch Logs: {', '.join(r.missing)}"
                    )
    throttled = {
        str(e.resource)
        for e in batch.evidence
        if "throttled" in e.signals and e.facts.get("kind") == "lambda"
    }
    for fn in sorted(throttled)[:5]:
        lc = batch.run("lambda_config", {"function": fn})
        if lc and lc.data:
            batch.add(state_an.from_lambda(lc.data, throttled=True), lc)
        # Whether its callers invoke it asynchronously: Lambda's own event queue then holds and retries
        # what a throttle turns away.
        received = batch.run(
            "metric_series",
            {
                "namespace": "AWS/Lambda",
                "metric": "AsyncEventsReceived",
                "dimensions": {"FunctionName": fn},
                "stat": "Sum",
                "baseline_hours": 1,
                **window,
            },
        )
        if received and received.data:
            batch.add(state_an.from_async_events(fn, received.data), received)
    # A function failing on its own (its errors, or error lines in its own log group): which runtime
    # versions its environments started on, since AWS may have moved it to a new one under its code.
    functions = {k: n.name or n.id for k, n in topo.nodes.items() if n.kind == "lambda"}
    keys = {
        topo.resolve(e.resource)
        for e in batch.evidence
        if {"error_rate_up", "new_error_pattern"} & set(e.signals)
    }
    failing = sorted({functions[k] for k in keys if k in functions})
    for fn in failing[:MAX_RUNTIME_READS]:
        rv = batch.run("runtime_versions", {"function": fn, **window})
        if rv and rv.data:
            batch.add(state_an.from_runtime_versions(rv.data, scope.start, scope.end), rv)
    return batch.update(observability_gaps=obs_gaps, charts=charts, topology=topo.model_dump(mode="json"))


def _presented(topo: Topology, listeners: set[str]) -> list[str]:
    """The certificates these TLS listeners present."""
    return list(dict.fromkeys(b for a, b, r in topo.edges if r == "presents" and a in listeners))


def _tls_certificates(batch: _Batch, topo: Topology, scope: Scope) -> None:
    """A TLS listener on the symptom's path presents certificates: read them (validity, status, renewal)
    against the names the records pointing at its load balancer send clients by."""
    near = topo.distances([e.id for e in scope.entry])
    listeners = {
        k
        for k, n in topo.nodes.items()
        if n.kind == "listener" and near.get(k, MAX_TLS_HOPS + 1) <= MAX_TLS_HOPS
    }
    certs = _presented(topo, listeners)
    if not certs:
        return
    balancers = {b for a, b, r in topo.edges if r == "part_of" and a in listeners}
    hosts = [
        topo.nodes[a].name
        for a, b, r in topo.edges
        if r == "routes_to" and b in balancers and topo.nodes[a].kind == "dns_record"
    ]
    batch.run(
        "certificates", {"certificates": certs[:20], "hosts": list(dict.fromkeys(filter(None, hosts)))[:10]}
    )


_ROUTE_TARGET_KINDS = {
    "nat-": "nat_gateway",
    "igw-": "internet_gateway",
    "eigw-": "internet_gateway",
    "i-": "ec2",
    "eni-": "network_interface",
    "pcx-": "vpc_peering",
    "tgw-": "transit_gateway",
    "vpce-": "vpc_endpoint",
}


def _as_asked(drafts: list[analyzers.Draft], scope: Scope) -> list[analyzers.Draft]:
    """What the asker calls the failure is the failure: asked about refused or missing requests,
    client errors are; asked why something stopped arriving, work that stopped is."""
    for d in drafts:
        if "client_errors" in scope.symptoms and "client_errors_up" in d.signals:
            d.signals.append("error_rate_up")
        if "flow_stopped" in scope.symptoms and "traffic_down" in d.signals:
            d.signals.append("flow_stopped")
    return drafts


def _dead_routes(batch: _Batch, topo: Topology) -> None:
    """State is evidence: a route whose target no longer exists (a NAT gateway deleted under a live
    route) drops the traffic of the subnets its table serves. It is read for the whole region, since a
    deleted gateway is in no graph a walk could reach; a default route's dead target is the way out
    of the VPC, so it sits on the path to every remote host the callers reach."""
    res = batch.run("blackhole_routes", {})
    if not res or not res.data:
        return
    batch.add(state_an.from_blackholes(res.data), res)
    remotes = [k for k, n in topo.nodes.items() if n.kind == "remote"]
    for r in res.data.routes:
        kind = next((k for p, k in _ROUTE_TARGET_KINDS.items() if r.target.startswith(p)), "resource")
        target = topo.resolve(r.target) or topo.add(kind, r.target)
        table = topo.add("route_table", r.route_table)
        topo.link(table, target, "routes_to")
        for subnet in r.subnets:
            topo.link(topo.add("subnet", subnet), table, "route_table")
        if r.destination in state_an.DEFAULT_ROUTES:
            for remote in remotes:
                topo.link(target, remote, "egress_to")


# AWS namespaces the key-metric catalog has no resource kind for (or, for API Gateway, not at the
# stage level AWS publishes by default), with the kind of resource their naming dimension denotes.
OTHER_NAMESPACES = {
    "AWS/WAFV2": "waf_web_acl",
    "AWS/EFS": "efs_file_system",
    "AWS/ApiGateway": "api_gateway",
    "AWS/CloudFront": "cloudfront_distribution",
    "AWS/NetworkELB": "nlb",
    "AWS/SES": "ses",
    "AWS/ES": "opensearch_domain",
    "AWS/Events": "event_rule",
    "AWS/Firehose": "firehose_stream",
    "AWS/States": "state_machine",
    "AWS/Kinesis": "kinesis_stream",
    "AWS/SNS": "sns_topic",
    "AWS/VPN": "vpn_connection",
}


# The dimension naming the resource a namespace's series belong to, where several dimensions are set.
OWNER_DIMENSION = {"AWS/VPN": "VpnId"}


def _other_namespaces(batch: _Batch, topo: Topology, scope: Scope) -> list[dict[str, Any]]:
    """Every AWS service's metrics are evidence, not only those the key-metric catalog names: a web
    ACL's blocked requests, a file system's burst credits, an API stage's errors. Each namespace is
    read whole, every series with the statistic its name calls for, and credited to the resource its
    dimensions name (the same resource a change's ARN names). Series the key-metric scan read already
    (the catalog's own dimension alone) are left out."""
    catalogued = {
        (km.namespace, frozenset({spec.dimension, *([spec.extra_dimension] if spec.extra_dimension else [])}))
        for spec in METRIC_CATALOG.values()
        for km in spec.metrics
    }
    charts: list[dict[str, Any]] = []
    for namespace, kind in OTHER_NAMESPACES.items():
        res = batch.run(
            "namespace_metrics",
            {
                "namespace": namespace,
                "stat": "auto",
                "start": _iso(scope.start),
                "end": _iso(scope.end),
                "baseline_hours": 3,
                "limit": 25,
            },
        )
        if not res or not res.data:
            continue
        drafts = [
            d
            for d in metric_an.from_namespace(res.data, scope.end)
            if (namespace, frozenset(dict(d.facts.get("dimensions") or {}))) not in catalogued
        ]
        for d in drafts:
            owner = OWNER_DIMENSION.get(namespace)
            dims = dict(d.facts.get("dimensions") or {})
            if owner and dims.get(owner):
                d.resource = dims[owner]  # a tunnel's series are its VPN connection's
            d.resource = topo.resolve(d.resource) or topo.add(kind, str(d.resource))
            d.facts["kind"] = topo.nodes[d.resource].kind
        charts += _charts(batch.add(_as_asked(drafts, scope), res))
    return charts


MAX_WORKFLOWS = 3  # failing state machines whose executions are read


def _failing_workflows(batch: _Batch, topo: Topology, scope: Scope) -> None:
    """A state machine whose executions fail (by its own metrics): how they ended, in its own words. The
    error a workflow stops with names what stopped it (a state over the size ceiling, a task that timed
    out, a throttled or refused call), which no log of its tasks may show."""
    failing = {
        key
        for e in batch.evidence
        if e.kind == "metric_anomaly"
        and "error_rate_up" in e.signals
        and (key := topo.resolve(e.resource)) is not None
        and topo.nodes[key].kind == "state_machine"
    }
    # The one the alarm watches or the question names, whether or not its metrics could be read.
    failing |= {
        key
        for r in scope.entry
        if (key := topo.resolve_loose(r.id)) is not None and topo.nodes[key].kind == "state_machine"
    }
    for key in sorted(failing)[:MAX_WORKFLOWS]:
        arn = key if key.startswith("arn:") else _arn(topo.nodes[key])
        if not arn:
            continue
        res = batch.run("state_machine", {"state_machine": arn})
        if res and res.data:
            batch.add(state_an.from_state_machine(res.data, scope.start, scope.end), res)


def _custom_metrics(batch: _Batch, topo: Topology, scope: Scope) -> None:
    """An alarm on an application's own metrics: scan the namespace it watches, then find where along
    the call graph the degradation begins (the key-metric scan covers AWS namespaces only)."""
    alarmed = scope.alarm_metric or _asked_metric(batch, scope) or {}
    namespace = str(alarmed.get("namespace") or "")
    covered = {km.namespace for spec in METRIC_CATALOG.values() for km in spec.metrics}
    if not namespace or namespace.startswith("AWS/") or namespace in covered:
        return  # the key-metric scan reads these per resource
    period = max(60, int(alarmed.get("period") or 60) // 60 * 60)
    if _localise(batch, topo, scope, namespace, alarmed, period) or not scope.alarm_metric:
        return
    res = batch.run(
        "namespace_metrics",
        {
            "namespace": namespace,
            "stat": alarmed.get("stat") or "Average",
            "start": _iso(scope.start),
            "end": _iso(scope.end),
            "baseline_hours": 3,
            "period_s": period,
            "limit": 40,
        },
    )
    if not res or not res.data:
        return
    made = batch.add(metric_an.from_namespace(res.data, scope.end), res)
    degraded = [
        graph_an.Degraded(
            node=topo.resolve_loose(str(e.resource)) or str(e.resource),
            signal=signal,
            start=e.start,
            strength=e.strength,
            summary=e.summary,
        )
        for e in made
        if e.facts.get("sustained", True)
        for signal in e.signals
        if signal in graph_an.PROPAGATING
    ]
    calls = [(a, b) for a, b, rel in topo.edges if rel == "calls"]
    entry = [topo.resolve_loose(e.id) or e.id for e in scope.entry]
    batch.add(graph_an.origins(degraded, calls, entry), res)


def _fired_alarm(batch: _Batch, scope: Scope) -> None:
    """The alarm that fired: its own metric against its own threshold, and its history a week back
    (the same alarm at the same time on earlier days is a pattern, not an incident)."""
    found = batch.run("alarm_details", {"name": scope.alarm_name, "history_hours": ALARM_HISTORY_HOURS})
    if not found or not found.data or found.data.alarm is None:
        return
    alarm = found.data.alarm
    m = alarm.metric
    stamps: list[datetime] = []
    values: list[float] = []
    published: list[tuple[datetime, float]] = []
    if m is not None and m.period_s and m.period_s % 60 == 0:
        series = _alarm_series(batch, m, scope)
        if series and series.data:
            published = list(zip(series.data.timestamps, series.data.values, strict=True))
            stamps, values = alarm_an.with_missing_counts(
                alarm, series.data.timestamps, series.data.values, scope.end
            )
    resource = scope.entry[0].id if scope.entry else None
    batch.add(alarm_an.from_alarm(found.data, stamps, values, resource, scope.alarm_time, published), found)


def _against_earlier_days(
    batch: _Batch, resources: list[dict[str, Any]], scope: Scope, drafts: list[analyzers.Draft]
) -> None:
    """Normal against normal: the same hours the day before and a week before, wherever the data
    reaches back. What moved as far then is this time of day's (or week's) normal, not the incident."""
    for back, label in EARLIER_DAYS:
        moved = {d.resource for d in drafts if d.kind == "metric_anomaly" and d.facts.get("sustained")}
        refs = [r for r in resources if r["id"] in moved]
        if not refs:
            return
        res = batch.run(
            "key_metrics",
            {
                "resources": refs[:MAX_KEY_METRIC_RESOURCES],
                "start": _iso(scope.start - back),
                "end": _iso(scope.end - back),
                "baseline_hours": 3,
                "limit": 40,
            },
        )
        if res and res.data:
            when = f"{(scope.end - back):%Y-%m-%d} ({label})"
            metric_an.same_as_before(drafts, metric_an.from_key_metrics(res.data, scope.end - back), when)


# What a resource at its ceiling shows: saturated, throttled, short of what it should have.
AT_CEILING = frozenset(
    {
        "cpu_high",
        "memory_high",
        "connections_high",
        "io_saturated",
        "throttled",
        "credits_exhausted",
        "ebs_balance_exhausted",
        "capacity_below_desired",
    }
)
MAX_CEILINGS = 3  # saturated resources whose changes are read back to the day before


def _who_set_the_ceiling(batch: _Batch, topo: Topology, scope: Scope) -> None:
    """Less capacity shows when load next meets it, at the next daily peak: for each resource at its
    ceiling, read its own changes back that far (the window's changes were read already)."""
    saturated = list(
        dict.fromkeys(
            topo.resolve(e.resource) or e.resource
            for e in batch.evidence
            if e.resource
            and e.kind == "metric_anomaly"
            and set(e.signals) & AT_CEILING
            and e.facts.get("sustained", True)
        )
    )[:MAX_CEILINGS]
    for key in saturated:
        _earlier_changes(batch, topo, scope.start - NEXT_PEAK, scope, topo.names(key)[:5] or [key])


def _earlier_changes(batch: _Batch, topo: Topology, since: datetime, scope: Scope, names: list[str]) -> None:
    """The changes naming `names` from `since` up to where the window's own change read began (3 h
    before its start), placed on what they changed."""
    found = batch.run(
        "recent_changes",
        {
            "start": _iso(since),
            "end": _iso(scope.start - timedelta(hours=3)),
            "resources": names,
            "limit": 20,
        },
    )
    if found and found.data:
        _place_changed(topo, batch.add(change_an.from_changes(found.data), found))


# How far back the settings of what is failing are read: a setting's effect waits for its trigger (the
# next launch from a template, the next peak filling a cache, the job that runs at night), up to a day
# or more after the edit.
SETTINGS_LOOKBACK = timedelta(hours=48)
MAX_SETTINGS = 6


def _settings_changed_earlier(batch: _Batch, topo: Topology, scope: Scope) -> None:
    """The settings of what is failing may have changed long before the trouble: read the changes of
    the settings holders (parameter groups, launch templates) of the symptomatic resources, and of the
    groups they belong to, back before the window's changes (which were read already)."""
    # What is failing includes what is at its ceiling: a cache evicting or a database out of
    # connections runs into a limit its settings set (an eviction policy, max_connections).
    sick = symptomatic(batch.evidence, topo) | {
        key
        for e in batch.evidence
        if e.kind == "metric_anomaly"
        and set(e.signals) & AT_CEILING
        and e.facts.get("sustained", True)
        and (key := topo.resolve(e.resource)) is not None
    }
    # What shows the trouble and what sits right beside it (the group behind a failing target group,
    # the cluster of a failing node) may each have settings held elsewhere.
    users = (
        set(sick) | {b for a, b, _ in topo.edges if a in sick} | {a for a, b, _ in topo.edges if b in sick}
    )
    holders = list(dict.fromkeys(b for a, b, rel in topo.edges if a in users and rel in SETTINGS_RELATIONS))[
        :MAX_SETTINGS
    ]
    if holders:
        names = [name for key in holders for name in (topo.names(key)[:3] or [key])][:15]
        _earlier_changes(batch, topo, scope.start - SETTINGS_LOOKBACK, scope, names)


MAX_CACHES = 3  # caches whose state and events are read in the survey


def _cache_events(batch: _Batch, topo: Topology) -> None:
    """What ElastiCache did to the caches in play (failovers, replaced nodes, maintenance): one read per
    replication group covers its members; a cluster outside any group is read on its own."""
    caches = sorted(
        (
            n
            for n in topo.nodes.values()
            if n.kind in ("elasticache_replication_group", "elasticache_cluster")
        ),
        key=lambda n: n.kind != "elasticache_replication_group",
    )
    covered: set[str] = set()
    reads = 0
    for node in caches:
        name = node.name or node.id
        if name in covered or reads >= MAX_CACHES:
            continue
        reads += 1
        found = batch.run("cache_details", {"cache": name})
        if not found or not found.data:
            continue
        covered |= {name, found.data.id, *(m.cluster for m in found.data.nodes)}
        kind = (
            "elasticache_replication_group"
            if found.data.kind == "replication_group"
            else "elasticache_cluster"
        )
        for e in batch.add(state_an.from_cache(found.data), found):
            if e.resource and topo.resolve(e.resource) is None:
                topo.add(kind, e.resource)


def _alarm_series(batch: _Batch, m: MetricRef, scope: Scope) -> ToolResult[Any] | None:
    """An alarm's own metric over the window, at the alarm's period and statistic."""
    return batch.run(
        "metric_series",
        {
            "namespace": m.namespace,
            "metric": m.metric,
            "dimensions": m.dimensions,
            "stat": m.stat or "Average",
            "start": _iso(scope.start),
            "end": _iso(scope.end),
            "period_s": m.period_s,
            "baseline_hours": 1,
        },
    )


def _place_changed(topo: Topology, made: list[Evidence]) -> None:
    """What a write changed is a resource of the incident even when no walk reached it (a bucket policy,
    a secret, a usage plan): known to the topology, an error that names it is evidence about it."""
    for e in made:
        nominating = "change_failed" not in e.signals and len(set(e.signals)) > 1
        if e.resource and nominating and topo.resolve(e.resource) is None:
            key = topo.add(kind_of(e, topo) or "resource", e.resource)
            part = PART_ARN.match(e.resource)
            parent = topo.resolve(part.group(1)) if part else None
            if parent:
                topo.link(key, parent, "part_of")


def _localise(
    batch: _Batch, topo: Topology, scope: Scope, namespace: str, alarmed: dict[str, Any], period: int
) -> bool:
    """Judge every component of the namespace against its own history and walk the call graph from the
    alarmed one; False (and nothing added) when there is no history or no call graph to do it with."""
    res = batch.run(
        "namespace_history",
        {
            "namespace": namespace,
            "stat": alarmed.get("stat") or "Average",
            "start": _iso(scope.start),
            "end": _iso(scope.end),
            "period_s": period,
        },
    )
    if not res or not res.data:
        return False
    found = metric_graph_an.localise(
        res.data,
        [(a, b) for a, b, rel in topo.edges if rel == "calls"],
        component_of(alarmed.get("dimensions") or {}),
        str(alarmed.get("metric") or ""),
        scope.end,
        node_of=lambda c: topo.resolve_loose(c) or c,
        remote={key for key, node in topo.nodes.items() if node.kind == "remote"},
    )
    if found.applies:
        batch.add(found.drafts, res)
    return found.applies


ASKED_PERIOD_S = 300  # a question names no period: CloudWatch's standard 5-minute resolution


def _asked_metric(batch: _Batch, scope: Scope) -> dict[str, Any] | None:
    """The custom metric a question asks about, when no alarm names one: a component publishing in a
    custom namespace that the question names, and its metric the question names (else the one its
    symptom words describe)."""
    if scope.alarm_metric or not scope.question:
        return None
    words = set(re.findall(r"[a-z0-9][a-z0-9_.:/@-]*", scope.question.lower()))
    res = batch.run("custom_metrics", {})
    if not res or not res.data:
        return None
    wanted = {"latency": "latency_up", "errors": "error_rate_up"}
    signals = {wanted[s] for s in scope.symptoms if s in wanted}
    for item in res.data.components:
        if item.component.lower() not in words:
            continue
        named = [m for m in item.metrics if m.lower() in words]
        described = [m for m in item.metrics if metric_graph_an.signal_of(m) in signals]
        metric = (named or described or [None])[0]
        if metric:
            return {
                "namespace": item.namespace,
                "metric": metric,
                "dimensions": item.dimensions,
                "stat": "Average",
                "period": ASKED_PERIOD_S,
            }
    return None


def _refusing_history(batch: _Batch, scope: Scope) -> None:
    """A resource that refuses its callers (a KMS key failing grants) got that way by a change that
    can be much older than the window: a key scheduled for deletion stays pending 7-30 days, a key
    disabled or a policy narrowed last week only bites when something next uses it. Read the
    history of those resources over the last 30 days."""
    refusing = sorted(
        {
            str(e.resource)
            for e in batch.evidence
            if e.resource and "change_failed" in e.signals and "kms_errors" in e.signals
        }
    )
    changed = {
        str(e.resource)
        for e in batch.evidence
        if e.kind == "change_event" and "change_failed" not in e.signals
    }
    todo = [r for r in refusing if r not in changed][:MAX_HISTORY]
    if todo:
        found = batch.run(
            "recent_changes",
            {
                "start": _iso(scope.end - HISTORY),
                "end": _iso(scope.end),
                "resources": todo,
                "include_failed": False,
                "limit": 20,
            },
        )
        if found and found.data:
            batch.add(change_an.from_changes(found.data), found)


# How long before the window a parameter change may have waited for the restart that applied it.
PENDING_LOOKBACK = timedelta(days=7)


def _pending_reboot(batch: _Batch, topo: Topology, scope: Scope) -> None:
    """Database settings changed with apply method pending-reboot take effect at the next restart, which
    may come days later: a restart in the window sends us back for its parameter groups' changes, and
    those are dated at the restart that applied them."""
    restarts: list[tuple[datetime, str]] = []
    for e in batch.evidence:
        key = topo.resolve(e.resource)
        if e.start is None or key is None or topo.nodes[key].kind != "rds_instance":
            continue
        if "RebootDBInstance" in str(e.facts.get("action", "")) or (
            e.kind == "health_event" and re.search(r"restarted|rebooted", e.summary, re.I)
        ):
            restarts.append((e.start, key))
    groups: dict[str, list[tuple[datetime, str]]] = {}
    for when, inst in restarts:
        for a, b, rel in topo.edges:
            if a == inst and rel == "uses_parameters":
                groups.setdefault(b, []).append((when, inst))
    if not groups:
        return
    res = batch.run(
        "recent_changes",
        {
            "start": _iso(scope.start - PENDING_LOOKBACK),
            "end": _iso(scope.end),
            "resources": sorted(groups)[:5],
            "limit": 20,
        },
    )
    if not res or not res.data:
        return
    read: dict[str, list[Evidence]] = {}
    for e in batch.evidence:
        if e.kind == "change_event":
            read.setdefault(str(e.facts.get("event_id")), []).append(e)
    applied: list[analyzers.Draft] = []
    for d in change_an.from_changes(res.data):
        group = next((g for g in groups if g in (d.facts.get("resources") or [])), None)
        if group is None or d.start is None or "pending-reboot" not in str(d.facts.get("params", "")):
            continue
        later = sorted((w, i) for w, i in groups[group] if w >= d.start)
        if not later:
            continue
        when, inst = later[0]
        d.facts["written"] = d.start.isoformat()
        d.summary += (
            f"; pending-reboot, applied when {topo.nodes[inst].name or inst} restarted at {when:%H:%M}"
        )
        d.start = d.end = when
        for e in batch.evidence:  # the restart applied it: the settings are what changed
            if e.kind == "change_event" and topo.resolve(e.resource) == inst:
                e.facts["applied_pending"] = group
        already = read.get(str(d.facts.get("event_id")), [])
        for e in already:  # read in the window already: re-date that reading, do not add another
            e.start, e.end, e.summary = when, when, d.summary
        if not already:
            applied.append(d)
    if applied:
        batch.add(applied, res)


def _scaling_alarms(batch: _Batch, topo: Topology, scope: Scope, saturated: list[str]) -> None:
    """ "Why didn't it scale?": for the groups asked about (else the saturated ones, else all), check
    whether their alarms' conditions (threshold for N datapoints) were ever met over the window."""
    groups = [n for n in topo.nodes.values() if n.kind == "asg"]
    named = [g for g in groups if any(a.lower() in (scope.question or "").lower() for a in [g.name or g.id])]
    hot = [g for g in groups if g.id in saturated]
    for group in (named or hot or groups)[:3]:
        name = group.name or group.id
        found = batch.run("alarms_on", {"dimension": "AutoScalingGroupName", "value": name})
        if not found or not found.data:
            continue
        for alarm in found.data.alarms:
            m = alarm.metric
            if (
                m is None
                or alarm.threshold is None
                or not alarm.comparison
                or not m.period_s
                or m.period_s % 60
                # A condition on low values removes capacity (target tracking's scale-in alarm); that
                # it stayed unmet while load rose is correct: only the scale-out side can have failed.
                or alarm.comparison.startswith("LessThan")
            ):
                continue
            series = _alarm_series(batch, m, scope)
            if not series or not series.data:
                continue
            draft = state_an.from_alarm_condition(
                name, alarm, series.data.timestamps, series.data.values, scope.start
            )
            if draft is not None:
                batch.add([draft], series)


def _network_follow_up(batch: _Batch, topo: Topology, window: dict[str, Any], scope: Scope) -> None:
    """When the network changed or calls time out, place the changed ACLs and security groups in the
    topology and read the flow logs' rejects: an SRE's next two steps for connectivity trouble."""
    changed = sorted(
        {
            str(e.resource)
            for e in batch.evidence
            if e.resource and {"change_network_acl", "change_security_group"} & set(e.signals)
        }
        - set(topo.alias)
    )
    connectivity = any(
        {"timeout_logs", "connection_refused_logs", "remote_slow"} & set(e.signals) for e in batch.evidence
    )
    if changed:
        graph = batch.run(
            "describe_resources", {"refs": changed[:10], "include_network": True, "max_nodes": 80}
        )
        if graph and graph.data:
            _place_graph(topo, graph.data)
    if changed or connectivity:
        rejects = batch.run("flow_log_rejects", dict(window))
        if rejects and rejects.data:
            drafts = state_an.from_flow_rejects(rejects.data, scope.start, scope.end)
            batch.add(drafts, rejects)
            _place_refusals(topo, drafts)


def _place_refusals(topo: Topology, drafts: list[analyzers.Draft]) -> None:
    """An ACL that refuses a known instance's traffic sits on that instance's path: link them, so a
    change to the ACL counts as connected to the symptoms even when the ACL guards another subnet."""
    by_ip = {n.attrs.get("private_ip"): key for key, n in topo.nodes.items() if n.attrs.get("private_ip")}
    for d in drafts:
        acl = d.facts.get("acl")
        if not acl:
            continue
        topo.add("network_acl", acl)
        if d.facts.get("subnet"):
            topo.add("subnet", d.facts["subnet"])
            topo.link(acl, d.facts["subnet"], "guards")
        for address in d.facts.get("addresses", []):
            if address in by_ip:
                topo.link(acl, by_ip[address], "refuses_traffic_of")


# Where a failing call went: a URL's host, host='...', or "call to <host>".
CALLED_HOST = re.compile(
    r"https?://([a-z0-9.-]+\.[a-z]{2,})|host=['\"]?([a-z0-9.-]+\.[a-z]{2,})"
    r"|\b(?:call|calls|request|requests|connect|connection|connecting)\s+to\s+([a-z0-9.-]+\.[a-z]{2,})\b"
    # A delivery's own record of where it went (Firehose's "destination", a webhook's "endpoint").
    r"|[\"']?\b(?:destination|endpoint)[\"']?\s*[:=]\s*[\"']?([a-z0-9.-]+\.[a-z]{2,})\b",
    re.I,
)


# A library's pointer to its own documentation inside an error ("Background on this error at:
# https://sqlalche.me/e/20/e3q8", "see https://...", "for more information, visit https://..."): a page
# to read, not a host that was called.
DOC_LINK = re.compile(
    r"(?:background on this error at|for more (?:information|details)|more info|documentation|see|visit)"
    r"[:\s,]*<?https?://\S+",
    re.I,
)


def _called_hosts(text: str) -> set[str]:
    """The hosts a failure's text says were called (a URL's host, host=..., "call to ...")."""
    text = DOC_LINK.sub(" ", text)
    return {next(g for g in m.groups() if g).lower().rstrip(".") for m in CALLED_HOST.finditer(text)}


EC2_HOSTNAMES = (".ec2.internal", ".compute.internal")


def _private_host(host: str, text: str) -> bool:
    """Whether a called host is on a private network: a private name, or the address the caller's own
    message resolved it to is private ("ledger.example.net/10.40.21.180", "ledger.example.net (10.4.1.2)")."""
    if host.endswith(PRIVATE_NAMES):
        return True
    resolved = re.finditer(re.escape(host) + r"[/\s(\[]+(\d{1,3}(?:\.\d{1,3}){3})\b", text, re.I)
    return any(PRIVATE_IP.match(m.group(1)) for m in resolved)


# The address a connection was dialled to, as runtimes print a failed dial ("dial tcp 10.0.3.7:3128: i/o
# timeout", "connect to 10.0.3.7:5432 timed out", "Connection refused: /10.0.3.7:6379").
DIALLED = re.compile(
    r"(?:dial(?:ing)? tcp|connect(?:ing|ion)?(?: to)?|refused:?|timed out:?)\s+/?(\d{1,3}(?:\.\d{1,3}){3}):\d{2,5}\b",
    re.I,
)
PRIVATE_IP = re.compile(r"^(?:10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.)")


def _holder_of_address(batch: _Batch, topo: Topology, ip: str) -> str | None:
    """The instance in play whose private address is `ip`; instances known only by id (named by a
    health event, say) are described first, once, to learn their addresses."""

    def find() -> str | None:
        return next(
            (k for k, n in topo.nodes.items() if n.kind == "ec2" and n.attrs.get("private_ip") == ip), None
        )

    found = find()
    if found is not None:
        return found
    bare = [k for k, n in topo.nodes.items() if n.kind == "ec2" and "private_ip" not in n.attrs]
    bare = [k for k in bare if re.fullmatch(r"i-[0-9a-f]{8,17}", k)][:DESCRIBE_REFS]
    if not bare:
        return None
    graph = batch.run("describe_resources", {"refs": bare, "include_network": False, "max_nodes": 40})
    if graph and graph.data:
        _place_graph(topo, graph.data)
    return find()


def _error_text(e: Evidence, keys: tuple[str, ...] = ("template", "example", "exception")) -> str:
    """What an error finding says: its template, example line and exception, else its summary."""
    return " ".join(str(e.facts.get(k, "")) for k in keys).strip() or e.summary


CALL_ERRORS = frozenset(
    {"new_error_pattern", "timeout_logs", "connection_refused_logs", "access_denied_logs", "log_errors_up"}
)
# An AWS service's regional host, and the service it names: "sqs.us-east-1.amazonaws.com",
# "abc123.execute-api.eu-west-1.amazonaws.com" (every API's host is a name of execute-api).
AWS_HOST = re.compile(r"^(?:[a-z0-9]+\.)?([a-z0-9-]+)\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$")


def _endpoint_for(topo: Topology, host: str) -> str | None:
    """The VPC endpoint that answers `host` inside its VPC, if one in play does: a PrivateLink endpoint
    whose private DNS names include it, or an interface endpoint with private DNS on for the AWS service
    the host belongs to (private DNS makes the service's own names resolve to the endpoint)."""
    key = topo.resolve(host)
    if key and topo.nodes[key].kind == "vpc_endpoint":
        return key
    m = AWS_HOST.match(host)
    if not m:
        return None
    service = f"com.amazonaws.{m.group(2)}.{m.group(1)}"
    return next(
        (
            k
            for k, n in topo.nodes.items()
            if n.kind == "vpc_endpoint"
            and n.attrs.get("service") == service
            and n.attrs.get("private_dns") == "true"
            and n.attrs.get("type") == "Interface"
        ),
        None,
    )


def _attached_volumes(topo: Topology, host: str) -> list[str]:
    """The EBS volumes the graph shows attached to an instance."""
    return sorted(
        b if a == host else a for a, b, rel in topo.edges if rel == "uses_volume" and host in (a, b)
    )


def _attribute_attached_ebs(batch: _Batch, topo: Topology, window: dict[str, str], end: datetime) -> None:
    """State names the part that failed: an instance whose only failing status check is the attached-EBS
    one is healthy, and the volume it cannot reach is the failed component. The check is evidence about
    its volume (the one of its volumes whose own metrics are abnormal, or its only one)."""
    extra: list[Evidence] = []
    for e in list(batch.evidence):  # reading a volume's metrics adds evidence as we go
        if e.kind != "resource_state" or "status_check_failed" not in e.signals:
            continue
        if e.facts.get("attached_ebs") != "impaired" or "impaired" in (
            e.facts.get("system"),
            e.facts.get("instance"),
        ):
            continue
        host = topo.resolve(e.resource)
        if host is None:
            continue
        volumes = _attached_volumes(topo, host)
        if not volumes:
            # Known only by id (a status, a target): described once to learn what it has attached.
            graph = batch.run(
                "describe_resources", {"refs": [host], "include_network": False, "max_nodes": 20}
            )
            if graph and graph.data:
                _place_graph(topo, graph.data)
            volumes = _attached_volumes(topo, host)
        unread = [v for v in volumes if not any(topo.resolve(x.resource) == v for x in batch.evidence)]
        if len(volumes) > 1 and unread:
            # Which of its volumes: their own metrics say (a stalled one queues I/O it never completes).
            res = batch.run(
                "key_metrics",
                {"resources": [{"kind": "ebs_volume", "id": v} for v in unread[:8]], **window, "limit": 20},
            )
            if res and res.data:
                batch.add(metric_an.from_key_metrics(res.data, end), res)
        troubled = sorted(
            {
                v
                for v in volumes
                for x in batch.evidence
                if x.kind == "metric_anomaly" and topo.resolve(x.resource) == v
            }
        )
        chosen = troubled if len(troubled) == 1 else volumes if len(volumes) == 1 else []
        for volume in chosen:
            extra.append(
                batch.copy_onto(
                    e, volume, f"the attached-EBS check of {e.resource} failed: its volume {volume}"
                )
            )
    batch.evidence += extra


def _attribute_endpoint_hosts(batch: _Batch, topo: Topology) -> None:
    """Failed calls to a host a VPC endpoint answers went through that endpoint: it is the hop between
    the callers and what they call, so the errors are evidence about it too. Behind a PrivateLink
    endpoint to another party's service, the endpoint is all of that service the account can see."""
    extra: list[Evidence] = []
    for e in batch.evidence:
        if e.resource and e.resource.startswith(log_an.ENDPOINT_POLICY):
            # Refused by "a VPC endpoint policy": the endpoint in play for that service, when one is.
            service = e.resource.removeprefix(log_an.ENDPOINT_POLICY)
            eps = [
                k
                for k, n in topo.nodes.items()
                if n.kind == "vpc_endpoint" and n.attrs.get("service", "").rsplit(".", 1)[-1] == service
            ]
            if len(eps) == 1:
                e.resource = eps[0]
            continue
        if e.kind != "log_pattern" or not CALL_ERRORS & set(e.signals):
            continue
        text = _error_text(e, ("template", "example"))
        hosts = _called_hosts(text)
        found = {ep: h for h in sorted(hosts) if (ep := _endpoint_for(topo, h))}
        if len(found) != 1:
            continue
        ((ep, host),) = found.items()
        signals = list(e.signals)
        if topo.nodes[ep].attrs.get("service", "").startswith("com.amazonaws.vpce."):
            signals = sorted({*signals, "remote_slow"})  # another party's service, seen from the caller
        extra.append(batch.copy_onto(e, ep, f"calls to {host} go through VPC endpoint {ep}", signals))
        caller = topo.resolve(e.resource)
        if caller:
            topo.link(caller, ep, "calls_through")
    batch.evidence += extra


# Words of a configuration key that say nothing about which dependency it is.
KEY_NOISE = frozenset(
    {
        "url",
        "uri",
        "api",
        "host",
        "endpoint",
        "base",
        "http",
        "https",
        "addr",
        "address",
        "service",
        "svc",
        "v1",
        "v2",
        "prod",
        "timeout",
        "ms",
    }
)


def _configured_named(node: Any, text: str) -> str | None:
    """The one configured host whose key's distinctive words (FRAUD_API_URL -> "fraud") the text uses."""
    low = text.lower()
    hits = {
        host
        for key, host in configured_hosts(node).items()
        if any(
            len(w) >= 4 and w not in KEY_NOISE and re.search(rf"(?<![a-z]){w}(?![a-z])", low)
            for w in re.split(r"[_\W]+", key.lower())
        )
    }
    return hits.pop() if len(hits) == 1 else None


# Services whose throttles are an account's request quota for an API (not a resource's own capacity,
# as a table's or a function's are), and the kind of their resources a caller is linked to.
ACCOUNT_QUOTAS = {
    "kms": "kms_key",
    "ssm": "ssm_parameter",
    "secretsmanager": "secret",
    "sts": None,
    "ses": None,
    "sesv2": None,
    "sns": None,
    "cloudwatch": None,
    "logs": None,
    "ecr": None,
    "ec2": None,
}
QUOTA_REACH = 3  # hops from the caller within which its key, parameter or secret is its own


def _attribute_throttles(batch: _Batch, topo: Topology) -> None:
    """A throttle an AWS API answered (its SDK names the service and often the operation) is that API's
    request quota in the account, reached by every caller together: it is evidence about the one key,
    parameter or secret of that service the caller uses, else about the API itself, as a node."""
    extra: list[Evidence] = []
    for e in batch.evidence:
        if e.kind != "log_pattern" or "throttling_logs" not in e.signals:
            continue
        service, operation = log_an.called_api(_error_text(e, ("template", "example", "exception")))
        if service not in ACCOUNT_QUOTAS:
            continue
        caller = topo.resolve(e.resource)
        kind = ACCOUNT_QUOTAS[service]
        near = topo.distances([caller]) if caller else {}
        own = sorted(k for k, d in near.items() if kind and topo.nodes[k].kind == kind and d <= QUOTA_REACH)
        if len(own) == 1:
            there = own[0]
        else:
            there = topo.add("aws_api", f"{service}:{operation}" if operation else f"{service} API")
            if caller:
                topo.link(caller, there, "calls")
        signals = sorted({*e.signals, "throttled"})
        extra.append(batch.copy_onto(e, there, f"throttled by {service}", signals))
    batch.evidence += extra


# Calls that start a batch of work (a task, a workflow, a job): what they start can make many calls of
# its own to any AWS API, at once.
WORK_STARTERS = frozenset(
    {
        "RunTask",
        "StartTask",
        "StartExecution",
        "StartJobRun",
        "SubmitJob",
        "StartBuild",
        "CreateJob",
        "UpdateJobStatus",
        "StartQueryExecution",
        "StartExportTask",
        "StartImportTask",
        "StartReplay",
        "StartPipelineExecution",
    }
)
# How long before the throttling a started job may have begun using the quota up (a bulk job ramps up,
# a campaign reaches its full rate).
CONSUMER_LEAD = timedelta(hours=2)


# The request parameter that names what a workflow, job, build, pipeline or replay call started.
STARTED_NAMES = ("stateMachineArn", "jobName", "projectName", "pipelineName", "replayName")


def _workload(e: Evidence) -> str | None:
    """What a work-starting call started, as the resource to name: a task's definition family, a
    workflow, a job; None when the call did not start anything (a job cancelled, a call refused)."""
    raw = e.facts.get("params") or {}
    parsed = raw if isinstance(raw, dict) else change_an.request_params(str(raw))
    keys = ("requestedJobStatus", "jobId", "id", "taskDefinition", *STARTED_NAMES)
    # Parameters cut short (long overrides) still name what was started.
    params = parsed or {k: v for k in keys if (v := change_an.keyed(str(raw), k))}
    action = str(e.facts.get("action") or "")
    if action == "UpdateJobStatus":
        if str(params.get("requestedJobStatus", "")).lower() != "ready":
            return None
        return str(params.get("jobId") or params.get("id") or "") or None
    if action in ("RunTask", "StartTask"):
        named = [str(params.get("taskDefinition") or "")]
        named += [str(r) for r in e.facts.get("resources") or [] if "task-definition/" in str(r)]
        family = next((n for n in named if n), "").rsplit("task-definition/", 1)[-1].split(":", 1)[0]
        return family or e.resource
    for key in STARTED_NAMES:
        if params.get(key):
            return str(params[key])
    return e.resource


def _quota_consumers(batch: _Batch, topo: Topology, scope: Scope) -> None:
    """An account's request quota for an API is shared by everything in the account: when it throttles
    its callers, a batch of work started shortly before (a task, a workflow, a bulk job) is a new
    consumer that may have taken it. Each is evidence about the work it started, linked to the API."""
    throttled = sorted(
        {
            key
            for e in batch.evidence
            if "throttled" in e.signals
            and (key := topo.resolve(e.resource)) is not None
            and topo.nodes[key].kind == "aws_api"
        }
    )
    if not throttled:
        return
    extra: list[Evidence] = []
    for e in batch.evidence:
        if e.kind != "change_event" or e.start is None or "change_failed" in e.signals:
            continue
        if str(e.facts.get("action") or "") not in WORK_STARTERS:
            continue
        if not scope.start - CONSUMER_LEAD <= e.start <= scope.end:
            continue
        work = _workload(e)
        if not work:
            continue
        there = topo.resolve(work) or topo.add(kind_of(e, topo) or "resource", work)
        extra += _consumer_of(batch, topo, e, there, throttled, f"work started {e.start:%H:%M}, before")
    extra += _surging_callers(batch, topo, throttled)
    batch.evidence += extra


# A caller's own call rate that grew this many times over its baseline is a new load, not a peak.
SURGE = 5.0


def _surging_callers(batch: _Batch, topo: Topology, throttled: list[str]) -> list[Evidence]:
    """A throttled caller whose own calls jumped as the shared quota ran out is a new consumer too,
    started by its own load (a flood of messages, a backfill) rather than by a call that starts work.
    Each such caller is evidence about itself, linked to the API. Its surge has to come first: a caller
    that only retries its throttled calls rises after the others begin to fail."""
    callers: dict[str, set[str]] = {}
    for e in batch.evidence:
        api = topo.resolve(e.resource)
        seer = topo.resolve(str(e.facts.get("seen_by") or ""))
        if api in throttled and seer and "throttled" in e.signals:
            callers.setdefault(seer, set()).add(api)
    failing = [
        e.start
        for e in batch.evidence
        if e.start is not None
        and set(e.signals) & {"error_rate_up", "log_errors_up"}
        and topo.resolve(e.resource) in callers
    ]
    first_failure = min(failing, default=None)
    out: list[Evidence] = []
    for e in batch.evidence:
        caller = topo.resolve(e.resource)
        if (
            e.kind != "metric_anomaly"
            or "traffic_up" not in e.signals
            or e.start is None
            or caller not in callers
        ):
            continue
        base, peak = e.facts.get("baseline"), e.facts.get("extreme")
        if (
            not isinstance(base, int | float)
            or not isinstance(peak, int | float)
            or base <= 0
            or peak < SURGE * base
        ):
            continue
        if first_failure is not None and e.start > first_failure + timedelta(minutes=3):
            continue
        lead = f"its calls rose {peak / base:.0f}x from {e.start:%H:%M}, as"
        out += _consumer_of(batch, topo, e, caller, sorted(callers[caller]), lead)
    return out


def _consumer_of(
    batch: _Batch, topo: Topology, e: Evidence, consumer: str, apis: list[str], lead: str
) -> list[Evidence]:
    """`e` as evidence about `consumer`, linked to each throttled API: a new consumer of its quota."""
    out: list[Evidence] = []
    for api in apis:
        topo.link(consumer, api, "calls")
        name = topo.nodes[api].name or api
        out.append(
            batch.copy_onto(
                e,
                consumer,
                f"{lead} {name} throttled its callers: a new consumer of the account's quota for it",
                ["quota_consumer_started"],
            )
        )
    return out


CACHE_KINDS = frozenset({"elasticache_cluster", "elasticache_replication_group"})


def _nearest_used(
    topo: Topology, caller: str | None, kinds: frozenset[str], group_of: dict[str, str] | None = None
) -> list[str]:
    """The resources of `kinds` a caller uses, as far as the resource graph says: those nearest to it
    within two hops (a member counted as its group where `group_of` maps it)."""
    found: dict[str, int] = {}
    for k, d in (topo.distances([caller]) if caller else {}).items():
        if 0 < d <= 2 and topo.nodes[k].kind in kinds:
            key = (group_of or {}).get(k, k)
            found[key] = min(found.get(key, d), d)
    nearest = min(found.values(), default=0)
    return sorted(k for k, d in found.items() if d == nearest)


# The size ceilings a refusal's own words name, with the kind of resource that enforces each: DynamoDB's
# item size, SQS's message size. A refusal that names none stays on whoever logged it (a function whose
# own response the runtime refused).
SIZE_CEILINGS = (
    (re.compile(r"item size|item collection size|dynamodb", re.I), frozenset({"dynamodb_table"})),
    (re.compile(r"messagetoolong|message must be shorter|\bsqs\b", re.I), frozenset({"sqs_queue"})),
)


def _attribute_size_refusals(batch: _Batch, topo: Topology) -> None:
    """A request refused for its size is refused by the service whose ceiling it is: the refusal is
    evidence about the resource of that service the caller writes to (the table whose item outgrew
    400 KB), the nearest one it uses, else the only one in play."""
    extra: list[Evidence] = []
    for e in batch.evidence:
        if e.kind != "log_pattern" or "payload_too_large" not in e.signals:
            continue
        text = _error_text(e)
        kinds = next((k for pattern, k in SIZE_CEILINGS if pattern.search(text)), None)
        caller = topo.resolve(e.resource)
        if kinds is None or (caller is not None and topo.nodes[caller].kind in kinds):
            continue
        closest = _nearest_used(topo, caller, kinds) or sorted(
            k for k, n in topo.nodes.items() if n.kind in kinds
        )
        if len(closest) == 1:
            there = closest[0]
            extra.append(
                batch.copy_onto(e, there, f"refused for its size by {topo.nodes[there].name or there}")
            )
        # The ceiling is the table's or queue's, not the caller's: its line no longer nominates it,
        # whether or not the graph says which table or queue it was.
        e.signals = [s for s in e.signals if s != "payload_too_large"]
    batch.evidence += extra


def _attribute_cache_refusals(batch: _Batch, topo: Topology) -> None:
    """A cache that refuses writes at its memory limit says so to its callers ("OOM command not
    allowed"): the refusal is evidence about the cache the caller calls, when it calls one."""
    extra: list[Evidence] = []
    # A replication group answers for its member nodes.
    group_of = {a: b for a, b, rel in topo.edges if rel == "member_of" and topo.nodes[b].kind in CACHE_KINDS}
    full = {
        group_of.get(key, key)
        for e in batch.evidence
        if e.kind == "metric_anomaly"
        and "memory_high" in e.signals
        and (key := topo.resolve(e.resource)) is not None
        and topo.nodes[key].kind in CACHE_KINDS
    }
    caches_in_play = sorted(k for k, n in topo.nodes.items() if n.kind in CACHE_KINDS and k not in group_of)
    for e in batch.evidence:
        if e.kind != "log_pattern" or "cache_full_logs" not in e.signals:
            continue
        # The nearest cache is the one it dials (a replication group by its primary endpoint, before
        # the nodes that are the group's members).
        closest = _nearest_used(topo, topo.resolve(e.resource), CACHE_KINDS)
        if not closest:
            # Nothing says which cache the caller dials: the refusal came from a cache at its memory
            # limit, so when exactly one cache shows that (evicting, memory full), it is that one;
            # when none shows it, and the account has one cache, that one.
            closest = sorted(full) or caches_in_play
        if len(closest) == 1:
            there = closest[0]
            extra.append(batch.copy_onto(e, there, f"refused by cache {topo.nodes[there].name or there}"))
    batch.evidence += extra


# A resource's own metrics saying it fails: its errors or its latency rose.
FAILING_METRICS = frozenset({"error_rate_up", "latency_up"})


# What a caller logs when the party it called did not answer, refused, or answered with its own failure.
REMOTE_FAILURES = frozenset({"timeout_logs", "connection_refused_logs", "remote_server_error"})


# Error counts and the request counts they are a share of, by namespace.
ERRORS_OF_REQUESTS = {
    "AWS/ApplicationELB": (
        frozenset({"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_4XX_Count"}),
        frozenset({"RequestCount"}),
    ),
    "AWS/Lambda": (frozenset({"Errors"}), frozenset({"Invocations"})),
    "AWS/ApiGateway": (frozenset({"5XXError", "4XXError"}), frozenset({"Count"})),
}


def _errors_with_traffic(batch: _Batch, topo: Topology) -> None:
    """An error count is a share of the requests: when requests grew and the errors grew no more than the
    extra requests alone would bring at the baseline's error rate (within counting noise), the error
    rate did not change and users meet no new failure. Such counts stop being read as errors rising."""
    traffic = [
        e
        for e in batch.evidence
        if e.kind == "metric_anomaly"
        and "traffic_up" in e.signals
        and e.facts.get("metric") in ERRORS_OF_REQUESTS.get(str(e.facts.get("namespace")), ((), ()))[1]
    ]
    for e in batch.evidence:
        if e.kind != "metric_anomaly" or "error_rate_up" not in e.signals:
            continue
        counts = ERRORS_OF_REQUESTS.get(str(e.facts.get("namespace")))
        if counts is None or e.facts.get("metric") not in counts[0]:
            continue
        base, peak = e.facts.get("baseline"), e.facts.get("extreme")
        if not isinstance(base, (int, float)) or not isinstance(peak, (int, float)) or base <= 0:
            continue  # from none: no rate to compare
        here = topo.resolve(e.resource)
        near = topo.distances([here]) if here else {}
        for t in traffic:
            there = topo.resolve(t.resource)
            if there != here and near.get(there or "", 99) > 1:
                continue
            t_base, t_peak = t.facts.get("baseline"), t.facts.get("extreme")
            if not isinstance(t_base, (int, float)) or not isinstance(t_peak, (int, float)) or t_base <= 0:
                continue
            expected = base * t_peak / t_base
            if peak <= expected + 3 * math.sqrt(expected) + 2:
                e.signals = [s if s != "error_rate_up" else "errors_with_traffic" for s in e.signals]
                e.facts["with_traffic"] = t.id
                break


DATABASE_KINDS = frozenset({"rds_instance", "rds_cluster"})


def _attribute_lock_waits(batch: _Batch, topo: Topology) -> None:
    """A lock wait or a deadlock is decided inside the database: the client that logs it reports the
    database's state (another transaction holds the rows). The waits are evidence about the database the
    client uses: the nearest one on the resource graph, else the only one in play."""
    extra: list[Evidence] = []
    cluster_of = {
        a: b for a, b, rel in topo.edges if rel == "member_of" and topo.nodes[b].kind == "rds_cluster"
    }
    in_play = sorted({cluster_of.get(k, k) for k, n in topo.nodes.items() if n.kind in DATABASE_KINDS})
    for e in batch.evidence:
        if e.kind != "log_pattern" or "db_lock_contention" not in e.signals:
            continue
        caller = topo.resolve(e.resource)
        if caller is not None and topo.nodes[caller].kind in DATABASE_KINDS:
            continue  # the database's own log
        closest = _nearest_used(topo, caller, DATABASE_KINDS, cluster_of) or in_play
        if len(closest) == 1:
            there = closest[0]
            extra.append(batch.copy_onto(e, there, f"lock waits in {topo.nodes[there].name or there}"))
    batch.evidence += extra


def _attribute_remote_hosts(batch: _Batch, topo: Topology) -> None:
    """Calls to an outside endpoint that time out, are refused or are answered with the server's own
    failure (5xx), seen only in logs (no traces name it): the endpoint becomes a remote node and the
    errors evidence about it, linked as called by the caller. Names a resource of the account answers to,
    and AWS endpoints, are left to those resources."""
    extra: list[Evidence] = []
    for e in batch.evidence:
        if e.kind != "log_pattern" or not REMOTE_FAILURES & set(e.signals):
            continue
        text = _error_text(e, ("template", "example"))
        dialled = {m.group(1) for m in DIALLED.finditer(text) if PRIVATE_IP.match(m.group(1))}
        if len(dialled) == 1:
            # The address a client dialled is the party that did not answer (a proxy, a NAT instance,
            # a database host), whatever URL it was asked to fetch through it: the host in the URL was
            # never reached.
            ip = dialled.pop()
            holder = _holder_of_address(batch, topo, ip)
            if holder is not None:
                extra.append(batch.copy_onto(e, holder, f"dialled {ip}, which is {holder}"))
                continue
        hosts = _called_hosts(text)
        named = bool(hosts)
        # A private name no resource of the account answers to is another team's service (or one
        # the account's telemetry does not describe): the party that failed, as an outside host is.
        # An instance's own EC2 name is the instance, not a service.
        hosts = {
            h
            for h in hosts
            if not h.endswith(EC2_HOSTNAMES) and not h.endswith("amazonaws.com") and topo.resolve(h) is None
        }
        if not named:
            # The failure names no host: the code may name the dependency as its configuration does
            # ("fraud score call timed out" from a function configured with FRAUD_API_URL).
            owner = topo.resolve(e.resource)
            by_words = _configured_named(topo.nodes[owner], text) if owner else None
            if owner and by_words:
                there = topo.resolve(by_words) or topo.add("remote", by_words)
                topo.link(owner, there, "calls")
                signals = sorted({*e.signals, "remote_slow"})
                extra.append(
                    batch.copy_onto(
                        e, there, f"calls to {by_words}, configured as this dependency, fail", signals
                    )
                )
            continue
        if len(hosts) != 1:
            continue
        host = hosts.pop()
        topo.add("remote", host, attrs={"private": "yes"} if _private_host(host, text) else None)
        caller = topo.resolve(e.resource)
        if caller and caller != host:
            # The caller's way to the host (its subnets, routes, security groups) is the host's path.
            topo.link(caller, host, "calls")
        extra.append(batch.copy_onto(e, host, f"calls to {host} fail", sorted({*e.signals, "remote_slow"})))
    batch.evidence += extra


# "User: arn:aws:sts::123456789012:assumed-role/<role>/<session> is not authorized to perform ..."
DENIED_PRINCIPAL = re.compile(r"assumed-role/([\w+=,.@-]{1,64})/([\w+=,.@-]{1,64})")


def _attribute_principals(batch: _Batch, topo: Topology) -> None:
    """An access-denied error names the role that was refused and the session that used it (an
    instance id, a function name): the evidence is about that role, and the role sits next to
    the resource that assumed it."""
    extra: list[Evidence] = []
    for e in batch.evidence:
        if "access_denied_logs" not in e.signals or e.kind not in ("log_pattern", "trace_fault"):
            continue
        text = _error_text(e)
        found = {(m.group(1), m.group(2)) for m in DENIED_PRINCIPAL.finditer(text)}
        if len({role for role, _ in found}) != 1:
            continue
        role = next(iter(found))[0]
        topo.add("iam_role", role)
        for _, session in found:
            if topo.resolve(session) is not None:
                topo.link(session, role, "assumes")
        if topo.resolve(e.resource) == topo.resolve(role):
            continue
        extra.append(batch.copy_onto(e, role, f"denied to role {role}"))
    batch.evidence += extra


# Resource states that failed because something refused them; their messages name what refused.
FAILED_STATES = frozenset({"capacity_below_desired", "instance_start_failed"})


NAMED_AFTER_APP = frozenset(
    {"security_group", "subnet", "vpc", "ecs_cluster", "availability_zone", "route_table"}
)


def _attribute_mentions(batch: _Batch, topo: Topology, *, states: bool = False) -> None:
    """Errors that name one resource ("... on table orders-prd failed: ThroughputExceeded") are evidence
    about that resource too, not only about the service that logged them."""
    extra: list[Evidence] = []
    for e in batch.evidence:
        # A failed launch or start ("not enough free addresses in subnet ...") names what refused it too.
        failed_state = e.kind == "resource_state" and bool(FAILED_STATES & set(e.signals))
        if not (failed_state if states else e.kind in ("log_pattern", "trace_fault")):
            continue
        if e.kind == "log_pattern" and not any(e.facts.get(k) for k in ("template", "example", "exception")):
            # A count of a group's error-like lines says only that they rose: its summary is our words
            # and the group's name (which names its writer and the cluster it runs in), not the lines'.
            continue
        text = _error_text(e)
        named = [
            k
            for k in topo.mentioned(text)
            if k != topo.resolve(e.resource)
            # A security group, subnet or cluster is named after the application it holds: an error
            # line naming the application is not about it (unless the line gives its id).
            and (topo.nodes[k].kind not in NAMED_AFTER_APP or k.lower() in text.lower())
        ]
        if len(named) > 1:
            # Front-end names (the logging service, its instances) are where the error surfaced;
            # a data store or dependency named alongside them is what it is about.
            named = [
                k for k in named if topo.nodes[k].kind not in ("alb", "target_group", "asg", "ec2", "service")
            ]
        if len(named) != 1:
            continue
        extra.append(batch.copy_onto(e, named[0], f"names {topo.nodes[named[0]].name or named[0]}"))
    batch.evidence += extra


def _charts(made: list[Evidence]) -> list[dict[str, Any]]:
    return [
        {
            "evidence": e.id,
            "resource": e.resource,
            "metric": e.facts.get("metric"),
            "namespace": e.facts.get("namespace"),
            "dimensions": e.facts.get("dimensions"),
            "stat": e.facts.get("stat"),
            "onset": e.facts.get("onset"),
        }
        for e in sorted(made, key=lambda e: e.strength, reverse=True)[:6]
        if e.facts.get("sustained")
    ]


# --- hypothesize / assess -------------------------------------------------------------------------


def _board(state: InvestigationState) -> tuple[list[Evidence], Topology, Scope]:
    evidence = [Evidence.model_validate(e) for e in state.get("evidence", [])]
    return evidence, Topology.model_validate(state["topology"]), Scope.model_validate(state["scope"])


def hypothesize(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    evidence, topo, scope = _board(state)
    hyps = generate(catalog(), evidence, topo, [e.id for e in scope.entry])
    hyps = apply_feedback(hyps, state.get("feedback") or {})
    rt = _rt(config)
    for h in hyps[:3]:
        rt.progress(f"hypothesis {h.confidence:.2f} {h.title}")
    return {"hypotheses": [h.model_dump(mode="json") for h in hyps]}


def apply_feedback(hyps: list[Hypothesis], feedback: dict[str, str]) -> list[Hypothesis]:
    for h in hyps:
        verdict = feedback.get(f"{h.failure_mode}|{h.resource}") or feedback.get(h.failure_mode)
        if verdict == "discarded":
            h.status = "discarded"
            h.confidence = 0.0
        elif verdict == "accepted":
            h.status = "accepted"
            h.confidence = max(h.confidence, 0.9)
    hyps.sort(key=lambda h: h.confidence, reverse=True)
    return hyps


# --- plan / probe ---------------------------------------------------------------------------------


def plan(state: InvestigationState, config: RunnableConfig) -> Command[Literal["probe", "conclude"]]:
    rt = _rt(config)
    iteration = state.get("iteration", 0)
    hyps = [Hypothesis.model_validate(h) for h in state.get("hypotheses", [])]
    if iteration >= rt.limits.max_iterations or rt.out_of_calls() or rt.out_of_time():
        capped = ["iterations"] if iteration >= rt.limits.max_iterations else []
        return Command(goto="conclude", update={"capped": capped})
    if (
        hyps
        and hyps[0].confidence >= 0.85
        and (len(hyps) == 1 or hyps[0].confidence - hyps[1].confidence > 0.3)
    ):
        return Command(goto="conclude")
    _, topo, scope = _board(state)
    done = set(state.get("probes_done", []))
    probes: list[dict[str, Any]] = []
    for h in [h for h in hyps if h.status not in ("discarded", "ruled_out")][:3]:
        for probe in _probes_for(h, topo, scope):
            key = call_key(probe["tool"], probe["params"])
            if key not in done and probe not in probes:
                probes.append(probe)
    if not probes:
        return Command(goto="conclude")
    return Command(goto="probe", update={"pending_probes": probes[:8], "iteration": iteration + 1})


def _probes_for(h: Hypothesis, topo: Topology, scope: Scope) -> list[dict[str, Any]]:
    mode = catalog().get(h.failure_mode)
    if mode is None:
        return []
    node = topo.nodes.get(h.resource)
    name = (node.name if node else None) or h.resource
    wide = {"start": _iso(scope.start - timedelta(hours=3)), "end": _iso(scope.end)}
    window = {"start": _iso(scope.start), "end": _iso(scope.end)}
    out: list[dict[str, Any]] = []
    for probe in mode.probes:
        params: dict[str, Any] | None = None
        if probe == "recent_changes":
            since = scope.start - timedelta(hours=max(3.0, mode.history_hours))
            params = {**wide, "start": _iso(since), "resources": topo.names(h.resource)[:5], "limit": 20}
        elif probe == "rds_events" and node and node.kind in ("rds_cluster", "rds_instance"):
            # RDS takes source identifiers only with their source type.
            kind = "db-cluster" if node.kind == "rds_cluster" else "db-instance"
            params = {**wide, "source_ids": [name], "source_type": kind}
        elif probe == "db_log_tail" and node and node.kind == "rds_instance":
            params = {"instance": name, "lines": 50}
        elif probe == "db_log_tail" and node and node.kind == "rds_cluster":
            members = [
                topo.nodes[b]
                for a, b, _ in topo.edges
                if a == h.resource and topo.nodes[b].kind == "rds_instance"
            ]
            members += [
                topo.nodes[a]
                for a, b, _ in topo.edges
                if b == h.resource and topo.nodes[a].kind == "rds_instance"
            ]
            if members:
                params = {"instance": members[0].name or members[0].id, "lines": 50}
        elif probe == "lambda_config" and node and node.kind == "lambda":
            params = {"function": name}
        elif probe == "instance_status" and node and node.kind == "ec2":
            params = {"instances": [node.id]}
        elif probe == "scaling_activities" and node and node.kind == "asg":
            params = {"group": name}
        elif probe == "trace_faults":
            params = (
                {**window, "service": name}
                if node is None or node.kind in ("service", "remote")
                else dict(window)
            )
        elif probe in ("flow_log_rejects", "health_events", "codedeploy_deployments"):
            params = dict(window) if probe != "health_events" else {**wide}
        elif probe == "queue_details" and node and node.kind == "sqs_queue":
            params = {"queue": name}
        elif probe == "topic_details" and node and node.kind == "sns_topic":
            arn = _arn(node)
            params = {"topic": arn} if arn else None
        elif probe == "secret_details" and node and node.kind == "secret":
            params = {"secret": _arn(node) or name}
        elif probe == "vpc_endpoints" and node and node.kind in ("vpc_endpoint", "vpc"):
            params = {"endpoint_ids": [node.id]} if node.kind == "vpc_endpoint" else {"vpc": node.id}
        elif probe == "bucket_access" and node and node.kind == "s3_bucket":
            params = {"bucket": name}
        elif probe == "state_machine" and node and node.kind == "state_machine":
            params = {"state_machine": _arn(node) or node.id}
        elif probe == "stream_details" and node and node.kind == "kinesis_stream":
            params = {"stream": _arn(node) or name}
        elif (
            probe == "cache_details"
            and node
            and node.kind in ("elasticache_cluster", "elasticache_replication_group")
        ):
            params = {"cache": name}
        elif probe == "dns_records" and node and node.kind in ("dns_record", "hosted_zone"):
            params = {"name": name if node.kind == "dns_record" else node.id}
        elif probe == "certificates" and node and node.kind in ("listener", "certificate", "alb"):
            listeners = {node.id} if node.kind == "listener" else set()
            if node.kind == "alb":
                listeners = {
                    a
                    for a, b, r in topo.edges
                    if r == "part_of" and b == node.id and topo.nodes[a].kind == "listener"
                }
            certs = [node.id] if node.kind == "certificate" else _presented(topo, listeners)
            params = {"certificates": certs[:20]} if certs else None
        elif probe == "event_source_mappings" and node and node.kind in ("lambda", "sqs_queue"):
            arn = _arn(node)
            if node.kind == "lambda" or arn:
                params = {"function": name} if node.kind == "lambda" else {"source_arn": arn}
        elif probe == "scaling_config" and node and node.kind in ("asg", "ecs_service", "dynamodb_table"):
            params = {"resource": scalable_id(node)}
        elif probe == "api_details" and node and node.kind == "api_gateway":
            params = {"api": node.id}
        elif probe == "describe_resources":
            params = {"refs": [h.resource], "include_network": True}
        if params is not None:
            out.append({"tool": probe, "params": params})
    return out


def _arn(node: Any) -> str | None:
    """A node's ARN among its spellings, if the walk learned it."""
    return next((a for a in node.aliases if a.startswith("arn:")), None)


def scalable_id(node: Any) -> str:
    """The id Auto Scaling knows a node by: a group's name, service/<cluster>/<service>, table/<table>."""
    if node.kind == "ecs_service":
        # service/<cluster>/<service> from the ARN (or an id that carries the cluster); a bare name
        # cannot be scaled by Application Auto Scaling.
        full = next((a for a in [node.id, *node.aliases] if "/" in a), None)
        if full:
            return f"service/{full.split('/')[-2]}/{full.split('/')[-1]}"
    if node.kind == "dynamodb_table":
        return f"table/{node.name or node.id}"
    return str(node.name or node.id)


def probe(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    rt = _rt(config)
    scope = Scope.model_validate(state["scope"])
    batch = _Batch(state, rt)
    for p in state.get("pending_probes", []):
        name, params = p["tool"], p["params"]
        res = batch.run(name, params)
        if res is None or res.data is None:
            continue
        batch.add(analyze(name, res, scope), res)
    return batch.update(pending_probes=[])


def analyze(name: str, res: ToolResult[Any], scope: Scope) -> list[analyzers.Draft]:
    data: Any = res.data
    if name == "recent_changes":
        return change_an.from_changes(data)
    if name == "rds_events":
        return state_an.from_rds_events(data)
    if name == "db_log_tail":
        return state_an.from_db_log(data)
    if name == "lambda_config":
        return state_an.from_lambda(data, throttled=True)
    if name == "runtime_versions":
        return state_an.from_runtime_versions(data, scope.start, scope.end)
    if name == "scaling_activities":
        return state_an.from_scaling(data)
    if name == "scaling_config":
        return state_an.from_scaling_config(data, scope.start, scope.end)
    if name == "trace_faults":
        return trace_an.from_faults(data, scope.start, scope.end)
    if name == "flow_log_rejects":
        return state_an.from_flow_rejects(data, scope.start, scope.end)
    if name == "health_events":
        return state_an.from_health(data)
    if name == "codedeploy_deployments":
        return state_an.from_deployments(data)
    if name == "cache_details":
        return state_an.from_cache(data)
    if name == "instance_status":
        return state_an.from_instance_status(data)
    if name == "blackhole_routes":
        return state_an.from_blackholes(data)
    if name == "state_machine":
        return state_an.from_state_machine(data, scope.start, scope.end)
    return []


def assess(state: InvestigationState, config: RunnableConfig) -> dict[str, Any]:
    return hypothesize(state, config)
