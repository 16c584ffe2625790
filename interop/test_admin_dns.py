"""The DNS records of a domain and a policy's priority in the admin console (a real headless
browser, as in test_admin_ops.py) and over the JSON API, against a running `posta serve`, compared
with what the real binary's CLI says:

- `/admin/dns` shows, row for row, the records `posta dns records example.org --json` lists, its
  zone-file block is that command's output to the byte, and so is the download and the API's
  `zone_file`;
- a priority and description changed in the browser are what `posta policy list --json` reads.

Screenshots of the DNS page and of the policy form at desktop and phone widths go to the folder
printed in the output."""
import json
import ssl
import urllib.request

from selenium.webdriver.common.by import By

from conftest import free_port, wait_for_port
from consolebrowser import browser, flash, log_in, screenshot, shots, submit  # noqa: F401 (fixtures)
from loginsite import LoginSite

SUPER_PASSWORD = "root-secret-123"
DMARC = '''
[dmarc]
report_address = "dmarc-reports@example.org"
'''


def fetch(url: str, token: str | None = None, cookies: dict | None = None) -> tuple[int, dict, bytes]:
    """GET over the site's self-signed HTTPS, as a script would."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        return response.status, dict(response.headers), response.read()


def test_dns_records_and_policy_priority_in_the_browser_and_api(tmp_path, browser, shots):
    port = free_port()
    site = LoginSite(tmp_path, database=DMARC + f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{port}"
tls = "implicit"
''')
    site.seed()
    site.posta("domain", "add", "example.net")
    site.posta("dkim", "keygen", "example.org")
    site.posta("policy", "add", "senders", "--priority", "10")
    site.posta("admin", "add", "root", "--role", "superadmin", "--name", "Root Admin", "--password-stdin",
               stdin=SUPER_PASSWORD + "\n")
    token = site.posta("admin", "token", "add", "root", "interop").strip().splitlines()[-1]
    site.start()
    wait_for_port(port)
    base = f"https://localhost:{port}"
    driver = browser
    try:
        cli_text = site.posta("dns", "records", "example.org")
        cli_json = json.loads(site.posta("dns", "records", "example.org", "--json"))
        assert any("._domainkey.example.org" in r["name"] for r in cli_json)

        log_in(driver, base, "root", SUPER_PASSWORD)
        driver.get(base + "/admin/dns?domain=example.org")
        assert driver.find_element(By.TAG_NAME, "h1").text == "DNS records"
        rows = driver.find_elements(By.CSS_SELECTOR, "table.dns-table tbody tr")
        shown = [(row.find_element(By.CSS_SELECTOR, "th").text, row.get_attribute("data-dns-type"),
                  row.find_elements(By.CSS_SELECTOR, "td")[2].text) for row in rows]
        assert shown == [(r["name"], r["type"], r["data"]) for r in cli_json]
        zone = driver.find_element(By.ID, "zone-file").get_attribute("textContent")
        assert zone == cli_text
        screenshot(driver, shots, "dns")

        # The picker: the other domain, which has no DKIM key yet.
        submit(driver, "/admin/dns", {"domain": "example.net"})
        assert "No DKIM key yet" in driver.page_source
        assert driver.find_element(By.ID, "zone-file").get_attribute("textContent") \
            == site.posta("dns", "records", "example.net")

        # The download, with the browser's session, is the same text.
        cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
        status, headers, body = fetch(base + "/admin/dns/zone?domain=example.org", cookies=cookies)
        assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
        assert headers["Content-Disposition"] == 'attachment; filename="example.org.zone"'
        assert body.decode() == cli_text

        # The API: the same records and the same zone file.
        status, _, body = fetch(base + "/api/v1/domains/example.org/dns-records", token=token)
        answer = json.loads(body)
        assert status == 200 and answer["zone_file"] == cli_text and answer["domain"] == "example.org"
        assert answer["records"] == cli_json

        # A policy's priority and description, changed in the browser, as the CLI reads them.
        driver.get(base + "/admin/policies")
        driver.find_element(By.XPATH, "//details[summary[contains(., 'Change priority or description')]]/summary").click()
        screenshot(driver, shots, "policy-change")
        submit(driver, "/admin/policies/change", {"priority": "3", "description": "Authenticated senders"})
        assert "Policy senders: priority 3" in flash(driver)
        [policy] = json.loads(site.posta("policy", "list", "--json"))
        assert (policy["name"], policy["priority"], policy["description"]) == ("senders", 3, "Authenticated senders")
        audit = json.loads(site.posta("audit", "list", "--limit", "50", "--json"))["entries"]
        assert any(e["action"] == "policy.change" and e["actor"] == "admin:root" and e["target"] == "policy:senders"
                   for e in audit)
    finally:
        site.stop()
