"""Folders of images made by the tests: mixed formats, sizes and colour modes."""

import io
import os

import numpy as np
from PIL import Image


def save(path, array, fmt, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = Image.fromarray(array)
    if mode:
        image = image.convert(mode)
    image.save(path, fmt)


def make_folder(root, classes=("cats", "dogs"), per_class=6, seed=0):
    """``root/<class>/...`` images in every format and colour mode (one class: a
    flat folder of images when ``classes`` is empty), plus a corrupt JPEG, a
    truncated PNG and a text file. Returns ``{class: [paths]}``."""
    rng = np.random.default_rng(seed)
    formats = [("png", "PNG", None), ("jpg", "JPEG", None), ("bmp", "BMP", None),
               ("gif", "GIF", None), ("png", "PNG", "RGBA"), ("png", "PNG", "P"),
               ("png", "PNG", "L")]  # fmt: skip
    made = {}
    for c, name in enumerate(classes or [""]):
        made[name] = []
        for i in range(per_class):
            ext, fmt, mode = formats[i % len(formats)]
            h, w = int(rng.integers(20, 40)), int(rng.integers(20, 40))
            array = np.full((h, w, 3), 40 + 120 * c, np.uint8) + rng.integers(
                0, 60, (h, w, 3), dtype=np.uint8
            )
            sub = "nested" if i == 1 and classes else ""  # anywhere below a class folder
            path = os.path.join(root, name, sub, f"{i}.{ext}")
            save(path, array, fmt, mode)
            made[name].append(path)
    with open(os.path.join(root, "corrupt.jpg" if not classes else f"{classes[0]}/bad.jpg"),
              "wb") as f:  # fmt: skip
        f.write(b"not an image at all")
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((30, 30, 3), np.uint8)).save(buffer, "PNG")
    with open(os.path.join(root, classes[-1] if classes else "", "truncated.png"), "wb") as f:
        f.write(buffer.getvalue()[:60])
    with open(os.path.join(root, "README.txt"), "w") as f:
        f.write("not an image, not counted\n")
    return made
