"""HubSpot CRM adapter: contacts upserted by email (`/crm/v3/objects/contacts/batch/upsert`).

Upsert by the unique `email` property is idempotent, so a retried task never duplicates a contact.
The custom contact properties `firebase_uid`, `plan_status`, `plan_id` and `support_tier` must exist
in the HubSpot account (Settings → Properties).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...sync.providers.base import HttpProvider, TransientSyncError

CONTACT_PROPERTIES = ("email", "firebase_uid", "plan_status", "plan_id", "support_tier")


class HubSpotCrm(HttpProvider):
    name = "hubspot"

    def upsert_contact(self, customer: Mapping[str, Any]) -> str:
        properties = {"email": customer["email"], "firebase_uid": customer.get("uid") or "",
                      "plan_status": customer.get("plan_status") or "none",
                      "plan_id": customer.get("plan_id") or "", "support_tier": customer.get("support_tier") or ""}
        body = self.call("POST", "/crm/v3/objects/contacts/batch/upsert",
                         json={"inputs": [{"idProperty": "email", "id": customer["email"], "properties": properties}]})
        results = body.get("results") or []
        if not results or not results[0].get("id"):
            raise TransientSyncError("hubspot upsert returned no contact id")
        return str(results[0]["id"])

    def read_contacts(self, emails: list[str]) -> dict[str, dict[str, Any]]:
        """Contact properties by (lower-case) email, for those that exist (`batch/read`, 100 a call)."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(emails), 100):
            body = self.call("POST", "/crm/v3/objects/contacts/batch/read", json={
                "idProperty": "email", "properties": list(CONTACT_PROPERTIES),
                "inputs": [{"id": email} for email in emails[start:start + 100]]})
            for contact in body.get("results") or []:
                properties = contact.get("properties") or {}
                if properties.get("email"):
                    found[str(properties["email"]).lower()] = {**properties, "id": str(contact.get("id"))}
        return found

    def delete_contact(self, contact_id: str) -> None:
        """Archive a contact (HubSpot's DELETE moves it to the recycle bin): smoke-test clean-up."""
        self.call("DELETE", f"/crm/v3/objects/contacts/{contact_id}")
