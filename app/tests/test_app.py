"""The app's routes through Flask's test client: /, /healthz, and /readyz without a database URL,
with a database that cannot be reached or refuses the app, and with a real PostgreSQL server; the
URL from DATABASE_URL or, as on Kubernetes, from the file DATABASE_URL_FILE names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import Postgres, SecretVolume, run_checked

UNREACHABLE = {"ready": False, "reason": "database unreachable: OperationalError"}


def test_index(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.get_json() == {"service": "multicloud-app", "status": "ok"}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_does_not_depend_on_the_database(client, monkeypatch, closed_port):
    # Liveness: a database outage must not make the kubelet or the load balancer kill the app.
    monkeypatch.setenv("DATABASE_URL", f"postgresql://app:pw@127.0.0.1:{closed_port}/app")
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("value", [None, "", "  \n"], ids=["unset", "empty", "blank"])
def test_readyz_without_a_database_url(client, monkeypatch, value):
    if value is not None:
        monkeypatch.setenv("DATABASE_URL", value)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"ready": False, "reason": "DATABASE_URL is not set"}


def test_readyz_without_the_driver(client, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@127.0.0.1/app")
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # `import psycopg2` raises ImportError
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "ready": False,
        "reason": "the PostgreSQL driver (psycopg2) is not installed",
    }


def assert_not_ready_without_secrets(response, *secrets: str) -> None:
    """503 with the exception's class as the reason, and nothing of the URL in the body: /readyz
    is open to anyone who reaches the app, and the URL holds the password."""
    assert response.status_code == 503
    assert response.get_json() == UNREACHABLE
    body = response.get_data(as_text=True)
    for secret in secrets:
        assert secret not in body


def test_readyz_with_an_unreachable_database(client, monkeypatch, closed_port):
    password = "s3cret-Pa55word"
    url = f"postgresql://app:{password}@127.0.0.1:{closed_port}/app?sslmode=require"
    monkeypatch.setenv("DATABASE_URL", url)
    assert_not_ready_without_secrets(client.get("/readyz"), url, password, str(closed_port))


def test_readyz_with_a_malformed_url(client, monkeypatch):
    url = "postgresql://app:s3cret@127.0.0.1:notaport/app"
    monkeypatch.setenv("DATABASE_URL", url)
    response = client.get("/readyz")
    assert_not_ready_without_secrets(response, url, "s3cret")


# ---------------------------------------------------------------------------------------------
# A real PostgreSQL server (conftest.py: TLS on, TCP only with TLS, SCRAM passwords)


@pytest.mark.parametrize(
    "params",
    [
        {"sslmode": "require"},
        {"sslmode": "verify-ca", "sslrootcert": "CA"},
        {"sslmode": "verify-full", "sslrootcert": "CA"},
    ],
    ids=["require", "verify-ca", "verify-full"],
)
def test_readyz_with_a_database(client, monkeypatch, postgres: Postgres, params):
    # The sslmodes config accepts for databaseUrl (config.ts): the app connects with each.
    params = {k: str(postgres.ca) if v == "CA" else v for k, v in params.items()}
    monkeypatch.setenv("DATABASE_URL", postgres.url(**params))
    response = client.get("/readyz")
    assert (response.status_code, response.get_json()) == (200, {"ready": True})


def test_the_database_connection_is_encrypted(postgres: Postgres):
    import psycopg2

    connection = psycopg2.connect(postgres.url(sslmode="require"), connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            encrypted, version = cursor.fetchone()
    finally:
        connection.close()
    assert encrypted is True
    assert version in ("TLSv1.2", "TLSv1.3")


@pytest.mark.parametrize(
    "case",
    ["wrong password", "unknown database", "without TLS", "untrusted certificate"],
)
def test_readyz_when_the_database_refuses(client, monkeypatch, tmp_path, postgres: Postgres, case):
    wrong = "not-" + postgres.password
    url = {
        "wrong password": postgres.url(password=wrong, sslmode="require"),
        "unknown database": postgres.url(database="nosuchdb", sslmode="require"),
        # The server takes TCP connections with TLS only (hostssl), as production does.
        "without TLS": postgres.url(sslmode="disable"),
        # verify-full against a CA that did not sign the server's certificate.
        "untrusted certificate": postgres.url(
            sslmode="verify-full", sslrootcert=str(other_ca(tmp_path))
        ),
    }[case]
    monkeypatch.setenv("DATABASE_URL", url)
    assert_not_ready_without_secrets(client.get("/readyz"), url, postgres.password, wrong)


def other_ca(directory: Path) -> Path:
    """A self-signed certificate of another name and key: not the server's issuer."""
    cert = directory / "other-ca.pem"
    run_checked(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-noenc", "-days", "1", "-subj", "/CN=another CA"]
        + ["-keyout", str(directory / "other-ca.key"), "-out", str(cert)]
    )
    return cert


# ---------------------------------------------------------------------------------------------
# The URL from a file: DATABASE_URL_FILE, which on Kubernetes names the database Secret's key
# `url`, mounted read-only (components/app/Workload.ts) and updated in place by the kubelet.


@pytest.fixture
def secret_volume(monkeypatch, tmp_path) -> SecretVolume:
    """An empty Secret volume (no Secret yet), which DATABASE_URL_FILE names the `url` of."""
    volume = SecretVolume(tmp_path / "app-database")
    monkeypatch.setenv("DATABASE_URL_FILE", str(volume.url_file))
    return volume


def not_ready(response, reason: str, *secrets: str) -> None:
    assert response.status_code == 503
    assert response.get_json() == {"ready": False, "reason": reason}
    body = response.get_data(as_text=True)
    for secret in secrets:
        assert secret not in body


def test_readyz_reads_the_url_from_database_url_file(client, secret_volume, postgres: Postgres):
    secret_volume.write(postgres.url(sslmode="verify-full", sslrootcert=str(postgres.ca)) + "\n")
    response = client.get("/readyz")
    assert (response.status_code, response.get_json()) == (200, {"ready": True})


def test_database_url_file_wins_over_database_url(
    client, monkeypatch, secret_volume, postgres: Postgres, closed_port
):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://app:pw@127.0.0.1:{closed_port}/app")
    secret_volume.write(postgres.url(sslmode="require"))
    assert client.get("/readyz").get_json() == {"ready": True}


def test_readyz_when_the_database_url_file_is_missing(client, monkeypatch, secret_volume):
    # The optional Secret does not exist: the kubelet mounts an empty directory. DATABASE_URL,
    # when also set, is no fallback: the pod said where its URL is.
    url = "postgresql://app:s3cret@db.example.com/app?sslmode=require"
    monkeypatch.setenv("DATABASE_URL", url)
    not_ready(
        client.get("/readyz"),
        "DATABASE_URL_FILE cannot be read: FileNotFoundError",
        url,
        "s3cret",
        str(secret_volume.directory),
    )


@pytest.mark.parametrize("content", ["", "\n", "  \n\t"], ids=["empty", "newline", "blank"])
def test_readyz_when_the_database_url_file_is_empty(client, secret_volume, content):
    secret_volume.write(content)
    not_ready(client.get("/readyz"), "DATABASE_URL_FILE names an empty file")


def test_readyz_when_the_database_url_file_is_not_text(client, secret_volume):
    secret_volume.write(b"postgresql://app:s3cr\xffet@db.example.com/app")
    not_ready(
        client.get("/readyz"),
        "DATABASE_URL_FILE cannot be read: UnicodeDecodeError",
        "s3cr",
        "db.example.com",
    )


def test_readyz_when_database_url_file_names_a_directory(client, monkeypatch, secret_volume):
    monkeypatch.setenv("DATABASE_URL_FILE", str(secret_volume.directory))
    not_ready(client.get("/readyz"), "DATABASE_URL_FILE cannot be read: IsADirectoryError")


@pytest.mark.parametrize("value", ["", "  "], ids=["empty", "blank"])
def test_a_blank_database_url_file_falls_back_to_database_url(client, monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL_FILE", value)
    not_ready(client.get("/readyz"), "DATABASE_URL is not set")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@127.0.0.1/app")
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # reached the driver: the URL was read
    not_ready(client.get("/readyz"), "the PostgreSQL driver (psycopg2) is not installed")


def test_readyz_reads_the_database_url_file_again_on_every_check(
    client, secret_volume, postgres: Postgres
):
    # A password rotation: the kubelet swaps the Secret's files, and the next check uses the
    # new URL, without a restart.
    wrong = "not-" + postgres.password
    not_ready(client.get("/readyz"), "DATABASE_URL_FILE cannot be read: FileNotFoundError")
    secret_volume.write(postgres.url(password=wrong, sslmode="require"))
    assert_not_ready_without_secrets(client.get("/readyz"), wrong)
    secret_volume.write(postgres.url(sslmode="require"))
    assert client.get("/readyz").get_json() == {"ready": True}
    secret_volume.write(postgres.url(password=wrong, sslmode="require"))
    assert_not_ready_without_secrets(client.get("/readyz"), wrong, postgres.password)
