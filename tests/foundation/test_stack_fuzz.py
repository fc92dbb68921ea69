"""Fuzz: mutated stack files never break the CLI's exit-code promise (0/1/2, one line, no traceback).

Seeded hypothesis run over ~1,000 mutants of real-looking stacks (the example's and another app's),
each run in-process through the CLI's `main()`: YAML traps, tags, aliases, deep nesting, random bytes,
truncation, duplicated lines, paths outside the project. A mutant that takes longer than HANG_SECONDS
counts as a hang (a generous bound that only catches runaway input, not a speed goal: see
bench/stack_fuzz.py for the figures).
"""
from __future__ import annotations

import contextlib
import io
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from launchready.cli import main

REPO = Path(__file__).resolve().parents[2]
SOURCES = {"prod": REPO / "stacks", "production": Path(__file__).parent / "data" / "larkspur"}
MUTANTS = 1000
HANG_SECONDS = 30

TRAPS = ["2024-06-20", "on", "no", "0123", "0x1F", "1e400", "-.inf", ".nan", "~", "'🚀.example.com'", "[]", "{}",
         "&a x", "*a", "*undefined", "!!binary AAAA", "!!python/object/apply:os.system [id]", "!!set {a}",
         "2024-13-45", "[" * 40 + "]" * 40, "'unterminated", "\"\\x00\"", "\t", "{secure: 5}", "{secure: [1]}",
         "99999999999999999999999999", "-1", "true", "null", "../../etc/passwd", "/dev/zero", "? [a, b]",
         "<<: *a", "@reserved", "%TAG ! tag:x", "---", "...", "whsec" + "_0123456789abcdefABCDEF", "xn--", "a" * 300,
         "'a..b'", "-x.example.com", "{a: &b [*b]}", "[&c x, *c, *c, *c]", "|\n  block", ">-", "'日本語.jp'"]


def _apply(text: bytes, op: tuple) -> bytes:
    kind, pos, payload = op
    lines = text.split(b"\n")
    at = pos % max(len(lines), 1)
    if kind == "value":
        key, sep, _ = lines[at].partition(b":")
        lines[at] = key + b": " + payload if sep else payload
    elif kind == "insert":
        lines.insert(at, b" " * (pos % 7) + payload)
    elif kind == "dup":
        lines.insert(at, lines[at])
    elif kind == "drop":
        del lines[at]
    elif kind == "bytes":
        cut = pos % max(len(text), 1)
        return text[:cut] + payload + text[cut:]
    elif kind == "truncate":
        return text[:pos % max(len(text), 1)]
    return b"\n".join(lines)


trap = st.sampled_from(TRAPS).map(str.encode)
snippet = st.one_of(trap, st.tuples(st.sampled_from(["key", "launchready:domain", "  appHost", "- host"]), trap)
                    .map(lambda kv: kv[0].encode() + b": " + kv[1]))
operation = st.one_of(
    st.tuples(st.sampled_from(["value", "insert"]), st.integers(0, 400), snippet),
    st.tuples(st.sampled_from(["dup", "drop", "truncate"]), st.integers(0, 5000), st.just(b"")),
    st.tuples(st.just("bytes"), st.integers(0, 5000), st.binary(min_size=1, max_size=6)),
)


def _run(argv: list[str]) -> tuple[int, str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue(), time.monotonic() - started


@pytest.mark.timeout(1200)  # ~30 s of CPU; generous wall time for a shared, loaded machine
@seed(20261128)
@settings(max_examples=MUTANTS, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(stack=st.sampled_from(sorted(SOURCES)), sibling=st.booleans(), ops=st.lists(operation, min_size=1, max_size=3),
       plan=st.integers(0, 19))
def test_mutated_stack_files_keep_the_exit_code_promise(tmp_path_factory, stack, sibling, ops, plan):
    stacks_dir = tmp_path_factory.mktemp("fuzz")
    for file in SOURCES[stack].glob("Pulumi.*.yaml"):
        shutil.copy(file, stacks_dir)
    names = sorted(p.name for p in stacks_dir.glob("Pulumi.*.yaml"))
    victim = stacks_dir / (next((n for n in names if n != f"Pulumi.{stack}.yaml"), names[0]) if sibling
                           else f"Pulumi.{stack}.yaml")
    text = victim.read_bytes()
    for op in ops:
        text = _apply(text, op)
    victim.write_bytes(text)
    argv = ["check", "--stack", stack, "--offline", "--only", "config", "--format", "json", "--stacks-dir", str(stacks_dir)]
    if plan == 0:  # one mutant in 20 also goes through the Pulumi program (about a second when it loads)
        argv = ["plan", "--stack", stack, "--format", "json", "--stacks-dir", str(stacks_dir)]
    code, err, elapsed = _run(argv)
    assert code in (0, 1, 2), f"exit {code}: {err[-500:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-500:]
    assert elapsed < HANG_SECONDS, f"{argv[0]} took {elapsed:.0f} s"
    if code == 2:
        lines = err.strip().splitlines()
        assert lines and all(line.startswith("launchready: ") for line in lines), err[-500:]
        assert len(lines) <= 25
