"""The sample service: a small Flask app served by gunicorn on port 5001.

/healthz says the process is alive (the load balancer's and the kubelet's liveness check).
/readyz says it can serve: it needs a database URL and a database that answers, and reports
not-ready, with the reason, when either is missing.

The database URL is read on every /readyz, from the file DATABASE_URL_FILE names when it is set
(on Kubernetes, the database Secret mounted read-only: the kubelet updates the file in place within
its sync period, about a minute, so a new password applies without a restart), else from DATABASE_URL. No reason ever quotes the URL
or the file's content: /readyz answers anyone who reaches the app.
"""

import os

from flask import Flask, jsonify

app = Flask(__name__)


class NotReady(Exception):
    """Why there is no database URL to connect with (a reason safe to show anyone)."""


def database_url() -> str:
    """The database URL, read now: DATABASE_URL_FILE's content when that variable is set,
    else DATABASE_URL. Raises NotReady without one."""
    path = os.environ.get("DATABASE_URL_FILE", "").strip()
    if path:
        try:
            with open(path, encoding="utf-8") as file:
                url = file.read().strip()
        except (OSError, ValueError) as error:  # missing, unreadable, not UTF-8
            raise NotReady(f"DATABASE_URL_FILE cannot be read: {type(error).__name__}") from None
        if not url:
            raise NotReady("DATABASE_URL_FILE names an empty file")
        return url
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        raise NotReady("DATABASE_URL is not set")
    return url


@app.get("/")
def index():
    return jsonify(service="multicloud-app", status="ok")


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.get("/readyz")
def readyz():
    try:
        url = database_url()
    except NotReady as reason:
        return jsonify(ready=False, reason=str(reason)), 503
    try:
        import psycopg2  # imported here: liveness must not depend on the driver
    except ImportError:
        return jsonify(ready=False, reason="the PostgreSQL driver (psycopg2) is not installed"), 503
    try:
        with psycopg2.connect(url, connect_timeout=2) as connection:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except Exception as error:  # any failure to reach the database means not ready
        return jsonify(ready=False, reason=f"database unreachable: {type(error).__name__}"), 503
    return jsonify(ready=True)
