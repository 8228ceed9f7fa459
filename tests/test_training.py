"""End to end: small networks learn generated problems with minidl's own optimizers."""
import numpy as np

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
import minidl.optim as optim


def spirals(n_per_class=100, classes=3, seed=0):
    """Interleaved spiral arms, one class per arm: not linearly separable."""
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for c in range(classes):
        radius = np.linspace(0.05, 1, n_per_class)
        angle = np.linspace(c * 4, (c + 1) * 4, n_per_class) + rng.normal(0, 0.2, n_per_class)
        points.append(np.c_[radius * np.sin(angle), radius * np.cos(angle)])
        labels.append(np.full(n_per_class, c))
    return np.concatenate(points).astype(np.float32), np.concatenate(labels)


def test_mlp_learns_spirals():
    x_np, y_np = spirals()
    x, y = minidl.tensor(x_np), minidl.tensor(y_np)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 3))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    for _ in range(300):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    accuracy = (model(x).argmax(1) == y).numpy().mean()
    assert loss.item() < 0.15
    assert accuracy > 0.95


def test_regression_with_sgd_momentum_reaches_low_loss():
    rng = np.random.default_rng(1)
    x_np = rng.uniform(-1, 1, (256, 1)).astype(np.float32)
    y_np = np.sin(3 * x_np)
    x, y = minidl.tensor(x_np), minidl.tensor(y_np)
    model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 1))
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(500):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    assert loss.item() < 5e-3
