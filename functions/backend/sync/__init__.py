"""Outbound sync to the CRM and the support desk: an outbox in Firestore (`sync_tasks`) and a worker."""
