"""A user's own package extending tfgan_zoo without editing it (docs/extending.md):
importing it registers a loss, a penalty, an architecture, a model and a data source,
which flagfiles then name (``--imports=my_gans``)."""

from my_gans import architecture, data, loss, model, penalty  # noqa: F401
