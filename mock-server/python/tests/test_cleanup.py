"""A killed test process leaves nothing behind: no mock running (its port closed), no temp
folder, and its control token was never on the mock's command line."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

INNER = textwrap.dedent(
    """
    import json, os, pathlib, time
    from ilert_mock.plugin import ilert_mock_factory  # noqa: F401 (the fixture)

    def test_hangs(ilert_mock_factory):
        mock = ilert_mock_factory(control_token="s3cret-control-token")
        assert mock.control("GET", "/clock")["frozen"] is True
        cmdline = pathlib.Path(f"/proc/{mock._process.pid}/cmdline").read_bytes()
        pathlib.Path(os.environ["REPORT"]).write_text(json.dumps(
            {"pid": mock._process.pid, "url": mock.base_url, "cmdline": cmdline.decode(errors="replace")}
        ))
        time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return not stat.rsplit(")", 1)[1].split()[0] == "Z"


def test_a_sigkilled_test_process_leaves_no_mock_and_no_files(tmp_path):
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(INNER)
    report, tmp = tmp_path / "report.json", tmp_path / "tmp"
    tmp.mkdir()
    package = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "REPORT": str(report),
        "TMPDIR": str(tmp),
        "PYTHONPATH": os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]),
    }
    runner = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not report.exists():
        assert runner.poll() is None, "the inner test run ended before its mock answered"
        assert time.monotonic() < deadline, "the inner test never started its mock"
        time.sleep(0.05)
    time.sleep(0.1)  # the report is written in one call; let it land whole
    seen = json.loads(report.read_text())
    assert "s3cret-control-token" not in seen["cmdline"], seen["cmdline"]
    assert list(tmp.iterdir()) == [], "the mock's temp folder outlived its start"

    runner.send_signal(signal.SIGKILL)
    runner.wait()
    deadline = time.monotonic() + 20
    while _alive(seen["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(seen["pid"]):
        os.kill(seen["pid"], signal.SIGKILL)
        raise AssertionError(f"the mock {seen['pid']} outlived its SIGKILLed test process")
    try:
        urllib.request.urlopen(seen["url"] + "/_mock/health", timeout=5)
    except OSError:
        pass
    else:
        raise AssertionError("the mock's port still answers")
    assert list(tmp.iterdir()) == []
