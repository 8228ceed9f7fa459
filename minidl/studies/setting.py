"""A study's settings: each one a named, typed, checked value with a default and a help
(``Setting``: a knob of a run, not a trained ``nn.Parameter``).

``minidl train ... --set key=value`` and the options (``--epochs 3``) set them; the run's
``config.json`` records every one. :meth:`Setting.parse` reads the text of ``--set``
and :meth:`Setting.check` refuses a value of the wrong kind or outside its range, with
a message naming the key and what it accepts.

Kinds: ``int``, ``float``, ``bool`` (true/false, yes/no, 1/0), ``str``, ``list`` (a
comma-separated list of names, kept as a list); ``optional=True`` also allows ``None``
(written ``none``).
"""
from __future__ import annotations

from dataclasses import dataclass

TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


class ConfigError(ValueError):
    """A bad setting: unknown key, wrong kind of value, value out of range."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    kind: type = str
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    optional: bool = False

    def expected(self) -> str:
        """What the setting accepts, in words."""
        if self.choices:
            text = "one of " + ", ".join(str(c) for c in self.choices)
        else:
            text = {int: "an integer", float: "a number", bool: "true or false",
                    str: "a text", list: "a comma-separated list"}[self.kind]
            if self.minimum is not None and self.maximum is not None:
                text += f" in [{self.minimum}, {self.maximum}]"
            elif self.minimum is not None:
                text += f" >= {self.minimum}"
            elif self.maximum is not None:
                text += f" <= {self.maximum}"
        return text + (" (or none)" if self.optional else "")

    def parse(self, text: str):
        """The value written as ``text`` (as after ``--set key=``)."""
        text = text.strip()
        value: object
        if self.optional and text.lower() in ("none", ""):
            return None
        try:
            if self.kind is bool:
                if text.lower() not in TRUE + FALSE:
                    raise ValueError(text)
                value = text.lower() in TRUE
            elif self.kind is list:
                value = [item.strip() for item in text.split(",") if item.strip()]
            else:
                value = self.kind(text)
        except ValueError:
            raise ConfigError(f"{self.name}={text!r}: expected {self.expected()}") from None
        return self.check(value)

    def check(self, value):
        """``value`` if it is acceptable (ints are accepted for floats), else a
        :class:`ConfigError`."""
        if value is None:
            if self.optional:
                return None
            raise ConfigError(f"{self.name}: a value is required ({self.expected()})")
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if self.kind is list and isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            raise ConfigError(f"{self.name}={value!r}: expected {self.expected()}")
        if self.choices and value not in self.choices:
            raise ConfigError(f"{self.name}={value!r}: expected {self.expected()}")
        if self.minimum is not None and value < self.minimum:
            raise ConfigError(f"{self.name}={value!r}: expected {self.expected()}")
        if self.maximum is not None and value > self.maximum:
            raise ConfigError(f"{self.name}={value!r}: expected {self.expected()}")
        return value
