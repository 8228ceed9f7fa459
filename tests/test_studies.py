"""The study registry, settings, splits, metrics, early stopping, colour encodings and the
pieces of a run, without the CLI (tests/test_cli_train.py runs them end to end)."""
import json

import numpy as np
import pytest

import minidl
from minidl.color import rgb_to_grayscale, rgb_to_lab
from minidl.data import TensorDataset
from minidl.studies import STUDIES, ConfigError, Setting, get_study
from minidl.studies.photos import fitted_size
from minidl.studies.splits import hold_out, limited
from minidl.training.early_stopping import EarlyStopping
from minidl.training.metrics import (
    MeanTracker,
    confusion_matrix,
    per_class_accuracy,
    precision_recall_f1,
)
from minidl.training.run_directory import RunDirectory, RunDirectoryError
from minidl.training.tasks.color_targets import LabTarget, RGBTarget
from minidl.training.tasks.multilabel import digits_of

EXPECTED = {
    "colorized-mnist": ({"digits", "inverted", "unseen-colors", "color-label", "grayscale"},
                        {"cnn"}),
    "multidigit-mnist": ({"three-digits"}, {"cnn"}),
    "colorize-cifar": ({"horses"}, {"regression", "unet-classify", "gan"}),
    "iizuka": ({"colorize", "classify", "joint"}, {"basic", "adam-dropout", "residual"}),
    "lab-colorize": ({"overfit-one", "two-sizes", "mirflickr", "golden-retriever",
                      "golden-husky"}, {"basic", "batch", "skip", "attention"}),
}


# What each model variant builds: (task class, model classes by role)
BUILDS = {
    ("colorized-mnist", "cnn"): ("ClassificationTask", {"model": "ColorizedMNISTNet"}),
    ("multidigit-mnist", "cnn"): ("MultiLabelTask", {"model": "MultiDigitNet"}),
    ("colorize-cifar", "regression"): ("ColorizationTask", {"model": "RegressionColorizer"}),
    ("colorize-cifar", "unet-classify"): ("PaletteColorizationTask",
                                          {"model": "UNetColorClassifier"}),
    ("colorize-cifar", "gan"): ("GANColorizationTask", {"generator": "GANGenerator",
                                                        "discriminator": "GANDiscriminator"}),
    **{("iizuka", variant): ("JointTask", {"model": "IizukaNet"})
       for variant in ("basic", "adam-dropout", "residual")},
    ("lab-colorize", "basic"): ("ColorizationTask", {"model": "LabColorizerBasic"}),
    ("lab-colorize", "batch"): ("ColorizationTask", {"model": "LabColorizerBatch"}),
    ("lab-colorize", "skip"): ("ColorizationTask", {"model": "LabColorizerSkip"}),
    ("lab-colorize", "attention"): ("ColorizationTask", {"model": "LabColorizerAttention"}),
}


def test_every_experiment_and_model_builds_what_it_says():
    """Every combination of STUDIES.md resolves to a configuration carrying the experiment's
    and the model's own settings, and builds the task and models the variant names (small
    widths, three classes: no data needed)."""
    assert set(STUDIES) == set(EXPECTED)
    for name, (experiments, models) in EXPECTED.items():
        study = get_study(name)
        assert {v.name for v in study.experiments} == experiments
        assert {v.name for v in study.models} == models
        small = {"width": 4} if "width" in study.all_settings() else {}
        for experiment in study.experiments:
            for model in study.models:
                config = study.resolve(experiment.name, model.name, small)
                assert (config["experiment"], config["model"]) == (experiment.name,
                                                                   model.name)
                for key, value in {**experiment.settings, **model.settings}.items():
                    assert config[key] == study.setting(key).check(value), (name, key)
                task = study.build_task({**config, "class_names": ["a", "b", "c"]})
                task_class, model_classes = BUILDS[(name, model.name)]
                assert type(task).__name__ == task_class
                assert {role: type(m).__name__ for role, m in task.models.items()} \
                    == model_classes
                built = next(iter(task.models.values()))
                if name == "iizuka":  # the experiment is the network's task
                    assert (built.task, built.variant) == (experiment.name, model.name)
                if name == "colorized-mnist":
                    assert built.in_channels == (1 if experiment.name == "grayscale" else 3)


def test_headline_numbers_of_the_seeds_are_recorded():
    headlines = {(s.name, v.name): v.headline for s in STUDIES.values()
                 for v in (*s.experiments, *s.models)}
    assert "98.61 %" in headlines[("colorized-mnist", "digits")]
    assert "33 %" in headlines[("colorized-mnist", "inverted")]
    assert "90.56 %" in headlines[("colorized-mnist", "unseen-colors")]
    assert "100 %" in headlines[("colorized-mnist", "color-label")]
    assert "97.5 %" in headlines[("colorized-mnist", "grayscale")]
    assert "97.8 %" in headlines[("multidigit-mnist", "three-digits")]
    assert "0.0017" in headlines[("colorize-cifar", "regression")]
    assert "0.0180" in headlines[("lab-colorize", "mirflickr")]
    assert "0.0095" in headlines[("lab-colorize", "golden-retriever")]


def test_resolve_layers_defaults_experiment_model_and_user_settings():
    iizuka = get_study("iizuka")
    config = iizuka.resolve("joint", "basic")
    assert (config["optimizer"], config["lr"], config["batch_size"]) == ("adadelta", 1.0, 64)
    assert iizuka.resolve("joint", "adam-dropout")["optimizer"] == "adam"
    assert iizuka.resolve("joint", "basic", {"lr": 0.5})["lr"] == 0.5
    lab = get_study("lab-colorize")
    assert lab.resolve("overfit-one")["model"] == "basic"  # the experiment's model
    assert lab.resolve("overfit-one", "batch")["model"] == "batch"
    assert lab.resolve("golden-husky")["breeds"] == ["golden_retriever", "siberian_husky"]
    assert get_study("colorized-mnist").resolve()["experiment"] == "digits"


@pytest.mark.parametrize("call, message", [
    (lambda: get_study("mnist"), "unknown study 'mnist'"),
    (lambda: get_study("iizuka").resolve("paint"), "unknown experiment 'paint' for study "
                                                    "iizuka"),
    (lambda: get_study("iizuka").resolve(None, "vgg"), "unknown model 'vgg'"),
    (lambda: get_study("iizuka").resolve(None, None, {"depth": 3}), "unknown setting 'depth'"),
    (lambda: get_study("iizuka").resolve(None, None, {"epochs": 0}), r"epochs=0: expected "
                                                                     r"an integer >= 1"),
    (lambda: get_study("iizuka").resolve(None, None, {"dataset": "coco"}), "one of ncd, dogs"),
])
def test_bad_choices_and_settings_raise_config_errors(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


def test_settings_parse_their_kinds():
    assert Setting("n", 1, "", int, minimum=0).parse(" 7 ") == 7
    assert Setting("x", 1.0, "", float).parse("1e-3") == 1e-3
    assert Setting("x", 1.0, "", float).check(2) == 2.0 and \
        isinstance(Setting("x", 1.0, "", float).check(2), float)
    flag = Setting("flag", True, "", bool)
    assert (flag.parse("no"), flag.parse("True"), flag.parse("1")) == (False, True, True)
    assert Setting("names", [], "", list).parse("a, b,") == ["a", "b"]
    assert Setting("folder", None, "", str, optional=True).parse("none") is None
    with pytest.raises(ConfigError, match=r"flag='maybe': expected true or false"):
        flag.parse("maybe")
    with pytest.raises(ConfigError, match="n='none': expected an integer"):
        Setting("n", 1, "", int).parse("none")
    with pytest.raises(ConfigError, match="n: a value is required"):
        Setting("n", 1, "", int).check(None)
    with pytest.raises(ConfigError, match=r"n=True: expected an integer"):
        Setting("n", 1, "", int).check(True)


def test_hold_out_splits_are_disjoint_seeded_and_unaugmented():
    train = TensorDataset(np.arange(20))
    plain = TensorDataset(np.arange(20) + 100)
    kept, val, test = hold_out(train, plain, "test", 0.25, seed=3)
    assert (len(kept), len(val), test) == (15, 5, "test")
    train_items = {int(kept[i][0]) for i in range(len(kept))}
    val_items = {int(val[i][0]) - 100 for i in range(len(val))}  # from the plain copy
    assert train_items | val_items == set(range(20)) and not train_items & val_items
    again = hold_out(train, plain, None, 0.25, seed=3)[1]
    assert [int(again[i][0]) for i in range(5)] == [int(val[i][0]) for i in range(5)]
    assert len(hold_out(train, plain, None, 0.0, seed=0)[1]) == 1  # at least one image


def test_limit_spreads_evenly_over_each_split():
    split = TensorDataset(np.arange(100))
    (small, same) = limited([split, TensorDataset(np.arange(3))], 5)
    assert [int(small[i][0]) for i in range(5)] == [0, 25, 50, 74, 99]
    assert len(same) == 3
    assert limited([split], None)[0] is split


def test_confusion_matrix_and_per_class_accuracy():
    matrix = confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], 4)
    assert matrix.tolist() == [[1, 0, 1, 0], [0, 1, 0, 0], [0, 1, 2, 0], [0, 0, 0, 0]]
    accuracy = per_class_accuracy(matrix)
    assert accuracy[:3].tolist() == [0.5, 1.0, 2 / 3] and np.isnan(accuracy[3])
    with pytest.raises(ValueError, match="3 predictions for 2 targets"):
        confusion_matrix([0, 1, 2], [0, 1], 3)


def test_precision_recall_f1_count_true_and_false_positives():
    predicted = np.array([[1, 0, 1], [1, 1, 0]], bool)
    target = np.array([[1, 0, 0], [1, 0, 1]], bool)
    scores = precision_recall_f1(predicted, target)  # TP 2, FP 2, FN 1
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert scores["per_label"]["precision"].tolist() == [1.0, 0.0, 0.0]
    assert scores["per_label"]["recall"].tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="differ in shape"):
        precision_recall_f1(predicted, target[:1])


def test_digits_of_multi_hot_scores():
    scores = np.zeros((1, 30))
    scores[0, [3, 10 + 7, 20 + 0]] = 1.0
    assert digits_of(scores, 3).tolist() == [[3, 7, 0]]


def test_mean_tracker_weights_batches_by_size():
    means = MeanTracker()
    means.add({"loss": 1.0}, 3)
    means.add({"loss": 3.0}, 1)
    assert means.means() == {"loss": 1.5} and means.count == 4


def test_early_stopping_counts_epochs_without_progress_and_saves_its_state():
    stopper = EarlyStopping(patience=2)
    assert [stopper.step(v, e) for e, v in enumerate([3.0, 2.0, 2.5, 2.0], 1)] == \
        [False, False, False, True]
    assert (stopper.best, stopper.best_epoch) == (2.0, 2)
    copy = EarlyStopping(patience=2)
    copy.load_state_dict(stopper.state_dict())
    assert copy.state_dict() == stopper.state_dict()
    assert not any(EarlyStopping(0).step(v, 1) for v in [1.0, 2.0, 3.0])
    maximizing = EarlyStopping(patience=1, mode="max")
    assert [maximizing.step(v, 1) for v in [0.5, 0.7, 0.6]] == [False, False, True]
    with pytest.raises(ValueError, match="mode must be one of"):
        EarlyStopping(mode="up")


def test_lab_target_gives_back_the_rgb_it_encodes(rng):
    rgb = rng.uniform(0.05, 0.95, size=(2, 3, 8, 8)).astype(np.float32)
    lab = rgb_to_lab(rgb, axis=1)
    for ab_range, scaled in (("tanh", lab[:, 1:] / 128), ("sigmoid", (lab[:, 1:] + 128) / 255)):
        target = LabTarget(ab_range)
        back = target.target_rgb(lab[:, :1] / 100, scaled)
        np.testing.assert_allclose(back, rgb, atol=1e-4)
        np.testing.assert_allclose(target.output_ab(lab[:, :1] / 100, scaled), lab[:, 1:],
                                   atol=1e-4)
    half = ((lab[:, 1:] + 128) / 255)[:, :, ::2, ::2]  # the Iizuka target: half size
    assert LabTarget("sigmoid").output_rgb(lab[:, :1] / 100, half).shape == rgb.shape
    np.testing.assert_allclose(LabTarget("tanh").model_input(rgb[0]), lab[0, :1] / 100,
                               atol=1e-5)
    with pytest.raises(ValueError, match="ab_range must be one of"):
        LabTarget("relu")


def test_rgb_target_maps_tanh_outputs_and_grayscale_inputs(rng):
    rgb = rng.uniform(0, 1, size=(1, 3, 4, 4)).astype(np.float32)
    tanh = RGBTarget("tanh")
    np.testing.assert_allclose(tanh.model_target(rgb), 2 * rgb - 1)
    np.testing.assert_allclose(tanh.output_rgb(None, 2 * rgb - 1), rgb, atol=1e-6)
    np.testing.assert_allclose(tanh.model_input(rgb[0]), rgb_to_grayscale(rgb[0], axis=0),
                               atol=1e-6)
    assert RGBTarget("sigmoid").output_rgb(None, rgb + 2).max() == 1.0  # clipped
    with pytest.raises(ValueError, match="output must be 'sigmoid' or 'tanh'"):
        RGBTarget("linear")


def test_colorize_keeps_size_and_lightness(rng):
    from minidl.models.lab_colorizers import LabColorizerBasic
    from minidl.training.tasks.colorization import ColorizationTask
    task = ColorizationTask(LabColorizerBasic(), LabTarget("tanh"), (8, 8))
    photo = rng.uniform(0.1, 0.9, size=(13, 21, 3)).astype(np.float32)
    colored = task.colorize(photo)
    assert colored.shape == photo.shape and 0.0 <= colored.min() <= colored.max() <= 1.0
    # the photo's own lightness, joined to the predicted (small, untrained) chroma
    np.testing.assert_allclose(rgb_to_lab(colored)[..., 0], rgb_to_lab(photo)[..., 0],
                               atol=2.0)


def test_fitted_size_keeps_proportions_in_multiples():
    assert fitted_size(427, 640, 200, 8) == (136, 200)
    assert fitted_size(512, 512, 200, 8) == (200, 200)
    assert fitted_size(300, 451, 16, 8) == (8, 16)
    assert fitted_size(10, 1000, 16, 8) == (8, 16)  # never below one multiple


def test_run_directory_create_open_and_refuse(tmp_path):
    run = RunDirectory.create(tmp_path / "runs", "study-x")
    second = RunDirectory.create(tmp_path / "runs", "study-x")
    assert run.path != second.path and run.path.parent == second.path.parent
    run.write_config({"study": "colorized-mnist", "epochs": 2})
    assert RunDirectory.open(run.path).read_config()["epochs"] == 2
    run.write_metrics([{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": 0.25}])
    assert [json.loads(line)["loss"] for line in
            (run.path / "metrics.jsonl").read_text().splitlines()] == [0.5, 0.25]
    with pytest.raises(RunDirectoryError, match="is not a run directory .it has no config.json"):
        RunDirectory.open(second.path)
    with pytest.raises(RunDirectoryError, match="no such folder"):
        RunDirectory.open(tmp_path / "nothing")
    (second.path / "config.json").write_text("[1, 2]")
    with pytest.raises(RunDirectoryError, match="not a minidl run configuration"):
        RunDirectory.open(second.path).read_config()


def test_checkpoint_restores_weights_optimizer_schedule_and_random_state(tmp_path):
    from minidl.studies.runner import build_task
    from minidl.training.checkpoint import read_checkpoint, restore_training, save_checkpoint
    config = get_study("colorized-mnist").resolve(settings={"scheduler": "step",
                                                            "lr_step": 1})
    config["class_names"] = [str(d) for d in range(10)]
    task = build_task(config)
    images = minidl.rand(4, 3, 28, 28)
    labels = minidl.from_numpy(np.array([0, 1, 2, 3]))
    task.train(True)
    task.train_step((images, labels))
    task.schedulers["model"].step()
    stopper = EarlyStopping(3)
    stopper.step(0.5, 1)
    run = RunDirectory.create(tmp_path, "run")
    save_checkpoint(run, task, 1, [{"epoch": 1}], stopper)
    expected_draw = minidl.rand(3).numpy()

    fresh = build_task(config)
    fresh_stopper = EarlyStopping(3)
    checkpoint, newest = read_checkpoint(run)
    assert newest and not run.previous_checkpoint.exists()
    checkpoint = restore_training(checkpoint, fresh, fresh_stopper)
    assert checkpoint["epoch"] == 1 and checkpoint["history"] == [{"epoch": 1}]
    for key, value in task.model.state_dict().items():
        assert np.array_equal(value.numpy(), fresh.model.state_dict()[key].numpy())
    halved = {"model": config["lr"] * config["lr_gamma"]}
    assert fresh.learning_rates() == task.learning_rates() == halved
    assert fresh.schedulers["model"].last_epoch == 1
    assert fresh_stopper.state_dict() == stopper.state_dict()
    assert np.array_equal(minidl.rand(3).numpy(), expected_draw)  # same random stream
    state = fresh.optimizers["model"].state_dict()["state"]
    assert state[0]["step"] == 1


@pytest.mark.parametrize("study, model, settings", [
    ("colorize-cifar", "regression", {"width": 4}),
    ("colorize-cifar", "unet-classify", {"width": 4, "num_colors": 5}),
    ("colorize-cifar", "gan", {"width": 4}),
    ("iizuka", "adam-dropout", {"width": 4, "size": 16}),
    ("lab-colorize", "attention", {"size": 16}),
])
def test_every_colourization_task_colours_a_photo_of_any_size(rng, study, model, settings):
    from minidl.studies.runner import build_task
    config = get_study(study).resolve(None, model, settings)
    config["class_names"] = ["a", "b"]
    task = build_task(config)
    rgb = rng.uniform(0, 1, size=(6, 3, 32, 32)).astype(np.float32)
    task.prepare(TensorDataset(rgb_to_grayscale(rgb, axis=1), rgb))  # the palette
    photo = rng.uniform(0, 1, size=(19, 27, 3)).astype(np.float32)
    colored = task.colorize(photo)
    assert task.can_colorize and colored.shape == photo.shape
    assert np.isfinite(colored).all() and 0.0 <= colored.min() <= colored.max() <= 1.0


def test_feature_maps_of_the_mnist_classifiers():
    from minidl.models import ColorizedMNISTNet, MultiDigitNet
    from minidl.training.feature_maps import feature_maps
    colorized = feature_maps(ColorizedMNISTNet().eval(), minidl.rand(1, 3, 28, 28))
    assert [a.shape for _, a in colorized] == [(16, 28, 28), (32, 14, 14)]
    multidigit = feature_maps(MultiDigitNet().eval(), minidl.rand(1, 1, 84, 84))
    assert [a.shape for _, a in multidigit] == [(32, 82, 82), (64, 39, 39), (128, 17, 17)]
    assert all((a >= 0).all() for _, a in multidigit)  # after ReLU
    assert feature_maps(minidl.nn.Linear(2, 2), minidl.rand(1, 2)) == []


def test_examples_gather_the_first_images_over_batches():
    from minidl.training.task import Examples
    examples = Examples(3)
    examples.add(images=np.zeros((1, 2, 5)), labels=np.array([7]))
    examples.add(images=np.ones((1, 2, 4)), labels=np.array([8]))  # another size
    examples.add(images=np.full((4, 2, 4), 2.0), labels=np.array([9, 9, 9, 9]))
    examples.add(images=np.full((1, 2, 4), 3.0), labels=np.array([1]))
    assert len(examples) == 3 and examples.items["labels"] == [7, 8, 9]
    assert [a.shape for a in examples.items["images"]] == [(2, 5), (2, 4), (2, 4)]
