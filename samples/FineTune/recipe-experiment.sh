#!/usr/bin/env bash
# FineTune's augmentation defaults against other flags (samples/FineTune/README.md, "Defaults that fit the data"), small
# enough for a shared 2-core machine: pre-train FashionVit on classes 0-4 of the shipped Fashion-MNIST slice, then
# fine-tune on (a) the shipped fashion-5-9-folder (30 images) tested on the slice's 469 test images of classes 5-9, and
# (b) a grey digit folder made by make_digit_folder.py (400 images) tested on 600 more. Every run: 20 epochs (the
# default), no validation split, one thread.
#
# Usage: samples/FineTune/recipe-experiment.sh [OUT_DIR]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$repo/runs/recipes}"
mkdir -p "$out/logs"

dotnet build "$repo/samples/FashionMnist" -c Release -nologo -v:q
dotnet build "$repo/samples/FineTune" -c Release -nologo -v:q
fashion="$repo/samples/FashionMnist/bin/Release/net10.0/fashion-mnist.dll"
finetune="$repo/samples/FineTune/bin/Release/net10.0/finetune.dll"

[[ -f "$out/pretrain/model.safetensors" ]] || dotnet "$fashion" --classes 0 1 2 3 4 --epochs 10 --batch-size 128 --lr 3e-3 \
  --out "$out/pretrain" --plain --threads 1 | tee "$out/pretrain.log"
python3 "$repo/samples/FineTune/make_image_folder.py" --data "$repo/samples/data/fashion-mnist-slice" --split test --classes 5 6 7 8 9 --out "$out/fashion-test"
python3 "$repo/samples/FineTune/make_digit_folder.py" --per-class 40 --seed 1 --out "$out/digits-train"
python3 "$repo/samples/FineTune/make_digit_folder.py" --per-class 60 --seed 2 --out "$out/digits-test"

run() {
  local name=$1; shift
  dotnet "$finetune" "$@" --checkpoint "$out/pretrain/model.safetensors" --val-fraction 0 --plain --threads 1 --out "$out/runs/$name" > "$out/logs/$name.log"
  echo "$name: $(grep -h '^test accuracy' "$out/logs/$name.log")"
}
fashion_data=("$repo/samples/data/fashion-5-9-folder" --test "$out/fashion-test")
digit_data=("$out/digits-train" --test "$out/digits-test")
for set in fashion digit; do
  declare -n data="${set}_data"
  run "$set-defaults" "${data[@]}"
  run "$set-photo" "${data[@]}" --recipe photo
  run "$set-half-crop-flip" "${data[@]}" --recipe photo --min-scale 0.5 --no-trivial-augment
  run "$set-crop-0.75" "${data[@]}" --min-scale 0.75
  run "$set-crop-0.5" "${data[@]}" --min-scale 0.5
  run "$set-from-scratch" "${data[@]}" --from-scratch
  run "$set-linear-probe" "${data[@]}" --linear-probe
done
