"""Which stored fields are billing, entitlement or role state: state a client must never set itself.

Names differ per app (`plan_status`, `isPremium`, `stripeCustomerId`, `PremiumUserData.paymentStatus`),
so a field is recognised by concept in any casing, not by a fixed list; plus any field the project's own
backend writes from a payment webhook. Role and status fields count only with a value that grants
something (`role: 'admin'`, `status: 'paid'`): `role: 'user'` on a chat message is not a self-grant.
"""
from __future__ import annotations

import re

# Matched against the name lower-cased with `_`, `-` and `.` removed (`stripe_customer_id` -> stripecustomerid).
_ANYWHERE = r"premium|subscription|stripe|billing|entitlement|revenuecat|purchasetoken|crmcontact|supporttier"
# Exact or anchored where a looser word has everyday meanings: `paidBy` (who paid a shared expense),
# `customerId` (the buyer on an order), `licensePlate`, `balance` of a split bill.
_PREFIX = (r"plan(?!n|et)|paid$|paidat$|paiduntil|paymentstatus|paymentid|paymentintent|payment$|ispaid|ispro$|"
           r"pro$|vip|credits?$|creditbalance|coins|tokenbalance|walletbalance|tier$|trial|"
           r"isadmin|issuperadmin|superadmin|admin$|issubscribed|subscribed$|licen[cs]e(?:key|status|expir\w*)?$|"
           r"membership|haspaid|hasaccess|unlocked|lifetime")
STATE_FIELD = re.compile(rf"(?:{_ANYWHERE})|^(?:is|has|current|active|user|account)?(?:{_PREFIX})")
ROLE_FIELD = re.compile(r"^(?:user|account)?(?:role|roles|type|usertype|accounttype|accesslevel)$")
STATUS_FIELD = re.compile(r"^(?:order|payment|account|user)?(?:status|state)$")
GRANTING_ROLE = re.compile(r"""^['"](?:admin|superadmin|super_admin|owner|moderator|staff)['"]$""", re.I)
GRANTING_STATUS = re.compile(r"""^['"](?:paid|premium|pro|trialing|succeeded|subscribed)['"]$""", re.I)
# A value only a payment provider issues (Stripe customer, subscription, price, payment intent ids).
PROVIDER_ID = re.compile(r"""^['"](?:cus|sub|price|pi|in|ch)_[A-Za-z0-9]{6,}""")
# A literal default written at sign-up (`isPremium: false`, `credits: 0`) grants nothing.
NEUTRAL_VALUE = re.compile(r"""^(?:false|0|0\.0|null|''|""|'(?:free|none|inactive|user)'|"(?:free|none|inactive|user)")$""")


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_state_field(name: str, value: str | None = None, extra: frozenset[str] = frozenset()) -> bool:
    """True when writing `value` (Dart/JS source text, None if unknown) to field `name` sets billing,
    entitlement or role state. `extra` holds normalised names the project's backend owns."""
    key = normalise(name.split(".")[0])
    value = (value or "").strip()
    if value and NEUTRAL_VALUE.match(value):
        return False
    if key in extra or STATE_FIELD.search(key) or PROVIDER_ID.match(value):
        return True
    if ROLE_FIELD.match(key):
        return bool(GRANTING_ROLE.match(value))
    if STATUS_FIELD.match(key):
        return bool(GRANTING_STATUS.match(value))
    return False
