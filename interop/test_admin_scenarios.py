"""Issue #16's end-to-end scenarios in a real browser, against a Posta that also receives mail,
takes submissions and serves IMAP: a superadmin creates a helpdesk administrator; the helpdesk
creates an account and resets its password (the new one works over IMAP at once, the old one no
longer), and is refused the policy pages and the superadmin API; a domain admin sees nothing of
another domain; a superadmin lowers a sending quota on the policies page and the next SMTP AUTH
session is held to it; the queue page releases a held message, which is then delivered."""
import json
import plistlib
import ssl
import subprocess
import time
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from selenium.webdriver.support.ui import Select

from consolebrowser import (  # noqa: F401 (browser and shots are fixtures)
    browser, click_and_wait, flash, log_in, log_out, no_script_ran, screenshot, shots, submit)
from consolesite import ConsoleSite
from policysite import QUOTA_TEXT, refusal, send_authenticated, send_plain

ROOT_PASSWORD = "root-secret-123"
DOMAIN_ADMIN_PASSWORD = "domain-secret-123"
HELPDESK_PASSWORD = "help-secret-123"
MAIL_PASSWORD = "password-123"


@pytest.fixture
def site(tmp_path):
    site = ConsoleSite(tmp_path, extra_config='''
[auth]
# A short brute-force test: the fifth failure in a row is refused without checking.
delay_after = 3
base_delay = "1s"
max_delay = "1s"
lockout_after = 4
''')
    site.seed()
    site.configure_policies()
    site.posta("domain", "add", "other.test")
    site.posta("user", "add", "dora@other.test", "--name", "Dora Other", "--password-stdin", stdin=MAIL_PASSWORD + "\n")
    # Mail from carol is held (an access rule with HOLD), for the queue page to release.
    site.posta("policy", "add", "hold-carol", "--priority", "5")
    site.posta("policy", "member", "add", "hold-carol", "sender", "carol@example.org")
    site.posta("policy", "rule", "add", "hold-carol", "access", "action=HOLD")
    site.posta("admin", "add", "root", "--role", "superadmin", "--password-stdin", stdin=ROOT_PASSWORD + "\n")
    site.posta("admin", "add", "ed", "--role", "domain-admin", "--domain", "example.org", "--password-stdin",
               stdin=DOMAIN_ADMIN_PASSWORD + "\n")
    site.start()
    yield site
    site.stop()


def session_cookie(driver) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())


def test_helpdesk_creates_an_account_and_resets_its_password(site, browser, shots):
    driver = browser
    log_in(driver, site.base, "root", ROOT_PASSWORD)
    driver.get(site.base + "/admin/admins")
    submit(driver, "/admin/admins/add", {"login": "hd", "name": "Helen Desk", "password": HELPDESK_PASSWORD,
                                          "role": "helpdesk"})
    assert "hd" in flash(driver)
    log_out(driver)

    log_in(driver, site.base, "hd", HELPDESK_PASSWORD)
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.sidebar a")]
    assert "Policies" not in nav and "Administrators" not in nav, nav
    driver.get(site.base + "/admin/accounts")
    submit(driver, "/admin/accounts/add", {"address": "newbie@example.org", "name": "New Bie",
                                            "password": "first-pass-123", "quota": "1G"})
    assert "created" in flash(driver)
    assert site.imap_login("newbie@example.org", "first-pass-123")

    driver.get(site.base + "/admin/account?address=newbie@example.org")
    submit(driver, "/admin/account/password", {"password": "second-pass-456", "password2": "second-pass-456"})
    screenshot(driver, shots, "scenario-helpdesk-reset")
    # In force at once, on a new IMAP session; the old password no longer works.
    assert site.imap_login("newbie@example.org", "second-pass-456")
    assert not site.imap_login("newbie@example.org", "first-pass-123")

    # Policies: the 403 page in the browser, 403 to a direct request with the session, and the
    # helpdesk's API token cannot call superadmin endpoints.
    driver.get(site.base + "/admin/policies")
    assert "403" in driver.title or "not allowed" in driver.page_source.lower()
    screenshot(driver, shots, "scenario-helpdesk-403")
    assert site.status("/admin/policies", {"Cookie": session_cookie(driver)}) == 403
    token = site.posta("admin", "token", "add", "hd", "scripts").strip().splitlines()[-1]
    bearer = {"Authorization": f"Bearer {token}"}
    assert site.status("/api/v1/accounts?limit=5", bearer) == 200
    for path in ("/api/v1/administrators", "/api/v1/audit", "/api/v1/tokens", "/api/v1/domains/example.org"):
        assert site.status(path, bearer) in (403, 405), path
    assert site.status("/api/v1/administrators", bearer) == 403

    # Every change above is in the audit log, with who and from where.
    audit = json.loads(site.posta("audit", "list", "--json"))["entries"]
    done = {(entry["actor"], entry["action"], entry["target"]) for entry in audit}
    assert ("admin:root", "admin.add", "hd") in done, done
    assert ("admin:hd", "account.create", "newbie@example.org") in done, done
    assert ("admin:hd", "account.password", "newbie@example.org") in done, done
    assert all(entry["clientIP"] == "127.0.0.1" for entry in audit if entry["actor"] == "admin:hd")


def test_domain_admin_sees_only_their_domains(site, browser, shots):
    driver = browser
    log_in(driver, site.base, "ed", DOMAIN_ADMIN_PASSWORD)
    driver.get(site.base + "/admin/accounts")
    listed = driver.find_element(By.TAG_NAME, "table").text
    assert "alice@example.org" in listed and "other.test" not in listed
    screenshot(driver, shots, "scenario-domain-admin-accounts")
    driver.get(site.base + "/admin/accounts?q=dora")
    assert "dora" not in driver.find_element(By.TAG_NAME, "main").text.lower()
    driver.get(site.base + "/admin/account?address=dora@other.test")
    assert "Dora Other" not in driver.page_source
    assert site.status("/admin/account?address=dora@other.test", {"Cookie": session_cookie(driver)}) in (403, 404)
    driver.get(site.base + "/admin/aliases")
    assert "other.test" not in driver.find_element(By.TAG_NAME, "main").text


def test_superadmin_lowers_a_sending_quota_and_the_next_session_is_held_to_it(site, browser, shots):
    [senders] = [p for p in json.loads(site.posta("policy", "list", "--json")) if p["name"] == "senders"]
    [rule] = [r for r in senders["rules"] if r["module"] == "quota"]
    driver = browser
    log_in(driver, site.base, "root", ROOT_PASSWORD)
    driver.get(site.base + "/admin/policies")
    form = driver.find_element(
        By.XPATH, f"//form[@action='/admin/policies/rule'][.//input[@name='id' and @value='{rule['id']}']]")
    form.find_element(By.NAME, "key").send_keys("messages")
    form.find_element(By.NAME, "value").send_keys("1")
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    screenshot(driver, shots, "scenario-policies-quota")
    assert "messages=1" in driver.find_element(By.TAG_NAME, "main").text.replace(" ", "")
    # Policies are re-read within 5 s (docs/policy.md); then one message per hour, not three.
    time.sleep(6)
    send = lambda subject: send_authenticated(site.submission_port, "alice@example.org", MAIL_PASSWORD,
                                               "alice@example.org", "bob@example.org", subject, tls=True)
    assert refusal(lambda: send("first")) == (250, "")
    code, text = refusal(lambda: send("second"))
    assert code == 450 and QUOTA_TEXT in text, (code, text)


def test_queue_page_releases_a_held_message_that_is_then_delivered(site, browser, shots):
    hostile_subject = 'held for review <script>window.pwned=4</script>"><img src=x onerror="window.pwned=5">'
    send_plain(site.smtp_port, "mail.remote.example", "carol@example.org", "bob@example.org", hostile_subject)
    held = [e for e in json.loads(site.posta("queue", "list", "--json")) if e.get("held")]
    assert len(held) == 1, held
    queue_id = held[0]["id"]
    assert not any(b"held for review" in m for m in site.messages("bob@example.org"))

    driver = browser
    log_in(driver, site.base, "root", ROOT_PASSWORD)
    # The message's page shows its header fields, the hostile subject as text.
    driver.get(site.base + f"/admin/queue/show?id={queue_id}")
    assert hostile_subject in driver.find_element(By.TAG_NAME, "main").text
    no_script_ran(driver)
    screenshot(driver, shots, "scenario-queue-message")
    driver.get(site.base + "/admin/queue")
    screenshot(driver, shots, "scenario-queue-held")
    driver.find_element(By.ID, f"q-{queue_id}").click()
    form = driver.find_element(By.ID, "bulk")
    Select(form.find_element(By.NAME, "action")).select_by_value("release")
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(b"held for review" in m for m in site.messages("bob@example.org")):
            break
        time.sleep(0.2)
    assert any(b"held for review" in m for m in site.messages("bob@example.org"))
    audit = json.loads(site.posta("audit", "list", "--json", "--action", "queue.release"))["entries"]
    assert [(e["actor"], e["target"]) for e in audit] == [("admin:root", queue_id)]


def test_a_user_downloads_a_configuration_profile_of_their_account(site, browser, shots):
    driver = browser
    log_in(driver, site.base, "alice@example.org", MAIL_PASSWORD)
    assert driver.current_url == site.base + "/admin/me"
    link = driver.find_element(By.CSS_SELECTOR, "a[href='/admin/me/profile.mobileconfig']")
    screenshot(driver, shots, "scenario-self-service-profile")
    request = urllib.request.Request(site.base + link.get_attribute("pathname"), headers={"Cookie": session_cookie(driver)})
    with urllib.request.urlopen(request, timeout=10, context=ssl._create_unverified_context()) as response:
        assert response.headers["Content-Type"] == "application/x-apple-aspen-config"
        assert "attachment" in response.headers["Content-Disposition"]
        signed = response.read()
    # Signed with the site's certificate (CMS SignedData carrying the profile): OpenSSL checks the
    # signature against that certificate and gives the profile back.
    (site.folder / "profile.der").write_bytes(signed)
    verified = subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "DER", "-in", str(site.folder / "profile.der"), "-CAfile", str(site.cert),
         "-purpose", "any"], capture_output=True, timeout=30)
    assert verified.returncode == 0 and b"Verification successful" in verified.stderr, verified.stderr
    profile = plistlib.loads(verified.stdout)
    signer = subprocess.run(
        ["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(site.folder / "profile.der")],
        capture_output=True, text=True, timeout=30, check=True).stdout
    assert "signingTime" in signer and "CN=localhost" in signer
    # A changed byte in the profile breaks the signature.
    tampered = bytearray(signed)
    at = signed.index(b"alice@example.org")
    tampered[at] = ord("A")
    (site.folder / "tampered.der").write_bytes(bytes(tampered))
    assert subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "DER", "-in", str(site.folder / "tampered.der"), "-CAfile", str(site.cert),
         "-purpose", "any"], capture_output=True, timeout=30).returncode != 0
    [account] = profile["PayloadContent"]
    assert account["EmailAddress"] == "alice@example.org"
    assert account["IncomingMailServerPortNumber"] == site.imap_port
    assert account["OutgoingMailServerPortNumber"] == site.submission_port
    assert "IncomingPassword" not in account and "OutgoingPassword" not in account
    # Without the session there is no profile, only the login page.
    assert site.status("/admin/me/profile.mobileconfig", {}) in (200, 303)  # urllib follows to the login page
    request = urllib.request.Request(site.base + "/admin/me/profile.mobileconfig")
    with urllib.request.urlopen(request, timeout=10, context=ssl._create_unverified_context()) as response:
        assert response.headers["Content-Type"].startswith("text/html")


def test_brute_force_on_the_admin_login_is_throttled(site, browser, shots):
    driver = browser
    for _ in range(4):
        log_in(driver, site.base, "root", "not-the-password")
        assert "not right" in flash(driver)
    # Locked: even the right password is refused unchecked, with a clear message.
    log_in(driver, site.base, "root", ROOT_PASSWORD)
    assert "Too many failed logins" in flash(driver)
    assert not driver.find_elements(By.CSS_SELECTOR, "nav.sidebar")
    screenshot(driver, shots, "scenario-login-throttled")
    # Every attempt is in the login log, as protocol `web`, like the mail protocols' logins.
    with site.db() as db:
        rows = db.execute("SELECT protocol, success, reason FROM login_event WHERE login = 'root' ORDER BY id").fetchall()
    assert [(p, bool(ok)) for p, ok, _ in rows] == [("web", False)] * 5, rows
    assert rows[-1][2] == "throttled", rows
