"""A small client of the Ray Jobs REST API and the node list, over plain HTTP (standard library only).

Ray's Python SDK (``ray.job_submission.JobSubmissionClient``) makes these
same HTTP calls to the dashboard of the head node, but importing it costs
about 2.7 s and 85 MiB per process; EmbedLab keeps one supervising worker per
run on the app's machine, so they talk to the documented REST endpoints
directly (https://docs.ray.io/en/latest/cluster/running-applications/job-submission/rest.html):

    POST   /api/jobs/                  submit (entrypoint, submission_id, runtime_env, entrypoint_num_cpus, ...)
    GET    /api/jobs/<id>              status, message, error_type, driver_node_id, driver_exit_code
    POST   /api/jobs/<id>/stop         SIGTERM to the entrypoint's process group, SIGKILL a few seconds later
    DELETE /api/jobs/<id>              forget a finished job
    GET    /api/jobs/<id>/logs         the entrypoint's output
    GET    /api/v0/nodes               the nodes (state API): id, ip, name, state, resources_total

``EMBEDLAB_RAY_TOKEN``: a bearer token for a cluster started with
``RAY_AUTH_MODE=token``.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from core.jobs.executors.base import ExecutorError

TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED")


class NotFound(ExecutorError):
    """The cluster does not know that job (never submitted, deleted, or the cluster was restarted)."""


def normalise_address(address: str) -> str:
    """``http://host:port`` of the dashboard from what a person types (``host:port``, a URL).

    Raises :class:`ExecutorError` for a ``ray://`` client address (the jobs API
    is served by the dashboard, port 8265 by default).
    """
    text = (address or "").strip().rstrip("/")
    if not text:
        raise ExecutorError("EMBEDLAB_RAY_ADDRESS is empty; set it to the dashboard of the cluster's head node, "
                            "e.g. http://head-node:8265.")
    if text.startswith("ray://"):
        raise ExecutorError(f"EMBEDLAB_RAY_ADDRESS={text} is a Ray client address; EmbedLab submits jobs to the "
                            "dashboard of the head node instead, e.g. http://head-node:8265.")
    if "://" not in text:
        text = "http://" + text
    parsed = urllib.parse.urlsplit(text)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ExecutorError(f"EMBEDLAB_RAY_ADDRESS={address!r} is not an http(s) address of a Ray dashboard.")
    return text


class RayAPI:
    """The jobs and nodes endpoints of one Ray cluster's dashboard (``address``: ``http://host:8265``)."""

    def __init__(self, address: str, timeout: float = 10.0, token: str | None = None):
        self.address = normalise_address(address)
        self.timeout = timeout
        self.token = token if token is not None else os.environ.get("EMBEDLAB_RAY_TOKEN") or None

    def _call(self, method: str, path: str, body: dict | None = None):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.address + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:300].strip()
            if err.code == 404:
                raise NotFound(f"the Ray cluster at {self.address} has no {path} ({detail or 'not found'}).") from None
            if err.code in (401, 403):
                raise ExecutorError(f"the Ray cluster at {self.address} refused EmbedLab ({err.code}): set "
                                    "EMBEDLAB_RAY_TOKEN to the cluster's token (`ray get-auth-token`).") from None
            raise ExecutorError(f"the Ray cluster at {self.address} answered {err.code} to {method} {path}: "
                                f"{detail}") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise ExecutorError(f"the Ray cluster at {self.address} does not answer ({reason}). Start it (see the "
                                "README, 'A Ray cluster') or unset EMBEDLAB_EXECUTOR to run jobs on this machine."
                                ) from None
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ExecutorError(f"the Ray cluster at {self.address} sent something that is not JSON for "
                                f"{method} {path}; is this the dashboard port (8265 by default)?") from None

    # ------------------------------------------------------------------ jobs

    def version(self) -> dict:
        return self._call("GET", "/api/version") or {}

    def submit(self, *, entrypoint: str, submission_id: str, runtime_env: dict | None = None,
               metadata: dict | None = None, num_cpus: float | None = None, num_gpus: float | None = None,
               resources: dict | None = None) -> str:
        """Submit a job; returns its submission id. A taken id raises :class:`ExecutorError`."""
        body = {"entrypoint": entrypoint, "submission_id": submission_id, "runtime_env": runtime_env or {},
                "metadata": metadata or {}}
        if num_cpus:
            body["entrypoint_num_cpus"] = num_cpus
        if num_gpus:
            body["entrypoint_num_gpus"] = num_gpus
        if resources:
            body["entrypoint_resources"] = resources
        answer = self._call("POST", "/api/jobs/", body) or {}
        return str(answer.get("submission_id") or answer.get("job_id") or submission_id)

    def job(self, submission_id: str) -> dict:
        """The job's info: ``status`` (PENDING, RUNNING, SUCCEEDED, FAILED, STOPPED), ``message``,
        ``error_type``, ``driver_node_id``, ``driver_exit_code``, ``start_time``/``end_time`` (ms)."""
        return self._call("GET", f"/api/jobs/{urllib.parse.quote(submission_id, safe='')}") or {}

    def stop(self, submission_id: str) -> bool:
        answer = self._call("POST", f"/api/jobs/{urllib.parse.quote(submission_id, safe='')}/stop") or {}
        return bool(answer.get("stopped"))

    def delete(self, submission_id: str) -> bool:
        answer = self._call("DELETE", f"/api/jobs/{urllib.parse.quote(submission_id, safe='')}") or {}
        return bool(answer.get("deleted"))

    def logs(self, submission_id: str) -> str:
        answer = self._call("GET", f"/api/jobs/{urllib.parse.quote(submission_id, safe='')}/logs") or {}
        return str(answer.get("logs") or "")

    # ------------------------------------------------------------------ nodes

    def nodes(self) -> list[dict]:
        """Every node the cluster knows (alive and dead): ``node_id, node_ip, node_name, state, is_head_node,
        resources_total``."""
        answer = self._call("GET", "/api/v0/nodes?limit=10000&detail=1") or {}
        data = answer.get("data", {}).get("result", {})
        rows = data.get("result", []) if isinstance(data, dict) else []
        return [row for row in rows if isinstance(row, dict)]
