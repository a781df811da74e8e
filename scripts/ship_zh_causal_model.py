"""Copy a finished causal-LM pretraining run into ``models/embedlab-gpt-zh`` with its model card.

    python scripts/ship_zh_causal_model.py RUN_DIR [EARLIER_RUN_DIR ...] --measures benchmarks/zh_causal_model.jsonl

RUN_DIR is the run whose ``model/`` folder is shipped; EARLIER_RUN_DIRs are runs it
resumed from (their steps and time are added to the card). ``--measures`` is the
JSON-lines output of ``benchmarks/zh_causal_model.py`` (held-out next-token accuracy and
perplexity against a bigram model, and the fine-tune comparison with embedlab-bert-zh).
Writes ``config.json``, ``model.safetensors``, the tokenizer files, ``embedlab.json``
(language and title for ``core.models.list_models``) and ``README.md`` (the model card).
Refuses a model over 30 MB or one that is not a causal LM.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from ship_zh_model import ZH_TEXT_SOURCES, _read, ship  # noqa: E402  (the same run facts, copy and sources as the BERT's)

DEST = ROOT / "models" / "embedlab-gpt-zh"
TITLE = "EmbedLab Chinese causal LM (People's Daily + reviews + MSRA)"


def card(facts: dict, measures: list[dict], size_mb: float) -> str:
    s, c, info = facts["summary"], facts["config"], facts["info"]
    layers, hidden, heads, ff = {"tiny": (2, 128, 2, 512), "mini": (4, 256, 4, 1024), "small": (6, 512, 8, 2048)}[c["preset"]]
    lm = {(m.get("text"), m.get("model")): m for m in measures if m.get("step") == "lm"}
    texts = list(dict.fromkeys(m.get("text") for m in measures if m.get("step") == "lm"))
    rows = []
    for text in texts:
        ours = next((m for (tx, name), m in lm.items() if tx == text and name == DEST.name), {})
        base = next((m for (tx, name), m in lm.items() if tx == text and name != DEST.name), {})
        rows.append(f"| {text} ({ours.get('predicted_tokens', 0):,} predicted tokens) | "
                    f"**{ours.get('accuracy', float('nan')):.3f}** / {ours.get('top5', float('nan')):.3f} / "
                    f"**{ours.get('perplexity', float('nan')):.1f}** | {base.get('accuracy', float('nan')):.3f} / – / "
                    f"{base.get('perplexity', float('nan')):.1f} |")
    tuned = "\n".join(f"| {m['model']} | {m.get('accuracy', float('nan')):.3f} | {m.get('macro_f1', float('nan')):.3f} | "
                      f"{m.get('seconds', 0):.0f} s |" for m in measures if m.get("step") == "finetune")
    subset = next((m["subset"] for m in measures if m.get("step") == "finetune"), "")
    curve = "\n".join(f"| {e['step']:,} | {e['tokens'] / 1e6:.1f} M | {e['loss']:.3f} | {e['accuracy']:.3f} | "
                      f"{e['top5']:.3f} | {e['perplexity']:.1f} |" for e in facts["evals"])
    finetuned = "" if not tuned else f"""Fine-tuned for sentiment on the same reviews ({subset}; 2 epochs, batch 32, learning rate 5e-4;
test: the whole `zh_sentiment` test split), against its masked-LM twin:

| model | accuracy | macro F1 | time |
|---|---|---|---|
{tuned}

The GPT classifies from its last token (the only one that has read the whole review), the BERT from
[CLS]; at this size the comparison says which objective gave the better encoder.

"""
    hours = facts["train_seconds"] / 3600
    runs_text = (f"one run, stopped at step {facts['resumed_at']:,} and resumed to its end with the learning-rate "
                 f"schedule shortened to {s['total_steps']:,} steps" if facts.get("resumed_at") else "one run")
    return f"""# embedlab-gpt-zh

A small Chinese GPT-style causal language model, trained from zero by EmbedLab's own
pretraining job (`python -m core pretrain --objective clm`, `core/pretrain/`) on a 2-core CPU.
It is the twin of `embedlab-bert-zh`: the same Chinese text, the same tokenizer, the same size,
position encoding and word2vec start; only the objective differs (the next token, attention
masked to the past, instead of masked tokens). So a Chinese class can put the two families side
by side without training first: on the input-layer page (bidirectional vs causal attention, what
each predicts) and on the pretraining page (the generation box).

It is a teaching-size model: it continues Chinese text with frequent characters and common
phrases, far from a production Chinese GPT (those read billions of characters; this one read
{s['tokens'] / 1e6:.1f} million tokens).

## Model

| | |
|---|---|
| architecture | `embedlab-gpt` (`core/pretrain/model.py`): pre-LayerNorm Transformer with the causal mask (token i attends to tokens j <= i), next-token head tied to the token embeddings (GPT-2) |
| size | {layers} layers x {hidden} hidden, {heads} heads, feed-forward {ff} (preset `{c['preset']}`); {s['parameters']:,} parameters; {size_mb:.1f} MB (float32 safetensors) |
| position encoding | {c['position_encoding']} (a trained table added at the input, as GPT-2); trained on {c['seq_len']}-token sequences, table of {4 * c['seq_len']} rows (rows past {c['seq_len']} are untrained) |
| tokenizer | embedlab-bert-zh's WordPiece ({s['vocab_size']:,} entries; `tokenizer_from`): every CJK character is its own token. Text is read without [CLS]; [SEP] ends each line, and generation stops there |
| initial token vectors | word2vec (gensim skip-gram) trained on the same WordPiece tokens: {(info.get('init') or {}).get('covered', 0):,} of {(info.get('init') or {}).get('vocab', 0):,} rows |
| loads with | `core.models.load_model("embedlab-gpt-zh", "AutoModelForCausalLM")` (transformers Auto classes, registered in-process; no remote code); `model.generate(...)` is transformers' own |

## Training

| | |
|---|---|
| data | the text of embedlab-bert-zh: People's Daily, January 1998, the review texts of the `zh_sentiment` train split, the sentences of the `msra_ner` train split (`python -m core.pretrain.zh_corpus`): {info.get('train_tokens', 0) / 1e6:.2f} M training tokens, {info.get('valid_tokens', 0):,} held-out tokens; every 50th line held out |
| objective | causal LM: every position predicts the next token (cross-entropy), the lines packed into one stream with [SEP] after each |
| optimiser | AdamW, peak learning rate {c['learning_rate']}, {c['warmup_ratio']:.0%} warm-up then linear decay, weight decay {c['weight_decay']} (weight matrices and embeddings), dropout {c['dropout']} |
| budget | {s['steps']:,} steps of {c['batch_size']} x {c['seq_len']} tokens = {s['tokens'] / 1e6:.1f} M tokens |
| time, device | {hours:.1f} hours on {s['device']} (one thread, `nice`, a 2-core machine shared with other jobs and test runs), {s.get('tokens_per_s') or 0:,.0f} tokens/s on average |
| runs | {runs_text} |

Held-out next-token scores during training (the run's own 2% of lines):

| step | tokens | loss | top-1 | top-5 | perplexity |
|---|---|---|---|---|---|
{curve}

## Evaluation (benchmarks/zh_causal_model.py, benchmarks/RESULTS.md)

Next-token top-1 / top-5 / perplexity on text never trained on, each line ended by [SEP], blocks of
{c['seq_len']} tokens; the peer is an interpolated bigram model counted on the same training text with the
same tokenizer (its top-1 is the most frequent follower of the previous token):

| held-out text | embedlab-gpt-zh | bigram |
|---|---|---|
{chr(10).join(rows)}

{finetuned}## Licence and sources

- The model weights: trained by EmbedLab from the three sources below (no other data, no other model);
  the tokenizer is embedlab-bert-zh's, trained on the same text. They carry the research-and-teaching
  terms of that text.
{ZH_TEXT_SOURCES}
## Reproduce

```
python -m core.pretrain.zh_corpus runs/zh_pretrain.txt
python -m core pretrain --corpus runs/zh_pretrain.txt --language zh --objective clm --preset {c['preset']} \\
    --position {c['position_encoding']} --init-vectors {c['init_vectors']} --tokenizer-from embedlab-bert-zh \\
    --seq-len {c['seq_len']} --batch-size {c['batch_size']} --steps {s['total_steps']} --lr {c['learning_rate']} \\
    --eval-every 200 --checkpoint-every 200 --name embedlab-gpt-zh
python benchmarks/zh_causal_model.py --corpus runs/zh_pretrain.txt > benchmarks/zh_causal_model.jsonl
python scripts/ship_zh_causal_model.py runs/<run id> --measures benchmarks/zh_causal_model.jsonl
```
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="the run to ship, then the runs it resumed from")
    parser.add_argument("--measures", default="", help="benchmarks/zh_causal_model.py output (JSON lines)")
    args = parser.parse_args()
    runs = [Path(r) for r in args.runs]
    if not _read(runs[0] / "model" / "config.json", {}).get("causal"):
        sys.exit(f"{runs[0] / 'model'} is not a causal LM (config.json has no causal: true)")
    return ship(runs, args.measures, DEST, card, TITLE, "EmbedLab pretraining job (causal LM)")


if __name__ == "__main__":
    sys.exit(main())
