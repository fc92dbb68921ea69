"""Client code writing billing, entitlement or role state: the app granting itself a plan.

Writes are found through every Flutter data API (see `data_writes.py`): `cloud_firestore`
(`set/update/add`, `Transaction`/`WriteBatch`, FlutterFlow's `createXRecordData(...)`, `FieldValue`
values), `firebase_database` (`ref(...)/child(...)` then `set/update/push`, including a scalar written
to a state-named path) and REST writes to Firestore or the Realtime Database, also through the app's own
helper functions and with field names held in constants. A field is state when `checks.billing_state`
says so, when the project's payment backend writes it in that collection (a profile field it copies, or
a name it writes elsewhere, is not), when the rules close its collection to clients (see
`backend_owned.py`), or — whatever its name — when the app gates on it and the client writes it from a
payment SDK's result, the device clock, a client-side Stripe Connect check or a PIN compared on the
device (see `entitlement_flow.py`). Each finding names the flow.
"""
from __future__ import annotations

import re

from launchready.billing_state import NEUTRAL_VALUE, STATE_FIELD, is_state_field, normalise
from launchready.checks.catalog.client import ClientCodeCheck
from launchready.checks.catalog.rules._base import rules_source
from launchready.checks.framework import Finding, Severity, register
from launchready.flutter.backend_owned import backend_fields, backend_writes, closed_collections
from launchready.flutter.data_writes import TRIGGER, helper_writes, record_collections, rest_writes, writes
from launchready.flutter.entitlement_flow import Gates, source_of
from launchready.rules.testing.access_file import AccessFileError, load_access_matrix


def matrix_backend_fields(ctx) -> frozenset[str]:
    """Normalised fields the app's access matrix says only the backend writes (`who: backend` rows);
    an unreadable matrix adds none here (rules.behaviour.app reports it)."""
    try:
        matrix = load_access_matrix(ctx.project.matrix_file)
    except AccessFileError:
        return frozenset()
    return frozenset(normalise(name) for names in matrix.backend_fields().values() for name in names)


LOG_COLLECTION = re.compile(r"(?:^|[_-])(?:logs?|history|activity|audit|timeline)$|(?:Logs?|History|Activity)$", re.I)


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
        source = rules_source(ctx.with_options(rules_file=own)) if own.is_file() else rules_source(ctx)
        rules, _ = source.parse()
        self.extra = backend_fields(app.texts) | matrix_backend_fields(ctx)
        self.backend = {c: {normalise(k) for k in keys} for c, keys in backend_writes(app.texts).items()}
        self.closed = closed_collections(rules)
        self.records = record_collections(app)
        self.gates = Gates(app, source.text or "", source.display)
        return {"backend_written_fields": sorted(self.extra), "backend_only_collections": sorted(self.closed)}

    def findings_in(self, dart, app):
        findings = []
        for flow, name, value, at, api in writes(dart, self.records, app):
            findings.extend(self._judge(dart, flow.collection, name, value, at, api))
        for source, flow, name, value, at, api in helper_writes(dart, self.records, app):
            findings.extend(self._judge(source, flow.collection, name, value, at, api))
        for collection, name, value, at, api in rest_writes(dart):
            findings.extend(self._judge(dart, collection, name, value, at, api))
        return findings

    def _owned(self, collection: str | None) -> frozenset[str]:
        """Names the payment backend writes where this write goes (anywhere, when either side's
        collection is unknown): sharing a name with a field of another collection is not ownership."""
        if collection is None:
            return self.extra
        return frozenset(self.backend.get(collection.rpartition("/")[2], set()) | self.backend.get("", set()))

    def _display_only(self, collection: str | None, name: str, owned: frozenset[str]) -> bool:
        """A `status: 'paid'` in a purchase log or history the rules never look up grants nothing: only
        a state *value* (status/role), never a state *name* (`isPremium`) or a backend-written field."""
        last = (collection or "").rpartition("/")[2]
        key = normalise(name)
        return bool(LOG_COLLECTION.search(last)) and not STATE_FIELD.search(key) and key not in owned and \
            f"documents/{last}/" not in self.gates.rules_text

    def _judge(self, dart, collection: str | None, name: str, value: str, at: int, api: str) -> list[Finding]:
        where = collection or "an unresolved document"
        owned = self._owned(collection)
        source = source_of(dart, at, name, value)
        flow = f", from {source.what} (line {source.line})" if source else ""
        if is_state_field(name, value, owned) and self._display_only(collection, name, owned):
            self.not_raised.append(f"{dart.rel}:{dart.line(at)}: {name!r} in {collection}, a display-only log "
                                   "(the rules never look it up)")
            return []
        if is_state_field(name, value, owned):
            why = "the backend writes it" if normalise(name) in owned else "billing/entitlement/role state"
            return [Finding(str(dart.path), dart.line(at),
                            f"writes {name!r} to {where} via {api} ({why}){flow}: the app can grant itself this state")]
        if collection in self.closed:
            return [Finding(str(dart.path), dart.line(at),
                            f"writes {name!r} to {collection} via {api}, a collection the rules close to clients "
                            f"(line {self.closed[collection]}): backend-only data")]
        gate = self.gates.where(name) if source and not NEUTRAL_VALUE.match(value.strip()) else None
        if gate:
            return [Finding(str(dart.path), dart.line(at),
                            f"writes {name!r} to {where} via {api}{flow}; the app gates on it at {gate}: "
                            "the app can grant itself this state")]
        return []
