"""SMTP inbound (MX) and LMTP against real clients: swaks, Python's smtplib, raw sockets."""
import smtplib
import socket
import ssl
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailsite import MailSite, read_reply


@pytest.fixture
def mx(tmp_path: Path):
    site = MailSite(tmp_path).seed().start()
    yield site
    site.stop()


def message(subject: str, body: str = "Hello.\n", to: str = "alice@example.org") -> EmailMessage:
    m = EmailMessage()
    m["From"] = "sender@remote.example"
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = f"<{subject.replace(' ', '-')}@remote.example>"
    m.set_content(body)
    return m


def test_smtplib_delivers_with_trace_headers(mx: MailSite):
    with smtplib.SMTP("127.0.0.1", mx.smtp_port, local_hostname="client.remote.example") as s:
        code, caps = s.ehlo()
        assert code == 250
        for ext in (b"PIPELINING", b"SIZE 10485760", b"8BITMIME", b"ENHANCEDSTATUSCODES", b"STARTTLS", b"SMTPUTF8", b"CHUNKING", b"DSN"):
            assert ext in caps, caps
        refused = s.send_message(message("plain"), from_addr="sender@remote.example", to_addrs=["alice@example.org"])
        assert refused == {}
    [stored] = mx.wait_for_messages("alice@example.org", 1)
    head = stored.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(b"Return-Path: <sender@remote.example>\r\nDelivered-To: alice@example.org\r\nReceived: from client.remote.example ([127.0.0.1])\r\n\tby mx.example.org (Posta) with ESMTP id ")
    assert b"for <alice@example.org>;" in head
    assert b"Subject: plain" in head
    assert mx.queue_counts() == (0, 0)


def test_multi_recipient_and_alias_land_once_per_mailbox(mx: MailSite):
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        s.send_message(message("multi"), from_addr="sender@remote.example",
                       to_addrs=["alice@example.org", "bob@example.org", "team@example.org", "Alice+news@example.org"])
    for user, n in (("alice", 1), ("bob", 1), ("carol", 1)):
        got = mx.wait_for_messages(f"{user}@example.org", n)
        assert len(got) == n, (user, len(got))
    # Nothing arrives later either.
    import time
    time.sleep(0.5)
    assert [len(mx.messages(f"{u}@example.org")) for u in ("alice", "bob", "carol", "postmaster")] == [1, 1, 1, 0]


def test_unknown_user_and_relay_refused(mx: MailSite):
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        s.ehlo()
        s.mail("sender@remote.example")
        code, text = s.rcpt("nobody@example.org")
        assert code == 550 and text.startswith(b"5.1.1"), (code, text)
        code, text = s.rcpt("someone@gmail.example")
        assert code == 550 and text.startswith(b"5.7.1"), (code, text)


def test_starttls_with_smtplib_and_swaks(mx: MailSite):
    context = ssl.create_default_context(cafile=str(mx.cert))
    with smtplib.SMTP("localhost", mx.smtp_port) as s:
        s.starttls(context=context)
        code, caps = s.ehlo()
        assert b"STARTTLS" not in caps
        s.send_message(message("over tls"), from_addr="sender@remote.example", to_addrs=["bob@example.org"])
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{mx.smtp_port}", "--tls", "--from", "s@remote.example",
                        "--to", "bob@example.org", "--header", "Subject: swaks tls", "--helo", "swaks.remote.example"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    got = mx.wait_for_messages("bob@example.org", 2)
    assert len(got) == 2
    assert b"with ESMTPS id" in got[0] and b"(using TLSv1.3)" in got[0]
    assert b"Subject: swaks tls" in got[1]


def test_starttls_discards_commands_injected_before_handshake(mx: MailSite):
    """RFC 3207 §4.2 (CVE-2011-0411 class): commands pipelined in plaintext after STARTTLS are
    dropped, never run as if sent under TLS."""
    raw = socket.create_connection(("127.0.0.1", mx.smtp_port), timeout=10)
    f = raw.makefile("rb")
    read_reply(f)
    raw.sendall(b"EHLO c.example\r\n")
    read_reply(f)
    raw.sendall(b"STARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\nRCPT TO:<alice@example.org>\r\n")
    assert read_reply(f).startswith(b"220 2.0.0")
    tls = ssl.create_default_context(cafile=str(mx.cert)).wrap_socket(raw, server_hostname="localhost")
    tf = tls.makefile("rb")
    tls.sendall(b"NOOP\r\n")
    # The first reply under TLS is NOOP's: the injected MAIL and RCPT were not answered.
    assert read_reply(tf).startswith(b"250 2.0.0")
    tls.sendall(b"MAIL FROM:<a@remote.example>\r\n")
    assert read_reply(tf).startswith(b"503")  # EHLO from before TLS no longer counts
    tls.close()


def test_swaks_plain(mx: MailSite):
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{mx.smtp_port}", "--from", "s@remote.example",
                        "--to", "carol@example.org", "--header", "Subject: swaks plain", "--pipeline"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    [got] = mx.wait_for_messages("carol@example.org", 1)
    assert b"Subject: swaks plain" in got


def test_smtputf8_and_8bit_survive_byte_for_byte(mx: MailSite):
    mx.posta("user", "add", "josé@example.org", "--password-stdin", stdin="password-123\n")
    body = "Grüße, ünïcödé — 日本語\r\n.leading dot\r\n..two dots\r\n".encode()
    raw = (b"From: =?utf-8?q?Jos=C3=A9?= <sender@remote.example>\r\nTo: jos\xc3\xa9@example.org\r\nSubject: utf8\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body)
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        s.ehlo()
        assert s.has_extn("smtputf8")
        s.sendmail("sénder@remote.example", ["josé@example.org"], raw, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    [got] = mx.wait_for_messages("josé@example.org", 1)
    assert got.endswith(raw), got
    assert b"Return-Path: <s\xc3\xa9nder@remote.example>" in got
    assert b"with UTF8SMTP id" in got


def smtp_dialog(port: int, lines: list[bytes], read_greeting=True, extra_replies: dict[int, int] | None = None) -> list[bytes]:
    """Sends each chunk and collects one reply (all lines) after each; `extra_replies` maps a chunk's
    index to how many more replies follow it (LMTP answers once per recipient after the data)."""
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rb")
        reply = lambda: read_reply(f)  # noqa: E731
        if read_greeting:
            replies.append(reply())
        for index, chunk in enumerate(lines):
            s.sendall(chunk)
            replies.append(reply())
            for _ in range((extra_replies or {}).get(index, 0)):
                replies.append(reply())
    return replies


def test_bdat_chunks_with_binary_content(mx: MailSite):
    part1 = b"Subject: bdat\r\n\r\nline one\r\n.\r\nnot the end\r\n"
    part2 = b"\x00\xff binary \r\n.\r\n tail\r\n"
    r = smtp_dialog(mx.smtp_port, [
        b"EHLO c.example\r\n", b"MAIL FROM:<s@remote.example> BODY=BINARYMIME\r\n", b"RCPT TO:<alice@example.org>\r\n",
        b"BDAT %d\r\n" % len(part1) + part1, b"BDAT %d LAST\r\n" % len(part2) + part2, b"QUIT\r\n"])
    assert r[4].startswith(b"250") and r[5].startswith(b"250"), r
    [got] = mx.wait_for_messages("alice@example.org", 1)
    assert got.endswith(part1 + part2)


def test_smuggling_does_not_end_data(mx: MailSite):
    smuggled = (b"Subject: outer\r\n\r\nbody\n.\nMAIL FROM:<evil@remote.example>\r\nRCPT TO:<bob@example.org>\r\n"
                b"DATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n")
    r = smtp_dialog(mx.smtp_port, [b"EHLO c.example\r\n", b"MAIL FROM:<s@remote.example>\r\n", b"RCPT TO:<alice@example.org>\r\n",
                                   b"DATA\r\n", smuggled, b"QUIT\r\n"])
    assert r[4].startswith(b"354") and r[5].startswith(b"250") and r[6].startswith(b"221"), r
    [got] = mx.wait_for_messages("alice@example.org", 1)
    assert b"Subject: smuggled" in got  # stayed inside the one message
    import time
    time.sleep(0.3)
    assert mx.messages("bob@example.org") == []


def test_too_many_hops_and_size_limits(mx: MailSite):
    hops = b"".join(b"Received: from h%d.example by h%d.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n" % (i, i) for i in range(60))
    r = smtp_dialog(mx.smtp_port, [b"EHLO c.example\r\n", b"MAIL FROM:<s@remote.example>\r\n", b"RCPT TO:<alice@example.org>\r\n",
                                   b"DATA\r\n", hops + b"Subject: loop\r\n\r\nx\r\n.\r\n",
                                   b"MAIL FROM:<s@remote.example> SIZE=999999999\r\n"])
    assert r[5].startswith(b"554 5.4.6"), r
    assert r[6].startswith(b"552 5.3.4"), r
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        with pytest.raises(smtplib.SMTPException) as e:
            s.sendmail("s@remote.example", ["alice@example.org"], b"Subject: big\r\n\r\n" + b"x" * (11 << 20))
    assert "552" in str(e.value)
    assert mx.messages("alice@example.org") == []


def test_quota_refused_at_end_of_data_and_at_rcpt(mx: MailSite):
    mx.posta("user", "quota", "bob@example.org", "2K")
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        s.sendmail("s@remote.example", ["bob@example.org"], b"Subject: fits\r\n\r\n" + b"y" * 500 + b"\r\n")
    mx.wait_for_messages("bob@example.org", 1)
    # This one would take bob over his quota: refused once its size is known.
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("s@remote.example", ["bob@example.org"], b"Subject: too big\r\n\r\n" + b"y" * 2000 + b"\r\n")
        assert e.value.smtp_code == 552 and e.value.smtp_error.startswith(b"5.2.2")
    # Over quota already (the admin lowered it): refused at RCPT.
    mx.posta("user", "quota", "bob@example.org", "100")
    with smtplib.SMTP("127.0.0.1", mx.smtp_port) as s:
        s.ehlo()
        s.mail("s@remote.example")
        code, text = s.rcpt("bob@example.org")
        assert code == 552 and text.startswith(b"5.2.2"), (code, text)
    assert len(mx.messages("bob@example.org")) == 1


def test_lmtp_answers_per_recipient(mx: MailSite):
    mx.posta("user", "quota", "carol@example.org", "1K")
    mx.posta("user", "add", "dave@example.org", "--password-stdin", stdin="password-123\n")
    big = b"Subject: lmtp\r\n\r\n" + b"z" * 3000 + b"\r\n"
    r = smtp_dialog(mx.lmtp_port, [b"LHLO c.example\r\n", b"MAIL FROM:<s@remote.example>\r\n", b"RCPT TO:<dave@example.org>\r\n",
                                   b"RCPT TO:<carol@example.org>\r\n", b"DATA\r\n", big + b".\r\n"], extra_replies={5: 1})
    # carol is under quota at RCPT time, so both RCPTs are accepted; after the data each recipient
    # gets its own reply (RFC 2033 §4.2): dave's message is delivered, carol's would exceed her quota.
    assert r[3].startswith(b"250") and r[4].startswith(b"250"), r
    assert r[6].startswith(b"250 2.0.0 <dave@example.org>"), r
    assert r[7].startswith(b"552 5.2.2"), r
    assert len(mx.messages("dave@example.org")) == 1 and mx.messages("carol@example.org") == []
    r = subprocess.run(["swaks", "--protocol", "LMTP", "--server", f"127.0.0.1:{mx.lmtp_port}", "--from", "s@remote.example",
                        "--to", "dave@example.org", "--header", "Subject: via swaks lmtp"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(mx.messages("dave@example.org")) == 2
