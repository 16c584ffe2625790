"""DMARC aggregate reports (RFC 9990) as Posta writes and reads them: results of `posta dmarc check`
against `_dmarc` records served by dnsmasq, counted with `--record`; `posta dmarc report-xml` output
validated against the RFC 9990 schema (interop/data/dmarc-2.0.xsd) with xmllint and read by
parsedmarc with the same numbers; `posta dmarc import` of XML, gzip, zip and report mail; hostile
archives refused in one line."""
import gzip
import io
import subprocess
import zipfile
from email.message import EmailMessage
from pathlib import Path

import parsedmarc

from conftest import Site, write_config
from test_outbound import start_dnsmasq

SCHEMA = Path(__file__).parent / "data" / "dmarc-2.0.xsd"
ZONE = "\n".join([
    # Names under these answer NXDOMAIN unless listed (as the real TLDs would for _dmarc.com).
    "local=/com/",
    "local=/net/",
    "local=/org/",
    "local=/example/",
    'txt-record=_dmarc.example.com,"v=DMARC1; p=reject; sp=quarantine; adkim=s; rua=mailto:dmarc@example.com"',
    'txt-record=_dmarc.example.net,"v=DMARC1; p=quarantine; t=y; rua=mailto:agg@reports.example.org"',
    "address=/news.example.com/192.0.2.80",
]) + "\n"
DAY = "2026-11-20"
AT = "1795132800"  # 2026-11-20T00:00:00Z
DAY_END = 1795132800 + 86399


def dmarc_site(tmp_path: Path):
    port, dns = start_dnsmasq(tmp_path, ZONE)
    folder = tmp_path / "site"
    folder.mkdir()
    site = Site(folder, write_config(folder, extra=f'[delivery]\nnameservers = ["127.0.0.1:{port}"]\n'))
    return site, dns


def check(site: Site, *args: str, record: bool = True) -> dict:
    extra = ["--record", "--at", AT] if record else []
    return site.ok("dmarc", "check", "--json", *args, *extra).json()


def record_traffic(site: Site):
    """A day of mail: 3 aligned messages from the domain's server, 2 forged ones, 1 through a
    subdomain, and 1 for a domain in testing mode."""
    for _ in range(3):
        r = check(site, "--from", "example.com", "--ip", "192.0.2.10", "--mail-from", "example.com", "--spf", "pass",
                  "--dkim", "example.com:s2026:pass")
        assert r["result"] == "pass" and r["dkim_aligned"] == "example.com", r
    for _ in range(2):
        r = check(site, "--from", "example.com", "--ip", "203.0.113.66", "--mail-from", "forger.example", "--spf", "pass",
                  "--dkim", "forger.example:x:pass")
        assert r["result"] == "fail" and r["disposition"] == "reject", r
        assert r["authentication_results"] == (
            "dmarc=fail (p=reject dis=reject) header.from=example.com policy.dmarc=reject")
    r = check(site, "--from", "news.example.com", "--ip", "198.51.100.7", "--mail-from", "esp.example.org", "--spf", "pass")
    assert r["result"] == "fail" and r["published_policy"] == "quarantine" and r["policy_domain"] == "example.com", r
    r = check(site, "--from", "example.net", "--ip", "192.0.2.99")
    assert r["disposition"] == "none" and r["overrides"] == ["policy_test_mode"], r


def test_written_reports_validate_and_parse(tmp_path: Path):
    site, dns = dmarc_site(tmp_path)
    try:
        record_traffic(site)
        out = tmp_path / "out"
        out.mkdir()
        xml_path = Path(site.ok("dmarc", "report-xml", "--domain", "example.com", "--period", DAY,
                                "--output-dir", str(out)).out.strip())
        assert xml_path.name == "mx.example.test!example.com!1795132800!1795219199.xml"
        gz_path = Path(site.ok("dmarc", "report-xml", "--domain", "example.com", "--period", DAY,
                               "--output-dir", str(out), "--gzip").out.strip())
        assert gz_path.name.endswith(".xml.gz") and gzip.decompress(gz_path.read_bytes()) == xml_path.read_bytes()
        printed = site.ok("dmarc", "report-xml", "--domain", "example.com", "--period", DAY).out
        assert printed.encode() == xml_path.read_bytes()

        for path in (xml_path, out / "net.xml"):
            if path.name == "net.xml":
                path.write_text(site.ok("dmarc", "report-xml", "--domain", "example.net", "--period", DAY).out)
            lint = subprocess.run(["xmllint", "--noout", "--schema", str(SCHEMA), str(path)], capture_output=True, text=True)
            assert lint.returncode == 0, lint.stderr

        report = parsedmarc.parse_aggregate_report_xml(xml_path.read_bytes(), offline=True, always_use_local_files=True)
        meta = report["report_metadata"]
        # parsedmarc names organizations by their base domain.
        assert meta["org_name"] == "example.test" and meta["report_id"].startswith("1795132800.example.com")
        assert report["policy_published"]["domain"] == "example.com"
        assert report["policy_published"]["p"] == "reject" and report["policy_published"]["adkim"] == "s"
        rows = {r["source"]["ip_address"]: r for r in report["records"]}
        assert set(rows) == {"192.0.2.10", "203.0.113.66", "198.51.100.7"}
        good, forged, news = rows["192.0.2.10"], rows["203.0.113.66"], rows["198.51.100.7"]
        assert good["count"] == 3 and good["policy_evaluated"]["disposition"] == "pass"
        assert good["policy_evaluated"]["dkim"] == "pass" and good["policy_evaluated"]["spf"] == "pass"
        assert good["auth_results"]["dkim"][0]["selector"] == "s2026"
        assert forged["count"] == 2 and forged["policy_evaluated"]["disposition"] == "reject"
        assert forged["policy_evaluated"]["dkim"] == "fail" and forged["policy_evaluated"]["spf"] == "fail"
        assert forged["identifiers"]["header_from"] == "example.com"
        assert news["count"] == 1 and news["policy_evaluated"]["disposition"] == "quarantine"
        assert news["identifiers"]["header_from"] == "news.example.com"
        assert sum(r["count"] for r in report["records"]) == 6

        net = parsedmarc.parse_aggregate_report_xml((out / "net.xml").read_bytes(), offline=True, always_use_local_files=True)
        [row] = net["records"]
        assert row["policy_evaluated"]["disposition"] == "none"
        assert [r["type"] for r in row["policy_evaluated"]["policy_override_reasons"]] == ["policy_test_mode"]

        # What Posta wrote, Posta reads back (the .gz as a report address would receive it).
        imported = site.ok("dmarc", "import", "--json", str(gz_path)).json()
        assert [(i["policy_domain"], i["records"], i["messages"], i["duplicate"]) for i in imported] == [("example.com", 3, 6, False)]
        sources = site.ok("dmarc", "reports", "--json", "--domain", "example.com").json()
        by_ip = {s["source_ip"]: s for s in sources}
        assert by_ip["192.0.2.10"]["dmarc_pass"] == 3 and by_ip["192.0.2.10"]["disposition"] == "pass"
        assert by_ip["203.0.113.66"]["dmarc_fail"] == 2 and by_ip["203.0.113.66"]["spf_fail"] == 2
        table = site.ok("dmarc", "reports").out
        assert table.startswith("DOMAIN") and "203.0.113.66" in table and "0/2" in table
    finally:
        dns.kill()
        dns.wait()


def test_import_formats_and_duplicates(tmp_path: Path):
    site, dns = dmarc_site(tmp_path)
    try:
        record_traffic(site)
        xml = site.ok("dmarc", "report-xml", "--domain", "example.com", "--period", DAY).out.encode()
        # Another receiver's report: same document under another organization and Report-ID.
        other = xml.replace(b"<org_name>mx.example.test</org_name>", b"<org_name>receiver.example</org_name>")
        other = other.replace(b"@mx.example.test</report_id>", b"@receiver.example</report_id>")
        zipped = tmp_path / "report.zip"
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("receiver.example!example.com!1795132800!1795219199.xml", other)
        mail = EmailMessage()
        mail["From"] = "noreply-dmarc@receiver.example"
        mail["To"] = "dmarc@example.com"
        mail["Subject"] = "Report Domain: example.com Submitter: mx.example.test Report-ID: <x>"
        mail.set_content("An aggregate report.")
        mail.add_attachment(gzip.compress(xml), maintype="application", subtype="gzip",
                            filename="mx.example.test!example.com!1795132800!1795219199.xml.gz")
        eml = tmp_path / "report.eml"
        eml.write_bytes(mail.as_bytes())
        plain = tmp_path / "report.xml"
        plain.write_bytes(xml)

        first = site.ok("dmarc", "import", "--json", str(eml), str(zipped)).json()
        assert [(i["org_name"], i["duplicate"]) for i in first] == [("mx.example.test", False), ("receiver.example", False)]
        again = site.ok("dmarc", "import", str(plain)).out
        assert again.startswith("already imported report 1795132800.example.com@mx.example.test"), again
        forged = {s["source_ip"]: s for s in site.ok("dmarc", "reports", "--json", "--since", DAY).json()}["203.0.113.66"]
        assert forged["messages"] == 4 and forged["reporters"] == 2
        assert site.ok("dmarc", "reports", "--json", "--since", "2026-11-22").json() == []
        listed = site.ok("dmarc", "reports", "--list", "--json").json()
        assert sorted(r["org_name"] for r in listed) == ["mx.example.test", "receiver.example"]
    finally:
        dns.kill()
        dns.wait()


def one_line_error(r) -> str:
    assert r.code != 0, r
    lines = [line for line in r.err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, r
    return lines[0]


def test_hostile_files_are_refused(tmp_path: Path):
    site = Site(tmp_path, write_config(tmp_path))
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("report.xml", b"<" + b" " * (64 << 20))
    assert bomb.stat().st_size < 1 << 20
    assert "octets" in one_line_error(site.posta("dmarc", "import", str(bomb)))
    gz = tmp_path / "bomb.xml.gz"
    gz.write_bytes(gzip.compress(b"<feedback>" + b" " * (64 << 20)))
    assert "inflates beyond" in one_line_error(site.posta("dmarc", "import", str(gz)))
    deep = tmp_path / "deep.xml"
    deep.write_text("<feedback>" + "<a>" * 10000 + "</a>" * 10000 + "</feedback>")
    assert "nested deeper" in one_line_error(site.posta("dmarc", "import", str(deep)))
    laughs = tmp_path / "laughs.xml"
    laughs.write_text('<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY a "aaaa">]><feedback>&a;</feedback>')
    assert "document type" in one_line_error(site.posta("dmarc", "import", str(laughs)))
    assert "no report attachment" in one_line_error(site.posta("dmarc", "import", str(SCHEMA.parent / ".." / "conftest.py")))
    assert site.ok("dmarc", "reports", "--json").json() == []
