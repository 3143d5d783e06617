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
and the same size in the other families, for the parameters they add (each name's layer is what matters):
  vit_depth3_gap_registers   no class token, 2 registers, mean pooling (fc_norm after pooling, no final norm)
  vit_depth3_clip            CLIP: norm_pre (timm's '^norm' matcher puts it with the final norm), no patch bias
  vit_depth3_siglip_map      SigLIP: no class token, attention-pool head (attn_pool.*, its latent is 3-D)
  vit_depth3_dinov2_reg      DINOv2 with registers: layer scale (ls1.gamma, ls2.gamma), pos embed without prefix
  eva02_depth3               timm's Eva as EVA-02: q/k/v projections, SwiGLU fc1_g/fc1_x, mlp.norm, RoPE (no
                             parameters), mean pooling with fc_norm

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
from timm.models.eva import Eva  # noqa: E402
from timm.layers import LayerNorm  # noqa: E402
from functools import partial  # noqa: E402
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
        "vit_depth3_gap_registers": VisionTransformer(**SHAPES, class_token=False, reg_tokens=2, global_pool="avg"),
        "vit_depth3_clip": VisionTransformer(**SHAPES, pre_norm=True, norm_layer=partial(LayerNorm, eps=1e-5)),
        "vit_depth3_siglip_map": VisionTransformer(**SHAPES, class_token=False, global_pool="map",
                                                   act_layer="gelu_tanh"),
        "vit_depth3_dinov2_reg": VisionTransformer(**SHAPES, init_values=1e-5, reg_tokens=4, no_embed_class=True),
        "eva02_depth3": Eva(**SHAPES, qkv_fused=False, swiglu_mlp=True, scale_mlp=True, use_rot_pos_emb=True,
                            ref_feat_shape=(2, 2)),
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
