"""Keep torch to one CPU thread in these tests: the CI machine is small and shared."""
import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread(monkeypatch):
    monkeypatch.setenv("EMBEDLAB_TORCH_THREADS", "1")
