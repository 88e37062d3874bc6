#!/usr/bin/env bash
# The README gallery: each model trained by its flagfile on the offline data
# (../shared/data), then drawn by the sample command. Run from the repository
# root; about 40 minutes on 2 CPU cores. Runs go to $RUNS (outside the work
# tree), pictures to docs/images/.
set -euo pipefail
RUNS=${RUNS:-$HOME/.cache/tfgan_zoo/gallery}
FASHION=../shared/data/fashion-mnist
MNIST=../shared/data/mnist
train() { python -m tfgan_zoo.train "$@" --verbose=2; }

# DCGAN on Fashion-MNIST, the flagfile's 3,000 steps.
train --flagfile=flags/dcgan_fashion_mnist.flags --dataset=idx:$FASHION --model_dir=$RUNS/dcgan
python -m tfgan_zoo.sample grid --export_dir=$RUNS/dcgan/export --rows=4 --columns=10 \
    --scale=2 --out=docs/images/dcgan_fashion_mnist.png
python -m tfgan_zoo.sample interpolate --export_dir=$RUNS/dcgan/export --seeds=1,2,3,4,5 \
    --steps=10 --scale=2 --out=docs/images/dcgan_interpolation.png

# A folder of your own images, one subfolder per class: here the 10,000
# Fashion-MNIST test images written as PNG files; conditional GAN, 3,000 steps.
python - <<'PY'
import os
from tfgan_zoo.data import idx
from tfgan_zoo.images import write_png
images, labels = idx.load_idx_dir("../shared/data/fashion-mnist", "test")
names = idx.known_class_names("../shared/data/fashion-mnist")
root = os.path.expanduser(os.environ.get("RUNS", "~/.cache/tfgan_zoo/gallery")) + "/garments"
for i, (image, label) in enumerate(zip(images, labels)):
    folder = f"{root}/{names[label].replace('/', '-')}"  # T-shirt/top -> T-shirt-top
    os.makedirs(folder, exist_ok=True)
    write_png(f"{folder}/{i:05d}.png", image)
PY
train --flagfile=flags/cgan_fashion_mnist.flags --dataset=folder:$RUNS/garments \
    --model_dir=$RUNS/cgan_folder
python -m tfgan_zoo.sample classes --export_dir=$RUNS/cgan_folder/export --columns=8 \
    --scale=2 --out=docs/images/cgan_folder_classes.png

# InfoGAN on MNIST digits (the test split offline), 3,000 steps.
train --flagfile=flags/infogan_mnist.flags --dataset=idx:$MNIST --split=test \
    --model_dir=$RUNS/infogan
python -m tfgan_zoo.sample grid --export_dir=$RUNS/infogan/export --rows=4 --columns=10 \
    --scale=2 --out=docs/images/infogan_mnist.png

# Pix2Pix, edge maps -> garments, 500 steps (a third of the flagfile's 1,500).
train --flagfile=flags/pix2pix_edges_fashion_mnist.flags --dataset=edges:idx:$FASHION \
    --epochs=1 --model_dir=$RUNS/pix2pix
python - <<'PY'
import os
from tfgan_zoo.data import idx, translation
from tfgan_zoo.images import write_png
images, _ = idx.load_idx_dir("../shared/data/fashion-mnist", "test")
root = os.path.expanduser(os.environ.get("RUNS", "~/.cache/tfgan_zoo/gallery")) + "/edges"
os.makedirs(root, exist_ok=True)
for i in range(8):
    write_png(f"{root}/{i}.png", translation.edge_map(images[i * 1000]))
PY
python -m tfgan_zoo.sample translate --export_dir=$RUNS/pix2pix/export --input=$RUNS/edges \
    --scale=2 --out=docs/images/pix2pix_edges.png
