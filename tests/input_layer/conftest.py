"""One MiniLM (eager attention, eval mode) and its tokenizer, and tiny EmbedLab models, for the input-layer tests."""
import pytest


@pytest.fixture(scope="session")
def minilm():
    from core.input_layer import load_input_model
    from core.models import load_tokenizer

    return load_input_model(), load_tokenizer()


@pytest.fixture(scope="session")
def embedlab_folder(tmp_path_factory):
    """``folder(position) -> path``: a tiny EmbedLab masked-LM model saved with ``save_pretrained``."""
    from tests.input_layer.tiny_models import save_tiny_embedlab

    made = {}

    def folder(position: str):
        if position not in made:
            made[position] = save_tiny_embedlab(tmp_path_factory.mktemp(f"embedlab-{position}"), position)
        return made[position]

    return folder


@pytest.fixture(scope="session")
def embedlab(embedlab_folder):
    """``load(position) -> (model, tokenizer)`` loaded back through ``core.models`` as the page loads it."""
    loaded = {}

    def load(position: str):
        if position not in loaded:
            from core.input_layer import load_input_model
            from core.models import load_tokenizer

            folder = embedlab_folder(position)
            loaded[position] = load_input_model(folder), load_tokenizer(folder)
        return loaded[position]

    return load
