"""The frozen training configuration and its validation.

`TrainConfig` is the single description of a training run. The absl command
line (`tfgan_zoo.cli.train.define_flags`, run as ``python -m tfgan_zoo.train``)
defines one flag per field, named like the field, with the field's default and
help text; the library takes the config object and never reads flags.
"""

import dataclasses
import importlib
import os

from tfgan_zoo import architectures, augment, losses, models, options, rng
from tfgan_zoo.data import SOURCES, TOY_SETS, files, translation
from tfgan_zoo.distribute import STRATEGIES
from tfgan_zoo.layers import NORMS

DTYPE_POLICIES = ("float32", "mixed_bfloat16")

JIT_CHOICES = ("auto", "on", "off")


# Flags a run cannot resume across: they change the networks' variables, the
# optimizers' (a learning-rate schedule replaces Adam's rate variable) or what
# the generator maps (the trainer also compares the data's shapes).
NETWORK_FIELDS = (
    "model", "architecture", "latent_dim", "latent_distribution", "hidden_units", "num_layers",
    "base_filters", "g_norm", "d_norm", "num_res_blocks", "info_categorical", "info_continuous",
    "pool_size", "direction", "pack", "ema_decay", "ema_half_life", "lr_decay", "optimizer",
)  # fmt: skip

OPTIMIZERS = ("adam", "rmsprop")


def _choices(names):
    return "one of " + ", ".join(sorted(names))


def _field(default, help_text):
    return dataclasses.field(default=default, metadata={"help": help_text})


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the flag and the fix."""


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    imports: str = _field(
        "",
        "Comma-separated Python modules imported before the other flags are checked: your "
        "own package's losses, penalties, architectures, models and data sources register "
        "themselves there, and the flags can then name them (docs/extending.md).",
    )
    # What to train.
    model: str = _field("gan", f"Training algorithm: {_choices(models.MODELS)}.")
    loss: str = _field("non_saturating", f"Adversarial loss: {_choices(losses.LOSSES)}.")
    ls_labels: tuple = _field(
        (0.0, 1.0, 1.0),
        "least_squares labels a,b,c (fake, real, generator target); the LSGAN paper's are -1,1,0.",
    )
    n_critic: int = _field(1, "Discriminator updates per generator update.")
    g_steps: int = _field(
        1,
        "Generator updates per training step, after the discriminator's (DCGAN-tensorflow, "
        "and so PacGAN's Stacked-MNIST code, runs 2). 1: the papers' rule.",
    )
    shared_noise: bool = _field(
        False,
        "The generator updates of a step reuse its last discriminator update's noise "
        "(DCGAN-tensorflow feeds one batch_z to all three); off: fresh noise per update.",
    )
    pack: int = _field(
        1,
        "PacGAN packing: the discriminator judges packs of this many samples, concatenated "
        "on the features (vectors) or channels (images); --model=gan only. 1: off.",
    )
    simultaneous: bool = _field(
        False,
        "Update the discriminator and the generator at once from one forward pass (the "
        "ALI/PacGAN code's rule) instead of alternating; needs --n_critic=1.",
    )
    gp_weight: float = _field(0.0, "WGAN-GP gradient-penalty weight (0: off).")
    gp_target: float = _field(
        1.0, "Gradient-penalty target norm (the penalty is (||grad|| / target - 1)^2)."
    )
    gp_one_sided: bool = _field(
        False, "Penalize only gradient norms above --gp_target (one-sided penalty)."
    )
    r1_weight: float = _field(
        0.0, "R1 penalty weight, which is the paper's gamma / 2 (gamma=10: 5). 0: off."
    )
    r2_weight: float = _field(
        0.0,
        "R2 penalty weight (zero-centred gradient penalty on generated samples), gamma / 2 "
        "as for R1; R3GAN uses R1 and R2 with one gamma. 0: off.",
    )
    penalties: str = _field(
        "",
        "More penalties of the discriminator by name, name=weight,... (registered ones: "
        "tfgan_zoo.penalties.PENALTIES, your own included), each on the adversarial score; "
        "name=weight@k takes one every k discriminator updates, with its weight times k.",
    )
    r1_every: int = _field(
        1,
        "Lazy regularization (StyleGAN2): take R1 and R2 at every N-th discriminator update "
        "only, with their weights times N (StyleGAN2: 16). 1: every update.",
    )
    gp_every: int = _field(
        1, "Lazy regularization of the gradient penalty, as --r1_every. 1: every update."
    )
    ema_decay: float = _field(
        0.0,
        "Generator EMA: keep a moving average of the generator's weights with this decay "
        "(e.g. 0.999); samples, --fid_every, evaluate and exports then use it. 0: off (the "
        "classic papers' configurations train without it). Not for pix2pix or cyclegan.",
    )
    augment_policy: str = _field(
        "",
        "DiffAugment (Zhao et al. 2020): transforms applied to every image the discriminator "
        "sees, real and fake, in both updates: any of color,translation,cutout "
        "(comma-separated). Empty: off. Image models other than pix2pix/cyclegan.",
    )
    ema_start: int = _field(0, "Generator updates before the EMA starts averaging (copies).")
    ema_warmup: bool = _field(
        True,
        "EMA decay min(--ema_decay, (1 + n) / (10 + n)) after n averaged updates, as "
        "tf.train.ExponentialMovingAverage(num_updates=n): the average forgets the initial "
        "weights quickly.",
    )
    ema_half_life: int = _field(
        0,
        "Generator EMA by StyleGAN2's convention, instead of --ema_decay: a half-life in "
        "images (its ema_kimg x 1000; 10000 at batch 32), decay 0.5 ** (batch / half-life) "
        "per generator update. 0: off.",
    )
    ema_rampup: float = _field(
        0.0,
        "With --ema_half_life: the half-life is at most this fraction of the images seen "
        "so far (StyleGAN2-ADA: 0.05). 0: none.",
    )
    ema_bn: str = _field(
        "copy",
        "The EMA generator's batch-norm statistics: copy (the raw generator's, every step; "
        "free, StyleGAN2's rule for buffers) or recompute (BigGAN's standing statistics "
        "through the averaged weights, 32 batches of fresh latents, before every sample "
        "grid, FID and export).",
    )
    label_smoothing: float = _field(
        0.0,
        "One-sided label smoothing s of the minimax and non_saturating losses: real "
        "samples' target is 1 - s (Salimans et al. 2016). TF-GAN's label_smoothing=s sets "
        "1 - s/2 (its default 0.25: 0.875), which is 0.125 here. 0: off.",
    )
    clip_value: float = _field(0.0, "WGAN weight clipping magnitude (0: off).")
    class_weight: float = _field(1.0, "acgan: weight of the auxiliary class loss.")
    ebgan_margin: float = _field(1.0, "energy_margin loss: the margin m.")
    pt_weight: float = _field(0.1, "ebgan: weight of the pulling-away term.")
    info_categorical: int = _field(10, "infogan: size of the categorical code.")
    info_continuous: int = _field(2, "infogan: number of continuous codes.")
    info_weight: float = _field(1.0, "infogan: weight of the mutual-information loss.")
    l1_weight: float = _field(100.0, "pix2pix: weight of the L1 distance to the target.")
    cycle_weight: float = _field(10.0, "cyclegan: weight of the cycle-consistency L1.")
    identity_weight: float = _field(
        0.5, "cyclegan: weight of the identity L1, relative to --cycle_weight (0: off)."
    )
    pool_size: int = _field(50, "cyclegan: generated images kept for the discriminators (0: off).")
    architecture: str = _field(
        "dcgan",
        f"Networks: {_choices(architectures.ARCHITECTURES)}; each model takes some of them "
        f"(an invalid pair gets an error naming the valid ones).",
    )
    latent_dim: int = _field(64, "Width of the generator's noise input.")
    latent_distribution: str = _field(
        "normal",
        f"The generator's noise: {_choices(rng.LATENTS)} (uniform: in [-1, 1], DCGAN's); "
        f"training, sample grids, FID and the export's sample signatures draw from it.",
    )
    hidden_units: int = _field(128, "mlp, lsgan_mlp, image_mlp, ebgan_mlp: units per hidden layer.")
    num_layers: int = _field(
        3, "mlp, lsgan_mlp, image_mlp, ebgan_mlp: hidden layers (the LSGAN paper's: 2)."
    )
    base_filters: int = _field(64, "dcgan: filters of the first discriminator layer.")
    g_norm: str = _field("batch", "Generator normalization: batch, instance, layer or none.")
    d_norm: str = _field("batch", "Discriminator normalization: batch, instance, layer or none.")
    num_res_blocks: int = _field(
        9, "resnet_patchgan: residual blocks (the paper: 9 at 256x256, 6 at 128x128)."
    )
    dropout: float = _field(
        0.5, "unet_patchgan: dropout of the three innermost decoder levels (training only)."
    )
    dtype_policy: str = _field(
        "float32",
        "float32, or mixed_bfloat16: layers compute in bfloat16 (GPUs from Ampere on, TPUs, "
        "CPUs with AVX512_BF16) with float32 variables, outputs and losses.",
    )
    jit_compile: str = _field(
        "auto",
        "XLA-compile the train step: auto, on or off. auto: on with a GPU; on a CPU off for "
        "the architectures measured slower with XLA (pacgan_dcgan), on with "
        "--steps_per_execution > 1 or for those measured faster (the toy MLPs; "
        "benchmarks/RESULTS.md); off under --strategy=mirrored or multi_worker, where XLA "
        "fails.",
    )
    steps_per_execution: int = _field(
        1,
        "Train steps per call into the compiled step (fewer round trips from Python). Every "
        "step count (steps_per_epoch, log/sample/checkpoint/fid_every) must be a multiple.",
    )
    # Distribution.
    strategy: str = _field(
        "default",
        "default (one device), mirrored (this machine's GPUs) or multi_worker (TF_CONFIG).",
    )
    num_devices: int = _field(
        0, "mirrored: number of devices (0: all GPUs); without GPUs, logical CPU devices."
    )
    # Data.
    dataset: str = _field(
        "fashion_mnist",
        "ring8, grid25, idx:<dir> of IDX files, stacked:<digits> (Stacked MNIST), "
        "folder:<dir> of your images (class subfolders), tfrecord:<glob> of tf.train.Example "
        "shards, or a tensorflow-datasets name; for pix2pix and cyclegan edges:<images>, "
        "unpaired:<A>,<B>, folder:<dir> (trainA/trainB or side-by-side pairs) or "
        "cycle_gan/<name>.",
    )
    image_size: str = _field(
        "",
        "folder: and tfrecord: data: the training size, square (64) or HxW (64x48); empty: "
        "--resolution, or else the first image's size.",
    )
    resize: str = _field(
        "center_crop",
        "folder: and tfrecord: data: how images of another shape reach --image_size: "
        "center_crop (crop to its aspect, then resize), pad (fit inside, black borders) or "
        "stretch.",
    )
    channels: int = _field(
        0, "folder: and tfrecord: data: 1 (grey) or 3 (RGB); 0: 1 if every image is grey."
    )
    strict_images: bool = _field(
        False,
        "folder: data: stop at the first unreadable or corrupt file (default: skip, count and "
        "name them in the log).",
    )
    data_cache: str = _field(
        "",
        "folder: and tfrecord: data: keep the decoded images after the first pass, in "
        "'memory' or in files under this directory (one training process per directory); "
        "empty: decode every pass.",
    )
    tfrecord_keys: str = _field(
        ",".join(files.KEYS),
        "tfrecord: data: the tf.train.Example keys of the encoded image, the class id and "
        "the class name (the last two optional in the records).",
    )
    data_dir: str = _field("", "tensorflow-datasets data_dir (empty: tfds's default).")
    toy_points: int = _field(
        0,
        "Toy sets: train on a fixed set of this many points, reshuffled every pass (PacGAN: "
        "100000); 0: a fresh draw for every batch.",
    )
    toy_packs: str = _field(
        "consecutive",
        "Toy sets with --toy_points: consecutive (a pack is --pack consecutive points of the "
        "reshuffled set) or fixed (PacGAN's code: --toy_points tuples of --pack points drawn "
        "once with replacement, reshuffled every pass; with --pack=1 a resample).",
    )
    split: str = _field("train", "Dataset split.")
    batch_size: int = _field(64, "Global batch size.")
    resolution: int = _field(
        0,
        "Resize images to this square size, center-cropping non-square ones first (CelebA "
        "178x218 -> 64x64); 0: keep their size.",
    )
    direction: str = _field(
        "a_to_b", "Image-to-image data: a_to_b, or b_to_a to swap inputs and targets."
    )
    augment: bool = _field(
        False,
        "Image-to-image data: the papers' random jitter (resize up 286/256, random crop back) "
        "and horizontal flips, the same for both images of a pair.",
    )
    # Optimization.
    optimizer: str = _field(
        "adam",
        "Optimizer of both networks: adam, or rmsprop (rho 0.9, epsilon --adam_epsilon; "
        "the LSGAN paper's setting for networks without batch norm; --beta1/--beta2 do "
        "not apply).",
    )
    g_lr: float = _field(2e-4, "Generator learning rate.")
    d_lr: float = _field(2e-4, "Discriminator learning rate.")
    beta1: float = _field(0.5, "Adam beta_1 of both optimizers.")
    beta2: float = _field(0.999, "Adam beta_2 of both optimizers.")
    adam_epsilon: float = _field(
        1e-7, "Adam epsilon of both optimizers (Keras' 1e-7; TensorFlow 1 and Blocks: 1e-8)."
    )
    lr_decay: str = _field(
        "none", "Learning-rate schedule: none, or linear (to 0 at the last step)."
    )
    decay_start: float = _field(
        0.0, "lr_decay=linear: fraction of the steps at constant rate first (CycleGAN: 0.5)."
    )
    epochs: int = _field(10, "Epochs to train (the run's total, also when resuming).")
    steps_per_epoch: int = _field(500, "Generator steps per epoch.")
    seed: int = _field(0, "Random seed of weights, noise and data order.")
    init_from: str = _field(
        "",
        "Start from pretrained weights: an export (saved_models/<name>, its generator; the "
        "discriminator starts afresh), a .keras file or a training --model_dir (every "
        "network). Its networks must match this run's. A run with a checkpoint of its own "
        "resumes from that instead.",
    )
    # Outputs.
    model_dir: str = _field("runs/default", "Checkpoints, TensorBoard logs and samples go here.")
    export_dir: str = _field(
        "", "Export the generator under <export_dir>/<version>/ (empty: <model_dir>/export)."
    )
    export: bool = _field(
        True,
        "Export the generator when training ends. --noexport keeps only the checkpoints "
        "(runs scored from their checkpoints); tfgan-zoo-export --model_dir exports one later.",
    )
    log_every: int = _field(100, "Write TensorBoard scalars every N steps.")
    sample_every: int = _field(1000, "Write a PNG grid of samples every N steps.")
    checkpoint_every: int = _field(500, "Checkpoint every N steps.")
    fid_every: int = _field(
        0,
        "Log a classifier FID every N steps (0: off); images and translations into a labelled "
        "dataset; the classifier is cached.",
    )
    fid_samples: int = _field(1000, "Generated and real images per FID check.")
    overfit_every: int = _field(
        0,
        "Every N steps, log the discriminator's mean score on --overfit_samples training "
        "images and on as many held-out ones (the other split), and ADA's r_t = "
        "E[sign(D(train))] (0: off): how far D memorizes its data.",
    )
    overfit_samples: int = _field(1000, "Training and held-out images per overfitting check.")
    keep_checkpoints: int = _field(3, "Checkpoints to keep.")
    max_loss: float = _field(
        1e6,
        "Stop as for a NaN when a loss's magnitude passes this (divergence: the last good "
        "checkpoint is kept, nothing is exported); 0: stop only on NaN/Inf.",
    )
    verbose: int = _field(1, "Keras verbosity: 0 silent, 1 progress bar, 2 one line per epoch.")

    def __post_init__(self):
        """Every rule, in the order a user meets them: the imports that register
        names, the names, the option groups, then each family of flags."""
        self._import_packages()
        self._check_names()
        self._check_groups()
        self._check_packing()
        self._check_translation()
        self._check_own_images()
        self._check_execution()
        self._check_ranges()
        self._check_loss_flags()
        self._check_data_fits_architecture()
        self._check_monitors()

    def _import_packages(self):
        for module in filter(None, (m.strip() for m in self.imports.split(","))):
            try:
                importlib.import_module(module)
            except ImportError as e:
                raise ConfigError(f"--imports: cannot import {module!r} ({e}).") from None

    def _check_names(self):
        _check_choice("model", self.model, models.MODELS)
        _check_choice("loss", self.loss, losses.LOSSES)
        _check_choice("architecture", self.architecture, architectures.ARCHITECTURES)
        _check_choice("strategy", self.strategy, STRATEGIES)
        _check_choice("lr_decay", self.lr_decay, ("none", "linear"))
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("direction", self.direction, translation.DIRECTIONS)
        if self.dtype_policy == "mixed_float16":
            raise ConfigError(
                "--dtype_policy=mixed_float16 needs loss scaling, which the adversarial train "
                "steps do not do: use --dtype_policy=mixed_bfloat16 (same speed-up on GPUs "
                "from Ampere on, no loss scaling)."
            )
        _check_choice("dtype_policy", self.dtype_policy, DTYPE_POLICIES)
        for name in ("g_norm", "d_norm"):
            _check_choice(name, getattr(self, name), NORMS)
        compatible = models.get(self.model).compatible_architectures
        if self.architecture not in compatible:
            raise ConfigError(
                f"--model={self.model} needs --architecture in {', '.join(compatible)}, "
                f"got {self.architecture!r}."
            )

    def _check_ranges(self):
        """The numeric flags outside the groups: counts >= 1, weights >= 0, rates > 0."""
        for name in (
            "latent_dim", "hidden_units", "num_layers", "base_filters", "batch_size", "epochs",
            "steps_per_epoch", "log_every", "sample_every", "checkpoint_every",
            "keep_checkpoints",
        ):  # fmt: skip
            if getattr(self, name) < 1:
                raise ConfigError(
                    f"--{name} must be a positive integer, got {getattr(self, name)}."
                )
        if self.info_categorical < 1 or self.info_continuous < 0:
            raise ConfigError("--info_categorical must be >= 1 and --info_continuous >= 0.")
        for name in ("num_devices", "l1_weight", "cycle_weight", "identity_weight",
                     "pool_size", "resolution", "max_loss"):  # fmt: skip
            if getattr(self, name) < 0:
                raise ConfigError(f"--{name} must be >= 0, got {getattr(self, name)}.")
        for name in ("g_lr", "d_lr", "adam_epsilon"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"--{name} must be > 0, got {getattr(self, name)}.")
        for name in ("beta1", "beta2"):
            if not 0 <= getattr(self, name) < 1:
                raise ConfigError(f"--{name} must be in [0, 1), got {getattr(self, name)}.")
        if not (0 <= self.dropout < 1 and 0 <= self.decay_start < 1):
            raise ConfigError("--dropout and --decay_start must be in [0, 1).")
        if self.verbose not in (0, 1, 2):
            raise ConfigError(f"--verbose must be 0, 1 or 2, got {self.verbose}.")
        if not self.model_dir:
            raise ConfigError("--model_dir must not be empty.")

    def _check_loss_flags(self):
        if not 0 <= self.label_smoothing < 1:
            raise ConfigError(f"--label_smoothing must be in [0, 1), got {self.label_smoothing}.")
        if self.label_smoothing and "label_smoothing" not in self.loss_kwargs:
            raise ConfigError(
                f"--label_smoothing applies to the minimax and non_saturating losses, not "
                f"--loss={self.loss}."
            )
        if len(self.ls_labels) != 3:
            raise ConfigError(f"--ls_labels takes three numbers a,b,c, got {self.ls_labels!r}.")

    def _check_data_fits_architecture(self):
        toy_architecture = architectures.ARCHITECTURES[self.architecture].toy
        registered = self.dataset.partition(":")[0] in SOURCES  # a user's: not checked here
        if toy_architecture and self.dataset not in TOY_SETS and not registered:
            raise ConfigError(
                f"--architecture={self.architecture} works on the toy sets "
                f"({', '.join(TOY_SETS)}), not {self.dataset!r}; use --architecture=dcgan "
                f"for images."
            )
        if not toy_architecture and self.dataset in TOY_SETS:
            raise ConfigError(
                f"The toy set {self.dataset!r} holds 2-D points: use --architecture="
                f"{' or '.join(architectures.toy_architectures())}."
            )

    def _check_monitors(self):
        if self.fid_every < 0 or self.fid_samples < 2:
            raise ConfigError("--fid_every must be >= 0 and --fid_samples >= 2.")
        if self.overfit_every < 0 or self.overfit_samples < 1:
            raise ConfigError("--overfit_every must be >= 0 and --overfit_samples >= 1.")
        if self.overfit_every and (
            models.is_translator(self.model) or self.dataset in TOY_SETS
            or files.is_file_dataset(self.dataset) or self.split not in ("train", "test")
        ):  # fmt: skip
            raise ConfigError(
                "--overfit_every compares training images with held-out ones: it needs an "
                "image dataset with train and test splits (idx:<dir> or a tensorflow-datasets "
                "name, --split=train or test) and a generator model."
            )

    def _check_groups(self):
        """The model's option groups (`tfgan_zoo.options`), built once here: their
        rules live there, their errors become flag errors."""
        for name in ("schedule", "penalties_group", "averaging", "feeding"):
            try:
                getattr(self, name)
            except options.OptionError as e:
                raise ConfigError(f"--{e}") from None

    def _check_packing(self):
        if self.pack > 1 and not models.get(self.model).supports_packing:
            raise ConfigError(
                f"--pack={self.pack} needs --model=gan: the discriminator of --model="
                f"{self.model} sees labels or codes beside each sample."
            )
        if self.batch_size % self.pack:
            raise ConfigError(
                f"--batch_size={self.batch_size} does not divide into packs of --pack="
                f"{self.pack}: make the batch size a multiple of it."
            )
        if self.toy_points < 0 or (self.toy_points and self.dataset not in TOY_SETS):
            raise ConfigError(
                f"--toy_points applies to the toy sets ({', '.join(TOY_SETS)}) and must be "
                f">= 0, got {self.toy_points} with --dataset={self.dataset}."
            )
        _check_choice("toy_packs", self.toy_packs, ("consecutive", "fixed"))
        if self.toy_packs == "fixed" and not self.toy_points:
            raise ConfigError(
                "--toy_packs=fixed draws its packs from a fixed training set: set --toy_points "
                "(PacGAN: 100000)."
            )

    def _check_own_images(self):
        _check_choice("resize", self.resize, files.RESIZE)
        if self.channels not in (0, 1, 3):
            raise ConfigError(f"--channels must be 0 (auto), 1 or 3, got {self.channels}.")
        try:
            files.parse_size(self.image_size)
        except ValueError as e:
            raise ConfigError(f"--image_size: {e}") from None
        if len(self.tfrecord_keys.split(",")) != 3:
            raise ConfigError(
                f"--tfrecord_keys takes three comma-separated keys (image, class id, class "
                f"name), got {self.tfrecord_keys!r}."
            )
        own = files.is_file_dataset(self.dataset) and not models.is_translator(self.model)
        changed = [f"--{name}" for name in ("image_size", "channels", "data_cache")
                   if getattr(self, name)]  # fmt: skip
        if changed and not own:
            raise ConfigError(
                f"{', '.join(changed)} apply to your own images (--dataset=folder:<dir> or "
                f"tfrecord:<glob>) with the generator models; --resolution resizes the others."
            )

    @property
    def image_options(self):
        """The `tfgan_zoo.data.ImageOptions` of the own-image flags."""
        return files.ImageOptions(
            size=files.parse_size(self.image_size), resize=self.resize, channels=self.channels,
            strict=self.strict_images, cache=self.data_cache,
            keys=tuple(self.tfrecord_keys.split(",")),
        )  # fmt: skip

    def _check_translation(self):
        translator = models.is_translator(self.model)
        if (
            translator
            and not self.dataset.startswith(translation.PREFIXES)
            or (not translator and translation.is_translation(self.dataset))
        ):
            raise ConfigError(
                f"--model={self.model} and --dataset={self.dataset} do not go together: "
                f"the image-to-image models train on image-to-image datasets "
                f"({', '.join(p + '...' for p in translation.PREFIXES)}), the other models "
                f"on single images or toy points."
            )
        try:
            policy = augment.parse(self.augment_policy)
        except ValueError as e:
            raise ConfigError(f"--augment_policy: {e}") from None
        if policy and (translator or self.dataset in TOY_SETS):
            raise ConfigError(
                "--augment_policy applies to image datasets and the generator models (not "
                "the toy sets, pix2pix or cyclegan)."
            )
        if translator and (self.ema_decay or self.ema_half_life):
            raise ConfigError(
                f"--ema_decay and --ema_half_life apply to the generator models, not "
                f"--model={self.model}."
            )
        if self.augment and not translator:
            raise ConfigError("--augment applies to image-to-image datasets (pix2pix, cyclegan).")
        if translator and (self.n_critic != 1 or self.g_steps != 1 or self.shared_noise):
            raise ConfigError(
                f"--model={self.model} takes --n_critic=1 and --g_steps=1 (and no "
                f"--shared_noise: it draws no noise)."
            )
        if self.simultaneous and translator:
            raise ConfigError(
                "--simultaneous updates a generator model's two networks once a step, not "
                "pix2pix's or cyclegan's."
            )
        if translator and self.fid_every and not self.fid_domain:
            raise ConfigError(
                f"--fid_every needs a labelled dataset behind the translations to train its "
                f"classifier on (edges:<X> or unpaired:<A>,<B>); {self.dataset} has none."
            )

    def _check_execution(self):
        """jit_compile and steps_per_execution, and what they need (TF 2.21 / Keras 3.15)."""
        _check_choice("jit_compile", self.jit_compile, JIT_CHOICES)
        if self.steps_per_execution < 1:
            raise ConfigError(
                f"--steps_per_execution must be a positive integer, got {self.steps_per_execution}."
            )
        if self.jit_compile == "on" and self.strategy != "default":
            raise ConfigError(
                f"--jit_compile=on does not run under --strategy={self.strategy}: TF 2.21 cannot "
                f"XLA-compile Keras' distributed train step (InvalidArgumentError). Use "
                f"--jit_compile=auto or off with it, or --strategy=default."
            )
        if self.steps_per_execution > 1 and self.strategy == "multi_worker":
            raise ConfigError(
                "--steps_per_execution > 1 does not run under --strategy=multi_worker: Keras "
                "3.15's multi-step loop fails there with TF 2.21 (InvalidArgumentError in its "
                "while loop). Use --steps_per_execution=1 with it."
            )
        for name in ("steps_per_epoch", "log_every", "sample_every", "checkpoint_every",
                     "fid_every", "overfit_every"):  # fmt: skip
            if getattr(self, name) % self.steps_per_execution:
                raise ConfigError(
                    f"--{name}={getattr(self, name)} is not a multiple of "
                    f"--steps_per_execution={self.steps_per_execution}: callbacks run between "
                    f"executions, so checkpoints, logs and samples would miss their steps. "
                    f"Make every step count a multiple of it."
                )

    @property
    def fid_domain(self):
        """The labelled dataset whose images FID compares generated ones with."""
        if models.is_translator(self.model):
            return translation.labelled_domains(self.dataset, self.direction)[1]
        return self.dataset

    @property
    def architecture_kwargs(self):
        """The flags that shape the networks, as keyword arguments of `architectures.build`."""
        names = ("hidden_units", "num_layers", "base_filters", "g_norm", "d_norm",
                 "info_categorical", "info_continuous", "num_res_blocks", "dropout")  # fmt: skip
        return {name: getattr(self, name) for name in names}

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        """The config saved by `to_dict` (lists back to tuples; unknown keys are errors)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"Unknown config fields {unknown}: written by a newer version?")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    @property
    def total_steps(self):
        return self.epochs * self.steps_per_epoch

    @property
    def resolved_export_dir(self):
        return self.export_dir or os.path.join(self.model_dir, "export")

    @property
    def penalty_weights(self):
        """``--penalties`` as ``{name: weight}``."""
        return parse_penalties(self.penalties)[0]

    @property
    def schedule(self):
        """The `options.Schedule` of these flags."""
        return options.Schedule(n_critic=self.n_critic, g_steps=self.g_steps,
                                simultaneous=self.simultaneous,
                                shared_noise=self.shared_noise)  # fmt: skip

    @property
    def penalties_group(self):
        """The `options.Penalties` of these flags (``--penalties`` is its ``extra``)."""
        return options.Penalties(
            gp_weight=self.gp_weight, gp_target=self.gp_target, gp_one_sided=self.gp_one_sided,
            gp_every=self.gp_every, r1_weight=self.r1_weight, r2_weight=self.r2_weight,
            r1_every=self.r1_every, extra=self.penalty_weights,
            extra_every=parse_penalties(self.penalties)[1], clip_value=self.clip_value,
        )  # fmt: skip

    @property
    def averaging(self):
        """The `options.Averaging` (generator EMA) of the ``--ema_*`` flags."""
        return options.Averaging(decay=self.ema_decay, start=self.ema_start,
                                 warmup=self.ema_warmup, half_life=self.ema_half_life,
                                 rampup=self.ema_rampup, bn=self.ema_bn)  # fmt: skip

    @property
    def feeding(self):
        """The `options.Feeding` of these flags."""
        return options.Feeding(latent_distribution=self.latent_distribution, seed=self.seed,
                               pack=self.pack, augment_policy=self.augment_policy)  # fmt: skip

    @property
    def loss_kwargs(self):
        """The flags that parameterize the chosen loss, as its keyword arguments."""
        return _LOSS_KWARGS.get(self.loss, lambda c: {})(self)


def _smoothing(config):
    return {"label_smoothing": config.label_smoothing} if config.label_smoothing else {}


_LOSS_KWARGS = {
    "minimax": _smoothing,
    "non_saturating": _smoothing,
    "least_squares": lambda c: dict(zip("abc", map(float, c.ls_labels), strict=True)),
    "energy_margin": lambda c: {"margin": c.ebgan_margin},
}


def parse_penalties(text):
    """``"a=0.5,b=1@4"`` -> ``({"a": 0.5, "b": 1.0}, {"b": 4})``: each a registered
    penalty's weight, and the intervals given with ``@``.

    Raises:
      ConfigError: a malformed entry, a negative weight or an unknown name.
    """
    from tfgan_zoo.penalties import PENALTIES

    weights, every = {}, {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        name, _, weight = entry.partition("=")
        weight, _, interval = weight.partition("@")
        try:
            weights[name.strip()] = float(weight)
            if interval:
                every[name.strip()] = int(interval)
        except ValueError:
            raise ConfigError(
                f"--penalties takes name=weight or name=weight@k,..., got {entry!r}."
            ) from None
        if weights[name.strip()] < 0:
            raise ConfigError(f"--penalties: the weight of {name!r} must be >= 0.")
        _check_choice("penalties", name.strip(), PENALTIES)
    return weights, every


def _check_choice(name, value, choices):
    if value not in choices:
        raise ConfigError(
            f"--{name}: unknown value {value!r}. Choose one of: {', '.join(sorted(choices))}."
        )
