"""`make lab` serves JupyterLab on notebooks/, on 127.0.0.1, without a browser in CI."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_lab_serves_jupyterlab(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "CI": "1",
        "PORT": str(port),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    }
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(["make", "lab"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        # The server keeps its token (the URL it prints is what a trainer opens); read it from the log.
        token = None
        deadline = time.monotonic() + 90
        while token is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"[?&]token=([0-9a-f]+)", (tmp_path / "lab.log").read_text())
            token = found.group(1) if found else None
            time.sleep(0.5)
        assert token, (tmp_path / "lab.log").read_text()[-3000:]

        def get(path):
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {token}"})
            return urllib.request.urlopen(req, timeout=10)

        with get("/api/status") as r:
            assert r.status == 200
        with get("/api/contents/") as r:
            contents = json.load(r)
        assert contents["type"] == "directory"
        names = {c["name"] for c in contents["content"]}
        assert names == {p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith(".")}
        with get("/lab") as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    text = (tmp_path / "lab.log").read_text()
    assert "--no-browser" in text and f"--ServerApp.port={port}" in text and "--ServerApp.ip=127.0.0.1" in text
