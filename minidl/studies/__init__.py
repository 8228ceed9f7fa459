"""The image studies of STUDIES.md, each as data: dataset, models, task, experiments.

    from minidl.studies import STUDIES, get_study
    study = get_study("colorized-mnist")
    config = study.resolve("inverted", settings={"epochs": 2})
    data = study.load_data(config)            # StudyData(train, val, test, classes)

:mod:`.runner` builds a run from a configuration (``minidl train``, ``eval``,
``colorize`` call it); :mod:`.study` says what a study holds; one module per study.
"""
from . import colorize_cifar, colorized_mnist, iizuka, lab_colorize, multidigit_mnist
from .setting import ConfigError, Setting
from .study import Study, StudyData, Variant

STUDIES = {module.STUDY.name: module.STUDY
           for module in (colorized_mnist, multidigit_mnist, colorize_cifar, iizuka,
                          lab_colorize)}
DEFAULT_STUDY = "colorized-mnist"


def get_study(name: str) -> Study:
    if name not in STUDIES:
        raise ConfigError(f"unknown study {name!r} (the studies: {', '.join(STUDIES)}; "
                          "`minidl studies` lists them)")
    return STUDIES[name]


__all__ = ["STUDIES", "DEFAULT_STUDY", "get_study", "Study", "StudyData", "Variant",
           "Setting", "ConfigError"]
