"""What the compose tier needs before a stack can start, on a machine that can pull no
image: a Docker daemon (started if none runs, and the host put back as it was found when
it stops), local stand-ins for the base images a deployer pulls (Debian bookworm from
debootstrap, then PostgreSQL 15, Redis and an Airflow-like Python 3.11 from Debian
packages), a wheelhouse made on the host and served to `docker build` on 127.0.0.1, and
the project's image built from the repository's own Dockerfile with only its base
swapped.

Everything slow is cached: the Debian root file system and the wheels under
`~/.cache/monev-compose/` (MONEV_COMPOSE_CACHE), the images in the daemon's store. Each phase
prints its duration (`compose tier: <phase> <seconds>s`).

Also a command line for working on the tier by hand:
`python tests/compose/infra.py bases|wheels|image` (with a daemon running).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# outside the checkout, like pip's and uv's caches: every clone (CI's too) reuses it
CACHE = Path(os.environ.get("MONEV_COMPOSE_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
             / "monev-compose")
BASES = Path(__file__).resolve().parent / "bases"
DEBIAN = "monev-base/debian:bookworm"
POSTGRES = "monev-base/postgres:15"
REDIS = "monev-base/redis:7"
AIRFLOW_BASE = "monev-base/airflow:3.3.2-python3.11"
IMAGE = "monev-tier/airflow:latest"
TIMES: dict[str, float] = {}
FIGURES: dict[str, str] = {}  # other measures for the summary (image sizes …)


def phase(name: str):
    @contextlib.contextmanager
    def timed() -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            TIMES[name] = TIMES.get(name, 0.0) + time.monotonic() - t0
            print(f"compose tier: {name} {time.monotonic() - t0:.0f}s", flush=True)
    return timed()


def run(*argv: str, check: bool = True, quiet: bool = False, **kw) -> subprocess.CompletedProcess:
    """A command; its output goes to the test log unless `quiet` (then it is returned)."""
    if quiet:
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
    result = subprocess.run(list(argv), check=False, **kw)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])}… exited {result.returncode}:"
                           f" {(result.stderr or '')[-3000:] if quiet else ''}")
    return result


# --- the daemon ----------------------------------------------------------------------------

def _daemon_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def _iptables_tables(save: str) -> list[str]:
    return re.findall(r"^\*(\w+)$", save, re.M)


@contextlib.contextmanager
def docker_daemon() -> Iterator[None]:
    """A Docker daemon for the duration. One already running is used and left alone;
    otherwise Debian's dockerd is started, and afterwards stopped (by its PID) and what
    it changed on the host put back: the packet filter (IPv4 and IPv6, every table),
    the docker0 bridge and the forwarding sysctl."""
    if _daemon_answers():
        yield
        return
    if not shutil.which("dockerd"):
        raise RuntimeError("no Docker daemon and no dockerd: run scripts/setup.sh")
    saved = {tool: run(f"{tool}-save", quiet=True).stdout for tool in ("iptables", "ip6tables")}
    forward = Path("/proc/sys/net/ipv4/ip_forward").read_text().strip()
    had_bridge = Path("/sys/class/net/docker0").exists()
    log = open(CACHE / "dockerd.log", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(["dockerd", "--pidfile", str(CACHE / "dockerd.pid")],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        for _ in range(120):
            if _daemon_answers():
                break
            if proc.poll() is not None:
                raise RuntimeError(f"dockerd exited {proc.returncode}: {CACHE / 'dockerd.log'}")
            time.sleep(0.5)
        else:
            raise RuntimeError("dockerd did not answer within 60 s")
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        for tool, before in saved.items():
            # every table the daemon touched back to empty, then what was there before
            for table in {"filter", "nat"} | set(_iptables_tables(run(
                    f"{tool}-save", quiet=True).stdout)):
                run(tool, "-t", table, "-F", check=False, quiet=True)
                run(tool, "-t", table, "-X", check=False, quiet=True)
                for chain in ("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"):
                    run(tool, "-t", table, "-P", chain, "ACCEPT", check=False, quiet=True)
            if before.strip():
                run(f"{tool}-restore", input=before, quiet=True)
        if not had_bridge and Path("/sys/class/net/docker0").exists():
            run("ip", "link", "delete", "docker0", check=False, quiet=True)
        Path("/proc/sys/net/ipv4/ip_forward").write_text(forward + "\n")


def _rules(save: str) -> str:
    """An iptables-save output without comments and counters, and without tables that
    hold nothing (no rule, no user chain, every policy ACCEPT): what filters packets."""
    out, table = [], []
    for line in save.splitlines():
        if line.startswith("#"):
            continue
        line = re.sub(r"\s*\[\d+:\d+\]$", "", line)
        table.append(line)
        if line == "COMMIT":
            if any(x.startswith("-") or (x.startswith(":") and not x.endswith(" ACCEPT"))
                   for x in table):
                out.extend(table)
            table = []
    return "\n".join(out)


def host_state() -> dict[str, str]:
    """What the daemon changes on the host (compared before and after the tier)."""
    return {
        "iptables": _rules(run("iptables-save", quiet=True).stdout),
        "ip6tables": _rules(run("ip6tables-save", quiet=True).stdout),
        "ip_forward": Path("/proc/sys/net/ipv4/ip_forward").read_text(),
        "docker0": str(Path("/sys/class/net/docker0").exists()),
    }


# --- base images ---------------------------------------------------------------------------

def _image_exists(tag: str) -> bool:
    return run("docker", "image", "inspect", tag, check=False, quiet=True).returncode == 0


def debian_mirror() -> str:
    """The Debian mirror apt already uses on this host (deb822 or one-line sources)."""
    listed = sorted(Path("/etc/apt").glob("sources.list.d/*.sources"))
    for f in [*listed, Path("/etc/apt/sources.list")]:
        if f.exists():
            text = f.read_text()
            m = re.search(r"^URIs:\s*(\S+/debian)\s*$", text, re.M) or re.search(
                r"^deb\s+(?:\[[^]]*\]\s+)?(\S+/debian)\s+bookworm\b", text, re.M)
            if m:
                return m.group(1)
    return "http://deb.debian.org/debian"


def _tag_of(folder: Path, base_id: str) -> str:
    """A content hash of a stand-in's build folder and its base: rebuilt when either changes."""
    h = hashlib.sha256(base_id.encode())
    for f in sorted(folder.iterdir()):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()[:12]


def _image_id(tag: str) -> str:
    return run("docker", "image", "inspect", "-f", "{{.Id}}", tag, quiet=True).stdout.strip()


def build_bases() -> None:
    CACHE.mkdir(exist_ok=True)
    if not _image_exists(DEBIAN):
        with phase("base debootstrap"):
            tarball = CACHE / "bookworm-minbase.tar"
            if not tarball.exists():
                rootfs = Path(tempfile.mkdtemp(prefix="rootfs-", dir=CACHE))
                try:
                    run("debootstrap", "--variant=minbase", "bookworm", str(rootfs),
                        debian_mirror(), quiet=True)
                    # apt inside builds uses the same mirror
                    (rootfs / "etc/apt/sources.list").write_text(
                        f"deb {debian_mirror()} bookworm main\n")
                    run("tar", "-C", str(rootfs), "-cf", str(tarball) + ".part", ".")
                    os.replace(str(tarball) + ".part", tarball)
                finally:
                    shutil.rmtree(rootfs, ignore_errors=True)
            with open(tarball, "rb") as fh:
                run("docker", "import", "-c", 'CMD ["bash"]', "-", DEBIAN, stdin=fh, quiet=True)
    base_id = _image_id(DEBIAN)
    for tag, folder in ((POSTGRES, "postgres"), (REDIS, "redis"), (AIRFLOW_BASE, "airflow")):
        label = _tag_of(BASES / folder, base_id)
        have = run("docker", "image", "inspect", "-f",
                   '{{index .Config.Labels "monev.tier"}}', tag, check=False, quiet=True)
        if have.returncode == 0 and have.stdout.strip() == label:
            continue
        with phase(f"base {folder}"):
            run("docker", "build", "-q", "--network", "host", "--label", f"monev.tier={label}",
                "--build-arg", f"BASE={DEBIAN}", "-t", tag, str(BASES / folder), quiet=True)


# --- the wheelhouse ------------------------------------------------------------------------

WHEELS = CACHE / "wheels"


def build_wheelhouse() -> Path:
    """Every wheel the project's Dockerfile installs (requirements.txt, Superset's
    constraints, setuptools/wheel for the editable install), downloaded on the host
    through its package index; sdist-only pins built into wheels here."""
    sources = [ROOT / "requirements.txt", ROOT / "deploy/superset/constraints.txt"]
    want = hashlib.sha256(b"".join(f.read_bytes() for f in sources)).hexdigest()
    stamp = WHEELS / ".complete"
    if stamp.exists() and stamp.read_text() == want:
        return WHEELS
    with phase("wheelhouse"):
        WHEELS.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip"] if _has_pip(sys.executable) else ["python3.11", "-m",
                                                                               "pip"]
        sdists = CACHE / "sdists"
        # the host is the image's platform (Linux, CPython 3.11); a pin with no wheel
        # comes as an sdist and is built here
        for req in sources:
            run(*pip, "download", "-q", "--no-deps", "-r", str(req), "-d", str(sdists),
                quiet=True)
        run(*pip, "download", "-q", "--no-deps", "-d", str(sdists), "setuptools>=68", "wheel",
            quiet=True)
        for f in sdists.iterdir():
            if f.suffix == ".whl":
                shutil.copy2(f, WHEELS / f.name)
            elif not (WHEELS / f.name).exists():
                run(*pip, "wheel", "-q", "--no-deps", "-w", str(WHEELS), str(f), quiet=True)
        stamp.write_text(want)
    return WHEELS


def _has_pip(python: str) -> bool:
    return subprocess.run([python, "-m", "pip", "--version"], capture_output=True,
                          check=False).returncode == 0


# The wheelhouse's URL is part of a build argument, so of the build cache's key: a fixed
# port keeps the second build's layers cached (any free one if it is taken).
WHEELHOUSE_PORT = int(os.environ.get("MONEV_WHEELHOUSE_PORT", "40065"))


@contextlib.contextmanager
def serve_wheels(folder: Path) -> Iterator[str]:
    """The wheelhouse over HTTP on 127.0.0.1 (a `docker build --network host` reads it)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", WHEELHOUSE_PORT), handler)
    except OSError:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


# --- the project's image -------------------------------------------------------------------

def build_image(tag: str = IMAGE, context: Path = ROOT, label: str = "cold") -> str:
    """The project's image from its own Dockerfile, only the base (and pip's source)
    swapped by build arguments."""
    wheels = build_wheelhouse()
    with serve_wheels(wheels) as url, phase(f"image build ({label})"):
        run("docker", "build", "-q", "--force-rm", "--network", "host",
            "--build-arg", f"AIRFLOW_BASE_IMAGE={AIRFLOW_BASE}",
            "--build-arg", f"PIP_ARGS=--no-index --find-links {url} --trusted-host 127.0.0.1",
            "-t", tag, "-f", str(context / "Dockerfile"), str(context), quiet=True)
    return tag


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "bases":
        build_bases()
    elif what == "wheels":
        build_wheelhouse()
    elif what == "image":
        build_image()
    print(TIMES)
