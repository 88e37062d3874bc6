"""The error a builder raises when the data or flags do not fit its networks."""


class ArchitectureError(ValueError):
    """The networks cannot be built for these data or flags; the message says
    what to change. The command lines show it as one line."""
