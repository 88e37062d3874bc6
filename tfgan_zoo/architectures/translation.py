"""Image-to-image networks: the U-Net and ResNet translators and the PatchGAN critic.

- `unet_generator` (Pix2Pix, Isola et al. 2017): an encoder of strided
  convolutions halving the image down to 1x1 (or to an odd size), a mirror
  decoder, and skip connections joining each encoder level to its decoder
  level, so low-level structure (edges, layout) passes straight through.
- `resnet_translator` (CycleGAN, Zhu et al. 2017, after Johnson et al.):
  two stride-2 downsamplings, residual blocks, two upsamplings, reflection
  padding; 9 blocks at 256x256, 6 at 128x128 in the paper.
- `patchgan_discriminator`: classifies overlapping patches as real or fake
  and outputs a map of logits ``[batch, h, w, 1]``; with three stride-2
  layers each output sees a 70x70 patch (the paper's 70x70 PatchGAN).
  Given ``condition_channels`` it judges ``concat(input, image)`` (Pix2Pix's
  conditional critic).

Resolutions are arguments, not files: every network adapts to the image size.
"""

import keras
from keras import layers

from tfgan_zoo.architectures.errors import ArchitectureError
from tfgan_zoo.layers import ReflectionPad2D, maybe, normalization


def unet_levels(resolution, max_levels=8):
    """How many times the U-Net halves a ``resolution``-wide image (even sizes only)."""
    size, levels = int(resolution), 0
    while size % 2 == 0 and size > 1 and levels < max_levels:
        size //= 2
        levels += 1
    if levels < 2:
        raise ArchitectureError(
            f"The U-Net needs an image side divisible by 4 (e.g. 28, 32, 64, 256), got "
            f"{resolution}; set --resolution to resize the data."
        )
    return levels


def _filters(base_filters, level):
    return base_filters * min(2**level, 8)


def unet_generator(resolution, in_channels, out_channels, base_filters=64, norm="batch",
                   dropout=0.5):  # fmt: skip
    """Maps ``[batch, res, res, in_channels]`` images to ``out_channels`` tanh images.

    Encoder level ``i`` has ``base_filters * min(2^i, 8)`` filters (Conv 4x4
    stride 2, norm except on the first and innermost, LeakyReLU 0.2). Decoder
    levels are transposed convolutions with norm and ReLU, concatenated with
    the encoder's output at the same size; the three innermost decoder levels
    apply ``dropout`` in training (Pix2Pix's only source of noise). At
    inference the generator is deterministic.
    """
    levels = unet_levels(resolution)
    image = keras.Input((resolution, resolution, in_channels), name="image")
    x, skips = image, []
    for i in range(levels):
        x = layers.Conv2D(_filters(base_filters, i), 4, 2, padding="same")(x)
        if 0 < i < levels - 1:
            x = maybe(normalization(norm), x)
        x = layers.LeakyReLU(0.2)(x)
        skips.append(x)
    for i in reversed(range(levels - 1)):
        x = layers.Conv2DTranspose(_filters(base_filters, i), 4, 2, padding="same")(x)
        x = maybe(normalization(norm), x)
        if dropout and i >= levels - 4:
            x = layers.Dropout(dropout)(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skips[i]])
    out = layers.Conv2DTranspose(out_channels, 4, 2, padding="same", activation="tanh")(x)
    return keras.Model(image, out, name="unet_generator")


def resnet_translator(resolution, in_channels, out_channels, base_filters=64, norm="instance",
                      num_blocks=9):  # fmt: skip
    """CycleGAN's generator: c7s1-k, d2k, d4k, ``num_blocks`` x R4k, u2k, uk, c7s1-out.

    The image side must be divisible by 4 (two stride-2 downsamplings).
    """
    if resolution % 4:
        raise ArchitectureError(
            f"The ResNet translator needs an image side divisible by 4, got {resolution}; "
            f"set --resolution to resize the data."
        )

    def conv(x, filters, kernel, stride=1, pad=0, activation=True):
        if pad:
            x = ReflectionPad2D(pad)(x)
        padding = "valid" if pad or kernel == 1 else "same"
        x = layers.Conv2D(filters, kernel, stride, padding=padding)(x)
        x = maybe(normalization(norm), x)
        return layers.ReLU()(x) if activation else x

    image = keras.Input((resolution, resolution, in_channels), name="image")
    x = conv(image, base_filters, 7, pad=3)
    x = conv(x, base_filters * 2, 3, stride=2)
    x = conv(x, base_filters * 4, 3, stride=2)
    for _ in range(num_blocks):
        h = conv(x, base_filters * 4, 3, pad=1)
        h = conv(h, base_filters * 4, 3, pad=1, activation=False)
        x = layers.Add()([x, h])
    for filters in (base_filters * 2, base_filters):
        x = layers.Conv2DTranspose(filters, 3, 2, padding="same")(x)
        x = layers.ReLU()(maybe(normalization(norm), x))
    x = ReflectionPad2D(3)(x)
    out = layers.Conv2D(out_channels, 7, activation="tanh")(x)
    return keras.Model(image, out, name="resnet_translator")


def patchgan_discriminator(resolution, channels, base_filters=64, norm="batch", num_layers=3,
                           condition_channels=0):  # fmt: skip
    """Patch logits ``[batch, h, w, 1]`` for images (and their conditioning inputs).

    C64 (no norm) then ``num_layers - 1`` more stride-2 layers doubling the
    filters (at most 8x), a stride-1 layer, and a 1-filter stride-1
    convolution, all 4x4 with LeakyReLU 0.2. Stride-2 layers stop before the
    map would shrink below 2x2, so small images still give several patches.

    With ``condition_channels > 0`` the model takes ``[condition, image]``
    and judges their channel concatenation.
    """
    image = keras.Input((resolution, resolution, channels), name="image")
    inputs, x = image, image
    if condition_channels:
        condition = keras.Input((resolution, resolution, condition_channels), name="condition")
        inputs, x = [condition, image], layers.Concatenate()([condition, image])
    size = resolution
    for i in range(num_layers):
        if size < 4:
            break
        x = layers.Conv2D(_filters(base_filters, i), 4, 2, padding="same")(x)
        size = -(-size // 2)
        if i > 0:
            x = maybe(normalization(norm), x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(_filters(base_filters, num_layers), 4, 1, padding="same")(x)
    x = layers.LeakyReLU(0.2)(maybe(normalization(norm), x))
    out = layers.Conv2D(1, 4, 1, padding="same")(x)
    return keras.Model(inputs, out, name="patchgan_discriminator")
