#!/usr/bin/env python3
"""Writes timm_catalogue.json: every architecture timm registers for the ViT families ShapedVit declares (plain ViT,
DeiT / DeiT distilled, DeiT-III, CLIP / CLIP-QuickGELU, SigLIP, DINOv2 (+ registers), EVA-02), up to Large, with
the constructor arguments timm's own entry point passes and every pretrained tag's pretrained_cfg.

Reference data only: run it by hand, never from a test. timm's source is not part of this repository; point
TIMM_SRC at an unpacked copy of github.com/huggingface/pytorch-image-models (it runs on Debian's python3-torch 1.13):

    TIMM_SRC=/tmp/timm-src /usr/bin/python3 tests/Fixtures/timm/make_timm_catalogue.py

Nothing is built: timm's build_model_with_cfg is replaced by a recorder, so the arguments are exactly what each
registered entry point passes, and no weights are allocated or downloaded.
"""
import functools
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.environ.get("TIMM_SRC", "/tmp/timm-src"))
import timm  # noqa: E402
import timm.models.deit as deit  # noqa: E402
import timm.models.eva as eva  # noqa: E402
import timm.models.vision_transformer as vision_transformer  # noqa: E402

FAMILY_PATTERNS = ["vit_*", "deit*", "eva02*"]
SIZE = r"(tiny|small|medium|base|large)"
# Each family of the issue, as a pattern over timm's registered names, up to Large. Hybrids, NaFlex, DINOv3,
# enormous/giant/huge sizes and the experimental trunks (18x2, xp, rpn, mci, tips ...) are outside it.
FAMILIES = [
    ("vit", rf"^vit_{SIZE}_patch(8|14|16|32)_(224|384)(_miil)?$"),
    ("vit-gap", rf"^vit_{SIZE}_patch16_(reg\d_)?gap_\d+$"),
    ("clip", rf"^vit_{SIZE}_patch(14|16|32)_clip_\d+$"),
    ("clip-quickgelu", rf"^vit_{SIZE}_patch(14|16|32)_clip_quickgelu_\d+$"),
    ("siglip", rf"^vit_{SIZE}_patch(16|32)_siglip_(gap_)?\d+$"),
    ("dinov2", rf"^vit_{SIZE}_patch14_(reg4_)?dinov2$"),
    ("deit", rf"^deit_{SIZE}_(distilled_)?patch16_\d+$"),
    ("deit3", rf"^deit3_{SIZE}_patch16_\d+$"),
    ("eva02", rf"^eva02_{SIZE}_patch(14|16)_(clip_)?\d+$"),
]


def family_of(name):
    for family, pattern in FAMILIES:
        if re.match(pattern, name):
            return family
    return None


def describe(value):
    """A JSON-safe description of a constructor argument (classes and partials by name)."""
    if isinstance(value, functools.partial):
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


def describe_cfg(full, cfg):
    """The pretrained_cfg fields a catalogue and a Hub client read."""
    d = cfg.to_dict()
    return {
        "name": full,
        "hf_hub_id": d.get("hf_hub_id"),
        "num_classes": d.get("num_classes"),
        "input_size": list(d.get("input_size") or []),
        "mean": list(d.get("mean") or []),
        "std": list(d.get("std") or []),
        "crop_pct": d.get("crop_pct"),
        "crop_mode": d.get("crop_mode"),
        "interpolation": d.get("interpolation"),
        "license": d.get("license"),
    }


class Recorded(Exception):
    def __init__(self, record):
        super().__init__("recorded")
        self.record = record


def recorder(model_cls, variant, pretrained, **kwargs):
    kwargs = {k: v for k, v in kwargs.items()
              if k not in ("pretrained_filter_fn", "pretrained_strict", "feature_cfg", "pretrained_cfg",
                           "pretrained_cfg_overlay")}
    raise Recorded({"class": model_cls.__name__, "variant": variant, "kwargs": describe(kwargs)})


for module in (vision_transformer, deit, eva):
    module.build_model_with_cfg = recorder


def main():
    names = sorted({n for p in FAMILY_PATTERNS for n in timm.list_models(p)})
    architectures = {}
    for name in names:
        family = family_of(name)
        if family is None:
            continue
        try:
            timm.models.model_entrypoint(name)(pretrained=False)
        except Recorded as recorded:
            entry = recorded.record
        except Exception as error:  # an entry point that needs more than the recorder (none expected)
            print(f"skipped {name}: {error}", file=sys.stderr)
            continue
        tags = []
        for full in timm.list_pretrained(name + ".*"):
            cfg = timm.models.get_pretrained_cfg(full)
            if cfg is None:
                continue
            tags.append(describe_cfg(full, cfg))
        default = timm.models.get_pretrained_cfg(name)
        entry["family"] = family
        entry["default_tag"] = default.tag if default is not None else None
        entry["pretrained"] = tags
        # A default tag without weights ('untrained') is not listed above, yet timm builds the bare name with its
        # pretrained_cfg (input size, class count): keep it apart so nobody mistakes it for weights.
        if default is not None and not any(t["name"] == f"{name}.{default.tag}" for t in tags):
            entry["default_cfg"] = describe_cfg(f"{name}.{default.tag}", default)
        architectures[name] = entry
    commit = subprocess.run(["git", "-C", os.environ.get("TIMM_SRC", "/tmp/timm-src"), "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or os.environ.get("TIMM_COMMIT", "unknown")
    out = {"timm_version": timm.__version__, "timm_commit": commit, "architectures": architectures}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "timm_catalogue.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(architectures)} architectures, {sum(len(a['pretrained']) for a in architectures.values())} tags -> {path}")


if __name__ == "__main__":
    main()
