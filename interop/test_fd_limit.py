"""`posta serve` raises its soft open-file limit (RLIMIT_NOFILE) to the hard one at start and says so
in the log; started with a soft limit of 1,024 as a distribution's service manager does."""
import resource
import subprocess
import time
from pathlib import Path

from conftest import POSTA, free_port, wait_for_port, write_config


def test_serve_raises_its_open_file_limit(tmp_path: Path):
    port = free_port()
    config = write_config(tmp_path, http_port=port)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    expected = min(hard, 1 << 20)
    assert expected > 1024, "the test needs a hard limit above 1024"

    def low_soft_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([POSTA, "serve", "--config", str(config)], cwd=tmp_path, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=low_soft_limit)
    try:
        wait_for_port(port)
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        [line] = [l for l in limits.splitlines() if l.startswith("Max open files")]
        soft = int(line.split()[3])
        assert soft == expected, line
        deadline = time.monotonic() + 10
        while "open-file limit raised" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        text = log.read_text()
        assert "open-file limit raised" in text and "from=1024" in text, text[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
