"""The admin console in a real headless browser: Debian's chromium driven through chromium-driver by
Selenium. A superadmin logs in, walks every page, creates a domain, an account whose display name
is hostile markup, an alias with a hostile target and a helpdesk administrator; the helpdesk gets the
403 page on /admin/policies; a mail user sees their own page. No script from the hostile input may
run (the markup would set `window.pwned`), and a POST without the CSRF token is refused.
Screenshots of every page at desktop (1366x900) and phone (390x844) widths are written to a folder
printed in the test output (under pytest's basetemp)."""
import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import Site, free_port, wait_for_port, write_config
from consolebrowser import (  # noqa: F401 (browser and shots are fixtures)
    browser, click_and_wait, flash, log_in, log_out, no_script_ran, screenshot, shots, submit)
from tls_certs import self_signed

SUPER_PASSWORD = "root-secret-123"
HELPDESK_PASSWORD = "help-secret-123"
USER_PASSWORD = "user-secret-123"
# Each would set window.pwned if the browser ran it as markup.
HOSTILE_NAME = '"><img src=x onerror="window.pwned=1">'
HOSTILE_SCRIPT = "<script>window.pwned=2</script>"
HOSTILE_TARGET = '"><svg onload="window.pwned=3">@example.test'



@pytest.fixture
def console(tmp_path: Path, servers):
    cert, key = self_signed(tmp_path, "localhost")
    port = free_port()
    config = write_config(tmp_path, extra=f'[tls]\ncert = "{cert}"\nkey = "{key}"\n')
    config.write_text(
        config.read_text() + f'\n[[listener]]\nprotocol = "http"\naddress = "127.0.0.1:{port}"\ntls = "implicit"\n')
    site = Site(tmp_path, config)
    site.ok("admin", "add", "root", "--role", "superadmin", "--name", "Root Admin", "--password-stdin",
            stdin=SUPER_PASSWORD + "\n")
    server = servers(["--config", str(config)], cwd=tmp_path)
    wait_for_port(port)
    yield site, f"https://localhost:{port}"
    server.stop()


def post(base: str, path: str, body: str, cookie: str) -> int:
    """A form POST outside the browser (no CSRF token unless in `body`); the HTTP status."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(base + path, data=body.encode(), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_console_walkthrough(console, browser, shots):
    site, base = console
    driver = browser

    # Without a session every page sends the browser to the login page.
    driver.get(base + "/admin/accounts")
    assert driver.current_url == base + "/admin/login"
    screenshot(driver, shots, "01-login")
    log_in(driver, base, "root", "wrong-password")
    assert "not right" in flash(driver)
    screenshot(driver, shots, "02-login-failed")
    log_in(driver, base, "root", SUPER_PASSWORD)
    assert driver.current_url == base + "/admin"
    assert driver.find_element(By.TAG_NAME, "h1").text == "Dashboard"
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.sidebar a")]
    assert nav == ["Dashboard", "Domains", "Accounts", "Aliases", "Lists", "Policies", "Queue", "Quarantine",
                   "Filter settings", "Abuse", "DKIM keys", "DNS records", "Reports", "Login log", "Audit log", "Administrators",
                   "My security"]

    # Domains: empty state, then one domain.
    driver.get(base + "/admin/domains")
    assert driver.find_element(By.CSS_SELECTOR, ".empty")
    submit(driver, "/admin/domains/add", {"name": "example.test"})
    assert "example.test added" in flash(driver)
    screenshot(driver, shots, "03-domains")

    # Accounts: one with a hostile display name, one ordinary mail user.
    driver.get(base + "/admin/accounts")
    submit(driver, "/admin/accounts/add", {"address": "mallory@example.test", "name": HOSTILE_NAME + HOSTILE_SCRIPT,
                                            "password": USER_PASSWORD, "quota": "1G"})
    assert "created" in flash(driver)
    no_script_ran(driver)
    assert HOSTILE_NAME + HOSTILE_SCRIPT in driver.find_element(By.CSS_SELECTOR, ".facts").text
    screenshot(driver, shots, "04-account")
    driver.get(base + "/admin/accounts")
    submit(driver, "/admin/accounts/add", {"address": "carol@example.test", "name": "Carol", "password": USER_PASSWORD,
                                            "quota": "2G"})
    driver.get(base + "/admin/accounts")
    assert HOSTILE_NAME + HOSTILE_SCRIPT in driver.find_element(By.TAG_NAME, "table").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "meter.quota")) == 2
    no_script_ran(driver)
    screenshot(driver, shots, "05-accounts")
    driver.get(base + "/admin/accounts?q=carol")
    assert [e.text for e in driver.find_elements(By.CSS_SELECTOR, "tbody th")] == ["carol@example.test"]

    # A refused form is shown again with the reason and what was typed.
    driver.get(base + "/admin/accounts")
    submit(driver, "/admin/accounts/add", {"address": "dave@example.test", "name": HOSTILE_SCRIPT,
                                            "password": USER_PASSWORD, "quota": "lots"})
    assert "quota" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert driver.find_element(By.ID, "new-name").get_attribute("value") == HOSTILE_SCRIPT
    no_script_ran(driver)

    # Aliases: a hostile target (refused or kept, it is shown as text), a real alias and a catch-all.
    driver.get(base + "/admin/aliases")
    submit(driver, "/admin/aliases/add", {"source": "evil@example.test", "targets": HOSTILE_TARGET})
    no_script_ran(driver)
    assert HOSTILE_TARGET in driver.page_source.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<") \
        or HOSTILE_TARGET == driver.find_element(By.ID, "alias-targets").get_attribute("value")
    driver.get(base + "/admin/aliases")
    submit(driver, "/admin/aliases/add", {"source": "sales@example.test", "targets": "carol@example.test"})
    driver.get(base + "/admin/aliases")
    submit(driver, "/admin/aliases/add", {"source": "@example.test", "targets": "carol@example.test"})
    assert "catch-all" in driver.find_element(By.TAG_NAME, "table").text
    no_script_ran(driver)
    screenshot(driver, shots, "06-aliases")

    for path, name in (("/admin/queue", "07-queue"), ("/admin/logins", "08-logins"), ("/admin/audit", "09-audit"),
                       ("/admin", "10-dashboard"), ("/admin/policies", "11-policies"),
                       ("/admin/reports", "11-reports"), ("/admin/reports/dmarc", "11-reports-dmarc"),
                       ("/admin/reports/tls", "11-reports-tls"), ("/admin/reports/mta-sts", "11-reports-mta-sts")):
        driver.get(base + path)
        assert driver.find_element(By.TAG_NAME, "h1").text
        no_script_ran(driver)
        screenshot(driver, shots, name)
    # DNS records of the domain made above: the table and the zone file `posta dns records` prints.
    driver.get(base + "/admin/dns")
    assert driver.find_element(By.CSS_SELECTOR, "#dns-domain option[selected]").get_attribute("value") == "example.test"
    assert driver.find_element(By.ID, "zone-file").get_attribute("textContent") \
        == site.ok("dns", "records", "example.test").out
    screenshot(driver, shots, "11b-dns")
    # The daily summary (today so far: the pages above were logins, no mail yet) and the abuse report.
    for path, name, heading in (("/admin/reports/summary", "11a-summary", "Daily summary"),
                                ("/admin/abuse/report?since=7d", "11c-abuse-report", "Abuse report")):
        driver.get(base + path)
        assert driver.find_element(By.TAG_NAME, "h1").text == heading
        no_script_ran(driver)
        screenshot(driver, shots, name)
    driver.get(base + "/admin/logins?protocol=web&failures=1")
    assert "root" in driver.find_element(By.TAG_NAME, "table").text
    driver.get(base + "/admin/audit")
    assert "account.create" in driver.find_element(By.TAG_NAME, "table").text

    # Administrators: a helpdesk.
    driver.get(base + "/admin/admins")
    submit(driver, "/admin/admins/add", {"login": "helen", "name": HOSTILE_NAME, "password": HELPDESK_PASSWORD,
                                          "role": "helpdesk"})
    assert "helen added" in flash(driver)
    no_script_ran(driver)
    screenshot(driver, shots, "12-admins")

    driver.get(base + "/admin/no-such-page")
    assert "404" in driver.find_element(By.CSS_SELECTOR, ".error-code").text
    screenshot(driver, shots, "13-not-found")

    # My security: the TOTP set-up page, and the secret it proposes (stored only on a matching code).
    driver.get(base + "/admin/security")
    assert "Set up a second factor" in driver.page_source
    screenshot(driver, shots, "14-security")
    driver.find_element(By.CSS_SELECTOR, "form[action='/admin/security/totp/start'] button").click()
    assert driver.find_element(By.CSS_SELECTOR, "code.secret").text
    screenshot(driver, shots, "15-security-setup")

    # A POST without the CSRF token is refused, even with the session cookie.
    cookie = "__Host-posta_session=" + driver.get_cookie("__Host-posta_session")["value"]
    assert post(base, "/admin/domains/add", "name=forged.test", cookie) == 403
    token = driver.find_element(By.CSS_SELECTOR, "input[name=csrf]").get_attribute("value")
    assert post(base, "/admin/domains/add", "name=forged.test&csrf=" + token[:-1] + "x", cookie) == 403
    driver.get(base + "/admin/domains")
    assert "forged.test" not in driver.page_source
    log_out(driver)
    driver.get(base + "/admin")
    assert driver.current_url == base + "/admin/login"

    # The helpdesk: accounts yes, policies no (403 from the server whatever the navigation shows).
    log_in(driver, base, "helen", HELPDESK_PASSWORD)
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.sidebar a")]
    assert nav == ["Dashboard", "Accounts", "Login log", "My security"]
    no_script_ran(driver)
    screenshot(driver, shots, "14-helpdesk-dashboard")
    driver.get(base + "/admin/policies")
    assert "403" in driver.find_element(By.CSS_SELECTOR, ".error-code").text
    screenshot(driver, shots, "15-helpdesk-forbidden")
    driver.get(base + "/admin/dns")
    assert "403" in driver.find_element(By.CSS_SELECTOR, ".error-code").text
    driver.get(base + "/admin/admins")
    assert "403" in driver.find_element(By.CSS_SELECTOR, ".error-code").text
    driver.get(base + "/admin/domains")  # read only: the domains they work in
    assert not driver.find_elements(By.CSS_SELECTOR, "form[action='/admin/domains/add']")
    log_out(driver)

    # A mail user looks after their own account.
    log_in(driver, base, "carol@example.test", USER_PASSWORD)
    assert driver.current_url == base + "/admin/me"
    assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.sidebar a")] == ["My account"]
    assert "web" in driver.find_element(By.TAG_NAME, "table").text
    screenshot(driver, shots, "16-self-service")
    driver.get(base + "/admin/accounts")
    assert "403" in driver.find_element(By.CSS_SELECTOR, ".error-code").text
