"""Smoke tests: the app served by the virtualenv's gunicorn (the one app/requirements.txt pins, as
in the image), over HTTP as the image runs it and over TLS as the AWS fleet runs it; and the
virtualenv holds exactly the versions the locks pin."""

from __future__ import annotations

import re
import socket
import ssl
import sys
import warnings
from importlib import metadata
from pathlib import Path

import pytest

from conftest import APP_DIR, Certificate, Postgres, SecretVolume, get_json, venv_gunicorn


def locked(lock: str) -> dict[str, str]:
    """The name==version pins of one of the app's locks, by normalized name."""
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", (APP_DIR / lock).read_text(), re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_the_virtualenv_holds_what_the_lock_pins(lock):
    venv_gunicorn()  # in the virtualenv, or fail saying how to run the tests
    installed = {
        re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower(): dist.version
        for dist in metadata.distributions()
    }
    pins = locked(lock)
    assert pins, f"no pins read from {lock}"
    assert {name: installed.get(name) for name in pins} == pins


def test_gunicorn_is_the_virtualenvs():
    gunicorn = venv_gunicorn()
    assert gunicorn.parent == Path(sys.executable).parent
    assert not str(gunicorn).startswith("/usr/")


def test_under_gunicorn_without_a_database(gunicorn):
    server = gunicorn()
    assert get_json(f"{server.base}/healthz") == (200, {"status": "ok"})
    assert get_json(f"{server.base}/readyz") == (
        503,
        {"ready": False, "reason": "DATABASE_URL is not set"},
    )


def test_under_gunicorn_with_a_database(gunicorn, postgres: Postgres):
    url = postgres.url(sslmode="verify-full", sslrootcert=str(postgres.ca))
    server = gunicorn({"DATABASE_URL": url})
    assert get_json(f"{server.base}/readyz") == (200, {"ready": True})
    assert get_json(f"{server.base}/healthz") == (200, {"status": "ok"})


def test_under_gunicorn_with_the_database_secret_mounted_as_kubernetes_does(
    gunicorn, tmp_path, postgres: Postgres
):
    # Workload.ts: DATABASE_URL_FILE names the key `url` of the optional Secret's volume. The
    # Secret arriving after the pod started, or changing, applies without a restart.
    volume = SecretVolume(tmp_path / "app-database")
    server = gunicorn({"DATABASE_URL_FILE": str(volume.url_file)})
    assert get_json(f"{server.base}/readyz") == (
        503,
        {"ready": False, "reason": "DATABASE_URL_FILE cannot be read: FileNotFoundError"},
    )
    volume.write(postgres.url(sslmode="verify-full", sslrootcert=str(postgres.ca)))
    assert get_json(f"{server.base}/readyz") == (200, {"ready": True})
    volume.write(postgres.url(password="not-" + postgres.password, sslmode="require"))
    assert get_json(f"{server.base}/readyz") == (
        503,
        {"ready": False, "reason": "database unreachable: OperationalError"},
    )
    assert server.process.poll() is None  # the same server throughout


# What the AWS fleet's boot script writes (components/aws/AsgFleet.ts, targetTls) and hands to
# the container as GUNICORN_CMD_ARGS, the floor being TARGET_TLS_MINIMUM (TLSv1_2).
FLEET_TLS_CONFIG = """\
import ssl


def ssl_context(conf, default_ssl_context_factory):
    context = default_ssl_context_factory()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
"""


@pytest.fixture
def tls_gunicorn(gunicorn, tmp_path, certificate: Certificate):
    """Start the app under gunicorn with TLS as the fleet does, with the given config file."""

    def start(config_text: str):
        config = tmp_path / "gunicorn_tls.py"
        config.write_text(config_text)
        trusted = ssl.create_default_context(cafile=str(certificate.cert))
        args = f"--certfile {certificate.cert} --keyfile {certificate.key} --config {config}"
        server = gunicorn({"GUNICORN_CMD_ARGS": args}, tls=trusted)
        return server, int(server.base.rsplit(":", 1)[1]), trusted

    return start


def client_context(highest: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that offers TLS 1.0 up to `highest` (no verification: only the version counts)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 offers TLS 1.0 and 1.1 only so
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSVersion.TLSv1 and 1_1 are
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = highest
    return context


def handshake(port: int, context: ssl.SSLContext) -> str:
    """The TLS version a handshake with the server agrees on (ssl.SSLError if none)."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.version() or ""


def test_under_gunicorn_with_tls_as_the_fleet_runs_it(tls_gunicorn):
    server, port, trusted = tls_gunicorn(FLEET_TLS_CONFIG)
    assert server.base.startswith("https://")
    assert get_json(f"{server.base}/healthz", context=trusted) == (200, {"status": "ok"})
    assert get_json(f"{server.base}/readyz", context=trusted) == (
        503,
        {"ready": False, "reason": "DATABASE_URL is not set"},
    )
    assert handshake(port, trusted) in ("TLSv1.2", "TLSv1.3")
    assert handshake(port, client_context(ssl.TLSVersion.TLSv1_2)) == "TLSv1.2"
    # Python's and OpenSSL's defaults refuse TLS 1.1 already; the hook keeps it so if they change.
    with pytest.raises(ssl.SSLError):
        handshake(port, client_context(ssl.TLSVersion.TLSv1_1))


def test_gunicorn_applies_the_fleets_ssl_context_hook(tls_gunicorn):
    # The same hook with a floor above the defaults: a TLS 1.2 client is refused only if gunicorn
    # calls the hook of the --config file named in GUNICORN_CMD_ARGS, which the fleet relies on.
    _, port, trusted = tls_gunicorn(FLEET_TLS_CONFIG.replace("TLSv1_2", "TLSv1_3"))
    assert handshake(port, trusted) == "TLSv1.3"
    with pytest.raises(ssl.SSLError):
        handshake(port, client_context(ssl.TLSVersion.TLSv1_2))
