"""The gate's trust levers, and what a pull request may not do with them.

A stack file and launchready.yaml travel in the pull request the gate judges, so every lever that
lets a finding through is bounded and said out loud:

- the floor: in staging and prod `critical` and `high` always block; `launchready:blockingSeverities`
  may add severities, never remove them (an attempt is reported, and changes nothing);
- `launchready:notApplicable`: a declaration is accepted only when nothing contradicts it (the offline
  plan does not deploy what the checks guard, the app does not use it) and it carries a reason, an
  owner and an expiry like a waiver; a refused one is a finding and its checks run;
- waivers, baselines, `--allow-skips`, `--allow-critical-waivers`: each use is listed as a `Lever`,
  which every report format shows first.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from launchready.checks.framework.gate import GatePolicy
from launchready.checks.framework.waivers import Acceptance, describe
from launchready.config.model import DEFAULT_BLOCKING, SEVERITIES
from launchready.config.stack_yaml import StackFileError
from launchready.config.stack_yaml import load as load_bounded

if TYPE_CHECKING:
    from launchready.checks.framework.context import CheckContext
    from launchready.checks.framework.report import Report

FLOOR = {"staging": ("critical", "high"), "prod": ("critical", "high")}
# Areas that apply to every project: nothing a stack says can make them irrelevant.
ALWAYS = {"config": "the stack files are always validated",
          "secrets": "the repository and the app are always scanned for secrets",
          "infra": "the plan's resources are always held to the deploy policies"}
# Areas that apply when the offline plan deploys one of these resource types.
DEPLOYED_BY = {
    "rules": ("gcp:firebaserules/ruleset:Ruleset", "gcp:firebaserules/release:Release", "gcp:firestore/database:Database"),
    "stripe": ("launchready:stripe:WebhookEndpoint",),
    "webhook": ("launchready:stripe:WebhookEndpoint",),
    "dns": ("cloudflare:index/dnsRecord:DnsRecord",),
    "email": ("cloudflare:index/dnsRecord:DnsRecord",),
    "tls": ("gcp:firebase/hostingCustomDomain:HostingCustomDomain", "cloudflare:index/zoneSetting:ZoneSetting"),
    "http": ("gcp:firebase/hostingCustomDomain:HostingCustomDomain", "cloudflare:index/zoneSetting:ZoneSetting"),
    "functions": ("gcp:cloudfunctionsv2/function:Function",),
    "monitoring": ("gcp:monitoring/alertPolicy:AlertPolicy",),
}
# Areas that apply when the Flutter app depends on one of these packages (pubspec.yaml).
APP_PACKAGES = {"rules": ("cloud_firestore",), "stripe": ("flutter_stripe", "stripe_sdk", "stripe_payment", "stripe_checkout")}
NA_FORM = "{reason: …, owner: …, expires: YYYY-MM-DD}"


@dataclass(frozen=True)
class Lever:
    """One use of a trust lever: what was pulled and how."""

    kind: str      # blockingSeverities | notApplicable | waiver | baseline | allow-skips | allow-critical-waivers | base-ref
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"

    def to_dict(self) -> dict[str, str]:
        return {"lever": self.kind, "detail": self.detail}


# ------------------------------------------------------------------ the floor

def blocking_severities(environment: str, declared: list[str]) -> tuple[list[str], list[Lever]]:
    """The severities that block (the stack's plus the environment's floor) and, when the stack drops
    a default one, the lever that reports the attempt."""
    floor = FLOOR.get(environment, ())
    effective = [s for s in SEVERITIES if s in floor or s in declared]
    dropped = [s for s in DEFAULT_BLOCKING.get(environment, []) if s not in declared]
    if not dropped:
        return effective, []
    listed = "[" + ", ".join(declared) + "]"
    if any(s in floor for s in dropped):
        detail = (f"launchready:blockingSeverities {listed} drops {', '.join(dropped)}: refused, "
                  f"{' and '.join(floor)} always block in {environment}")
    else:
        detail = f"launchready:blockingSeverities {listed} drops {', '.join(dropped)} ({environment} has no floor)"
    return effective, [Lever("blockingSeverities", detail)]


def gate_policy(ctx: CheckContext) -> tuple[GatePolicy, list[Lever]]:
    """The run's GatePolicy with the floor applied, and the levers known before any check ran."""
    severities, levers = blocking_severities(ctx.config.environment, list(ctx.config.blocking_severities or []))
    policy = GatePolicy(severities, strict=ctx.strict, waivers=ctx.waivers, baseline=ctx.baseline,
                        project_root=ctx.repo_root, environment=ctx.config.environment,
                        allow_critical_waivers=ctx.options.allow_critical_waivers)
    return policy, levers + list(declarations(ctx).levers)


def report_levers(ctx: CheckContext, report: Report, policy: GatePolicy, before: list[Lever]) -> list[Lever]:
    """Every lever this run pulled, in the order a reviewer should read them."""
    levers = list(before) + list(policy.levers)
    baselined = [r for r in report.results if r.waiver is not None and r.waiver.kind == "baseline"]
    if ctx.options.baseline is not None:
        levers.append(Lever("baseline", f"{ctx.project.display(ctx.options.baseline)} accepts "
                                        f"{len(baselined)} result(s)"))
    if ctx.options.strict is False:
        allowed = report.allowed_skips()
        levers.append(Lever("allow-skips", f"--allow-skips: {len(allowed)} check(s) at a blocking severity "
                                           "skipped without blocking (the gate did not look)"))
    if ctx.options.base_ref:
        from launchready.checks.framework.base_ref import changes
        levers += [Lever("base-ref", f"{c.path}: {c.what} changed since {ctx.options.base_ref} "
                                     + (f"(code owners: {' '.join(c.owners)})" if c.owners else "(no code owner)"))
                   for c in changes(ctx)]
    if ctx.options.allow_critical_waivers:
        levers.append(Lever("allow-critical-waivers", "--allow-critical-waivers: waivers and baselines may accept "
                                                      "critical findings in prod"))
    return levers


# ------------------------------------------------------------------ notApplicable

@dataclass(frozen=True)
class Declarations:
    accepted: dict[str, str]                     # prefix -> reason: these checks are not run
    refused: tuple[tuple[str, str], ...] = ()    # (prefix, why): these checks run, and the refusal is a finding
    levers: tuple[Lever, ...] = ()


def declarations(ctx: CheckContext) -> Declarations:
    """The stack's notApplicable declarations, judged once per run."""
    return ctx.shared("trust.declarations", lambda: _judge(ctx))


def _judge(ctx: CheckContext) -> Declarations:
    accepted: dict[str, str] = {}
    refused: list[tuple[str, str]] = []
    levers: list[Lever] = []
    for prefix, entry in ctx.config.not_applicable.items():
        accepted_entry, why = _accountable(entry, ctx)
        why = why or _applies(prefix, ctx)
        if why or accepted_entry is None:
            refused.append((prefix, why))
            levers.append(Lever("notApplicable", f"{prefix}: refused, {why}"))
            continue
        accepted[prefix] = accepted_entry.reason
        levers.append(Lever("notApplicable", f"{prefix}: {accepted_entry.reason} (owner {accepted_entry.owner}, "
                                             f"expires {accepted_entry.expires.isoformat()})"))
    return Declarations(accepted, tuple(refused), tuple(levers))


def _accountable(entry: Any, ctx: CheckContext) -> tuple[Acceptance | None, str]:
    """The entry as an Acceptance, or why it is not one (the same bar as a waiver)."""
    if not isinstance(entry, dict):
        return None, f"a bare reason is not enough: declare it as {NA_FORM}, like a waiver"
    context = {"max_days": ctx.waiver_policy.max_days}
    try:
        accepted = Acceptance.model_validate(entry, context=context)
    except ValidationError as exc:
        return None, "; ".join(describe("", err).lstrip(".") for err in exc.errors())
    from launchready.checks.framework.waivers import today_utc
    if accepted.expired(today_utc()):
        return None, f"expired on {accepted.expires.isoformat()}"
    return accepted, ""


def _applies(prefix: str, ctx: CheckContext) -> str:
    """Why the checks under `prefix` apply to this project after all, or "" when nothing says so."""
    area = prefix.split(".", 1)[0]
    if area in ALWAYS:
        return ALWAYS[area]
    if area == "client" and ctx.app_dir is not None:
        return f"the Flutter app at {ctx.project.display(ctx.app_dir)} is checked whenever it exists"
    package = next((p for p in APP_PACKAGES.get(area, ()) if p in _app_packages(ctx)), None)
    if package:
        return f"the app depends on {package} (pubspec.yaml): {area} applies"
    types = DEPLOYED_BY.get(area)
    if not types:
        return ""
    try:
        planned = ctx.plan.of_type(*types)
    except Exception as exc:  # noqa: BLE001 - an unverifiable declaration is refused, never trusted
        return f"cannot be verified: the offline plan did not build ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    if planned:
        return f"the plan deploys {planned[0].type} ({len(planned)} resource(s)): {area} applies"
    return ""


def _app_packages(ctx: CheckContext) -> set[str]:
    """The dependency names in the app's pubspec.yaml (none when there is no app or it cannot be read)."""
    if ctx.app_dir is None:
        return set()
    try:
        document, _ = load_bounded(ctx.app_dir / "pubspec.yaml")
    except StackFileError:
        return set()
    if not isinstance(document, dict):
        return set()
    return {str(name) for key in ("dependencies", "dev_dependencies")
            for name in (document.get(key) or {}) if isinstance(document.get(key), dict)}
