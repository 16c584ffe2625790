"""Shared fixtures for the interop tests: they drive the real `posta` binary and real peers."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

def pytest_configure(config):
    # .ci/run runs the suite in parallel workers, then the `serial` tests alone: those measure
    # latencies (IDLE within 100 ms) that a loaded 2-core machine would blur.
    config.addinivalue_line("markers", "serial: a latency measurement; run without other tests alongside")
    config.addinivalue_line("markers", "capability(name): an IMAP test of that capability; not run against a reference server that lacks it")


def pytest_collection_modifyitems(config, items):
    from imapsite import deselect_lacking_servers
    deselect_lacking_servers(config, items)


POSTA = os.environ.get("POSTA_BIN") or shutil.which("posta")
if not POSTA:
    raise RuntimeError("POSTA_BIN is not set: run the interop tests through .ci/run")


_handed_out: set[int] = set()
# Ports handed out by every worker of this pytest run (pytest-xdist runs files in several
# processes): one file per port, created exclusively, so two workers never get the same port.
_port_registry = Path(tempfile.gettempdir()) / f"posta-ports-{os.environ.get('PYTEST_XDIST_TESTRUNUID', os.getpid())}"


def _claim_across_workers(port: int) -> bool:
    _port_registry.mkdir(exist_ok=True)
    try:
        os.close(os.open(_port_registry / str(port), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        return True
    except FileExistsError:
        return False


def free_port(udp_too: bool = False) -> int:
    """A loopback port nothing listens on, never the same twice in this run, in any worker (the
    kernel may hand a just-closed port out again at once). With `udp_too`, free for UDP as well (DNS)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port in _handed_out:
            continue
        if udp_too:
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                    u.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        if not _claim_across_workers(port):
            continue
        return port
    raise RuntimeError("no free loopback port")


def vmail_ids() -> tuple[int, int]:
    """uid and gid of the `vmail` account that .ci/install-packages creates for the reference
    servers' mail stores (Dovecot, Postfix's virtual delivery)."""
    import pwd
    entry = pwd.getpwnam("vmail")
    return entry.pw_uid, entry.pw_gid


def make_reachable(folder: Path) -> None:
    """Lets daemons that drop root (postfix, vmail, nobody) traverse the folders above `folder`."""
    for parent in [folder, *folder.parents]:
        if parent in (Path("/tmp"), Path("/")):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o755)


def short_dir(prefix: str) -> Path:
    """A fresh folder with a short path, for Unix sockets (108-byte limit), removed at exit.
    Test folders nest too deep for them once pytest-xdist adds its worker level."""
    import atexit
    import tempfile
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    atexit.register(shutil.rmtree, path, True)
    return path


def stop_process(proc: subprocess.Popen | None, timeout: float = 15.0) -> None:
    """Ends a peer started by a test: SIGTERM, then SIGKILL when it has not stopped in `timeout` s."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_for_port(port: int, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


class Result:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"<exit {self.code} out={self.out!r} err={self.err!r}>"


class Site:
    """A Posta site in a temporary folder, with its own config file."""

    def __init__(self, folder: Path, config: Path):
        self.folder = folder
        self.config = config

    def posta(self, *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict | None = None) -> Result:
        full_env = dict(os.environ)
        full_env.pop("POSTA_CONFIG", None)
        if env:
            full_env.update(env)
        cmd = [POSTA, *args]
        if cwd is None and args and args[0] != "serve":
            cmd += ["--config", str(self.config)]
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=cwd or self.folder, env=full_env, timeout=60)
        return Result(proc)

    def ok(self, *args: str, stdin: str | None = None) -> Result:
        r = self.posta(*args, stdin=stdin)
        assert r.code == 0, r
        return r


def write_config(folder: Path, database_url: str = "sqlite:posta.db", http_port: int | None = None, extra: str = "") -> Path:
    listeners = ""
    if http_port:
        listeners = f'\n[[listener]]\nprotocol = "http"\naddress = "127.0.0.1:{http_port}"\n'
    path = folder / "posta.toml"
    path.write_text(
        f'hostname = "mx.example.test"\ndata_dir = "{folder}"\n{extra}\n[database]\nurl = "{database_url}"\n{listeners}'
    )
    return path


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path, write_config(tmp_path))


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("POSTA_TEST_POSTGRES_URL")
    if not url:
        raise RuntimeError("POSTA_TEST_POSTGRES_URL is not set: run through .ci/run")
    return url


class Server:
    """`posta serve` running in the background."""

    def __init__(self, args: list[str], cwd: Path, env: dict | None = None):
        full_env = dict(os.environ)
        full_env.pop("POSTA_CONFIG", None)
        if env:
            full_env.update(env)
        self.proc = subprocess.Popen([POSTA, "serve", *args], cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop(self, sig=signal.SIGINT, timeout: float = 10.0) -> tuple[int, float, str, str]:
        start = time.monotonic()
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, time.monotonic() - start, out, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def servers():
    started: list[Server] = []

    def start(args: list[str], cwd: Path, env: dict | None = None) -> Server:
        s = Server(args, cwd, env)
        started.append(s)
        return s

    yield start
    for s in started:
        s.kill()
