"""``python -m tfgan_zoo.data.make_tfrecords <folder> <out_prefix> --shards N``:
a folder of images as TFRecord shards (`tfgan_zoo.cli.make_tfrecords`)."""

if __name__ == "__main__":
    from tfgan_zoo.cli import run_make_tfrecords

    run_make_tfrecords()
