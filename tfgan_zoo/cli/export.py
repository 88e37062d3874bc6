"""``tfgan-zoo-export --model_dir=runs/x --export_dir=saved_models/x``: export a run.

Rebuilds the run's model from its ``run.json`` and newest checkpoint and
writes the generator as the next SavedModel version (`tfgan_zoo.export`).
"""

from absl import flags

from tfgan_zoo import cli, rundir, trainer


def define_flags():
    flags.DEFINE_string("model_dir", None, "Training directory (checkpoints and run.json).")
    flags.DEFINE_string("export_dir", None, "Export to <export_dir>/<version>/.")
    flags.DEFINE_integer("version", None, "Explicit version number (default: next free).")
    flags.mark_flags_as_required(["model_dir", "export_dir"])


def main(argv):
    cli.start(argv)
    fv = flags.FLAGS
    with cli.one_line_errors():
        model, config = trainer.restore_model(fv.model_dir)
        class_names = rundir.read_run(fv.model_dir).get("class_names")
        path = trainer.export_model(model, fv.export_dir, fv.version, class_names)
    print(f"Exported step {int(model.steps_done)} of {fv.model_dir} to {path}")


def run():
    define_flags()
    cli.run_app(main, flags.FLAGS, __name__)
