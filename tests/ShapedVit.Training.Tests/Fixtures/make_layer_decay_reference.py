#!/usr/bin/python3
"""Writes layer_decay_reference.json: timm's own parameter groups for layer-wise learning-rate decay.

For each model below it runs timm.optim.param_groups_layer_decay exactly as timm's create_optimizer_v2 calls it
(weight_decay 0.05, layer_decay 0.75, no_weight_decay_list = model.no_weight_decay()) and records every group's
lr_scale, weight_decay and parameter names (with shapes), in timm's order. ShapedVit's ParameterGroups.Create must
give the same partition, scales and decays (tests/ShapedVit.Training.Tests/LayerDecayReferenceTests.cs).

The models are depth-3 ViTs as small as the tests' TinyVit (8x8 grey images, patch 4, width 16, 2 heads, MLP 32):
  vit_depth3            class token, no registers
  vit_depth3_registers  class token and 2 register tokens
  deit_distilled_depth3 DeiT's distilled ViT (class and distillation tokens, head and head_dist)

timm is imported from a checkout of its source, never copied into this repository:
  fetch github:huggingface/pytorch-image-models, then
  git --git-dir=/work/.mirror/huggingface+pytorch-image-models/repo archive HEAD timm | tar -x -C /tmp/timm-src
Needs Debian's python3-torch (apt-get install python3-torch; timm also imports yaml: python3-yaml).
Usage: /usr/bin/python3 make_layer_decay_reference.py [TIMM_SOURCE_DIR (default /tmp/timm-src)]
"""
import json
import os
import sys

TIMM_SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/tmp/timm-src"
sys.path.insert(0, TIMM_SOURCE)

import torch  # noqa: E402
import timm  # noqa: E402
from timm.models.deit import VisionTransformerDistilled  # noqa: E402
from timm.models.vision_transformer import VisionTransformer  # noqa: E402
from timm.optim import param_groups_layer_decay  # noqa: E402

WEIGHT_DECAY = 0.05
LAYER_DECAY = 0.75
SHAPES = dict(img_size=8, patch_size=4, in_chans=1, embed_dim=16, depth=3, num_heads=2, mlp_ratio=2.0, num_classes=10)


def groups_of(model):
    names = {id(p): n for n, p in model.named_parameters()}
    shapes = {n: list(p.shape) for n, p in model.named_parameters()}
    groups = param_groups_layer_decay(model, weight_decay=WEIGHT_DECAY, no_weight_decay_list=model.no_weight_decay(),
                                      layer_decay=LAYER_DECAY)
    return [
        {
            "lr_scale": g["lr_scale"],
            "weight_decay": g["weight_decay"],
            "params": [{"name": names[id(p)], "shape": shapes[names[id(p)]]} for p in g["params"]],
        }
        for g in groups
    ]


def main():
    torch.manual_seed(0)
    models = {
        "vit_depth3": VisionTransformer(**SHAPES),
        "vit_depth3_registers": VisionTransformer(**SHAPES, reg_tokens=2),
        "deit_distilled_depth3": VisionTransformerDistilled(**SHAPES),
    }
    reference = {
        "timm_version": timm.__version__,
        "torch_version": torch.__version__,
        "weight_decay": WEIGHT_DECAY,
        "layer_decay": LAYER_DECAY,
        "depth": SHAPES["depth"],
        "models": [{"name": name, "groups": groups_of(model)} for name, model in models.items()],
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layer_decay_reference.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
