"""Draw the autograd graph behind a tensor: the graph that ``backward()`` walks.

``draw_graph(loss)`` follows ``loss.grad_fn`` back through every ``Function`` node to the
leaves and describes what it finds as Graphviz DOT text:

* a box per operation (the Function's name, the shape of what it produced, and the shapes
  of the arrays it saved for its backward pass);
* an oval per leaf tensor that requires a gradient (named when you pass ``params``, e.g.
  ``dict(model.named_parameters())``): the tensors whose ``.grad`` backward fills;
* a grey oval per constant input (a tensor that needs no gradient), when ``show_constants``;
* arrows in the direction the data flowed forward; backward walks them the other way.

    graph = minidl.viz.draw_graph(loss, params=dict(model.named_parameters()))
    print(graph.source)          # the DOT text
    graph.render("graph.svg")    # needs Graphviz: pip install "minidl[viz]" and the `dot` program
    graph                        # in a notebook: drawn inline (as SVG) when Graphviz is there

Once a graph has been used by ``backward()`` without ``retain_graph=True`` its nodes have
released their saved arrays; the drawing then shows no saved shapes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .tensor import Tensor

__all__ = ["draw_graph", "Graph"]


@dataclass
class Node:
    """One node of the drawing: an operation, a leaf or a constant."""

    key: str
    kind: str  # "op", "leaf", "constant" or "output"
    label: str


@dataclass
class Graph:
    """The nodes and edges of an autograd graph, with its DOT text and renderers."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    STYLES = {
        "op": 'shape=box, style="rounded,filled", fillcolor="#dbe9f6"',
        "leaf": 'shape=ellipse, style=filled, fillcolor="#c7ecc7"',
        "constant": 'shape=ellipse, style=filled, fillcolor="#e6e6e6", fontcolor="#555555"',
        "output": 'shape=ellipse, style=filled, fillcolor="#f9d9a8"',
    }

    def labels(self, kind: str | None = None) -> list[str]:
        """The labels of the nodes (of one kind), in the order they were found."""
        return [n.label for n in self.nodes.values() if kind is None or n.kind == kind]

    def edge_labels(self) -> list[tuple[str, str]]:
        """Each edge as (label of its source, label of its target)."""
        return [(self.nodes[a].label, self.nodes[b].label) for a, b in self.edges]

    @property
    def source(self) -> str:
        """The graph as Graphviz DOT text."""
        lines = ["digraph autograd {", "  rankdir=TB;", '  node [fontname="Helvetica"];']
        for node in self.nodes.values():
            label = (node.label.replace("\\", "\\\\").replace('"', '\\"')
                     .replace("\n", "\\n"))
            lines.append(f'  {node.key} [label="{label}", {self.STYLES[node.kind]}];')
        lines += [f"  {a} -> {b};" for a, b in self.edges]
        lines.append("}")
        return "\n".join(lines)

    def pipe(self, format: str = "svg") -> bytes:
        """The drawing rendered by Graphviz, as bytes in ``format`` (svg, png, pdf, ...)."""
        try:
            import graphviz
        except ImportError:
            raise RuntimeError("drawing the graph needs the graphviz package and Graphviz's "
                               "`dot` program: pip install \"minidl[viz]\" and install "
                               "Graphviz (apt install graphviz / brew install graphviz); "
                               "graph.source holds the DOT text meanwhile") from None
        try:
            return graphviz.Source(self.source).pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise RuntimeError("Graphviz's `dot` program is not installed (apt install "
                               "graphviz / brew install graphviz / conda install graphviz); "
                               "graph.source holds the DOT text meanwhile") from None

    def render(self, path, format: str | None = None) -> str:
        """Write the drawing to ``path``; the format is the file's suffix unless given."""
        path = str(path)
        if format is None:
            format = path.rsplit(".", 1)[-1].lower() if "." in path else "svg"
        data = self.source.encode() if format in ("dot", "gv") else self.pipe(format)
        with open(path, "wb") as file:
            file.write(data)
        return path

    def _repr_svg_(self):  # a notebook shows the drawing inline when Graphviz is there
        try:
            return self.pipe("svg").decode()
        except RuntimeError:
            return None

    def __repr__(self) -> str:
        return f"Graph({len(self.nodes)} nodes, {len(self.edges)} edges)"


def _shape(shape) -> str:
    return str(tuple(int(s) for s in shape))


def draw_graph(tensor: Tensor, params: dict | None = None, *, show_constants: bool = True,
               show_saved: bool = True) -> Graph:
    """The autograd graph that ``tensor.backward()`` would walk, as a ``Graph``.

    ``params`` maps names to tensors (``dict(model.named_parameters())``) so leaves are
    labelled with their names; operations are labelled as their nodes print
    (``MulBackward0``, as torchviz shows them).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(tensor).__name__}")
    names = {id(t): name for name, t in (params or {}).items()}
    graph = Graph()

    def tensor_node(value: Tensor, kind: str) -> str:
        key = f"t{id(value)}"
        if key not in graph.nodes:
            name = names.get(id(value))
            title = name if name is not None else ("leaf" if kind == "leaf" else "constant")
            if kind == "output":
                title = "output"
            graph.nodes[key] = Node(key, kind, f"{title}\n{_shape(value.shape)} {value.dtype}")
        return key

    def op_node(fn, shape) -> str:
        key = f"f{id(fn)}"
        if key not in graph.nodes:
            label = f"{fn.name()}\n-> {_shape(shape)}"
            saved = [a for a in fn.saved_arrays if hasattr(a, "shape")]
            if show_saved and saved:
                label += "\nsaved: " + ", ".join(_shape(a.shape) for a in saved)
            graph.nodes[key] = Node(key, "op", label)
        return key

    if tensor.grad_fn is None:
        tensor_node(tensor, "leaf" if tensor.requires_grad else "constant")
        return graph
    output = tensor_node(tensor, "output")
    graph.edges.append((op_node(tensor.grad_fn, tensor.shape), output))
    stack, seen = [tensor.grad_fn], set()
    while stack:  # depth first over the Function nodes, each visited once
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        target = f"f{id(fn)}"
        for value, node in zip(fn.inputs, fn.input_nodes):
            if node is not None:  # value: the input's shape and dtype (ComputedInput)
                source = op_node(node, value.shape)
                stack.append(node)
            elif not isinstance(value, Tensor):
                continue
            elif value.requires_grad:
                source = tensor_node(value, "leaf")
            elif show_constants:
                source = tensor_node(value, "constant")
            else:
                continue
            if (source, target) not in graph.edges:
                graph.edges.append((source, target))
    return graph
