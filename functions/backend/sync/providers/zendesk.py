"""Zendesk support adapter: end users (create_or_update by email, tags by plan tier) and tickets.

Authenticates with an OAuth access token (`Authorization: Bearer`). Ticket creation carries an
`Idempotency-Key` (the support request id), so a retried task opens one ticket.
"""
from __future__ import annotations

from typing import Any, Mapping

from ...sync.providers.base import HttpProvider, TransientSyncError


def user_tags(customer: Mapping[str, Any]) -> list[str]:
    return [f"plan_{customer.get('support_tier') or 'free'}", f"status_{customer.get('plan_status') or 'none'}"]


class ZendeskSupport(HttpProvider):
    name = "zendesk"

    def upsert_user(self, customer: Mapping[str, Any]) -> str:
        user = {"email": customer["email"], "name": customer.get("name") or customer["email"],
                "external_id": customer.get("uid"), "role": "end-user"}
        body = self.call("POST", "/api/v2/users/create_or_update", json={"user": user})
        user_id = (body.get("user") or {}).get("id")
        if not user_id:
            raise TransientSyncError("zendesk create_or_update returned no user id")
        self.call("PUT", f"/api/v2/users/{user_id}/tags", json={"tags": user_tags(customer)})
        return str(user_id)

    def create_ticket(self, request: Mapping[str, Any], customer: Mapping[str, Any]) -> str:
        ticket = {"subject": request["subject"], "comment": {"body": request["message"]},
                  "requester": {"email": request["email"], "name": request["email"]},
                  "priority": request["priority"], "tags": list(request.get("tags") or []),
                  "external_id": request["id"]}
        body = self.call("POST", "/api/v2/tickets", json={"ticket": ticket},
                         headers={"Idempotency-Key": f"support-request-{request['id']}"})
        ticket_id = (body.get("ticket") or {}).get("id")
        if not ticket_id:
            raise TransientSyncError("zendesk ticket create returned no ticket id")
        return str(ticket_id)
