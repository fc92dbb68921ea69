"""Fixtures for functions/: env for in-process calls, the CRM/support stand-in, and
functions-framework servers over real HTTP (one per target per worker, stopped by PID)."""
from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from launchready.runtime.processes import free_port, port_open, spawn, stop_pid, wait_until
from launchready.sandbox.stubs.auth_api import AuthApiStub
from launchready.sandbox.stubs.crm_support import CrmSupportStub

WEBHOOK_SECRET = "whsec_test_launchready_functions"
STUB_TOKEN = "stub-token-functions-tests"
FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"
# The production deadlines (8 s an attempt, 20 s a transaction) assume a database that is not shared
# with a whole test suite on two cores; tests that are about deadlines set their own.
LOADED_MACHINE_DEADLINES = {"FIRESTORE_CALL_TIMEOUT_SECONDS": "30", "FIRESTORE_TRANSACTION_SECONDS": "45"}


@pytest.fixture
def crm_stub():
    stub = CrmSupportStub(token=STUB_TOKEN).start()
    yield stub
    stub.stop()


@pytest.fixture
def fn_env(firestore_db, crm_stub, monkeypatch):
    """Everything the entry points read, pointed at the emulator and the stand-in."""
    values = {
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "CRM_API_TOKEN": STUB_TOKEN, "CRM_API_BASE": crm_stub.base_url,
        "SUPPORT_API_TOKEN": STUB_TOKEN, "SUPPORT_API_BASE": crm_stub.base_url, "SYNC_MAX_ATTEMPTS": "3",
        "SYNC_BACKOFF_SECONDS": "0.05", "SYNC_HTTP_TIMEOUT_SECONDS": "0.5", **LOADED_MACHINE_DEADLINES,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)      # link lookups only where a test grants a key
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")   # and never towards api.stripe.com
    return values


@pytest.fixture
def db(fn_env):
    from launchready.functions.backend.store import client
    return client()


def _serve(target: str, emulator, tmp_dir: Path, extra_env: dict[str, str]):
    port = free_port()
    log = tmp_dir / f"{target}.log"
    env = {"FIRESTORE_EMULATOR_HOST": emulator.host, "GOOGLE_CLOUD_PROJECT": emulator.project_id,
           "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "STRIPE_API_BASE": "http://127.0.0.1:9",
           **LOADED_MACHINE_DEADLINES, **extra_env}
    argv = [str(Path(sys.executable).parent / "functions-framework"), "--source", str(FUNCTIONS_DIR / "main.py"),
            "--target", target, "--host", "127.0.0.1", "--port", str(port)]
    proc = spawn(argv, log, env=env)
    wait_until(lambda: port_open(port), timeout=30, proc=proc, what=f"functions-framework ({target})", log_file=log)
    return proc, f"http://127.0.0.1:{port}/", log


@pytest.fixture(scope="session")
def webhook_server(firestore_emulator, tmp_path_factory):
    """`stripe_webhook` served by functions-framework: (url, log file)."""
    proc, url, log = _serve("stripe_webhook", firestore_emulator, tmp_path_factory.mktemp("ff"), {})
    yield url, log
    stop_pid(proc.pid)


SUPPORT_ORIGIN = "https://app.tidepool.example"
SUPPORT_RATE_LIMIT = 5


@pytest.fixture(scope="session")
def auth_stub():
    """The Auth account-lookup stand-in that `check_revoked=True` asks (unknown uids are enabled users)."""
    stub = AuthApiStub(open_signup=True).start()
    yield stub
    stub.stop()


@pytest.fixture(scope="session")
def support_server(firestore_emulator, auth_stub, tmp_path_factory):
    """`request_support` served by functions-framework, verifying ID tokens in emulator mode."""
    proc, url, log = _serve("request_support", firestore_emulator, tmp_path_factory.mktemp("ff"), {
        "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{auth_stub.port}", "SUPPORT_ALLOWED_ORIGINS": SUPPORT_ORIGIN,
        "SUPPORT_RATE_LIMIT": str(SUPPORT_RATE_LIMIT), "SUPPORT_RATE_WINDOW_SECONDS": "600"})
    yield url, log
    stop_pid(proc.pid)


@pytest.fixture
def http():
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def functions_main():
    """functions/main.py loaded from its file, as functions-framework loads it (its folder on sys.path)."""
    import importlib.util
    import sys

    if str(FUNCTIONS_DIR) not in sys.path:
        sys.path.append(str(FUNCTIONS_DIR))

    spec = importlib.util.spec_from_file_location("launchready_functions_main", FUNCTIONS_DIR / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def worker_server(firestore_emulator, tmp_path_factory):
    """`sync_worker` served by functions-framework, talking to its own CRM/support stand-in."""
    stub = CrmSupportStub(token=STUB_TOKEN).start()
    proc, url, _ = _serve("sync_worker", firestore_emulator, tmp_path_factory.mktemp("ff"), {
        "CRM_API_TOKEN": STUB_TOKEN, "CRM_API_BASE": stub.base_url, "SUPPORT_API_TOKEN": STUB_TOKEN,
        "SUPPORT_API_BASE": stub.base_url, "SYNC_BACKOFF_SECONDS": "0.05", "SYNC_HTTP_TIMEOUT_SECONDS": "0.5"})
    yield url, stub
    stop_pid(proc.pid)
    stub.stop()


@pytest.fixture
def stripe_api(fn_env, monkeypatch):
    """The Stripe API stand-in, with the webhook granted a key for it (link resolution)."""
    from launchready.sandbox.stubs.stripe_api import StripeApiStub

    stub = StripeApiStub().start()
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_launchready_functions")
    monkeypatch.setenv("STRIPE_API_BASE", stub.base_url)
    yield stub
    stub.stop()
