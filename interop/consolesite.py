"""A policy site with the admin console on an HTTPS listener and IMAP (STARTTLS), for the
console's scenario tests: what a browser, a mail client and an API script see of one site."""
import imaplib
import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path

from conftest import free_port, wait_for_port
from policysite import PolicySite


class ConsoleSite(PolicySite):
    def __init__(self, folder: Path, extra_config: str = ""):
        self.https_port, self.imap_port = free_port(), free_port()
        self.base = f"https://localhost:{self.https_port}"
        super().__init__(folder, extra_config=f'''
[[listener]]
protocol = "http"
address = "127.0.0.1:{self.https_port}"
tls = "implicit"
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.imap_port}"
{extra_config}''')

    def start(self):
        super().start()
        wait_for_port(self.https_port)
        wait_for_port(self.imap_port)
        return self

    def imap_login(self, user: str, password: str) -> bool:
        """Whether IMAP (after STARTTLS) accepts the password."""
        with imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30) as imap:
            imap.starttls(ssl_context=ssl._create_unverified_context())
            try:
                imap.login(user, password)
            except imaplib.IMAP4.error:
                return False
            imap.logout()
            return True

    def status(self, path: str, headers: dict[str, str]) -> int:
        """The status of a GET outside the browser."""
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10, context=ssl._create_unverified_context()) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def api(self, path: str, token: str) -> dict:
        """The JSON of a successful API GET with a bearer token."""
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10, context=ssl._create_unverified_context()) as response:
            assert response.status == 200
            return json.load(response)
