"""A training process for the distribution tests: ``python distributed_worker.py SPEC``.

SPEC is JSON: ``{"config": {TrainConfig fields}, "out": path, "logical_cpus": n}``.
Trains with `tfgan_zoo.trainer.train` and saves the final weights to ``out``
(``.npz``), plus the step and whether every logged loss was finite.
"""

import json
import sys

import numpy as np


def main(spec):
    import tensorflow as tf

    if spec.get("logical_cpus"):
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * spec["logical_cpus"]
        )
    from tfgan_zoo import trainer
    from tfgan_zoo.config import TrainConfig

    result = trainer.train(TrainConfig.from_dict(spec["config"]))
    finite = all(np.isfinite(v).all() for h in result.history for v in h.values())
    weights = {f"w{i}": w for i, w in enumerate(result.model.get_weights())}
    np.savez(spec["out"], step=result.final_step, finite=finite, **weights)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
