"""Client code writing billing, entitlement or role state: the app granting itself a plan.

Writes are found through every Flutter data API (see `data_writes.py`): `cloud_firestore`
(`set/update/add`, `Transaction`/`WriteBatch`, FlutterFlow's `createXRecordData(...)`, `FieldValue`
values), `firebase_database` (`ref(...)/child(...)` then `set/update/push`, including a scalar written
to a state-named path) and REST writes to Firestore or the Realtime Database. A field is state when
`checks.billing_state` says so, when the project's payment backend writes it, or when the rules close
its collection to clients (see `backend_owned.py`). Each finding names the flow.
"""
from __future__ import annotations

from launchready.billing_state import is_state_field, normalise
from launchready.checks.catalog.client import ClientCodeCheck
from launchready.flutter.backend_owned import backend_fields, closed_collections
from launchready.flutter.data_writes import TRIGGER, record_collections, rest_writes, writes
from launchready.checks.catalog.rules._base import rules_source
from launchready.checks.framework import Finding, Severity, register
from launchready.rules.testing.access_file import AccessFileError, load_access_matrix


def matrix_backend_fields(ctx) -> frozenset[str]:
    """Normalised fields the app's access matrix says only the backend writes (`who: backend` rows);
    an unreadable matrix adds none here (rules.behaviour.app reports it)."""
    try:
        matrix = load_access_matrix(ctx.project.matrix_file)
    except AccessFileError:
        return frozenset()
    return frozenset(normalise(name) for names in matrix.backend_fields().values() for name in names)


@register
class ClientWritesBackendState(ClientCodeCheck):
    id = "client.state.backend_owned"
    title = "The app does not write billing, entitlement or role state"
    severity = Severity.CRITICAL
    remediation = ("Remove these writes from the app: plan, payment, subscription, credit and role state is set "
                   "only by the backend from verified provider events (Stripe webhooks, store receipts). Keep the "
                   "client to profile fields, and deny the state fields in the rules (`affectedKeys().hasOnly`).")
    what = "client write(s) of backend-owned billing/entitlement/role state"
    trigger = TRIGGER
    # A file that writes to a data store names one: its API, a FlutterFlow record, a reference or REST host.
    requires = (("Firestore", "firestore", "Database", "Record", "Reference", "Ref", "Doc", ".ref(", ".doc(",
                  ".child(", "firebaseio", "firebasedatabase"),)

    def prepare(self, ctx, app) -> dict:
        own = app.root / "firestore.rules"   # a Firebase project keeps its rules beside the app
        rules, _ = (rules_source(ctx.with_options(rules_file=own)) if own.is_file() else rules_source(ctx)).parse()
        self.extra = backend_fields(app.texts) | matrix_backend_fields(ctx)
        self.closed = closed_collections(rules)
        self.records = record_collections(app)
        return {"backend_written_fields": sorted(self.extra), "backend_only_collections": sorted(self.closed)}

    def findings_in(self, dart, app):
        findings = []
        for flow, name, value, at, api in writes(dart, self.records):
            findings.extend(self._judge(dart, flow.collection, name, value, at, api))
        for collection, name, value, at, api in rest_writes(dart):
            findings.extend(self._judge(dart, collection, name, value, at, api))
        return findings

    def _judge(self, dart, collection: str | None, name: str, value: str, at: int, api: str) -> list[Finding]:
        where = collection or "an unresolved document"
        if is_state_field(name, value, self.extra):
            why = "the backend writes it" if normalise(name) in self.extra else "billing/entitlement/role state"
            return [Finding(str(dart.path), dart.line(at),
                            f"writes {name!r} to {where} via {api} ({why}): the app can grant itself this state")]
        if collection in self.closed:
            return [Finding(str(dart.path), dart.line(at),
                            f"writes {name!r} to {collection} via {api}, a collection the rules close to clients "
                            f"(line {self.closed[collection]}): backend-only data")]
        return []
