#!/usr/bin/python3
"""Makes the torchvision ViT-B/16 that the `ort` benchmark section compares against ONNX Runtime.

No checkpoint can be downloaded here, so the weights are torchvision's own initialisation (seeded), with the head
(which torchvision initialises to zero) drawn at random so that the logits are not all zero. The inputs are eight real
images: the shipped Fashion-MNIST folder slice, upscaled to 224 px with Pillow's bilinear filter, greyscale repeated
to three channels, normalised with ImageNet's mean and std. Both engines get exactly these tensors.

Writes into OUT (default artifacts/vit-b16-torchvision):
  weights.safetensors    torchvision's state_dict (its key names), float32
  reference.safetensors  images [8, 3, 224, 224] and torchvision's logits [8, 1000], float32

Needs Debian's python3-torch and python3-torchvision (apt-get install python3-torchvision); about 20 s.
Usage: /usr/bin/python3 benchmarks/ShapedVit.Benchmarks/make_vit_b16_reference.py [OUT]   (Debian's Python, which has those packages)
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "artifacts", "vit-b16-torchvision")
IMAGES = os.path.join(REPO, "samples", "data", "fashion-5-9-folder")
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def save_safetensors(path, tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(path + ".tmp", path)


def images(count):
    paths = []
    for label in sorted(os.listdir(IMAGES)):
        folder = os.path.join(IMAGES, label)
        paths += [os.path.join(folder, name) for name in sorted(os.listdir(folder))[:2]]
    batch = []
    for path in paths[:count]:
        pixels = Image.open(path).convert("RGB").resize((224, 224), Image.BILINEAR)
        x = torch.from_numpy(np.asarray(pixels, dtype=np.float32) / 255.0).permute(2, 0, 1)
        batch.append((x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1))
    return torch.stack(batch), [os.path.relpath(p, REPO) for p in paths[:count]]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.vit_b_16()
    with torch.no_grad():
        model.heads.head.weight.normal_(0.0, 0.02)
        model.heads.head.bias.normal_(0.0, 0.02)
    model.eval()
    x, paths = images(8)
    with torch.no_grad():
        logits = model(x)
    meta = {"made_by": f"torchvision {torchvision.__version__}, torch {torch.__version__}", "images": ";".join(paths)}
    save_safetensors(os.path.join(OUT, "weights.safetensors"), model.state_dict(), meta)
    save_safetensors(os.path.join(OUT, "reference.safetensors"), {"images": x, "logits": logits}, meta)
    print(f"wrote {OUT}: {sum(p.numel() for p in model.parameters()):,} parameters, logits {tuple(logits.shape)}, "
          f"top-1 {logits.argmax(1).tolist()}")


if __name__ == "__main__":
    main()
