"""One MiniLM (eager attention, eval mode) and its tokenizer, and tiny EmbedLab models, for the input-layer tests."""
import pytest


@pytest.fixture(scope="session")
def minilm():
    from core.input_layer import load_input_model
    from core.models import load_tokenizer

    return load_input_model(), load_tokenizer()


@pytest.fixture(scope="session")
def embedlab_folder(tmp_path_factory):
    """``folder(position, objective="mlm") -> path``: a tiny EmbedLab model saved with ``save_pretrained``."""
    from tests.input_layer.tiny_models import save_tiny_embedlab

    made = {}

    def folder(position: str, objective: str = "mlm"):
        if (position, objective) not in made:
            made[position, objective] = save_tiny_embedlab(
                tmp_path_factory.mktemp(f"embedlab-{objective}-{position}"), position, objective=objective)
        return made[position, objective]

    return folder


@pytest.fixture(scope="session")
def embedlab(embedlab_folder):
    """``load(position, objective="mlm") -> (model, tokenizer)`` loaded back through ``core.models`` as the page does."""
    loaded = {}

    def load(position: str, objective: str = "mlm"):
        if (position, objective) not in loaded:
            from core.input_layer import load_input_model
            from core.models import load_tokenizer

            folder = embedlab_folder(position, objective)
            loaded[position, objective] = load_input_model(folder), load_tokenizer(folder)
        return loaded[position, objective]

    return load
