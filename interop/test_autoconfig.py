"""Client autoconfiguration as mail clients use it, against a running Posta: Thunderbird's lookup
(`/mail/config-v1.1.xml?emailaddress=` on autoconfig.<domain>, and the well-known URL) validated
against the XSD written from Thunderbird's documented format (interop/data/thunderbird-config-v1.1.xsd),
its servers matching the listeners and working (a login over IMAP and submission with what it says);
Outlook's autodiscover POST and its Autodiscover v2 JSON lookup (fetched with curl); and
`posta dns records` read by dnspython as a zone file."""
import imaplib
import json
import smtplib
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest
from lxml import etree

from conftest import free_port, wait_for_port
from mailsite import MailSite

SCHEMA = Path(__file__).parent / "data" / "thunderbird-config-v1.1.xsd"
PASSWORD = "password-123"
OUTLOOK_REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>{address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>
"""
OUTLOOK = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"


class AutoconfigSite(MailSite):
    """Posta with every client listener (implicit TLS and STARTTLS) and an HTTP listener."""

    def __init__(self, folder: Path):
        self.ports = {name: free_port() for name in ("imaps", "imap", "pop3s", "submissions", "submission", "http")}
        listeners = "".join(
            f'[[listener]]\nprotocol = "{name}"\naddress = "127.0.0.1:{port}"\n' for name, port in self.ports.items())
        super().__init__(folder, extra_config=listeners + '''
[mta_sts]
mode = "testing"
report_uris = ["mailto:tls-reports@example.org"]
[dmarc]
report_address = "dmarc-reports@example.org"
''')

    def start(self):
        super().start()
        for port in self.ports.values():
            wait_for_port(port)
        return self

    def get(self, path: str, host: str) -> tuple[int, str, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.ports['http']}{path}", headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def post(self, path: str, body: bytes, host: str) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.ports['http']}{path}", data=body, method="POST",
            headers={"Host": host, "Content-Type": "text/xml; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = AutoconfigSite(tmp_path_factory.mktemp("autoconfig")).seed()
    s.start()
    yield s
    s.stop()


def servers(provider, kind: str) -> list[dict[str, str]]:
    return [{"type": server.get("type"), **{child.tag: child.text for child in server}} for server in provider.findall(kind)]


def test_thunderbird_lookup_for_a_new_address(site: AutoconfigSite):
    """Thunderbird's first lookup for new.person@example.org, then the well-known URL: the same
    document, valid per the documented format, naming exactly the TLS listeners."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    status, content_type, body = site.get(
        "/mail/config-v1.1.xml?emailaddress=new.person%40example.org", host="autoconfig.example.org")
    assert status == 200 and "xml" in content_type, (status, body)
    document = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    schema.assertValid(document)
    well_known = site.get("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=new.person%40example.org",
                          host="example.org")
    assert well_known[0] == 200 and well_known[2] == body

    provider = document.find("emailProvider")
    assert provider.get("id") == "example.org" and [d.text for d in provider.findall("domain")] == ["example.org"]
    common = {"hostname": "mx.example.org", "username": "%EMAILADDRESS%", "authentication": "password-cleartext"}
    p = site.ports
    assert servers(provider, "incomingServer") == [
        {"type": "imap", "port": str(p["imaps"]), "socketType": "SSL", **common},
        {"type": "imap", "port": str(p["imap"]), "socketType": "STARTTLS", **common},
        {"type": "pop3", "port": str(p["pop3s"]), "socketType": "SSL", **common},
    ]
    assert servers(provider, "outgoingServer") == [
        {"type": "smtp", "port": str(p["submissions"]), "socketType": "SSL", **common},
        {"type": "smtp", "port": str(p["submission"]), "socketType": "STARTTLS", **common},
    ]


def test_the_announced_servers_take_the_login_thunderbird_makes(site: AutoconfigSite):
    """What the document says (port, socketType, %EMAILADDRESS%) logs alice in over IMAP and
    submission; the host name is mx.example.org, reached here on loopback."""
    _, _, body = site.get("/mail/config-v1.1.xml?emailaddress=alice%40example.org", host="autoconfig.example.org")
    provider = etree.fromstring(body).find("emailProvider")
    context = ssl.create_default_context(cafile=str(site.cert))
    context.check_hostname = False  # the test certificate names localhost, the document mx.example.org
    address = "alice@example.org"
    for server in servers(provider, "incomingServer"):
        if server["type"] != "imap":
            continue
        user = server["username"].replace("%EMAILADDRESS%", address)
        if server["socketType"] == "SSL":
            client = imaplib.IMAP4_SSL("127.0.0.1", int(server["port"]), ssl_context=context)
        else:
            client = imaplib.IMAP4("127.0.0.1", int(server["port"]))
            client.starttls(ssl_context=context)
        assert client.login(user, PASSWORD)[0] == "OK"
        client.logout()
    for server in servers(provider, "outgoingServer"):
        user = server["username"].replace("%EMAILADDRESS%", address)
        if server["socketType"] == "SSL":
            client = smtplib.SMTP_SSL("127.0.0.1", int(server["port"]), context=context, timeout=10)
        else:
            client = smtplib.SMTP("127.0.0.1", int(server["port"]), timeout=10)
            client.starttls(context=context)
        assert client.login(user, PASSWORD)[0] == 235
        client.quit()


def test_other_domains_and_bad_lookups(site: AutoconfigSite):
    assert site.get("/mail/config-v1.1.xml?emailaddress=a%40elsewhere.example", host="autoconfig.elsewhere.example")[0] == 404
    assert site.get("/.well-known/autoconfig/mail/config-v1.1.xml", host="elsewhere.example")[0] == 404
    assert site.get("/mail/config-v1.1.xml?emailaddress=%3Cb%3E", host="autoconfig.example.org")[0] == 400
    # Without emailaddress the host says the domain.
    status, _, body = site.get("/mail/config-v1.1.xml", host="autoconfig.example.org")
    assert status == 200 and b"<domain>example.org</domain>" in body


def test_outlook_autodiscover(site: AutoconfigSite):
    for path in ("/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"):
        status, body = site.post(path, OUTLOOK_REQUEST.format(address="Bob@Example.org").encode(), "autodiscover.example.org")
        assert status == 200, body
        response = etree.fromstring(body).find(f"{OUTLOOK}Response")
        account = response.find(f"{OUTLOOK}Account")
        assert account.findtext(f"{OUTLOOK}AccountType") == "email" and account.findtext(f"{OUTLOOK}Action") == "settings"
        protocols = [{child.tag.removeprefix(OUTLOOK): child.text for child in p} for p in account.findall(f"{OUTLOOK}Protocol")]
        assert [(p["Type"], p["Server"], p["Port"], p["LoginName"], p["SSL"], p["Encryption"]) for p in protocols] == [
            ("IMAP", "mx.example.org", str(site.ports["imaps"]), "Bob@example.org", "on", "SSL"),
            ("POP3", "mx.example.org", str(site.ports["pop3s"]), "Bob@example.org", "on", "SSL"),
            ("SMTP", "mx.example.org", str(site.ports["submissions"]), "Bob@example.org", "on", "SSL"),
        ]
    other = site.post("/autodiscover/autodiscover.xml", OUTLOOK_REQUEST.format(address="a@elsewhere.example").encode(), "x")
    assert other[0] == 404


def curl_json(site: AutoconfigSite, path: str, host: str) -> tuple[int, str, dict]:
    """GET with curl as a client would (Outlook's Autodiscover v2 lookup): status, content type, JSON."""
    out = subprocess.run(
        ["curl", "-sS", "-H", f"Host: {host}", "-H", "Accept: application/json", "-o", "-",
         "-w", "\n%{http_code} %{content_type}", f"http://127.0.0.1:{site.ports['http']}{path}"],
        capture_output=True, text=True, timeout=20, check=True).stdout
    body, _, meta = out.rpartition("\n")
    status, _, content_type = meta.partition(" ")
    return int(status), content_type, json.loads(body)


def test_outlook_autodiscover_v2_json(site: AutoconfigSite):
    """Newer Outlook asks `autodiscover.json` where the XML autodiscover is, then posts there: both
    URL forms answer Exchange's JSON, the URL it gives serves the XML answer, and protocols the site
    does not speak (ActiveSync) get Exchange's 400 InvalidProtocol."""
    expected = {"Protocol": "AutodiscoverV1", "Url": "https://mx.example.org/autodiscover/autodiscover.xml"}
    for path in ("/autodiscover/autodiscover.json?Email=Bob%40Example.org&Protocol=AutodiscoverV1&RedirectCount=1",
                 "/autodiscover/autodiscover.json/v1.0/bob@example.org?Protocol=AutodiscoverV1"):
        status, content_type, answer = curl_json(site, path, "autodiscover.example.org")
        assert (status, content_type, answer) == (200, "application/json; charset=utf-8", expected), path
    # Where it points (on this site's HTTP listener): the XML autodiscover for the address.
    url_path = "/" + expected["Url"].split("/", 3)[3]
    status, body = site.post(url_path, OUTLOOK_REQUEST.format(address="bob@example.org").encode(), "mx.example.org")
    assert status == 200 and b"<LoginName>bob@example.org</LoginName>" in body
    status, _, answer = curl_json(
        site, "/autodiscover/autodiscover.json/v1.0/bob@example.org?Protocol=ActiveSync", "autodiscover.example.org")
    assert status == 400 and answer["ErrorCode"] == "InvalidProtocol" and "Url" not in answer
    assert "'ActiveSync'" in answer["ErrorMessage"]
    status, _, answer = curl_json(
        site, "/autodiscover/autodiscover.json?Email=a%40elsewhere.example&Protocol=AutodiscoverV1", "x")
    assert status == 404 and "Url" not in answer


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b"<Autodiscover><Request><EMailAddress>&b;@example.org</EMailAddress></Request></Autodiscover>",
    b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>',
    b"<Autodiscover><Request><EMailAddress>a@example.org</Request></Autodiscover>",
    b"\xff\xfe<\x00A\x00",
    b"",
])
def test_hostile_autodiscover_bodies_are_refused(site: AutoconfigSite, body: bytes):
    status, answer = site.post("/autodiscover/autodiscover.xml", body, "autodiscover.example.org")
    assert status == 400 and b"passwd" not in answer and b"root:" not in answer, answer


def test_huge_autodiscover_body(site: AutoconfigSite):
    status, _ = site.post("/autodiscover/autodiscover.xml", b"<a>" + b" " * 200_000 + b"</a>", "autodiscover.example.org")
    assert status == 413
    # The server is still there.
    assert site.get("/mail/config-v1.1.xml?emailaddress=a%40example.org", host="autoconfig.example.org")[0] == 200


def test_dns_records_are_a_valid_zone(site: AutoconfigSite):
    """`posta dns records` read by dnspython as a zone: every record the domain needs, the 2048-bit
    DKIM key split into 255-octet strings and joined back."""
    site.posta("dkim", "keygen", "example.org")
    text = site.posta("dns", "records", "example.org")
    zone = dns.zone.from_text("$TTL 3600\n" + text, origin="example.org.", relativize=False, check_origin=False)

    def rdatas(name: str, kind: str):
        node = zone.get_node(name + ".")
        assert node is not None, (name, text)
        return list(node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.from_text(kind)) or [])

    def txt(name: str) -> list[str]:
        return [b"".join(r.strings).decode() for r in rdatas(name, "TXT")]

    assert [(r.preference, r.exchange.to_text()) for r in rdatas("example.org", "MX")] == [(10, "mx.example.org.")]
    assert txt("example.org") == ["v=spf1 mx -all"]
    assert txt("_dmarc.example.org") == ["v=DMARC1; p=none; rua=mailto:dmarc-reports@example.org"]
    assert txt("_mta-sts.example.org")[0].startswith("v=STSv1; id=")
    assert txt("_smtp._tls.example.org") == ["v=TLSRPTv1; rua=mailto:tls-reports@example.org"]
    [dkim_name] = [str(n).rstrip(".") for n in zone.nodes if "._domainkey." in str(n)]
    [dkim_record] = rdatas(dkim_name, "TXT")
    assert len(dkim_record.strings) == 2 and all(len(s) <= 255 for s in dkim_record.strings)
    assert b"".join(dkim_record.strings).startswith(b"v=DKIM1; k=rsa; p=MII")
    srv = {name: [(r.priority, r.port, r.target.to_text()) for r in rdatas(f"{name}.example.org", "SRV")]
           for name in ("_submissions._tcp", "_submission._tcp", "_imaps._tcp", "_imap._tcp", "_pop3s._tcp", "_pop3._tcp",
                        "_autodiscover._tcp")}
    p = site.ports
    assert srv == {
        "_submissions._tcp": [(0, p["submissions"], "mx.example.org.")],
        "_submission._tcp": [(10, p["submission"], "mx.example.org.")],
        "_imaps._tcp": [(0, p["imaps"], "mx.example.org.")],
        "_imap._tcp": [(10, p["imap"], "mx.example.org.")],
        "_pop3s._tcp": [(20, p["pop3s"], "mx.example.org.")],
        "_pop3._tcp": [(0, 0, ".")],  # RFC 6186 §4: not offered
        "_autodiscover._tcp": [(0, 443, "mx.example.org.")],
    }
    for name in ("autoconfig", "autodiscover", "mta-sts"):
        assert [r.target.to_text() for r in rdatas(f"{name}.example.org", "CNAME")] == ["mx.example.org."]

    as_json = json.loads(site.posta("dns", "records", "example.org", "--json"))
    assert {(r["name"], r["type"]) for r in as_json} == {
        (str(name).rstrip("."), dns.rdatatype.to_text(rdataset.rdtype)) for name, node in zone.nodes.items()
        for rdataset in node.rdatasets}
    assert {r["text"] for r in as_json if r["name"] == "_dmarc.example.org"} == set(txt("_dmarc.example.org"))
