"""The Pulumi CLI that will run `pulumi up`, when the stack imports what already runs (`launchready
adopt`): CLIs before pulumi/pulumi#19339 refuse an import whose inputs differ from the live resource,
where later ones import and then update it — which `adopt`'s decisions rely on. The floor is the SDK's
own (`pulumi>=3.200` in the deploy extra), well past that change."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator

from launchready.config.model import EnvironmentConfig
from launchready.preflight.model import Finding

MINIMUM = (3, 200, 0)
TIMEOUT_S = 30
UPGRADE = "Install a current Pulumi CLI (`curl -fsSL https://get.pulumi.com | sh`, or `brew upgrade pulumi`)."


def probe(config: EnvironmentConfig) -> Iterator[Finding]:
    imports = len(config.adopt.imports)
    if not imports:
        return
    exe = shutil.which("pulumi")
    if exe is None:
        yield Finding("pulumi.cli", "warn", f"the stack imports {imports} resource(s) (launchready adopt) and no "
                      "Pulumi CLI is on PATH here, so its version was not checked",
                      f"Run `pulumi up` with Pulumi CLI {_text(MINIMUM)} or later.")
        return
    try:
        done = subprocess.run([exe, "version"], capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        yield Finding("pulumi.cli", "warn", f"`pulumi version` did not answer ({type(exc).__name__})", UPGRADE)
        return
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", done.stdout)
    if not match:
        yield Finding("pulumi.cli", "warn", f"`pulumi version` said {done.stdout.strip()[:60]!r}", UPGRADE)
        return
    version = tuple(int(part) for part in match.groups())
    if version < MINIMUM:
        yield Finding("pulumi.cli", "fail", f"Pulumi CLI {_text(version)} refuses to import a resource whose inputs "
                      f"differ from the live one; the stack imports {imports} (launchready adopt) and needs "
                      f"{_text(MINIMUM)} or later", UPGRADE)
        return
    yield Finding("pulumi.cli", "pass", f"Pulumi CLI {_text(version)} imports the {imports} adopted resource(s) and "
                  "updates what differs")


def _text(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))
