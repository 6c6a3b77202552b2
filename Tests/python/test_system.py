"""The real executables together: pacer-deals (with its demo department) and pacer-telephony as
separate processes over ZeroMQ on loopback. Telephony must learn the directory from deals' events,
match a pushed call against it, survive a restart of deals, and catch up on what deals published
while telephony itself was down."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

from pacer_http import call

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BIN = os.environ.get("PACER_BIN_DIR", os.path.join(ROOT, ".build", "debug"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, token=None, body=None):
    return call(port, method, path, token, body, timeout=5)


def wait_for(predicate, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


class Service:
    def __init__(self, name, data, http, pub, replay, extra):
        self.name, self.http = name, http
        self.args = [os.path.join(BIN, f"pacer-{name}"), "--data-dir", data, "--http-port", str(http),
                     "--bus-publish", f"tcp://127.0.0.1:{pub}", "--bus-replay", f"tcp://127.0.0.1:{replay}"] + extra
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: request(self.http, "GET", "/health")[0] == 200), f"{self.name} did not become ready"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=15) == 0


def test_deals_and_telephony_processes_over_the_bus():
    with tempfile.TemporaryDirectory() as data:
        dp, dr, tp, tr = free_port(), free_port(), free_port(), free_port()
        deals = Service("deals", data, free_port(), dp, dr, ["--demo"])
        telephony = Service("telephony", data, free_port(), tp, tr, ["--bus-source", f"tcp://127.0.0.1:{dp},tcp://127.0.0.1:{dr}"])
        try:
            deals.start()
            telephony.start()
            deals_token = open(os.path.join(data, "deals-admin.token")).read().strip()
            tel_token = open(os.path.join(data, "telephony-admin.token")).read().strip()

            def head():
                return json.loads(subprocess.run([os.path.join(BIN, "pacer-bus"), "status", f"tcp://127.0.0.1:{dr}"],
                                                 capture_output=True, text=True, check=True).stdout)["streams"]["deals"]

            def applied():
                streams = request(telephony.http, "GET", "/health")[1]["consuming"]
                return streams[0]["applied"] if streams else 0

            assert wait_for(lambda: applied() == head())
            # A demo client's phone and a demo manager's extension.
            _, page = request(deals.http, "GET", "/clients?limit=1", deals_token)
            client = page["items"][0]
            _, managers = request(deals.http, "GET", "/managers", deals_token)
            manager = next(m for m in managers if m["id"] == client["managerId"])
            status, report = request(telephony.http, "POST", "/calls", tel_token, {
                "callId": "sys-1", "from": manager["extensions"][0], "to": client["phones"][0],
                "startedAt": "2026-11-20T12:00:00+03:00", "answeredAt": "2026-11-20T12:00:04+03:00", "endedAt": "2026-11-20T12:02:04+03:00"})
            assert status == 201 and report["recorded"] == 1
            _, calls = request(telephony.http, "GET", "/calls?limit=5", tel_token)
            assert calls[0]["managerId"] == manager["id"] and calls[0]["clientId"] == client["id"]
            assert calls[0]["direction"] == "outgoing" and calls[0]["billableSeconds"] == 120

            # Telephony down while deals publishes; back up, it catches up through replay.
            telephony.stop()
            status, created = request(deals.http, "POST", "/clients", deals_token,
                                      {"name": "Новый клиент", "managerId": manager["id"], "phones": ["+7 999 123 45 67"]})
            assert status == 201
            telephony.start()
            assert wait_for(lambda: applied() == head())
            request(telephony.http, "POST", "/calls", tel_token, {"callId": "sys-2", "from": "89991234567", "to": manager["extensions"][0],
                                                                   "startedAt": "2026-11-20T13:00:00Z"})
            _, calls = request(telephony.http, "GET", "/calls?limit=5", tel_token)
            assert next(c for c in calls if c["callId"] == "sys-2")["clientId"] == created["id"]

            # Deals restarted: same epoch, the sequence continues, telephony follows live.
            deals.stop()
            deals.start()
            status, _ = request(deals.http, "POST", "/managers", deals_token, {"id": "sys-m", "name": "Системный", "extensions": ["199"]})
            assert status == 201
            assert wait_for(lambda: applied() == head())
            assert request(telephony.http, "GET", "/health")[1]["alarms"] == []
        finally:
            for service in (telephony, deals):
                if service.proc and service.proc.poll() is None:
                    service.proc.kill()


def test_accounting_process_imports_a_cp1251_statement_matched_against_deals():
    """pacer-accounting as a process: the directory and invoices come from pacer-deals over the
    bus; a Windows-1251 statement imported with the CLI beside the running service is matched to
    the invoice, published, and counted once when the same file comes again over HTTP."""
    with tempfile.TemporaryDirectory() as data:
        dp, dr, ar = free_port(), free_port(), free_port()
        deals = Service("deals", data, free_port(), dp, dr, [])
        accounting = Service("accounting", data, free_port(), free_port(), ar,
                             ["--bus-source", f"tcp://127.0.0.1:{dp},tcp://127.0.0.1:{dr}"])
        try:
            deals.start()
            accounting.start()
            deals_token = open(os.path.join(data, "deals-admin.token")).read().strip()
            acc_token = open(os.path.join(data, "accounting-admin.token")).read().strip()
            request(deals.http, "POST", "/managers", deals_token, {"id": "m1", "name": "Анна"})
            _, client = request(deals.http, "POST", "/clients", deals_token, {"name": "Ромашка", "inn": "7719617469", "managerId": "m1"})
            _, deal = request(deals.http, "POST", "/deals", deals_token, {"title": "Поставка", "clientId": client["id"], "managerId": "m1",
                                                                        "amount": {"kopecks": 1500000, "currency": "RUB"}})
            status, _ = request(deals.http, "POST", f"/deals/{deal['dealId']}/invoices", deals_token,
                                {"number": "77", "issuedOn": "2026-11-02", "dueOn": "2026-11-30", "amount": {"kopecks": 1500000, "currency": "RUB"}})
            assert status == 201
            assert wait_for(lambda: request(accounting.http, "GET", "/invoices", acc_token)[1][0]["number"] == "77")

            statement = "\r\n".join([
                "1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", "РасчСчет=40702810900000000001",
                "СекцияДокумент=Платежное поручение", "Номер=501", "Дата=20.11.2026", "Сумма=15000.00",
                "ПлательщикСчет=40702810000000007469", "ПлательщикИНН=7719617469", "Плательщик1=ООО \"Ромашка\"",
                "ПолучательСчет=40702810900000000001", "ДатаПоступило=20.11.2026", "Получатель1=ООО \"Пейсер\"",
                "НазначениеПлатежа=Оплата по счету № 77 от 02.11.2026, в т.ч. НДС", "КонецДокумента", "КонецФайла", ""])
            path = os.path.join(data, "kl_to_1c.txt")
            with open(path, "wb") as f:
                f.write(statement.encode("cp1251"))
            result = subprocess.run([os.path.join(BIN, "pacer-accounting"), "import-1c", "--data-dir", data, path],
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Windows-1251" in result.stdout and "matched 1" in result.stdout

            # The running service's publisher serves what the command wrote: payment.received, invoice.paid.
            status_out = subprocess.run([os.path.join(BIN, "pacer-bus"), "status", f"tcp://127.0.0.1:{ar}"],
                                        capture_output=True, text=True, check=True).stdout
            assert json.loads(status_out)["streams"]["accounting"] == 2
            _, payments = request(accounting.http, "GET", "/payments", acc_token)
            assert [(p["number"], p["managerId"], p["dealId"], p["amount"]["kopecks"]) for p in payments] == [("501", "m1", deal["dealId"], 1500000)]
            _, invoices = request(accounting.http, "GET", "/invoices?status=paid", acc_token)
            assert [i["number"] for i in invoices] == ["77"]

            # Restarted, the same file over HTTP counts nothing twice.
            accounting.stop()
            accounting.start()
            req = urllib.request.Request(f"http://127.0.0.1:{accounting.http}/statements?fileName=again.txt",
                                         data=statement.encode("cp1251"), method="POST")
            req.add_header("Authorization", f"Bearer {acc_token}")
            with urllib.request.urlopen(req, timeout=10) as resp:
                summary = json.loads(resp.read())
            assert summary["duplicates"] == 1 and summary["documents"] == 1 and summary["encoding"] == "Windows-1251"
        finally:
            for service in (accounting, deals):
                if service.proc and service.proc.poll() is None:
                    service.proc.kill()


def test_import_commands_run_on_files():
    """The file import commands end to end: a CDR with one bad row (exit code 2, the line named) and
    the real 1C sample (exit code 0, imported exactly), each into its own new database."""
    with tempfile.TemporaryDirectory() as data:
        cdr = os.path.join(data, "Master.csv")
        with open(cdr, "w") as f:
            f.write('"","101","84951234567","from-internal","","SIP/101-1","SIP/trunk-1","Dial","","2026-11-20 10:00:00","2026-11-20 10:00:05",'
                    '"2026-11-20 10:01:05",65,60,"ANSWERED","DOCUMENTATION","1763632800.1",""\n')
            f.write('"","101","84951234567","from-internal","","SIP/101-2","SIP/trunk-2","Dial","","not a time",,"",0,0,"NO ANSWER","DOCUMENTATION","x",""\n')
        result = subprocess.run([os.path.join(BIN, "pacer-telephony"), "import-cdr", "--data-dir", data, "--cdr-time-zone", "Europe/Moscow", cdr],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "imported 1" in result.stdout and "line 2:" in result.stdout
        sample = os.path.join(ROOT, "..", "shared", "fixtures", "1c", "one_day_cp1251.txt")
        result = subprocess.run([os.path.join(BIN, "pacer-accounting"), "import-1c", "--data-dir", data, sample],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "documents 13: incoming 3, outgoing 10" in result.stdout and "incoming 40000.00, outgoing 41184.00" in result.stdout
