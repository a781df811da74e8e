"""core.device picks cuda > mps > cpu and refuses devices that are not there."""
import pytest
import torch

from core import device


def test_pick_returns_an_available_device():
    picked = device.pick()
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert picked.type == expected


def test_explicit_cpu_and_resolve():
    assert device.pick("cpu") == torch.device("cpu")
    assert device.resolve(None) == device.pick()
    assert device.resolve(torch.device("cpu")) == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_missing_cuda_is_a_clear_error():
    with pytest.raises(ValueError, match="no CUDA GPU"):
        device.pick("cuda")


def test_describe_names_the_device():
    assert device.describe(torch.device("cpu")).startswith("cpu (")


@pytest.mark.gpu
def test_describe_names_the_gpu():
    assert torch.cuda.get_device_name(0) in device.describe(torch.device("cuda"))


def test_available_lists_auto_and_cpu_first_and_only_devices_pick_accepts():
    from core.device import available, pick

    choices = available()
    assert choices[:2] == ["auto", "cpu"]
    for choice in choices:
        pick(choice)  # every listed device is one pick() accepts here
    assert ("cuda:0" in choices) == torch.cuda.is_available()
