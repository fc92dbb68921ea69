"""functions.*: the deployable backend's contracts (webhook verification, idempotency, event list)."""
