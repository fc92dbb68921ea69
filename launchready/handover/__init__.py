"""Handover documentation: what a new owner of an environment needs, generated from the same typed
config, plan and readiness report the rest of launchready uses (never from hand-kept notes)."""
