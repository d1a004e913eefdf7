"""Fixtures of the app's tests: the Flask app, a port that refuses connections, a throwaway TLS
certificate, a real PostgreSQL server (Debian's, started here on loopback) and the app under the
virtualenv's gunicorn.

The tests are meant to run in the virtualenv that .ci/app-tests makes from the app's locks
(`npm run test:app`), so that they exercise the Flask, gunicorn and psycopg2 the image ships.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import pwd
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent

# Bounds of every wait, so that a broken server fails the tests instead of hanging them.
STARTUP_SECONDS = 30
REQUEST_SECONDS = 5


def free_port() -> int:
    """A loopback TCP port nothing listens on now: the kernel's pick, free until it is bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Loopback only: a proxy from the environment (http_proxy, https_proxy) must not see the requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get_json(url: str, context: ssl.SSLContext | None = None) -> tuple[int, object]:
    """GET a URL without a proxy: the status and the JSON body, for error statuses too."""
    opener = _OPENER
    if context is not None:
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
    try:
        with opener.open(url, timeout=REQUEST_SECONDS) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# ---------------------------------------------------------------------------------------------
# The Flask app in process

# Where the app reads the database URL from (app/run.py): the tests set them, never the caller.
DATABASE_VARIABLES = ("DATABASE_URL", "DATABASE_URL_FILE")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch):
    """Flask's test client of the app, with no DATABASE_URL or DATABASE_URL_FILE unless a test
    sets one."""
    for name in DATABASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    from run import app

    app.config.update(TESTING=True)
    return app.test_client()


class SecretVolume:
    """A directory laid out as the kubelet mounts a Secret volume (kubernetes pkg/volume/util
    atomic_writer.go): each version of the content in its own hidden directory, `..data` a
    symlink to the current one, and each key a symlink through `..data`. An update writes a new
    version and swaps `..data` with a rename, so a reader sees the old file or the new one, never
    a mix. Empty until written, like an optional Secret that does not exist."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(mode=0o755)
        self.versions = 0

    @property
    def url_file(self) -> Path:
        """The file of the key `url`, which the pod's DATABASE_URL_FILE names."""
        return self.directory / "url"

    def write(self, url: str | bytes) -> None:
        """A new version of the Secret's `url` (mode 0440, as Workload.ts sets)."""
        self.versions += 1
        version = self.directory / f"..version-{self.versions}"
        version.mkdir(mode=0o755)
        (version / "url").write_bytes(url if isinstance(url, bytes) else url.encode())
        (version / "url").chmod(0o440)
        data, staged = self.directory / "..data", self.directory / "..data_tmp"
        previous = data.resolve() if data.is_symlink() else None
        staged.symlink_to(version.name)
        staged.replace(data)  # rename(2): atomic
        if not self.url_file.is_symlink():
            self.url_file.symlink_to(Path("..data") / "url")
        if previous is not None:
            shutil.rmtree(previous)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, so nothing else can take it, but not
    listening, so a connection gets a reset at once (ECONNREFUSED)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# A throwaway certificate


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (in its subjectAltName, so clients can verify the
    name) with its RSA 2048 key, made by the openssl CLI the way the AWS fleet's instances make
    theirs (components/aws/AsgFleet.ts)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the TLS tests need the openssl CLI: apt-get install openssl")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    run_checked(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-noenc", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)]
    )
    return Certificate(cert=cert, key=key)


def run_checked(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a command (bounded), failing the test with its output when it fails."""
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=STARTUP_SECONDS, check=False, **kwargs
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}",
            pytrace=False,
        )
    return result


# ---------------------------------------------------------------------------------------------
# A real PostgreSQL server


@dataclass(frozen=True)
class Postgres:
    """A running server: TLS on, on 127.0.0.1:port, password (SCRAM) authentication over TCP."""

    port: int
    user: str
    password: str
    database: str
    ca: Path  # the server's self-signed certificate, which verify-ca and verify-full trust

    def url(self, password: str | None = None, database: str | None = None, **params: str) -> str:
        query = "&".join(f"{name}={value}" for name, value in params.items())
        return (
            f"postgresql://{self.user}:{password or self.password}@127.0.0.1:{self.port}"
            f"/{database or self.database}" + (f"?{query}" if query else "")
        )


def postgres_bindir() -> Path:
    """The newest server of Debian's postgresql packages (/usr/lib/postgresql/<major>/bin)."""
    found = [
        d
        for d in Path("/usr/lib/postgresql").glob("*/bin")
        if d.parent.name.isdigit() and (d / "initdb").is_file() and (d / "pg_ctl").is_file()
    ]
    if not found:
        pytest.fail(
            "the database tests need Debian's PostgreSQL server (/usr/lib/postgresql/<major>/bin"
            "/initdb): apt-get install postgresql",
            pytrace=False,
        )
    return max(found, key=lambda d: int(d.parent.name))


def server_account() -> pwd.struct_passwd | None:
    """Whom the server runs as: this user, or, when this is root (PostgreSQL refuses to run as
    root), the unprivileged `postgres` account of Debian's package (else `nobody`)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    pytest.fail("running as root, and no postgres or nobody account to run the server as")


@pytest.fixture(scope="session")
def postgres(certificate: Certificate) -> Iterator[Postgres]:
    """Debian's PostgreSQL server in a temporary directory, for this session: listening on
    127.0.0.1 only (a free port), its Unix socket in that directory, TLS with the throwaway
    certificate and, as the production database does, no connection without TLS over TCP. Stopped
    and removed at teardown."""
    bindir = postgres_bindir()
    account = server_account()
    # Not under pytest's basetemp, which is private to this user (0700): when this is root, the
    # server's account must reach its directory. mkdtemp makes it 0700, owned by that account.
    base = Path(tempfile.mkdtemp(prefix="app-tests-postgres-"))
    as_server: dict = {"cwd": base, "env": {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"}}
    if account is not None:
        os.chown(base, account.pw_uid, account.pw_gid)
        as_server.update(user=account.pw_uid, group=account.pw_gid, extra_groups=[])

    def owned(path: Path, text: str | bytes, mode: int = 0o600) -> Path:
        """Write a file only the server's account can read."""
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        path.chmod(mode)
        if account is not None:
            os.chown(path, account.pw_uid, account.pw_gid)
        return path

    server = Postgres(
        port=0,
        user="app_tests",
        password=secrets.token_urlsafe(18),
        database="postgres",
        ca=certificate.cert,
    )
    data = base / "data"
    log = base / "postgres.log"
    try:
        pwfile = owned(base / "pwfile", server.password + "\n")
        run_checked(
            [str(bindir / "initdb"), "--pgdata", str(data), "--username", server.user]
            + [f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256"]
            + ["--encoding=UTF8", "--locale=C", "--no-sync"],
            **as_server,
        )
        owned(base / "server.crt", certificate.cert.read_bytes(), 0o644)
        owned(base / "server.key", certificate.key.read_bytes())
        # TCP only with TLS (hostssl), as a managed production database requires: a client
        # with sslmode=disable is refused. The Unix socket lies in the 0700 directory: only the
        # server's account (and root) can reach it.
        owned(
            data / "pg_hba.conf",
            "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
        )
        conf = data / "postgresql.conf"
        settings = conf.read_text() + (
            "\n# app/tests/conftest.py\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{base}'\n"
            "ssl = on\n"
            f"ssl_cert_file = '{base / 'server.crt'}'\n"
            f"ssl_key_file = '{base / 'server.key'}'\n"
            # A test server: nothing here needs to survive a crash.
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
        # The port is the kernel's pick of a moment ago; another process may have taken it
        # since, so try a few.
        for attempt in range(3):
            port = free_port()
            owned(conf, settings + f"port = {port}\n")
            start = subprocess.run(
                [str(bindir / "pg_ctl"), "--pgdata", str(data), "--log", str(log)]
                + ["--wait", f"--timeout={STARTUP_SECONDS}", "start"],
                capture_output=True,
                text=True,
                timeout=STARTUP_SECONDS + 5,
                check=False,
                **as_server,
            )
            if start.returncode == 0:
                break
            text = log.read_text() if log.exists() else ""
            if "could not bind" not in text or attempt == 2:
                pytest.fail(
                    f"PostgreSQL did not start:\n{start.stdout}{start.stderr}\n{text}",
                    pytrace=False,
                )
        yield dataclasses.replace(server, port=port)
    finally:
        if (data / "postmaster.pid").exists():  # running, even if pg_ctl gave up waiting
            subprocess.run(
                [str(bindir / "pg_ctl"), "--pgdata", str(data), "--mode=immediate", "--wait"]
                + ["stop"],
                capture_output=True,
                timeout=STARTUP_SECONDS,
                check=False,
                **as_server,
            )
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The app under gunicorn


def venv_gunicorn() -> Path:
    """The gunicorn of the virtualenv running these tests (never the system one)."""
    if sys.prefix == sys.base_prefix:
        pytest.fail(
            f"not in a virtualenv ({sys.executable}): run the app's tests with .ci/app-tests "
            "(npm run test:app), in the virtualenv made from the app's locks",
            pytrace=False,
        )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.is_file():
        pytest.fail(f"{gunicorn} is missing: the virtualenv lacks app/requirements.txt")
    return gunicorn


@dataclass
class Gunicorn:
    base: str  # http(s)://127.0.0.1:<port>
    process: subprocess.Popen
    log: Path


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Callable[..., Gunicorn]]:
    """Start the app under the virtualenv's gunicorn on a free loopback port, with the given
    environment (and no DATABASE_URL, DATABASE_URL_FILE or GUNICORN_CMD_ARGS but those given),
    once it answers /healthz; the servers are stopped at teardown."""
    started: list[Gunicorn] = []

    def start(env: dict[str, str] | None = None, tls: ssl.SSLContext | None = None) -> Gunicorn:
        port = free_port()
        scheme = "https" if tls else "http"
        server_env = {
            k: v
            for k, v in os.environ.items()
            if k not in (*DATABASE_VARIABLES, "GUNICORN_CMD_ARGS")
        }
        server_env.update(env or {})
        log = tmp_path / f"gunicorn-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(venv_gunicorn()), "--bind", f"127.0.0.1:{port}", "--workers", "1"]
                + ["--access-logfile", "-", "--chdir", str(APP_DIR), "run:app"],
                env=server_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        server = Gunicorn(base=f"{scheme}://127.0.0.1:{port}", process=process, log=log)
        started.append(server)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited {process.returncode}:\n{log.read_text()}", pytrace=False
                )
            try:
                connection = (
                    http.client.HTTPSConnection("127.0.0.1", port, timeout=1, context=tls)
                    if tls
                    else http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                )
                try:
                    connection.request("GET", "/healthz")
                    connection.getresponse().read()
                    return server
                finally:
                    connection.close()
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"gunicorn did not answer /healthz within {STARTUP_SECONDS} s:\n"
                        + log.read_text(),
                        pytrace=False,
                    )
                time.sleep(0.1)

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
