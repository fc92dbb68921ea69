"""The app build for the checked stack's environment talks to that environment's Firebase project.

A prod build whose `firebase_options_prod.dart`, `google-services.json` or `GoogleService-Info.plist`
names the dev project ships to users and writes to dev (seed triage step 7: "confirm production
environment variables are set correctly in Flutter build config"). Flavors come from file names and
folders (`firebase_options_production.dart`, `android/app/src/staging/`, `ios/config/prod/`); a build
without flavors uses the unflavoured config for every stack.
"""
from __future__ import annotations

from launchready.checks.catalog.secrets import app_dir_unusable
from launchready.checks.framework import Finding, Severity, register
from launchready.checks.framework.base import Check
from launchready.flutter.app_config import (
    AppConfigError,
    clients_for,
    environment_of,
    firebase_clients,
    read_firebaserc,
)


@register
class FirebaseProjectPerStack(Check):
    id = "client.config.firebase_project"
    needs = ("app",)
    title = "Each environment's app build points at that environment's Firebase project"
    severity = Severity.CRITICAL
    remediation = ("Regenerate the flavor's Firebase config for the stack's project, e.g. "
                   "`flutterfire configure --project=<launchready:gcp.projectId> --out=lib/firebase_options_<flavor>.dart`, "
                   "and download that project's google-services.json / GoogleService-Info.plist into the "
                   "flavor's folder.")

    def run(self, ctx):
        unusable = app_dir_unusable(self, ctx, "the app's Firebase config was not read")
        if unusable:
            yield unusable
            return
        try:
            clients = firebase_clients(ctx.app_dir)
            aliases = read_firebaserc(ctx.project.root) or read_firebaserc(ctx.app_dir)
        except AppConfigError as exc:
            yield self.errored(str(exc).replace(str(ctx.project.root) + "/", ""))
            return
        cfg = ctx.config
        result = self._judge(ctx, ctx.stack, cfg.environment, cfg.gcp.project_id, clients_for(clients, cfg.environment))
        yield self._with_aliases(ctx, result, cfg.environment, cfg.gcp.project_id, aliases)

    def _with_aliases(self, ctx, result, env: str, project: str, aliases: dict[str, str]):
        """`firebase deploy -P <alias>` for this environment must reach the same project."""
        wrong = sorted(alias for alias, target in aliases.items() if environment_of(alias) == env and target != project)
        if not wrong:
            return result
        rc = ctx.project.root / ".firebaserc"
        findings = [Finding(ctx.project.display(rc), None, f"alias {a} points at {aliases[a]}, not {project}")
                    for a in wrong]
        if result.status.value == "fail":
            result.findings.extend(findings)
            return result
        return self.failed(f"stack {ctx.stack}: .firebaserc sends `firebase deploy -P {wrong[0]}` to "
                           f"{aliases[wrong[0]]}, not {project}", {**result.evidence, "aliases": aliases},
                           findings=findings)

    def _judge(self, ctx, stack: str, env: str, project: str, clients):
        evidence = {"stack": stack, "project": project,
                    "configs": [f"{ctx.project.display(c.source)} ({c.platform}"
                                + (f", flavor {c.flavor}" if c.flavor else "") + ")" for c in clients]}
        if not clients:
            return self.warned(f"stack {stack}: no Firebase client config for {env} found in the app "
                               f"({ctx.project.display(ctx.app_dir)}): which project its build uses is unknown",
                               evidence, remediation="Add a flavor config named for the environment (e.g. "
                               f"lib/firebase_options_{env}.dart via `flutterfire configure`).")
        findings = []
        for client in clients:
            wrong = sorted({client.project_id, *client.other_projects} - {project})
            if wrong:
                findings.append(Finding(ctx.project.display(client.source), client.line,
                                        f"{client.platform} config names project {', '.join(wrong)}, "
                                        f"not {project}"))
        if findings:
            return self.failed(f"stack {stack}: the {env} build points at another Firebase project "
                               f"({len(findings)} config(s))", evidence, findings=findings)
        return self.passed(f"stack {stack}: {len(clients)} app config(s) point at {project}", evidence)
