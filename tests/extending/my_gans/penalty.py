"""A new penalty in one file: zero-centred gradients on reals and fakes together."""

from tfgan_zoo import penalties


@penalties.register("r1_and_r2")
def r1_and_r2(critic, real, fake):
    return penalties.r1_penalty(critic, real) + penalties.r2_penalty(critic, fake)
