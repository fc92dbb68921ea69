"""A deployed stack's outputs (`pulumi stack output --json`): what `pulumi up` made that the config
cannot know (function URLs, the Firebase apps' client configs). `--outputs FILE` lets a machine without
the Pulumi CLI, or a CI job that saved them, pass them in."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from launchready.errors import UsageError

OUTPUTS_TIMEOUT_S = 60


def stack_outputs(stack: str, outputs: Path | None, root: Path) -> dict[str, Any]:
    """`--outputs` (the JSON of `pulumi stack output --json --stack S`), else that command, run here."""
    if outputs is not None:
        try:
            data = json.loads(outputs.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"--outputs: {outputs}: not the JSON of `pulumi stack output --json` ({exc})") from None
    elif shutil.which("pulumi") is None:
        raise UsageError(f"no stack outputs: install the Pulumi CLI, or pass --outputs with the JSON of "
                         f"`pulumi stack output --json --stack {stack}`")
    else:
        done = subprocess.run(["pulumi", "stack", "output", "--json", "--stack", stack], cwd=root,
                              capture_output=True, text=True, timeout=OUTPUTS_TIMEOUT_S)
        if done.returncode != 0:
            raise UsageError(f"`pulumi stack output --json --stack {stack}` failed: "
                             f"{(done.stderr.strip().splitlines() or ['no message'])[-1]}")
        try:
            data = json.loads(done.stdout or "{}")
        except ValueError:
            raise UsageError(f"`pulumi stack output --json --stack {stack}` did not print JSON") from None
    if not isinstance(data, dict):
        raise UsageError("the stack outputs are not a JSON object")
    return data
