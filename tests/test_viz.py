"""minidl.viz.draw_graph: the nodes and edges of the graph that backward walks."""
import shutil

import pytest

import minidl
import minidl.nn as nn
from minidl.viz import draw_graph


def test_graph_of_a_known_expression_has_its_nodes_and_edges():
    a = minidl.randn(3, requires_grad=True)
    b = minidl.randn(3, requires_grad=True)
    c = minidl.randn(3)  # a constant: needs no gradient
    loss = ((a * b) + c * a).sum()
    graph = draw_graph(loss, params={"a": a, "b": b})

    ops = sorted(label.split("\n")[0] for label in graph.labels("op"))
    assert ops == ["AddBackward0", "MulBackward0", "MulBackward0", "SumBackward0"]
    assert sorted(label.split("\n")[0] for label in graph.labels("leaf")) == ["a", "b"]
    assert [label.split("\n")[0] for label in graph.labels("constant")] == ["constant"]
    edges = {(src.split("\n")[0].removesuffix("Backward0"),
              dst.split("\n")[0].removesuffix("Backward0")) for src, dst in graph.edge_labels()}
    assert edges == {("a", "Mul"), ("b", "Mul"), ("constant", "Mul"), ("Mul", "Add"),
                     ("Add", "Sum"), ("Sum", "output")}
    assert len(graph.edges) == 8  # a feeds both products: two edges from a
    # each operation shows the shape it produced and what it saved for backward
    mul = next(label for label in graph.labels("op") if "saved" in label)
    assert "-> (3,)" in mul and "saved: (3,), (3,)" in mul


def test_shared_subgraph_appears_once_and_constants_can_be_hidden():
    x = minidl.randn(2, 2, requires_grad=True)
    h = x.exp()
    y = (h * h + h).mean()
    graph = draw_graph(y, show_constants=False)
    assert sorted(label.split("\n")[0] for label in graph.labels("op")) == \
        ["AddBackward0", "ExpBackward0", "MeanBackward0", "MulBackward0"]
    assert graph.labels("constant") == []


def test_model_graph_names_parameters_and_dot_text_is_valid():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    out = model(minidl.randn(5, 4)).sum()
    graph = draw_graph(out, params=dict(model.named_parameters()))
    names = {label.split("\n")[0] for label in graph.labels("leaf")}
    assert names == {"0.weight", "0.bias", "2.weight", "2.bias"}
    source = graph.source
    assert source.startswith("digraph autograd {") and source.rstrip().endswith("}")
    assert source.count("->") == len(graph.edges) + sum(
        label.count("->") for label in graph.labels("op"))


def test_leaf_and_bad_input():
    leaf = minidl.randn(2, requires_grad=True)
    assert draw_graph(leaf).labels("leaf") == ["leaf\n(2,) float32"]
    with pytest.raises(TypeError, match="expected a Tensor"):
        draw_graph([1, 2])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg(tmp_path):
    pytest.importorskip("graphviz")
    x = minidl.randn(3, requires_grad=True)
    path = draw_graph((x * 2).sum()).render(tmp_path / "graph.svg")
    assert open(path).read().lstrip().startswith("<?xml")
