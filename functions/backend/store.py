"""The Firestore client and a transaction runner that retries aborted transactions with jitter.

The client library retries an abort only at commit and without backoff; the emulator (and real
Firestore under contention) also aborts during reads. Retrying the whole transaction here means a
5xx from the webhook is a real failure, never mere contention.

Two round-trip savings the library does not make on its own (both measured on the webhook bench):
- a transaction begins with its first batched read (`BatchGetDocuments` with `new_transaction`)
  instead of a separate `BeginTransaction` call: one RPC fewer per transaction;
- server-streaming calls (every batched read and query) run on the calling thread
  (`SingleThreadedUnaryStream`), not through a channel spin thread started for the call.
And two CPU savings, both measured side by side on the bench (docs/performance.md):
- that first read and the commit call the gRPC method with raw protobuf messages (no proto-plus
  request marshalling, response wrapping or DocumentSnapshot deep copies): p95 69 -> 40 ms at best,
  53-58 ms typical;
- the transaction's create / set / update of plain data build the raw `Write` protobuf directly
  (`_raw_write`, equal to what the library's `pbs_for_*` build; anything else still goes through the
  library): server CPU per delivery 2.2 -> 1.6 ms, p95 46-48 -> 34-37 ms on a quiet machine.
"""
from __future__ import annotations

import copy
import datetime
import os
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_random_exponential

if TYPE_CHECKING:
    from google.cloud.firestore import Client, Transaction

T = TypeVar("T")
_clients: dict[tuple[str, str], Client] = {}
_lock = threading.Lock()

TRANSACTION_MAX_ATTEMPTS = 12
# A stuck database must become a fast 5xx (Stripe and the platform retry), not a request that hangs
# for the client library's 60 s default: each attempt gets FIRESTORE_CALL_TIMEOUT_SECONDS, all of them
# together FIRESTORE_TRANSACTION_SECONDS, both well inside the function's own timeout.
CALL_TIMEOUT_SECONDS = 8.0
TRANSACTION_MAX_SECONDS = 20.0
_deadline = threading.local()   # `.at`: the running attempt's time.monotonic() deadline (run_transaction)


class StoreTimeout(Exception):
    """A Firestore attempt outlived its budget; retried within the transaction budget, then raised (a 5xx)."""


def client() -> Client:
    """The client for $GOOGLE_CLOUD_PROJECT (the emulator when $FIRESTORE_EMULATOR_HOST is set)."""
    from .settings import require

    return client_for(require("GOOGLE_CLOUD_PROJECT"), os.environ.get("FIRESTORE_EMULATOR_HOST") or None)


def client_for(project: str, emulator_host: str | None = None) -> Client:
    """One cached client per (project, emulator host); anonymous credentials against an emulator.

    An explicit `emulator_host` pins the client to that emulator without touching the process
    environment (the readiness checks run in threads and must never reach a real project).
    """
    with _lock:
        key = (project, emulator_host or "")
        if key not in _clients:
            credentials = None
            if emulator_host:
                from google.auth.credentials import AnonymousCredentials
                credentials = AnonymousCredentials()
            db = _client_class()(project=project, credentials=credentials)
            if emulator_host:
                db._emulator_host = emulator_host  # the library's own emulator switch (insecure channel, admin)
            # The channel now, under the lock: the library creates it lazily without one, so threads of
            # a cold instance could each make one, and a replaced channel drops the streams it carries.
            db._firestore_api  # noqa: B018 - created for its side effect
            _clients[key] = db
        return _clients[key]


def is_transient(exc: BaseException) -> bool:
    from google.api_core import exceptions as gexc

    transient = (gexc.Aborted, gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.InternalServerError, StoreTimeout)
    if isinstance(exc, ValueError) and isinstance(exc.__cause__, transient):
        return True  # the library wraps a commit-time abort in ValueError
    return isinstance(exc, transient)


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.1, float(os.environ.get(name) or default))
    except ValueError:
        return default


def run_transaction(db: Client, body: Callable[[Transaction, int], T]) -> T:
    """Run `body(transaction, attempt)` in a fresh transaction until it commits (bounded, jittered),
    each attempt within its own deadline and all of them within the transaction budget."""
    call_timeout = _seconds("FIRESTORE_CALL_TIMEOUT_SECONDS", CALL_TIMEOUT_SECONDS)
    budget = _seconds("FIRESTORE_TRANSACTION_SECONDS", TRANSACTION_MAX_SECONDS)
    deadline = time.monotonic() + budget
    retrying = Retrying(retry=retry_if_exception(is_transient), reraise=True,
                        stop=stop_after_attempt(TRANSACTION_MAX_ATTEMPTS) | stop_after_delay(budget),
                        wait=wait_random_exponential(multiplier=0.05, max=2.0))
    for attempt in retrying:
        with attempt:
            seconds = max(0.1, min(call_timeout, deadline - time.monotonic()))
            return _bounded(lambda: _attempt(db, body, attempt.retry_state.attempt_number),  # noqa: B023
                            seconds)
    raise AssertionError("unreachable")  # pragma: no cover


def _bounded(call: Callable[[], T], seconds: float) -> T:
    """`call()` with every Firestore RPC it makes given a gRPC deadline at most `seconds` from now: a
    hung call is cancelled at the deadline (DEADLINE_EXCEEDED), and that is a StoreTimeout (an attempt
    that still commits later is deduplicated by design). On the calling thread: no hand-off to a
    worker thread per attempt (measured, ~12 % of the webhook's Python time)."""
    from google.api_core.exceptions import DeadlineExceeded

    _deadline.at = time.monotonic() + seconds
    try:
        return call()
    except DeadlineExceeded:
        if time.monotonic() < _deadline.at:   # the server's own deadline error, not ours
            raise
        raise StoreTimeout(f"Firestore did not answer within {seconds:.1f} s") from None
    finally:
        _deadline.at = None


def _time_left() -> float | None:
    """Seconds left of the running attempt (at least 10 ms), or None outside one: the one deadline every
    Firestore call of an attempt gets, through the library (`_Deadlined`) or raw (`_raw_call`)."""
    at = getattr(_deadline, "at", None)
    return None if at is None else max(0.01, at - time.monotonic())


class _Deadlined:
    """The Firestore API (the generated client) with each RPC's timeout capped by the running attempt's
    deadline and no client-side retry inside an attempt; outside one, calls pass through unchanged."""

    def __init__(self, api: Any):
        self._api = api

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._api, name)
        if name.startswith("_") or not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            left = _time_left()
            if left is not None:
                # and no client-side retry: its own 60 s loop would outlive the deadline (run_transaction
                # retries the whole attempt)
                kwargs.update(timeout=min(left, kwargs.get("timeout") or left), retry=None)
            return value(*args, **kwargs)
        return call


def _attempt(db: Client, body: Callable[[Transaction, int], T], number: int) -> T:
    """One attempt: `body` in a transaction that begins with its first read, then commit (or roll back)."""
    txn = _transaction_class()(db, max_attempts=1)
    try:
        result = body(txn, number)
        if txn._id is None:  # the body read nothing: begin the usual way, then commit its writes
            txn._begin()
        txn._commit()
        return result
    except BaseException:
        if txn._id is not None:
            try:
                txn._rollback()
            except Exception:  # noqa: BLE001 - the body's (or commit's) error is the one to report
                txn._clean_up()
        raise


_classes: dict[str, Any] = {}


def _transaction_class() -> type:
    """A Transaction that begins with its first `get_all` (one round trip fewer than the library's).

    `BatchGetDocuments` with `new_transaction` starts the transaction and reads in one call; any other
    first read (`ref.get(transaction=...)`, a query) begins it with `BeginTransaction` first, as
    before. Isolation is the same: the reads are part of the transaction the commit names."""
    if "transaction" not in _classes:
        import grpc
        from google.api_core.gapic_v1.method import DEFAULT
        from google.cloud.firestore_v1 import types
        from google.cloud.firestore_v1._helpers import decode_dict
        from google.cloud.firestore_v1.base_client import _get_reference, _reference_info
        from google.cloud.firestore_v1.transaction import Transaction

        for name in ("BatchGetDocumentsRequest", "BatchGetDocumentsResponse", "CommitRequest", "CommitResponse",
                     "Write"):
            _pb_types[name] = getattr(types, name).pb()
        _READ_WRITE = types.TransactionOptions(read_write=types.TransactionOptions.ReadWrite())._pb

        class BeginOnRead(Transaction):
            @property
            def in_progress(self) -> bool:
                return True  # begun on demand, by the first read (or the commit)

            @property
            def id(self) -> bytes:
                if self._id is None:  # a first read other than `get_all` (a document get, a query)
                    self._begin()
                return self._id

            def _begin(self, retry_id: bytes | None = None) -> None:
                db = self._client
                response = db._firestore_api.begin_transaction(
                    request={"database": db._database_string, "options": self._options_protobuf(retry_id)},
                    metadata=db._rpc_metadata)
                self._id = response.transaction

            def _rollback(self) -> None:
                if self._id is None:
                    self._clean_up()
                    return
                super()._rollback()

            def get_all(self, references, retry=DEFAULT, timeout=None, *, read_time=None):  # noqa: ANN001
                if self._id is None and not self._write_pbs and read_time is None:
                    return iter(self._begin_with_read(list(references)))
                return super().get_all(references, retry=retry, timeout=timeout, read_time=read_time)

            def _begin_with_read(self, references: list) -> list:
                db = self._client
                paths, reference_map = _reference_info(references)
                request = _pb_types["BatchGetDocumentsRequest"](
                    database=db._database_string, documents=paths, new_transaction=_READ_WRITE)
                # no client-side retry: a retried call would begin a second transaction; a transient
                # error goes to run_transaction, which retries the whole attempt
                stream = _raw_call(db, "batch_get_documents", request)
                snaps = []
                try:
                    for response in stream:  # consumed now: the transaction id comes with the first response
                        if response.transaction and self._id is None:
                            self._id = response.transaction
                        kind = response.WhichOneof("result")
                        if kind == "found":
                            doc = response.found
                            snaps.append(_Snapshot(_get_reference(doc.name, reference_map),
                                                   decode_dict(doc.fields, db)))
                        elif kind == "missing":
                            snaps.append(_Snapshot(_get_reference(response.missing, reference_map), None))
                except grpc.RpcError as exc:
                    raise _api_error(exc) from exc
                if self._id is None:
                    raise RuntimeError("Firestore began no transaction for a BatchGetDocuments with new_transaction")
                return snaps

            # create / set / update of plain data: the Write protobuf built directly (`_raw_write`), about
            # 5x less CPU than the library's proto-plus path; anything else goes the library's way
            def create(self, reference, document_data) -> None:  # noqa: ANN001
                if not self._raw(reference, _raw_write(reference._document_path, document_data, exists=False)):
                    super().create(reference, document_data)

            def set(self, reference, document_data, merge=False) -> None:  # noqa: ANN001
                write = _raw_write(reference._document_path, document_data) if merge is False else None
                if not self._raw(reference, write):
                    super().set(reference, document_data, merge=merge)

            def update(self, reference, field_updates, option=None) -> None:  # noqa: ANN001
                write = _raw_write(reference._document_path, field_updates, update=True) if option is None else None
                if not self._raw(reference, write):
                    super().update(reference, field_updates, option=option)

            def _raw(self, reference, write: _RawWrite | None) -> bool:  # noqa: ANN001
                """Queue a raw write as the library queues its own; False: none (the library's way then)."""
                if write is None:
                    return False
                self._document_references[reference._document_path] = reference
                self._add_write_pbs([write])
                return True

            def _commit(self) -> list:
                db = self._client
                request = _pb_types["CommitRequest"](
                    database=db._database_string, writes=[w._pb for w in self._write_pbs], transaction=self._id)
                response = _raw_call(db, "commit", request)
                self._clean_up()
                self.write_results = list(response.write_results)
                self.commit_time = response.commit_time
                return self.write_results

        _classes["transaction"] = BeginOnRead
    return _classes["transaction"]


_pb_types: dict[str, Any] = {}


class _Unsupported(Exception):
    """A value the raw encoder leaves to the library (sentinels, references, geo points, subclasses...)."""


class _RawWrite:
    """A raw `Write` protobuf where the transaction keeps the library's proto-plus writes (`._pb`)."""

    __slots__ = ("_pb",)

    def __init__(self, pb: Any):
        self._pb = pb


_SIMPLE_NAME = re.compile(r"^[_a-zA-Z][_a-zA-Z0-9]*$")   # a field path needing no quoting (FieldPath rules)


def _raw_write(path: str, data: Any, *, exists: bool | None = None, update: bool = False) -> _RawWrite | None:
    """The `Write` the library's `pbs_for_create` (`exists=False`), `pbs_for_set_no_merge` or `pbs_for_update`
    (`update=True`) makes of `data`, built straight on the raw protobuf; None when `data` holds anything
    but plain values (None, bool, int, float, str, bytes, datetime, lists and maps of them) and top-level
    SERVER_TIMESTAMPs, or when an update names a field path rather than a plain field: the caller then
    uses the library, which also raises its own errors."""
    from google.cloud.firestore_v1.transforms import SERVER_TIMESTAMP

    if type(data) is not dict or (update and not data):
        return None
    write = _pb_types["Write"]()
    doc = write.update
    doc.name = path
    fields = doc.fields
    stamps = []
    try:
        for key, value in data.items():
            if value is SERVER_TIMESTAMP:
                if not _SIMPLE_NAME.match(key):
                    return None
                stamps.append(key)
            elif update and not _SIMPLE_NAME.match(key):
                return None   # a dotted path: the library splits it
            else:
                _set_value(fields[key], value)
    except (_Unsupported, TypeError, ValueError, OverflowError):
        return None
    if update:
        write.update_mask.SetInParent()   # present even when empty (only transforms): never a whole-document set
        write.update_mask.field_paths.extend(sorted(k for k in data if data[k] is not SERVER_TIMESTAMP))
        write.current_document.exists = True
    elif exists is not None:
        write.current_document.exists = exists
    for key in sorted(stamps):
        transform = write.update_transforms.add()
        transform.field_path = key
        transform.set_to_server_value = 1   # REQUEST_TIME
    return _RawWrite(write)


def _set_value(target: Any, value: Any) -> None:
    """Fill the `Value` protobuf `target` in place as the library's `encode_value` would encode `value`."""
    kind = type(value)
    if kind is str:
        target.string_value = value
    elif value is None:
        target.null_value = 0
    elif kind is bool:
        target.boolean_value = value
    elif kind is int:
        target.integer_value = value
    elif kind is float:
        target.double_value = value
    elif kind is dict:
        target.map_value.SetInParent()
        fields = target.map_value.fields
        for key, item in value.items():
            if type(key) is not str:
                raise _Unsupported
            _set_value(fields[key], item)
    elif kind is list or kind is tuple:
        target.array_value.SetInParent()
        values = target.array_value.values
        for item in value:
            _set_value(values.add(), item)
    elif kind is bytes:
        target.bytes_value = value
    elif isinstance(value, datetime.datetime):
        from google.api_core.datetime_helpers import DatetimeWithNanoseconds
        from google.cloud.firestore_v1._helpers import _datetime_to_pb_timestamp  # the library's own encoder

        stamp = value.timestamp_pb() if isinstance(value, DatetimeWithNanoseconds) else _datetime_to_pb_timestamp(value)
        target.timestamp_value.CopyFrom(stamp)
    else:
        raise _Unsupported


_RPCS = {"batch_get_documents": ("BatchGetDocuments", "unary_stream", "BatchGetDocumentsResponse"),
         "commit": ("Commit", "unary_unary", "CommitResponse")}


class _Snapshot:
    """What the transaction bodies use of a DocumentSnapshot (`reference`, `id`, `exists`, `to_dict()`),
    parsed straight from the response protobuf: no proto-plus wrapping, one copy of the data."""

    __slots__ = ("reference", "_data")

    def __init__(self, reference: Any, data: dict[str, Any] | None):
        self.reference = reference
        self._data = data

    @property
    def exists(self) -> bool:
        return self._data is not None

    @property
    def id(self) -> str:
        return self.reference.id

    def to_dict(self) -> dict[str, Any] | None:
        return None if self._data is None else copy.deepcopy(self._data)


def _raw_call(db: Client, name: str, request: Any) -> Any:
    """The Firestore RPC `name` with a raw protobuf request and response (no proto-plus marshalling),
    the client's metadata and routing header, and the running attempt's deadline; never retried here.
    A unary call's gRPC error becomes the google.api_core exception the library would raise; a stream's
    is converted where it is consumed."""
    import grpc
    from google.api_core.gapic_v1 import routing_header

    stubs = db.__dict__.setdefault("_launchready_raw", {})
    if name not in stubs:
        method, kind, response = _RPCS[name]
        channel = db._firestore_api._transport.grpc_channel
        metadata = (*db._rpc_metadata, routing_header.to_grpc_metadata((("database", db._database_string),)))
        stubs[name] = (getattr(channel, kind)(f"/google.firestore.v1.Firestore/{method}",
                                              request_serializer=type(request).SerializeToString,
                                              response_deserializer=_pb_types[response].FromString), metadata)
    stub, metadata = stubs[name]
    timeout = _time_left()
    if timeout is None:
        timeout = _seconds("FIRESTORE_CALL_TIMEOUT_SECONDS", CALL_TIMEOUT_SECONDS)
    try:
        return stub(request, timeout=timeout, metadata=metadata)
    except grpc.RpcError as exc:
        raise _api_error(exc) from exc


def _api_error(exc: Any) -> Exception:
    from google.api_core import exceptions as gexc
    return gexc.from_grpc_error(exc)


def _client_class() -> type:
    """firestore.Client whose channels run server-streaming calls on the calling thread.

    grpc's default starts a channel spin thread for each streamed call when none is in flight
    (every transaction's batched read): measured, ~0.6 ms of CPU per webhook transaction."""
    if "client" not in _classes:
        import grpc
        from google.cloud import firestore
        from google.cloud.firestore_v1.services.firestore.transports import grpc as firestore_grpc

        single = (grpc.experimental.ChannelOptions.SingleThreadedUnaryStream, 1)

        class Transport(firestore_grpc.FirestoreGrpcTransport):
            @classmethod
            def create_channel(cls, host, credentials=None, **kwargs):  # noqa: ANN001, ANN206
                kwargs["options"] = [*(kwargs.get("options") or ()), single]
                return super().create_channel(host, credentials, **kwargs)

        class Client(firestore.Client):
            @property
            def _firestore_api(self):  # noqa: ANN202
                from google.cloud.firestore_v1.services.firestore import client as firestore_client
                return _Deadlined(self._firestore_api_helper(Transport, firestore_client.FirestoreClient,
                                                             firestore_client))

            def _emulator_channel(self, transport):  # noqa: ANN001, ANN202
                token = getattr(self._credentials, "id_token", None) or "owner"
                return grpc.insecure_channel(self._emulator_host,
                                             options=[("Authorization", f"Bearer {token}"), single])

        _classes["client"] = Client
    return _classes["client"]


def server_timestamp() -> Any:
    from google.cloud import firestore
    return firestore.SERVER_TIMESTAMP
