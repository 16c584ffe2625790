"""An SMTP sink on loopback that keeps every message it accepts with its envelope (MAIL FROM,
RCPT TO, data), for tests that compare what two servers send out (interop/test_lists_mailman.py).
Plain SMTP (no STARTTLS, no AUTH): EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""
import re
import socketserver
import threading
import time
from dataclasses import dataclass

from conftest import free_port, wait_for_port


@dataclass
class Envelope:
    mail_from: str
    rcpt_to: list[str]
    data: bytes


def _path(argument: str) -> str:
    """The address of `FROM:<a@b> SIZE=10` or `TO:<a@b>` (empty for the null sender)."""
    m = re.match(r"\s*(?:FROM|TO)\s*:\s*<([^>]*)>", argument, re.I)
    return m.group(1) if m else argument.split(":", 1)[-1].strip()


class _Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink: SMTPSink = self.server.sink
        mail_from, rcpts = None, []
        self.reply("220 sink.test ESMTP sink")
        while line := self.rfile.readline(65536):
            verb, _, argument = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "LHLO"):
                self.reply("250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpts = _path(argument), []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                if mail_from is None:
                    self.reply("503 5.5.1 MAIL first")
                    continue
                rcpts.append(_path(argument))
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("503 5.5.1 RCPT first")
                    continue
                self.reply("354 go ahead")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data += chunk[1:] if chunk.startswith(b".") else chunk  # RFC 5321 §4.5.2
                sink.record(Envelope(mail_from, rcpts, bytes(data)))
                mail_from, rcpts = None, []
                self.reply("250 2.0.0 kept")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.reply("250 2.0.0 ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPSink:
    """A sink on 127.0.0.1:`port`, in a thread of the test process; `messages` holds what came."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[Envelope] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def record(self, envelope: Envelope) -> None:
        with self._lock:
            self.messages.append(envelope)

    def start(self) -> "SMTPSink":
        self._thread.start()
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def wait_for(self, condition, timeout: float = 60.0) -> list[Envelope]:
        """The messages once `condition(messages)` holds; TimeoutError after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                got = list(self.messages)
            if condition(got):
                return got
            if time.monotonic() > deadline:
                raise TimeoutError(f"sink on port {self.port}: condition not met after {timeout}s; got {len(got)} messages")
            time.sleep(0.1)

    def __enter__(self) -> "SMTPSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
