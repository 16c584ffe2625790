"""Attachment rules through SMTP (issue #12 item 13): with `blocked_extensions = ["exe"]`, an .exe hidden
each way a client would still show it (trailing dots, RFC 2231, RFC 2047, a second parameter or field,
uuencode, a base64-encoded attached message) is refused at end of data; a message nested beyond the MIME
parser's limits is refused by default and quarantined with `mime_limit_action = "quarantine"`."""
import base64
import json
import time
from pathlib import Path

from mailsite import MailSite
from test_filter_clamav import send  # one message from a remote sender to alice over port 25

HEADER = b"From: sender@remote.example\r\nTo: alice@example.org\r\nDate: Mon, 02 Feb 2026 10:00:00 +0000\r\n"
INNER = b"From: x@remote.example\r\nContent-Type: application/octet-stream; name=\"a.exe\"\r\n\r\nMZ\r\n"

TRICKS = [
    ("trailing dot", b'Content-Disposition: attachment; filename="a.exe."\r\n\r\nMZ\r\n'),
    ("trailing space", b'Content-Disposition: attachment; filename="a.exe "\r\n\r\nMZ\r\n'),
    ("upper case", b'Content-Disposition: attachment; filename="A.EXE"\r\n\r\nMZ\r\n'),
    ("RFC 2231 continuation", b"Content-Disposition: attachment;\r\n filename*0*=utf-8''a.e; filename*1*=%78%65\r\n\r\nMZ\r\n"),
    ("RFC 2231 hiding a plain name", b"Content-Disposition: attachment; filename*=utf-8''a.pdf; filename=\"a.exe\"\r\n\r\nMZ\r\n"),
    ("RFC 2047", b'Content-Disposition: attachment; filename="=?utf-8?q?a.exe.?="\r\n\r\nMZ\r\n'),
    ("Content-Type name", b'Content-Type: application/octet-stream; name="a.exe"\r\nContent-Disposition: attachment; filename="a.pdf"\r\n\r\nMZ\r\n'),
    ("second Content-Disposition", b'Content-Disposition: attachment; filename="a.pdf"\r\nContent-Disposition: attachment; filename="a.exe"\r\n\r\nMZ\r\n'),
    ("uuencode", b"Content-Type: text/plain\r\n\r\nbegin 644 a.exe\r\n#35HT\r\n`\r\nend\r\n"),
    ("base64 message/rfc822", b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(INNER) + b"\r\n"),
]


def multipart(part: bytes, subject: str) -> bytes:
    return (HEADER + f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '-')}@remote.example>\r\n".encode()
            + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\n'
            + part + b"--XX--\r\n")


def nested(depth: int, subject: str) -> bytes:
    body = b'Content-Type: application/octet-stream; name="a.exe"\r\n\r\nMZ\r\n'
    for level in range(depth):
        b = f"b{level}".encode()
        body = b'Content-Type: multipart/mixed; boundary="' + b + b'"\r\n\r\n--' + b + b"\r\n" + body + b"--" + b + b"--\r\n"
    return HEADER + f"Subject: {subject}\r\nMessage-ID: <{subject}@remote.example>\r\n".encode() + body


def site_with(tmp_path: Path, extra: str = "") -> MailSite:
    return MailSite(tmp_path, extra_config=f'[filter]\nblocked_extensions = ["exe"]\n{extra}').seed().start()


def test_hidden_exe_names_are_refused(tmp_path: Path):
    site = site_with(tmp_path)
    try:
        for name, part in TRICKS:
            code, text = send(site, multipart(part, name))
            assert code == 554 and b"5.7.1" in text, (name, code, text)
        code, text = send(site, multipart(b'Content-Disposition: attachment; filename="a.pdf"\r\n\r\n%PDF\r\n', "clean"))
        assert code == 250, text
        site.wait_for_messages("alice@example.org", 1)
        time.sleep(0.5)
        inbox = site.messages("alice@example.org")
        assert len(inbox) == 1 and b"Subject: clean" in inbox[0]
    finally:
        site.stop()


def test_mime_tree_beyond_the_limits_is_refused_or_quarantined(tmp_path: Path):
    site = site_with(tmp_path / "reject")
    try:
        code, text = send(site, nested(70, "deep"))
        assert code == 554 and b"limits" in text, (code, text)
        code, text = send(site, nested(10, "shallow"))  # within the limits: the .exe itself is found
        assert code == 554 and b"a.exe" in text, (code, text)
    finally:
        site.stop()
    site = site_with(tmp_path / "quarantine", 'mime_limit_action = "quarantine"')
    try:
        code, text = send(site, nested(70, "deep"))
        assert code == 250, (code, text)
        entries = json.loads(site.posta("quarantine", "list", "--json"))
        assert len(entries) == 1 and "depth" in entries[0]["reason"], entries
        time.sleep(0.5)
        assert site.messages("alice@example.org") == []
    finally:
        site.stop()
