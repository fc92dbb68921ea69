"""`reconcile`'s window parsing and its three renderings, on findings built by hand (no services)."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from launchready.commands.reconcile import parse_since
from launchready.errors import UsageError
from launchready.triage.reconcile import Findings
from launchready.triage.report import render

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, expected", [
    ("90m", NOW.timestamp() - 5400), ("36h", NOW.timestamp() - 36 * 3600), ("7d", NOW.timestamp() - 7 * 86400),
    ("2026-12-01T09:00", datetime(2026, 12, 1, 9, tzinfo=UTC).timestamp()),
    ("2026-12-01T10:00+01:00", datetime(2026, 12, 1, 9, tzinfo=UTC).timestamp()), (None, None)])
def test_since_takes_iso_times_and_spans(value, expected):
    assert parse_since(value, NOW) == (int(expected) if expected is not None else None)


@pytest.mark.parametrize("value", ["next tuesday", "7w", "-3d", "2027-01-01"])
def test_a_bad_or_future_since_is_a_usage_error(value):
    with pytest.raises(UsageError, match="--since"):
        parse_since(value, NOW)


def _findings() -> Findings:
    findings = Findings("staging", False, int(NOW.timestamp()) - 86400, int(NOW.timestamp()))
    for i in range(7):
        findings.found("event_not_stored", {"event": f"evt_{i}", "type": "invoice.paid", "created": "2026-12-06"})
    findings.found("crm_stale", {"uid": "rider|7", "contact": "501",
                                 "fields": {"plan_status": {"crm": "active", "firestore": "canceled"}}})
    findings.skipped["support tickets exist in the desk"] = "no support token: set SUPPORT_API_TOKEN"
    findings.notes.append("window bounded to Stripe's 30-day event retention")
    findings.parked_ages = {"< 1 h": 2}
    return findings


def test_text_json_and_markdown_say_the_same_things():
    findings = _findings()
    text, data, md = render(findings, "text"), json.loads(render(findings, "json")), render(findings, "markdown")
    assert "event_not_stored: 7 - Stripe events never stored" in text and text.count("e.g. event=evt_") == 5
    assert "skipped support tickets exist in the desk: no support token" in text and "DRIFT: 8 finding(s)" in text
    assert data["total"] == 8 and [d["count"] for d in data["drift"]] == [7, 1]
    assert len(data["drift"][0]["examples"]) == 5 and data["parked_by_age"] == {"< 1 h": 2}
    assert "| Stripe events never stored (`event_not_stored`) | 7 |" in md
    assert "rider\\|7" in md and "## Not compared" in md and "> window bounded" in md


def test_no_drift_but_skipped_comparisons_is_called_partial():
    findings = Findings("dev", True, 0, 1, skipped={"crm_missing, crm_stale": "no crm token"})
    assert render(findings, "text").rstrip().endswith("NO DRIFT (partial: some comparisons skipped)")
