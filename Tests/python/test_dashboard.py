"""The dashboard in a real browser (headless Chromium through Selenium) against the five real
services on loopback, loaded by pacer-demo through their APIs. It logs in as the head and as a
manager, checks that the figures on the pages are the KPI API's to the kopeck, that a manager
cannot open another manager's card, that an approval decided on the page reaches pacer-deals,
and that a new call shows up without a reload. Screenshots go to .build/screenshots/."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from chaos import BIN, SERVICES, Cluster

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.path.join(ROOT, ".build", "screenshots")


def api(port, path, token, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def wait_for(predicate, timeout=60, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            if predicate():
                return
        except Exception as error:  # the page may be mid-swap
            last = error
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what} ({last})")


@pytest.fixture(scope="module")
def department():
    data = tempfile.mkdtemp(prefix="pacer-dashboard-")
    cluster = Cluster(data, {"PACER_RECEIVABLES_INTERVAL": "1", "PACER_LOG_LEVEL": "warning"})
    cluster.env["PACER_DEALS_URL"] = f"http://127.0.0.1:{cluster.http('deals')}"
    try:
        for name in SERVICES:
            cluster.start(name)
        for name in SERVICES:
            cluster.wait_ready(name)
        url = {name: f"http://127.0.0.1:{cluster.http(name)}" for name in SERVICES}
        demo = subprocess.run([os.path.join(BIN, "pacer-demo"), "--data-dir", data] +
                              sum([[f"--{name}", url[name]] for name in SERVICES], []),
                              capture_output=True, text=True, timeout=600)
        assert demo.returncode == 0, demo.stdout + demo.stderr
        logins = {}
        for line in open(os.path.join(data, "demo-logins.txt")):
            if not line.startswith("#"):
                role, user, name, token = line.rstrip("\n").split("\t")
                logins[user] = token
        # The receivables check runs every second: wait until the KPI has its first results.
        kpi = cluster.http("kpi")
        wait_for(lambda: b'data-kind="overdue"' in urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{kpi}/ui/receivables", headers={"Cookie": f"pacer_session={logins['head']}"}), timeout=10).read(),
            what="receivables in the KPI")
        yield {"ports": {name: cluster.http(name) for name in SERVICES}, "url": url, "logins": logins, "data": data}
    finally:
        cluster.stop_all()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400", "--lang=ru"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=options)
    os.makedirs(SHOTS, exist_ok=True)
    yield driver
    driver.quit()


def login(browser, base, token):
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.ID, "login").click()
    # A click does not wait for the navigation it starts.
    wait_for(lambda: not browser.current_url.endswith("/login") or browser.find_elements(By.ID, "login-error"),
             timeout=30, what="the login to finish")


def value(element):
    return int(float(element.get_attribute("data-value")))


def test_head_sees_the_apis_figures(department, browser):
    base, head, kpi = department["url"]["kpi"], department["logins"]["head"], department["ports"]["kpi"]
    login(browser, base, head)
    assert browser.current_url.rstrip("/") == base
    browser.save_screenshot(os.path.join(SHOTS, "overview.png"))
    figures = api(kpi, "/figures", head)["values"]
    cards = browser.find_elements(By.CSS_SELECTOR, "[data-metric] [data-role=fact]")
    shown = {card.find_element(By.XPATH, "./ancestor::*[@data-metric][1]").get_attribute("data-metric"): value(card) for card in cards}
    assert set(shown) == {"won_amount", "cash_received", "won_deals", "calls", "meetings", "new_leads"}
    for metric, number in shown.items():
        assert number == figures[metric], metric
    assert figures["won_amount"] > 0 and figures["calls"] > 0 and figures["cash_received"] > 0

    browser.get(base + "/ui/leaderboard?sort=won_amount")
    browser.save_screenshot(os.path.join(SHOTS, "leaderboard.png"))
    board = api(kpi, "/leaderboard?metric=won_amount", head)
    rows = browser.find_elements(By.CSS_SELECTOR, "#leaderboard tr[data-manager]")
    assert [row.get_attribute("data-manager") for row in rows] == [entry["managerId"] for entry in board]
    assert len(rows) == 20
    for row, entry in zip(rows, board):
        assert value(row.find_element(By.CSS_SELECTOR, "td[data-metric=won_amount]")) == entry["value"]
    calls = {entry["managerId"]: entry["value"] for entry in api(kpi, "/leaderboard?metric=calls", head)}
    for row in rows:
        assert value(row.find_element(By.CSS_SELECTOR, "td[data-metric=calls]")) == calls[row.get_attribute("data-manager")]

    browser.get(base + "/ui/funnel")
    browser.save_screenshot(os.path.join(SHOTS, "funnel.png"))
    funnel = api(kpi, "/funnel", head)
    assert value(browser.find_element(By.ID, "funnel-created")) == funnel["created"]
    assert value(browser.find_element(By.ID, "funnel-won")) == funnel["won"]
    assert value(browser.find_element(By.ID, "funnel-lost")) == funnel["lost"]

    browser.get(base + "/ui/receivables")
    browser.save_screenshot(os.path.join(SHOTS, "receivables.png"))
    receivables = api(department["ports"]["accounting"], "/receivables", head)
    assert value(browser.find_element(By.ID, "receivables-overdue")) == sum(c["overdue"]["kopecks"] for c in receivables["byClient"])
    assert value(browser.find_element(By.ID, "receivables-due")) == sum(c["due"]["kopecks"] for c in receivables["byClient"])
    assert browser.find_elements(By.CSS_SELECTOR, "#receivables tr.overdue")

    for page in ["activity", "attention", "plans", "bonus"]:
        browser.get(base + f"/ui/{page}")
        assert browser.find_element(By.TAG_NAME, "h1").text
        browser.save_screenshot(os.path.join(SHOTS, f"{page}.png"))
    browser.find_element(By.ID, "lang").click()
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == "Bonus schemes", timeout=30, what="the English page")
    browser.find_element(By.ID, "lang").click()
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == "Мотивация", timeout=30, what="the Russian page")


def test_an_approval_decided_on_the_page_reaches_deals(department, browser):
    base, head, deals = department["url"]["kpi"], department["logins"]["head"], department["ports"]["deals"]
    login(browser, base, head)
    browser.get(base + "/ui/approvals")
    rows = browser.find_elements(By.CSS_SELECTOR, "#approvals tr[data-approval]")
    assert len(rows) == 3
    approval = rows[0].get_attribute("data-approval")
    browser.save_screenshot(os.path.join(SHOTS, "approvals.png"))
    rows[0].find_element(By.NAME, "comment").send_keys("Согласовано, подписывайте")
    rows[0].find_element(By.CSS_SELECTOR, "button.approve").click()
    wait_for(lambda: browser.find_elements(By.ID, "notice"), timeout=30, what="the decision's notice")
    assert browser.find_element(By.ID, "notice").text == "Согласовано"
    decided = [a for a in api(deals, "/approvals?status=approved", head) if a["id"] == approval]
    assert len(decided) == 1
    assert decided[0]["comment"] == "Согласовано, подписывайте"
    assert decided[0]["deciderId"] == "head"
    # The decision comes back over the bus: the page drops the row by itself.
    wait_for(lambda: approval not in [r.get_attribute("data-approval") for r in browser.find_elements(By.CSS_SELECTOR, "#approvals tr[data-approval]")],
             what="the decided approval to leave the page")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#approvals tr[data-approval]")) == 2


def test_a_manager_sees_their_card_and_the_rating_only(department, browser):
    base, kpi = department["url"]["kpi"], department["ports"]["kpi"]
    anna = department["logins"]["anna"]
    login(browser, base, anna)
    assert browser.current_url == base + "/ui/managers/anna"
    browser.save_screenshot(os.path.join(SHOTS, "card.png"))
    card = api(kpi, "/managers/anna/card", anna)
    for metric in ["won_amount", "cash_received", "calls", "talk_seconds", "meetings", "proposals"]:
        shown = browser.find_element(By.CSS_SELECTOR, f".card[data-metric={metric}] .big")
        assert value(shown) == card["values"][metric], metric
    goals = browser.find_elements(By.CSS_SELECTOR, "#goals [data-plan]")
    assert sorted(g.get_attribute("data-plan") for g in goals) == sorted(p["plan"]["id"] for p in card["plans"])
    for goal in goals:
        plan = next(p for p in card["plans"] if p["plan"]["id"] == goal.get_attribute("data-plan"))
        assert value(goal.find_element(By.CSS_SELECTOR, "[data-role=fact]")) == plan["fact"]
        assert value(goal.find_element(By.CSS_SELECTOR, "[data-role=target]")) == plan["plan"]["target"]

    browser.get(base + "/ui/managers/boris")
    assert browser.find_element(By.ID, "forbidden")
    assert "Борис" not in browser.page_source
    for page in ["/ui/approvals", "/ui/plans", "/ui/receivables"]:
        browser.get(base + page)
        assert browser.find_element(By.ID, "forbidden"), page
    browser.get(base + "/")
    assert browser.current_url == base + "/ui/managers/anna"
    browser.get(base + "/ui/leaderboard")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#leaderboard tr[data-manager]")) == 20
    nav = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "nav.main a")]
    assert nav == [base + "/ui/managers/anna", base + "/ui/leaderboard"]


def test_pages_fit_a_phone(department, browser):
    base, head = department["url"]["kpi"], department["logins"]["head"]
    login(browser, base, head)
    browser.set_window_size(390, 844)
    try:
        for page in ["/", "/ui/leaderboard", "/ui/receivables", "/ui/approvals", "/ui/managers/anna"]:
            browser.get(base + page)
            # Wide tables scroll inside their own box; the page itself never scrolls sideways.
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{page} is {overflow}px wider than a phone"
        browser.get(base + "/")
        browser.save_screenshot(os.path.join(SHOTS, "overview-phone.png"))
    finally:
        browser.set_window_size(1280, 1400)


def test_figures_update_without_a_reload(department, browser):
    base, head = department["url"]["kpi"], department["logins"]["head"]
    login(browser, base, head)
    browser.get(base + "/ui/leaderboard?sort=calls")
    browser.execute_script("window.pacerNoReload = 42")
    cell = lambda: browser.find_element(By.CSS_SELECTOR, "#leaderboard tr[data-manager=anna] td[data-metric=calls]")
    before = value(cell())
    pbx = api(department["ports"]["telephony"], "/admin/users/pbx/tokens", open(os.path.join(department["data"], "telephony-admin.token")).read().strip(),
              method="POST", body={"label": "test"})["token"]
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    api(department["ports"]["telephony"], "/calls", pbx, method="POST",
        body={"callId": "live-1", "direction": "outgoing", "from": "101", "to": "+74951234567", "extension": "101",
              "startedAt": now, "durationSeconds": 30, "billableSeconds": 25, "status": "ANSWERED"})
    wait_for(lambda: value(cell()) == before + 1, timeout=30, what="the new call on the page")
    assert browser.execute_script("return window.pacerNoReload") == 42
