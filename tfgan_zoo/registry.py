"""Named registries a user's own package adds to: losses, penalties, architectures,
models and data sources.

As Keras' ``register_keras_serializable`` does for classes, a registry maps a
name to the object a flagfile names: ``--loss=my_loss`` finds what
``tfgan_zoo.losses.register("my_loss")`` registered, once the module that
registers it is imported (``--imports=my_package.gans`` imports it before the
flags are checked). The registries are the library's only module-level state
that changes, and only through ``register``; the built-in entries are
registered where they are defined.
"""

from collections.abc import Mapping


class Registry(Mapping):
    """``name -> object`` for one kind of component, read like a dict."""

    def __init__(self, kind):
        self.kind = kind
        self._entries = {}

    def register(self, name, value=None, replace=False):
        """Registers ``value`` under ``name``; with no ``value``, a decorator.

        Raises:
          ValueError: ``name`` is taken (``replace=True`` replaces it).
        """
        if value is None:
            return lambda v: self.register(name, v, replace)
        if name in self._entries and not replace:
            raise ValueError(
                f"A {self.kind} named {name!r} is already registered: pick another name, or "
                f"register it with replace=True."
            )
        self._entries[name] = value
        return value

    def unregister(self, name):
        """Removes ``name`` (a test's temporary entry); a no-op when absent."""
        self._entries.pop(name, None)

    def get(self, name, default=None):
        return self._entries.get(name, default)

    def lookup(self, name):
        """The entry called ``name``.

        Raises:
          ValueError: no such entry; the message lists the known names.
        """
        if name not in self._entries:
            raise ValueError(
                f"Unknown {self.kind} {name!r}. Known: {', '.join(sorted(self._entries))} "
                f"(one of your own: register it, and import its module with --imports)."
            )
        return self._entries[name]

    def __getitem__(self, name):
        return self._entries[name]

    def __setitem__(self, name, value):  # registry[name] = value: register, replacing
        self.register(name, value, replace=True)

    def __delitem__(self, name):
        del self._entries[name]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        return f"Registry({self.kind!r}: {', '.join(self._entries)})"
