"""``python -m tfgan_zoo.sample <picture> --export_dir=... --out=...``: pictures from an export.

Pictures (`tfgan_zoo.sampling`):

- ``grid``: ``--rows`` x ``--columns`` samples of seeds ``--seed``, ``--seed``+1, ...;
- ``classes``: one row per class of a conditional export, labelled with its
  class names, the same seeds in every row;
- ``interpolate``: from each of ``--seeds`` to the next in ``--steps``
  (slerp for normal latents, lerp for uniform); a grid (``.png``) or an
  animation (``.gif``, ``.webp``);
- ``truncation``: one row per value of ``--truncations``, the same seeds;
- ``translate``: the image files of ``--input`` (a file or a folder) through
  a translator export; a grid of input/output pairs (``.png``) or, when
  ``--out`` is a folder, one PNG per input.

It loads TensorFlow alone (no Keras, no training code). A request the export
cannot answer (``classes`` of an unconditional export, say) is one ``ERROR:``
line.
"""

import os
import sys

from absl import flags

from tfgan_zoo import cli

PICTURES = ("grid", "classes", "interpolate", "truncation", "translate")

USAGE = """
Usage: python -m tfgan_zoo.sample <picture> --export_dir=<export> --out=<file> [flags]

Pictures, one example each:
  grid         python -m tfgan_zoo.sample grid --export_dir=runs/my_images/export --rows=4 --columns=8 --out=grid.png
  classes      python -m tfgan_zoo.sample classes --export_dir=runs/my_classes/export --columns=8 --out=classes.png
  interpolate  python -m tfgan_zoo.sample interpolate --export_dir=runs/my_images/export --seeds=1,2,3,1 --steps=12 --out=walk.gif
  truncation   python -m tfgan_zoo.sample truncation --export_dir=runs/my_images/export --truncations=0.5,1,2 --out=truncation.png
  translate    python -m tfgan_zoo.sample translate --export_dir=runs/pix2pix/export --input=path/to/edges --out=pairs.png
"""  # noqa: E501


def define_flags(flag_values=flags.FLAGS):
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("export_dir", None, "An export version, or the folder of its versions.",
                        **fv)  # fmt: skip
    flags.DEFINE_string("out", None, "The picture: a .png (interpolate: also .gif, .webp).", **fv)
    flags.DEFINE_integer("rows", 4, "grid: rows.", lower_bound=1, **fv)
    flags.DEFINE_integer("columns", 8, "grid, classes, truncation: columns (seeds).",
                         lower_bound=1, **fv)  # fmt: skip
    flags.DEFINE_integer("seed", 0, "The first seed.", **fv)
    flags.DEFINE_list("seeds", ["0", "1", "2", "0"], "interpolate: the seeds to pass through.",
                      **fv)  # fmt: skip
    flags.DEFINE_integer("steps", 8, "interpolate: images from one seed to the next.",
                         lower_bound=1, **fv)  # fmt: skip
    flags.DEFINE_list("truncations", ["0.25", "0.5", "1", "2"], "truncation: the values, rows.",
                      **fv)  # fmt: skip
    flags.DEFINE_string("label", None, "Conditional exports: a class id or name (default: all).",
                        **fv)  # fmt: skip
    flags.DEFINE_string("input", None, "translate: an image file or a folder of them.", **fv)
    flags.DEFINE_string("direction", None, "translate: a_to_b, b_to_a (default: the first).",
                        **fv)  # fmt: skip
    flags.DEFINE_integer("scale", 1, "Enlarge every pixel this many times (small images).",
                         lower_bound=1, **fv)  # fmt: skip
    flags.mark_flags_as_required(["export_dir", "out"], flag_values=flag_values)


def _numbers(values, kind, name):
    try:
        return [kind(v) for v in values]
    except ValueError:
        raise ValueError(
            f"--{name} takes comma-separated numbers, got {','.join(values)!r}."
        ) from None


def draw(picture, f):
    """Makes ``picture`` as the flags ``f`` say; returns the paths written."""
    from tfgan_zoo import sampling

    export = sampling.Export(f.export_dir)
    if picture == "translate":
        if not f.input:
            raise sampling.SampleError("translate needs --input: an image file or a folder.")
        results = sampling.translate(export, sampling.image_files(f.input), f.direction)
        if os.path.splitext(f.out)[1]:
            pairs = [image for _, a, b in results for image in (a, b)]
            grid = sampling.images_lib.tile([sampling.images_lib.from_uint8(p) for p in pairs], 2)
            return [sampling.write(f.out, grid, scale=f.scale)]
        names = [os.path.splitext(os.path.basename(p))[0] + ".png" for p, _, _ in results]
        return [sampling.write(os.path.join(f.out, n), b, scale=f.scale)
                for n, (_, _, b) in zip(names, results, strict=True)]  # fmt: skip
    if picture == "grid":
        image = sampling.grid(export, f.rows, f.columns, f.seed, f.label)
    elif picture == "classes":
        image = sampling.classes(export, f.columns, f.seed)
    elif picture == "truncation":
        values = _numbers(f.truncations, float, "truncations")
        image = sampling.truncation(export, values, f.columns, f.seed, f.label)
    else:
        seeds = _numbers(f.seeds, int, "seeds")
        frames, image = sampling.interpolate(export, seeds, f.steps, f.label)
        return [sampling.write(f.out, image, frames, scale=f.scale)]
    return [sampling.write(f.out, image, scale=f.scale)]


def main(argv):
    if len(argv) != 2 or argv[1] not in PICTURES:
        sys.exit(f"ERROR: name one picture: {', '.join(PICTURES)} (python -m tfgan_zoo.sample "
                 f"grid --export_dir=... --out=grid.png)")  # fmt: skip
    cli.setup_logging()
    import tensorflow as tf

    try:
        paths = draw(argv[1], flags.FLAGS)
    except (ValueError, OSError) as e:  # SampleError is a ValueError; missing files
        sys.exit(f"ERROR: {e}")
    except tf.errors.InvalidArgumentError as e:  # the export's own checks of a request
        lines = [line.strip() for line in e.message.splitlines() if line.strip()]
        told = [line for line in lines if "assertion failed" in line] or lines[-1:]
        sys.exit(f"ERROR: the export refused the request: {told[0]}")
    print(f"Wrote {paths[0]}" + (f" and {len(paths) - 1} more" if len(paths) > 1 else ""))


def run():
    define_flags()
    cli.run_app(main, flags.FLAGS, __name__, USAGE)
