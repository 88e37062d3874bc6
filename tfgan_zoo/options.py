"""A GAN's options in four small groups, each defined, validated and serialized once.

A model takes them by name::

    GAN(generator, discriminator, 64, loss="wasserstein",
        schedule=Schedule(n_critic=5),
        penalties=Penalties(gp_weight=10.0),
        averaging=Averaging(decay=0.999),
        feeding=Feeding(augment_policy="translation,cutout"))

- `Schedule`: how the players take turns (discriminator updates per step,
  generator updates, simultaneous updates, one noise draw for both);
- `Penalties`: what keeps the discriminator in check (gradient penalties on
  its score, R1 and R2, their lazy intervals, registered penalties, weight
  clipping);
- `Averaging`: the generator's moving average (EMA) and its batch-norm rule;
- `Feeding`: what the networks are fed (the latent distribution and its
  seed, packing, differentiable augmentation).

`TrainConfig` builds the same objects from its flags (``--n_critic`` is
``Schedule.n_critic``, ``--ema_decay`` is ``Averaging.decay``): a rule is
checked here only, and an `OptionError` names the flag (`FLAGS`), so the
command line reports it as ``--<flag>``. The flat keywords of earlier versions
(``GAN(..., gp_weight=10.0)``, and the configs of ``.keras`` files they saved)
are still accepted: `split_flat` moves them into their groups.
"""

import dataclasses

from tfgan_zoo.rng import LATENTS

EMA_BN = ("copy", "recompute")


class OptionError(ValueError):
    """An option out of its range; ``flag`` is the keyword (and flag) it came from."""

    def __init__(self, flag, message):
        super().__init__(f"{flag} {message}")
        self.flag = flag


def _unknown(value, choices):
    return f"must be one of {', '.join(choices)}, got {value!r}."


def _at_least(group, field, least):
    value = getattr(group, field)
    if value < least:
        raise OptionError(group.flag(field), f"must be >= {least}, got {value}.")


class _Group:
    """What every group shares: its flags, its dict form, and validation on creation."""

    PREFIX = ""  # the flags' prefix: Averaging.decay is --ema_decay

    @classmethod
    def flag(cls, field):
        return cls.PREFIX + field

    @classmethod
    def of(cls, value):
        """``value`` as this group: None (the defaults), a group, or its dict form."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            return cls(**value)
        raise TypeError(f"{cls.__name__} options must be a {cls.__name__} or a dict, got "
                        f"{type(value).__name__}.")  # fmt: skip

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Schedule(_Group):
    """How the players take turns in a step: ``n_critic`` discriminator updates
    (each on a fresh real batch), then ``g_steps`` generator updates; or both
    networks at once from one forward pass (``simultaneous``, PacGAN's and
    LSGAN's code). ``shared_noise``: the generator updates reuse the last
    discriminator update's latent draw (the authors' code of some papers)."""

    n_critic: int = 1
    g_steps: int = 1
    simultaneous: bool = False
    shared_noise: bool = False

    def __post_init__(self):
        _at_least(self, "n_critic", 1)
        _at_least(self, "g_steps", 1)
        if self.simultaneous and (self.n_critic != 1 or self.g_steps != 1):
            raise OptionError("simultaneous", f"updates take n_critic=1 and g_steps=1, got "
                              f"{self.n_critic} and {self.g_steps}.")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Penalties(_Group):
    """What keeps the discriminator in check, each on its adversarial score:
    a gradient penalty (WGAN-GP: weight, target norm, one-sided, applied every
    ``gp_every`` steps with its weight times that), zero-centred R1 on reals
    and R2 on fakes (every ``r1_every`` steps, StyleGAN2's lazy
    regularization), ``extra`` registered penalties (`penalties.register`:
    ``{name: weight}``, each taken every ``extra_every[name]`` discriminator
    updates, 1 by default) and WGAN's weight clipping (``clip_value``, 0: off)."""

    gp_weight: float = 0.0
    gp_target: float = 1.0
    gp_one_sided: bool = False
    gp_every: int = 1
    r1_weight: float = 0.0
    r2_weight: float = 0.0
    r1_every: int = 1
    extra: dict = dataclasses.field(default_factory=dict)
    extra_every: dict = dataclasses.field(default_factory=dict)
    clip_value: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "clip_value", float(self.clip_value or 0.0))  # None: off
        for field in ("gp_weight", "r1_weight", "r2_weight", "clip_value"):
            _at_least(self, field, 0)
        _at_least(self, "gp_every", 1)
        _at_least(self, "r1_every", 1)
        if not self.gp_target > 0:
            raise OptionError("gp_target", f"must be > 0, got {self.gp_target}.")
        from tfgan_zoo.penalties import PENALTIES  # the registry, filled by then

        extra = {str(name): float(weight) for name, weight in (self.extra or {}).items()}
        for name in extra:
            PENALTIES.lookup(name)
        every = {str(name): int(n) for name, n in (self.extra_every or {}).items()}
        for name, n in every.items():
            if name not in extra or n < 1:
                raise OptionError("penalties", f"interval of {name!r} must be >= 1 and name a "
                                  f"penalty given a weight, got {n}.")  # fmt: skip
        object.__setattr__(self, "extra", extra)
        object.__setattr__(self, "extra_every", every)

    @classmethod
    def flag(cls, field):
        return "penalties" if field in ("extra", "extra_every") else field

    @classmethod
    def of(cls, value):
        """As `_Group.of`; a dict of penalty names (the ``penalties=`` of earlier
        versions) is the ``extra`` of default penalties."""
        names = {f.name for f in dataclasses.fields(cls)}
        if isinstance(value, dict) and not set(value) <= names:
            return cls(extra=value)
        return super().of(value)


@dataclasses.dataclass(frozen=True)
class Averaging(_Group):
    """The generator's moving average, which samples, FID and exports use when on:
    a fixed ``decay`` (warmed up as ``min(decay, (1 + n) / (10 + n))`` with
    ``warmup``) after ``start`` generator updates, or StyleGAN2's ``half_life``
    in images (ramped up with ``rampup``); its batch-norm statistics copied
    from the generator or recomputed for its own weights (``bn``)."""

    PREFIX = "ema_"

    decay: float = 0.0
    start: int = 0
    warmup: bool = True
    half_life: int = 0
    rampup: float = 0.0
    bn: str = "copy"

    def __post_init__(self):
        if not 0 <= self.decay < 1:
            raise OptionError(self.flag("decay"), f"must be in [0, 1), got {self.decay}.")
        for field in ("start", "half_life", "rampup"):
            _at_least(self, field, 0)
        if self.decay and self.half_life:
            raise OptionError(self.flag("decay"), "and ema_half_life set one average two ways: "
                              "give one, not both.")  # fmt: skip
        if self.bn not in EMA_BN:
            raise OptionError(self.flag("bn"), _unknown(self.bn, EMA_BN))

    @property
    def on(self):
        return bool(self.decay or self.half_life)


@dataclasses.dataclass(frozen=True)
class Feeding(_Group):
    """What the networks are fed: latents from ``latent_distribution`` (normal, or
    uniform in [-1, 1]) drawn from ``seed``; the discriminator's inputs in packs
    of ``pack`` samples (PacGAN) and augmented by the differentiable
    ``augment_policy`` (DiffAugment, e.g. ``"translation,cutout"``)."""

    latent_distribution: str = "normal"
    seed: int = None
    pack: int = 1
    augment_policy: str = ""

    def __post_init__(self):
        if self.latent_distribution not in LATENTS:
            raise OptionError("latent_distribution", _unknown(self.latent_distribution, LATENTS))
        _at_least(self, "pack", 1)
        policy = self.augment_policy
        if not isinstance(policy, str):
            object.__setattr__(self, "augment_policy", ",".join(policy or ()))


GROUPS = {"schedule": Schedule, "penalties": Penalties, "averaging": Averaging,
          "feeding": Feeding}  # fmt: skip


def _flat_names():
    """``{flat keyword: (group keyword, field)}`` over every group's fields."""
    names = {}
    for key, group in GROUPS.items():
        for field in dataclasses.fields(group):
            if group.flag(field.name) not in GROUPS:  # penalties= is its group's keyword
                names[group.flag(field.name)] = (key, field.name)
    return names


FLAT = _flat_names()


def group_or_flat(group, given, kwargs, key, renamed=None):
    """``given`` (a frozen dataclass ``group``), or the ``group`` of its fields'
    keywords popped from ``kwargs`` (``renamed``: ``{earlier keyword: field}``);
    ``key`` is the keyword ``given`` came as. Both ways at once is refused: say it
    once. `split_flat` does the same for `GAN`'s four groups."""
    names = {field.name: field.name for field in dataclasses.fields(group)}
    names.update(renamed or {})
    flat = {field: kwargs.pop(name) for name, field in names.items() if name in kwargs}
    if given is not None and flat:
        raise TypeError(f"{key}= and {', '.join(flat)} were both given: say it once.")
    return given if given is not None else group(**flat)


def split_flat(kwargs, groups):
    """Moves the flat keywords of ``kwargs`` (``gp_weight=...``, ``ema_decay=...``)
    into ``groups`` (``{"penalties": Penalties or dict or None, ...}``); returns the
    groups as objects. A group given both ways is refused: say it once."""
    moved = {}
    for name in [k for k in kwargs if k in FLAT]:
        key, field = FLAT[name]
        moved.setdefault(key, {})[field] = kwargs.pop(name)
    result = {}
    for key, group in GROUPS.items():
        given = groups.get(key)
        if key in moved and given:
            raise TypeError(f"{key}= and its flat keywords ({', '.join(moved[key])}) were both "
                            f"given: pass them in {group.__name__}(...) only.")  # fmt: skip
        if key in moved and isinstance(given, dict) and not given:
            given = None  # an empty dict of an older file beside its flat fields
        result[key] = group(**moved[key]) if key in moved else group.of(given)
    return result
