"""DSN parameters (RFC 3461) given by a submission client reach the next hop as sent: Posta keeps
RET, ENVID, NOTIFY and ORCPT typed through its queue and its SMTP client writes them again. The
next hop is smtp-sink, whose dump records the MAIL and RCPT arguments it received."""
import smtplib
from pathlib import Path

from conftest import free_port
from test_outbound import later_example, site_sending_to, start_sink, wait_until_queue_empty
from test_submission import PASSWORD, message


def test_dsn_parameters_are_relayed(tmp_path: Path):
    sink_port = free_port()
    dns_port, dns, dumps = later_example(tmp_path)
    sink = start_sink(sink_port, "-d", f"{dumps}/%Y%m%d%H%M%S.")
    site = site_sending_to(tmp_path, dns_port, sink_port)
    try:
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.sendmail("alice@example.org", ["dave@later.example", "erin@later.example"],
                       message("alice@example.org", "dave@later.example", "dsn"),
                       mail_options=["RET=HDRS", "ENVID=env+2B1"])
        # NOTIFY in any case and order goes out in RFC order; NEVER stays NEVER.
        with smtplib.SMTP("localhost", site.submission_port) as s:
            s.starttls(context=site.context())
            s.login("alice@example.org", PASSWORD)
            s.ehlo()
            s.mail("alice@example.org", ["RET=FULL"])
            assert s.rcpt("dave@later.example", ["NOTIFY=delay,Success", "ORCPT=rfc822;dave+2Bx@later.example"])[0] == 250
            assert s.rcpt("erin@later.example", ["NOTIFY=NEVER"])[0] == 250
            assert s.data(message("alice@example.org", "dave@later.example", "dsn2"))[0] == 250
        # smtp-sink fills a dump as data arrives: read them once Posta has the 250s (queue empty).
        wait_until_queue_empty(site)
        dumps_text = [path.read_text(errors="replace") for path in sorted(dumps.iterdir())]
        first = next(text for text in dumps_text if "Subject: dsn\n" in text)
        second = next(text for text in dumps_text if "Subject: dsn2\n" in text)
        mail = [line for line in first.splitlines() if line.startswith("X-Mail-Args:")]
        assert len(mail) == 1 and " RET=HDRS" in mail[0] and " ENVID=env+2B1" in mail[0], mail
        rcpts = [line for line in first.splitlines() if line.startswith("X-Rcpt-Args:")]
        assert rcpts == ["X-Rcpt-Args: <dave@later.example>", "X-Rcpt-Args: <erin@later.example>"], rcpts
        mail = [line for line in second.splitlines() if line.startswith("X-Mail-Args:")]
        assert len(mail) == 1 and " RET=FULL" in mail[0] and "ENVID" not in mail[0], mail
        rcpts = [line for line in second.splitlines() if line.startswith("X-Rcpt-Args:")]
        assert rcpts == [
            "X-Rcpt-Args: <dave@later.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;dave+2Bx@later.example",
            "X-Rcpt-Args: <erin@later.example> NOTIFY=NEVER",
        ], rcpts
    finally:
        site.stop()
        sink.kill()
        dns.kill()
