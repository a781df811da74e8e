#!/usr/bin/env bash
# One script for a machine with a CUDA GPU, at most 8 minutes, run as is:
#
#     bash benchmarks/device_check.sh [--out DIR]      # on the GPU machine
#     bash benchmarks/device_check.sh --dry-run        # tiny sizes on a CPU (the test suite runs this)
#
# Each step writes JSON lines to DIR/<step>.jsonl (its stderr to DIR/<step>.log) and one
# line {"step", "rc", "seconds"} to DIR/steps.jsonl. Steps:
#   env         torch/CUDA versions, GPU name and memory, CPU cores
#   word2vec    torch engine on the GPU vs gensim on all CPU cores, same corpus, quality beside speed
#   gpu_tests   the @pytest.mark.gpu tests
#   finetune    fine-tune samples/s in fp32 vs bf16 (benchmarks/finetune_precision.py)
#   pretrain    masked-LM pretraining tokens/s, tiny preset (python -m core pretrain), when built
#   ddp         a two-process torchrun DistributedDataParallel smoke run
# A failed or timed-out step does not stop the others; the exit code is the number of failed steps.
set -uo pipefail
cd "$(dirname "$0")/.."

DRY=0
OUT="benchmarks/device_out/$(date -u +%Y%m%dT%H%M%SZ)"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --out) OUT="$2"; shift ;;
    *) echo "usage: $0 [--dry-run] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT"
PY="${PYTHON:-python}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 EMBEDLAB_WARM_UMAP=0
export EMBEDLAB_RUNS="${EMBEDLAB_RUNS:-$OUT/runs}"
FAILED=0

step() {  # step NAME SECONDS COMMAND...
  local name="$1" limit="$2" start rc
  shift 2
  start=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >"$OUT/$name.jsonl" 2>"$OUT/$name.log"
  rc=$?
  [ "$rc" -eq 0 ] || FAILED=$((FAILED + 1))
  printf '{"step": "%s", "rc": %d, "seconds": %d, "dry_run": %s}\n' \
    "$name" "$rc" "$(( $(date +%s) - start ))" "$([ $DRY -eq 1 ] && echo true || echo false)" >>"$OUT/steps.jsonl"
  echo "device_check: $name rc=$rc ($(( $(date +%s) - start )) s)" >&2
}

step env 60 "$PY" -c '
import json, os, platform, torch
cuda = torch.cuda.is_available()
print(json.dumps({"bench": "env", "python": platform.python_version(), "torch": torch.__version__,
    "cuda": torch.version.cuda, "gpu": torch.cuda.get_device_name(0) if cuda else None,
    "gpu_count": torch.cuda.device_count(), "bf16": bool(cuda and torch.cuda.is_bf16_supported()),
    "gpu_memory_gb": round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1) if cuda else None,
    "cpus": os.cpu_count()}))'

if [ $DRY -eq 1 ]; then
  step word2vec 300 "$PY" benchmarks/word2vec.py --corpus lee --engines torch,gensim --device cpu --epochs 1
  step gpu_tests 300 "$PY" -m pytest -m gpu -q -p no:cacheprovider --collect-only
  step finetune 300 "$PY" benchmarks/finetune_precision.py --device cpu --precisions no --samples 16 --epochs 1 --max-length 32 --batch-size 8
else
  step word2vec 200 "$PY" benchmarks/word2vec.py --corpus enwiki --engines torch,gensim --device cuda --epochs 5
  step gpu_tests 120 "$PY" -m pytest -m gpu -q -p no:cacheprovider
  step finetune 120 "$PY" benchmarks/finetune_precision.py --device cuda --precisions no,bf16 --epochs 2
fi

if "$PY" -m core pretrain --help >/dev/null 2>&1; then
  if [ $DRY -eq 1 ]; then
    step pretrain 300 "$PY" benchmarks/pretrain_throughput.py --dry-run
  else
    step pretrain 90 "$PY" benchmarks/pretrain_throughput.py --device cuda
  fi
else
  printf '{"step": "pretrain", "rc": 0, "seconds": 0, "skipped": "python -m core pretrain is not in this checkout"}\n' >>"$OUT/steps.jsonl"
fi

step ddp 120 torchrun --standalone --nproc_per_node 2 benchmarks/ddp_smoke.py

echo "device_check: results in $OUT ($FAILED failed step(s))" >&2
exit "$FAILED"
