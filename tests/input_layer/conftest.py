"""One MiniLM (eager attention, eval mode) and its tokenizer for all input-layer tests."""
import pytest


@pytest.fixture(scope="session")
def minilm():
    from core.input_layer import load_input_model
    from core.models import load_tokenizer

    return load_input_model(), load_tokenizer()
