"""Benchmark: launchready's secret scan vs `detect-secrets scan` on the same Flutter-like tree.

    .venv/bin/python bench/secrets_scan.py [--files 5000] [--mb 50] [--keep]

Generates lib/ Dart sources, assets/ JSON, android/ and ios/ config and web/ files (about 5,000 files,
50 MB, seeded), plants secrets of every kind in about 1 file in 50, then times both scanners on the
same files (page cache warm for both) and prints files/s, MB/s, findings and the speed ratio.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from launchready.secrets import scan_tree  # noqa: E402

WORDS = ("note", "user", "account", "widget", "theme", "editor", "sync", "folder", "share", "title", "body",
         "created", "updated", "label", "color", "index", "page", "draft", "tag", "search", "cache")
DART_LINES = (
    "import 'package:flutter/material.dart';",
    "  final {a}Controller = TextEditingController(text: '{a} {b}');",
    "  Widget build(BuildContext context) => Padding(padding: const EdgeInsets.all({n}), child: Text('{a}'));",
    "  Future<void> load{A}() async {{ final {a} = await repository.fetch{B}(id: '{a}-{n}'); setState(() => _{b} = {a}); }}",
    "  // TODO({a}): move {b} handling into the {a} service",
    "  static const {a}{B}Key = '{a}_{b}_{n}';",
    "  if ({a}.isEmpty || {b}.length > {n}) return const SizedBox.shrink();",
    "  final Map<String, dynamic> {a}Json = {{'{a}': {a}, '{b}': {b}.toIso8601String()}};",
    "  Color get {a}Color => Theme.of(context).colorScheme.primary.withOpacity(0.{n});",
)
# Secret values are assembled from pieces: this file itself must not look like a leak.
PLANTS = (
    lambda r: f"const stripeKey = '{'sk_' + 'live_' + r.token(24)}';",
    lambda r: f"STRIPE_SECRET_KEY={'sk_' + 'test_' + r.token(24)}",
    lambda r: f"restricted: {'rk_' + 'live_' + r.token(24)}",
    lambda r: f"webhookSecret: '{'whsec_' + r.token(32)}'",
    lambda r: f"hubspot = '{'pat-' + 'na1-'}{r.hex(8)}-{r.hex(4)}-{r.hex(4)}-{r.hex(4)}-{r.hex(12)}'",
    lambda r: f"ZENDESK_API_TOKEN={r.token(40)}",
    lambda r: f"intercom: '{'dG9r' + 'Oj' + r.token(48)}'",
    lambda r: '"private_key": "' + "-----BEGIN " + "PRIVATE KEY-----\\n" + r.token(64) + "\\n-----END " + 'PRIVATE KEY-----\\n",',
)
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class Rand(random.Random):
    def token(self, n: int) -> str:
        return "".join(self.choice(ALNUM) for _ in range(n))

    def hex(self, n: int) -> str:
        return "".join(self.choice("0123456789abcdef") for _ in range(n))

    def dart_line(self) -> str:
        a, b = self.choice(WORDS), self.choice(WORDS)
        return self.choice(DART_LINES).format(a=a, b=b, A=a.title(), B=b.title(), n=self.randint(1, 99))


def generate(root: Path, files: int, megabytes: int, seed: int = 7) -> int:
    """Write the tree; return how many secrets were planted."""
    rng, planted = Rand(seed), 0
    per_file = megabytes * 1024 * 1024 // files
    layout = [("lib/src/{d}/{a}_{i}.dart", 0.70), ("assets/data/{a}_{i}.json", 0.12),
              ("android/app/src/main/res/values/{a}_{i}.xml", 0.06), ("ios/Runner/{a}_{i}.swift", 0.06),
              ("web/js/{a}_{i}.js", 0.06)]
    for i in range(files):
        pattern = rng.choices([p for p, _ in layout], [w for _, w in layout])[0]
        rel = pattern.format(d=rng.choice(WORDS), a=rng.choice(WORDS), i=i)
        lines, size = [], 0
        while size < per_file:
            line = rng.dart_line()
            lines.append(line)
            size += len(line) + 1
        if i % 50 == 25:
            lines.insert(rng.randrange(len(lines)), rng.choice(PLANTS)(rng))
            planted += 1
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "pubspec.yaml").write_text("name: bench_app\nflutter:\n  assets:\n    - assets/data/\n")
    return planted


def time_ours(root: Path, runs: int = 3) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = scan_tree(root)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def time_detect_secrets(root: Path, out: Path) -> tuple[float, int]:
    exe = Path(sys.executable).parent / "detect-secrets"
    started = time.perf_counter()
    with out.open("w") as handle:
        subprocess.run([str(exe), "scan", "--all-files", "."], cwd=root, stdout=handle, check=True, timeout=3600)
    elapsed = time.perf_counter() - started
    results = json.loads(out.read_text())["results"]
    return elapsed, sum(len(v) for v in results.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the generated tree")
    parser.add_argument("--skip-detect-secrets", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lr-bench-"))
    root = work / "app"
    try:
        planted = generate(root, args.files, args.mb)
        files = sum(1 for p in root.rglob("*") if p.is_file())
        megabytes = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
        print(f"tree: {files} files, {megabytes:.1f} MB, {planted} planted secrets ({root})")
        ours_s, result = time_ours(root)
        print(f"launchready   {ours_s:8.2f} s  {files / ours_s:9.0f} files/s  {megabytes / ours_s:7.1f} MB/s  "
              f"findings {len(result.hits)} (planted {planted})")
        if args.skip_detect_secrets:
            return
        ds_s, ds_findings = time_detect_secrets(root, work / "detect-secrets.json")
        print(f"detect-secrets{ds_s:8.2f} s  {files / ds_s:9.0f} files/s  {megabytes / ds_s:7.1f} MB/s  "
              f"findings {ds_findings}")
        print(f"ratio: launchready is {ds_s / ours_s:.0f}x faster")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
