"""Run a composite action's shell steps locally, the way the runner would: `${{ }}` expressions in
`env:`/`if:` evaluated against inputs, step outputs and the runner context; GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY as files. Steps that `uses:` another action are recorded, not run (no network)."""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPR = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
COMPARISON = re.compile(r"^(\S+)\s*(==|!=)\s*'([^']*)'$")


@dataclass
class ActionRun:
    action_dir: Path
    inputs: dict[str, str]
    workdir: Path
    temp: Path
    env: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    used: list[dict[str, Any]] = field(default_factory=list)   # `uses:` steps that would have run
    failed_step: str | None = None
    exit_code: int = 0
    log: str = ""

    def value(self, path: str) -> str:
        parts = path.split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "steps":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        return {"github.action_path": str(self.action_dir), "runner.temp": str(self.temp)}[path]

    def expand(self, text: str) -> str:
        return EXPR.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, expr: str | None) -> bool:
        if not expr:
            return self.failed_step is None
        terms = [t.strip() for t in EXPR.sub(lambda m: m.group(1), expr).split("&&")]
        ok = "always()" in terms or self.failed_step is None
        for term in (t for t in terms if t != "always()"):
            left, op, literal = COMPARISON.match(term).groups()
            ok = ok and ((self.value(left) == literal) == (op == "=="))
        return ok


def run_action(action_dir: Path, inputs: dict[str, str], workdir: Path, temp: Path, env: dict[str, str]) -> ActionRun:
    spec = yaml.safe_load((action_dir / "action.yml").read_text())
    defaults = {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}
    run = ActionRun(action_dir, {**defaults, **inputs}, workdir, temp, env)
    summary = temp / "step-summary.md"
    for index, step in enumerate(spec["runs"]["steps"]):
        if not run.condition(step.get("if")):
            continue
        if "uses" in step:
            run.used.append({"uses": step["uses"], "with": {k: run.expand(v) for k, v in step.get("with", {}).items()}})
            continue
        output = temp / f"output-{index}"
        output.write_text("")
        step_env = {**os.environ, **env, **{k: run.expand(v) for k, v in step.get("env", {}).items()},
                    "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                    "GITHUB_ACTION_PATH": str(action_dir), "RUNNER_TEMP": str(temp)}
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workdir, env=step_env, capture_output=True,
                              text=True, timeout=300)
        run.log += proc.stdout + proc.stderr
        run.outputs[step.get("id", f"step{index}")] = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        if proc.returncode != 0:
            run.failed_step, run.exit_code = step.get("name") or step.get("id"), proc.returncode
    return run
