"""In-order equivalence: shuffled, duplicated, concurrent deliveries of every handled event type
(refunds and disputes included) end in the in-order state — 50 seeded runs on the real emulator."""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from launchready.functions.backend.webhook import record_event
from launchready.sandbox.stubs import stripe_events as se
from tests.functions.helpers import docs, state
from tests.functions.scenarios import everything

RUNS = 50
WAVE = 3            # deliveries in flight at once (each conflict costs the emulator ~2 s)


def _deliver(db, events, rng: random.Random) -> None:
    """Shuffle, duplicate a third, and deliver in concurrent waves."""
    batch = events + rng.sample(events, len(events) // 3)
    rng.shuffle(batch)
    with ThreadPoolExecutor(WAVE) as pool:
        for start in range(0, len(batch), WAVE):
            list(pool.map(lambda evt: record_event(evt, db), batch[start:start + WAVE]))


@pytest.mark.parametrize("chunk", range(5))
def test_any_delivery_order_ends_in_the_in_order_state(db, stripe_api, firestore_db, chunk):
    versions = se.fixture_versions()
    for seed in range(chunk * RUNS // 5, (chunk + 1) * RUNS // 5):
        firestore_db.reset()
        rng = random.Random(seed)
        version = versions[seed % len(versions)]
        sc = everything(version, f"s{seed}")
        stripe_api.objects.clear()
        stripe_api.invoice_payments.clear()
        for obj in sc.api_objects:
            stripe_api.add_object(obj)
        _deliver(db, sc.events, rng)
        final = state(db, sc.uid)
        assert {k: final[k] for k in sc.expected} == sc.expected, (seed, version)
        records = docs(db, "stripe_events")
        assert len(records) == len(sc.events), seed
        assert {r["status"] for r in records.values()} <= {"applied", "no_change", "ignored"}, \
            (seed, version, sorted((r["created"], r["type"], r["status"]) for r in records.values()))


def test_the_in_order_state_is_the_expected_one(db, stripe_api):
    sc = everything(se.fixture_versions()[-1], "inorder")
    for obj in sc.api_objects:
        stripe_api.add_object(obj)
    for evt in sc.events:
        record_event(evt, db)
    final = state(db, sc.uid)
    assert {k: final[k] for k in sc.expected} == sc.expected
