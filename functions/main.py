"""Cloud Functions entry points (functions-framework targets; the names are part of the contract).

Serve one locally with `functions-framework --source functions/main.py --target <name> --port P`.
Only light modules load here; Firestore, Stripe and firebase-admin load on first use, so a cold
start stays well under a second. The target's required environment variables are checked at import
(functions-framework sets FUNCTION_TARGET first): a missing one stops the server with one line.
"""
from __future__ import annotations

import os
from typing import Any

import functions_framework
from backend.settings import ConfigurationError, check_environment


def _check_start() -> None:
    target = os.environ.get("FUNCTION_TARGET")
    if target:
        try:
            check_environment(target)
        except ConfigurationError as exc:
            raise SystemExit(str(exc)) from None


_check_start()


@functions_framework.http
def stripe_webhook(request: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Stripe → verified, deduplicated, applied to customers/{uid}, sync tasks enqueued."""
    from backend.webhook import handle, signing_secrets
    return handle(request, signing_secrets())


@functions_framework.cloud_event
def sync_worker(event: Any) -> None:
    """Firestore `sync_tasks/{id}` created → perform it; raising makes the platform retry."""
    from backend.sync.worker import run_task, task_id_from_event

    task_id = task_id_from_event(event.get("subject"), event.data)
    if task_id is None:
        from backend.logs import log
        log("WARNING", "sync worker received an event that names no sync task", subject=event.get("subject"))
        return
    run_task(task_id)


@functions_framework.cloud_event
def on_user_created(event: Any) -> None:
    """Firebase Auth user created → exactly one customers/{uid} (a redelivery changes nothing)."""
    from backend.customers import ensure_customer, new_user
    from backend.logs import log

    user = new_user(event.data)
    if user is None:
        log("WARNING", "user-created event names no user", subject=event.get("subject"), type=event.get("type"))
        return
    ensure_customer(*user)


@functions_framework.http
def request_support(request: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Authenticated support request → support_requests/{id}, routed and tagged, ticket task enqueued."""
    from backend.support import handle
    return handle(request, os.environ["GOOGLE_CLOUD_PROJECT"])


@functions_framework.http
def sweep(request: Any) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Cloud Scheduler (OIDC) → dead-letter expired parked events, rerun stuck sync tasks, pull missed Stripe events."""
    from backend.sweep import handle
    return handle(request)
