"""The layering of the `launchready` package, as data, and a reader of its import graph.

Each entry of LAYERS is one layer, highest first; a module may import from its own unit or from units in
lower layers, never from a higher layer and never from a sibling in the same layer. Function-level
(lazy) imports count too: a lazy import is still a dependency. Units are the first name below
`launchready` (a sub-package or a module).
"""
from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

LAYERS: list[set[str]] = [
    {"__main__"},
    {"cli"},
    {"commands"},
    {"journey"},                           # the demo's customer journey through the running sandbox
    {"scan", "triage", "adopt"},           # `scan`: stackless checks; `reconcile`/`smoke` on a running environment;
                                           # `adopt`: what already runs where a stack deploys
    {"checks", "preflight", "handover"},   # the gate, deployer preflight and handover docs: siblings
    {"sandbox"},                           # the local replica (reads plans, rules harness tokens)
    {"policy"},                            # the CrossGuard pack judges the program's plan
    {"infra"},                             # the Pulumi program
    {"scaffold", "flutter"},               # init's documents; what the app says and does
    {"rules"},                             # the Firestore rules toolkit
    {"project"},                           # the user's repository
    {"config", "stack_outputs"},           # stack file → EnvironmentConfig; what `pulumi up` made (its outputs)
    {"redact", "google_credentials", "errors", "billing_state"},
    {"secrets", "functions"},              # the secret scanner; the deployed backend (imports nothing of ours)
    {"runtime", "files"},                  # process ownership and time budgets; bounded reading of files
    {"severity", "launchready"},           # `launchready` = the package's own __init__ (__version__)
]


@dataclass(frozen=True)
class Violation:
    module: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported} (an upward or sideways import)"


def layer_of(unit: str) -> int:
    for index, units in enumerate(LAYERS):
        if unit in units:
            return index
    raise KeyError(f"launchready.{unit} belongs to no layer: add it to LAYERS in tests/architecture/layers.py")


def _unit(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "launchready":
        return None
    return parts[1] if len(parts) > 1 else "launchready"


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name → file, for every .py below `package` (links followed: checks/, infra/,
    functions/ are linked into the package)."""
    found = {}
    for folder, _dirs, files in os.walk(package, followlinks=True):
        for name in files:
            if name.endswith(".py"):
                path = Path(folder) / name
                rel = path.relative_to(package).with_suffix("")
                found[".".join(("launchready", *rel.parts)).removesuffix(".__init__")] = path
    return found


def violations(package: Path) -> list[Violation]:
    """Every import in the package that points up or sideways in LAYERS."""
    found = []
    for module, path in sorted(modules(package).items()):
        source = _unit(module) or "launchready"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                target = _unit(name)
                if target is None or target == source:
                    continue
                if layer_of(target) <= layer_of(source):
                    found.append(Violation(module, name, node.lineno))
    return found
