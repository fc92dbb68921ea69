"""Stable log messages that alerting matches on: the functions log them, the infra program's
log-based metrics filter on them. Change one here and both sides follow."""
from __future__ import annotations

SYNC_DEAD_LETTERED = "sync task dead-lettered"
WEBHOOK_EVENT_UNMATCHED = "stripe webhook event unmatched"          # parked past its bound: dead letter
WEBHOOK_EVENT_REJECTED = "stripe webhook event rejected"            # verified but cannot be applied
WEBHOOK_ALERT_MESSAGES: tuple[str, ...] = (WEBHOOK_EVENT_UNMATCHED, WEBHOOK_EVENT_REJECTED)
