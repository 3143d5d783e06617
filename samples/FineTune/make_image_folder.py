#!/usr/bin/env python3
"""Writes Fashion-MNIST IDX files out as an image folder (one subfolder of PNGs per class), as torchvision's
ImageFolder reads it, for the fine-tuning experiment and the test slice. Standard library only.

  python3 samples/FineTune/make_image_folder.py --data /usr/share/datasets/fashion-mnist \
      --split train --classes 5 6 7 8 9 --per-class 50 --out runs/folders/fashion-5-9-train

Images are taken in file order (the first N of each class), so the folder is the same on every machine.
"""
import argparse, gzip, os, struct, zlib

CLASS_NAMES = ["T-shirt-top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"), "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def read_idx(folder, base):
    for name in (base, base + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            data = (gzip.open if name.endswith(".gz") else open)(path, "rb").read()
            dims = data[3]
            shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
            return shape, data[4 + 4 * dims:]
    raise SystemExit(f"{folder} has no {base} or {base}.gz")


def png_grey(width, height, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with the four Fashion-MNIST IDX files (raw or .gz)")
    parser.add_argument("--split", choices=FILES, default="train")
    parser.add_argument("--classes", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--per-class", type=int, default=0, help="images per class (0: all)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    (count, height, width), pixels = read_idx(args.data, FILES[args.split][0])
    _, labels = read_idx(args.data, FILES[args.split][1])
    written = {c: 0 for c in args.classes}
    for c in args.classes:
        os.makedirs(os.path.join(args.out, CLASS_NAMES[c]), exist_ok=True)
    size = height * width
    for i in range(count):
        c = labels[i]
        if c not in written or (args.per_class and written[c] >= args.per_class):
            continue
        path = os.path.join(args.out, CLASS_NAMES[c], f"{args.split}-{i:05d}.png")
        with open(path, "wb") as f:
            f.write(png_grey(width, height, pixels[i * size:(i + 1) * size]))
        written[c] += 1
    print(f"{args.out}: " + ", ".join(f"{CLASS_NAMES[c]} {n}" for c, n in written.items()))


if __name__ == "__main__":
    main()
