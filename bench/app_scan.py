"""Benchmark: the whole app scan (`secrets.app.*` + `client.*`, one pass) vs `detect-secrets` on the same tree.

    .venv/bin/python bench/app_scan.py [--files 497] [--mb 12] [--l10n 6] [--skip-detect-secrets]

Generates a Flutter app shaped like a large real one: Dart sources under lib/ (with Firestore writes,
HTTP calls and comments), a few l10n tables of ~350 KB each, assets, android/ios/web config. Runs every
app check through the real runner (a fresh context each run, so nothing is cached between runs) and
prints seconds, files/s, MB/s and findings, then detect-secrets' figures on the same files.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from secrets_scan import PLANTS, Rand, time_detect_secrets  # noqa: E402

from launchready.checks.framework import CheckContext, CheckOptions  # noqa: E402
from launchready.checks.framework.registry import registry  # noqa: E402
from launchready.checks.framework.runner import run_checks  # noqa: E402

APP_LINES = (
    "  await FirebaseFirestore.instance.collection('{a}s').doc(id).update({{'{b}': {a}, 'updatedAt': FieldValue.serverTimestamp()}});",
    "  final response = await http.get(Uri.parse('https://api.example.com/{a}/$id'), headers: {{'Accept': 'application/json'}});",
    "  /* {a}: keep in sync with the {b} screen */ final {a}List = <String>[];",
    "  {a}List.add('{b} ${{{a}List.length}}');",
    "  String get {a}Label => r'{a}\\d+' + \"\"\"{b}\"\"\";",
)


def generate(root: Path, files: int, megabytes: int, l10n: int, seed: int = 11) -> int:
    rng, planted = Rand(seed), 0
    per_file = max(1, megabytes * 1024 * 1024 - l10n * 350_000) // max(1, files - l10n)
    for i in range(files - l10n):
        folder = rng.choice(("lib/pages", "lib/widgets", "lib/services", "lib/models", "assets/data", "android/app",
                             "ios/Runner", "web"))
        suffix = {"assets/data": ".json", "android/app": ".xml", "ios/Runner": ".swift", "web": ".js"}.get(folder, ".dart")
        lines, size = [], 0
        while size < per_file:
            template = rng.choice(APP_LINES) if rng.random() < 0.1 else None
            a, b = rng.choice(("note", "user", "folder", "tag")), rng.choice(("title", "body", "color"))
            line = template.format(a=a, b=b) if template else rng.dart_line()
            lines.append(line)
            size += len(line) + 1
        if i % 60 == 30:
            lines.insert(rng.randrange(len(lines)), rng.choice(PLANTS)(rng))
            planted += 1
        path = root / folder / f"{rng.choice(('note', 'user', 'sync'))}_{i}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for n in range(l10n):   # generated translation tables: big, string-dense, no trigger words
        rows = [f"  String get key{i} => 'Translated sentence number {i} in language {n}, with words';"
                for i in range(350_000 // 80)]
        path = root / "lib" / "l10n" / f"app_localizations_{n}.dart"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("class L {\n" + "\n".join(rows) + "\n}\n", encoding="utf-8")
    (root / "pubspec.yaml").write_text("name: bench_app\nflutter:\n  assets:\n    - assets/data/\n")
    return planted


def time_app_scan(root: Path, runs: int = 3) -> tuple[float, float, int]:
    """Median wall and CPU seconds of a whole app scan (CPU time stays meaningful on a shared machine)."""
    registry.load_catalog()
    wall, cpu, findings = [], [], 0
    for _ in range(runs):
        ctx = CheckContext(CheckOptions(stack="dev", app_dir=root, offline=True, only=("secrets.app", "client")))
        started, started_cpu = time.perf_counter(), time.process_time()
        report = run_checks(ctx)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        findings = sum(len(r.findings) for r in report.results)
    return statistics.median(wall), statistics.median(cpu), findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=497)
    parser.add_argument("--mb", type=int, default=12)
    parser.add_argument("--l10n", type=int, default=6, help="how many ~350 KB l10n tables")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--skip-detect-secrets", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lr-appscan-"))
    root = work / "app"
    try:
        planted = generate(root, args.files, args.mb, args.l10n)
        paths = [p for p in root.rglob("*") if p.is_file()]
        megabytes = sum(p.stat().st_size for p in paths) / 1e6
        print(f"tree: {len(paths)} files, {megabytes:.1f} MB, {planted} planted secrets ({root})")
        ours_s, cpu_s, findings = time_app_scan(root)
        print(f"launchready app scan {ours_s:7.2f} s  {len(paths) / ours_s:8.0f} files/s  {megabytes / ours_s:6.1f} MB/s  "
              f"findings {findings} (secrets.app.* + client.*); CPU {cpu_s:.2f} s = {megabytes / cpu_s:.1f} MB/s")
        if args.skip_detect_secrets:
            return
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        ds_s, ds_findings = time_detect_secrets(root, work / "detect-secrets.json")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        ds_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        print(f"detect-secrets       {ds_s:7.2f} s  {len(paths) / ds_s:8.0f} files/s  {megabytes / ds_s:6.1f} MB/s  "
              f"findings {ds_findings}; CPU {ds_cpu:.2f} s = {megabytes / ds_cpu:.1f} MB/s")
        print(f"ratio: the app scan is {ds_s / ours_s:.0f}x faster (wall), {ds_cpu / cpu_s:.0f}x (CPU)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
