"""Proof under fire: the five real services on loopback, a realistic load through their real
interfaces, and meanwhile SIGKILLs and restarts (each service at least twice, two at once, a
publisher in the middle of a burst) and a subscriber paused (SIGSTOP) past its publishers'
high-water marks. When the system settles, the KPI's totals and the notifications that reached a
local webhook are compared with a ground truth the harness computed from what it sent.

    python3 Tests/python/chaos.py --duration 600      # the long form (make chaos)

The short form runs in `make test` (test_chaos.py). Both print the load, the faults survived and
every difference found; any difference fails the run."""
import argparse
import datetime
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PACER_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
SERVICES = ["deals", "telephony", "accounting", "kpi", "notifications"]
CONSUMES = {"deals": [], "telephony": ["deals"], "accounting": ["deals"], "kpi": ["deals", "telephony", "accounting"],
            "notifications": ["deals", "telephony", "accounting", "kpi"]}
MSK = datetime.timezone(datetime.timedelta(hours=3))
COMPANY_ACCOUNT = "40702810900000077777"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def inn(rng):
    digits = [7, 7] + [rng.randrange(10) for _ in range(7)]
    digits.append(sum(w * d for w, d in zip([2, 4, 10, 3, 5, 9, 4, 6, 8], digits)) % 11 % 10)
    return "".join(map(str, digits))


def money(kopecks):
    """As the notifications' Russian templates write it: 1 234,50 ₽ with no-break spaces."""
    rubles = f"{kopecks // 100:,}".replace(",", "\u00a0")
    return f"{rubles},{kopecks % 100:02d}\u00a0₽"


class Unavailable(Exception):
    pass


class Webhook:
    """The department chat: records every message it is sent, with its Idempotency-Key."""

    def __init__(self):
        self.messages = []
        self.keys = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    outer.messages.append(json.loads(body)["text"])
                    outer.keys.append(self.headers.get("Idempotency-Key", ""))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class Cluster:
    """The five executables with fixed ports, so a restarted one is found where it was."""

    def __init__(self, data, env):
        self.data, self.env = data, env
        self.ports = {name: (free_port(), free_port(), free_port()) for name in SERVICES}
        self.procs = {}
        self.logs = {}

    def http(self, name):
        return self.ports[name][0]

    def args(self, name):
        http, pub, replay = self.ports[name]
        args = [os.path.join(BIN, f"pacer-{name}"), "--data-dir", self.data, "--http-port", str(http),
                "--bus-publish", f"tcp://127.0.0.1:{pub}", "--bus-replay", f"tcp://127.0.0.1:{replay}"]
        for source in CONSUMES[name]:
            args += ["--bus-source", f"tcp://127.0.0.1:{self.ports[source][1]},tcp://127.0.0.1:{self.ports[source][2]}"]
        return args

    def start(self, name, extra_env=None):
        log = self.logs.setdefault(name, open(os.path.join(self.data, f"{name}.log"), "a"))
        env = dict(os.environ, **self.env, **(extra_env or {}))
        self.procs[name] = subprocess.Popen(self.args(name), stdout=log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, name, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http(name)}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return json.loads(reply.read())
            except Exception:
                pass
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"pacer-{name} exited with {self.procs[name].returncode}; see {self.data}/{name}.log")
            time.sleep(0.1)
        raise RuntimeError(f"pacer-{name} did not become ready")

    def kill(self, name):
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait()

    def signal(self, name, sig):
        self.procs[name].send_signal(sig)

    def stop_all(self):
        for proc in self.procs.values():
            try:
                proc.send_signal(signal.SIGCONT)
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
            except Exception:
                pass
        for log in self.logs.values():
            log.close()


class Client:
    """HTTP to one service, retried while it is down or restarting (connection refused or cut, 502–504)."""

    def __init__(self, cluster, name, token, stats):
        self.cluster, self.name, self.token, self.stats = cluster, name, token, stats

    def send(self, method, path, body=None, raw=None, content_type="application/json", accept=(), patience=120):
        deadline = time.time() + patience
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        while True:
            request = urllib.request.Request(f"http://127.0.0.1:{self.cluster.http(self.name)}{path}", data=data, method=method)
            request.add_header("Authorization", f"Bearer {self.token}")
            request.add_header("Content-Type", content_type)
            try:
                with urllib.request.urlopen(request, timeout=30) as reply:
                    text = reply.read()
                    return reply.status, (json.loads(text) if text else None)
            except urllib.error.HTTPError as error:
                try:
                    text = error.read()
                except (OSError, http.client.HTTPException):
                    text, error.code = b"", 503   # cut off mid-answer: as if it were down
                if error.code in accept:
                    return error.code, (json.loads(text) if text else None)
                if error.code not in (502, 503, 504):
                    raise AssertionError(f"pacer-{self.name} {method} {path} → {error.code}: {text[:300]!r}")
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, http.client.HTTPException):
                # Killed mid-answer (an IncompleteRead): the request may have been applied; every
                # call the harness repeats is idempotent or tells so (a 409 it accepts).
                pass
            if time.time() > deadline:
                raise Unavailable(f"pacer-{self.name} {method} {path}: gave up after {patience} s")
            self.stats["retries"] += 1
            time.sleep(0.2)


class Truth:
    """What the harness sent, counted independently of the services."""

    def __init__(self, managers):
        self.won_amount = {m: 0 for m in managers}
        self.won_deals = {m: 0 for m in managers}
        self.calls = {m: 0 for m in managers}
        self.talk = {m: 0 for m in managers}
        self.cash = {m: 0 for m in managers}
        self.overdue = {m: 0 for m in managers}
        self.lost_titles = []
        self.paid_amounts = []
        self.invoices = []   # (number, manager, amount, overdue, title)
        self.paid = set()


class Harness:
    def __init__(self, duration, seed, fault_env=None, log=print, hwm=100, grace=60):
        self.duration, self.rng, self.log, self.grace = duration, random.Random(seed), log, grace
        self.fault_env = fault_env or {}
        self.stats = {"retries": 0, "deals": 0, "won": 0, "lost": 0, "json_calls": 0, "cdr_calls": 0, "statements": 0,
                      "reimports": 0, "repushes": 0, "invoices": 0, "payments": 0}
        self.faults = {"killed": {name: 0 for name in SERVICES}, "paused": 0, "pairs": 0, "publisher_mid_burst": 0, "garbled": 0}
        self.hwm = hwm
        self.seq = 0
        self.lock = threading.Lock()
        self.statements = []
        self.amounts = set()

    # MARK: setup

    def setup(self):
        self.data = tempfile.mkdtemp(prefix="pacer-chaos-")
        self.webhook = Webhook()
        self.cluster = Cluster(self.data, {
            "PACER_BUS_HIGH_WATER_MARK": str(self.hwm), "PACER_RECEIVABLES_INTERVAL": "1", "PACER_QUIET_HOURS": "off",
            "PACER_CHAT_WEBHOOK_URL": f"http://127.0.0.1:{self.webhook.port}/hook", "PACER_RETRY_BASE_MS": "200",
            "PACER_KPI_CHECK_INTERVAL": "2", "PACER_LOG_LEVEL": "warning",
            # At most once to the chat: a message in doubt after a kill is held for review, not resent.
            "PACER_IN_DOUBT": "chat=hold",
        })
        self.cluster.env["PACER_DEALS_URL"] = f"http://127.0.0.1:{self.cluster.http('deals')}"
        for name in SERVICES:
            self.cluster.start(name, self.fault_env.get(name))
        for name in SERVICES:
            self.cluster.wait_ready(name)
        admin = {name: open(os.path.join(self.data, f"{name}-admin.token")).read().strip() for name in SERVICES}
        self.api = {name: Client(self.cluster, name, admin[name], self.stats) for name in SERVICES}
        _, pbx = self.api["telephony"].send("PUT", "/admin/users/pbx", {"name": "PBX", "role": "integration:telephony"})
        _, token = self.api["telephony"].send("POST", "/admin/users/pbx/tokens", {})
        self.pbx = Client(self.cluster, "telephony", token["token"], self.stats)
        self.api["accounting"].send("PUT", "/admin/users/onec", {"name": "1C", "role": "integration:accounting"})
        _, token = self.api["accounting"].send("POST", "/admin/users/onec/tokens", {})
        self.onec = Client(self.cluster, "accounting", token["token"], self.stats)
        # The department chat hears of lost deals and matched payments; nothing else is sent.
        for rule in ["deal.problem", "task.overdue", "task.escalation", "plan.behind", "plan.recovered", "receivable.overdue",
                     "approval.requested", "digest.evening", "digest.morning"]:
            self.api["notifications"].send("PUT", f"/rules/{rule}", {"enabled": False, "audience": [], "urgent": False})
        for rule in ["deal.lost", "payment.matched"]:
            self.api["notifications"].send("PUT", f"/rules/{rule}", {"enabled": True, "audience": ["department"], "urgent": True})
        self.managers = [f"m{i}" for i in range(1, 5)]
        self.truth = Truth(self.managers)
        for index, manager in enumerate(self.managers):
            self.api["deals"].send("POST", "/managers", {"id": manager, "name": f"Менеджер {index + 1}", "teamId": "t1",
                                                         "extensions": [str(201 + index)], "phones": [f"+7916100020{index}"]})
        self.clients = []
        for index in range(8):
            client_inn = inn(self.rng)
            manager = self.managers[index % len(self.managers)]
            _, client = self.api["deals"].send("POST", "/clients", {
                "name": f"ООО «Клиент {index}»", "inn": client_inn, "phones": [f"+749510000{index:02d}"], "managerId": manager})
            self.clients.append({"id": client["id"], "inn": client_inn, "phone": f"+749510000{index:02d}", "manager": manager,
                                 "account": f"407028100000000{20000 + index}", "name": f"ООО «Клиент {index}»"})
        self.settle(timeout=60)

    # MARK: load

    def next_id(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def deal(self):
        client = self.rng.choice(self.clients)
        n = self.next_id()
        title = f"Хаос-сделка {n}"
        amount = self.rng.randrange(10_000_00, 500_000_00)
        while amount in self.amounts:   # unique, so a payment's notification is found by its amount
            amount = self.rng.randrange(10_000_00, 500_000_00)
        self.amounts.add(amount)
        status, deal = self.api["deals"].send("POST", "/deals", {
            "title": title, "clientId": client["id"], "managerId": client["manager"], "externalId": f"chaos-{n}",
            "amount": {"kopecks": amount, "currency": "RUB"}})
        self.stats["deals"] += 1
        roll = self.rng.random()
        if roll < 0.5:
            self.finish(deal, "win", {"version": deal["version"]})
            self.truth.won_amount[client["manager"]] += amount
            self.truth.won_deals[client["manager"]] += 1
            self.stats["won"] += 1
            number = f"CH-{n}"
            overdue = self.rng.random() < 0.5
            today = datetime.datetime.now(MSK).date()
            due = today - datetime.timedelta(days=3) if overdue else today + datetime.timedelta(days=20)
            status, _ = self.api["deals"].send("POST", f"/deals/{deal['dealId']}/invoices", {
                "number": number, "issuedOn": (today - datetime.timedelta(days=10)).isoformat(), "dueOn": due.isoformat(),
                "amount": {"kopecks": amount, "currency": "RUB"}}, accept=(409,))
            self.truth.invoices.append((number, client, amount, overdue, title))
            self.stats["invoices"] += 1
        elif roll < 0.75:
            self.finish(deal, "lose", {"version": deal["version"], "reason": "price"})
            self.truth.lost_titles.append(title)
            self.stats["lost"] += 1

    def finish(self, deal, action, body):
        status, _ = self.api["deals"].send("POST", f"/deals/{deal['dealId']}/{action}", body, accept=(409,))
        if status == 409:
            # The first attempt went through and only its answer was lost: the deal says so.
            _, now = self.api["deals"].send("GET", f"/deals/{deal['dealId']}")
            assert now["status"] == ("won" if action == "win" else "lost"), f"{deal['dealId']} is {now['status']} after {action}"

    def call_rows(self, count):
        rows = []
        for _ in range(count):
            index = self.rng.randrange(len(self.managers))
            manager, extension = self.managers[index], str(201 + index)
            client = self.rng.choice(self.clients)
            answered = self.rng.random() < 0.75
            talk = self.rng.randrange(10, 600) if answered else 0
            started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=self.rng.randrange(30, 600))
            rows.append({"id": f"chaos-call-{self.next_id()}", "manager": manager, "extension": extension, "client": client["phone"],
                         "outgoing": self.rng.random() < 0.7, "answered": answered, "talk": talk, "started": started, "ring": 7})
        return rows

    def count_calls(self, rows):
        for row in rows:
            self.truth.calls[row["manager"]] += 1
            self.truth.talk[row["manager"]] += row["talk"]

    def json_calls(self, rows=None):
        rows = rows or self.call_rows(self.rng.randrange(5, 25))
        calls = [{
            "callId": r["id"], "direction": "outgoing" if r["outgoing"] else "incoming",
            "from": r["extension"] if r["outgoing"] else r["client"], "to": r["client"] if r["outgoing"] else r["extension"],
            "extension": r["extension"], "startedAt": r["started"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "durationSeconds": r["ring"] + r["talk"], "billableSeconds": r["talk"], "status": "ANSWERED" if r["answered"] else "NO ANSWER",
        } for r in rows]
        self.pbx.send("POST", "/calls", {"calls": calls})
        self.count_calls(rows)
        self.stats["json_calls"] += len(rows)
        if self.rng.random() < 0.3:
            self.pbx.send("POST", "/calls", {"calls": calls})   # a PBX that retries what it already sent
            self.stats["repushes"] += 1

    def cdr(self, count=None, client=None):
        rows = self.call_rows(count or self.rng.randrange(10, 60))
        lines = []
        for r in rows:
            local = r["started"].astimezone(MSK)
            fmt = lambda t: t.strftime("%Y-%m-%d %H:%M:%S")
            digits = "8" + r["client"][2:]
            src, dst = (r["extension"], digits) if r["outgoing"] else (digits, r["extension"])
            own, trunk = f"SIP/{r['extension']}-{r['id'][-8:]}", f"SIP/trunk-{r['id'][-8:]}"
            channel, dstchannel = (own, trunk) if r["outgoing"] else (trunk, own)
            answer = f'"{fmt(local + datetime.timedelta(seconds=r["ring"]))}"' if r["answered"] else ""
            end = fmt(local + datetime.timedelta(seconds=r["ring"] + r["talk"]))
            lines.append(f'"","{src}","{dst}","from-internal","""{src}"" <{src}>","{channel}","{dstchannel}","Dial","","{fmt(local)}",'
                         f'{answer},"{end}",{r["ring"] + r["talk"]},{r["talk"]},"{"ANSWERED" if r["answered"] else "NO ANSWER"}",'
                         f'"DOCUMENTATION","{r["id"]}",""')
        (client or self.pbx).send("POST", "/cdr?timeZone=Europe/Moscow", raw="\n".join(lines).encode() + b"\n", content_type="text/csv")
        self.count_calls(rows)
        self.stats["cdr_calls"] += len(rows)

    def statement(self):
        unpaid = [inv for inv in self.truth.invoices if inv[0] not in self.truth.paid]
        if not unpaid and self.statements:
            self.onec.send("POST", "/statements", raw=self.rng.choice(self.statements), content_type="text/plain")
            self.stats["reimports"] += 1
            return
        # 1C pays whatever the clients were invoiced, whether or not accounting has heard of the
        # invoice yet (its deals event may still be on the way): the money must end on the invoice.
        chosen = self.rng.sample(unpaid, min(len(unpaid), self.rng.randrange(1, 4))) if unpaid else []
        today = datetime.datetime.now(MSK).strftime("%d.%m.%Y")
        rub = lambda k: f"{k // 100}.{k % 100:02d}"
        total = sum(inv[2] for inv in chosen)
        lines = ["1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", f"ДатаНачала={today}", f"ДатаКонца={today}",
                 f"РасчСчет={COMPANY_ACCOUNT}", "СекцияРасчСчет", f"ДатаНачала={today}", f"ДатаКонца={today}", f"РасчСчет={COMPANY_ACCOUNT}",
                 "НачальныйОстаток=0.00", f"ВсегоПоступило={rub(total)}", "ВсегоСписано=0.00", f"КонечныйОстаток={rub(total)}", "КонецРасчСчет"]
        for number, client, amount, _, _ in chosen:
            lines += ["СекцияДокумент=Платежное поручение", f"Номер={self.next_id()}", f"Дата={today}", f"Сумма={rub(amount)}",
                      f"ПлательщикСчет={client['account']}", f"ПлательщикИНН={client['inn']}", f"Плательщик1={client['name']}",
                      f"ПолучательСчет={COMPANY_ACCOUNT}", f"ДатаПоступило={today}", "Получатель1=Пейсер",
                      f"НазначениеПлатежа=Оплата по счету № {number}. В т.ч. НДС", "КонецДокумента"]
        lines.append("КонецФайла")
        raw = "\r\n".join(lines).encode("cp1251")
        self.onec.send("POST", "/statements", raw=raw, content_type="text/plain")
        self.statements.append(raw)
        self.stats["statements"] += 1
        for number, client, amount, _, title in chosen:
            self.truth.paid.add(number)
            self.truth.cash[client["manager"]] += amount
            self.truth.paid_amounts.append(amount)
            self.stats["payments"] += 1
        if self.rng.random() < 0.3:
            self.onec.send("POST", "/statements", raw=raw, content_type="text/plain")   # 1C sends the same file again
            self.stats["reimports"] += 1

    def load(self, until, faults):
        # Load goes on until the time is up and every planned fault has been survived.
        while time.time() < until or faults.is_alive():
            roll = self.rng.random()
            if roll < 0.35:
                self.deal()
            elif roll < 0.6:
                self.json_calls()
            elif roll < 0.8:
                self.cdr()
            else:
                self.statement()

    # MARK: faults

    def restart(self, *names, down=None):
        for name in names:
            self.cluster.kill(name)
            self.faults["killed"][name] += 1
        time.sleep(down if down is not None else self.rng.uniform(0.3, 2.0))
        for name in names:
            self.cluster.start(name, self.fault_env.get(name))
        for name in names:
            self.cluster.wait_ready(name)

    def pause_past_high_water_mark(self):
        """KPI stopped while telephony publishes far more than the high-water mark."""
        self.cluster.signal("kpi", signal.SIGSTOP)
        try:
            self.cdr(count=max(600, self.hwm * 6), client=Client(self.cluster, "telephony", self.pbx.token, self.stats))
            time.sleep(1)
        finally:
            self.cluster.signal("kpi", signal.SIGCONT)
        self.faults["paused"] += 1

    def publisher_mid_burst(self):
        """Telephony killed while it takes a big CDR file; the PBX sends the file again."""
        burst = threading.Thread(target=lambda: self.cdr(count=1500, client=Client(self.cluster, "telephony", self.pbx.token, self.stats)))
        burst.start()
        time.sleep(0.4)
        self.restart("telephony", down=0.5)
        burst.join()
        self.faults["publisher_mid_burst"] += 1

    def garble(self):
        """A message no consumer can read, published by pacer-deals as the next event of its stream:
        written into its outbox while it is down (the running service hands out sequence numbers
        itself). Every consumer must dead-letter it and go on."""
        self.cluster.kill("deals")
        self.faults["killed"]["deals"] += 1
        db = sqlite3.connect(os.path.join(self.data, "deals.sqlite"), timeout=30)
        with db:
            seq = (db.execute("SELECT MAX(seq) FROM outbox WHERE stream = 'deals'").fetchone()[0] or 0) + 1
            db.execute("INSERT INTO outbox(stream, seq, event_id, type, created_at, body) VALUES ('deals', ?, ?, 'deal.created', ?, ?)",
                       (seq, f"garbled-{seq}", time.time(), b'{"type":"deal.created","payload":{"deal":'))
        db.close()
        self.cluster.start("deals", self.fault_env.get("deals"))
        self.cluster.wait_ready("deals")
        self.faults["garbled"] += 1

    def chaos(self, until, stop):
        plan = [("kill", name) for name in SERVICES * 2] + [("pause", None), ("mid_burst", None), ("pair", None), ("garble", None)]
        self.rng.shuffle(plan)
        gap = max(0.5, (until - time.time()) / (len(plan) + 1) * 0.6)
        for kind, name in plan:
            if stop.wait(self.rng.uniform(gap * 0.5, gap * 1.2)):
                break   # the load failed: stop injecting, report the failure
            if kind == "kill":
                self.restart(name)
            elif kind == "pause":
                self.pause_past_high_water_mark()
            elif kind == "mid_burst":
                self.publisher_mid_burst()
            elif kind == "garble":
                self.garble()
            else:
                self.restart("accounting", "kpi")
                self.faults["pairs"] += 1

    # MARK: settle and compare

    def settle(self, timeout=120):
        """Until every consumer has applied every publisher's head and every outbox is empty."""
        deadline = time.time() + timeout
        calm = 0
        while time.time() < deadline:
            healths = {name: self.cluster.wait_ready(name) for name in SERVICES}
            pending = sum((h.get("bus") or {}).get("outboxPending") or 0 for h in healths.values())
            lag = sum(stream.get("lag", 0) for h in healths.values() for stream in h.get("consuming", []))
            calm = calm + 1 if pending == 0 and lag == 0 else 0
            if calm >= 3:
                return
            time.sleep(0.5)
        raise AssertionError(f"the system did not settle in {timeout} s")

    def observed(self):
        kpi = self.api["kpi"]
        figures = {}
        for metric in ["won_amount", "won_deals", "calls", "talk_seconds", "cash_received"]:
            _, board = kpi.send("GET", f"/leaderboard?metric={metric}")
            figures[metric] = {row["managerId"]: row["value"] for row in board}
        figures["receivables_overdue"] = {m: kpi.send("GET", f"/managers/{m}/card")[1]["receivablesOverdue"] for m in self.managers}
        return figures

    def expected(self):
        for number, client, amount, overdue, _ in self.truth.invoices:
            if overdue and number not in self.truth.paid:
                self.truth.overdue[client["manager"]] += amount
        return {"won_amount": self.truth.won_amount, "won_deals": self.truth.won_deals, "calls": self.truth.calls,
                "talk_seconds": self.truth.talk, "cash_received": self.truth.cash, "receivables_overdue": self.truth.overdue}

    def differences(self, expected):
        found = []
        observed = self.observed()
        for metric, per_manager in expected.items():
            for manager, value in per_manager.items():
                got = observed[metric].get(manager, 0)
                if got != value:
                    found.append(f"{metric} of {manager}: KPI {got}, sent {value}")
        for name in SERVICES:
            if "deals" in CONSUMES[name]:
                letters = self.cluster.wait_ready(name).get("deadLetters", 0)
                if letters != self.faults["garbled"]:
                    found.append(f"pacer-{name} dead-lettered {letters} events, expected {self.faults['garbled']} (the garbled one)")
        # The chat gets each message at most once: pacer-notifications killed between the webhook's
        # answer and its own record of it holds that message "in doubt" for review instead of
        # sending it again. A held message counts as told whether or not the webhook got it.
        messages, seen = [], set()
        for key, text in zip(list(self.webhook.keys), list(self.webhook.messages)):
            if not key:
                found.append(f"a webhook message without an Idempotency-Key: {text[:60]}")
            elif key in seen:
                found.append(f"a webhook message sent twice (key {key}): {text[:60]}")
                continue
            seen.add(key)
            messages.append(text)
        _, held = self.api["notifications"].send("GET", "/notifications?status=in-doubt&limit=1000")
        self.stats["held_in_doubt"] = len(held or [])
        messages += [item["text"] for item in held or [] if item["id"] not in seen]
        for title in self.truth.lost_titles:
            count = sum(1 for text in messages if f"«{title}»" in text and "проиграна" in text)
            if count != 1:
                found.append(f"deal lost «{title}»: {count} notifications, expected 1")
        for amount in self.truth.paid_amounts:
            # By amount, not deal title: the payment may reach notifications before the deal does,
            # and then its message names the client only.
            count = sum(1 for text in messages if f"Поступила оплата {money(amount)} " in text)
            if count != 1:
                found.append(f"payment of {money(amount)}: {count} notifications, expected 1")
        return found

    def run(self):
        started = time.time()
        self.setup()
        until = time.time() + self.duration
        stop = threading.Event()
        errors = []

        def guarded():
            try:
                self.chaos(until, stop)
            except Exception as error:   # a fault the harness could not inject is a failure too
                errors.append(error)

        faults = threading.Thread(target=guarded)
        faults.start()
        try:
            self.load(until, faults)
        finally:
            stop.set()
            faults.join()
        if errors:
            raise errors[0]
        self.settle(timeout=180)
        expected = self.expected()
        # Receivables are announced by a once-a-second check and notifications retried with
        # backoff: give the last of them a little time to arrive, then compare for good.
        deadline = time.time() + self.grace
        found = self.differences(expected)
        while found and time.time() < deadline:
            time.sleep(1)
            found = self.differences(expected)
        time.sleep(3)   # anything sent twice would arrive now
        found = self.differences(expected)
        self.report(found, time.time() - started)
        return found

    def report(self, found, seconds):
        s, f = self.stats, self.faults
        self.log(f"chaos: {seconds:.0f} s; load: {s['deals']} deals ({s['won']} won, {s['lost']} lost), {s['invoices']} invoices, "
                 f"{s['json_calls']} calls as JSON ({s['repushes']} batches pushed twice), {s['cdr_calls']} as CDR, "
                 f"{s['statements']} statements with {s['payments']} payments ({s['reimports']} re-imports), {s['retries']} retries")
        self.log(f"chaos: faults: SIGKILL and restart {f['killed']}, two at once {f['pairs']}, "
                 f"publisher restarted mid-burst {f['publisher_mid_burst']}, subscriber paused past the high-water mark {f['paused']}, "
                 f"garbled messages on the bus {f['garbled']}")
        keys = list(self.webhook.keys)
        self.log(f"chaos: {len(set(keys))} notifications at the webhook, {self.stats.get('held_in_doubt', 0)} held in doubt after a kill "
                 f"(not sent again); differences: {len(found)}")
        for line in found[:50]:
            self.log(f"chaos:   {line}")

    def close(self):
        self.cluster.stop_all()
        self.webhook.close()
        shutil.rmtree(self.data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of load under faults")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    print(f"chaos: seed {args.seed}, {args.duration:.0f} s")
    harness = Harness(args.duration, args.seed)
    try:
        found = harness.run()
    finally:
        harness.close()
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
