"""The scanner library: detectors, the one combined pattern, walking rules, allow-lists, redaction."""
from __future__ import annotations

from pathlib import Path

import pytest

from launchready.checks.framework.base import Severity
from launchready.redact import REDACTED, redact, redact_text
from launchready.secrets import DETECTORS, Detector, scan_bytes, scan_tree
from launchready.secrets.registry import DetectorSet, pattern_source
from tests.checks_offline.flutter_fixture import (
    ALL_SECRET_VALUES,
    FIREBASE_KEY,
    PLANTED,
    PRIVATE_KEY_FOOTER,
    PRIVATE_KEY_HEADER,
    PUBLISHABLE_LIVE,
    STRIPE_LIVE,
    fake,
    line_of,
)


def test_fixture_app_reports_exactly_the_planted_secrets(flutter_app: Path) -> None:
    result = scan_tree(flutter_app)
    found = {(h.path, h.line, h.detector.name, h.ships) for h in result.hits}
    expected = {(p.path, line_of(flutter_app, p), p.detector, p.ships) for p in PLANTED}
    assert found == expected
    # pk_ keys and Firebase keys in firebase_options.dart / google-services.json / GoogleService-Info.plist
    assert result.public_by_design == 6
    assert result.skipped_binary == 1  # assets/config/blob.dat (logo.png is skipped by its suffix)


def test_shipping_makes_a_secret_worse(flutter_app: Path) -> None:
    hits = {h.path: h for h in scan_tree(flutter_app).hits}
    assert hits[".env"].severity is Severity.HIGH                      # test key, not bundled
    assert hits["lib/maps.dart"].severity is Severity.MEDIUM           # low Google key, raised: compiled in
    assert not hits["android/app/upload-key.pem"].ships
    assert hits[".env.production"].ships                               # listed under flutter: assets:
    assert hits["assets/config/service_account.json"].ships            # inside an asset folder


def test_ignored_paths_are_never_read(flutter_app: Path) -> None:
    scanned = {h.path for h in scan_tree(flutter_app).hits}
    for skipped in ("build/app/outputs/flutter_assets/.env", ".dart_tool/package_config.json",
                    "ios/Pods/SomeSdk/config.h", "secrets-local/dev.env", "android/local.properties",
                    "docs/examples/setup.md"):
        assert (flutter_app / skipped).is_file()
        assert skipped not in scanned


@pytest.mark.parametrize("value, name", [
    (fake("sk_", "live_", "a1" * 12), "stripe-live-secret-key"),
    (fake("sk_", "test_", "a1" * 12), "stripe-test-secret-key"),
    (fake("rk_", "live_", "a1" * 12), "stripe-live-restricted-key"),
    (fake("rk_", "test_", "a1" * 12), "stripe-test-restricted-key"),
    (fake("whsec_", "a1" * 16), "stripe-webhook-secret"),
    (fake("pat-", "eu1-", "3f2a9c1e-7b6d-4e0f-8a1b-2c3d4e5f6a7b"), "hubspot-private-app-token"),
    (fake("https://x/?hap", "ikey=", "3f2a9c1e-7b6d-4e0f-8a1b-2c3d4e5f6a7b"), "hubspot-api-key"),
    (fake("agent@acme.com/", "token:", "A1" * 20), "zendesk-basic-auth-token"),
    (fake("zendesk", "Token: '", "A1" * 20, "'"), "zendesk-api-token"),
    (fake("GOCSPX", "-", "a" * 28), "google-oauth-client-secret"),
    (fake("Authorization: ", "Bearer ", "eyJhbGciOi.1234567890abcdef"), "bearer-token"),
    (fake(PRIVATE_KEY_HEADER, "\nMIIB\n", PRIVATE_KEY_FOOTER), "private-key"),
])
def test_each_detector_fires_once(value: str, name: str) -> None:
    hits = scan_bytes(f"first line\nx = {value}\n".encode())
    assert [(line, d.name) for line, d in hits] == [(2, name)]


@pytest.mark.parametrize("text", [
    "sk_live_short", "Bearer $token", "bearer authenticationRequiredForThis", "pat-na1-not-a-uuid",
    "zendesk_token = os.environ['ZENDESK_TOKEN']", "-----BEGIN PUBLIC KEY-----", "whsec_",
])
def test_lookalikes_do_not_fire(text: str) -> None:
    assert scan_bytes(text.encode()) == []


def test_allow_marker_suppresses_only_its_line() -> None:
    data = f"a = '{STRIPE_LIVE}'  # launchready: allow-secret\nb = '{STRIPE_LIVE}'\n".encode()
    assert [line for line, _ in scan_bytes(data)] == [2]


def test_the_prefix_prefilter_finds_exactly_what_the_pattern_finds() -> None:
    """`matches` (RE2 finds the prefixes, the pattern runs there) == `bytes_pattern.finditer`, on
    overlapping prefixes, a secret inside a bearer header, runs of dashes and random code around them."""
    import random

    compiled, rng = DetectorSet(), random.Random(7)
    prefixes = [p for d in DETECTORS for p in d.prefixes]
    pieces = [*prefixes, "a1" * 12, "Bearer ", "-" * 6 + "BEGIN PRIVATE" + " KEY-----", "-" * 5 + "END PRIVATE" + " KEY-----",
              "sk_sk_live_", "pat-na1-", "0123456789abcdef-", " ", "\n", "'", '"', "/", "=", ":"]
    samples = [f"Authorization: Bearer {STRIPE_LIVE}\nx = '{STRIPE_LIVE}'\n".encode(), b"", b"sk_live_"]
    samples += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 400))).encode() for _ in range(300)]
    for data in samples:
        assert [m.span() for m in compiled.matches(data)] == [m.span() for m in compiled.bytes_pattern.finditer(data)]


def test_huge_files_are_skipped_and_listed(tmp_path: Path) -> None:
    (tmp_path / "dump.sql").write_text(f"-- {STRIPE_LIVE}\n" + "x" * 2048)
    result = scan_tree(tmp_path, max_file_bytes=1024)
    assert result.hits == [] and result.skipped_large == ["dump.sql"]


def test_one_combined_pattern_finds_every_detector_in_one_pass() -> None:
    compiled = DetectorSet()
    assert compiled.bytes_pattern.pattern.decode() == compiled.text_pattern.pattern == pattern_source()
    assert compiled.bytes_pattern.groups == 0  # groups would switch off the first-character prefilter
    line = " ; ".join(f"{p}{'a1' * 20}" for d in DETECTORS for p in d.prefixes if d.name.startswith("stripe"))
    names = {d.name for _, d in scan_bytes(line.encode())}
    assert names == {d.name for d in DETECTORS if d.name.startswith("stripe")}
    with pytest.raises(ValueError, match="groups"):
        DetectorSet((Detector("bad", "bad", ("x_",), r"(a|b)+", Severity.LOW),))
    with pytest.raises(ValueError, match="prefixes"):
        DetectorSet((Detector("bad", "bad", ("",), r"a+", Severity.LOW),))


def test_public_by_design_is_per_file(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "firebase_options.dart").write_text(f"apiKey: '{FIREBASE_KEY}'\n")
    (tmp_path / "lib" / "other.dart").write_text(f"const key = '{FIREBASE_KEY}';\nconst pk = '{PUBLISHABLE_LIVE}';\n")
    result = scan_tree(tmp_path)
    assert [(h.path, h.detector.name) for h in result.hits] == [("lib/other.dart", "google-api-key")]
    assert result.public_by_design == 2


def test_redaction_uses_the_detectors() -> None:
    for value in ALL_SECRET_VALUES:
        assert value not in redact_text(f"ZENDESK_API_TOKEN={value} end")
    block = f"{PRIVATE_KEY_HEADER}\nMIIEvQ\n{PRIVATE_KEY_FOOTER}\nafter"
    assert redact_text(block) == f"{REDACTED}\nafter"
    assert redact({"a": [f"key {STRIPE_LIVE}"], "n": 3}) == {"a": [f"key {REDACTED}"], "n": 3}
