"""What the browser tests need: Debian's Chromium, a CJK font, Jupyter servers kept in a temp folder.

- :func:`chromium` returns the path of ``/usr/bin/chromium``. When it is missing it tries
  ``apt-get install chromium fonts-noto-cjk`` (as root, where apt-get exists); if there is
  still none, the test is skipped with a message saying how to install it — except when
  ``CI`` is set, where a missing browser fails the run. Playwright never downloads a browser.
- :func:`font_env` makes Chinese render with glyphs, not boxes: nothing to do when fontconfig
  knows a Chinese font, else a fontconfig file adding the Noto Sans CJK SC file that the
  ``mplfonts`` dependency ships (only that file: the whole folder would make fontconfig pick
  SimHei).
- :func:`jupyter_env` keeps Jupyter's, IPython's and matplotlib's files inside the test's folder.
- :class:`Server` starts a server (the room app through ``make app``, or JupyterLab), waits until it
  answers, and stops it by its own PID with SIGTERM so that it shuts its kernels down.
- :func:`open_page` launches Chromium with Playwright and blocks every request that does not
  go to this machine (pages may try to fetch fonts from a CDN); :func:`open_browser` gives several
  pages, each with storage of its own (another browser, to the app), and lists what it blocked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
HOW_TO_INSTALL = ("install Debian's Chromium and a Chinese font: `sudo apt-get install chromium fonts-noto-cjk` "
                  "(Playwright is driven with executable_path=/usr/bin/chromium; do not run `playwright install`)")


def chromium() -> Path:
    """``/usr/bin/chromium``, installed with apt-get if missing and possible; skip (fail under CI) otherwise."""
    if not CHROMIUM.exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"]):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
            if done.returncode:
                print(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                break
    if not CHROMIUM.exists():
        message = f"no browser at {CHROMIUM}: {HOW_TO_INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {message}", pytrace=False)
        pytest.skip(message)
    pytest.importorskip("playwright.sync_api", reason=f"Playwright is missing: pip install -e '.[test]'; {HOW_TO_INSTALL}")
    return CHROMIUM


def font_env(folder: Path) -> dict[str, str]:
    """Environment for Chromium so Chinese shows glyphs: ``{}`` when fontconfig has a Chinese font."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout
        if found.strip():
            return {}
    import mplfonts

    noto = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not noto.is_file():
        return {}
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(noto, fonts / noto.name)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        "  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'fc-cache'}</cachedir>\n</fontconfig>\n", "utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


def jupyter_env(folder: Path, **extra: str) -> dict[str, str]:
    """This process's environment with Jupyter's, IPython's and matplotlib's folders inside ``folder``."""
    env = {**os.environ, **extra}
    env.pop("MPLBACKEND", None)  # the kernel draws charts inline, as a trainee's does
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(folder / sub)
    env.pop("JUPYTER_PATH", None)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process started in its own session, logging to ``log``; a context manager.

    ``pid_of`` picks the server's own process: the command's (``None``) or its single child
    (``make app`` execs Solara as make's child).
    """

    def __init__(self, command: list[str], *, env: dict[str, str], log: Path, url: str, cwd: Path = ROOT,
                 child: bool = False, timeout: float = 60) -> None:
        self.command, self.env, self.log_path, self.url, self.cwd = command, env, log, url, cwd
        self.child, self.timeout = child, timeout
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.command[0]} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.url} did not answer in {self.timeout:.0f} s:\n{self.log()[-3000:]}")
            time.sleep(0.3)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def server_pid(self) -> int:
        """The server's own PID (for ``make app``: make's child, the Solara process)."""
        if not self.child:
            return self.proc.pid
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        assert len(children) == 1, f"expected one child of {self.command}, found {children}"
        return int(children[0])

    def __exit__(self, *exc) -> None:
        proc = self.proc
        try:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, FileNotFoundError, AssertionError):
                    os.kill(self.server_pid(), signal.SIGTERM)  # the server itself: it shuts its kernels down
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
        finally:
            self._log.close()


def _local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost", "::1")


@contextlib.contextmanager
def open_page(folder: Path, *, viewport: tuple[int, int] = (1400, 1000)) -> Iterator[object]:
    """A Playwright page in Debian's Chromium; requests to other machines are aborted."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    env = {**os.environ, **font_env(folder)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, env=env, headless=True)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.route("**/*", lambda route: route.continue_() if _local(route.request.url) else route.abort())
            yield page
        finally:
            browser.close()


class Pages:
    """Pages of one Chromium, each in a browser context of its own (its own storage: another browser to a
    server). Every request not to 127.0.0.1 is aborted and listed in :attr:`aborted`."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.aborted: list[str] = []

    def new(self, *, viewport: tuple[int, int] = (1400, 1000)):
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        context.route("**/*", self._route)
        return context.new_page()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort()


@contextlib.contextmanager
def open_browser(folder: Path) -> Iterator[Pages]:
    """Debian's Chromium through Playwright, for several pages (:class:`Pages`); offline as :func:`open_page`."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    env = {**os.environ, **font_env(folder)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, env=env, headless=True)
        try:
            yield Pages(browser)
        finally:
            browser.close()


def save_screenshot(page, path: Path, *, full_page: bool = True) -> Path:
    """Screenshot to ``path``; also copied to ``$SIMFUNNEL_SCREENSHOTS`` when that is set (for a human to look at)."""
    page.screenshot(path=str(path), full_page=full_page)
    extra = os.environ.get("SIMFUNNEL_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(extra) / path.name)
    return path
