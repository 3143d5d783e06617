#!/usr/bin/env python3
"""Writes a small grey image folder of handwriting-like digits (10 classes, 28x28, white on black, as MNIST), drawn from a
5x7 dot-matrix font with a random slant, rotation, scale, shift, stroke width and noise per image: a second grey data set
for the fine-tuning experiment, unlike Fashion-MNIST in that a mirrored digit is another symbol. Standard library only.

  python3 samples/FineTune/make_digit_folder.py --per-class 50 --seed 1 --out runs/folders/digits-train
  python3 samples/FineTune/make_digit_folder.py --per-class 100 --seed 2 --out runs/folders/digits-test

The same arguments write the same files on every machine.
"""
import argparse, math, os, random, struct, zlib

FONT = {  # 5x7 dot matrix, one string per row, '#' is ink
    0: [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
    1: ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    2: [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    3: ["####.", "....#", "....#", ".###.", "....#", "....#", "####."],
    4: ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    5: ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    6: ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    7: ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    8: [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    9: [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
}
SIZE = 28


def png_grey(width, height, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def draw(digit, rng):
    dots = [(x, y) for y, row in enumerate(FONT[digit]) for x, c in enumerate(row) if c == "#"]
    scale = rng.uniform(2.4, 3.1)                      # output pixels per font cell
    angle = math.radians(rng.uniform(-12, 12))
    slant = rng.uniform(-0.25, 0.25)
    radius = rng.uniform(0.45, 0.75)                   # stroke half-width, in font cells
    dx, dy = rng.uniform(-2, 2), rng.uniform(-2, 2)
    cos, sin = math.cos(angle), math.sin(angle)
    pixels = bytearray(SIZE * SIZE)
    for py in range(SIZE):
        for px in range(SIZE):
            ink = 0
            for sy in (0.25, 0.75):                     # 2x2 supersampling
                for sx in (0.25, 0.75):
                    # output pixel -> font coordinates: undo shift, rotation, scale and slant around the centre
                    x, y = px + sx - SIZE / 2 - dx, py + sy - SIZE / 2 - dy
                    x, y = (cos * x + sin * y) / scale, (-sin * x + cos * y) / scale
                    x -= slant * y
                    fx, fy = x + 2.5, y + 3.5
                    if any((fx - cx - 0.5) ** 2 + (fy - cy - 0.5) ** 2 <= radius * radius for cx, cy in dots):
                        ink += 1
            value = 255 * ink / 4 + rng.gauss(0, 12)
            pixels[py * SIZE + px] = max(0, min(255, int(value)))
    return bytes(pixels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for digit in range(10):
        folder = os.path.join(args.out, str(digit))
        os.makedirs(folder, exist_ok=True)
        for i in range(args.per_class):
            with open(os.path.join(folder, f"{args.seed}-{i:04d}.png"), "wb") as f:
                f.write(png_grey(SIZE, SIZE, draw(digit, rng)))
    print(f"{args.out}: 10 classes, {args.per_class} images each")


if __name__ == "__main__":
    main()
