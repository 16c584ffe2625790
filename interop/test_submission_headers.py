"""Submission sender check against hostile header forms (issue #12 item 1): bob, authenticated, tries to
send as alice by every header trick a reader might fall for; each is refused at end of data (553 5.7.1 for
a forged address, 554 5.6.0 for a header readers could read differently), whether the recipient is local
or remote (relayed through Postfix), and nothing of them arrives. A clean message from bob still does."""
import smtplib
import time
from pathlib import Path

from test_outbound import remote  # noqa: F401  (fixture: dnsmasq + Postfix for remote.example)
from test_submission import PASSWORD, SubmissionSite

FILLER = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * 70) for i in range(1000))  # ~80 KiB of fields

# (name, header section without its empty line, expected reply code). A header that starts folded is no
# case here: Posta's Received: field goes on top, so every reader folds that line into it.
HOSTILE = [
    ("plain forgery", b"From: alice@example.org\r\n", 553),
    ("space before the colon", b"From : alice@example.org\r\n", 553),
    ("tab before the colon", b"From\t: alice@example.org\r\n", 553),
    ("name case", b"fROM: alice@example.org\r\n", 553),
    ("folded", b"From: Bob <bob@example.org>,\r\n alice@example.org\r\n", 553),
    ("second From:", b"From: bob@example.org\r\nFrom: alice@example.org\r\n", 553),
    ("Sender:", b"From: bob@example.org\r\nSender: alice@example.org\r\n", 553),
    ("Resent-From:", b"From: bob@example.org\r\nResent-From: alice@example.org\r\n", 553),
    ("group", b"From: us: bob@example.org, alice@example.org;\r\n", 553),
    ("after 80 KiB of fields", b"From: bob@example.org\r\n" + FILLER + b"From: alice@example.org\r\n", 553),
    ("bare LF", b"From: bob@example.org\nFrom: alice@example.org\r\n", 554),
    ("bare LF before", b"Subject: x\nFrom: alice@example.org\r\nFrom: bob@example.org\r\n", 554),
    ("bare CR", b"Subject: x\rFrom: alice@example.org\r\nFrom: bob@example.org\r\n", 554),
    ("NUL", b"From: bob@example.org\x00alice@example.org\r\n", 554),
    ("backspaces", b"From: alice@example.org\x08\x08 <bob@example.org>\r\n", 554),
    ("not a field", b"From: bob@example.org\r\nFrom alice@example.org\r\n", 554),
    ("whitespace-only line", b"From: bob@example.org\r\n \r\nFrom: alice@example.org\r\n", 554),
    ("larger than 100 KiB", FILLER + FILLER + b"From: bob@example.org\r\n", 554),
    ("two angle addresses", b"From: <bob@example.org> <alice@example.org>\r\n", 554),
    ("address as display name", b"From: alice@example.org <bob@example.org>\r\n", 554),
    ("unterminated quote", b"From: \"x <bob@example.org>, alice@example.org\r\n", 554),
    ("encoded addr-spec", b"From: =?utf-8?q?alice?=@example.org\r\n", 554),
    ("encoded angle address", b"From: =?utf-8?q?=3Calice=40example.org=3E?= <bob@example.org>\r\n", 554),
    ("8-bit garbage", b"From: \xe9 <bob@example.org>\r\n", 554),
    ("empty From:", b"From: \r\n", 554),
]


def submit_all(site: SubmissionSite, recipient: str) -> dict[str, int]:
    """Sends every hostile message as bob, then a clean one; returns the reply code of each hostile one."""
    codes = {}
    with smtplib.SMTP("localhost", site.submission_port) as s:
        s.starttls(context=site.context())
        s.login("bob@example.org", PASSWORD)
        for name, header, _ in HOSTILE:
            body = header + b"To: " + recipient.encode() + b"\r\nSubject: forged " + name.encode() + b"\r\n\r\nhi\r\n"
            try:
                s.sendmail("bob@example.org", [recipient], body)
                codes[name] = 250
            except smtplib.SMTPDataError as e:
                codes[name] = e.smtp_code
                s.rset()
        s.sendmail("bob@example.org", [recipient],
                   b"From: Bob <bob@example.org>\r\nTo: " + recipient.encode() + b"\r\nSubject: clean\r\n\r\nhi\r\n")
    return codes


def test_hostile_headers_to_a_local_recipient(tmp_path: Path):
    site = SubmissionSite(tmp_path).seed().start()
    try:
        codes = submit_all(site, "carol@example.org")
        assert codes == {name: code for name, _, code in HOSTILE}
        got = site.wait_for_messages("carol@example.org", 1)
        time.sleep(0.5)  # anything wrongly queued would be delivered by now
        got = site.messages("carol@example.org")
        assert len(got) == 1 and b"Subject: clean" in got[0]
    finally:
        site.stop()


def test_hostile_headers_to_a_remote_recipient(tmp_path: Path, remote):  # noqa: F811
    site = SubmissionSite(tmp_path / "posta")
    site.config.write_text(site.config.read_text().replace(
        'nameservers = ["127.0.0.1:9"]', f'nameservers = ["127.0.0.1:{remote["dns_port"]}"]\nsmtp_port = {remote["smtp_port"]}'))
    site.seed().start()
    try:
        codes = submit_all(site, "carol@remote.example")
        assert codes == {name: code for name, _, code in HOSTILE}
        remote["postfix"].wait_log("status=sent")
        time.sleep(0.5)
        files = [p for sub in ("new", "cur") for p in (remote["maildir"] / sub).glob("*")]
        assert len(files) == 1 and b"Subject: clean" in files[0].read_bytes()
        deadline = time.monotonic() + 10
        while site.queue_counts()[0] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert site.queue_counts() == (0, 0)
    finally:
        site.stop()


OWN = [
    b"From: Bob <bob@example.org>\r\n",
    b"From: bob+tag@example.org\r\nSender: bob@example.org\r\n",
    b"From : bob@example.org\r\n",
    b"From: bob@example.org\r\nX-Raw: \x1b$B$3$s\x1b(B\r\n",  # raw ISO-2022-JP (ESC bytes) outside sender fields
    b"From: =?utf-8?q?B=C3=B6b?= <bob@example.org>\r\n",
    b"From: B\xc3\xb6b <bob@example.org>\r\n",
]


def test_own_addresses_in_any_readable_form_pass(tmp_path: Path):
    site = SubmissionSite(tmp_path).seed().start()
    try:
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("bob@example.org", PASSWORD)
            for header in OWN:
                s.sendmail("bob@example.org", ["carol@example.org"], header + b"Subject: own\r\n\r\nhi\r\n")
        assert len(site.wait_for_messages("carol@example.org", len(OWN))) == len(OWN)
    finally:
        site.stop()
