"""The site operations of the admin console in a real headless browser (Debian's chromium through
chromium-driver, driven by Selenium), against a running `posta serve`:

- a superadmin makes a DKIM key for example.org; the TXT record the page shows is the one
  `posta dns records example.org` prints;
- adds a policy with a member (a sender domain) and an access rule (REJECT): Posta's SMTP listener
  refuses that sender at once and accepts others; deleting the policy in the browser lifts it;
- a stolen password used from many networks gets the account suspended by the abuse detection (real
  submission traffic, as in test_abuse.py); the superadmin releases it in the browser and the
  account sends again.

Screenshots of every new page at desktop (1366x900) and phone (390x844) widths are written to the
folder printed in the test output."""
import json
import re
import smtplib
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import free_port, wait_for_port
from consolebrowser import (  # noqa: F401 (browser and shots are fixtures)
    browser, click_and_wait, flash, log_in, no_script_ran, screenshot, shots, submit)
from loginsite import PASSWORD, LoginSite

SUPER_PASSWORD = "root-secret-123"
ABUSE = '''
[abuse]
enabled = true
evaluate_interval = "2s"
rdns_timeout = "1s"
report_to = "postmaster@example.org"
'''
HOSTILE = "<script>window.pwned=1</script>"


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def published_txt(dns_records: str, name: str) -> str:
    """The TXT text of `name` in `posta dns records` output (character-strings joined)."""
    for line in dns_records.splitlines():
        if line.startswith(name + ". ") and " TXT " in line:
            record = line.split(" TXT ", 1)[1].split(" ; ", 1)[0]
            return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', record))
    raise AssertionError(f"{name} not in:\n{dns_records}")


def mail_from_rcpt(port: int, sender: str, recipient: str) -> tuple[int, str]:
    """MAIL FROM and RCPT TO on the MX listener; the RCPT reply (or the MAIL reply if refused)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.net")
        code, text = s.mail(sender)
        if code >= 400:
            return code, text.decode()
        code, text = s.rcpt(recipient)
        s.rset()
        return code, text.decode()


def confirm_and_wait(driver, button) -> None:
    """Submits a `data-confirm` form: accepts the browser's confirmation, waits for the next page."""
    driver.execute_script("window.oldPage = true")
    button.click()
    WebDriverWait(driver, 10).until(expected_conditions.alert_is_present())
    driver.switch_to.alert.accept()
    WebDriverWait(driver, 15).until(
        lambda d: d.execute_script("return window.oldPage === undefined && document.readyState === 'complete'"))


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


def test_dkim_policies_and_abuse_in_the_browser(tmp_path, browser, shots):
    port = free_port()
    site = LoginSite(tmp_path, database=ABUSE + f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{port}"
tls = "implicit"
''')
    site.seed()
    site.posta("admin", "add", "root", "--role", "superadmin", "--name", "Root Admin", "--password-stdin",
               stdin=SUPER_PASSWORD + "\n")
    site.start()
    wait_for_port(port)
    base = f"https://localhost:{port}"
    driver = browser
    try:
        log_in(driver, base, "root", SUPER_PASSWORD)
        nav = driver.find_element(By.CSS_SELECTOR, "nav").text
        assert "Abuse" in nav and "DKIM keys" in nav

        # --- DKIM: a key made in the browser; its record is the one `posta dns records` prints.
        driver.get(base + "/admin/dkim")
        assert "No DKIM keys yet" in driver.page_source
        screenshot(driver, shots, "dkim-empty")
        form = driver.find_element(By.CSS_SELECTOR, "form[action='/admin/dkim/generate']")
        form.find_element(By.NAME, "domain").send_keys("example.org")
        Select(form.find_element(By.NAME, "algorithm")).select_by_value("rsa")
        form.find_element(By.NAME, "confirm").click()
        click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "signs from now on" in flash(driver)
        shown = driver.find_element(By.CSS_SELECTOR, "pre[data-dkim-record]")
        name = shown.get_attribute("data-dkim-record")
        assert re.fullmatch(r"posta-\d{4}-\d{2}\._domainkey\.example\.org", name), name
        record = shown.text.strip()
        assert record.startswith("v=DKIM1; k=rsa; p=")
        assert published_txt(site.posta("dns", "records", "example.org"), name) == record
        listed = json.loads(site.posta("dkim", "list", "--json"))
        assert [(k["domain"], k["state"]) for k in listed] == [("example.org", "active")]
        assert "PRIVATE KEY" not in driver.page_source
        screenshot(driver, shots, "dkim")

        # --- A policy with a member and a rule, used by the SMTP listener at once.
        assert mail_from_rcpt(site.smtp_port, "boss@spam.example", "alice@example.org")[0] == 250
        driver.get(base + "/admin/policies")
        submit(driver, "/admin/policies/add", {"name": "blockers", "priority": "5", "description": HOSTILE})
        assert "Policy blockers added" in flash(driver)
        submit(driver, "/admin/policies/member", {"attribute": "sender", "pattern": "@spam.example"})
        assert "applies to sender @spam.example" in flash(driver)
        driver.find_element(By.XPATH, "//details[summary[contains(., 'Add a rule')]]/summary").click()
        submit(driver, "/admin/policies/rule/add", {"module": "access", "settings": "action=REJECT\ntext=no spam here"})
        assert "(access) added to blockers" in flash(driver)
        submit(driver, "/admin/policies/group", {"name": "partners"})
        submit(driver, "/admin/policies/group/entry", {"pattern": "@partner.example"})
        no_script_ran(driver)
        assert HOSTILE.replace("<", "&lt;").replace(">", "&gt;") in driver.page_source
        screenshot(driver, shots, "policies")

        code, text = wait_until(
            lambda: (lambda r: r if r[0] >= 500 else None)(
                mail_from_rcpt(site.smtp_port, "boss@spam.example", "alice@example.org")),
            20, "the new policy to refuse the sender")
        assert code == 554 or code == 550, (code, text)
        assert "no spam here" in text
        assert mail_from_rcpt(site.smtp_port, "friend@good.example", "alice@example.org")[0] == 250
        policies = json.loads(site.posta("policy", "list", "--json"))
        assert [(p["name"], [m["pattern"] for m in p["members"]], [r["module"] for r in p["rules"]]) for p in policies] \
            == [("blockers", ["@spam.example"], ["access"])]

        form = driver.find_element(By.CSS_SELECTOR, "form[action='/admin/policies/delete']")
        confirm_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "Policy blockers deleted" in flash(driver)
        assert json.loads(site.posta("policy", "list", "--json")) == []
        wait_until(lambda: mail_from_rcpt(site.smtp_port, "boss@spam.example", "alice@example.org")[0] == 250,
                   20, "the deleted policy to stop refusing")
        audit = json.loads(site.posta("audit", "list", "--limit", "200", "--json"))["entries"]
        actions = [e["action"] for e in audit if e["actor"] == "admin:root"]
        for action in ("dkim.generate", "policy.add", "policy.member.add", "policy.rule.add", "policy.delete"):
            assert action in actions, actions

        # --- Abuse: Bob reads mail from home; his password is then used from many networks.
        imap = site.imap("127.0.0.1")
        imap.login("bob@example.org", PASSWORD)
        imap.select("INBOX")
        imap.logout()
        for n in range(1, 13):
            try:
                send(site, f"127.0.{n}.1", "bob@example.org", f"victim{n}@remote.example", f"spam {n}")
            except smtplib.SMTPException:
                break
            time.sleep(0.7)
        wait_until(lambda: suspended(site), 20, "the suspension")
        time.sleep(2.5)
        s = site.submission("127.0.0.1")
        s.login("bob@example.org", PASSWORD)
        code, _ = s.mail("bob@example.org")
        assert code == 550
        s.quit()

        driver.get(base + "/admin/abuse")
        link = driver.find_element(By.LINK_TEXT, "bob@example.org")
        screenshot(driver, shots, "abuse")
        click_and_wait(driver, link)
        assert "Suspended" in driver.page_source and "127.0.1.1" in driver.page_source
        screenshot(driver, shots, "abuse-account")
        form = driver.find_elements(By.CSS_SELECTOR, "form[action='/admin/abuse/release']")[0]
        click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "bob@example.org may send again" in flash(driver)
        assert suspended(site) == []
        assert not any(e["held"] for e in json.loads(site.posta("queue", "list", "--json"))
                       if e["sender"] == "bob@example.org")
        screenshot(driver, shots, "abuse-released")
        time.sleep(2.5)
        send(site, "127.0.0.1", "bob@example.org", "alice@example.org", "back again")
        audit = json.loads(site.posta("audit", "list", "--limit", "200", "--json"))["entries"]
        assert any(e["action"] == "abuse.release" and e["target"] == "bob@example.org" for e in audit)
    finally:
        site.stop()
