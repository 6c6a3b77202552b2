"""A real disk that fills up under a running pacer-deals: writes are refused with 503 and a problem
body, nothing half-stored is acknowledged, reads go on, and the service recovers by itself when
space returns — no restart. The disk is a small tmpfs mounted for the test (root only, as on CI).
(A read-only database is tested in Swift with SQLite's own read-only state: a mount with open files
cannot be remounted read-only from a test.)"""
import os
import shutil
import subprocess
import tempfile

import pytest

import chaos
from pacer_http import call

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")


def test_a_full_disk_refuses_writes_and_recovers():
    root = tempfile.mkdtemp(prefix="pacer-disk-")
    disk = os.path.join(root, "disk")
    os.makedirs(disk)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", disk], check=True)
    cluster = chaos.Cluster(disk, {"PACER_LOG_LEVEL": "warning"})
    try:
        cluster.start("deals")
        cluster.wait_ready("deals")
        port = cluster.http("deals")
        token = open(os.path.join(disk, "deals-admin.token")).read().strip()
        assert call(port, "POST", "/managers", token, {"id": "m1", "name": "Анна"})[0] == 201
        _, client = call(port, "POST", "/clients", token, {"name": "ООО «Диск»", "managerId": "m1"})
        deal = {"title": "Пока есть место", "clientId": client["id"], "managerId": "m1", "amount": {"kopecks": 100, "currency": "RUB"}}

        filler = os.path.join(disk, "filler")
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        created, refused = 0, None
        for _ in range(2000):
            status, body = call(port, "POST", "/deals", token, deal)
            if status == 201:
                created += 1
                continue
            refused = (status, body)
            break
        assert refused is not None, "the disk never filled"
        assert refused[0] == 503, refused
        assert refused[1]["detail"].startswith("storage unavailable:"), refused
        listed = call(port, "GET", "/deals?limit=500", token)
        assert listed[0] == 200
        assert len(listed[1]["items"] if isinstance(listed[1], dict) else listed[1]) == created

        os.remove(filler)
        assert call(port, "POST", "/deals", token, deal)[0] == 201
        assert cluster.wait_ready("deals")["status"] == "ready"

    finally:
        cluster.stop_all()
        subprocess.run(["umount", "-l", disk])
        shutil.rmtree(root, ignore_errors=True)
