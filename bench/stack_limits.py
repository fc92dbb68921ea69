"""How long hostile stack files take to be refused: `python bench/stack_limits.py [--runs N]`.

Each case is written next to copies of the example stacks and run in-process through the CLI's
`main()` as `plan --stack prod --format json`; prints the exit code, the worst and median seconds and
the first error line. The issue's target is exit 2 within 5 s for any input up to 1 MB.
Prints figures only; nothing asserts on them.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from launchready.cli import main  # noqa: E402

ALIAS_BOMB = b"config:\n  a: &a [x,x,x,x,x,x,x,x,x]\n" + b"".join(
    b"  %c: &%c [%s]\n" % (98 + i, 98 + i, b",".join([b"*%c" % (97 + i)] * 9)) for i in range(9))
CASES: dict[str, bytes] = {
    "example stack padded to 990 KB": (REPO_ROOT / "stacks" / "Pulumi.prod.yaml").read_bytes()
    + b"# " + b"x" * 97 + b"\n" * 1 + b"# pad\n" * 160_000,
    "20 MB file": b"config:\n" + b"  # pad\n" * 2_600_000,
    "alias bomb (9^9)": ALIAS_BOMB,
    "100,000 caaIssuers in 600 KB": b"config:\n  launchready:caaIssuers: [" + b"a.io," * 100_000 + b"x.org]\n",
    "30,000-level nesting": b"config:\n  launchready:x: " + b"[" * 30_000 + b"]" * 30_000 + b"\n",
    "non-UTF-8 byte": b"config:\n  launchready:app: {name: \xff}\n",
    "duplicate key": b"config:\n  launchready:environment: prod\n  launchready:environment: dev\n",
}


def once(stacks: Path) -> tuple[int, float, str]:
    err = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["plan", "--stack", "prod", "--format", "json", "--stacks-dir", str(stacks)])
    return code, time.perf_counter() - started, (err.getvalue().splitlines() or [""])[0]


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stacks = Path(tmp) / "stacks"
        shutil.copytree(REPO_ROOT / "stacks", stacks)
        print(f"{'case':40} {'exit':>4} {'worst s':>8} {'median s':>8}  first line")
        for name, content in CASES.items():
            (stacks / "Pulumi.prod.yaml").write_bytes(content)
            runs = [once(stacks) for _ in range(args.runs)]
            times = [t for _, t, _ in runs]
            code, _, line = runs[-1]
            print(f"{name:40} {code:>4} {max(times):8.3f} {statistics.median(times):8.3f}  {line[-90:]}")


if __name__ == "__main__":
    main_bench()
