"""Depot consignment sync fails: the on-premises depot WMS behind Direct Connect stops answering."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzm as kit

NAME = "depot-wms-unavailable"
TITLE = "depot-sync errors alarm in the afternoon; depots ask whether the Direct Connect is down again"
SUMMARY = (
    "The on-premises depot WMS starts answering 503 and then hangs; depot-sync (EventBridge -> Lambda -> WMS "
    "over Direct Connect) fails every call while the DX link and BGP stay healthy."
)

WMS = "wms.depots.northway.internal"


def build(seed: int) -> Bundle:
    w = kit.World(seed, NAME)
    r = w.rng
    start = w.day + timedelta(hours=9, minutes=r.randint(0, 50))
    onset = start + timedelta(hours=3, minutes=32 + r.randint(0, 40), seconds=r.randint(0, 59))
    hang = onset + timedelta(minutes=r.randint(6, 12))
    now = onset + timedelta(minutes=r.randint(36, 52))
    end = now + timedelta(minutes=10)
    env = {
        "depot-sync": {
            "WMS_BASE_URL": f"https://{WMS}/api/v2",
            "WMS_TIMEOUT_SECONDS": "10",
            "WMS_CLIENT_ID": "aws-depot-sync",
            "LOG_LEVEL": "INFO",
        }
    }

    def body(name: str, t: datetime) -> tuple[list[str], float] | None:
        if name != "depot-sync" or t < onset:
            return kit.healthy_line(w, name, t)
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.randint(0, 999):03d}Z"
        dep = r.choice(["LEE", "MAN", "BHX", "BRS", "NCL"])
        url = f"https://{WMS}/api/v2/consignments/complete"
        if t < hang or r.random() < 0.25:
            ms_ = r.randint(4, 30)
            return [
                f"[WARNING]\t{ts}\t{{rid}}\tPOST {url} depot={dep} status=503 elapsed_ms={ms_} "
                "server=BigIP retry_in=2s\n",
                f"[ERROR] HTTPError: 503 Server Error: Service Unavailable for url: {url}\n"
                "Traceback (most recent call last):\n"
                '  File "/var/task/depot_sync.py", line 74, in handler\n'
                "    resp.raise_for_status()\n"
                '  File "/var/task/requests/models.py", line 1021, in raise_for_status\n'
                "    raise HTTPError(http_error_msg, response=self)\n",
            ], r.uniform(2050, 2200)
        return [
            f"[ERROR] ReadTimeout: HTTPSConnectionPool(host='{WMS}', port=443): Read timed out. "
            "(read timeout=10)\n"
            "Traceback (most recent call last):\n"
            '  File "/var/task/urllib3/connectionpool.py", line 537, in _make_request\n'
            "    response = conn.getresponse()\n"
            '  File "/var/task/depot_sync.py", line 71, in handler\n'
            "    resp = session.post(url, json=payload, timeout=TIMEOUT)\n",
        ], r.uniform(10030, 10110)

    def inv(t: datetime, v: float) -> float:
        return v if t < onset else round(v * r.uniform(2.6, 3.0))  # async retries (2) on every failure

    def err(t: datetime, v: float) -> float:
        return v if t < onset else round(inv(t, v) * r.uniform(0.97, 1.0))

    def dur(t: datetime, v: float) -> float:
        if t < onset:
            return v
        return r.uniform(2050, 2200) if t < hang else r.uniform(7400, 8600)

    def conc(t: datetime, v: float) -> float:
        return v if t < hang else v + r.randint(3, 6)

    def ingress(t: datetime, v: float) -> float:
        return v if t < onset else v * r.uniform(0.9, 0.96)

    L = "AWS/Lambda"
    mods: dict[str, kit.Mod] = {
        kit.key(L, "Invocations", "depot-sync"): inv,
        kit.key(L, "Errors", "depot-sync"): err,
        kit.key(L, "Duration", "depot-sync"): dur,
        kit.key(L, "ConcurrentExecutions", "depot-sync"): conc,
    }
    got = kit.base(w, start, end, mods, env, body)
    con = got["dx_con"]
    mods_dx = [m for m in w.metrics if m["metric"] == "ConnectionBpsIngress"]
    for m in mods_dx:
        t = datetime.fromisoformat(m["timestamp"])
        m["value"] = round(ingress(t, m["value"]), 3)
    # AWS Health: a DX maintenance notice for next week, updated this morning (the usual red herring)
    mt = (w.day + timedelta(days=r.randint(5, 9))).replace(hour=23)
    harn = (
        f"arn:aws:health:{kit.REGION}::event/DIRECTCONNECT/AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED/"
        f"AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED_{w.hex(8)}-{w.hex(4)}-{w.hex(4)}-{w.hex(4)}-{w.hex(12)}"
    )
    w.events.append(
        {
            "source": "health",
            "item": {
                "event": {
                    "arn": harn,
                    "service": "DIRECTCONNECT",
                    "eventTypeCode": "AWS_DIRECTCONNECT_MAINTENANCE_SCHEDULED",
                    "eventTypeCategory": "scheduledChange",
                    "region": kit.REGION,
                    "startTime": kit.iso(mt),
                    "endTime": kit.iso(mt + timedelta(hours=4)),
                    "lastUpdatedTime": kit.iso(start + timedelta(minutes=r.randint(10, 80))),
                    "statusCode": "upcoming",
                    "eventScopeCode": "ACCOUNT_SPECIFIC",
                },
                "description": "Planned maintenance has been scheduled on an AWS Direct Connect endpoint in LD5 "
                f"(Equinix LD5, Slough, UNITED KINGDOM) from {mt:%a, %d %b %Y %H:%M:%S} GMT to "
                f"{mt + timedelta(hours=4):%a, %d %b %Y %H:%M:%S} GMT for 4 hours. During this maintenance "
                "window, your AWS Direct Connect services listed below may become unavailable. If you have "
                "configured your AWS Direct Connect services redundantly, traffic will fail over to your "
                f"redundant connections.\n\n{con}",
                "affected_entities": [
                    {
                        "entityArn": harn.replace(":event/", ":entity/") + "/" + con,
                        "eventArn": harn,
                        "entityValue": con,
                        "awsAccountId": w.account,
                        "lastUpdatedTime": kit.iso(start + timedelta(minutes=5)),
                        "statusCode": "PENDING",
                    }
                ],
            },
        }
    )
    kit.noise_changes(w, onset, start)
    # network team looks at the link after the depots call
    t_net = onset + timedelta(minutes=r.randint(14, 24))
    net = w.sso("kieran.doyle", t_net, "NetworkAdministrator")
    web = "[Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0]"
    for i, (name, req) in enumerate(
        [
            ("DescribeConnections", {"connectionId": con}),
            ("DescribeVirtualInterfaces", {"connectionId": con}),
            ("DescribeVirtualInterfaces", {"virtualInterfaceId": got["dx_vif"]}),
            ("DescribeDirectConnectGateways", None),
        ]
    ):
        w.ct(
            t_net + timedelta(seconds=20 * i),
            "directconnect.amazonaws.com",
            name,
            net,
            req,
            None,
            read_only=True,
            agent=web,
        )
    # an unrelated scheduled change: nightly reconcile target moved earlier in the day
    t_tgt = onset - timedelta(minutes=r.randint(25, 60))
    w.ct(
        t_tgt,
        "events.amazonaws.com",
        "PutTargets",
        w.role_identity("terraform-apply", "gha-infra-apply", t_tgt),
        {
            "rule": "delivery-completed-to-depot",
            "eventBusName": "fleet-events",
            "targets": [
                {
                    "id": "depot-sync",
                    "arn": w.arn("lambda", "function:depot-sync"),
                    "retryPolicy": {"maximumRetryAttempts": 185, "maximumEventAgeInSeconds": 86400},
                }
            ],
        },
        {"failedEntryCount": 0, "failedEntries": []},
        read_only=False,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 aws-sdk-go-v2/1.26.1",
    )
    w.tooling_reads(start, end, 60, list(kit.FUNCS))
    alarms = kit.base_alarms(w, start, con)
    a = alarms["depot-sync-errors"]
    fire = onset + timedelta(minutes=10, seconds=r.randint(0, 50))
    w.transition(
        a,
        fire,
        "OK",
        "ALARM",
        f"Threshold Crossed: 2 out of the last 2 datapoints [{r.randint(60, 90)}.0 "
        f"({(fire - timedelta(minutes=5)).strftime('%d/%m/%y %H:%M:00')}), {r.randint(25, 50)}.0 "
        f"({(fire - timedelta(minutes=10)).strftime('%d/%m/%y %H:%M:00')})] "
        "were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    g = alarms["geofence-evaluator-duration"]
    for k in range(2):
        ft = start + timedelta(minutes=r.randint(30, 80) + 95 * k)
        w.transition(
            g,
            ft,
            "OK",
            "ALARM",
            "Threshold Crossed: 2 out of the last 2 datapoints were greater than "
            "the threshold (140.0) (minimum 2 datapoints for OK -> ALARM transition).",
        )
        w.transition(
            g,
            ft + timedelta(minutes=r.randint(3, 6)),
            "ALARM",
            "OK",
            "Threshold Crossed: 2 out of the "
            "last 2 datapoints were not greater than the threshold (140.0) (minimum 2 datapoints for "
            "ALARM -> OK transition).",
        )
    local = onset.astimezone(ZoneInfo("Europe/London"))
    q = (
        f"Leeds and Manchester depots say vans finishing drops aren't showing as complete in the WMS since about "
        f"{local:%-I:%M%p}. is the Direct Connect down again? they had maintenance emails"
    )
    return w.bundle(
        TITLE,
        start,
        end,
        now,
        {
            "question": q.replace("AM", "am").replace("PM", "pm"),
            "timezone": "Europe/London",
            "alarm_event": w.alarm_event(
                a,
                fire,
                start - timedelta(days=2),
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (5.0)",
            ),
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": WMS,
                "category": "dependency_failure",
                "failure_mode": "onprem-wms-unavailable",
            },
            "also_accept": ["depot WMS", "https://" + WMS, "depot-wms"],
            "actions": [],
            "chain": [WMS, "depot-sync", "delivery-completed-to-depot"],
        },
    )
