#!/usr/bin/python3
"""Hugging Face transformers-named copies of the timm family fixtures, checked by transformers' own modeling code.

For each case of tests/Fixtures/timm/families that a transformers class publishes (DINOv2, DINOv2 with registers,
SigLIP's vision tower, CLIP's vision tower, DeiT distilled), this script
  1. renames the timm fixture's float32 weights to transformers' keys: with the rename tables and q/k/v split of
     transformers' own conversion scripts where one starts from timm's (or the original DINOv2) keys
     (models/deit/convert_deit_timm_to_pytorch.py, models/dinov2/convert_dinov2_to_hf.py,
     models/dinov2_with_registers/convert_dinov2_with_registers_to_hf.py), else (CLIP, SigLIP, whose scripts start
     from OpenAI's and big_vision's formats) through the transformers model's state_dict with the table below;
  2. builds the transformers model from a config matching the tiny case, loads those weights strictly, runs it in
     float64 on the fixture's ref.input and requires its outputs to equal timm's float64 references (1e-6: CLIP and SigLIP take their softmax in float32);
  3. writes CASE.hf.safetensors (the transformers-named float32 weights), CASE.hf-reference.safetensors (the
     transformers model's own outputs) and CASE.config.json.

transformers 5.x needs torch >= 2.4 and cannot be imported whole on Debian's torch 1.13, so the model files run
unchanged inside a minimal package: the real modeling_*.py, configuration_*.py, activations.py and modeling_outputs.py
of the given source tree, with stubs for what they import only for training, hub access, output capture and
docstrings (PreTrainedModel.post_init initialises nothing: every weight is then loaded strictly).

    /usr/bin/python3 tests/Fixtures/hf/make_hf_references.py --transformers-src /tmp/hf-src/src/transformers

Only torch and numpy are needed (safetensors is read and written by the few lines below).
"""
import argparse
import ast
import dataclasses
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# ---------------------------------------------------------------- safetensors (the format's 8-byte length + JSON header)
_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = OrderedDict()
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        buf = bytearray(data[8 + n + start:8 + n + end])
        out[key] = torch.frombuffer(buf, dtype=_DTYPES[entry["dtype"]]).reshape(entry["shape"]).clone() if end > start \
            else torch.zeros(entry["shape"], dtype=_DTYPES[entry["dtype"]])
    return out


def write_safetensors(path, tensors, metadata=None):
    names = {v: k for k, v in _DTYPES.items()}
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous()
        blob = t.numpy().tobytes()
        header[key] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


# ---------------------------------------------------------------- the minimal transformers package
STUBS = {
    "__init__.py": "",
    "models/__init__.py": "",
    "initialization.py": "# only PreTrainedModel._init_weights uses it, and the stub post_init never calls that\n",
    "cache_utils.py": "class Cache: pass\nclass EncoderDecoderCache(Cache): pass\n",
    "integrations/__init__.py": "",
    "integrations/hub_kernels.py": "def use_kernel_forward_from_hub(name):\n    return lambda cls: cls\n",
    "masking_utils.py": (
        "def create_causal_mask(*a, **k):\n    raise NotImplementedError('text towers are not run')\n"
        "create_bidirectional_mask = create_causal_mask\n"),
    "processing_utils.py": "from typing import Unpack\n",
    "modeling_layers.py": (
        "from torch import nn\n"
        "class GradientCheckpointingLayer(nn.Module):\n    '''Checkpointing only matters in training.'''\n"),
    "backbone_utils.py": (
        "class BackboneMixin: pass\n"
        "class BackboneConfigMixin:\n"
        "    def set_output_features_output_indices(self, out_features=None, out_indices=None):\n"
        "        self.out_features, self.out_indices = out_features, out_indices\n"),
    "utils/import_utils.py": "def is_torchdynamo_compiling():\n    return False\n",
    "utils/output_capturing.py": (
        "def capture_outputs(func=None, **kwargs):\n"
        "    '''Collects hidden states / attentions on request only; none are requested here.'''\n"
        "    return (lambda f: f) if func is None else func\n"),
    "utils/generic.py": (
        "def can_return_tuple(func):\n    return func\n"
        "def merge_with_config_defaults(func):\n    return func\n"),
    "utils/__init__.py": '''
import dataclasses, logging as _logging
from collections import OrderedDict
from typing import TypedDict
from .generic import can_return_tuple

class logging:
    get_logger = staticmethod(_logging.getLogger)

class TransformersKwargs(TypedDict, total=False):
    pass

def auto_docstring(obj=None, **kwargs):
    return (lambda o: o) if obj is None else obj

def torch_int(x):
    return int(x)

class ModelOutput(OrderedDict):
    """transformers' ModelOutput as the model files use it: a dataclass whose non-None fields are also its items."""
    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None:
                OrderedDict.__setitem__(self, field.name, value)
    def __getitem__(self, k):
        return OrderedDict.__getitem__(self, k) if isinstance(k, str) else self.to_tuple()[k]
    def __setitem__(self, k, v):
        OrderedDict.__setitem__(self, k, v)
        object.__setattr__(self, k, v)
    def __setattr__(self, name, value):
        if name in self.keys() and value is not None:
            OrderedDict.__setitem__(self, name, value)
        object.__setattr__(self, name, value)
    def to_tuple(self):
        return tuple(self[k] for k in self.keys())
''',
    "configuration_utils.py": '''
class PreTrainedConfig:
    """The attributes the model files read; the eager attention the model files define themselves."""
    model_type = ""
    def __init__(self, **kwargs):
        self.return_dict = kwargs.pop("return_dict", True)
        self.output_hidden_states = kwargs.pop("output_hidden_states", False)
        self.output_attentions = kwargs.pop("output_attentions", False)
        self._attn_implementation = "eager"
        self.chunk_size_feed_forward = kwargs.pop("chunk_size_feed_forward", 0)  # stored, never used by these models
        id2label = kwargs.pop("id2label", None)
        num_labels = kwargs.pop("num_labels", None)
        if id2label is None:
            id2label = {i: f"LABEL_{i}" for i in range(num_labels if num_labels is not None else 2)}
        self.id2label = {int(k): v for k, v in id2label.items()}
        self.label2id = {v: k for k, v in self.id2label.items()}
        self.torch_dtype = kwargs.pop("torch_dtype", None)
        for k, v in kwargs.items():
            setattr(self, k, v)
    @property
    def num_labels(self):
        return len(self.id2label)
    def to_dict(self):
        d = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        d["model_type"] = self.model_type
        return d
''',
    "modeling_utils.py": '''
from torch import nn

class _AttentionFunctions(dict):
    def get_interface(self, implementation, default):
        if implementation != "eager":
            raise NotImplementedError(implementation)
        return default

ALL_ATTENTION_FUNCTIONS = _AttentionFunctions()

class PreTrainedModel(nn.Module):
    """nn.Module holding its config; post_init initialises nothing, since every weight is loaded strictly."""
    def __init__(self, config, *args, **kwargs):
        super().__init__()
        self.config = config
    def post_init(self):
        pass
    @classmethod
    def _from_config(cls, config, **kwargs):
        return cls(config)
''',
}

# Files of the transformers source tree that run unchanged.
REAL_FILES = [
    "activations.py",
    "modeling_outputs.py",
    "models/dinov2/configuration_dinov2.py", "models/dinov2/modeling_dinov2.py",
    "models/dinov2_with_registers/configuration_dinov2_with_registers.py",
    "models/dinov2_with_registers/modeling_dinov2_with_registers.py",
    "models/siglip/configuration_siglip.py", "models/siglip/modeling_siglip.py",
    "models/clip/configuration_clip.py", "models/clip/modeling_clip.py",
    "models/deit/configuration_deit.py", "models/deit/modeling_deit.py",
]

CONVERSION_SCRIPTS = {
    "deit": "models/deit/convert_deit_timm_to_pytorch.py",
    "dinov2": "models/dinov2/convert_dinov2_to_hf.py",
    "dinov2_with_registers": "models/dinov2_with_registers/convert_dinov2_with_registers_to_hf.py",
}


def build_package(src, root):
    pkg = os.path.join(root, "transformers")
    for rel, text in STUBS.items():
        path = os.path.join(pkg, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    hashes = {}
    for rel in REAL_FILES:
        os.makedirs(os.path.join(pkg, os.path.dirname(rel)), exist_ok=True)
        init = os.path.join(pkg, os.path.dirname(rel), "__init__.py")
        if not os.path.exists(init):
            open(init, "w").close()
        shutil.copy(os.path.join(src, rel), os.path.join(pkg, rel))
        hashes[rel] = sha256(os.path.join(src, rel))
    for rel in CONVERSION_SCRIPTS.values():
        hashes[rel] = sha256(os.path.join(src, rel))
    sys.path.insert(0, root)
    return hashes


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def conversion_functions(src, family):
    """create_rename_keys, read_in_q_k_v and rename_key from the conversion script, without its hub/image imports."""
    with open(os.path.join(src, CONVERSION_SCRIPTS[family])) as f:
        tree = ast.parse(f.read())
    wanted = {"create_rename_keys", "read_in_q_k_v", "rename_key"}
    module = ast.Module(body=[n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted], type_ignores=[])
    namespace = {"torch": torch}
    exec(compile(module, CONVERSION_SCRIPTS[family], "exec"), namespace)
    return namespace


def convert_with_script(fns, state_dict, config, **kwargs):
    sd = OrderedDict((k, v.clone()) for k, v in state_dict.items())
    for old, new in fns["create_rename_keys"](config, **kwargs):
        fns["rename_key"](sd, old, new)
    fns["read_in_q_k_v"](sd, config, **kwargs)
    return sd


# ---------------------------------------------------------------- timm -> transformers for CLIP and SigLIP
def clip_siglip_layers(timm, depth, prefix):
    hf, d = OrderedDict(), timm["blocks.0.norm1.weight"].shape[0]
    for i in range(depth):
        b, h = f"blocks.{i}.", f"{prefix}encoder.layers.{i}."
        for part in ("weight", "bias"):
            hf[h + f"layer_norm1.{part}"] = timm[b + f"norm1.{part}"]
            q, k, v = timm[b + f"attn.qkv.{part}"].split(d, 0)
            hf[h + f"self_attn.q_proj.{part}"], hf[h + f"self_attn.k_proj.{part}"], hf[h + f"self_attn.v_proj.{part}"] = q, k, v
            hf[h + f"self_attn.out_proj.{part}"] = timm[b + f"attn.proj.{part}"]
            hf[h + f"layer_norm2.{part}"] = timm[b + f"norm2.{part}"]
            hf[h + f"mlp.fc1.{part}"] = timm[b + f"mlp.fc1.{part}"]
            hf[h + f"mlp.fc2.{part}"] = timm[b + f"mlp.fc2.{part}"]
    return hf


def timm_to_clip(timm, depth):
    p = "vision_model."
    hf = OrderedDict()
    hf[p + "embeddings.class_embedding"] = timm["cls_token"].reshape(-1)
    hf[p + "embeddings.patch_embedding.weight"] = timm["patch_embed.proj.weight"]
    hf[p + "embeddings.position_embedding.weight"] = timm["pos_embed"][0]
    for part in ("weight", "bias"):
        hf[p + f"pre_layrnorm.{part}"] = timm[f"norm_pre.{part}"]
        hf[p + f"post_layernorm.{part}"] = timm[f"norm.{part}"]
    hf.update(clip_siglip_layers(timm, depth, p))
    hf["visual_projection.weight"] = timm["head.weight"]   # CLIP's projection has no bias: timm's head.bias stays out
    return hf


def timm_to_siglip(timm, depth, head):
    p = "vision_model."
    hf = OrderedDict()
    hf[p + "embeddings.patch_embedding.weight"] = timm["patch_embed.proj.weight"]
    hf[p + "embeddings.patch_embedding.bias"] = timm["patch_embed.proj.bias"]
    hf[p + "embeddings.position_embedding.weight"] = timm["pos_embed"][0]
    for part in ("weight", "bias"):
        hf[p + f"post_layernorm.{part}"] = timm[f"norm.{part}"]
    hf.update(clip_siglip_layers(timm, depth, p))
    if head == "map":
        a, h = "attn_pool.", p + "head."
        hf[h + "probe"] = timm[a + "latent"]
        hf[h + "attention.in_proj_weight"] = torch.cat([timm[a + "q.weight"], timm[a + "kv.weight"]], 0)
        hf[h + "attention.in_proj_bias"] = torch.cat([timm[a + "q.bias"], timm[a + "kv.bias"]], 0)
        for part in ("weight", "bias"):
            hf[h + f"attention.out_proj.{part}"] = timm[a + f"proj.{part}"]
            hf[h + f"layernorm.{part}"] = timm[a + f"norm.{part}"]
            hf[h + f"mlp.fc1.{part}"] = timm[a + f"mlp.fc1.{part}"]
            hf[h + f"mlp.fc2.{part}"] = timm[a + f"mlp.fc2.{part}"]
    else:
        hf["classifier.weight"], hf["classifier.bias"] = timm["head.weight"], timm["head.bias"]
    return hf


def randomised_like(t, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(t.shape, generator=g) * 0.2 + 0.3).to(t.dtype)


# ---------------------------------------------------------------- the cases
def run_cases(src, fixtures, out, only):
    from transformers.models.clip.configuration_clip import CLIPVisionConfig
    from transformers.models.clip.modeling_clip import CLIPVisionModelWithProjection
    from transformers.models.deit.configuration_deit import DeiTConfig
    from transformers.models.deit.modeling_deit import DeiTForImageClassificationWithTeacher
    from transformers.models.dinov2.configuration_dinov2 import Dinov2Config
    from transformers.models.dinov2.modeling_dinov2 import Dinov2Model
    from transformers.models.dinov2_with_registers.configuration_dinov2_with_registers import Dinov2WithRegistersConfig
    from transformers.models.dinov2_with_registers.modeling_dinov2_with_registers import Dinov2WithRegistersModel
    from transformers.models.siglip.configuration_siglip import SiglipConfig, SiglipVisionConfig
    from transformers.models.siglip.modeling_siglip import SiglipForImageClassification, SiglipVisionModel

    depth, width, heads = 2, 48, 4
    results = {}

    def case(name):
        return (only is None or name in only) and os.path.exists(os.path.join(fixtures, f"{name}.weights.safetensors"))

    def finish(name, model, arch, config, hf, outputs, expected, extra_meta=None):
        # Strict: every transformers parameter is given, nothing else (non-persistent buffers are the model's own).
        model.load_state_dict({k: v.double() for k, v in hf.items()}, strict=True)
        errors = {}
        for key, (ours, ref) in expected.items():
            errors[key] = float((ours - ref).abs().max())
            assert errors[key] < 1e-6, f"{name}: transformers' {key} differs from timm's by {errors[key]}"
        write_safetensors(os.path.join(out, f"{name}.hf.safetensors"), {k: v.float() for k, v in hf.items()}, {"format": "pt"})
        write_safetensors(os.path.join(out, f"{name}.hf-reference.safetensors"),
                          {f"hf.{k}": v.detach() for k, v in outputs.items()})
        cfg = config.to_dict()
        cfg["architectures"] = [arch]
        cfg.update(extra_meta or {})
        with open(os.path.join(out, f"{name}.config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True, default=str)
            f.write("\n")
        results[name] = {"class": arch, "max_abs_error_vs_timm": errors, "keys": len(hf)}
        print(f"{name}: {arch}, {len(hf)} tensors, max |transformers - timm| = {max(errors.values()):.2e}")

    def load(name):
        timm = read_safetensors(os.path.join(fixtures, f"{name}.weights.safetensors"))
        ref = {k: v.double() for k, v in read_safetensors(os.path.join(fixtures, f"{name}.reference.safetensors")).items()}
        return timm, ref

    def run(model, x, **kwargs):
        model.double().eval()
        with torch.no_grad():
            return model(x, **kwargs)

    for name in ("dinov2", "dinov2_reg"):
        if not case(name):
            continue
        timm, ref = load(name)
        registers = name == "dinov2_reg"
        common = dict(hidden_size=width, num_hidden_layers=depth, num_attention_heads=heads, mlp_ratio=2, image_size=28,
                      patch_size=7, layer_norm_eps=1e-6, layerscale_value=1e-5, hidden_act="gelu")
        config = Dinov2WithRegistersConfig(num_register_tokens=4, **common) if registers else Dinov2Config(**common)
        # The original DINOv2 layout the conversion scripts start from: timm's keys plus mask_token (random here: it is
        # only read with bool_masked_pos, in pre-training, and must not change any output), without timm's head.
        original = OrderedDict((k, v) for k, v in timm.items() if not k.startswith("head."))
        original["mask_token"] = randomised_like(torch.zeros(1, width), 7)
        if registers:
            # timm's checkpoint_filter_fn turns DINOv2's register layout into no_embed_class; this is its inverse
            # with a zero class-token position row, so cls_token + pos_embed[:, 0] is timm's cls_token exactly.
            original["register_tokens"] = original.pop("reg_token")
            original["pos_embed"] = torch.cat([torch.zeros(1, 1, width), original["pos_embed"]], 1)
        fns = conversion_functions(src, "dinov2_with_registers" if registers else "dinov2")
        hf = convert_with_script(fns, original, config)
        model = (Dinov2WithRegistersModel if registers else Dinov2Model)(config)
        model.load_state_dict({k: v.double() for k, v in hf.items()}, strict=True)
        o = run(model, ref["ref.input"])
        finish(name, model, type(model).__name__, config, hf,
               {"last_hidden_state": o.last_hidden_state, "pooler_output": o.pooler_output},
               {"last_hidden_state": (o.last_hidden_state, ref["ref.features"]), "pooler_output": (o.pooler_output, ref["ref.pre_logits"])})

    if case("deit_distilled"):
        timm, ref = load("deit_distilled")
        config = DeiTConfig(hidden_size=width, num_hidden_layers=depth, num_attention_heads=heads, intermediate_size=96,
                            image_size=32, patch_size=8, num_labels=5, layer_norm_eps=1e-6, hidden_act="gelu")
        hf = convert_with_script(conversion_functions(src, "deit"), timm, config, base_model=False)
        model = DeiTForImageClassificationWithTeacher(config)
        model.load_state_dict({k: v.double() for k, v in hf.items()}, strict=True)
        o = run(model, ref["ref.input"])
        with torch.no_grad():
            features = model.deit(ref["ref.input"]).last_hidden_state
        pre_logits = (features[:, 0] + features[:, 1]) / 2
        finish("deit_distilled", model, "DeiTForImageClassificationWithTeacher", config, hf,
               {"logits": o.logits, "cls_logits": o.cls_logits, "distillation_logits": o.distillation_logits,
                "last_hidden_state": features},
               {"logits": (o.logits, ref["ref.logits"]), "last_hidden_state": (features, ref["ref.features"]),
                "pre_logits": (pre_logits, ref["ref.pre_logits"])})

    for name, act in (("clip", "gelu"), ("clip_quickgelu", "quick_gelu")):
        if not case(name):
            continue
        timm, ref = load(name)
        config = CLIPVisionConfig(hidden_size=width, intermediate_size=96, num_hidden_layers=depth, num_attention_heads=heads,
                                  image_size=32, patch_size=8, projection_dim=5, hidden_act=act, layer_norm_eps=1e-5)
        hf = timm_to_clip(timm, depth)
        model = CLIPVisionModelWithProjection(config)
        model.load_state_dict({k: v.double() for k, v in hf.items()}, strict=True)
        o = run(model, ref["ref.input"])
        # CLIP's projection has no bias; timm's head adds one.
        logits = o.image_embeds + timm["head.bias"].double()
        finish(name, model, "CLIPVisionModelWithProjection", config, hf,
               {"image_embeds": o.image_embeds, "last_hidden_state": o.last_hidden_state},
               {"image_embeds + timm head.bias": (logits, ref["ref.logits"]),
                "post_layernorm(class token)": (model.vision_model.post_layernorm(o.last_hidden_state[:, 0]), ref["ref.pre_logits"])})

    if case("siglip_map"):
        timm, ref = load("siglip_map")
        config = SiglipVisionConfig(hidden_size=width, intermediate_size=96, num_hidden_layers=depth, num_attention_heads=heads,
                                    image_size=32, patch_size=8, hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6)
        hf = timm_to_siglip(timm, depth, "map")
        model = SiglipVisionModel(config)
        model.load_state_dict({k: v.double() for k, v in hf.items()}, strict=True)
        o = run(model, ref["ref.input"])
        finish("siglip_map", model, "SiglipVisionModel", config, hf,
               {"last_hidden_state": o.last_hidden_state, "pooler_output": o.pooler_output},
               {"last_hidden_state": (o.last_hidden_state, ref["ref.features"]), "pooler_output": (o.pooler_output, ref["ref.pre_logits"])})

    if case("siglip_gap"):
        timm, ref = load("siglip_gap")
        vision = dict(hidden_size=width, intermediate_size=96, num_hidden_layers=depth, num_attention_heads=heads,
                      image_size=32, patch_size=8, hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-6)
        config = SiglipConfig(vision_config=vision, text_config={}, num_labels=5)
        hf = timm_to_siglip(timm, depth, "gap")
        model = SiglipForImageClassification(config)
        # The class builds the vision tower's MAP head but never calls it for its logits: random values here prove that.
        for i, (key, value) in enumerate(model.state_dict().items()):
            if key.startswith("vision_model.head."):
                hf[key] = randomised_like(value, 100 + i).float()
        hf = OrderedDict(sorted(hf.items()))
        model.load_state_dict({k: v.double() for k, v in hf.items()}, strict=True)
        o = run(model, ref["ref.input"])
        finish("siglip_gap", model, "SiglipForImageClassification", config, hf, {"logits": o.logits},
               {"logits": (o.logits, ref["ref.logits"])})
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transformers-src", required=True, help="a transformers checkout's src/transformers folder")
    parser.add_argument("--timm-fixtures", default=os.path.join(REPO, "tests", "Fixtures", "timm", "families"))
    parser.add_argument("--out", default=HERE)
    parser.add_argument("--cases", nargs="*")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float32)
    with tempfile.TemporaryDirectory() as root:
        hashes = build_package(os.path.abspath(args.transformers_src), root)
        results = run_cases(os.path.abspath(args.transformers_src), args.timm_fixtures, args.out, args.cases)
    if not results:
        sys.exit(f"no timm fixtures found in {args.timm_fixtures}")
    manifest = {
        "transformers_files_sha256": hashes,
        "timm_fixtures_sha256": {n: sha256(os.path.join(args.timm_fixtures, f"{n}.weights.safetensors")) for n in results},
        "cases": results,
        "torch": torch.__version__,
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
