"""The environment model: good stack files load; bad ones give one line per problem, exit 2."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from launchready.config.model import ConfigError, Secret, list_stacks, load_stack

REPO = Path(__file__).resolve().parents[2]
STACKS = REPO / "stacks"


@pytest.fixture
def stacks_dir(tmp_path: Path) -> Path:
    for name in ("dev", "staging", "prod"):
        shutil.copy(STACKS / f"Pulumi.{name}.yaml", tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_example_stacks_load(stack: str) -> None:
    config = load_stack(STACKS, stack)
    assert config.environment == stack
    assert config.stack == stack
    assert config.gcp.project_id == f"acme-notes-{stack}"
    assert config.stripe.mode == ("live" if stack == "prod" else "test")
    assert all(not s.is_plaintext and s.ciphertext for s in config.secrets().values())


def test_environment_defaults_follow_the_environment() -> None:
    prod, dev = load_stack(STACKS, "prod"), load_stack(STACKS, "dev")
    assert prod.firestore.delete_protection and prod.firestore.point_in_time_recovery and prod.firestore.backups
    assert not dev.firestore.delete_protection and not dev.firestore.point_in_time_recovery
    assert prod.blocking_severities == ["critical", "high"]
    assert dev.blocking_severities == ["critical"]
    assert prod.app_hostnames == ["acmenotes.com", "www.acmenotes.com"]
    assert prod.webhook_url == "https://api.acmenotes.com/stripe_webhook"


def test_blocking_severities_overridable(stacks_dir: Path) -> None:
    path = stacks_dir / "Pulumi.dev.yaml"
    path.write_text(path.read_text() + "  launchready:blockingSeverities: [critical, high, medium]\n")
    assert load_stack(stacks_dir, "dev").blocking_severities == ["critical", "high", "medium"]


def test_list_stacks(stacks_dir: Path) -> None:
    assert list_stacks(stacks_dir) == ["dev", "prod", "staging"]


def test_unknown_stack_names_the_known_ones(stacks_dir: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_stack(stacks_dir, "nope")
    assert err.value.problems == [f"{stacks_dir / 'Pulumi.nope.yaml'}: no such stack 'nope' "
                                  f"(stacks in {stacks_dir}: dev, prod, staging)"]


def test_missing_key_is_one_line_naming_file_and_key(stacks_dir: Path) -> None:
    path = stacks_dir / "Pulumi.dev.yaml"
    edit(path, "  launchready:stripe:\n    mode: test\n    apiVersion: \"2024-06-20\"\n", "")
    with pytest.raises(ConfigError) as err:
        load_stack(stacks_dir, "dev")
    assert err.value.problems == [f"{path}: launchready:stripe: missing required key (payments: stripe; set "
                                  "`launchready:payments: none` if the app takes no payments)"]


def test_every_problem_gets_its_own_line(stacks_dir: Path) -> None:
    path = stacks_dir / "Pulumi.prod.yaml"
    edit(path, "sslMode: strict", "sslMode: sorta")
    edit(path, "dmarcRua: mailto:", "dmarcRua: ")
    edit(path, "projectId: acme-notes-prod", "projectId: Acme_Notes")
    edit(path, "  launchready:alerts:", "  launchready:alertz: 1\n  launchready:alerts:")
    with pytest.raises(ConfigError) as err:
        load_stack(stacks_dir, "prod")
    problems = err.value.problems
    assert len(problems) == 4, problems
    assert all(p.startswith(f"{path}: launchready:") for p in problems)
    joined = "\n".join(problems)
    assert "launchready:tls.sslMode: Input should be 'off', 'flexible', 'full' or 'strict'" in joined
    assert "launchready:email.dmarcRua: expected a `mailto:` URI" in joined
    assert "launchready:gcp.projectId:" in joined
    assert "launchready:alertz: unknown key" in joined


def test_malformed_yaml_names_the_line(stacks_dir: Path) -> None:
    path = stacks_dir / "Pulumi.dev.yaml"
    path.write_text("config:\n  launchready:environment: dev\n  launchready:app: [oops\n")
    with pytest.raises(ConfigError) as err:
        load_stack(stacks_dir, "dev")
    assert len(err.value.problems) == 1
    assert re.match(rf"{re.escape(str(path))}: not valid YAML \(line \d+, column \d+\)", err.value.problems[0])


def test_file_without_config_mapping(stacks_dir: Path) -> None:
    (stacks_dir / "Pulumi.dev.yaml").write_text("encryptionsalt: x\n")
    with pytest.raises(ConfigError, match="expected a top-level `config:` mapping"):
        load_stack(stacks_dir, "dev")


def test_plaintext_secret_loads_flagged_and_redacted(stacks_dir: Path) -> None:
    path = stacks_dir / "Pulumi.dev.yaml"
    value = "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    text = path.read_text()
    start = text.index("  launchready:stripeSecretKey:")
    end = text.index("  launchready:crm:")
    path.write_text(text[:start] + f"  launchready:stripeSecretKey: {value}\n" + text[end:])
    config = load_stack(stacks_dir, "dev")
    assert config.stripe_secret_key.is_plaintext
    assert config.stripe_secret_key.reveal_plaintext() == value
    assert value not in repr(config) and value not in str(config.stripe_secret_key)
    assert value not in config.model_dump_json()


def test_secret_parse_rejects_other_shapes() -> None:
    with pytest.raises(ValueError):
        Secret.parse({"plain": "x"})
    assert Secret.parse({"secure": "v1:abc"}).ciphertext == "v1:abc"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launchready.cli", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def test_cli_unknown_stack_exits_2_with_one_line() -> None:
    proc = _cli("check", "--stack", "nope", "--offline")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "no such stack 'nope'" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_missing_key_exits_2_with_one_line(stacks_dir: Path) -> None:
    edit(stacks_dir / "Pulumi.dev.yaml", "  launchready:environment: dev\n", "")
    proc = _cli("check", "--stack", "dev", "--offline", "--stacks-dir", str(stacks_dir))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"launchready: {stacks_dir / 'Pulumi.dev.yaml'}: launchready:environment: missing required key"
