"""Benchmark: how long a new user waits for `pip install` — the pinned core (what `launchready scan`
needs) and the full install (`[deploy,sandbox]`), each into a fresh venv.

    .venv/bin/python bench/install.py [--unpinned] [--keep]

Builds the launchready wheel once (no build isolation, from this checkout), then for each variant creates
a fresh venv and runs one `pip install -c constraints.txt <wheel>[extras]`. pip's own cache serves the
downloads a previous run (or `make`) fetched, so the figure is resolution + install, as on a CI runner
with a warm cache. Prints seconds, package count and venv size. `--unpinned` adds the core without
constraints (the resolver's worst case: it may backtrack for minutes). Goal: pinned core < 2 min.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VARIANTS = {"core (pinned)": ("", True), "full [deploy,sandbox] (pinned)": ("[deploy,sandbox]", True)}


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)


def build_wheel(work: Path) -> Path:
    source = shutil.copytree(REPO, work / "source", ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache"))
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                 "-w", str(work / "dist"), str(source)])
    if done.returncode:
        sys.exit(f"bench/install.py: building the wheel failed: {done.stderr.strip().splitlines()[-1:]}")
    return next((work / "dist").glob("launchready-*.whl"))


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def measure(wheel: Path, extras: str, pinned: bool, work: Path) -> tuple[float, int, float]:
    """(seconds, installed distributions, venv MB) of one fresh-venv install."""
    venv = work / f"venv{len(list(work.glob('venv*')))}"
    if _run([sys.executable, "-m", "venv", str(venv)]).returncode:
        sys.exit("bench/install.py: cannot create a venv")
    python = venv / "bin" / "python"
    argv = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    argv += ["-c", str(REPO / "constraints.txt")] if pinned else []
    started = time.perf_counter()
    done = _run([*argv, f"{wheel}{extras}"])
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"bench/install.py: pip failed: {done.stderr.strip().splitlines()[-1:]}")
    count = len(_run([str(python), "-m", "pip", "list", "--format=freeze"]).stdout.split())
    return seconds, count, size_mb(venv)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unpinned", action="store_true", help="also the core without constraints.txt")
    parser.add_argument("--keep", action="store_true", help="keep the venvs (path printed)")
    args = parser.parse_args()
    variants = dict(VARIANTS)
    if args.unpinned:
        variants["core (unpinned)"] = ("", False)
    work = Path(tempfile.mkdtemp(prefix="launchready-install-bench-"))
    try:
        wheel = build_wheel(work)
        print(f"{'install':<34} {'seconds':>8} {'packages':>9} {'venv MB':>8}")
        for name, (extras, pinned) in variants.items():
            seconds, count, mb = measure(wheel, extras, pinned, work)
            print(f"{name:<34} {seconds:8.1f} {count:9d} {mb:8.0f}", flush=True)
    finally:
        if args.keep:
            print(f"venvs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
