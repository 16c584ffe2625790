"""DMARC and TLS reports in the admin console and the API, with real data: a day of DMARC results
recorded by `posta dmarc check --record` (against `_dmarc` records served by dnsmasq), the aggregate
report Posta writes for it imported back with `posta dmarc import` as a received report, and an
RFC 8460 TLS report imported with `posta tlsrpt import`. Headless Chromium shows them on
/admin/reports, /admin/reports/dmarc and /admin/reports/tls (screenshots at both widths); the XML
downloaded from the page is the one `posta dmarc report-xml` prints and validates against the
RFC 9990 schema with xmllint; the API answers the same numbers as `posta dmarc reports --json`; a
domain admin of another domain sees none of it."""
import json
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import Site, free_port, wait_for_port, write_config
from consolebrowser import (  # noqa: F401 (fixtures)
    browser, click_and_wait, flash, log_in, no_script_ran, screenshot, shots, submit)
from test_dmarc_reports import DAY, SCHEMA, ZONE, record_traffic
from test_outbound import start_dnsmasq
from tls_certs import self_signed

PASSWORD = "root-secret-123"
TLS_REPORT = {
    "organization-name": "sender.example",
    "date-range": {"start-datetime": f"{DAY}T00:00:00Z", "end-datetime": f"{DAY}T23:59:59Z"},
    "contact-info": "tlsrpt@sender.example",
    "report-id": "2026-11-20-sender-1",
    "policies": [{
        "policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce", "mx: mx.example.test",
                                                          "max_age: 86400"],
                   "policy-domain": "example.com", "mx-host": ["mx.example.test"]},
        "summary": {"total-successful-session-count": 41, "total-failure-session-count": 2},
        "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "198.51.100.3",
                             "receiving-mx-hostname": "mx.example.test", "failed-session-count": 2}],
    }],
}


@pytest.fixture
def reports_site(tmp_path: Path, servers):
    dns_port, dns = start_dnsmasq(tmp_path, ZONE)
    folder = tmp_path / "site"
    folder.mkdir()
    cert, key = self_signed(folder, "localhost")
    port = free_port()
    config = write_config(
        folder, extra=f'[delivery]\nnameservers = ["127.0.0.1:{dns_port}"]\n[tls]\ncert = "{cert}"\nkey = "{key}"\n')
    config.write_text(
        config.read_text() + f'\n[[listener]]\nprotocol = "http"\naddress = "127.0.0.1:{port}"\ntls = "implicit"\n')
    site = Site(folder, config)
    for domain in ("example.com", "elsewhere.test"):
        site.ok("domain", "add", domain)
    site.ok("admin", "add", "root", "--role", "superadmin", "--name", "Root", "--password-stdin", stdin=PASSWORD + "\n")
    site.ok("admin", "add", "eve", "--role", "domain-admin", "--domain", "elsewhere.test", "--name", "Eve",
            "--password-stdin", stdin=PASSWORD + "\n")
    record_traffic(site)
    # What Posta writes for the day, received back as another receiver's report about example.com.
    xml = site.ok("dmarc", "report-xml", "--domain", "example.com", "--period", DAY).out
    received = folder / "received.xml"
    received.write_text(xml.replace("<org_name>mx.example.test</org_name>", "<org_name>receiver.example</org_name>")
                        .replace("@mx.example.test</report_id>", "@receiver.example</report_id>"))
    imported = site.ok("dmarc", "import", "--json", str(received)).json()
    assert [(i["org_name"], i["duplicate"]) for i in imported] == [("receiver.example", False)], imported
    tls = folder / "tls.json"
    tls.write_text(json.dumps(TLS_REPORT))
    assert site.ok("tlsrpt", "import", str(tls)).out.strip().endswith(": stored")
    server = servers(["--config", str(config)], cwd=folder)
    wait_for_port(port)
    yield site, f"https://localhost:{port}", xml
    server.stop()
    dns.kill()
    dns.wait()


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), context=context, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_reports_in_the_browser_and_the_api(reports_site, browser, shots, tmp_path: Path):
    site, base, written = reports_site
    driver = browser
    log_in(driver, base, "root", PASSWORD)

    # The DMARC page: the sources and the report as `posta dmarc reports` counts them.
    cli_sources = {s["source_ip"]: s for s in site.ok("dmarc", "reports", "--json", "--domain", "example.com").json()}
    assert set(cli_sources) == {"192.0.2.10", "203.0.113.66", "198.51.100.7"}, cli_sources
    driver.get(base + "/admin/reports/dmarc?domain=example.com")
    tables = driver.find_elements(By.TAG_NAME, "table")
    rows = {row.find_element(By.TAG_NAME, "th").text: row.text for row in tables[0].find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert set(rows) == set(cli_sources), rows
    assert f"{cli_sources['203.0.113.66']['dmarc_fail']}" in rows["203.0.113.66"]
    assert "receiver.example" in tables[1].text and "@receiver.example" in tables[1].text
    no_script_ran(driver)
    screenshot(driver, shots, "30-reports-dmarc")

    # The TLS page: sessions and failure types per policy domain and reporter.
    driver.get(base + "/admin/reports/tls")
    text = driver.find_element(By.TAG_NAME, "table").text
    assert "example.com" in text and "sender.example" in text and "41" in text and "certificate-expired 2" in text, text
    screenshot(driver, shots, "31-reports-tls")
    driver.get(base + "/admin/reports/mta-sts")
    assert driver.find_element(By.CSS_SELECTOR, ".empty")
    screenshot(driver, shots, "32-reports-mta-sts")

    # The download form on the DMARC page links to the XML Posta would send; fetched with the
    # browser's session it is the CLI's report and valid against the RFC 9990 schema.
    driver.get(base + "/admin/reports/dmarc")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/admin/reports/dmarc/download']")
    assert form.find_element(By.NAME, "domain") and form.find_element(By.NAME, "day")
    cookie = "__Host-posta_session=" + driver.get_cookie("__Host-posta_session")["value"]
    status, headers, body = fetch(f"{base}/admin/reports/dmarc/download?domain=example.com&day={DAY}", {"Cookie": cookie})
    assert status == 200 and headers["Content-Type"] == "application/xml", (status, headers)
    assert headers["Content-Disposition"] == 'attachment; filename="mx.example.test!example.com!1795132800!1795219199.xml"'
    assert body.decode() == written
    downloaded = tmp_path / "downloaded.xml"
    downloaded.write_bytes(body)
    lint = subprocess.run(["xmllint", "--noout", "--schema", str(SCHEMA), str(downloaded)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stderr

    # The overview and "send now" (no domain asked for reports by a reachable rua: the answer says so).
    driver.get(base + "/admin/reports")
    screenshot(driver, shots, "33-reports")
    # A date input's typed form depends on the browser's locale: set its value.
    driver.execute_script(f"document.getElementById('send-day').value = '{DAY}'")
    submit(driver, "/admin/reports/send", {"kind": "dmarc"})
    assert f"Reports of {DAY} queued" in driver.find_element(By.ID, "sent-title").text
    sent = driver.find_elements(By.TAG_NAME, "table")[0].text
    assert "example.com" in sent and "not to" in sent, sent
    no_script_ran(driver)
    screenshot(driver, shots, "34-reports-sent")
    audit = site.ok("audit", "list", "--action", "reports.dmarc.send", "--json").json()["entries"]
    assert [(e["actor"], e["target"]) for e in audit] == [("admin:root", DAY)], audit

    # The API: the same numbers, the same document.
    token = site.ok("admin", "token", "add", "root", "interop").out.strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    status, _, body = fetch(f"{base}/api/v1/reports/dmarc/sources?domain=example.com", auth)
    assert status == 200
    api_sources = {s["source_ip"]: s for s in json.loads(body)["items"]}
    assert {ip: (s["messages"], s["dmarc_fail"]) for ip, s in api_sources.items()} == \
        {ip: (s["messages"], s["dmarc_fail"]) for ip, s in cli_sources.items()}
    status, _, body = fetch(f"{base}/api/v1/reports/tls", auth)
    [item] = json.loads(body)["items"]
    assert item["report"] == TLS_REPORT
    status, headers, body = fetch(f"{base}/api/v1/reports/dmarc/example.com/{DAY}", auth)
    assert status == 200 and headers["Content-Type"] == "application/xml" and body.decode() == written
    status, headers, body = fetch(f"{base}/api/v1/mta-sts/policies", auth)
    assert status == 200 and json.loads(body)["items"] == []


def test_a_domain_admin_sees_only_their_domains(reports_site, browser):
    site, base, _ = reports_site
    log_in(browser, base, "eve", PASSWORD)
    browser.get(base + "/admin/reports/dmarc")
    assert "No sending source" in browser.page_source and "203.0.113.66" not in browser.page_source
    browser.get(base + "/admin/reports/tls")
    assert browser.find_element(By.CSS_SELECTOR, ".empty")
    browser.get(base + "/admin/reports/dmarc?domain=example.com")
    assert "403" in browser.find_element(By.CSS_SELECTOR, ".error-code").text
    cookie = "__Host-posta_session=" + browser.get_cookie("__Host-posta_session")["value"]
    status, _, _ = fetch(f"{base}/admin/reports/dmarc/download?domain=example.com&day={DAY}", {"Cookie": cookie})
    assert status == 403


def test_a_superadmin_imports_report_files_in_the_browser(reports_site, browser, shots, tmp_path: Path):
    """The upload form (multipart/form-data) stores a report as `posta dmarc import` would."""
    site, base, written = reports_site
    upload = tmp_path / "upload.xml"
    upload.write_text(written.replace("<org_name>mx.example.test</org_name>", "<org_name>uploader.example</org_name>")
                      .replace("@mx.example.test</report_id>", "@uploader.example</report_id>"))
    log_in(browser, base, "root", PASSWORD)
    browser.get(base + "/admin/reports")
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/admin/reports/import']")
    assert form.get_attribute("enctype") == "multipart/form-data"
    screenshot(browser, shots, "35-reports-import")
    send_file(browser, "dmarc", upload)
    assert "Imported 1 DMARC report: example.com from uploader.example" in flash(browser)
    assert "uploader.example" in browser.page_source
    no_script_ran(browser)
    listed = site.ok("dmarc", "reports", "--list", "--json").json()
    assert sorted(r["org_name"] for r in listed) == ["receiver.example", "uploader.example"], listed
    # The TLS report the fixture imported with the CLI: already there.
    tls = tmp_path / "tls.json"
    tls.write_text(json.dumps(TLS_REPORT))
    browser.get(base + "/admin/reports")
    send_file(browser, "tls", tls)
    assert "Already imported" in flash(browser)
    # A file that is no report: the form again, with why; nothing stored.
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    browser.get(base + "/admin/reports")
    send_file(browser, "dmarc", junk)
    assert "Not a DMARC aggregate report" in browser.page_source
    audit = site.ok("audit", "list", "--action", "reports.dmarc.import", "--json").json()["entries"]
    assert [e["actor"] for e in audit if e["target"].startswith("example.com")].count("admin:root") == 1, audit


def send_file(driver, kind: str, path: Path) -> None:
    """Chooses `path` in the import form and sends it, as a person would."""
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/admin/reports/import']")
    Select(form.find_element(By.NAME, "kind")).select_by_value(kind)
    form.find_element(By.NAME, "report").send_keys(str(path))
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
