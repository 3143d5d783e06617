#!/usr/bin/env bash
# The transfer effect on real data (samples/FineTune/README.md): pre-train FashionVit on Fashion-MNIST classes 0-4 (all
# 30,000 training images), then learn classes 5-9 from 50 training images per class, four ways with the same budget, and
# test on all 5,000 test images of classes 5-9. Needs the full data set: apt-get install dataset-fashion-mnist.
#
# One libtorch thread everywhere: the results are deterministic per CPU model and thread count, and on a shared machine
# one thread per process runs far faster than two that wait for each other.
#
# Usage: samples/FineTune/transfer-experiment.sh [DATA_DIR] [OUT_DIR]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${1:-/usr/share/datasets/fashion-mnist}"
out="${2:-$repo/runs/transfer}"
mkdir -p "$out"

dotnet build "$repo/samples/FashionMnist" -c Release -nologo -v:q
dotnet build "$repo/samples/FineTune" -c Release -nologo -v:q
fashion="$repo/samples/FashionMnist/bin/Release/net10.0/fashion-mnist.dll"
finetune="$repo/samples/FineTune/bin/Release/net10.0/finetune.dll"

# 1. Pre-training on classes 0-4.
[[ -f "$out/pretrain/model.safetensors" ]] || dotnet "$fashion" --data "$data" --classes 0 1 2 3 4 --epochs 15 --batch-size 128 --lr 3e-3 \
  --out "$out/pretrain" --plain --threads 1 | tee "$out/pretrain.log"

# 2. Classes 5-9 as image folders: 50 training images per class (the first in file order) and every test image.
python3 "$repo/samples/FineTune/make_image_folder.py" --data "$data" --split train --classes 5 6 7 8 9 --per-class 50 --out "$out/folders/train"
python3 "$repo/samples/FineTune/make_image_folder.py" --data "$data" --split test --classes 5 6 7 8 9 --out "$out/folders/test"

# 3. The same budget for each: 40 epochs over the 250 images, batch 32, AdamW 2e-3, RandomResizedCrop (0.5-1) + flip + TrivialAugment
#    (--recipe photo names that recipe: since FineTune derives the recipe from the images, grey 28 px images would get `small`).
common=("$out/folders/train" --checkpoint "$out/pretrain/model.safetensors" --test "$out/folders/test" --val-fraction 0
        --epochs 40 --batch-size 32 --lr 2e-3 --warmup 2 --recipe photo --min-scale 0.5 --seed 42 --plain --threads 1)
dotnet "$finetune" "${common[@]}" --from-scratch --out "$out/scratch" | tee "$out/scratch.log"
dotnet "$finetune" "${common[@]}" --linear-probe --out "$out/probe" | tee "$out/probe.log"
dotnet "$finetune" "${common[@]}" --out "$out/finetune" | tee "$out/finetune.log"
dotnet "$finetune" "${common[@]}" --layer-decay 0.75 --out "$out/layer-decay" | tee "$out/layer-decay.log"

grep -h "^test accuracy" "$out"/{scratch,probe,finetune,layer-decay}.log
