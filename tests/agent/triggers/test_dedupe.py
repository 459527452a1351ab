"""Dedupe and storm control, the same tests on the SQLite store and on DynamoDB (moto, over HTTP)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.triggers.dedupe import Claim, DedupePolicy, InvestigationStore, investigation_id
from agent.triggers.dynamodb_store import DynamoDBStore, create_table
from agent.triggers.runner import on_alarm
from agent.triggers.sqlite_store import SQLiteStore
from tests.agent.triggers.conftest import FakeInvestigator, alarm_event

T0 = datetime(2024, 5, 1, 14, 0, 0, tzinfo=UTC)  # on a 15-minute window boundary
POLICY = DedupePolicy(dedupe_minutes=30, cap=3, cap_window_minutes=15)
StoreFactory = Callable[[DedupePolicy], InvestigationStore]


@pytest.fixture(params=["sqlite", "dynamodb"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    if request.param == "sqlite":
        opened: list[SQLiteStore] = []

        def sqlite(policy: DedupePolicy) -> InvestigationStore:
            opened.append(SQLiteStore(tmp_path / "triggers.db", policy))
            return opened[-1]

        yield sqlite
        for store in opened:
            store.close()
        return
    client = request.getfixturevalue("moto_session")("dynamodb")
    create_table(client, "sleuth-dedupe")
    yield lambda policy: DynamoDBStore(client, "sleuth-dedupe", policy)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_same_key_within_window_joins_and_redelivery_counts_once(make_store: StoreFactory) -> None:
    store = make_store(POLICY)
    first = store.claim("k", "cpu@1", at(0))
    assert first == Claim("started", investigation_id("k", at(0)), "k", 1)
    assert store.claim("k", "mem@2", at(10)) == Claim("joined", first.investigation_id, "k", 2)
    # EventBridge delivers at least once: the same transition again changes nothing
    assert store.claim("k", "mem@2", at(11)) == Claim("joined", first.investigation_id, "k", 2)
    # 29:59 after the start still joins; 30:00 after starts anew (window is strictly "within")
    assert store.claim("k", "disk@3", at(29.99)).outcome == "joined"
    later = store.claim("k", "cpu@4", at(30))
    assert later.outcome == "started" and later.investigation_id != first.investigation_id


def test_different_keys_start_separately(make_store: StoreFactory) -> None:
    store = make_store(POLICY)
    assert store.claim("a", "x@1", at(0)).outcome == "started"
    assert store.claim("b", "x@1", at(0)).outcome == "started"
    assert {i.key for i in store.investigations()} == {"a", "b"}


def test_cap_queues_new_keys_and_a_queued_investigation_still_absorbs_its_alarms(
    make_store: StoreFactory,
) -> None:
    store = make_store(POLICY)
    outcomes = [store.claim(f"k{i}", f"a{i}@1", at(i)).outcome for i in range(5)]
    assert outcomes == ["started", "started", "started", "queued", "queued"]
    assert store.claim("k4", "b4@2", at(6)).outcome == "joined"  # joins the queued one, starts nothing
    # the next 15-minute window has room again
    assert store.claim("k5", "a5@1", at(15)).outcome == "started"
    by_key = {i.key: i for i in store.investigations()}
    assert [by_key[k].status for k in ("k0", "k3", "k4", "k5")] == ["running", "queued", "queued", "running"]
    assert by_key["k4"].alarms == ["a4@1", "b4@2"]


def test_zero_cap_queues_everything(make_store: StoreFactory) -> None:
    store = make_store(DedupePolicy(cap=0))
    assert store.claim("k", "a@1", at(0)).outcome == "queued"


def test_finish_and_unprocessed_are_kept(make_store: StoreFactory) -> None:
    store = make_store(POLICY)
    claim = store.claim("k", "a@1", at(0))
    store.finish(claim, "done", {"verdict": "no_fault", "summary": "quiet"})
    (inv,) = store.investigations()
    assert (inv.status, inv.result, inv.started_at) == (
        "done",
        {"verdict": "no_fault", "summary": "quiet"},
        at(0),
    )
    store.record_unprocessed({"detail-type": "nope"}, "detail-type: wrong", at(1))
    store.record_unprocessed(b"\xffnot json", "<event>: not JSON", at(2))
    assert [(u.at, u.error, u.raw) for u in store.unprocessed()] == [
        (at(1), "detail-type: wrong", '{"detail-type": "nope"}'),
        (at(2), "<event>: not JSON", "\ufffdnot json"),
    ]


def test_concurrent_claims_of_one_key_start_one_investigation(tmp_path: Path) -> None:
    # Two connections to one file, as two local processes would have: BEGIN IMMEDIATE serialises them.
    stores = [SQLiteStore(tmp_path / "t.db", POLICY) for _ in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(stores) * 5)

    def claim(store: SQLiteStore, n: int) -> None:
        barrier.wait()
        outcomes.append(store.claim("k", f"alarm{n}@1", at(0)).outcome)

    threads = [threading.Thread(target=claim, args=(s, n)) for n in range(5) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(outcomes) == {"started": 1, "joined": 19}
    (inv,) = stores[0].investigations()
    assert len(inv.alarms) == 5  # each alarm name once, however many workers saw it
    for store in stores:
        store.close()


class _Interleaved:
    """A real DynamoDB client that lets another worker's claim run just before this worker's first PutItem."""

    def __init__(self, client: Any, other: Callable[[], Claim]) -> None:
        self._client, self._other = client, other
        self.other_claim: Claim | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_item(self, **kwargs: Any) -> Any:
        if self.other_claim is None:
            self.other_claim = self._other()
        return self._client.put_item(**kwargs)


def test_dynamodb_claim_race_loser_joins_the_winner(moto_session: Callable[[str], Any]) -> None:
    """Both workers saw no investigation; the winner's PutItem lands first, the loser's conditional
    PutItem fails, and the loser joins the winner's investigation instead of overwriting it."""
    client = moto_session("dynamodb")
    create_table(client, "t")
    winner = DynamoDBStore(client, "t", POLICY)
    interleaved = _Interleaved(client, lambda: winner.claim("k", "a@1", at(0)))
    loser = DynamoDBStore(interleaved, "t", POLICY)
    joined = loser.claim("k", "b@1", at(0.5))
    assert interleaved.other_claim == Claim("started", investigation_id("k", at(0)), "k", 1)
    assert joined == Claim("joined", investigation_id("k", at(0)), "k", 2)
    item = client.get_item(TableName="t", Key={"pk": {"S": "inv#k"}})["Item"]
    assert item["status"]["S"] == "running" and sorted(item["alarms"]["SS"]) == ["a@1", "b@1"]
    window = client.get_item(TableName="t", Key={"pk": {"S": f"window#{int(T0.timestamp())}"}})["Item"]
    assert window["started"]["N"] == "1"  # one slot taken: the loser never reached the cap


def test_storm_of_100_events(make_store: StoreFactory) -> None:
    """100 events in 10 minutes: 12 resources, some OK transitions and some malformed events."""
    store = make_store(DedupePolicy(dedupe_minutes=30, cap=5, cap_window_minutes=15))
    investigator = FakeInvestigator()
    events: list[Any] = []
    for n in range(100):
        when = at(n * 0.1)  # 6 seconds apart
        state = "OK" if n % 10 == 4 else "ALARM"
        host = f"i-{n % 12:017d}"
        event = alarm_event(f"cpu-{host}-{n % 3}", {"InstanceId": host}, when, state=state)
        if n % 20 == 19:
            del event["detail"]["state"]["value"]
        events.append(event)
    results = [on_alarm(e, investigator, store) for e in events]
    counts = Counter(r["status"] for r in results)
    # 5 malformed (n=19,39,...); 10 OK (n%10==4); 85 ALARM on 12 hosts. Host 4's first ALARM is n=16
    # (n=4 is OK), so hosts 0-3 and 5 start, the other 7 are queued by the cap, and 73 join one of the 12.
    assert counts == {"unprocessed": 5, "ignored": 10, "investigated": 5, "queued": 7, "joined": 73}
    assert len(investigator.requests) == 5
    assert [r.scope.resources[0].id for r in investigator.requests] == [
        f"i-{h:017d}" for h in (0, 1, 2, 3, 5)
    ]
    invs = store.investigations()
    assert Counter(i.status for i in invs) == {"done": 5, "queued": 7}
    assert sum(len(i.alarms) for i in invs) == 85
    assert len(store.unprocessed()) == 5
    assert {u.error for u in store.unprocessed()} == {"detail.state.value: Field required"}
    assert '"alarmName": "cpu-i-00000000000000007-1"' in store.unprocessed()[0].raw  # n=19, kept whole


def test_take_queued_hands_out_the_oldest_when_a_window_has_room(make_store: StoreFactory) -> None:
    store = make_store(DedupePolicy(dedupe_minutes=30, cap=1, cap_window_minutes=15))
    assert store.claim("a", "x@1", at(0), "event-a").outcome == "started"
    assert store.claim("c", "x@1", at(2), "event-c").outcome == "queued"
    assert store.claim("b", "x@1", at(1), "event-b").outcome == "queued"  # arrived late, happened earlier
    assert store.take_queued(at(5)) is None  # this window's one slot is taken
    taken = store.take_queued(at(15))
    assert taken is not None
    assert (taken.key, taken.status, taken.payload, taken.alarms) == ("b", "running", "event-b", ["x@1"])
    assert store.take_queued(at(16)) is None  # and now that window's slot is used
    later = store.take_queued(at(30))
    assert later is not None and later.key == "c"
    assert store.take_queued(at(45)) is None  # nothing left
    assert {i.key: i.status for i in store.investigations()} == {
        "a": "running",
        "b": "running",
        "c": "running",
    }
