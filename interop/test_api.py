"""The JSON API (docs/api.md) against a running `posta serve`: schemathesis generates requests
from the served OpenAPI document and checks every answer against it (documented status, content
type, headers and schema, never a server error); targeted requests check what the fuzzer cannot
know: a helpdesk token cannot call superadmin endpoints, the served document is the source file,
errors are RFC 9457 problem details, tokens made by the CLI work and revoked ones do not."""
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import POSTA, Site, free_port, stop_process, wait_for_port, write_config

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "Sources" / "Web" / "openapi.json"


class APISite(Site):
    """A site with one plain-HTTP listener, a superadmin `boss` and a helpdesk `desk`, each with a
    token made by `posta admin token add`, and a policy `senders` with a sending quota."""

    def __init__(self, folder: Path):
        self.port = free_port()
        super().__init__(folder, write_config(folder, http_port=self.port))
        self.proc: subprocess.Popen | None = None

    def start(self):
        self.ok("domain", "add", "example.org")
        self.ok("admin", "add", "boss", "--role", "superadmin", "--password-stdin", stdin="boss-password-1\n")
        self.ok("admin", "add", "desk", "--role", "helpdesk", "--password-stdin", stdin="desk-password-1\n")
        self.ok("policy", "add", "senders", "--priority", "10")
        self.ok("policy", "member", "add", "senders", "sasl", "*")
        self.ok("policy", "rule", "add", "senders", "quota", "track=sasl", "period=3600", "messages=100")
        self.super_token = self.token("boss")
        self.helpdesk_token = self.token("desk")
        self.log = open(self.folder / "serve.log", "w")
        self.proc = subprocess.Popen(
            [POSTA, "serve", "--config", str(self.config)], cwd=self.folder, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)

    def token(self, admin: str) -> str:
        # The token is the last line `posta admin token add` prints (shown once).
        return self.ok("admin", "token", "add", admin, "interop").out.strip().splitlines()[-1]

    def policies(self) -> list[dict]:
        """The policies as the CLI reads them from the database."""
        return self.ok("policy", "list", "--json").json()

    def quota_rule_id(self) -> int:
        [senders] = [p for p in self.policies() if p["name"] == "senders"]
        [rule] = senders["rules"]
        return rule["id"]

    def stop(self):
        stop_process(self.proc)
        self.log.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def request(self, method: str, path: str, token: str | None, body=None) -> tuple[int, dict, dict]:
        data = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, method=method, data=data)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
                return resp.status, dict(resp.headers), json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, dict(error.headers), json.loads(raw) if raw else {}


@pytest.fixture
def api(tmp_path: Path):
    site = APISite(tmp_path)
    site.start()
    yield site
    site.stop()


def assert_problem(status: int, headers: dict, body: dict, expected: int):
    assert status == expected, (status, body)
    assert headers.get("Content-Type") == "application/problem+json"
    assert body["status"] == expected and body["title"] and body["type"]


def test_served_document_is_the_source(api: APISite):
    status, headers, served = api.request("GET", "/openapi.json", None)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert served == json.loads(DOCUMENT.read_text())
    assert served["openapi"].startswith("3.1")


def test_helpdesk_token_cannot_call_superadmin_endpoints(api: APISite):
    desk = api.helpdesk_token
    rule = api.quota_rule_id()
    policies_before = api.policies()
    for method, path, body in [
        ("GET", "/administrators", None),
        ("POST", "/administrators", {"login": "mallory", "password": "mallory-pw-1", "role": "superadmin"}),
        ("DELETE", "/administrators/boss", None),
        ("PUT", "/administrators/desk/role", {"role": "superadmin"}),
        ("PUT", "/administrators/boss/password", {"password": "taken-over-1"}),
        ("GET", "/tokens", None),
        ("POST", "/tokens", {"admin": "boss", "name": "stolen"}),
        ("POST", "/domains", {"name": "evil.example"}),
        ("DELETE", "/domains/example.org", None),
        ("POST", "/queue/actions", {"action": "delete", "ids": ["x"]}),
        ("GET", "/policies", None),
        ("POST", "/policies/senders/rules", {"module": "access", "settings": {"action": "OK"}}),
        ("PATCH", f"/policies/rules/{rule}", {"settings": {"messages": "100000"}}),
        ("PATCH", f"/policies/rules/{rule}", {"enabled": False}),
        ("DELETE", f"/policies/rules/{rule}", None),
        ("PATCH", "/policies/senders", {"enabled": False}),
    ]:
        assert_problem(*api.request(method, path, desk, body), 403)
    # The helpdesk's own work is allowed, and nothing above happened.
    status, _, created = api.request(
        "POST", "/accounts", desk, {"address": "ann@example.org", "password": "ann-password-1", "display_name": "Ann", "quota_bytes": 1 << 30})
    assert status == 201 and created["address"] == "ann@example.org"
    assert api.request("GET", "/me", desk)[2]["role"] == "helpdesk"
    admins = api.ok("admin", "list", "--json").json()
    assert sorted(a["login"] for a in admins) == ["boss", "desk"]
    assert api.policies() == policies_before


def test_superadmin_changes_a_quota_rule(api: APISite):
    boss = api.super_token
    rule = api.quota_rule_id()
    status, _, body = api.request("GET", "/policies", boss)
    assert status == 200
    [senders] = [p for p in body["items"] if p["name"] == "senders"]
    assert senders["members"][0]["attribute"] == "sasl" and senders["rules"][0]["settings"]["messages"] == "100"
    status, _, changed = api.request("PATCH", f"/policies/rules/{rule}", boss, {"settings": {"messages": "5"}})
    assert status == 200 and changed["settings"] == {"track": "sasl", "period": "3600", "messages": "5"}
    # The CLI reads the same rule from the database.
    [stored] = [r for p in api.policies() for r in p["rules"] if r["id"] == rule]
    assert stored["settings"]["messages"] == "5" and stored["enabled"]
    assert_problem(*api.request("PATCH", f"/policies/rules/{rule}", boss, {"settings": {"period": "soon"}}), 422)
    status, _, added = api.request(
        "POST", "/policies/senders/rules", boss, {"module": "accounting", "settings": {"period": "86400"}})
    assert status == 201 and added["module"] == "accounting" and added["enabled"]
    assert api.request("DELETE", f"/policies/rules/{added['id']}", boss)[0] == 204
    assert_problem(*api.request("DELETE", f"/policies/rules/{added['id']}", boss), 404)
    assert [r["id"] for p in api.policies() for r in p["rules"]] == [rule]


def test_errors_are_problem_details(api: APISite):
    assert_problem(*api.request("GET", "/me", None), 401)
    status, headers, _ = api.request("GET", "/me", "wrong-token")
    assert status == 401 and 'error="invalid_token"' in headers["WWW-Authenticate"]
    boss = api.super_token
    assert_problem(*api.request("POST", "/domains", boss, b"{not json"), 400)
    assert_problem(*api.request("GET", "/accounts/nobody@example.org", boss), 404)
    assert_problem(*api.request("GET", "/no/such/thing", boss), 404)
    status, headers, body = api.request("DELETE", "/accounts", boss)
    assert_problem(status, headers, body, 405)
    assert headers["Allow"] == "GET, HEAD, POST"
    assert_problem(*api.request("POST", "/domains", boss, {"name": "example.org"}), 409)
    assert_problem(*api.request("POST", "/domains", boss, b'{"name": "' + b"a" * 100_000 + b'"}'), 413)
    assert_problem(*api.request("GET", "/accounts?limit=1000", boss), 422)


def test_cli_token_revocation(api: APISite):
    token = api.token("desk")
    assert api.request("GET", "/me", token)[0] == 200
    tokens = api.ok("admin", "token", "list", "--json").json()
    newest = max(tokens, key=lambda t: t["id"])
    api.ok("admin", "token", "del", str(newest["id"]))
    assert api.request("GET", "/me", token)[0] == 401


def test_schemathesis_against_the_served_document(api: APISite, tmp_path: Path):
    # Accounts and an alias for the generated requests to find.
    for n in range(3):
        api.request("POST", "/accounts", api.super_token, {"address": f"user{n}@example.org", "password": f"password-{n}-long"})
    rule = api.quota_rule_id()
    report = tmp_path / "schemathesis"
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{api.base}/openapi.json", "--url", api.base,
        "-H", f"Authorization: Bearer {api.super_token}",
        "--mode", "positive", "--max-examples", "15", "--max-time", "120", "--workers", "1", "--seed", "16",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_headers_conformance,response_schema_conformance,unsupported_method",
        # Revoking tokens at random would revoke the one the run uses; deleting rules (or the policy
        # that holds them, which takes its rules along) at random would leave updatePolicyRule no rule
        # to change and the check below no rule to find.
        "--exclude-operation-id", "deleteToken", "--exclude-operation-id", "deletePolicyRule",
        "--exclude-operation-id", "deletePolicy",
        "--report", "junit", "--report-dir", str(report),
    ]
    # From the test folder: schemathesis keeps a cache folder (.schemathesis) in its working directory.
    run = subprocess.run(command, capture_output=True, text=True, timeout=400, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # The server lived through it and still answers the token, unless the run made another
    # superadmin and then deleted boss (which the API allows; his tokens go with him). A token made
    # now works either way. The quota rule is still there (the run may have added rules of its own).
    status = api.request("GET", "/me", api.super_token)[0]
    logins = [a["login"] for a in api.ok("admin", "list", "--json").json()]
    assert status == (200 if "boss" in logins else 401), (status, logins)
    api.ok("admin", "add", "afterrun", "--role", "superadmin", "--password-stdin", stdin="afterrun-password-1\n")
    assert api.request("GET", "/me", api.token("afterrun"))[0] == 200
    assert rule in [r["id"] for p in api.policies() for r in p["rules"]]
