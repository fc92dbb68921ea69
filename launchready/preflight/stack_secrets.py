"""The credentials preflight tests are the ones `pulumi up` will use: the stack's own secrets
(`cloudflare:apiToken`, `launchready:stripeSecretKey`), read with `pulumi config get` when the Pulumi CLI
can decrypt them, else the environment variables, said so in a finding."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from launchready.preflight.cloudflare import TOKEN_ENV
from launchready.preflight.model import Finding
from launchready.preflight.stripe_account import KEY_ENV

STACK_KEYS = {TOKEN_ENV: "cloudflare:apiToken", KEY_ENV: "launchready:stripeSecretKey"}
TIMEOUT_S = 30


def _config_get(stack: str, key: str, root: Path) -> str | None:
    try:
        done = subprocess.run(["pulumi", "config", "get", key, "--stack", stack], cwd=root, capture_output=True,
                              text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


@contextmanager
def from_stack(stack: str, root: Path) -> Iterator[Finding]:
    """Within the block, the probes' variables hold the stack's secrets where the CLI could read them."""
    from launchready.redact import remember

    found = {env: _config_get(stack, key, root) for env, key in STACK_KEYS.items()} \
        if shutil.which("pulumi") else {}
    read = {env: value for env, value in found.items() if value}
    remember(*read.values())
    saved = {env: os.environ.get(env) for env in read}
    os.environ.update(read)
    try:
        if len(read) == len(STACK_KEYS):
            yield Finding("preflight.secrets", "pass", "testing the stack's own cloudflare:apiToken and "
                          "launchready:stripeSecretKey (what `pulumi up` uses)")
        else:
            missing = [f"${env} for {STACK_KEYS[env]}" for env in STACK_KEYS if env not in read]
            yield Finding("preflight.secrets", "warn", f"the Pulumi CLI could not read the stack's secrets here; "
                          f"testing {', '.join(missing)} instead", "Run where `pulumi config get "
                          f"--stack {stack}` works (Pulumi CLI, the stack's passphrase), or make sure the variables "
                          "hold the stack's values.")
    finally:
        for env, value in saved.items():
            if value is None:
                os.environ.pop(env, None)
            else:
                os.environ[env] = value
