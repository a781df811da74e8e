"""The Ray executor's own rules, without a cluster: how many runs the cluster holds, what a run reserves,
what a person reads when a Ray job ends without a word, and which addresses are accepted.
(The same executor against a real cluster: test_executors.py.)"""
from __future__ import annotations

import pytest

from core.jobs import executors
from core.jobs.executors.base import ExecutorError
from core.jobs.executors.ray_api import normalise_address
from core.jobs.executors.ray_jobs import RayJob, job_resources, node_label
from core.jobs.worker import NO_RUNS_FOLDER

NODES = [
    {"node_id": "a" * 56, "node_name": "10.0.0.1", "state": "ALIVE", "resources_total": {"CPU": 4.0, "GPU": 2.0}},
    {"node_id": "b" * 56, "node_name": "10.0.0.2", "state": "ALIVE", "resources_total": {"CPU": 3.0}},
    {"node_id": "c" * 56, "node_name": "10.0.0.3", "state": "DEAD", "resources_total": {"CPU": 64.0, "GPU": 8.0}},
]


class FakeAPI:
    """Answers like the dashboard would, from a list of job infos (one per poll) and the nodes above."""

    address = "http://head:8265"

    def __init__(self, infos=(), nodes=NODES, fail=False):
        self.infos, self.node_rows, self.fail = list(infos), nodes, fail

    def nodes(self):
        if self.fail:
            raise ExecutorError("the Ray cluster at http://head:8265 does not answer")
        return self.node_rows

    def job(self, job_id):
        if self.fail:
            raise ExecutorError("the Ray cluster at http://head:8265 does not answer")
        return self.infos.pop(0) if len(self.infos) > 1 else self.infos[0]

    def logs(self, job_id):
        return "EmbedLab: node x: the runs folder /srv/runs has no run r1\n"


@pytest.fixture
def ray(monkeypatch):
    executor = executors.get("ray")
    api = FakeAPI()
    monkeypatch.setattr(executor, "api", lambda address=None: api)
    monkeypatch.setattr(executor, "_nodes", {})
    monkeypatch.setenv("EMBEDLAB_RAY_CPUS", "2")
    monkeypatch.delenv("EMBEDLAB_MAX_CPU_JOBS", raising=False)
    monkeypatch.delenv("EMBEDLAB_MAX_GPU_JOBS", raising=False)
    return executor


def test_capacity_is_what_the_alive_nodes_hold_capped_by_the_setting(ray, monkeypatch):
    assert ray.capacity("cpu") == 2 + 1  # 4 CPUs / 2 per run, 3 CPUs / 2 per run; the dead node counts nothing
    assert ray.capacity("gpu") == 2
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "1")
    assert ray.capacity("cpu") == 1
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "50")
    assert ray.capacity("cpu") == 3  # never more than the cluster holds (Ray would fail a job that waits 15 min)


def test_an_unreachable_cluster_starts_nothing(ray, monkeypatch):
    monkeypatch.setattr(ray, "api", lambda address=None: FakeAPI(fail=True))
    assert ray.capacity("cpu") == 0
    with pytest.raises(ExecutorError, match="does not answer"):
        ray.check(None, "cpu")


def test_a_run_reserves_what_its_kind_asks_and_is_refused_where_no_node_has_it(ray, tmp_path):
    assert job_resources({"resource": "cpu"}) == {"num_cpus": 2.0, "num_gpus": 0}
    assert job_resources({"resource": "gpu", "processes": 2}) == {"num_cpus": 2, "num_gpus": 2}
    ray.check(tmp_path, "gpu", processes=2)  # the first node has 2 GPUs
    with pytest.raises(ExecutorError, match="no node of the Ray cluster .* has 4 CPUs and 4 GPUs"):
        ray.check(tmp_path, "gpu", processes=4)  # only the dead node had 8
    ray.check(tmp_path, "cpu")


def test_node_labels_name_the_machine_and_the_node():
    assert node_label(NODES[0]) == "10.0.0.1 (aaaaaaaa)"
    assert node_label({"node_id": "1234567890", "node_ip": "127.0.0.1"}) == "127.0.0.1 (12345678)"


def ended(ray, tmp_path, info, node=None, api=None):
    (tmp_path / "config.json").write_text('{"resource": "gpu", "processes": 1}')
    handle = RayJob(ray, api or FakeAPI([info]), "r1", tmp_path, "r1")
    handle.node = node
    assert handle.poll() is not None
    return handle.ending()


def test_a_lost_node_reads_failed_node_lost_and_asks_a_straggler_to_stop(ray, tmp_path):
    info = {"status": "FAILED", "error_type": "JOB_SUPERVISOR_ACTOR_DIED", "driver_node_id": "b" * 56,
            "message": "Job supervisor actor died: ... The actor died because its node has died. Node Id: bbbb"}
    state, error = ended(ray, tmp_path, info, node=NODES[1])
    assert state == "failed" and error.startswith("node lost: 10.0.0.2 (bbbbbbbb) left the Ray cluster")
    assert (tmp_path / "cancel").exists()  # a node cut off but alive stops the job when it sees this


def test_a_dead_node_is_asked_for_when_the_message_does_not_say(ray, tmp_path):
    info = {"status": "FAILED", "error_type": "JOB_SUPERVISOR_ACTOR_DIED", "message": "the actor died"}
    state, error = ended(ray, tmp_path, info, node=NODES[2])  # the node list says DEAD
    assert state == "failed" and error.startswith("node lost:")


def test_other_unreported_ends_say_what_to_do(ray, tmp_path):
    runs_folder = ended(ray, tmp_path, {"status": "FAILED", "driver_exit_code": NO_RUNS_FOLDER}, node=NODES[1])
    assert runs_folder[0] == "failed" and "cannot see the runs folder" in runs_folder[1]
    assert "has no run r1" in (tmp_path / "log.txt").read_text()  # the node's own words are kept
    python = ended(ray, tmp_path, {"status": "FAILED", "driver_exit_code": 127})
    assert "cannot start" in python[1] and "EMBEDLAB_RAY_PYTHON" in python[1]
    killed = ended(ray, tmp_path, {"status": "FAILED", "driver_exit_code": -9})
    assert "SIGKILL" in killed[1] and "memory" in killed[1]
    stopped = ended(ray, tmp_path, {"status": "STOPPED"})
    assert stopped[0] == "interrupted" and "stopped on the Ray cluster" in stopped[1]
    waited = ended(ray, tmp_path, {"status": "FAILED", "error_type": "JOB_SUPERVISOR_ACTOR_START_TIMEOUT"})
    assert "no node with the resources" in waited[1] and "1 CPU and 1 GPU" in waited[1]


def test_a_cluster_silent_for_too_long_ends_the_run_instead_of_leaving_it_running(ray, tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_RAY_LOST_S", "0.2")
    handle = RayJob(ray, FakeAPI(fail=True), "r1", tmp_path, "r1")
    assert handle.poll() is None  # one failed call is not a lost cluster
    import time

    time.sleep(0.3)
    assert handle.poll() == -1
    state, error = handle.ending()
    assert state == "failed" and error.startswith("node lost: the Ray cluster at http://head:8265 stopped answering")


@pytest.mark.parametrize("typed, address", [
    ("head:8265", "http://head:8265"), ("http://10.0.0.1:8265/", "http://10.0.0.1:8265"),
    ("https://ray.school.example", "https://ray.school.example"),
])
def test_addresses_a_person_types_are_understood(typed, address):
    assert normalise_address(typed) == address


@pytest.mark.parametrize("typed, words", [("ray://head:10001", "Ray client address"), ("", "is empty"),
                                          ("ftp://head", "not an http")])
def test_addresses_that_cannot_work_are_refused_with_what_to_type(typed, words):
    with pytest.raises(ExecutorError, match=words):
        normalise_address(typed)


def test_the_executor_setting_is_checked_and_names_the_known_ones(monkeypatch):
    monkeypatch.setenv("EMBEDLAB_EXECUTOR", "slurm")
    with pytest.raises(ValueError, match="unknown job executor 'slurm'; known job executors: local, ray"):
        executors.current()
    monkeypatch.delenv("EMBEDLAB_EXECUTOR")
    assert executors.current().name == "local"
    assert executors.of({}).name == "local" and executors.of({"executor": "ray"}).name == "ray"
