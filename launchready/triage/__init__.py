"""Triage on a running environment: `reconcile` (drift between Stripe, Firestore, the CRM and the support desk) and `smoke` (acceptance criteria)."""
