"""``python -m core inspect "a sentence"``: the input layer's shapes, and its matrices as .npy.

    python -m core inspect "The cat sat on the mat." --pair "It was warm." --out /tmp/cat
    python -m core inspect "我们在[MASK]京学习中文。" --model models/embedlab-bert-zh

Prints the model (family, sizes, where position enters), then one line per step
(tokens, one-hot, word / position / token-type rows, their sum, LayerNorm,
first-layer Q, K, V, scaled scores, softmax; for RoPE / ALiBi also what position
adds to the scores) with its shape. For a model with a masked-LM head, every
[MASK] in the sentence gets its top-5 guesses. With ``--out DIR`` every matrix is
written as ``DIR/<step>.npy`` (float32; ids int64) and the tokens as
``DIR/tokens.txt``, one per line.
"""
from __future__ import annotations

from pathlib import Path

# What each axis of each matrix means, printed next to its shape.
AXES = {
    "input_ids": "(seq_len,)", "token_type_ids": "(seq_len,)", "one_hot": "(seq_len, vocab)",
    "word": "(seq_len, dim)", "position": "(seq_len, dim)", "token_type": "(seq_len, dim)",
    "sum": "(seq_len, dim)", "standardized": "(seq_len, dim)", "layernorm": "(seq_len, dim)",
    "q": "(heads, seq_len, head_dim)", "k": "(heads, seq_len, head_dim)", "v": "(heads, seq_len, head_dim)",
    "scores": "(heads, query, key)", "probs": "(heads, query, key)", "context": "(heads, seq_len, head_dim)",
    "position_scores": "(heads, query, key)",
}
# Where position enters, in words (keyed by the WHERE axis of core.positional).
WHERE_TEXT = {
    "input": "at the input (its rows are added to the token embeddings)",
    "attention": "inside attention (it changes the scores q.k, not the token rows)",
    "none": "nowhere (the encoder sees a bag of tokens)",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="walk a sentence through a BERT input layer; print shapes, write .npy matrices",
        description="Walk a sentence through a BERT input layer: print the shape of every step "
                    "and, with --out, write each matrix as a .npy file.",
    )
    parser.add_argument("sentence", help="the sentence (English or Chinese)")
    parser.add_argument("--pair", default=None, help="an optional second sentence (segment B, token type 1)")
    from core.input_layer.embeddings import position_kinds

    kinds = position_kinds()
    # No argparse `choices` (a two-line usage error): walk() says "choose one of ..." in one line.
    parser.add_argument("--position", metavar="{" + ",".join(kinds) + "}", default=None,
                        help="swap the position part added at the input (default: the model's own) for "
                             f"another positional kind that enters at the input, or none: {', '.join(kinds)}")
    parser.add_argument("--model", "--model-dir", dest="model_dir", default=None,
                        help="a model folder (Hugging Face BERT or EmbedLab's own masked-LM model) or the name of "
                             "one `python -m core models` lists (default: the shipped MiniLM)")
    parser.add_argument("--out", default=None, help="folder to write the matrices into as .npy files")
    parser.set_defaults(func=run)


def arrays(result) -> dict:
    """Every matrix of a walk by file stem, as numpy arrays (one-hot included)."""
    from core.input_layer import one_hot

    view = result.tokens
    out = {
        "input_ids": view.input_ids.numpy(),
        "token_type_ids": view.token_type_ids.numpy(),
        "one_hot": one_hot(view.input_ids, view.vocab_size).numpy(),
    }
    out.update({name: m.numpy() for name, m in result.steps.as_dict().items()})
    out.update({name: m.numpy() for name, m in result.attention.as_dict().items()})
    return out


def model_path(model: str | None) -> str | None:
    """A folder for ``model``: an existing path as it is, a name from ``core.models.list_models()`` its folder."""
    if model is None or Path(model).expanduser().exists():
        return model
    from core.jobs import SHELL
    from core.models import list_models

    return next((m.path for m in list_models(user=SHELL) if m.name == model), model)


def run(args) -> int:
    import numpy as np

    from core.input_layer import as_family, guess_masks, load_input_model, walk
    from core.input_layer.embeddings import check_position_kind
    from core.models import load_tokenizer

    if not args.sentence.strip():
        raise ValueError("Type a sentence first: the text is empty.")
    if args.position is not None:
        check_position_kind(args.position)  # before loading a model
    from core.jobs import SHELL

    path = model_path(args.model_dir)
    tokenizer = load_tokenizer(path, user=SHELL)  # the shell acts as the teacher in class mode
    model = load_input_model(path, user=SHELL)
    family = as_family(model)
    facts = family.facts()
    print(f"model: {args.model_dir or 'all-MiniLM-L6-v2'} ({facts['family']}): {facts['layers']} layers, "
          f"{facts['dim']} dimensions, {facts['heads']} heads, {facts['positions']} positions, "
          f"vocabulary {facts['vocab']:,}, MLM head: {'yes' if facts['mlm_head'] else 'no'}")
    from core import positional as pe

    source = pe.get(facts["position"]).source
    print(f"position: {facts['position']} ({source}), enters {WHERE_TEXT.get(facts['where'], facts['where'])}")
    result = walk(family, tokenizer, args.sentence, args.pair, position=args.position)
    view = result.tokens
    print(f"tokens ({view.seq_len}): {' '.join(view.tokens)}")
    print(f"ids: {' '.join(map(str, view.input_ids.tolist()))}")
    if view.unk_count:
        print(f"[UNK]: {view.unk_count} token(s) are not in the vocabulary")
    mats = arrays(result)
    width = max(map(len, mats))
    for name, arr in mats.items():
        print(f"{name:<{width}}  {str(tuple(arr.shape)):<16} {AXES.get(name, ''):<26} {arr.dtype}")
    if result.embeddings_error is not None:
        print(f"max |ours - model.embeddings|: {result.embeddings_error:.2e}")
        print(f"max |ours - output_attentions[0]|: {result.attention_error:.2e}")
    if view.mask_id is not None and bool((view.input_ids == view.mask_id).any()):
        if family.has_mlm_head:
            for guess in guess_masks(family, tokenizer, args.sentence, args.pair):
                top = ", ".join(f"{tok} {p:.3f}" for tok, p in zip(guess.tokens, guess.probs))
                print(f"[MASK] at {guess.position}: {top}")
        else:
            print(f"{tokenizer.mask_token}: this model has no masked-LM head, so it makes no guesses")
    if args.out:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise ValueError(f"--out {out} is a file; give a folder.")
        out.mkdir(parents=True, exist_ok=True)
        for name, arr in mats.items():
            np.save(out / f"{name}.npy", arr)
        (out / "tokens.txt").write_text("\n".join(view.tokens) + "\n", encoding="utf-8")
        print(f"wrote {len(mats)} .npy files and tokens.txt to {out}")
    return 0
