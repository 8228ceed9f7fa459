"""``Study``: one image study of STUDIES.md as data: dataset, models, task, experiments.

A study names its experiments and models (each a :class:`Variant`: a name, what it
changes, the seed document's headline number), its settings (:class:`~.setting.Setting`;
the settings every study shares are in :mod:`.common`) and two functions:

    load_data(config)  -> StudyData(train, val, test, classes)
    build_task(config) -> a minidl.training Task holding the model(s)

:meth:`Study.resolve` turns a choice of experiment and model plus the user's settings
into the run's configuration, a flat dict (written to config.json)::

    defaults of the settings -> the experiment's settings -> the model's settings
    -> the user's --set values and options
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .common import COMMON_SETTINGS
from .setting import ConfigError, Setting


@dataclass(frozen=True)
class Variant:
    """An experiment or a model of a study. ``settings``: the values it sets;
    ``model``: for an experiment, the model it uses unless the user picks one."""
    name: str
    description: str
    headline: str = ""
    settings: dict = field(default_factory=dict)
    model: str | None = None


@dataclass
class StudyData:
    """The datasets of a run: train, validation (each epoch) and test (``minidl eval``);
    ``classes``: the class names of a classification (None otherwise)."""
    train: object
    val: object
    test: object
    classes: list | None = None


@dataclass(frozen=True)
class Study:
    name: str
    title: str
    seed: str
    description: str
    experiments: tuple
    models: tuple
    load_data: Callable[[dict], StudyData]
    build_task: Callable[[dict], Any]
    settings: tuple = ()
    defaults: dict = field(default_factory=dict)
    outputs: str = ""
    notes: str = ""

    @property
    def default_experiment(self) -> Variant:
        return self.experiments[0]

    def experiment(self, name: str | None) -> Variant:
        return self._pick(self.experiments, name, "experiment")

    def model(self, name: str | None, experiment: Variant | None = None) -> Variant:
        if name is None and experiment is not None and experiment.model is not None:
            name = experiment.model
        return self._pick(self.models, name, "model")

    def _pick(self, variants, name, what: str) -> Variant:
        if name is None:
            return variants[0]
        for variant in variants:
            if variant.name == name:
                return variant
        names = ", ".join(v.name for v in variants)
        raise ConfigError(f"unknown {what} {name!r} for study {self.name} (its {what}s: "
                          f"{names})")

    def all_settings(self) -> dict:
        """Every setting of the study, by name, with the study's defaults."""
        settings = {s.name: s for s in (*COMMON_SETTINGS, *self.settings)}
        for name, value in self.defaults.items():
            setting = settings[name]
            settings[name] = Setting(**{**setting.__dict__, "default": setting.check(value)})
        return settings

    def setting(self, name: str) -> Setting:
        settings = self.all_settings()
        if name not in settings:
            raise ConfigError(f"unknown setting {name!r} for study {self.name} (its "
                              f"settings: {', '.join(sorted(settings))})")
        return settings[name]

    def resolve(self, experiment: str | None = None, model: str | None = None,
                settings: dict | None = None) -> dict:
        """The configuration of a run (see the module docstring). ``settings``: the user's
        values by name, already parsed; each is checked."""
        chosen_experiment = self.experiment(experiment)
        chosen_model = self.model(model, chosen_experiment)
        values = {name: setting.default for name, setting in self.all_settings().items()}
        for layer in (chosen_experiment.settings, chosen_model.settings, settings or {}):
            for name, value in layer.items():
                values[name] = self.setting(name).check(value)
        return {"study": self.name, "experiment": chosen_experiment.name,
                "model": chosen_model.name, **values}
