"""The sample service: a small Flask app served by gunicorn on port 5001.

/healthz says the process is alive (the load balancer's and the kubelet's liveness check).
/readyz says it can serve: it needs DATABASE_URL and a database that answers, and reports
not-ready, with the reason, when either is missing.
"""

import os

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="multicloud-app", status="ok")


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.get("/readyz")
def readyz():
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return jsonify(ready=False, reason="DATABASE_URL is not set"), 503
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
