"""A private OpenLDAP slapd 2.5 on loopback for the LDAP directory tests, and the reference peers
that read it: Postfix's `postmap -q … ldap:` tables and a Dovecot with an LDAP passdb/userdb
(`doveadm auth test`, `doveadm user`). pytest-independent, like the other *site.py files.

The directory (interop/data/ldap/): one mdb database `dc=example,dc=org` with ou=people,
ou=groups, ou=aliases, ou=services (the service account cn=posta, password `posta-secret`) and
ou=policies (the default password policy: three failures lock, ten-year passwords, two grace
logins). One LDIF per preset: example.org (inetorgperson.ldif), book.example (postfix-book.ldif),
qmail.example (qmail.ldif), posix.example (posix.ldif). Every user's password is `password-123`.

slapd runs as root in the foreground (`-d stats`, its log in FOLDER/slapd.log: the filters it
received, for the injection tests), on `ldap://127.0.0.1:PORT` (StartTLS allowed) and
`ldaps://127.0.0.1:PORT2`, with a server certificate for 127.0.0.1 and localhost issued by a test
CA (`ca_file`). Data is loaded with slapadd before the first start; `stop()` and `start()` keep it.
"""
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

from conftest import free_port, make_reachable, short_dir, stop_process, wait_for_port
import tls_certs

DATA = Path(__file__).resolve().parent / "data" / "ldap"
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
BASE = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "admin-secret"
SERVICE_DN = f"cn=posta,ou=services,{BASE}"
SERVICE_PASSWORD = "posta-secret"
PASSWORD = "password-123"  # every test user's
POLICY_DN = f"cn=default,ou=policies,{BASE}"

# preset → (LDIF, mail domain)
PRESETS = {
    "inetorgperson": ("inetorgperson.ldif", "example.org"),
    "postfix-book": ("postfix-book.ldif", "book.example"),
    "qmail": ("qmail.ldif", "qmail.example"),
    "posix": ("posix.ldif", "posix.example"),
}
ALL_PRESETS = list(PRESETS)

# Posta's preset defaults (docs/ldap.md), which the reference maps and Dovecot configs mirror.
GROUP_FILTER = ("(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=groupOfURLs)"
                "(objectClass=nisMailAlias))(mail=%s))")
USER_FILTER = {
    "inetorgperson": "(&(objectClass=inetOrgPerson)(mail=%s))",
    "postfix-book": "(&(objectClass=PostfixBookMailAccount)(mail=%s))",
    "qmail": "(&(objectClass=qmailUser)(mail=%s))",
    "posix": "(&(objectClass=posixAccount)(uid=%u))",
}
ALIAS_FILTER = {
    "postfix-book": "(&(objectClass=PostfixBookMailAccount)(mailAlias=%s))",
    "qmail": "(&(objectClass=qmailUser)(mailAlternateAddress=%s))",
}
QUOTA_ATTRIBUTE = {"postfix-book": "mailQuota", "qmail": "mailQuotaSize"}
HOME_ATTRIBUTE = {"postfix-book": "mailHomeDirectory", "qmail": "mailMessageStore", "posix": "homeDirectory"}
# Dovecot has no "absent means enabled" switch: the filter says it.
ENABLED_CLAUSE = {
    "postfix-book": "(!(mailEnabled=FALSE))",
    "qmail": "(|(!(accountStatus=*))(accountStatus=active))",
}


def domain_of(preset: str) -> str:
    return PRESETS[preset][1]


def ldif_paths(presets) -> list[Path]:
    return [DATA / "base.ldif"] + [DATA / PRESETS[p][0] for p in presets]


def entry_uuid(dn: str) -> str:
    """The fixed entryUUID of an entry: the same on every server loaded from these files, as on
    replicas (a failover must not look like a new account)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "posta-test-ldap:" + dn.lower().replace(" ", "")))


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.splitlines():
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def prepare_ldif(paths: list[Path], now: str | None = None) -> str:
    """The LDIF files joined, comments dropped, each entry given its fixed entryUUID and (when it
    has a userPassword and none) a pwdChangedTime of now."""
    now = now or time.strftime("%Y%m%d%H%M%SZ", time.gmtime())
    out = []
    for path in paths:
        entry: list[str] = []
        for line in _unfold(path.read_text()) + [""]:
            if line.startswith("#"):
                continue
            if line.strip():
                entry.append(line)
                continue
            if not entry:
                continue
            names = {l.split(":", 1)[0].lower() for l in entry}
            dn = entry[0].split(":", 1)[1].strip()
            if "entryuuid" not in names:
                entry.append(f"entryUUID: {entry_uuid(dn)}")
            if "userpassword" in names and "pwdchangedtime" not in names:
                entry.append(f"pwdChangedTime: {now}")
            out.append("\n".join(entry) + "\n")
            entry = []
    return "\n".join(out)


def modules_available() -> dict[str, bool]:
    return {m: (MODULES / f"{m}.so").exists() for m in ("back_mdb", "ppolicy", "memberof", "dynlist", "pw-sha2")}


class Slapd:
    """slapd in `folder` with the base tree and the given presets' entries (all four by default).
    `ca`: (cert, key) of a CA to issue the server certificate from (two servers behind one trust
    anchor, for failover); a new CA otherwise. `loglevel`: slapd's -d level ("stats" logs every
    operation and its filter; "0" for benchmarks)."""

    def __init__(self, folder: Path, preset_ldifs: list[str] | None = None, port: int | None = None,
                 ldaps_port: int | None = None, ca: tuple[Path, Path] | None = None, loglevel: str = "stats",
                 extra_ldifs: list[Path] = ()):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.ldaps_port = ldaps_port or free_port()
        self.loglevel = loglevel
        self.presets = list(preset_ldifs) if preset_ldifs is not None else ALL_PRESETS
        self.base = BASE
        self.proc: subprocess.Popen | None = None
        self.log_path = self.folder / "slapd.log"
        self.db = self.folder / "db"
        shutil.rmtree(self.db, ignore_errors=True)  # a new server starts from the LDIFs
        self.db.mkdir()
        # TLS: the CA and the server certificate (EC P-256, for 127.0.0.1 and localhost).
        tls = self.folder / "tls"
        tls.mkdir(exist_ok=True)
        self.ca = ca or tls_certs.make_ca(tls)
        self.ca_file = self.ca[0]
        self.cert, self.key = tls_certs.issue(tls, self.ca, "localhost", stem="slapd", san="DNS:localhost,IP:127.0.0.1")
        self.conf = self.folder / "slapd.conf"
        self.conf.write_text(self._config())
        r = subprocess.run(["slaptest", "-u", "-f", str(self.conf)], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"slaptest refused {self.conf}:\n{r.stderr}")
        ldif = self.folder / "data.ldif"
        ldif.write_text(prepare_ldif(ldif_paths(self.presets) + list(extra_ldifs)))
        r = subprocess.run(["slapadd", "-f", str(self.conf), "-l", str(ldif)], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"slapadd refused {ldif}:\n{r.stderr}")

    # --- configuration ------------------------------------------------------------------------

    def _config(self) -> str:
        have = modules_available()
        missing = [m for m in ("back_mdb", "ppolicy", "dynlist", "pw-sha2") if not have[m]]
        if missing:
            raise RuntimeError(f"slapd modules missing in {MODULES}: {missing} (Debian's slapd package has them)")
        schemas = [SCHEMA / f"{s}.schema" for s in ("core", "cosine", "nis", "inetorgperson", "misc", "dyngroup")]
        schemas += [DATA / "schema" / "qmail.schema", DATA / "schema" / "postfix-book.schema"]
        includes = "".join(f"include {s}\n" for s in schemas)
        f = self.folder
        return f"""# written by interop/ldapsite.py
{includes}
modulepath {MODULES}
moduleload back_mdb
moduleload ppolicy
moduleload dynlist
moduleload pw-sha2

pidfile {f}/slapd.pid
argsfile {f}/slapd.args

TLSCACertificateFile {self.ca_file}
TLSCertificateFile {self.cert}
TLSCertificateKeyFile {self.key}
TLSVerifyClient never

password-hash {{SSHA}}
sizelimit 1000

database mdb
suffix "{BASE}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {self.db}
maxsize 104857600
index objectClass eq
index uid,mail,mailAlias,mailAlternateAddress,entryUUID eq
index member,uniqueMember eq

# The service account reads everything, passwords included, and may set them (RFC 3062 on a
# user's behalf); users change their own; anyone may bind.
access to attrs=userPassword
    by dn.exact="{SERVICE_DN}" write
    by self write
    by anonymous auth
    by * none
access to *
    by dn.exact="{SERVICE_DN}" read
    by self read
    by * read

# Password policy (2.5: the schema is built into the overlay).
overlay ppolicy
ppolicy_default "{POLICY_DN}"
ppolicy_use_lockout
ppolicy_hash_cleartext

# Dynamic groups: memberURL expanded into member; memberOf computed for static and dynamic groups.
overlay dynlist
dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames
"""

    # --- life cycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.ldaps_port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    def start(self) -> "Slapd":
        if self.pid:
            return self
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["slapd", "-d", self.loglevel, "-f", str(self.conf), "-h", f"{self.url}/ {self.ldaps_url}/"],
            stdout=log, stderr=log, start_new_session=True)
        log.close()
        try:
            wait_for_port(self.port, timeout=20)
            wait_for_port(self.ldaps_port, timeout=20)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"slapd did not start; log:\n{self.log()[-3000:]}")
        return self

    def stop(self) -> None:
        """SIGTERM (slapd closes its database cleanly), SIGKILL after 15 s; then the ports are free."""
        stop_process(self.proc, timeout=15)
        self.proc = None

    def restart(self) -> "Slapd":
        self.stop()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_mark(self) -> int:
        """The log's current size: pass it to `filters(since=…)` to see only later searches."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def filters(self, since: int = 0) -> list[str]:
        """The search filters slapd received (its stats log, as slapd prints them: assertion values
        with `\\XX` escapes) since the log offset `since`."""
        with open(self.log_path, "rb") as f:
            f.seek(since)
            text = f.read().decode(errors="replace")
        return re.findall(r' SRCH base="[^"]*" scope=\d deref=\d filter="(.*)"$', text, re.M)

    def searches(self, since: int = 0) -> list[tuple[str, int]]:
        """(filter, number of entries returned) of each search since the log offset `since`."""
        with open(self.log_path, "rb") as f:
            f.seek(since)
            text = f.read().decode(errors="replace")
        filters = {m.group(1): m.group(2) for m in re.finditer(
            r' (conn=\d+ op=\d+) SRCH base="[^"]*" scope=\d deref=\d filter="(.*)"$', text, re.M)}
        results = {m.group(1): int(m.group(2)) for m in re.finditer(
            r' (conn=\d+ op=\d+) SEARCH RESULT .*?nentries=(\d+)', text)}
        return [(f, results.get(op, -1)) for op, f in filters.items()]

    def wait_for_log(self, needle: str, since: int = 0, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                text = f.read().decode(errors="replace")
            if needle in text:
                return text
            if time.monotonic() > deadline:
                raise TimeoutError(f"{needle!r} not in slapd's log since {since}:\n{text[-3000:]}")
            time.sleep(0.05)

    # --- clients (ldap-utils) -----------------------------------------------------------------

    def env(self) -> dict:
        e = dict(os.environ)
        e.update({"LDAPTLS_CACERT": str(self.ca_file), "LDAPTLS_REQCERT": "demand"})
        return e

    def _run(self, args: list[str], stdin: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(args, input=stdin, capture_output=True, text=True, env=self.env(), timeout=timeout)

    def search(self, filter: str, attrs: list[str] = (), base: str | None = None, bind: tuple[str, str] | None = None,
               scope: str = "sub", url: str | None = None) -> list[dict[str, list[str]]]:
        """ldapsearch as the service account (or `bind` = (dn, password)); entries as
        {"dn": [dn], attribute: [values]} (attribute names as slapd returns them)."""
        dn, pw = bind or (SERVICE_DN, SERVICE_PASSWORD)
        r = self._run(["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", url or self.url, "-D", dn, "-w", pw,
                       "-b", base or self.base, "-s", scope, filter, *attrs])
        if r.returncode not in (0, 32):
            raise RuntimeError(f"ldapsearch {filter}: exit {r.returncode}: {r.stderr}")
        return parse_ldif(r.stdout)

    def whoami(self, dn: str, password: str, url: str | None = None, start_tls: bool = False,
               ppolicy: bool = False) -> subprocess.CompletedProcess:
        """ldapwhoami (simple bind as `dn`); the CompletedProcess: returncode 0 = bound."""
        args = ["ldapwhoami", "-x", "-H", url or self.url, "-D", dn, "-w", password]
        if start_tls:
            args.append("-ZZ")
        if ppolicy:
            args += ["-e", "ppolicy"]
        return self._run(args)

    def modify(self, ldif: str, relax: bool = False) -> None:
        """ldapmodify as the rootdn (changetype records; `relax` for operational attributes)."""
        args = ["ldapmodify", "-x", "-H", self.url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD]
        if relax:
            args += ["-e", "relax"]
        r = self._run(args, stdin=ldif)
        if r.returncode != 0:
            raise RuntimeError(f"ldapmodify: exit {r.returncode}: {r.stderr}\n{ldif}")

    def dn_of(self, uid: str) -> str:
        return f"uid={uid},ou=people,{BASE}"


def parse_ldif(text: str) -> list[dict[str, list[str]]]:
    import base64
    entries = []
    for block in text.strip().split("\n\n"):
        entry: dict[str, list[str]] = {}
        for line in _unfold(block):
            if not line or line.startswith("#") or ":" not in line:
                continue
            name, value = line.split(":", 1)
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode(errors="replace")
            else:
                value = value.strip()
            entry.setdefault(name, []).append(value)
        if entry:
            entries.append(entry)
    return entries


# --- Postfix: postmap -q with ldap: tables -----------------------------------------------------

class PostfixMaps:
    """ldap: table files for one preset, in the virtual_alias_maps style, and `expand(address)`:
    the final recipients Postfix's cleanup would reach (virtual alias expansion to a fixed point,
    an address whose result contains itself kept as is; subaddress, then @domain, as
    virtual(5)'s lookup order). Each map is queried with `postmap -q KEY ldap:FILE`."""

    def __init__(self, folder: Path, slapd: Slapd, preset: str, recipient_delimiter: str = "+"):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.slapd = slapd
        self.preset = preset
        self.domain = domain_of(preset)
        self.delimiter = recipient_delimiter
        self.maps: list[Path] = []
        common = f"""server_host = {slapd.url}
search_base = {slapd.base}
scope = sub
version = 3
bind = yes
bind_dn = {SERVICE_DN}
bind_pw = {SERVICE_PASSWORD}
"""

        def write(name: str, body: str) -> None:
            path = self.folder / f"{preset}-{name}.cf"
            path.write_text(common + body)
            self.maps.append(path)

        # The order is Posta's (docs/ldap.md "Recipients"): the account itself (qmail: plus its
        # forwards), then aliases, forwards and groups.
        if preset == "posix":
            write("users", "query_filter = (&(objectClass=posixAccount)(uid=%u))\nresult_attribute = uid\n"
                  f"result_format = %s@{self.domain}\n")
        elif preset == "qmail":
            write("users", f"query_filter = {USER_FILTER[preset]}\nresult_attribute = mail, mailForwardingAddress\n")
        else:
            write("users", f"query_filter = {USER_FILTER[preset]}\nresult_attribute = mail\n")
        if preset in ALIAS_FILTER:
            write("aliases", f"query_filter = {ALIAS_FILTER[preset]}\nresult_attribute = mail\n")
        if preset == "postfix-book":
            write("forwards", "query_filter = (&(objectClass=PostfixBookMailForward)(|(mail=%s)(mailAlias=%s)))\n"
                  "result_attribute = mailForwardingAddress\n")
        # Groups with DN members (static, nested, dynlist-expanded) and groups of addresses.
        write("groups", "query_filter = (&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)"
              "(objectClass=groupOfURLs))(mail=%s))\n"
              "special_result_attribute = member, uniqueMember\nleaf_result_attribute = mail\n"
              "result_attribute = rfc822MailMember\n")
        write("nisaliases", "query_filter = (&(objectClass=nisMailAlias)(mail=%s))\nresult_attribute = rfc822MailMember\n")

    def query(self, key: str) -> list[str] | None:
        """The first map's answer for `key` (virtual_alias_maps: first match wins), or None."""
        for path in self.maps:
            r = subprocess.run(["postmap", "-q", key, f"ldap:{path}"], capture_output=True, text=True, timeout=30)
            if r.returncode == 0:
                return [a.strip() for a in r.stdout.strip().split(",") if a.strip()]
            if r.returncode != 1:
                raise RuntimeError(f"postmap -q {key!r} ldap:{path}: exit {r.returncode}: {r.stderr}")
        return None

    def lookup(self, address: str) -> list[str] | None:
        """virtual(5)'s order for one address: itself, without its subaddress, the catch-all."""
        local, _, domain = address.rpartition("@")
        keys = [address]
        if self.delimiter and self.delimiter in local:
            keys.append(local.split(self.delimiter, 1)[0] + "@" + domain)
        keys.append("@" + domain)
        for key in keys:
            found = self.query(key)
            if found is not None:
                return found
        return None

    def expand(self, address: str, limit: int = 100) -> set[str] | None:
        """Final recipients of `address` (lower case), or None when it is unknown. Addresses of
        other domains are final; an LDAP-domain address is final when a map returns it for itself."""
        address = address.lower()
        first = self.lookup(address) if address.endswith("@" + self.domain) else None
        if first is None:
            return None
        final: set[str] = set()
        todo = [(address, first)]
        seen = {address}
        steps = 0
        while todo:
            steps += 1
            if steps > limit:
                raise RuntimeError(f"expansion of {address} exceeds {limit} steps")
            name, results = todo.pop()
            for r in (x.lower() for x in results):
                if r == name:
                    final.add(r)
                    continue
                if r in seen:
                    continue
                seen.add(r)
                if not r.endswith("@" + self.domain):
                    final.add(r)
                    continue
                more = self.lookup(r)
                if more is None:
                    final.add(r)  # would bounce in Postfix: kept visible
                else:
                    todo.append((r, more))
        return final


# --- Dovecot: LDAP passdb/userdb, auth service only -------------------------------------------

class DovecotLDAP:
    """A Dovecot 2.3 whose passdb and userdb are LDAP (one preset; `auth_bind` = bind as the user,
    else the userPassword hash is read with the service account and compared). Started with no
    mail listeners (`protocols = none` unless `imap_port` is given): `auth_test` and `user` ask
    its auth service like `doveadm auth test` and `doveadm user`."""

    def __init__(self, folder: Path, slapd: Slapd, preset: str, auth_bind: bool = True, imap_port: int | None = None,
                 urls: list[str] | None = None):
        import pwd
        self.dir = Path(folder)
        self.preset = preset
        self.domain = domain_of(preset)
        for sub in ("state", "vmail"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        # Dovecot's Unix sockets live in base_dir (108-byte path limit): a short folder.
        self.run = short_dir("dcl")
        vmail = pwd.getpwnam("vmail")
        os.chown(self.dir / "vmail", vmail.pw_uid, vmail.pw_gid)
        make_reachable(self.dir)
        self.imap_port = imap_port
        key = "%n" if preset == "posix" else "%u"
        user_filter = USER_FILTER[preset].replace("%s", key).replace("%u", key)
        if preset in ENABLED_CLAUSE:
            user_filter = f"(&{user_filter}{ENABLED_CLAUSE[preset]})"
        user_attrs = []
        if preset in HOME_ATTRIBUTE:
            user_attrs.append(f"{HOME_ATTRIBUTE[preset]}=home")
        else:
            user_attrs.append(f"=home={self.dir}/vmail/%d/%n")
        if preset in QUOTA_ATTRIBUTE:
            user_attrs.append(f"{QUOTA_ATTRIBUTE[preset]}=quota_rule=*:bytes=%$")
        user_attrs.append("entryUUID=posta_id")
        ldap_conf = self.dir / "dovecot-ldap.conf.ext"
        ldap_conf.write_text(f"""uris = {" ".join(urls or [slapd.url])}
dn = {SERVICE_DN}
dnpass = {SERVICE_PASSWORD}
ldap_version = 3
base = {slapd.base}
scope = subtree
deref = never
auth_bind = {"yes" if auth_bind else "no"}
user_filter = {user_filter}
user_attrs = {",".join(user_attrs)}
pass_filter = {user_filter}
pass_attrs = {"uid=user" if preset == "posix" else "mail=user"},userPassword=password
iterate_filter = {USER_FILTER[preset].replace("%s", "*").replace("%u", "*")}
iterate_attrs = {"uid=user" if preset == "posix" else "mail=user"}
""")
        # The auth processes run as root (service auth, auth-worker below): they read this file
        # whatever its owner.
        listeners = ""
        if imap_port:
            listeners = f"""service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        self.conf = self.dir / "dovecot.conf"
        self.conf.write_text(f"""base_dir = {self.run}
state_dir = {self.dir}/state
protocols = {"imap" if imap_port else "none"}
listen = 127.0.0.1
log_path = {self.dir}/log
auth_verbose = yes
auth_debug = no
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_cache_size = 0
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:{self.dir}/vmail/%d/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = {min(1000, vmail.pw_uid)}
first_valid_gid = {min(1000, vmail.pw_gid)}
passdb {{
  driver = ldap
  args = {ldap_conf}
}}
userdb {{
  driver = ldap
  args = {ldap_conf}
  default_fields = uid=vmail gid=vmail
}}
service auth {{
  user = root
}}
service auth-worker {{
  user = root
}}
{listeners}""")
        self.proc = None
        self.attempts = 0

    def start(self) -> "DovecotLDAP":
        self.log = open(self.dir / "stdout", "ab")
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(self.conf)], stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        deadline = time.monotonic() + 20
        sock = self.run / "auth-client"
        while not sock.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"dovecot did not start:\n{self.logs()[-3000:]}")
            time.sleep(0.05)
        if self.imap_port:
            wait_for_port(self.imap_port)
        return self

    def stop(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:  # the master's session: its own children only
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def logs(self) -> str:
        out = ""
        for name in ("log", "stdout"):
            path = self.dir / name
            if path.exists():
                out += path.read_text(errors="replace")
        return out

    def doveadm(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["doveadm", "-c", str(self.conf), *args], capture_output=True, text=True, timeout=30)

    def auth_test(self, user: str, password: str) -> dict:
        """`doveadm auth test USER PASS`: {"ok": bool, "fields": {…}, "reason": text of the
        failure from Dovecot's log or output}."""
        mark = (self.dir / "log").stat().st_size if (self.dir / "log").exists() else 0
        # Each attempt from its own remote IP: Dovecot's auth penalty (per IP, up to 15 s after
        # failures) would otherwise slow every later attempt down.
        self.attempts += 1
        rip = f"127.1.{self.attempts // 250 % 250}.{self.attempts % 250 + 1}"
        r = self.doveadm("auth", "test", "-x", f"rip={rip}", user, password)
        fields = {}
        for line in r.stdout.splitlines():
            line = line.strip()
            if "=" in line and not line.startswith("passdb:"):
                k, v = line.split("=", 1)
                fields[k.strip()] = v.strip()
        ok = r.returncode == 0 and "auth succeeded" in r.stdout
        reason = ""
        if not ok:
            time.sleep(0.05)
            log = (self.dir / "log").read_bytes()[mark:].decode(errors="replace") if (self.dir / "log").exists() else ""
            reason = r.stdout + r.stderr + log
        return {"ok": ok, "fields": fields, "reason": reason, "out": r.stdout + r.stderr}

    def user(self, user: str) -> dict | None:
        """`doveadm user USER`: the userdb fields, or None when the user does not exist."""
        r = self.doveadm("user", user)
        if r.returncode == 2 or "doesn't exist" in r.stderr + r.stdout:
            return None
        if r.returncode != 0:
            raise RuntimeError(f"doveadm user {user!r}: exit {r.returncode}: {r.stdout}{r.stderr}")
        fields = {}
        for line in r.stdout.splitlines():
            parts = line.split(None, 1)
            if len(parts) == 2 and parts[0] != "field":
                fields[parts[0]] = parts[1].strip()
        return fields


def quota_from_dovecot(fields: dict) -> int:
    """Bytes of a `quota_rule=*:bytes=N` field (0 when there is none)."""
    m = re.match(r"\*:bytes=(\d+)$", fields.get("quota_rule", ""))
    return int(m.group(1)) if m else 0


# --- Posta's [[directory.ldap]] tables ---------------------------------------------------------

def posta_ldap_table(slapd: Slapd | None, preset: str, folder: Path, urls: list[str] | None = None,
                     start_tls: bool = False, ca_file: Path | None = None, auth: str = "bind",
                     cache_ttl: str = "0s", negative_cache_ttl: str = "0s", timeout: str = "2s",
                     domains: list[str] | None = None, anonymous: bool = False, extra: str = "") -> str:
    """One `[[directory.ldap]]` table (docs/ldap.md) for `preset`'s domain; the bind password file
    is written into `folder`. Caches are off by default so that tests see each change at once."""
    urls = urls or [slapd.url]
    password_file = Path(folder) / "ldap-password"
    password_file.write_text(SERVICE_PASSWORD + "\n")
    password_file.chmod(0o600)
    lines = [
        "[[directory.ldap]]",
        "urls = [" + ", ".join(f'"{u}"' for u in urls) + "]",
        f"start_tls = {'true' if start_tls else 'false'}",
    ]
    if ca_file or (slapd and (start_tls or any(u.startswith("ldaps:") for u in urls))):
        lines.append(f'ca_file = "{ca_file or slapd.ca_file}"')
    if not anonymous:
        lines += [f'bind_dn = "{SERVICE_DN}"', f'bind_password_file = "{password_file}"']
    lines += [
        f'base = "{BASE}"',
        'scope = "sub"',
        "domains = [" + ", ".join(f'"{d}"' for d in (domains or [domain_of(preset)])) + "]",
        f'preset = "{preset}"',
        f'auth = "{auth}"',
        f'timeout = "{timeout}"',
        f'cache_ttl = "{cache_ttl}"',
        f'negative_cache_ttl = "{negative_cache_ttl}"',
    ]
    return "\n".join(lines) + "\n" + extra + "\n"


# --- The test data's expected answers (the reference tests check Postfix and Dovecot against
# these; the differential tests compare Posta with Postfix and Dovecot live) -------------------

# preset → address → final recipients (lower case), None = unknown.
ADDRESSES: dict[str, dict[str, set[str] | None]] = {
    "inetorgperson": {
        "alice@example.org": {"alice@example.org"},
        "ALICE@Example.ORG": {"alice@example.org"},
        "sam.case@example.org": {"sam.case@example.org"},
        "alice+tag@example.org": {"alice@example.org"},
        "lena@example.org": {"lena@example.org"},            # locked: still receives mail
        "staff@example.org": {"alice@example.org", "bob@example.org"},                 # groupOfNames
        "staff+x@example.org": {"alice@example.org", "bob@example.org"},
        "sales@example.org": {"carol@example.org", "dave@example.org"},                # groupOfUniqueNames
        "all-hands@example.org": {"alice@example.org", "bob@example.org", "carol@example.org",
                                  "dave@example.org", "erin@example.org"},               # nested
        "dept42@example.org": {"alice@example.org", "erin@example.org"},               # dynlist
        "friends@example.org": {"hank@example.org", "pal@elsewhere.net"},              # nisMailAlias
        "nobody@example.org": None,
        "nobody+alice@example.org": None,
    },
    "postfix-book": {
        "bea@book.example": {"bea@book.example"},
        "b.alias@book.example": {"bea@book.example"},
        "ben@book.example": {"ben@book.example"},            # disabled: still receives mail
        "benjamin@book.example": {"ben@book.example"},
        "boris@book.example": {"boris@book.example"},
        "boris+x@book.example": {"boris@book.example"},
        "fwd@book.example": {"outside@elsewhere.net", "boris@book.example"},
        "fwd.alias@book.example": {"outside@elsewhere.net", "boris@book.example"},
        "team@book.example": {"bea@book.example", "boris@book.example"},
        "anything@book.example": {"bea@book.example"},       # the catch-all (mailAlias @book.example)
        "anything+x@book.example": {"bea@book.example"},
    },
    "qmail": {
        "quentin@qmail.example": {"quentin@qmail.example", "quentin.copy@elsewhere.net"},
        "q@qmail.example": {"quentin@qmail.example", "quentin.copy@elsewhere.net"},
        "quinn@qmail.example": {"quinn@qmail.example"},
        "qiana@qmail.example": {"qiana@qmail.example"},
        "team@qmail.example": {"quentin@qmail.example", "quentin.copy@elsewhere.net", "qiana@qmail.example"},
        "random@qmail.example": {"qiana@qmail.example"},     # the catch-all (mailAlternateAddress)
    },
    "posix": {
        "pat@posix.example": {"pat@posix.example"},
        "paula@posix.example": {"paula@posix.example"},
        "pat+x@posix.example": {"pat@posix.example"},
        "nobody@posix.example": None,
    },
}

# preset → login → what a login with PASSWORD gives by bind and by compare (True = success), and
# the account's data: found (an account entry), enabled, quota bytes (0: none), home. Dovecot,
# whose filters leave disabled entries out, finds a login when it is found and enabled; a login
# of a disabled account fails in both modes.
# Grace-login users (greg) are left out: every bind uses one up.
LOGINS: dict[str, dict[str, dict]] = {
    "inetorgperson": {
        "alice@example.org": {"bind": True, "compare": True},      # {SSHA}
        "bob@example.org": {"bind": True, "compare": True},        # {CRYPT}$6$
        "carol@example.org": {"bind": True, "compare": True},      # {CRYPT}$y$
        "dave@example.org": {"bind": True, "compare": True},       # {SSHA512}
        "erin@example.org": {"bind": True, "compare": True},       # {CRYPT}$2b$
        "frank@example.org": {"bind": False, "compare": True},     # {SHA512-CRYPT}: not slapd's
        "gina@example.org": {"bind": False, "compare": True},      # {BLF-CRYPT}: not slapd's
        "hank@example.org": {"bind": True, "compare": True},       # {SHA}
        "ivy@example.org": {"bind": True, "compare": True},        # {CRYPT}$5$
        "judy@example.org": {"bind": True, "compare": True},       # {CRYPT}$1$
        "ken@example.org": {"bind": True, "compare": True},        # {SSHA256}
        "paul@example.org": {"bind": False, "compare": True},      # {PLAIN}: not slapd's
        "Sam.Case@example.org": {"bind": True, "compare": True},
        "sam.case@EXAMPLE.ORG": {"bind": True, "compare": True},
        "lena@example.org": {"bind": False, "compare": True},      # ppolicy-locked: compare does not ask
        "olga@example.org": {"bind": False, "compare": True},      # expired, no grace left
        "nopass@example.org": {"bind": False, "compare": False},
        "nobody@example.org": {"bind": False, "compare": False, "found": False},
        "staff@example.org": {"bind": False, "compare": False, "found": False},   # a group is no account
    },
    "postfix-book": {
        "bea@book.example": {"bind": True, "compare": True, "quota": 1048576, "home": "/srv/mail/book.example/bea"},
        "boris@book.example": {"bind": True, "compare": True, "quota": 0, "home": "/srv/mail/book.example/boris"},
        "ben@book.example": {"bind": False, "compare": False, "enabled": False, "quota": 2048000,
                             "home": "/srv/mail/book.example/ben"},  # disabled
        "b.alias@book.example": {"bind": False, "compare": False, "found": False},  # an alias is no login
        "fwd@book.example": {"bind": False, "compare": False, "found": False},
    },
    "qmail": {
        "quentin@qmail.example": {"bind": True, "compare": True, "quota": 2097152,
                                  "home": "/srv/mail/qmail.example/quentin"},
        "qiana@qmail.example": {"bind": True, "compare": True, "quota": 0, "home": "/srv/mail/qmail.example/qiana"},
        "quinn@qmail.example": {"bind": False, "compare": False, "enabled": False,
                                "home": "/srv/mail/qmail.example/quinn"},  # disabled
        "q@qmail.example": {"bind": False, "compare": False, "found": False},
    },
    "posix": {
        "pat": {"bind": True, "compare": True, "home": "/home/pat"},
        "pat@posix.example": {"bind": True, "compare": True, "home": "/home/pat"},
        "paula": {"bind": True, "compare": True, "home": "/home/paula"},
        "nobody": {"bind": False, "compare": False, "found": False},
    },
}


def login_expectation(preset: str, login: str) -> dict:
    e = {"found": True, "enabled": True, "quota": 0, "home": None}
    e.update(LOGINS[preset][login])
    return e


# --- Posta with [[directory.ldap]] tables ------------------------------------------------------

def posta_site(folder: Path, tables: str, https: bool = False,
               auth: str = 'max_delay = "1s"\ndelay_after = 1000\nlockout_after = 1000'):
    """interop/loginsite.py's LoginSite (SMTP, LMTP, IMAP, POP3, submission on loopback) with the
    given `[[directory.ldap]]` tables and, with `https`, the console's HTTPS listener
    (`site.https_port`, for self-service); `auth`: the [auth] section's keys (by default the login
    throttle stays out of the way: the directory's password policy is under test).
    Not started; no SQL users (`seed_sql` adds some)."""
    from loginsite import LoginSite

    class PostaLDAPSite(LoginSite):
        def __init__(self):
            self.https_port = free_port() if https else None
            listener = ""
            if https:
                listener = f'\n[[listener]]\nprotocol = "http"\naddress = "127.0.0.1:{self.https_port}"\ntls = "implicit"\n'
            super().__init__(Path(folder), auth=auth, database=listener + tables)

        def start(self):
            super().start()
            if self.https_port:
                wait_for_port(self.https_port)
            return self

        def seed_sql(self):
            """A database domain beside the LDAP ones: sql.example with sam@ (PASSWORD)."""
            self.posta("domain", "add", "sql.example")
            self.posta("user", "add", "sam@sql.example", "--password-stdin", stdin=PASSWORD + "\n")
            return self

        def cli(self, *args: str, password: str | None = None) -> dict:
            """`posta ARGS --json --config …` (with `--password-file`), its JSON; the exit status
            and error output in the assertion when it is not JSON."""
            from conftest import POSTA
            cmd = [POSTA, *args, "--json", "--config", str(self.config)]
            if password is not None:
                pw = self.folder / "probe-password"
                pw.write_bytes(password.encode("utf-8", "surrogateescape") + b"\n")
                cmd += ["--password-file", str(pw)]
            r = subprocess.run(cmd, capture_output=True, timeout=60)
            out = r.stdout.decode(errors="replace")
            try:
                import json
                return json.loads(out)
            except ValueError:
                raise AssertionError(f"{args}: exit {r.returncode}, not JSON: {out!r} {r.stderr.decode(errors='replace')!r}")

        def address(self, address: str) -> dict:
            return self.cli("directory", "test", address)

        def login(self, login: str, password: str | None = None) -> dict:
            return self.cli("directory", "test", login, "--user", password=password)

    return PostaLDAPSite()


def final_recipients(report: dict) -> set[str] | None:
    """The final addresses of a `posta directory test ADDRESS --json` answer (mailboxes and
    external addresses, lower case), None when the address is unknown."""
    if report["resolution"] == "unknown":
        return None
    assert report["resolution"] == "deliver", report
    out = set()
    for delivery in report["deliveries"]:
        for kind, address in delivery.items():
            if kind in ("mailbox", "external"):
                out.add(address.lower())
    return out
