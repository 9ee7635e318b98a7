"""pytest fixtures for a suite against goalpost in test mode: one server per session on a free
port, a fresh portal (with its own token) per test, deleted after it."""
import json
import os
import subprocess
import tempfile
import threading
import urllib.request
from types import SimpleNamespace

import pytest
from hubspot import HubSpot
from urllib3.util.retry import Retry

ADMIN = "gp_suite_admin_0123456789abcdef"  # any secret: the server's bootstrap token


@pytest.fixture(scope="session")
def goalpost():
    """The base URL of a goalpost in test mode (GOALPOST_BIN and DATABASE_URL override)."""
    env = dict(os.environ, GOALPOST_TEST_MODE="true", GOALPOST_BOOTSTRAP_TOKEN=ADMIN)
    env.setdefault("DATABASE_URL", f"sqlite://{tempfile.mkdtemp()}/goalpost.db")
    binary = os.environ.get("GOALPOST_BIN", "goalpost")
    server = subprocess.Popen([binary, "serve", "--bind", "127.0.0.1:0"], env=env,
                              stdout=subprocess.PIPE, text=True)
    for line in server.stdout:
        if line.startswith("listening: "):
            break
    threading.Thread(target=server.stdout.read, daemon=True).start()
    yield line.split(" ", 1)[1].strip()
    server.terminate()
    server.wait()


def plane(base, method, path, body=None):
    """One call to the test control plane, as the suite's admin."""
    request = urllib.request.Request(
        f"{base}/goalpost/v1/test{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read()
    return json.loads(text) if text else None


@pytest.fixture
def portal(goalpost):
    """A portal of this test's own: .token, and .control(method, path, body) for its clock,
    faults, snapshots and recorded requests."""
    made = plane(goalpost, "POST", "/portals", {})
    here = f"/portals/{made['portalId']}"
    yield SimpleNamespace(
        id=made["portalId"], token=made["token"], base=goalpost,
        control=lambda method, path, body=None: plane(goalpost, method, here + path, body))
    plane(goalpost, "DELETE", here)


@pytest.fixture
def hubspot(portal):
    """HubSpot's official client on the test's portal, retrying 429s as in production."""
    retry = Retry(total=5, status_forcelist=[429], backoff_factor=0.1)
    return HubSpot(access_token=portal.token, host=portal.base, retry=retry)
