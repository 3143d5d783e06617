#!/usr/bin/env python3
"""Makes the Fashion-MNIST slice shipped with the samples from Debian's dataset-fashion-mnist package.

Usage: python3 make_slice.py [SOURCE_DIR]   (default /usr/share/datasets/fashion-mnist)
Takes the first 6000 training and the first 1000 test images (the files' own order, which is close to class-balanced),
writes them as gzipped IDX next to this script, and writes five test images as PNG into examples/ for the Classify sample.
"""
import gzip, os, struct, sys, zlib

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN, TEST = 6000, 1000
NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]

def read_idx(name):
    data = gzip.open(os.path.join(SOURCE, name + ".gz"), "rb").read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return list(dims), data[4 + 4 * rank:]

def write_idx(name, dims, payload):
    header = bytes([0, 0, 8, len(dims)]) + struct.pack(">" + "I" * len(dims), *dims)
    # mtime=0 keeps the files byte-identical from run to run.
    with open(os.path.join(HERE, name + ".gz"), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
        f.write(header + payload)

def write_png(path, width, height, grey):
    rows = b"".join(b"\x00" + grey[y * width:(y + 1) * width] for y in range(height))
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(png)

for split, count in (("train", TRAIN), ("t10k", TEST)):
    dims, images = read_idx(f"{split}-images-idx3-ubyte")
    _, labels = read_idx(f"{split}-labels-idx1-ubyte")
    size = dims[1] * dims[2]
    write_idx(f"{split}-images-idx3-ubyte", [count, dims[1], dims[2]], images[:count * size])
    write_idx(f"{split}-labels-idx1-ubyte", [count], labels[:count])
    if split == "t10k":
        os.makedirs(os.path.join(HERE, "examples"), exist_ok=True)
        for i in range(5):
            write_png(os.path.join(HERE, "examples", f"test-{i}-{NAMES[labels[i]]}.png"), dims[2], dims[1], images[i * size:(i + 1) * size])
