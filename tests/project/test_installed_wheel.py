"""The installed tool: a wheel built from this repository, installed into a fresh venv, works on a
project outside the repository (the program, templates, grammar and default functions ship inside).

No download: the wheel is built without build isolation and installed with --no-deps; its
dependencies come from this venv's site-packages on PYTHONPATH (which does not carry our editable
install: .pth files are not read from PYTHONPATH).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from tests.project.conftest import INIT
from tests.project.foreign_app import build_app, set_secrets

REPO = Path(__file__).resolve().parents[2]


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv holding only the launchready wheel."""
    work = tmp_path_factory.mktemp("wheel")
    # From a clean copy: setuptools reuses a checkout's build/lib, where deleted modules linger.
    source = shutil.copytree(REPO, work / "source", ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                  "-w", str(work / "dist"), str(source)])
    assert built.returncode == 0, built.stderr
    [wheel] = (work / "dist").glob("launchready-*.whl")
    venv = work / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    done = _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                 "--no-deps", "--no-index", str(wheel)])
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def test_installed_launchready_runs_on_a_project_outside_the_repo(installed, tmp_path):
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    where = _run([str(installed / "python"), "-c", "import launchready.infra, launchready.functions as f; "
                  "print(launchready.infra.__file__); print(f.__file__)"], env=env, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(installed.parent)) for line in where.stdout.split()), where.stdout

    assert _run([str(installed / "launchready"), "--help"], env=env, cwd=tmp_path).returncode == 0
    # the packaged policy pack runs with the python on PATH: a relative virtualenv would point into site-packages
    pack = _run([str(installed / "python"), "-c", "import pathlib, launchready.policy as p; "
                 "print(pathlib.Path(p.__file__).parent / 'PulumiPolicy.yaml')"], env=env, cwd=tmp_path)
    policy_project = yaml.safe_load(Path(pack.stdout.strip()).read_text())
    assert policy_project["runtime"] == "python", policy_project
    app = build_app(tmp_path / "harbor")
    init = _run([str(installed / "launchready"), *INIT], env=env, cwd=app)
    assert init.returncode == 0, init.stderr
    set_secrets(app)
    check = _run([str(installed / "launchready"), "check", "--stack", "staging", "--offline", "--skip",
                  "rules.behaviour", "--format", "json"], env=env, cwd=app / "lib")
    assert check.returncode == 1, check.stderr     # the app's weak invoices rule
    report = json.loads(check.stdout)
    assert str(REPO) not in check.stdout
    ids = {r["id"]: r for r in report["results"]}
    assert ids["rules.static.auth_only"]["findings"][0]["path"] == "firebase/firestore.rules"
    assert ids["infra.policy.spf"]["status"] == "pass"     # the packaged program planned under mocks
    plan = _run([str(installed / "launchready"), "plan", "--stack", "staging", "--format", "json"], env=env, cwd=app)
    assert plan.returncode == 0, plan.stderr
    functions = [r for r in json.loads(plan.stdout)["resources"] if r["type"] == "gcp:cloudfunctionsv2/function:Function"]
    assert functions, "the packaged default backend is deployed when the project has no functions/"


PACKAGE_DIRS = ("launchready", "checks", "infra", "functions")
OPTIONAL = {"pytest"}   # launchready/rules/testing/pytest_plugin.py: loaded only by a user's pytest


def _imported_modules() -> dict[str, str]:
    """Dotted name -> a file importing it, for every absolute import in the shipped package."""
    import ast

    found: dict[str, str] = {}
    for folder in PACKAGE_DIRS:
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name, str(path.relative_to(REPO)))
    return found


def _distributions_of(module: str) -> set[str]:
    """The installed distributions providing `module` (namespace packages such as google.* resolved
    by the files each distribution installs)."""
    from importlib import metadata

    parts = module.split(".")
    candidates = metadata.packages_distributions().get(parts[0], [])
    for depth in range(len(parts), 0, -1):
        prefix = "/".join(parts[:depth])
        owners = {name for name in candidates
                  if any(str(f) == f"{prefix}.py" or str(f).startswith(f"{prefix}/")
                         for f in metadata.distribution(name).files or [])}
        if owners:
            return {o.lower().replace("_", "-") for o in owners}
    return set()


def test_every_third_party_import_of_the_package_is_a_declared_dependency():
    """An installed launchready gets only what pyproject declares: a module the package imports that no
    declared dependency provides crashes a user's run (the dev venv would hide it)."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    # The core, plus the extras the commands beyond `scan` need (they say which one when it is missing).
    declared = {re.split(r"[<>=\[;~! ]", dep)[0].lower().replace("_", "-")
                for dep in [*project["dependencies"], *extras["deploy"], *extras["sandbox"]]}
    missing = {}
    for module, where in sorted(_imported_modules().items()):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in ("launchready", "backend", "__future__") or top in OPTIONAL:
            continue
        providers = _distributions_of(module)
        if not providers & declared:
            missing[module] = (where, sorted(providers))
    assert missing == {}


def test_each_extra_package_is_named_by_the_missing_extra_hint():
    """A module of the deploy/sandbox extras that launchready imports maps to its extra, so a command
    needing it says which `pip install 'launchready[...]'` to run instead of crashing."""
    import tomllib

    from launchready.errors import EXTRA_MODULES

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    owned = {re.split(r"[<>=\[;~! ]", dep)[0].lower().replace("_", "-"): name
             for name in ("deploy", "sandbox") for dep in extras[name]}
    for module in _imported_modules():
        providers = _distributions_of(module) & set(owned)
        if providers:
            hinted = next((extra for m, extra in EXTRA_MODULES.items() if module == m or module.startswith(m + ".")), None)
            assert hinted == owned[providers.pop()], module
