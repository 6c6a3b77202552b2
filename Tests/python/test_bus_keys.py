"""The encrypted bus as compose runs it: `pacer-bus keygen` makes a pair per service and the
allow-list; pacer-deals and pacer-telephony start with their secret key files, the allow-list, and
the publisher's key given as its .pub file — and telephony learns deals' managers over CURVE. A
subscriber whose key is not on deals' list learns nothing."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import chaos


def health(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:
        return json.loads(reply.read())


def test_services_talk_over_curve_with_keys_from_files():
    data = tempfile.mkdtemp(prefix="pacer-keys-")
    keys = os.path.join(data, "keys")
    cluster = chaos.Cluster(data, {"PACER_LOG_LEVEL": "warning"})
    try:
        made = subprocess.run([os.path.join(chaos.BIN, "pacer-bus"), "keygen", "--out", keys, "--keep-existing", "--allowed", "allowed.keys",
                               "deals", "telephony"], capture_output=True, text=True, check=True)
        assert made.stdout.count(".pub: ") == 2
        assert oct(os.stat(os.path.join(keys, "deals.key")).st_mode & 0o777) == "0o600"
        again = subprocess.run([os.path.join(chaos.BIN, "pacer-bus"), "keygen", "--out", keys, "--keep-existing", "deals"],
                               capture_output=True, text=True, check=True)
        assert "kept" in again.stdout
        assert len(open(os.path.join(keys, "allowed.keys")).read().split()) == 2
        # A third key pair that is not on the allow-list: a stranger to deals.
        subprocess.run([os.path.join(chaos.BIN, "pacer-bus"), "keygen", "--out", os.path.join(data, "stranger"), "accounting"], check=True)

        def args(name, key_dir=keys):
            base = cluster.args(name)
            base += ["--bus-secret-key-file", os.path.join(key_dir, f"{name}.key"), "--bus-allowed-keys-file", os.path.join(keys, "allowed.keys")]
            return [a + f",{keys}/deals.pub" if a.startswith("tcp://") and "," in a and a.split(",")[0].endswith(str(cluster.ports["deals"][1])) else a
                    for a in base]

        procs = [subprocess.Popen(args("deals"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                 subprocess.Popen(args("telephony"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                 subprocess.Popen(args("accounting", os.path.join(data, "stranger")), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        cluster.procs = {"deals": procs[0], "telephony": procs[1], "accounting": procs[2]}
        for name in ["deals", "telephony", "accounting"]:
            cluster.wait_ready(name)
        token = open(os.path.join(data, "deals-admin.token")).read().strip()
        request = urllib.request.Request(f"http://127.0.0.1:{cluster.http('deals')}/managers", method="POST",
                                         data=json.dumps({"id": "m1", "name": "Анна", "extensions": ["101"]}).encode())
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        urllib.request.urlopen(request, timeout=10).read()

        def consumed(name):
            streams = [s for s in health(cluster.http(name))["consuming"] if s["stream"] == "deals"]
            return streams[0]["applied"] if streams else 0

        deadline = time.time() + 30
        while time.time() < deadline and consumed("telephony") < 1:
            time.sleep(0.2)
        assert consumed("telephony") >= 1
        time.sleep(2)
        assert consumed("accounting") == 0, "a subscriber whose key is not on the allow-list received events"
    finally:
        cluster.stop_all()
        shutil.rmtree(data, ignore_errors=True)
