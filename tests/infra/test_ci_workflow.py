"""examples/github-workflow.yml works when copied into an app's repository (issue #26 item 7) and
recovers from a part-failed first deploy (issue #20 item 3). actionlint + shellcheck run in
tests/foundation/test_action.py; these tests read what the lint cannot judge."""
from __future__ import annotations

import re

import yaml

from tests.infra.conftest import REPO_ROOT

TEXT = (REPO_ROOT / "examples" / "github-workflow.yml").read_text()
WORKFLOW = yaml.safe_load(TEXT)
DOCS = (REPO_ROOT / "docs" / "provisioning.md").read_text()
CHECKLIST = TEXT.split("\nname:", 1)[0]       # the comment block above the workflow


def steps(job: str) -> list[dict]:
    return WORKFLOW["jobs"][job]["steps"]


def named(job: str, prefix: str) -> dict:
    return next(s for s in steps(job) if (s.get("name") or "").startswith(prefix))


def test_every_action_reference_resolves():
    """The launchready action is vendored (a pinned submodule); the rest are published actions with tags."""
    uses = [s["uses"] for job in WORKFLOW["jobs"].values() for s in job.get("steps", []) if "uses" in s]
    ours = [u for u in uses if "launchready" in u]
    assert ours and set(ours) == {"./.github/actions/launchready"}
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", u) for u in uses if u not in ours), uses
    checkouts = [s for job in WORKFLOW["jobs"].values() for s in job.get("steps", []) if s.get("uses", "").startswith("actions/checkout")]
    assert checkouts and all(s["with"]["submodules"] is True for s in checkouts)


def test_sarif_is_uploaded_only_where_it_can_succeed():
    inputs = [s["with"] for job in WORKFLOW["jobs"].values() for s in job.get("steps", [])
              if s.get("uses") == "./.github/actions/launchready"]
    assert all(i.get("upload-sarif") in ("${{ env.UPLOAD_SARIF }}", "false") for i in inputs)
    assert "vars.LAUNCHREADY_SARIF" in WORKFLOW["env"]["UPLOAD_SARIF"]
    assert "repository.visibility == 'public'" in WORKFLOW["env"]["UPLOAD_SARIF"]


def test_one_checklist_names_every_variable_and_secret():
    referenced = set(re.findall(r"\b(vars|secrets)\.([A-Z_]+)", TEXT))
    assert {name for _, name in referenced} >= {"PULUMI_BACKEND_URL", "GCP_WORKLOAD_IDENTITY_PROVIDER",
                                                 "GCP_DEPLOY_SERVICE_ACCOUNT", "PULUMI_CONFIG_PASSPHRASE"}
    for _, name in referenced:
        assert re.search(rf"#\s+{name}\s", CHECKLIST), f"{name} is not in the workflow's checklist"
        assert f"`{name}`" in DOCS, f"{name} is not in docs/provisioning.md"


def test_the_pulumi_steps_find_launchready():
    state = named("deploy", "Stack state")
    assert "requirements.txt is missing" in state["run"] and "pulumi install" in state["run"]
    assert "virtualenv: .venv" in CHECKLIST and "requirements.txt" in CHECKLIST
    assert "PULUMI_PYTHON_CMD" not in TEXT   # Pulumi.yaml's virtualenv wins over it; the venv must have launchready


def test_preflight_and_gates_read_the_stacks_secrets_not_separate_ci_secrets():
    secrets = named("deploy", "Stack secrets")
    assert "cloudflare:apiToken" in secrets["run"] and "::add-mask::" in secrets["run"]
    assert "secrets.STRIPE_SECRET_KEY" not in TEXT and "secrets.CLOUDFLARE_API_TOKEN" not in TEXT
    names = [s.get("name") or "" for s in steps("deploy")]
    assert names.index(secrets["name"]) < next(i for i, n in enumerate(names) if n.startswith("Preflight"))


def test_a_failed_deploy_can_be_re_run():
    state = named("deploy", "Stack state")["run"]
    assert "pulumi stack history --json --page-size 1" in state and "recovering=true" in state
    before = named("deploy", "Live gate against the running")
    assert before["if"] == "steps.state.outputs.first == 'false'"
    assert before["continue-on-error"] == "${{ steps.state.outputs.recovering == 'true' }}"


def test_the_post_up_gate_retries_a_bounded_number_of_times_for_certificates_only():
    after = named("deploy", "Live gate after the deploy")
    assert 2 <= int(after["env"]["ATTEMPTS"]) <= 10 and int(after["env"]["WAIT_SECONDS"]) > 0
    run = after["run"]
    assert 'seq 1 "$ATTEMPTS"' in run and 'startswith(("tls.", "http."))' in run and "certificates" in run


def test_a_failed_environment_is_named_in_a_summary_not_skipped_silently():
    deploy = WORKFLOW["jobs"]["deploy"]
    assert deploy["strategy"]["max-parallel"] == 1 and deploy["strategy"]["fail-fast"] is True
    assert named("deploy", "Outcome of this environment")["if"] == "always()"
    summary = WORKFLOW["jobs"]["summary"]
    assert summary["needs"] == "deploy" and summary["if"].startswith("always()")
    assert "were NOT deployed" in summary["steps"][0]["run"]
