"""Compromised-account containment (docs/abuse.md) with a running `posta serve`: a user reads mail
by IMAP from 127.0.0.1, then her password is used through submission from many loopback networks
(127.0.x.1): the account is suspended, its next MAIL FROM gets 550 5.7.1, its queued mail for
remote recipients is held, the postmaster reads the report over IMAP, and `posta abuse release`
lifts it all."""
import json
import smtplib
import ssl
import subprocess
import time
import urllib.request
import uuid

from selenium.webdriver.common.by import By

from conftest import free_port, wait_for_port
from consolebrowser import browser, log_in, no_script_ran, screenshot, shots  # noqa: F401 (fixtures)
from loginsite import PASSWORD, LoginSite

ABUSE = '''
[abuse]
enabled = true
evaluate_interval = "2s"
rdns_timeout = "1s"
report_to = "postmaster@example.org"
'''


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def send(site: LoginSite, source: str, user: str, to: str, subject: str):
    s = site.submission(source)
    try:
        s.login(user, PASSWORD)
        s.sendmail(user, [to], f"From: {user}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nhello\r\n".encode())
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            pass


def suspended(site: LoginSite) -> list[dict]:
    return json.loads(site.posta("abuse", "list", "--json"))["suspensions"]


def bob_queue(site: LoginSite) -> list[dict]:
    return [e for e in json.loads(site.posta("queue", "list", "--json")) if e["sender"] == "bob@example.org"]


def inbox_subjects(site: LoginSite, user: str) -> list[bytes]:
    imap = site.imap("127.0.0.1")
    imap.login(user, PASSWORD)
    imap.select("INBOX")
    _, ids = imap.search(None, "ALL")
    subjects = []
    for n in ids[0].split():
        _, data = imap.fetch(n, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects.append(data[0][1].strip())
    imap.logout()
    return subjects


def test_stolen_account_is_suspended_held_reported_and_released(tmp_path):
    scenario(LoginSite(tmp_path, database=ABUSE))


def test_the_same_on_postgresql(tmp_path, postgres_url):
    name = "posta_abuse_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", postgres_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        url = postgres_url.rsplit("/", 1)[0] + "/" + name
        scenario(LoginSite(tmp_path, database=ABUSE + f'\n[database]\nurl = "{url}"\n'))
    finally:
        subprocess.run(["psql", postgres_url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def scenario(site: LoginSite):
    site.seed()
    site.start()
    try:
        # Bob reads his mail from home.
        imap = site.imap("127.0.0.1")
        imap.login("bob@example.org", PASSWORD)
        imap.select("INBOX")
        imap.logout()
        # A message from home to a remote address: not suspicious.
        send(site, "127.0.0.1", "bob@example.org", "friend@remote.example", "hi")
        time.sleep(3)
        assert suspended(site) == []

        # His password, used from botnet networks: each network sends spam to a remote domain.
        refused_at = None
        for n in range(1, 13):
            try:
                send(site, f"127.0.{n}.1", "bob@example.org", f"victim{n}@remote.example", f"spam {n}")
            except smtplib.SMTPSenderRefused as e:
                assert e.smtp_code == 550
                assert b"5.7.1 sending suspended for this account, contact the helpdesk" in e.smtp_error
                refused_at = n
                break
            time.sleep(0.7)
        rows = wait_until(lambda: suspended(site), 20, "the suspension")
        assert [r["account"] for r in rows] == ["bob@example.org"]
        assert rows[0]["score"] >= 100
        # Contained before the whole botnet got through.
        assert refused_at is None or refused_at <= 10

        # The next submission is refused at MAIL FROM; logging in still works.
        time.sleep(2.5)
        s = site.submission("127.0.20.1")
        s.login("bob@example.org", PASSWORD)
        code, text = s.mail("bob@example.org")
        assert code == 550 and b"sending suspended for this account" in text
        s.quit()

        # Local delivery to Bob still works: Alice writes to him.
        send(site, "127.0.0.1", "alice@example.org", "bob@example.org", "lunch?")
        wait_until(lambda: any(b"lunch?" in s for s in inbox_subjects(site, "bob@example.org")), 30, "Alice's mail to Bob")

        # His queued mail for remote recipients is held, none deleted.
        queued = bob_queue(site)
        assert len(queued) >= 5
        assert all(e["held"] for e in queued), queued

        # The postmaster's report, read over IMAP.
        def report():
            imap = site.imap("127.0.0.1")
            imap.login("postmaster@example.org", PASSWORD)
            imap.select("INBOX")
            _, ids = imap.search(None, "SUBJECT", '"Suspicious actions on mailserver"')
            if not ids[0]:
                imap.logout()
                return None
            _, data = imap.fetch(ids[0].split()[-1], "(RFC822)")
            imap.logout()
            return data[0][1]
        mail = wait_until(report, 40, "the report in the postmaster's INBOX")
        assert b"Subject: [mx] Suspicious actions on mailserver: bob@example.org suspended" in mail
        assert b"127.0.1.1" in mail and b"127.0.2.1" in mail
        assert b"unknown" in mail  # no PTR: the resolver points nowhere
        assert b"unread_network" in mail and b"fanout" in mail
        assert b"held" in mail

        shown = json.loads(site.posta("abuse", "show", "bob@example.org", "--json"))
        assert shown["suspended"] is True
        assert [a["action"] for a in shown["audit"]][:2] == ["suspend", "hold"]

        report_json = json.loads(site.posta("abuse", "report", "--since", "1h", "--json"))
        bob = next(a for a in report_json["accounts"] if a["account"] == "bob@example.org")
        ips = {ip["ip"]: ip for ip in bob["ips"]}
        assert ips["127.0.0.1"]["read_mail"] is True
        assert ips["127.0.1.1"]["read_mail"] is False and ips["127.0.1.1"]["messages"] == 1
        table = site.posta("abuse", "report", "--since", "1h")
        assert table.splitlines()[0].split() == ["ACCOUNT", "IP", "MESSAGES", "RDNS", "FIRST", "LAST", "READ-MAIL"]

        ignored = json.loads(site.posta("abuse", "ignore", "127.0.0.0/16", "--rule", "fanout", "--json"))
        assert ignored == {"target": "127.0.0.0/16", "kind": "network", "rule": "fanout", "removed": False}

        # Release: the suspension goes, the held mail is released (back to pending delivery).
        released = json.loads(site.posta("abuse", "release", "bob@example.org", "--json"))
        assert released["released"] is True and released["released_messages"] >= 5 and released["deleted_messages"] == 0
        assert suspended(site) == []
        assert not any(e["held"] for e in bob_queue(site))
        time.sleep(2.5)
        send(site, "127.0.0.1", "bob@example.org", "friend@remote.example", "back again")
        # Not suspended again for the sends before the release.
        time.sleep(4)
        assert suspended(site) == []
    finally:
        site.stop()


def test_lock_account_until_the_password_changes(tmp_path):
    """`lock_account = true`: the stolen account cannot log in anywhere until its password is
    changed; then it can log in again, and sending stays suspended until released."""
    site = LoginSite(tmp_path, database=ABUSE.replace("[abuse]\n", "[abuse]\nlock_account = true\n")).seed()
    site.start()
    try:
        for n in range(1, 9):
            try:
                send(site, f"127.0.{n}.1", "bob@example.org", f"victim{n}@remote.example", f"spam {n}")
            except smtplib.SMTPException:
                break
            time.sleep(0.7)
        rows = wait_until(lambda: suspended(site), 20, "the suspension")
        assert rows[0]["locked"] is True
        imap = site.imap("127.0.0.1")
        try:
            imap.login("bob@example.org", PASSWORD)
            raise AssertionError("a locked account logged in")
        except imap.error:
            pass
        site.posta("user", "passwd", "bob@example.org", "--password-stdin", stdin="new-password-456\n")
        wait_until(lambda: not suspended(site)[0]["locked"], 20, "the lock to end after the password change")
        imap = site.imap("127.0.0.1")
        imap.login("bob@example.org", "new-password-456")
        imap.logout()
        assert suspended(site)[0]["account"] == "bob@example.org"
        audit = [a["action"] for a in json.loads(site.posta("abuse", "show", "bob@example.org", "--json"))["audit"]]
        assert "lock" in audit and "unlock" in audit
    finally:
        site.stop()


def test_the_report_in_the_console_and_the_api(tmp_path, browser, shots):
    """`posta abuse report` in the browser (/admin/abuse/report) and over the API
    (GET /api/v1/abuse/report): the same accounts, addresses and counts as the CLI's JSON."""
    https_port = free_port()
    site = LoginSite(tmp_path, database=ABUSE.replace('enabled = true', 'enabled = true\nthreshold = 100000') + f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{https_port}"
tls = "implicit"
''').seed()
    site.posta("admin", "add", "root", "--role", "superadmin", "--password-stdin", stdin="root-secret-123\n")
    site.start()
    wait_for_port(https_port)
    base = f"https://localhost:{https_port}"
    try:
        # Bob reads his mail from 127.0.0.1 and sends from there and from two other networks.
        imap = site.imap("127.0.0.1")
        imap.login("bob@example.org", PASSWORD)
        imap.logout()
        for source in ("127.0.0.1", "127.0.31.1", "127.0.31.1", "127.0.32.1"):
            send(site, source, "bob@example.org", "friend@remote.example", f"from {source}")
        cli = json.loads(site.posta("abuse", "report", "--since", "1h", "--json"))
        bob = next(a for a in cli["accounts"] if a["account"] == "bob@example.org")
        counts = {ip["ip"]: (ip["messages"], ip["read_mail"]) for ip in bob["ips"]}
        assert counts == {"127.0.0.1": (1, True), "127.0.31.1": (2, False), "127.0.32.1": (1, False)}, counts

        token = site.posta("admin", "token", "add", "root", "report").strip().splitlines()[-1]
        request = urllib.request.Request(base + "/api/v1/abuse/report?since=1h",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30, context=ssl._create_unverified_context()) as response:
            api = json.load(response)
        assert [a["account"] for a in api["accounts"]] == [a["account"] for a in cli["accounts"]]
        api_bob = next(a for a in api["accounts"] if a["account"] == "bob@example.org")
        assert {ip["ip"]: (ip["messages"], ip["read_mail"]) for ip in api_bob["ips"]} == counts

        log_in(browser, base, "root", "root-secret-123")
        browser.get(base + "/admin/abuse")
        browser.find_element(By.LINK_TEXT, "Show the report").click()
        assert browser.find_element(By.TAG_NAME, "h1").text == "Abuse report"
        browser.find_element(By.LINK_TEXT, "1h").click()
        rows = {}
        for tr in browser.find_elements(By.CSS_SELECTOR, "#abuse-report tbody tr"):
            cells = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            account = tr.find_element(By.TAG_NAME, "th").text
            rows[(account, cells[0])] = (int(cells[2]), cells[5] == "yes")
        assert {ip: value for (account, ip), value in rows.items() if account == "bob@example.org"} == counts
        no_script_ran(browser)
        screenshot(browser, shots, "abuse-report")
    finally:
        site.stop()
