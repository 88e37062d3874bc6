"""``python -m tfgan_zoo.data.make_tfrecords <folder> <out_prefix> --shards N``.

Writes the images of a folder (as ``--dataset=folder:<folder>`` reads it:
class subfolders, unreadable files skipped and named) into ``N`` TFRecord
shards ``<out_prefix>-0000i-of-0000N.tfrecord``, ready for
``--dataset=tfrecord:<out_prefix>-*.tfrecord`` (and for a multi-machine run,
which reads the shards rather than a shared folder).
"""

import sys

from absl import flags

from tfgan_zoo import cli

USAGE = """
Usage: python -m tfgan_zoo.data.make_tfrecords <folder> <out_prefix> [--shards N]

  <folder>      your images (class subfolders, as --dataset=folder: reads them)
  <out_prefix>  writes <out_prefix>-0000i-of-0000N.tfrecord and <out_prefix>.json

Example: python -m tfgan_zoo.data.make_tfrecords path/to/images data/my_images --shards 8
"""


def define_flags():
    flags.DEFINE_integer("shards", 4, "Number of TFRecord files to write.")
    flags.DEFINE_boolean("strict_images", False, "Stop at the first unreadable file.")
    flags.DEFINE_integer("seed", 0, "Seed of the order in which images are dealt to shards.")


def main(argv):
    from tfgan_zoo.data import files

    if len(argv) != 3:
        sys.exit(
            "ERROR: give a folder and an output prefix: python -m tfgan_zoo.data.make_tfrecords "
            "<folder> <out_prefix> --shards N"
        )
    cli.setup_logging()
    folder, prefix = argv[1:]
    f = flags.FLAGS
    with cli.one_line_errors():
        found = files.scan_folder(folder, f.strict_images)
        paths = files.write_tfrecords(found, prefix, f.shards, seed=f.seed)
    classes = (f"{found.num_classes} classes: {', '.join(found.class_names)}"
               if found.class_names else "unlabelled")  # fmt: skip
    print(f"Wrote {found.count} images ({classes}) to {len(paths)} shards: "
          f"{prefix}-*-of-{f.shards:05d}.tfrecord")  # fmt: skip
    if found.skipped:
        print(f"Skipped {len(found.skipped)} unusable file(s) (named in the log above).")
    print(f"Train on them with --dataset=tfrecord:{prefix}-*.tfrecord")


def run():
    define_flags()
    cli.run_app(main, flags.FLAGS, __name__, USAGE)
