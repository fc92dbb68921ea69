"""Zendesk support adapter: end users (create_or_update by email, tags by plan tier) and tickets.

Authenticates with an OAuth access token (`Authorization: Bearer`). Ticket creation carries an
`Idempotency-Key` (the support request id), so a retried task opens one ticket. The user's text
reaches agents escaped (`html_body`), never as markup.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from ...sync.providers.base import HttpProvider, TransientSyncError


def html_text(text: str) -> str:
    """User text as inert HTML: escaped (no markup, scripts or links of the user's making), newlines kept.
    Sent as `html_body` so Zendesk shows exactly what was typed and renders none of it."""
    return "<p>" + html.escape(str(text), quote=True).replace("\n", "<br>") + "</p>"


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
        ticket = {"subject": " ".join(str(request["subject"]).split()), "comment": {"html_body": html_text(request["message"])},
                  "requester": {"email": request["email"], "name": request["email"]},
                  "priority": request["priority"], "tags": list(request.get("tags") or []),
                  "external_id": request["id"]}
        body = self.call("POST", "/api/v2/tickets", json={"ticket": ticket},
                         headers={"Idempotency-Key": f"support-request-{request['id']}"})
        ticket_id = (body.get("ticket") or {}).get("id")
        if not ticket_id:
            raise TransientSyncError("zendesk ticket create returned no ticket id")
        return str(ticket_id)

    def tickets(self, ticket_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The tickets that exist among `ticket_ids`, by id (`tickets/show_many`, 100 a call)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ticket_ids), 100):
            ids = ",".join(str(i) for i in ticket_ids[start:start + 100])
            body = self.call("GET", f"/api/v2/tickets/show_many?ids={ids}")
            found.update({str(t.get("id")): t for t in body.get("tickets") or [] if isinstance(t, dict)})
        return found

    def delete_ticket(self, ticket_id: str) -> None:
        """Delete a ticket (smoke-test clean-up)."""
        self.call("DELETE", f"/api/v2/tickets/{ticket_id}")

    def delete_user(self, user_id: str) -> None:
        """Delete an end user (smoke-test clean-up)."""
        self.call("DELETE", f"/api/v2/users/{user_id}")
