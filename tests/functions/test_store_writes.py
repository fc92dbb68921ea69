"""The transaction's raw `Write` protobufs are exactly what the Firestore library would send.

`store._raw_write` builds create / set / update writes straight on the protobuf (the webhook's hot
path); for every document shape the handlers write it must equal the library's `pbs_for_*` output,
and for anything else (sentinels other than a top-level SERVER_TIMESTAMP, references, dotted update
paths, subclasses) it must step aside so the library encodes it (or raises its own error).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.transforms import DELETE_FIELD, SERVER_TIMESTAMP, ArrayUnion, Increment

from launchready.functions.backend import store
from launchready.functions.backend.customers import new_customer

PATH = "projects/p/databases/(default)/documents/customers/u1"
NOW = datetime(2026, 12, 7, 16, 0, 0, 123456, tzinfo=UTC)

DOCS = [
    {},
    {"a": 1},
    new_customer("u1", "a@example.com"),
    {"type": "customer.subscription.updated", "created": 1765000000, "livemode": False, "api_version": None,
     "api_version_supported": True, "uid": "u1", "status": "applied", "changed": ["has_access", "plan_status"],
     "refs": ["cus_1", "sub_1"], "object_id": "sub_1", "tasks": [], "transaction_attempts": 1,
     "expire_at": NOW + timedelta(days=30), "received_at": SERVER_TIMESTAMP},
    {"target": "crm", "action": "upsert_contact", "uid": "u1", "source": "stripe_events/evt_1", "status": "pending",
     "attempts": 0, "last_error": None, "next_attempt_at": NOW, "lease_until": None, "created_at": SERVER_TIMESTAMP,
     "updated_at": SERVER_TIMESTAMP},
    {"plan_status": "active", "has_access": True, "versions": {"plan_status": "000000000001:evt_a"},
     "last_event_at": 1765000000},
    {"versions": {}, "list": [], "nested": {"a": {"b": [1, 2.5, "x", None, True, {"c": b"\x00"}]}}},
    {"with.dot": 1, "with space": "x", "ünï": -2 ** 63, "f": float("inf"), "t": (1, 2)},
    {"naive": datetime(2026, 1, 1, 12, 0, 0), "nanos": DatetimeWithNanoseconds(2026, 1, 1, nanosecond=5,
                                                                             tzinfo=UTC)},
    {"only_stamp": SERVER_TIMESTAMP},
    {"uid": "u1", "stripe_id": "cus_1", "linked_at": SERVER_TIMESTAMP},
]


def library(kind: str, data: dict):
    if kind == "create":
        return _helpers.pbs_for_create(PATH, data)[0]._pb
    if kind == "set":
        return _helpers.pbs_for_set_no_merge(PATH, data)[0]._pb
    return _helpers.pbs_for_update(PATH, data, None)[0]._pb


def raw(kind: str, data: dict):
    store._transaction_class()   # loads the protobuf types
    if kind == "create":
        return store._raw_write(PATH, data, exists=False)
    if kind == "set":
        return store._raw_write(PATH, data)
    return store._raw_write(PATH, data, update=True)


@pytest.mark.parametrize("kind", ["create", "set", "update"])
@pytest.mark.parametrize("data", DOCS, ids=range(len(DOCS)))
def test_raw_write_is_the_library_write(kind, data):
    if kind == "update" and (not data or any("." in k or " " in k or not k.isascii() for k in data)):
        assert raw(kind, data) is None   # an empty update (the library raises) or a field path: the library's
        return
    ours = raw(kind, data)
    assert ours is not None
    theirs = library(kind, data)
    assert ours._pb == theirs
    assert ours._pb.HasField("update_mask") == theirs.HasField("update_mask")
    assert ours._pb.HasField("current_document") == theirs.HasField("current_document")


@pytest.mark.parametrize("data", [
    {"a": DELETE_FIELD}, {"a": {"b": SERVER_TIMESTAMP}}, {"a": ArrayUnion([1])}, {"a": Increment(1)},
    {"a": [SERVER_TIMESTAMP]}, {"a": {1: "x"}}, {"a": {"x", "y"}}, {"a": 2 ** 64}, {"a": object()},
    {"`quoted`": SERVER_TIMESTAMP}, {"a.b": SERVER_TIMESTAMP},
], ids=["delete", "nested-timestamp", "array-union", "increment", "timestamp-in-list", "int-key", "set",
        "too-big", "object", "quoted-path-timestamp", "dotted-path-timestamp"])   # stable ids: xdist workers must agree
@pytest.mark.parametrize("kind", ["create", "set", "update"])
def test_anything_else_is_left_to_the_library(kind, data):
    assert raw(kind, data) is None


def test_update_field_paths_are_left_to_the_library():
    assert raw("update", {"versions.plan_status": "x"}) is None
    assert raw("update", {"a": 1, "b.c": 2}) is None
