"""Stripe list endpoints read page by page (`GET /v1/events`, subscriptions, customers), bounded.

Shared by the scheduled sweep (missed deliveries) and `launchready reconcile`. A 429 is waited out
(Retry-After, capped) a bounded number of times; every page is one short call; a listing stops at
`max_items` and says so (`truncated`), so a huge window never becomes an unbounded run. Stripe keeps
events for 30 days: an older `since` is raised to that horizon (`bounded`).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .events import HANDLED_EVENTS, STRIPE_API_VERSION
from .stripe_lookup import api_client

EVENT_RETENTION_SECONDS = 30 * 24 * 3600
PAGE_SIZE = 100
MAX_RATE_LIMIT_WAITS = 5
MAX_RETRY_AFTER_SECONDS = 30.0


class ListingError(RuntimeError):
    """Stripe refused or failed a listing (after the bounded retries): one line, no key."""


@dataclass
class Listing:
    items: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False          # stopped at max_items: more exist
    bounded_since: int | None = None  # `since` was raised to Stripe's event retention horizon
    pages: int = 0
    rate_limited: int = 0


def events_since(since: int, *, max_items: int = 5000, types: Iterable[str] = HANDLED_EVENTS,
                 now: float | None = None, sleep: Callable[[float], None] = time.sleep) -> Listing:
    """Events of `types` created after `since` (seconds), oldest first."""
    horizon = int((time.time() if now is None else now) - EVENT_RETENTION_SECONDS)
    params: dict[str, Any] = {"created": {"gt": max(since, horizon)}, "types": list(types)}
    listing = _list("events", params, max_items, sleep)
    listing.bounded_since = horizon if since < horizon else None
    listing.items.sort(key=lambda e: (e.get("created") or 0, e.get("id") or ""))
    return listing


def objects(kind: str, *, max_items: int = 5000, params: dict[str, Any] | None = None,
            sleep: Callable[[float], None] = time.sleep) -> Listing:
    """Every `kind` object (`subscriptions`, `customers`), newest first as Stripe lists them."""
    return _list(kind, dict(params or {}), max_items, sleep)


def _list(kind: str, params: dict[str, Any], max_items: int, sleep: Callable[[float], None]) -> Listing:
    import stripe

    service = getattr(api_client(STRIPE_API_VERSION).v1, kind)
    listing, after = Listing(), None
    while len(listing.items) < max_items:
        page_params = {**params, "limit": min(PAGE_SIZE, max_items - len(listing.items))}
        if after:
            page_params["starting_after"] = after
        try:
            page = service.list(page_params)
        except stripe.RateLimitError as exc:
            if listing.rate_limited >= MAX_RATE_LIMIT_WAITS:
                raise ListingError(f"Stripe {kind}: still rate limited after {listing.rate_limited} waits") from None
            listing.rate_limited += 1
            sleep(_retry_after(exc))
            continue
        except stripe.StripeError as exc:
            raise ListingError(f"Stripe {kind}: {type(exc).__name__} (HTTP {exc.http_status})") from None
        listing.pages += 1
        data = [item.to_dict() for item in page.data]
        listing.items.extend(data)
        if not page.has_more or not data:
            return listing
        after = data[-1]["id"]
    listing.truncated = True
    return listing


def _retry_after(exc: Any) -> float:
    try:
        seconds = float((exc.headers or {}).get("Retry-After") or 1)
    except (TypeError, ValueError):
        seconds = 1.0
    return min(MAX_RETRY_AFTER_SECONDS, max(0.0, seconds))
