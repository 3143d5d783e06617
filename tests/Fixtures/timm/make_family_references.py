#!/usr/bin/env python3
"""Writes tests/Fixtures/timm/families/: for each ViT family ShapedVit declares, a tiny model built by timm's own
classes, its state_dict (every parameter randomised), and its outputs computed by timm's own code in float64.

Reference data only: run it by hand, never from a test. timm's source is not part of this repository; point
PYTHONPATH at an unpacked copy of github.com/huggingface/pytorch-image-models (it runs on Debian's python3-torch 1.13):

    PYTHONPATH=/tmp/timm-src /usr/bin/python3 tests/Fixtures/timm/make_family_references.py

Re-running it gives byte-identical files (fixed seeds, sorted keys, no timestamps). It then plants faults into the
float64 references' recipe (no antialias on the resampled position embedding, registers in the wrong order, ...) and
prints how far each moves the outputs, the "oracle sensitivity" table of families/README.md; pass --no-check to skip.

For each CASE it writes:
  CASE.weights.safetensors    the model's state_dict(), timm's exact keys, float32
  CASE.reference.safetensors  ref.input [2,3,H,W] float32 values; ref.logits = model(x); ref.pre_logits =
                              forward_head(forward_features(x), pre_logits=True); ref.features = forward_features(x)
                              (all tokens); dynamic cases also ref.input_dynamic at a non-square size off the built
                              one and ref.logits_dynamic / ref.pre_logits_dynamic / ref.features_dynamic. All computed
                              with model.double().eval() from the float32 weights and inputs, then cast to float32.
  CASE.json                   timm class, kwargs, parameter count, prefix tokens, input sizes, buffers, timm commit
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import zlib
from functools import partial

import torch
import torch.nn as nn

import timm  # noqa: F401  (PYTHONPATH must point at timm's source)
import timm.layers as layers
import timm.layers.pos_embed as pos_embed_module
import timm.models.deit as deit
import timm.models.eva as eva
import timm.models.vision_transformer as vision_transformer
from timm.layers import LayerNorm, RmsNorm, SwiGLUPacked

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "families")
TIMM_SRC = os.environ.get("TIMM_SRC") or next((p for p in sys.path if os.path.isdir(os.path.join(p, "timm"))), "")
BATCH = 2
MATRIX_GAIN = 0.7  # matrices N(0, 0.7/sqrt(fan_in)): activations O(1), float32 ports within ~2e-6 of float64

# The common base: img 32, patch 8, embed 48, depth 2, heads 4, mlp_ratio 2 (hidden 96), 5 classes.
BASE = dict(img_size=32, patch_size=8, embed_dim=48, depth=2, num_heads=4, mlp_ratio=2.0, num_classes=5)
# Patch 7 on 28 keeps DINOv2's and EVA-02's odd patch (14) without a big model.
P7 = dict(BASE, img_size=28, patch_size=7)
EVA02 = dict(P7, mlp_ratio=8 / 3, qkv_fused=False, swiglu_mlp=True, scale_mlp=True, use_rot_pos_emb=True,
             ref_feat_shape=(2, 2), dynamic_img_size=True)

# name: (timm class, kwargs, dynamic input (H, W) or None). A dynamic size is non-square and off the built grid
# (4x4): 5x3 patches, so one axis is upsampled and the other downsampled (antialias matters only when downsampling).
CASES = {
    "vit": (vision_transformer.VisionTransformer, dict(BASE), None),
    "vit_gap_reg": (vision_transformer.VisionTransformer,
                    dict(BASE, class_token=False, reg_tokens=2, no_embed_class=True, global_pool="avg",
                         dynamic_img_size=True), (40, 24)),
    "deit_distilled": (deit.VisionTransformerDistilled, dict(BASE), None),
    "deit3": (vision_transformer.VisionTransformer, dict(BASE, init_values=1e-6, no_embed_class=True), None),
    "clip": (vision_transformer.VisionTransformer,
             dict(BASE, pre_norm=True, norm_layer=partial(LayerNorm, eps=1e-5)), None),
    "clip_quickgelu": (vision_transformer.VisionTransformer,
                       dict(BASE, pre_norm=True, norm_layer=partial(LayerNorm, eps=1e-5), act_layer="quick_gelu"),
                       None),
    "siglip_map": (vision_transformer.VisionTransformer,
                   dict(BASE, class_token=False, global_pool="map", act_layer="gelu_tanh", dynamic_img_size=True),
                   (40, 24)),
    "siglip_gap": (vision_transformer.VisionTransformer,
                   dict(BASE, class_token=False, global_pool="avg", fc_norm=False, act_layer="gelu_tanh"), None),
    "dinov2": (vision_transformer.VisionTransformer, dict(P7, init_values=1e-5, dynamic_img_size=True), (35, 21)),
    "dinov2_reg": (vision_transformer.VisionTransformer,
                   dict(P7, init_values=1e-5, reg_tokens=4, no_embed_class=True, dynamic_img_size=True), (35, 21)),
    "qknorm_rms": (vision_transformer.VisionTransformer,
                   dict(BASE, qk_norm=True, norm_layer=RmsNorm, qkv_bias=False), None),
    "swiglu_packed": (vision_transformer.VisionTransformer,
                      dict(BASE, mlp_layer=SwiGLUPacked, act_layer=nn.SiLU), None),
    "no_pos_embed": (vision_transformer.VisionTransformer, dict(BASE, pos_embed="none"), None),
    # Eva's own defaults otherwise: global_pool='avg' (fc_norm after pooling, no final norm), class token, no layer
    # scale, LayerNorm eps 1e-6.
    "eva02": (eva.Eva, dict(EVA02), (35, 21)),
    # timm's eva02_*_clip_* archs: global_pool='token' (final norm, no fc_norm) and scale_attn_inner.
    "eva02_clip": (eva.Eva, dict(EVA02, scale_attn_inner=True, global_pool="token"), (35, 21)),
}

NORMS = (nn.LayerNorm, RmsNorm, layers.RmsNorm2d, nn.GroupNorm) if hasattr(layers, "RmsNorm2d") else (
    nn.LayerNorm, RmsNorm)


def describe(value):
    """A JSON-safe description of a constructor argument (classes and partials by name)."""
    if isinstance(value, partial):
        inner = describe(value.func)
        args = {k: describe(v) for k, v in value.keywords.items()}
        return {"partial": inner, **args} if args else inner
    if isinstance(value, type) or callable(value):
        return getattr(value, "__name__", repr(value))
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    return value


def timm_commit():
    commit = ""
    if TIMM_SRC:
        commit = subprocess.run(["git", "-C", TIMM_SRC, "rev-parse", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
    return commit or os.environ.get("TIMM_COMMIT", "unknown")


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def no_zero_or_one(t, sample):
    """Resamples the elements that came out exactly 0 or 1 (so a missing weight or bias cannot pass unnoticed)."""
    bad = (t == 0) | (t == 1)
    while bool(bad.any()):
        t[bad] = sample(t.shape)[bad]
        bad = (t == 0) | (t == 1)
    return t


def randomise(model, gen):
    """Every parameter re-drawn: norm weights 1 + U(-0.4, 0.4), layer-scale gammas U(0.3, 0.9), everything else
    N(0, 0.3) for vectors and tokens and N(0, 0.7/sqrt(fan_in)) for matrices (so activations stay O(1) and a float32
    implementation can reach the 1e-5 tolerance; see families/README.md)."""
    norm_weights = set()
    for mname, module in model.named_modules():
        if isinstance(module, NORMS) and getattr(module, "weight", None) is not None:
            norm_weights.add(f"{mname}.weight" if mname else "weight")
    with torch.no_grad():
        for name, p in model.named_parameters():
            shape = p.shape
            leaf = name.rsplit(".", 1)[-1]
            if name in norm_weights:
                def sample(s):
                    return 1 + (torch.rand(s, generator=gen) * 0.8 - 0.4)
            elif leaf in ("gamma", "gamma_1", "gamma_2"):
                def sample(s):
                    return 0.3 + torch.rand(s, generator=gen) * 0.6
            elif p.dim() >= 2 and not leaf.endswith("token") and leaf not in ("pos_embed", "latent"):
                fan_in = p[0].numel()
                std = MATRIX_GAIN * fan_in ** -0.5

                def sample(s, std=std):
                    return torch.randn(s, generator=gen) * std
            else:
                def sample(s):
                    return torch.randn(s, generator=gen) * 0.3
            p.copy_(no_zero_or_one(sample(shape).to(torch.float32), sample))


def outputs(model, x):
    feats = model.forward_features(x)
    return {
        "features": feats,
        "pre_logits": model.forward_head(feats, pre_logits=True),
        "logits": model(x),
    }


def build(name):
    cls, kwargs, dynamic = CASES[name]
    torch.manual_seed(seed_of(name))
    model = cls(**kwargs).eval()
    gen = torch.Generator().manual_seed(seed_of(name))
    randomise(model, gen)
    h = w = kwargs["img_size"]
    x = torch.randn(BATCH, 3, h, w, generator=gen, dtype=torch.float32)
    xd = torch.randn(BATCH, 3, *dynamic, generator=gen, dtype=torch.float32) if dynamic else None
    return model, x, xd


def reference(model, x, xd, mutate=None):
    """timm's outputs in float64 from the float32 weights and inputs, cast to float32 (MUTATE plants a fault)."""
    import copy
    m64 = copy.deepcopy(model).double().eval()
    if mutate is not None:
        mutate(m64)
    out = {"ref.input": x}
    with torch.no_grad():
        for k, v in outputs(m64, x.double()).items():
            out[f"ref.{k}"] = v.float()
        if xd is not None:
            out["ref.input_dynamic"] = xd
            for k, v in outputs(m64, xd.double()).items():
                out[f"ref.{k}_dynamic"] = v.float()
    return out


def float32_error(model, ref, xd):
    """How far timm's own float32 forward lands from the float64 reference (what a float32 port can hope for)."""
    with torch.no_grad():
        got = {f"ref.{k}": v for k, v in outputs(model, ref["ref.input"]).items()}
        if xd is not None:
            got.update({f"ref.{k}_dynamic": v for k, v in outputs(model, xd).items()})
    return max(float((got[k] - ref[k]).abs().max()) for k in got)


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for key in sorted(tensors):
        t = tensors[key].detach().to(torch.float32).contiguous().cpu()
        data = t.numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # safetensors pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def buffers_of(model):
    persistent = set(model.state_dict().keys())
    result = []
    for name, b in model.named_buffers():
        entry = {"name": name, "shape": list(b.shape), "persistent": name in persistent}
        if b.numel() <= 64:
            entry["values"] = [float(v) for v in b.flatten().tolist()]
        result.append(entry)
    return result


def make(name, commit):
    cls, kwargs, dynamic = CASES[name]
    model, x, xd = build(name)
    state = model.state_dict()
    for k, v in state.items():
        assert v.dtype == torch.float32, k
        assert not bool(((v == 0) | (v == 1)).any()), f"{name}: {k} has an exact 0 or 1"
    ref = reference(model, x, xd)
    write_safetensors(os.path.join(OUT, f"{name}.weights.safetensors"), state)
    write_safetensors(os.path.join(OUT, f"{name}.reference.safetensors"), ref)
    meta = {
        "case": name,
        "timm_class": f"{cls.__module__}.{cls.__name__}",
        "kwargs": describe(kwargs),
        "parameter_count": sum(p.numel() for p in model.parameters()),
        "num_prefix_tokens": model.num_prefix_tokens,
        "input_size": [BATCH, 3, kwargs["img_size"], kwargs["img_size"]],
        "dynamic_input_size": [BATCH, 3, *dynamic] if dynamic else None,
        "buffers": buffers_of(model),
        "timm_commit": commit,
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    err = float32_error(model, ref, xd)
    print(f"{name:16s} params {meta['parameter_count']:7d}  prefix {model.num_prefix_tokens}  "
          f"float32-vs-float64 max |diff| {err:.2e}  |logits| max {float(ref['ref.logits'].abs().max()):.2f}")
    return err


# ---- oracle sensitivity: plant the faults the C# tests will plant, in float64, and measure how far they move ----

def diff(a, b):
    return max(float((a[k] - b[k]).abs().max()) for k in a if k in b and k != "ref.input" and "input" not in k)


def planted(name, fault):
    """The reference outputs of CASE with FAULT applied to timm's model or code."""
    model, x, xd = build(name)
    restore = []
    try:
        return reference(model, x, xd, lambda m: plant(m, fault, restore))
    finally:
        for mod, attr, value in restore:
            setattr(mod, attr, value)


def plant(model, fault, restore):
    if fault == "no_antialias":
        orig = pos_embed_module.resample_abs_pos_embed

        def plain(*a, **k):
            k["antialias"] = False
            return orig(*a, **k)
        for mod in (vision_transformer, deit, eva):
            restore.append((mod, "resample_abs_pos_embed", getattr(mod, "resample_abs_pos_embed")))
            setattr(mod, "resample_abs_pos_embed", plain)
    elif fault == "registers_reversed":
        with torch.no_grad():
            model.reg_token.copy_(model.reg_token.flip(1))
    elif fault == "pos_embed_grid_transposed":
        with torch.no_grad():
            pe = model.pos_embed
            n = model.patch_embed.grid_size
            pre = 0 if model.no_embed_class else model.num_prefix_tokens
            grid = pe[:, pre:].reshape(1, n[0], n[1], -1).transpose(1, 2).reshape(1, n[0] * n[1], -1)
            pe[:, pre:] = grid
    elif fault == "exact_gelu":
        for m in model.modules():
            if m.__class__.__name__ in ("GELUTanh",):
                m.__class__ = nn.GELU
                m.approximate = "none"
    elif fault == "gelu_not_quick":
        for mod in model.modules():
            if hasattr(mod, "act") and mod.act.__class__.__name__ == "QuickGELU":
                mod.act = nn.GELU()
    elif fault == "eps_1e-6":
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.eps = 1e-6
    elif fault == "cls_head_only":
        model.head_dist = model.head
    elif fault == "no_qk_norm":
        for m in model.modules():
            if hasattr(m, "q_norm"):
                m.q_norm = nn.Identity()
                m.k_norm = nn.Identity()
    elif fault == "glu_halves_swapped":
        for m in model.modules():
            if m.__class__.__name__ == "GluMlp":
                m.gate_last = not m.gate_last
    elif fault == "no_inner_attn_norm":
        for blk in model.blocks:
            blk.attn.norm = nn.Identity()
    elif fault == "no_inner_mlp_norm":
        for blk in model.blocks:
            blk.mlp.norm = nn.Identity()
    elif fault == "rope_own_grid":
        model.rope.ref_feat_shape = None
    elif fault == "rope_off":
        model.rope = None
    elif fault == "distill_first_token_only":
        def head(x, pre_logits=False):
            return x[:, 0] if pre_logits else model.head(x[:, 0])
        model.forward_head = head
        model.forward = lambda x: head(model.forward_features(x))
    elif fault == "mean_includes_prefix":
        model.pool_include_prefix = True
    elif fault == "no_pre_norm":
        model.norm_pre = nn.Identity()
    elif fault == "layer_scale_off":
        for blk in model.blocks:
            blk.ls1 = nn.Identity()
            blk.ls2 = nn.Identity()
    elif fault == "map_latent_mean_instead":
        model.attn_pool = None
        model.global_pool = "avg"
    else:
        raise ValueError(fault)


FAULTS = [
    ("vit_gap_reg", "no_antialias"), ("siglip_map", "no_antialias"), ("dinov2", "no_antialias"),
    ("dinov2_reg", "no_antialias"), ("eva02", "no_antialias"), ("eva02_clip", "no_antialias"),
    ("vit_gap_reg", "registers_reversed"), ("dinov2_reg", "registers_reversed"),
    ("vit", "pos_embed_grid_transposed"), ("deit3", "pos_embed_grid_transposed"),
    ("vit_gap_reg", "mean_includes_prefix"),
    ("deit_distilled", "distill_first_token_only"),
    ("deit3", "layer_scale_off"),
    ("clip", "no_pre_norm"), ("clip", "eps_1e-6"), ("clip_quickgelu", "gelu_not_quick"),
    ("siglip_map", "exact_gelu"), ("siglip_gap", "exact_gelu"), ("siglip_map", "map_latent_mean_instead"),
    ("qknorm_rms", "no_qk_norm"), ("swiglu_packed", "glu_halves_swapped"),
    ("eva02", "rope_own_grid"), ("eva02", "rope_off"), ("eva02", "no_inner_mlp_norm"),
    ("eva02_clip", "no_inner_attn_norm"),
]


def sensitivity():
    print("\noracle sensitivity (max |planted - reference| over logits, pre_logits, features, dynamic ones too):")
    rows = []
    for name, fault in FAULTS:
        model, x, xd = build(name)
        good = reference(model, x, xd)
        bad = planted(name, fault)
        keys = [k for k in good if "input" not in k]
        if fault == "no_antialias":
            keys = [k for k in keys if k.endswith("_dynamic")]
        d = max(float((good[k] - bad[k]).abs().max()) for k in keys)
        rows.append((name, fault, d))
        print(f"  {name:16s} {fault:28s} {d:.3e}  {'caught' if d > 1e-5 else 'NOT CAUGHT'}")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-check", action="store_true", help="skip the planted-fault sensitivity table")
    parser.add_argument("cases", nargs="*", help="cases to make (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # bit-identical re-runs
    os.makedirs(OUT, exist_ok=True)
    commit = timm_commit()
    for name in args.cases or CASES:
        make(name, commit)
    if not args.no_check:
        rows = sensitivity()
        missed = [r for r in rows if r[2] <= 1e-5]
        if missed:
            sys.exit(f"faults not caught: {missed}")


if __name__ == "__main__":
    main()
