"""compose/docker-compose.yml is valid (docker-compose config -q) and wires what the README promises."""
import os
import subprocess

import yaml

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
COMPOSE = os.path.join(ROOT, "compose", "docker-compose.yml")
SERVICES = ["deals", "telephony", "accounting", "kpi", "notifications"]


def test_compose_file_is_valid():
    result = subprocess.run(["docker-compose", "-f", COMPOSE, "config", "-q"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_each_service_has_its_volume_healthcheck_and_bus_wiring():
    config = yaml.safe_load(subprocess.run(["docker-compose", "-f", COMPOSE, "config"], capture_output=True, text=True, check=True).stdout)
    assert sorted(config["services"]) == sorted(SERVICES + ["bus-keys"])
    assert sorted(config["volumes"]) == sorted([f"{s}-data" for s in SERVICES] + ["bus-keys"])
    keygen = config["services"]["bus-keys"]["command"]
    assert keygen[:2] == ["pacer-bus", "keygen"] and "--keep-existing" in keygen and set(SERVICES) <= set(keygen)
    for port, name in enumerate(SERVICES, start=1):
        service = config["services"][name]
        assert service["command"][0] == f"pacer-{name}"
        assert f"tcp://0.0.0.0:555{port}" in service["command"]
        assert f"tcp://0.0.0.0:556{port}" in service["command"]
        # docker-compose 1.x prints short syntax (`name:/path:rw`), 2.x long syntax (a mapping).
        mounts = [(v["source"], v["target"]) if isinstance(v, dict) else tuple(v.split(":")[:2]) for v in service["volumes"]]
        assert (f"{name}-data", "/var/lib/pacer") in mounts
        assert f"http://127.0.0.1:808{port}/health" in " ".join(service["healthcheck"]["test"])
        # CURVE on by default: the service's own secret key file, the allow-list, keys mounted read-only.
        command = service["command"]
        assert command[command.index("--bus-secret-key-file") + 1] == f"/keys/{name}.key"
        assert command[command.index("--bus-allowed-keys-file") + 1] == "/keys/allowed.keys"
        assert ("bus-keys", "/keys") in mounts
        assert service["depends_on"]["bus-keys"]["condition"] == "service_completed_successfully"
    kpi = config["services"]["kpi"]["command"]
    assert "tcp://deals:5551,tcp://deals:5561,/keys/deals.pub" in kpi
    assert "tcp://accounting:5553,tcp://accounting:5563,/keys/accounting.pub" in kpi


def test_dockerfile_is_multi_stage_with_runtime_libraries_only():
    text = open(os.path.join(ROOT, "compose", "Dockerfile")).read()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2
    runtime = text.split(stages[1])[1]
    assert "libzmq5" in runtime and "-dev" not in runtime
