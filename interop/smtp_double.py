"""A small SMTP server for outbound tests: counts sessions, transactions and concurrent
connections, can answer every RCPT with a fixed reply, offer STARTTLS and ask for AUTH."""
import base64
import socketserver
import ssl
import threading
import time


class SMTPDouble:
    def __init__(self, address: str, port: int, rcpt_reply: bytes = b"250 2.1.5 ok", data_delay: float = 0.0,
                 credentials: tuple[str, str] | None = None, tls_context=None, extra_extensions: tuple[bytes, ...] = ()):
        self.tls_context = tls_context
        self.extra_extensions = list(extra_extensions)
        self.mail_lines: list[bytes] = []
        self.tls_sessions = 0
        self.rcpt_reply = rcpt_reply
        self.data_delay = data_delay
        self.credentials = credentials
        self.lock = threading.Lock()
        self.sessions = 0
        self.active = 0
        self.max_active = 0
        self.rsets = 0
        self.auths: list[str] = []
        self.messages: list[tuple[str, list[str], bytes]] = []
        double = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                with double.lock:
                    double.sessions += 1
                    double.active += 1
                    double.max_active = max(double.max_active, double.active)
                try:
                    double.converse(self)
                finally:
                    with double.lock:
                        double.active -= 1

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer((address, port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def converse(self, handler):
        def say(line: bytes):
            handler.wfile.write(line + b"\r\n")
            handler.wfile.flush()
        say(b"220 double.example ESMTP")
        sender, recipients, authenticated = None, [], False
        while True:
            line = handler.rfile.readline()
            rfile = handler.rfile
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                extensions = [b"8BITMIME", b"SIZE 10000000"] + ([b"AUTH PLAIN LOGIN"] if self.credentials else [])
                extensions += self.extra_extensions
                if self.tls_context and not isinstance(handler.request, ssl.SSLSocket):
                    extensions.append(b"STARTTLS")
                say(b"\r\n".join([b"250-double.example"] + [b"250-" + e for e in extensions[:-1]] + [b"250 " + extensions[-1]]))
            elif line.strip().upper() == b"STARTTLS" and self.tls_context:
                say(b"220 2.0.0 go ahead")
                handler.request = self.tls_context.wrap_socket(handler.request, server_side=True)
                handler.rfile = handler.request.makefile("rb")
                handler.wfile = handler.request.makefile("wb")
                with self.lock:
                    self.tls_sessions += 1
                authenticated = False
            elif verb == b"AUTH":
                authenticated = self.authenticate(line, rfile, say)
            elif verb == b"MAIL":
                if self.credentials and not authenticated:
                    say(b"530 5.7.0 authentication required")
                    continue
                sender, recipients = line[10:].split(b">")[0].strip(b"<").decode(), []
                with self.lock:
                    self.mail_lines.append(line.strip())
                say(b"250 2.1.0 ok")
            elif verb == b"RCPT":
                reply = self.rcpt_reply
                if reply.startswith(b"2"):
                    recipients.append(line[8:].split(b">")[0].strip(b"<").decode())
                say(reply)
            elif verb == b"DATA":
                if not recipients:
                    say(b"554 5.5.1 no valid recipients")
                    continue
                say(b"354 go ahead")
                data = b""
                while (chunk := rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                time.sleep(self.data_delay)
                with self.lock:
                    self.messages.append((sender, recipients, data))
                say(b"250 2.0.0 queued")
            elif verb == b"RSET":
                with self.lock:
                    self.rsets += 1
                sender, recipients = None, []
                say(b"250 2.0.0 ok")
            elif verb == b"QUIT":
                say(b"221 2.0.0 bye")
                return
            else:
                say(b"502 5.5.2 not implemented")

    def authenticate(self, line: bytes, rfile, say) -> bool:
        parts = line.split()
        mechanism = parts[1].upper() if len(parts) > 1 else b""
        if mechanism == b"PLAIN":
            if len(parts) > 2:
                response = parts[2]
            else:
                say(b"334 ")
                response = rfile.readline().strip()
            _, user, password = base64.b64decode(response).split(b"\0")
        elif mechanism == b"LOGIN":
            say(b"334 " + base64.b64encode(b"Username:"))
            user = base64.b64decode(rfile.readline().strip())
            say(b"334 " + base64.b64encode(b"Password:"))
            password = base64.b64decode(rfile.readline().strip())
        else:
            say(b"504 5.5.4 unknown mechanism")
            return False
        ok = self.credentials == (user.decode(), password.decode())
        with self.lock:
            self.auths.append(f"{mechanism.decode()} {user.decode()} {'ok' if ok else 'refused'}")
        say(b"235 2.7.0 ok" if ok else b"535 5.7.8 bad credentials")
        return ok

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
