#!/usr/bin/env python3
"""Writes timm_parameter_counts.json: for every architecture in timm_catalogue.json, timm's exact parameter count with
the class count of the architecture's default pretrained tag and with num_classes=0, the prefix tokens, the patch grid,
and embed dim / depth / heads / MLP widths, all read off the model timm itself builds.

Reference data only: run it by hand, never from a test. timm's source is not part of this repository:

    TIMM_COMMIT=aa4b5850c1543fa488abf260f18390eda46cf85d PYTHONPATH=/tmp/timm-src /usr/bin/python3 \
        tests/Fixtures/timm/make_timm_parameter_counts.py

Models are built with timm.create_model(name, pretrained=False, device='meta'): shapes only, no memory, no init, no
download (torch 1.13 supports it), so all 87 take seconds. --check-cpu N also builds the N smallest on the CPU and
asserts the meta counts equal them.
"""
import argparse
import json
import os
import sys

import torch
import timm

HERE = os.path.dirname(os.path.abspath(__file__))


def count(model):
    return sum(p.numel() for p in model.parameters())


def mlp_widths(mlp):
    """(kind, hidden, fc2_in): hidden as ShapedVit's [Mlp(hidden)] counts it (fc1's width; for the split SwiGLU the
    width of each of fc1_g and fc1_x), fc2_in what fc2 takes (half of fc1 for the packed GLU)."""
    kind = type(mlp).__name__
    if hasattr(mlp, "fc1_g"):
        return kind, mlp.fc1_g.out_features, mlp.fc2.in_features
    return kind, mlp.fc1.out_features, mlp.fc2.in_features


def describe(name, device):
    model = timm.create_model(name, pretrained=False, device=device)
    headless = timm.create_model(name, pretrained=False, num_classes=0, device=device)
    blk = model.blocks[0]
    attn = blk.attn
    kind, hidden, fc2_in = mlp_widths(blk.mlp)
    pe = getattr(model, "pos_embed", None)
    return {
        "default_tag": model.pretrained_cfg.get("tag"),
        "num_classes": model.num_classes,
        "parameter_count": count(model),
        "parameter_count_num_classes_0": count(headless),
        "num_prefix_tokens": model.num_prefix_tokens,
        "img_size": list(model.patch_embed.img_size),
        "patch_size": list(model.patch_embed.patch_size),
        "patch_grid": list(model.patch_embed.grid_size),
        "pos_embed_len": int(pe.shape[1]) if pe is not None else 0,
        "embed_dim": model.embed_dim,
        "depth": len(model.blocks),
        "num_heads": attn.num_heads,
        "mlp_layer": kind,
        "mlp_hidden": hidden,
        "mlp_fc2_in": fc2_in,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-cpu", type=int, default=0, metavar="N",
                        help="also build the N smallest architectures on the CPU and compare the counts")
    args = parser.parse_args()
    with open(os.path.join(HERE, "timm_catalogue.json")) as f:
        catalogue = json.load(f)
    out = {}
    for name, entry in sorted(catalogue["architectures"].items()):
        d = describe(name, "meta")
        assert d["default_tag"] == entry["default_tag"], (name, d["default_tag"], entry["default_tag"])
        out[name] = d
    if args.check_cpu:
        for name in sorted(out, key=lambda n: out[n]["parameter_count"])[:args.check_cpu]:
            cpu = describe(name, "cpu")
            assert cpu == out[name], (name, cpu, out[name])
            print(f"cpu check {name}: {cpu['parameter_count']} = meta")
    result = {
        "timm_version": timm.__version__,
        "timm_commit": os.environ.get("TIMM_COMMIT", catalogue.get("timm_commit", "unknown")),
        "torch_version": torch.__version__.split("+")[0],
        "how": "timm.create_model(name, pretrained=False, device='meta'); num_classes as the default tag's "
               "pretrained_cfg, and again with num_classes=0; mlp_hidden = fc1 width (each of fc1_g/fc1_x for SwiGLU)",
        "architectures": out,
    }
    path = os.path.join(HERE, "timm_parameter_counts.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out)} architectures -> {path}")


if __name__ == "__main__":
    sys.exit(main())
