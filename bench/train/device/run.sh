#!/usr/bin/env bash
# lathe's training step on a GPU against PyTorch's on the same GPU, then a real LoRA training on
# CUDA whose validation loss must fall. Runs on the lent GPU machine, which has the NVIDIA driver,
# python3 with torch (cu130), transformers and peft, and no Rust: the lathe binaries come built
# (scripts/cuda/build FOLDER puts them beside this script).
# Usage: bash run.sh [ROUNDS]   (default 3; output also goes to $OUT/log)
# Environment: PYTHON (default python3), LATHE_BIN_DIR (default: this script's folder),
# BUDGET_S (default 330: rounds still to start after this many seconds are skipped).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${LATHE_BIN_DIR:-$here}
python=${PYTHON:-python3}
rounds=${1:-3}
budget=${BUDGET_S:-330}
out=${OUT:-$here/out}
mkdir -p "$out"
exec > >(tee "$out/log") 2>&1
started=$SECONDS

echo "== lathe GPU run, $(date -u +%FT%TZ), $(uname -m), $(nproc) cores"
nvidia-smi -L || { echo "error: nvidia-smi failed: no NVIDIA driver or GPU here"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

# The CUDA 13 runtime libraries the binaries link (cudart, cublas, cublasLt, curand, nvrtc): the
# ones PyTorch's wheels ship, else a system toolkit. libcuda.so.1 comes with the driver.
library_dirs=()
if nvidia_paths=$("$python" -c "import nvidia; print('\n'.join(nvidia.__path__))" 2>/dev/null); then
  while read -r nvidia; do
    for dir in "$nvidia"/*/lib; do [ -d "$dir" ] && library_dirs+=("$dir"); done
  done <<<"$nvidia_paths"
fi
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$dir" ] && library_dirs+=("$dir")
done
joined=$(IFS=:; echo "${library_dirs[*]}")
export LD_LIBRARY_PATH="$joined${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

# candle's kernels come as PTX that the driver compiles on first use; its cache lets the runs after
# the probe skip that (a few seconds per process otherwise).
export CUDA_CACHE_PATH=${CUDA_CACHE_PATH:-/tmp/lathe-cuda-cache} CUDA_CACHE_MAXSIZE=4294967296
mkdir -p "$CUDA_CACHE_PATH"

# The binaries come gzipped (scripts/cuda/build); unpacked ones beside this script are used as they are.
unpacked=${TMPDIR:-/tmp}/lathe-device-bin
mkdir -p "$unpacked"
for program in train_step train_tiny; do
  if [ -x "$bin/$program" ]; then
    cp "$bin/$program" "$unpacked/$program"
  elif [ -f "$bin/$program.gz" ]; then
    gzip -dc "$bin/$program.gz" >"$unpacked/$program" ||
      "$python" -c "import gzip, shutil, sys; shutil.copyfileobj(gzip.open(sys.argv[1]), open(sys.argv[2], 'wb'))" "$bin/$program.gz" "$unpacked/$program" ||
      { echo "error: cannot unpack $bin/$program.gz"; exit 1; }
  else
    echo "error: neither $bin/$program nor $bin/$program.gz is here; build them with scripts/cuda/build $bin"; exit 1
  fi
  chmod +x "$unpacked/$program"
done
bin=$unpacked

# Fail fast, with what is needed to see why, when the binary cannot load CUDA or open the GPU.
probe_started=$SECONDS
if ldd "$bin/train_step" | grep -q "not found" ||
  ! probe=$(timeout 150 "$bin/train_step" llama-4m 2 32 1 --device cuda 2>&1); then
  echo "error: lathe's CUDA binary cannot run here."
  echo "${probe:-}"
  echo "ldd $bin/train_step:"; ldd "$bin/train_step"
  echo "LD_LIBRARY_PATH used: $LD_LIBRARY_PATH"
  exit 1
fi
echo "probe ($((SECONDS - probe_started)) s, kernels compiled from PTX included): $probe"
"$python" -c "import torch, transformers, peft; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'transformers', transformers.__version__, 'peft', peft.__version__)" ||
  { echo "error: $python cannot import torch, transformers and peft"; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

# shape batch seq method steps
cases=(
  "smollm2-135m 8 256 full 5"
  "smollm2-135m 8 256 lora 5"
  "llama-4m 8 256 full 20"
)
summary=()
for case in "${cases[@]}"; do
  read -r shape batch seq method steps <<<"$case"
  extra=""; [ "$method" = lora ] && extra=lora
  torch_runs=(); lathe_runs=()
  for ((round = 1; round <= rounds; round++)); do
    if ((SECONDS - started > budget)); then echo "  (time budget spent: round $round skipped)"; break; fi
    line=$(timeout 120 "$python" "$here/torch_train_step.py" "$shape" "$batch" "$seq" "$steps" $extra --device cuda 2>&1 | tail -1)
    echo "  round $round pytorch: $line"
    torch_runs+=("$(echo "$line" | field train_tokens_per_s)")
    line=$(timeout 120 "$bin/train_step" "$shape" "$batch" "$seq" "$steps" $extra --device cuda 2>&1 | tail -1)
    echo "  round $round lathe:   $line"
    lathe_runs+=("$(echo "$line" | field train_tokens_per_s)")
  done
  torch_median=$(printf '%s\n' "${torch_runs[@]}" | grep -E '^[0-9.]+$' | median)
  lathe_median=$(printf '%s\n' "${lathe_runs[@]}" | grep -E '^[0-9.]+$' | median)
  ratio=$(awk -v l="$lathe_median" -v t="$torch_median" 'BEGIN{ if (t > 0 && l > 0) printf "%.2f", l/t; else print "nan" }')
  result="$shape $method batch=$batch seq=$seq (cuda, f32): lathe $lathe_median tokens/s, pytorch $torch_median tokens/s, ratio ${ratio}x"
  echo "$result"
  summary+=("$result")
done

echo "== tiny LoRA training, the lathe train path (spec -> job -> train), 50 steps"
timeout 150 "$bin/train_tiny" --device cuda 50 || echo "error: the CUDA LoRA training failed (exit $?)"
echo "== the same training on the CPU, to compare the losses"
timeout 90 "$bin/train_tiny" --device cpu 50 || echo "error: the CPU LoRA training failed (exit $?)"

echo "== summary (medians over $rounds rounds; $((SECONDS - started)) s in all)"
printf '%s\n' "${summary[@]}"
