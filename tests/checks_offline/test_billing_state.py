"""The billing/entitlement/role vocabulary: concepts in any casing, not everyday look-alikes."""
from __future__ import annotations

import pytest

from launchready.billing_state import is_state_field

STATE = [("plan_status", "'active'"), ("planId", "plan"), ("PaymentStatus", "'paid'"), ("subscriptionId", "id"),
         ("stripe_customer_id", "id"), ("isPremium", "true"), ("subscriptionActive", "true"),
         ("credits", "FieldValue.increment(100)"), ("trialEndsAt", "date"), ("is_admin", "true"),
         ("role", "'admin'"), ("status", "'paid'"), ("customerId", "'cus_N1x2Y3z4'"), ("support-tier", "'gold'")]
NOT_STATE = [("displayName", "name"), ("planner", "x"), ("product", "x"), ("profile", "x"), ("progress", "1"),
             ("paymentMethod", "'card'"), ("paidBy", "uid"), ("customerId", "uid"), ("licensePlate", "'AB-12'"),
             ("balance", "0.5"), ("role", "'user'"), ("status", "'open'"), ("status", "'active'"),
             ("isPremium", "false"), ("plan", "'free'"), ("credits", "0"), ("content", "text")]


@pytest.mark.parametrize("name,value", STATE)
def test_state_fields(name: str, value: str) -> None:
    assert is_state_field(name, value)


@pytest.mark.parametrize("name,value", NOT_STATE)
def test_not_state(name: str, value: str) -> None:
    assert not is_state_field(name, value)


def test_fields_the_backend_writes_count_whatever_their_name() -> None:
    assert not is_state_field("receiptUrl", "url")
    assert is_state_field("receiptUrl", "url", extra=frozenset({"receipturl"}))
