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
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import Site, free_port, wait_for_port, write_config
from tls_certs import self_signed

SUPER_PASSWORD = "root-secret-123"
HELPDESK_PASSWORD = "help-secret-123"
USER_PASSWORD = "user-secret-123"
# Each would set window.pwned if the browser ran it as markup.
HOSTILE_NAME = '"><img src=x onerror="window.pwned=1">'
HOSTILE_SCRIPT = "<script>window.pwned=2</script>"
HOSTILE_TARGET = '"><svg onload="window.pwned=3">@example.test'

DESKTOP = (1366, 900)
PHONE = (390, 844)


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


@pytest.fixture
def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                "--disable-gpu", "--hide-scrollbars", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "admin-console-screenshots"
    folder.mkdir(exist_ok=True)
    print(f"\nadmin console screenshots: {folder}")
    return folder


def screenshot(driver, shots: Path, name: str) -> None:
    """The whole page at both widths (the window grows to the page's height)."""
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(width, height)
        full = driver.execute_script("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
        driver.set_window_size(width, max(height, min(int(full) + 20, 6000)))
        driver.save_screenshot(str(shots / f"{name}-{label}.png"))
    driver.set_window_size(*DESKTOP)


def no_script_ran(driver) -> None:
    assert driver.execute_script("return typeof window.pwned") == "undefined"


def click_and_wait(driver, button) -> None:
    """Submits through `button` and waits for the next page to replace this one."""
    driver.execute_script("window.oldPage = true")

    def loaded(d) -> bool:
        try:
            return d.execute_script("return window.oldPage === undefined && document.readyState === 'complete'")
        except Exception:
            return False
    button.click()
    WebDriverWait(driver, 15).until(loaded)


def log_in(driver, base: str, login: str, password: str) -> None:
    driver.get(base + "/admin/login")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def log_out(driver) -> None:
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/admin/logout'] button"))
    assert driver.current_url.endswith("/admin/login")


def submit(driver, form_action: str, fields: dict[str, str]) -> None:
    form = driver.find_element(By.CSS_SELECTOR, f"form[action='{form_action}']")
    for name, value in fields.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def flash(driver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, ".flash")
    assert found, driver.page_source[:3000]
    return found[0].text


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
    assert nav == ["Dashboard", "Domains", "Accounts", "Aliases", "Policies", "Queue", "Login log", "Audit log",
                   "Administrators"]

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
                       ("/admin", "10-dashboard"), ("/admin/policies", "11-policies")):
        driver.get(base + path)
        assert driver.find_element(By.TAG_NAME, "h1").text
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

    # A POST without the CSRF token is refused, even with the session cookie.
    cookie = "posta_session=" + driver.get_cookie("posta_session")["value"]
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
    assert nav == ["Dashboard", "Accounts", "Login log"]
    no_script_ran(driver)
    screenshot(driver, shots, "14-helpdesk-dashboard")
    driver.get(base + "/admin/policies")
    assert "403" in driver.find_element(By.CSS_SELECTOR, ".error-code").text
    screenshot(driver, shots, "15-helpdesk-forbidden")
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
