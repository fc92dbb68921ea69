"""Trust levers changed by the pull request itself (`launchready check --base-ref REF`).

A PR that lowers the gate and is judged by the lowered gate proves nothing, so the levers a PR
controls — the checked stack's `launchready:blockingSeverities` and `launchready:notApplicable`, the
waiver file, the `--baseline` file — are compared with the base branch (`git show REF:path`). A change
is acceptable only where the repository makes someone else approve it: a CODEOWNERS entry (read from
the base ref, as GitHub does, so the PR cannot add its own) that assigns owners to the changed file.
CODEOWNERS protects only when branch protection requires code-owner review; docs/gate-trust.md says so.
"""
from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pathspec

from launchready.config.model import NAMESPACE, ConfigError
from launchready.config.stack_yaml import StackFileError
from launchready.config.stack_yaml import load as load_bounded

if TYPE_CHECKING:
    from launchready.checks.framework.context import CheckContext

STACK_LEVERS = (f"{NAMESPACE}:blockingSeverities", f"{NAMESPACE}:notApplicable")
CODEOWNERS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")   # GitHub's search order
GIT_TIMEOUT = 30


@dataclass(frozen=True)
class LeverChange:
    path: str                  # relative to the repository root
    what: str                  # which lever changed
    owners: tuple[str, ...]    # CODEOWNERS owners of the file at the base ref; () = nobody must approve


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=GIT_TIMEOUT, check=False)


def verify_ref(root: Path, ref: str) -> None:
    """`ref` names a commit of the project's repository; else one ConfigError line (exit 2)."""
    if ref.startswith("-"):
        raise ConfigError([f"--base-ref: {ref!r} is not a git ref"])
    try:
        proc = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError([f"--base-ref: git is not usable here ({type(exc).__name__})"]) from None
    if proc.returncode != 0:
        raise ConfigError([f"--base-ref: {ref!r} is not a commit of the repository at {root} "
                           "(fetch it first, e.g. actions/checkout with fetch-depth: 0)"])


def changes(ctx: CheckContext) -> list[LeverChange]:
    """The levers whose value differs between `--base-ref` and the working tree, once per run."""
    return ctx.shared("trust.base_ref", lambda: _changes(ctx))


def _changes(ctx: CheckContext) -> list[LeverChange]:
    ref = ctx.options.base_ref or ""
    top = Path(_git(ctx.repo_root, "rev-parse", "--show-toplevel").stdout.decode().strip() or ctx.repo_root)
    owners = _codeowners(top, ref)
    found = []
    candidates = [(ctx.stack_file, _stack_levers, "stack levers"), (ctx.waivers_file, _waiver_levers, "waivers")]
    if ctx.options.baseline is not None:
        candidates.append((ctx.options.baseline, _raw, "baseline"))
    for path, read, label in candidates:
        try:
            rel = Path(path).resolve().relative_to(top.resolve()).as_posix()
        except ValueError:
            found.append(LeverChange(str(path), f"{label} file outside the repository", ()))
            continue
        before, after = _at_ref(top, ref, rel, read), _current(Path(path), read)
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                found.append(LeverChange(rel, key, owners(rel)))
    return found


def _at_ref(top: Path, ref: str, rel: str, read) -> dict[str, Any]:
    proc = _git(top, "show", f"{ref}:{rel}")
    if proc.returncode != 0:
        return {}   # the file is new in this change
    with tempfile.NamedTemporaryFile(suffix=Path(rel).suffix) as handle:
        handle.write(proc.stdout)
        handle.flush()
        return read(Path(handle.name))


def _current(path: Path, read) -> dict[str, Any]:
    return read(path) if path.exists() or path.is_symlink() else {}


def _stack_levers(path: Path) -> dict[str, Any]:
    config = (_bounded(path) or {}).get("config")
    return {key: config.get(key) for key in STACK_LEVERS if key in config} if isinstance(config, dict) else {}


def _waiver_levers(path: Path) -> dict[str, Any]:
    document = _bounded(path)
    keys = ("waivers", "maxWaiverDays")
    return {key: document.get(key) for key in keys if key in document} if isinstance(document, dict) else {}


def _raw(path: Path) -> dict[str, Any]:
    from launchready.files import FileProblem, read_capped
    try:
        return {"baseline": read_capped(path, 5_000_000)}
    except FileProblem as exc:
        return {"baseline": f"unreadable: {exc}"}


def _bounded(path: Path) -> Any:
    try:
        return load_bounded(path)[0]
    except StackFileError as exc:
        return {"unreadable": str(exc)}   # a broken file is a change too; its own loader reports it


def _codeowners(top: Path, ref: str):
    """`owners(path)` per the base ref's CODEOWNERS: the last matching line wins, as on GitHub."""
    rules: list[tuple[pathspec.GitIgnoreSpec, tuple[str, ...]]] = []
    for name in CODEOWNERS:
        proc = _git(top, "show", f"{ref}:{name}")
        if proc.returncode == 0:
            for line in proc.stdout.decode("utf-8", "replace").splitlines()[:10_000]:
                parts = line.split("#", 1)[0].split()
                try:
                    rules += [(pathspec.GitIgnoreSpec.from_lines([parts[0]]), tuple(parts[1:]))] if parts else []
                except ValueError:  # a line GitHub would ignore as invalid
                    continue
            break

    def owners(rel: str) -> tuple[str, ...]:
        matched: tuple[str, ...] = ()
        for spec, names in rules:
            if spec.match_file(rel):
                matched = names
        return matched
    return owners
