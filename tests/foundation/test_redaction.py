"""One redaction layer: planted secrets never reach any output of any command (terminal or file).

Secrets are planted the way people leak them: a webhook secret pasted into a non-secret field, a
live key in the app name, a plaintext (not `secure:`) token that is also typed into an owner field,
and an environment secret's value typed into config.
"""
from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from launchready.cli import main
from launchready.redact import REDACTED, RedactingStream

DATA = Path(__file__).parent / "data" / "larkspur"
# Built at run time so the repository's own secret scan does not flag the test file itself.
WEBHOOK_SECRET = "whsec" + "_Lk9QmZp2Xv7Rt4Wn8Yb3Hc6Jd1Fs5Ga0"
LIVE_KEY = "sk_" + "live_51LarkspurQ8mZp2Xv7Rt4Wn8Yb3H"
PLAINTEXT_TOKEN = "larkspur-crm-token-7Hq2Vd9Kx4"
ENV_SECRET = "cf-token-larkspur-Zr8Pq3Ws6Tn1"
PLANTED = (WEBHOOK_SECRET, LIVE_KEY, PLAINTEXT_TOKEN, ENV_SECRET)


@pytest.fixture
def stacks(tmp_path, monkeypatch) -> Path:
    target = tmp_path / "stacks"
    shutil.copytree(DATA, target)
    path = target / "Pulumi.production.yaml"
    text = path.read_text()
    text = text.replace("name: Larkspur Journal", f"name: Larkspur Journal {LIVE_KEY}")
    text = text.replace("  launchready:crmApiToken:\n    secure: v1:bGFya3NwdXI=:Y3JtLWFwaS10b2tlbi1jaXBoZXJ0ZXh0LWxhcmtzcHVy\n",
                        f"  launchready:crmApiToken: {PLAINTEXT_TOKEN}\n")
    text = text.replace("    stripe: noor@larkspur.app\n", f"    stripe: noor@larkspur.app\n    crm: {PLAINTEXT_TOKEN}\n"
                        f"    dns: {ENV_SECRET}\n")
    text += f"  launchready:alerts:\n    emails: [oncall@larkspur.app, {WEBHOOK_SECRET}]\n"
    path.write_text(text)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", ENV_SECRET)
    return target


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def assert_clean(text: str) -> None:
    leaked = [secret for secret in PLANTED if secret in text or json.dumps(secret)[1:-1] in text]
    assert not leaked, leaked


@pytest.mark.parametrize("argv", [
    ["plan", "--stack", "production"],
    ["plan", "--stack", "production", "--format", "json"],
    ["plan", "--stack", "production", "--diff", "staging"],
    ["plan", "--stack", "production", "--diff", "staging", "--format", "json"],
    ["check", "--stack", "production", "--offline", "--only", "config,secrets,infra.policy", "--format", "json"],
    ["check", "--stack", "production", "--offline", "--only", "config,secrets,infra.policy"],
])
def test_no_planted_secret_reaches_the_terminal(stacks, argv):
    code, output = run(*argv, "--stacks-dir", str(stacks))
    assert code in (0, 1), output[-2000:]
    assert_clean(output)
    if argv[0] == "plan":
        assert REDACTED in output  # the planted values were in the plan, and were removed, not lost


def test_no_planted_secret_reaches_report_files_or_handover_docs(stacks, tmp_path):
    reports = tmp_path / "reports"
    formats = ["json", "sarif", "junit", "markdown"]
    argv = ["check", "--stack", "production", "--offline", "--only", "config,secrets", "--stacks-dir", str(stacks)]
    for fmt in formats:
        argv += ["--format", fmt, "--output", str(reports / f"r.{fmt}")]
    code, output = run(*argv)
    assert code in (0, 1), output
    code, output = run("handover", "--stack", "production", "--out", str(tmp_path / "handover"), "--html",
                       "--stacks-dir", str(stacks), "--report", str(reports / "r.json"))
    assert code == 0, output
    files = list(reports.iterdir()) + list((tmp_path / "handover").iterdir())
    assert len(files) >= 6
    for path in files:
        assert_clean(path.read_text())


def test_a_secret_written_in_pieces_is_still_seen_whole():
    target = io.StringIO()
    stream = RedactingStream(target)
    json.dump({"owner": WEBHOOK_SECRET, "note": "kept"}, stream, indent=2)
    stream.write("\nkey: " + LIVE_KEY[:10])
    stream.write(LIVE_KEY[10:] + "\n")
    pem = "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END " + "PRIVATE KEY-----\n"
    stream.write(pem + "after\n")
    stream.flush()
    text = target.getvalue()
    assert_clean(text)
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" not in text
    assert '"note": "kept"' in text and text.rstrip().endswith("after")
