"""A real two-node Ray cluster on this machine for the executor tests, on 127.0.0.1 only.

:class:`LocalCluster` starts a head node (with the dashboard, which serves
the Jobs API) and a second worker node through ``ray.cluster_utils.Cluster``
(the helper Ray's own tests use), each with ``num_cpus`` logical CPUs, every
one bound to 127.0.0.1. It refuses to go on (and shuts everything down) if
any of its processes listens on, or talks to, anything but loopback.
:meth:`kill_worker` takes the worker node away without warning (as a machine
that dies), :meth:`add_worker` brings a new one.

Ray decides a node's address from the network unless told; three settings
keep it on loopback: ``node_ip_address="127.0.0.1"`` for every node and
``dashboard_host="127.0.0.1"``, and ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``,
which makes Ray's own helper processes (the dashboard) resolve "this node"
to 127.0.0.1 instead of the machine's interface address. Usage statistics
are off (``RAY_USAGE_STATS_ENABLED=0``): nothing leaves the machine.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time

import psutil

LOOPBACK = ("127.0.0.1", "::ffff:127.0.0.1", "::1")
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
# A lost node is declared dead after period x threshold (Ray's defaults: 3 s x 5, plus timeouts).
HEALTH_CHECK = {"health_check_period_ms": 500, "health_check_failure_threshold": 4, "health_check_timeout_ms": 1000}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RayStartError(RuntimeError):
    """The cluster could not start here (the tests are skipped with this reason)."""


class LocalCluster:
    """Head + one worker node on 127.0.0.1 (see the module docstring)."""

    def __init__(self, num_cpus: int = 1):
        self.num_cpus = num_cpus
        self.temp_dir = tempfile.mkdtemp(prefix="rayel-", dir="/tmp")  # short: Ray's sockets live under it
        self.dashboard_port = free_port()
        self.address = f"http://127.0.0.1:{self.dashboard_port}"
        self.saved_env = {key: os.environ.get(key) for key in RAY_ENV}
        self.cluster = None
        self.worker = None

    # ------------------------------------------------------------------ life

    def start(self, attempts: int = 2) -> "LocalCluster":
        """Start both nodes; a machine so busy that a node misses Ray's 30 s start-up wait gets one more try."""
        os.environ.update(RAY_ENV)
        try:
            from ray.cluster_utils import Cluster
        except ImportError as err:
            raise RayStartError(f"ray is not installed ({err})") from None
        for attempt in range(1, attempts + 1):
            try:
                self.cluster = Cluster(initialize_head=True, shutdown_at_exit=True, head_node_args={
                    "num_cpus": self.num_cpus, "node_ip_address": "127.0.0.1", "include_dashboard": True,
                    "dashboard_host": "127.0.0.1", "dashboard_port": self.dashboard_port,
                    "temp_dir": self.temp_dir, "_system_config": HEALTH_CHECK})
                self.add_worker()
                self.wait_for_jobs_api()
                return self
            except Exception as err:  # noqa: BLE001 - any failure to start means "skip", after cleaning up
                self._stop(restore_env=attempt == attempts)
                if attempt == attempts:
                    raise RayStartError(f"a local Ray cluster did not start ({attempts} tries): "
                                        f"{type(err).__name__}: {err}") from None
                self.temp_dir = tempfile.mkdtemp(prefix="rayel-", dir="/tmp")
                self.dashboard_port = free_port()
                self.address = f"http://127.0.0.1:{self.dashboard_port}"
        return self

    def add_worker(self):
        self.worker = self.cluster.add_node(num_cpus=self.num_cpus, node_ip_address="127.0.0.1",
                                            temp_dir=self.temp_dir)
        self.cluster.wait_for_nodes()
        return self.worker

    def kill_worker(self) -> str:
        """Take the worker node away at once (every process of it SIGKILLed); returns its node id."""
        node, self.worker = self.worker, None
        self.cluster.remove_node(node, allow_graceful=False)
        return node.node_id

    def wait_for_jobs_api(self, timeout: float = 60.0) -> None:
        """The dashboard answers (and so the Jobs API) and sees both nodes alive."""
        from core.jobs.executors.ray_api import RayAPI

        api = RayAPI(self.address, timeout=5)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                alive = [n for n in api.nodes() if n.get("state") == "ALIVE"]
                if len(alive) >= 2:
                    return
            except Exception as err:  # noqa: BLE001 - not up yet
                last = err
            time.sleep(0.5)
        raise RayStartError(f"the dashboard at {self.address} did not list two alive nodes in {timeout:.0f} s "
                            f"({last})")

    def shutdown(self) -> None:
        self._stop(restore_env=True)

    def _stop(self, restore_env: bool) -> None:
        try:
            if self.cluster is not None:
                self.cluster.shutdown()
        except Exception:  # noqa: BLE001 - half-started: kill what is there below
            pass
        finally:
            self.cluster = None
            self.worker = None
            for proc in self.processes():  # anything of ours that is still there
                try:
                    proc.kill()
                except psutil.Error:
                    pass
            psutil.wait_procs(self.processes(), timeout=10)
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            if restore_env:
                for key, value in self.saved_env.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value

    # ------------------------------------------------------------------ checks

    def processes(self) -> list[psutil.Process]:
        """Every process of this cluster: those naming its temp dir, and their descendants."""
        found: dict[int, psutil.Process] = {}
        for proc in psutil.process_iter(["cmdline"]):
            try:
                if self.temp_dir in " ".join(proc.info["cmdline"] or []):
                    found[proc.pid] = proc
                    for child in proc.children(recursive=True):
                        found[child.pid] = child
            except psutil.Error:
                continue
        return list(found.values())

    def non_loopback(self) -> list[str]:
        """Sockets of the cluster's processes bound to, or connected to, anything but 127.0.0.1."""
        pids = {proc.pid for proc in self.processes()}
        bad = []
        for conn in psutil.net_connections("inet"):
            if conn.pid not in pids:
                continue
            local_ip = conn.laddr.ip if conn.laddr else None
            remote_ip = conn.raddr.ip if conn.raddr else None
            if local_ip not in LOOPBACK or (remote_ip is not None and remote_ip not in LOOPBACK):
                try:
                    name = psutil.Process(conn.pid).name()
                except psutil.Error:
                    name = "?"
                bad.append(f"{name} (pid {conn.pid}): {conn.laddr} -> {conn.raddr or '-'} {conn.status}")
        return bad
