"""What ``make app`` says before Solara starts: the address trainees open, and its QR code for the projector.

``python -m simfunnel.app.serve --host 0.0.0.0 --port 8866 --qr .venv/app-address.png`` prints the
address (this machine's network address when serving the room on ``0.0.0.0``) and writes a QR code of
it as a PNG; ``make app`` then starts ``solara run simfunnel.app.pages --production`` on that host
and port. Nothing here starts a server.

    >>> app_url("127.0.0.1", 8866)
    'http://127.0.0.1:8866/'
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from pathlib import Path

import segno

__all__ = ["app_url", "main", "network_address", "write_qr"]


def network_address() -> str:
    """This machine's first network address (``hostname -I``), else its name's; ``ADDRESS-OF-THIS-MACHINE`` if none."""
    try:
        found = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5, check=False).stdout.split()
    except (OSError, subprocess.SubprocessError):
        found = []
    if found:
        return found[0]
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = ""
    return address if address and not address.startswith("127.") else "ADDRESS-OF-THIS-MACHINE"


def app_url(host: str, port: int) -> str:
    """The address trainees open: ``http://HOST:PORT/`` (``0.0.0.0`` → this machine's network address)."""
    shown = network_address() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{int(port)}/"


def write_qr(url: str, path: str | os.PathLike) -> Path:
    """A QR code of ``url`` as a PNG at ``path`` (big modules, a quiet zone: readable from the back of a room)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    segno.make(url, error="m").save(str(out), kind="png", scale=12, border=4)
    return out.resolve()


def main(argv: list[str] | None = None) -> int:
    """Print the app's address and write its QR code; 0 on success."""
    parser = argparse.ArgumentParser(prog="python -m simfunnel.app.serve", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--qr", default="", help="where to write the QR code of the address (PNG)")
    parser.add_argument("--workshop", default="", help="the workshop folder served (empty: a demo workshop)")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be 1-65535, got {args.port}")
    url = app_url(args.host, args.port)
    print()
    print(f"  Open  {url}   (学员打开这个地址 · trainees open this address; Ctrl+C stops the app)")
    if args.host in ("127.0.0.1", "localhost", "::1"):
        print("  Only this computer can open this address: for the trainees' laptops, start the app with "
              "IP=0.0.0.0 (make app IP=0.0.0.0 …).")
        print("  只有本机能打开这个地址：要让学员的电脑打开，请用 IP=0.0.0.0 启动（make app IP=0.0.0.0 …）。")
    if args.qr:
        print(f"  QR code of the address for the projector (二维码): {write_qr(url, args.qr)}")
    if args.workshop:
        print(f"  Workshop: {Path(args.workshop).resolve()}")
    else:
        print("  No WORKSHOP given: the app runs a demo workshop of its own (its join codes are on the front page).")
        print("  没有指定 WORKSHOP：应用运行一个临时演示工作坊（加入码显示在首页上）。")
    print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
