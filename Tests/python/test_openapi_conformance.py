"""Each service's openapi.yaml against the running service (schemathesis): no 5xx, and every
response matches the documented schema. The services run from the built binaries, on free ports,
with an admin token from their first-start token file."""
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BIN = os.environ.get("PACER_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
SERVICES = ["deals", "telephony", "accounting", "kpi", "notifications"]
FOLDERS = {"deals": "Deals", "telephony": "Telephony", "accounting": "Accounting", "kpi": "KPI", "notifications": "Notifications"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("service", SERVICES)
def test_service_conforms_to_its_openapi(service):
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        args = [os.path.join(BIN, f"pacer-{service}"), "--data-dir", data, "--http-port", str(port),
                "--bus-publish", f"tcp://127.0.0.1:{free_port()}", "--bus-replay", f"tcp://127.0.0.1:{free_port()}"]
        if service == "deals":
            args.append("--demo")
        else:
            args += ["--bus-source", "tcp://127.0.0.1:1,tcp://127.0.0.1:2"]
        # With the webhook configured, so its signature check is exercised rather than a 503.
        env = dict(os.environ, PACER_ZADARMA_SECRET="conformance-secret")
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    if urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).status == 200:
                        break
                except Exception:
                    time.sleep(0.2)
            token = open(os.path.join(data, f"{service}-admin.token")).read().strip()
            result = subprocess.run(
                ["schemathesis", "run", os.path.join(ROOT, "Services", FOLDERS[service], "openapi.yaml"),
                 "--url", f"http://127.0.0.1:{port}", "-H", f"Authorization: Bearer {token}",
                 "--checks", "not_a_server_error,response_schema_conformance",
                 "--max-examples", "10", "--phases", "examples,fuzzing", "--seed", "2026", "--no-color"],
                capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        finally:
            proc.terminate()
            assert proc.wait(timeout=15) == 0
