#!/usr/bin/env bash
# FineTune's augmentation defaults against other flags (samples/FineTune/README.md, "Defaults that fit the data"), small
# enough for a shared 2-core machine: pre-train FashionVit on classes 0-4 of the shipped Fashion-MNIST slice, then
# fine-tune on (a) the shipped fashion-5-9-folder (30 images) tested on the slice's 469 test images of classes 5-9, and
# (b) a grey digit folder made by make_digit_folder.py (400 images) tested on 600 more. Every run: 20 epochs (the
# default), no validation split, one thread; every candidate with several fine-tuning seeds (the head's initialisation,
# the batch order and the augmentation; one pre-training), since one seed's spread is wider than most gaps between
# candidates. Prints each run, then per folder and candidate the mean and the min-max over the seeds.
#
# Usage: samples/FineTune/recipe-experiment.sh [OUT_DIR]
#   FASHION_SEEDS="1 2 3 4 5" and DIGIT_SEEDS="1 2 3" (the defaults) set the seeds; CANDIDATES="defaults photo" runs
#   only those; finished runs are kept (their logs are read again).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$repo/runs/recipes}"
fashion_seeds=(${FASHION_SEEDS:-1 2 3 4 5})
digit_seeds=(${DIGIT_SEEDS:-1 2 3})
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

# name|flags (after the folder's): the defaults, the crop scale, the shift by RandomCrop with padding, both, the old defaults.
candidates=(
  "defaults|"
  "shift-2|--crop-padding 2"
  "shift-3|--crop-padding 3"
  "shift-4|--crop-padding 4"
  "crop-0.75|--crop-padding 0 --min-scale 0.75"
  "crop-0.5|--crop-padding 0 --min-scale 0.5"
  "shift-3-crop-0.75|--crop-padding 3 --min-scale 0.75"
  "photo|--recipe photo"
  "from-scratch|--from-scratch"
  "linear-probe|--linear-probe"
)
fashion_data=("$repo/samples/data/fashion-5-9-folder" --test "$out/fashion-test")
digit_data=("$out/digits-train" --test "$out/digits-test")
results="$out/results.tsv"
: > "$results"
for set in fashion digit; do
  declare -n data="${set}_data" seeds="${set}_seeds"
  for candidate in "${candidates[@]}"; do
    name="${candidate%%|*}"; read -r -a flags <<< "${candidate#*|}"
    [[ -z "${CANDIDATES:-}" || " $CANDIDATES " == *" $name "* ]] || continue
    for seed in "${seeds[@]}"; do
      run="$set-$name-seed$seed"
      grep -q '^test accuracy' "$out/logs/$run.log" 2>/dev/null || \
        dotnet "$finetune" "${data[@]}" "${flags[@]}" --seed "$seed" --checkpoint "$out/pretrain/model.safetensors" \
          --val-fraction 0 --plain --threads 1 --out "$out/runs/$run" > "$out/logs/$run.log"
      accuracy=$(grep -h '^test accuracy' "$out/logs/$run.log" | grep -o '[0-9.]* %' | tr -d ' %')
      printf '%s\t%s\t%s\t%s\n' "$set" "$name" "$seed" "$accuracy" | tee -a "$results"
    done
  done
done

echo "folder candidate mean min max (test accuracy %, over seeds ${fashion_seeds[*]} on fashion, ${digit_seeds[*]} on digits)"
awk -F'\t' '{ k = $1 " " $2; n[k]++; s[k] += $4; if (!(k in lo) || $4 < lo[k]) lo[k] = $4; if (!(k in hi) || $4 > hi[k]) hi[k] = $4; if (!(k in order)) order[k] = NR }
     END { for (k in n) printf "%d %s %.2f %.2f %.2f\n", order[k], k, s[k] / n[k], lo[k], hi[k] }' "$results" | sort -n | cut -d' ' -f2-
