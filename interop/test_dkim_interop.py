"""DKIM against independent implementations: messages signed by `posta dkim sign` (keys made by
`posta dkim keygen` in a real site database) verify with dkimpy and with OpenDKIM; messages signed
by dkimpy and by OpenDKIM verify in `posta dkim verify --dns-txt …`. Over 8-bit bodies, folded
headers, trailing blank lines, long lines and white space, with RSA and Ed25519.

OpenDKIM: Debian 12's `opendkim-testmsg` (opendkim-tools) fails on every input ("dkim_chunk():
Syntax error"), so OpenDKIM's own test mode is used instead: `opendkim -x CONFIG -t FILE`, with
the keys to verify with given by the `TestPublicKeys` option of CONFIG, and signing with
`Mode s`. OpenDKIM 2.11.0~beta2 (Debian 12) makes Ed25519 signatures that neither dkimpy nor
OpenDKIM itself verifies, so OpenDKIM signs with RSA only here; it does verify Posta's Ed25519
signatures.
"""
import base64
import json
import re
import subprocess
from pathlib import Path

import dkim
import nacl.signing
import pytest

from conftest import POSTA, Site

DATE = b"Date: Thu, 03 Dec 2026 10:00:00 +0100\r\n"

# Each message with CRLF line ends, as SMTP carries it.
MESSAGES = {
    "8bit-body": (
        b"From: Alice Dupont <alice@example.org>\r\nTo: bob@example.net\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n" + DATE
        + b"Message-ID: <8bit@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln \xe2\x80\x94 \xf0\x9f\x93\xa8\r\nLatin-1 too: caf\xe9\r\n"
    ),
    "folded-headers": (
        b"From: \"Alice, the sender\"\r\n <alice@example.org>\r\nTo: bob@example.net,\r\n\tcarol@example.net,\r\n"
        b"  dave@example.net\r\nSubject: a subject that goes on\r\n and on\r\n\tand on\r\n" + DATE
        + b"Message-ID: <folded@example.org>\r\nReferences: <a@example.org>\r\n <b@example.org>\r\n <c@example.org>\r\n"
        b"\r\nBody.\r\n"
    ),
    "trailing-blank-lines": (
        b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: blank lines\r\n" + DATE
        + b"\r\nText.\r\n\r\n\r\n\r\n\r\n"
    ),
    "long-lines": (
        b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: " + b"long " * 200 + b"\r\n" + DATE
        + b"X-Long: " + b"x" * 900 + b"\r\n\r\n" + (b"0123456789" * 500) + b"\r\n" + b"y" * 998 + b"\r\nend\r\n"
    ),
    "whitespace": (
        b"From: alice@example.org\r\nTo:   bob@example.net   \r\nSubject:\tTabs\t and  spaces \r\n" + DATE
        + b"\r\n  leading\r\ntrailing \t \r\n\tmid  dle\t\tline\r\n \r\n\t\r\nlast\r\n"
    ),
    "empty-body": b"From: alice@example.org\r\nTo: bob@example.net\r\nSubject: nothing\r\n" + DATE + b"\r\n",
}


def posta(site: Site, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([POSTA, *args, "--config", str(site.config)], input=stdin, capture_output=True, timeout=120)


def ok(site: Site, *args: str, stdin: bytes = b"") -> bytes:
    r = posta(site, *args, stdin=stdin)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def published(site: Site, domain: str) -> dict[str, str]:
    """The DKIM key records `posta dns records` asks to publish, name → text."""
    return {r["name"]: r["text"] for r in json.loads(ok(site, "dns", "records", domain, "--json"))
            if "._domainkey." in r["name"]}


def dkimpy_results(message: bytes, records: dict[str, str]) -> list[bool]:
    """dkimpy's verdict on each signature of `message`, top to bottom."""
    def dnsfunc(name: bytes, timeout: int = 5):
        text = records.get(name.decode().rstrip("."))
        return text.encode() if text else None
    def verify(index: int) -> bool:
        try:
            return dkim.DKIM(message).verify(idx=index, dnsfunc=dnsfunc)
        except dkim.DKIMException:  # dkimpy raises for some failures (a body hash mismatch)
            return False
    count = sum(1 for name, _ in dkim.DKIM(message).headers if name.lower() == b"dkim-signature")
    return [verify(i) for i in range(count)]


def opendkim_results(message: bytes, records: dict[str, str], folder: Path) -> dict[str, str]:
    """OpenDKIM's verdicts, selector → result, from the Authentication-Results it writes."""
    keys = folder / "opendkim-keys"
    keys.write_text("".join(f"{name} {text}\n" for name, text in records.items()))
    config = folder / "opendkim-verify.conf"
    config.write_text(f"Mode v\nSyslog no\nTestPublicKeys {keys}\nAlwaysAddARHeader yes\n")
    path = folder / "opendkim-input.eml"
    path.write_bytes(message)
    # -vv: print the header fields it would add (the Authentication-Results) on stdout.
    r = subprocess.run(["opendkim", "-x", str(config), "-t", str(path), "-vv"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r
    header = re.search(r"hname='Authentication-Results' hvalue='(.*?)'", r.stdout, re.S)
    assert header, r
    return {m.group(2): m.group(1) for m in re.finditer(r"dkim=(\w+)[^;]*?header\.s=([\w.-]+)", header.group(1))}


def posta_verify(site: Site, message: bytes, records: dict[str, str]) -> tuple[int, list[str]]:
    args = [f"--dns-txt={name}={text}" for name, text in records.items()]
    r = posta(site, "dkim", "verify", *args, stdin=message)
    return r.returncode, r.stdout.decode().splitlines()


@pytest.fixture
def keyed(site: Site) -> Site:
    site.ok("dkim", "keygen", "example.org")
    site.ok("dkim", "keygen", "example.org", "--algorithm", "ed25519")
    return site


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_posta_signatures_verify_in_dkimpy_and_opendkim(keyed: Site, name: str, tmp_path: Path):
    records = published(keyed, "example.org")
    assert len(records) == 2
    signed = ok(keyed, "dkim", "sign", "--domain", "example.org", stdin=MESSAGES[name])
    assert signed.endswith(MESSAGES[name])
    assert signed.count(b"DKIM-Signature:") == 2
    assert dkimpy_results(signed, records) == [True, True]
    selectors = {n.split("._domainkey.")[0] for n in records}
    assert opendkim_results(signed, records, tmp_path) == {s: "pass" for s in selectors}
    assert posta_verify(keyed, signed, records)[0] == 0

    # The verifiers do check: a changed body fails everywhere.
    tampered = signed + b"appended\r\n"
    assert dkimpy_results(tampered, records) == [False, False]
    assert set(opendkim_results(tampered, records, tmp_path).values()) == {"fail"}
    code, lines = posta_verify(keyed, tampered, records)
    assert code == 1 and all(l.startswith("dkim=fail") for l in lines), lines


def test_posta_keeps_lf_line_ends(keyed: Site):
    message = MESSAGES["folded-headers"].replace(b"\r\n", b"\n")
    signed = ok(keyed, "dkim", "sign", "--domain", "example.org", stdin=message)
    assert b"\r" not in signed and signed.endswith(message)
    assert dkimpy_results(signed, published(keyed, "example.org")) == [True, True]


def rsa_key(folder: Path) -> tuple[bytes, str]:
    """A 2048-bit RSA key from openssl: its PEM and its p= value."""
    path = folder / "rsa.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(path), "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(path), "-pubout", "-outform", "DER"], check=True, capture_output=True).stdout
    return path.read_bytes(), base64.b64encode(der).decode()


@pytest.mark.parametrize("canonicalization", [(b"relaxed", b"relaxed"), (b"simple", b"simple"), (b"relaxed", b"simple"), (b"simple", b"relaxed")])
def test_dkimpy_signatures_verify_in_posta(site: Site, canonicalization, tmp_path: Path):
    rsa_pem, rsa_p = rsa_key(tmp_path)
    ed = nacl.signing.SigningKey.generate()
    ed_seed = base64.b64encode(bytes(ed))
    ed_p = base64.b64encode(bytes(ed.verify_key)).decode()
    records = {
        "py-rsa._domainkey.dkimpy.example": f"v=DKIM1; k=rsa; p={rsa_p}",
        "py-ed._domainkey.dkimpy.example": f"v=DKIM1; k=ed25519; p={ed_p}",
    }
    for name, message in sorted(MESSAGES.items()):
        signature = dkim.sign(message, b"py-rsa", b"dkimpy.example", rsa_pem, canonicalize=canonicalization)
        signature = dkim.sign(signature + message, b"py-ed", b"dkimpy.example", ed_seed, canonicalize=canonicalization,
                              signature_algorithm=b"ed25519-sha256") + signature
        code, lines = posta_verify(site, signature + message, records)
        assert code == 0, (name, lines)
        assert [l.split()[0] for l in lines] == ["dkim=pass", "dkim=pass"], (name, lines)
        assert "header.s=py-ed" in lines[0] and "header.s=py-rsa" in lines[1]


def test_dkimpy_body_length_is_policy_in_posta(site: Site, tmp_path: Path):
    """dkimpy's l= signature passes in Posta until text is appended, then it is `policy`."""
    rsa_pem, rsa_p = rsa_key(tmp_path)
    records = {"py._domainkey.dkimpy.example": f"v=DKIM1; k=rsa; p={rsa_p}"}
    message = MESSAGES["8bit-body"]
    signed = dkim.sign(message, b"py", b"dkimpy.example", rsa_pem, length=True) + message
    assert posta_verify(site, signed, records)[1][0].startswith("dkim=pass")
    code, lines = posta_verify(site, signed + b"Buy now!\r\n", records)
    assert code == 1 and lines[0].startswith("dkim=policy reason="), lines
    assert dkim.verify(signed + b"Buy now!\r\n", dnsfunc=lambda n, timeout=5: records["py._domainkey.dkimpy.example"].encode())


def opendkim_sign(message: bytes, key: Path, canonicalization: str, folder: Path) -> bytes:
    """`message` with the DKIM-Signature field OpenDKIM's test mode prints (on stdout). OpenDKIM
    signs mail from its `Domain` only: the test messages are from example.org."""
    config = folder / "opendkim-sign.conf"
    config.write_text(f"Mode s\nSyslog no\nDomain example.org\nSelector od\nKeyFile {key}\nRequireSafeKeys false\n"
                      f"Canonicalization {canonicalization}\n")
    path = folder / "opendkim-sign-input.eml"
    path.write_bytes(message)
    r = subprocess.run(["opendkim", "-x", str(config), "-t", str(path)], capture_output=True, timeout=60)
    assert r.returncode == 0, r
    lines = [l.rstrip(b"\r") for l in (r.stdout + r.stderr).split(b"\n")]
    start = next(i for i, l in enumerate(lines) if l.startswith(b"DKIM-Signature:"))
    field = [lines[start]] + [l for l in lines[start + 1:] if l[:1] in (b" ", b"\t")]
    return b"\r\n".join(field) + b"\r\n" + message


@pytest.mark.parametrize("canonicalization", ["relaxed/relaxed", "simple/simple", "relaxed/simple"])
def test_opendkim_signatures_verify_in_posta(site: Site, canonicalization: str, tmp_path: Path):
    _, rsa_p = rsa_key(tmp_path)
    records = {"od._domainkey.example.org": f"v=DKIM1; k=rsa; p={rsa_p}"}
    for name, message in sorted(MESSAGES.items()):
        signed = opendkim_sign(message, tmp_path / "rsa.pem", canonicalization, tmp_path)
        assert f"c={canonicalization}".encode() in signed
        # OpenDKIM's test mode hands header fields over as a milter would, one space after the colon:
        # "To:   bob" and "Subject:<TAB>Tabs" are signed as "To: bob" and "Subject: Tabs". Under simple
        # header canonicalization its signature of the "whitespace" message thus covers other text than
        # the file's, and dkimpy fails it as Posta does.
        expected = not (name == "whitespace" and canonicalization.startswith("simple/"))
        code, lines = posta_verify(site, signed, records)
        assert (code == 0 and lines[0].startswith("dkim=pass")) == expected, (name, lines)
        assert dkimpy_results(signed, records) == [expected], name
        tampered = signed.replace(b"alice@example.org", b"mallory@example.org", 1)
        assert posta_verify(site, tampered, records)[1][0].startswith("dkim=fail"), name


def test_rotation_keeps_old_signatures_verifiable(keyed: Site):
    message = MESSAGES["8bit-body"]
    before = ok(keyed, "dkim", "sign", "--domain", "example.org", stdin=message)
    old = published(keyed, "example.org")
    out = ok(keyed, "dkim", "rotate", "example.org", "--algorithm", "rsa").decode()
    assert "signs from now on" in out and "stays published until" in out
    after = ok(keyed, "dkim", "sign", "--domain", "example.org", stdin=message)
    records = published(keyed, "example.org")
    assert set(old) < set(records) and len(records) == 3
    assert dkimpy_results(before, records) == [True, True]
    assert dkimpy_results(after, records) == [True, True]
    keys = json.loads(ok(keyed, "dkim", "list", "--json"))
    assert sorted(k["state"] for k in keys) == ["active", "active", "retiring"]
    retiring = next(k for k in keys if k["state"] == "retiring")

    # Retiring before the end of the publishing period needs --force; then the record goes.
    r = posta(keyed, "dkim", "retire", "example.org", "--selector", retiring["selector"])
    assert r.returncode != 0 and b"must stay published until" in r.stderr
    ok(keyed, "dkim", "retire", "example.org", "--selector", retiring["selector"], "--force")
    records = published(keyed, "example.org")
    assert len(records) == 2 and retiring["dns_name"] not in records
    assert dkimpy_results(before, records) == [False, True]
    assert dkimpy_results(after, records) == [True, True]


def test_private_keys_are_shown_only_when_asked(keyed: Site):
    for args in (["dkim", "list"], ["dkim", "list", "--json"], ["dkim", "show", "example.org"],
                 ["dkim", "show", "example.org", "--json"], ["dns", "records", "example.org"]):
        assert b"PRIVATE KEY" not in ok(keyed, *args), args
    shown = json.loads(ok(keyed, "dkim", "show", "example.org", "--private", "--json"))
    assert all(k["private_key"].startswith("-----BEGIN PRIVATE KEY-----") for k in shown)
    text = ok(keyed, "dkim", "show", "example.org", "--private").decode()
    assert text.count("-----BEGIN PRIVATE KEY-----") == 2


def test_cli_errors_are_one_line(keyed: Site):
    for args, expected in [
        (["dkim", "keygen", "example.org"], b"already has an active rsa key"),
        (["dkim", "keygen", "not a domain"], b"invalid domain"),
        (["dkim", "sign", "--domain", "nowhere.example"], b"has no active DKIM key"),
        (["dkim", "retire", "example.org", "--selector", "nope"], b"no DKIM key 'nope'"),
        (["dkim", "keygen", "example.net", "--bits", "512"], b"RSA keys have 1024 to 4096 bits"),
    ]:
        r = posta(keyed, *args)
        assert r.returncode != 0 and expected in r.stderr, (args, r)
        assert len([l for l in r.stderr.splitlines() if l.strip()]) == 1, (args, r.stderr)
