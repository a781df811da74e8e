"""``python -m core inspect "a sentence"``: the input layer's shapes, and its matrices as .npy.

    python -m core inspect "The cat sat on the mat." --pair "It was warm." --out /tmp/cat

Prints one line per step (tokens, one-hot, word / position / token-type rows,
their sum, LayerNorm, first-layer Q, K, V, scaled scores, softmax) with its
shape. With ``--out DIR`` every matrix is written as ``DIR/<step>.npy``
(float32; ids int64) and the tokens as ``DIR/tokens.txt``, one per line.
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
    parser.add_argument("--position", metavar="{" + ",".join(kinds) + "}", default="learned",
                        help="the position part added: the model's learned table (default), or another "
                             f"positional kind that enters at the input, or none: {', '.join(kinds)}")
    parser.add_argument("--model-dir", default=None, help="a local BERT-family checkpoint (default: shipped MiniLM)")
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


def run(args) -> int:
    import numpy as np

    from core.input_layer import load_input_model, walk
    from core.models import load_tokenizer

    from core.input_layer.embeddings import check_position_kind

    if not args.sentence.strip():
        raise ValueError("Type a sentence first: the text is empty.")
    check_position_kind(args.position)  # before loading a model
    tokenizer = load_tokenizer(args.model_dir)
    model = load_input_model(args.model_dir)
    result = walk(model, tokenizer, args.sentence, args.pair, position=args.position)
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
