"""A decision per planned resource, from the offline plan and what discovery saw.

- `create`: nothing like it exists (or nothing of a project we cannot see can collide);
- `adopt`: it exists; `pulumi up` imports it by the id its provider documents and then updates
  whatever differs (Pulumi 3.170+, pulumi/pulumi#19339);
- `conflict`: it exists and differs in a way an import cannot reconcile (a replace, or someone
  else's data or mail would be lost) — `remediation` says how to resolve it;
- `unknown`: the API could not be asked; `detail` names why (the permission).

DNS and Stripe need more than a lookup: `launchready.adopt.dns` and `launchready.adopt.stripe`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from launchready.adopt.discovery import Live, Unknown
from launchready.config.model import EnvironmentConfig
from launchready.infra.plan import Plan, PlannedResource

Action = Literal["create", "adopt", "conflict", "unknown", "cutover"]
BLOCKING: frozenset[str] = frozenset({"conflict", "unknown"})
OWN = "launchready's own (not looked up)"   # the detail of a resource discovery does not look for


@dataclass(frozen=True)
class Decision:
    name: str                 # the program's resource name (the key of `launchready:adopt.imports`)
    type: str
    action: Action
    detail: str = ""
    import_id: str | None = None
    remediation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v not in (None, "")}


@dataclass
class StackChanges:
    """What `--write` changes in the stack besides the imports (dotted camelCase key -> value)."""

    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    decisions: tuple[Decision, ...]
    changes: StackChanges
    unknowns: tuple[Unknown, ...]

    @property
    def imports(self) -> dict[str, str]:
        return {d.name: d.import_id for d in self.decisions if d.action == "adopt" and d.import_id}

    @property
    def blocking(self) -> list[Decision]:
        return [d for d in self.decisions if d.action in BLOCKING]

    def to_dict(self) -> dict[str, Any]:
        return {"decisions": [d.to_dict() for d in self.decisions], "imports": self.imports,
                "stack_changes": self.changes.values, "notes": self.changes.notes,
                "unknown": [str(u) for u in self.unknowns]}


def decide(config: EnvironmentConfig, plan: Plan, live: Live) -> Verdict:
    """One decision per custom resource the plan registers (plus the project when it would be created)."""
    from launchready.adopt import dns, google, stripe

    changes = StackChanges()
    by_type = {**google.DECIDERS, **dns.DECIDERS, **stripe.DECIDERS}
    decisions: list[Decision] = []
    for resource in plan.resources:
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            continue
        decider = by_type.get(resource.type)
        decisions.append(decider(config, resource, live, changes) if decider else _not_looked_up(resource))
    return Verdict(tuple(decisions), changes, tuple(live.unknowns))


def _not_looked_up(resource: PlannedResource) -> Decision:
    """launchready's own resources (IAM, secrets, functions, services): created; enabling an enabled
    API or setting a zone setting is idempotent, so none of them can collide."""
    return Decision(resource.name, resource.type, "create", OWN)


def exists_or_unknown(answer: Any, resource: PlannedResource) -> Decision | None:
    """An Unknown answer as the resource's decision, else None."""
    if isinstance(answer, Unknown):
        return Decision(resource.name, resource.type, "unknown", str(answer),
                        remediation="Grant the permission (or set the credentials) and run `launchready adopt` again.")
    return None
