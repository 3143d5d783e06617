#!/usr/bin/env python3
"""Writes tests/Fixtures/timm/blocks/: single encoder blocks built by timm's own classes (vision_transformer.Block and
eva.EvaBlock), one per block option ShapedVit's EncoderBlock has, every parameter randomised as the family references
are (make_family_references.randomise), and each block's output computed by timm's own code in float64.

Reference data only: run it by hand, never from a test.

    PYTHONPATH=/tmp/timm-src /usr/bin/python3 tests/Fixtures/timm/make_block_references.py

Per CASE: CASE.safetensors holding the block's state_dict under its own keys (float32), ref.input [2,N,16] and
ref.output [2,N,16] (float64 computation, stored as float32); rotary cases also ref.grid = [grid_h, grid_w] and
ref.prefix = [num_prefix_tokens] (stored as float32 numbers). Re-running gives byte-identical files.
"""
import os
import sys
import zlib
from functools import partial

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_family_references as fam  # noqa: E402  (randomise, write_safetensors)
import timm.layers as layers  # noqa: E402
import timm.models.eva as eva  # noqa: E402
import timm.models.vision_transformer as vt  # noqa: E402

DIM, HEADS = 16, 2  # head width 8: the rotary embedding's two bands per axis
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blocks")


def vit_block(**kw):
    return vt.Block(DIM, HEADS, mlp_ratio=2.0, qkv_bias=kw.pop("qkv_bias", True), **kw)


def eva_block(**kw):
    return eva.EvaBlock(DIM, HEADS, mlp_ratio=kw.pop("mlp_ratio", 2.0), qkv_fused=False, **kw)


# name -> (constructor, grid (rotary only) or None, prefix tokens, sequence length)
CASES = {
    "qknorm_rms": (lambda: vit_block(qkv_bias=False, qk_norm=True, norm_layer=layers.RmsNorm), None, 1, 7),
    "swiglu_packed": (lambda: vit_block(mlp_layer=layers.SwiGLUPacked, act_layer=nn.SiLU), None, 1, 7),
    "quickgelu_ln1e5": (lambda: vit_block(act_layer=layers.QuickGELU, norm_layer=partial(layers.LayerNorm, eps=1e-5)), None, 1, 7),
    "gelu_tanh": (lambda: vit_block(act_layer=partial(nn.GELU, approximate="tanh")), None, 1, 7),
    "scale_norms_ls": (lambda: vit_block(init_values=0.5, scale_attn_norm=True, scale_mlp_norm=True), None, 1, 7),
    "swiglu_split_rms": (lambda: vit_block(mlp_layer=layers.SwiGLU, act_layer=nn.SiLU, scale_mlp_norm=True, norm_layer=layers.RmsNorm), None, 1, 7),
    "eva_rope": (lambda: eva_block(swiglu_mlp=True, scale_mlp=True, scale_attn_inner=True, num_prefix_tokens=1), (3, 2), 1, 7),
    "eva_rope_ls_noprefix": (lambda: eva_block(swiglu_mlp=True, scale_mlp=True, init_values=0.5, num_prefix_tokens=0), (2, 3), 0, 6),
}
REF_GRID = (2, 2)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for name, (make, grid, prefix, length) in CASES.items():
        seed = zlib.crc32(name.encode())
        torch.manual_seed(seed)
        block = make().eval()
        gen = torch.Generator().manual_seed(seed)
        fam.randomise(block, gen)
        x = torch.randn(2, length, DIM, generator=gen)
        ref = block.double()
        with torch.no_grad():
            if grid is None:
                y = ref(x.double())
            else:
                rope = layers.RotaryEmbeddingCat(DIM // HEADS, in_pixels=False, ref_feat_shape=REF_GRID)
                emb = rope.get_embed(shape=list(grid))
                y = ref(x.double(), rope=emb)
        tensors = {k: v.float() for k, v in block.float().state_dict().items()}
        tensors["ref.input"] = x
        tensors["ref.output"] = y.float()
        if grid is not None:
            tensors["ref.grid"] = torch.tensor(grid, dtype=torch.float32)
            tensors["ref.prefix"] = torch.tensor([prefix], dtype=torch.float32)
        fam.write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors)
        print(name, sorted(k for k in tensors if not k.startswith("ref.")))


if __name__ == "__main__":
    main()
