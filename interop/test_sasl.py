"""One set of SASL rules (RFC 4616 PLAIN, RFC 4648 base64) for every protocol: the same client
responses get the same outcome through SMTP AUTH (RFC 4954), IMAP AUTHENTICATE (RFC 9051 §6.2.2,
SASL-IR RFC 4959) and POP3 AUTH (RFC 5034). The rules themselves are unit-tested once, in
ConnectionTests; this shows each protocol really goes through them."""
import base64
import smtplib
import socket
import ssl

import pytest

from loginsite import PASSWORD, LoginSite

USER = "alice@example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> LoginSite:
    # Failures must not slow the test down or lock alice out: the throttle is tested elsewhere.
    s = LoginSite(tmp_path_factory.mktemp("sasl"), auth="delay_after = 1000\nlockout_after = 1000").seed().start()
    yield s
    s.stop()


def plain(authzid: str, authcid: str, password: str) -> str:
    return base64.b64encode(f"{authzid}\0{authcid}\0{password}".encode()).decode()


def line(f) -> str:
    return f.readline().decode(errors="replace").rstrip("\r\n")


def smtp(site: LoginSite, response: str) -> str:
    """AUTH PLAIN with an initial response on submission (after STARTTLS)."""
    raw = socket.create_connection(("127.0.0.1", site.submission_port), timeout=10)
    f = raw.makefile("rb")
    assert line(f).startswith("220")
    raw.sendall(b"EHLO client.example\r\n")
    while not line(f).startswith("250 "):
        pass
    raw.sendall(b"STARTTLS\r\n")
    assert line(f).startswith("220")
    tls = ssl.create_default_context(cafile=str(site.cert)).wrap_socket(raw, server_hostname="localhost")
    f = tls.makefile("rb")
    tls.sendall(b"EHLO client.example\r\n")
    while not line(f).startswith("250 "):
        pass
    tls.sendall(f"AUTH PLAIN {response}\r\n".encode())
    reply = line(f)
    tls.close()
    return {"235": "ok", "535": "refused", "501": "malformed"}.get(reply[:3], reply)


def imap(site: LoginSite, response: str) -> str:
    """AUTHENTICATE PLAIN with SASL-IR (the listener is cleartext, as behind a TLS proxy)."""
    with socket.create_connection(("127.0.0.1", site.imap_port), timeout=10) as s:
        f = s.makefile("rb")
        assert line(f).startswith("* OK")
        s.sendall(f"a AUTHENTICATE PLAIN {response}\r\n".encode())
        while (reply := line(f)).startswith("*"):
            pass
        assert reply.startswith("a "), reply
        status = reply.split()[1]
        return {"OK": "ok", "NO": "refused", "BAD": "malformed"}.get(status, reply)


def pop3(site: LoginSite, response: str) -> str:
    """AUTH PLAIN with an initial response (RFC 5034 §4)."""
    with socket.create_connection(("127.0.0.1", site.pop3_port), timeout=10) as s:
        f = s.makefile("rb")
        assert line(f).startswith("+OK")
        s.sendall(f"AUTH PLAIN {response}\r\n".encode())
        reply = line(f)
        if reply.startswith("+OK"):
            return "ok"
        # RFC 3206: [AUTH] marks refused credentials; a response that cannot be decoded is not one.
        return "refused" if reply.startswith("-ERR [AUTH]") else "malformed" if reply.startswith("-ERR") else reply


PROTOCOLS = {"smtp": smtp, "imap": imap, "pop3": pop3}

CASES = [
    ("no authzid", plain("", USER, PASSWORD), "ok"),
    ("authzid is the user", plain(USER, USER, PASSWORD), "ok"),
    ("authzid is the user in other case", plain(USER.upper(), USER, PASSWORD), "ok"),
    ("authzid is someone else", plain("bob@example.org", USER, PASSWORD), "refused"),
    ("wrong password", plain("", USER, "wrong"), "refused"),
    ("empty user", plain("", "", PASSWORD), "refused"),
    ("empty password", plain("", USER, ""), "refused"),
    ("two fields only", base64.b64encode(f"{USER}\0{PASSWORD}".encode()).decode(), "refused"),
    ("not base64", "%%%notbase64%%%", "malformed"),
    ("base64 without its padding", plain("", USER, PASSWORD).rstrip("="), "malformed"),
]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("name,response,outcome", CASES, ids=[c[0] for c in CASES])
def test_the_same_response_gets_the_same_outcome(site: LoginSite, protocol: str, name: str, response: str, outcome: str):
    if name == "base64 without its padding":
        assert len(response) % 4 != 0  # the case only means something when padding was needed
    assert PROTOCOLS[protocol](site, response) == outcome


def smtp_login(site: LoginSite, user: str, password: str) -> str:
    """AUTH LOGIN with its two challenges (submission, after STARTTLS)."""
    with smtplib.SMTP("127.0.0.1", site.submission_port, timeout=10) as s:
        s.starttls(context=ssl.create_default_context(cafile=str(site.cert)))
        s.ehlo()
        code, _ = s.docmd("AUTH", "LOGIN")
        assert code == 334
        code, _ = s.docmd(user)
        if code != 334:
            return {"535": "refused", "501": "malformed"}.get(str(code), str(code))
        code, _ = s.docmd(password)
        return {"235": "ok", "535": "refused", "501": "malformed"}.get(str(code), str(code))


def imap_login(site: LoginSite, user: str, password: str) -> str:
    """AUTHENTICATE LOGIN with its two continuations."""
    with socket.create_connection(("127.0.0.1", site.imap_port), timeout=10) as s:
        f = s.makefile("rb")
        assert line(f).startswith("* OK")
        s.sendall(b"a AUTHENTICATE LOGIN\r\n")
        for answer in (user, password):
            reply = line(f)
            if not reply.startswith("+"):
                break
            s.sendall(answer.encode() + b"\r\n")
        else:
            reply = line(f)
        while reply.startswith("*"):
            reply = line(f)
        return {"OK": "ok", "NO": "refused", "BAD": "malformed"}.get(reply.split()[1], reply)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


LOGIN_CASES = [
    ("valid", b64(USER), b64(PASSWORD), "ok"),
    ("wrong password", b64(USER), b64("wrong"), "refused"),
    ("empty user", "", b64(PASSWORD), "refused"),
    ("user not base64", "%%%", b64(PASSWORD), "malformed"),
    ("password not base64", b64(USER), "%%%", "malformed"),
]


@pytest.mark.parametrize("protocol", ["smtp", "imap"])
@pytest.mark.parametrize("name,user,password,outcome", LOGIN_CASES, ids=[c[0] for c in LOGIN_CASES])
def test_login_mechanism_follows_the_same_rules(site: LoginSite, protocol: str, name: str, user: str, password: str, outcome: str):
    run = smtp_login if protocol == "smtp" else imap_login
    assert run(site, user, password) == outcome
