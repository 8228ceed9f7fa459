"""``torch.autograd.functional``: Jacobians, Hessians and their products for a function
of tensors, built from minidl's own reverse mode (:func:`minidl.autograd.grad`).

    J = jacobian(f, x)                      # shape f(x).shape + x.shape
    H = hessian(lambda x: (x ** 3).sum(), x)
    out, vj = vjp(f, x, v)                  # vᵀ J
    out, jv = jvp(f, x, v)                  # J v   (the double-vjp trick)

As in PyTorch, ``inputs`` is a Tensor or a tuple of Tensors and the results follow the
same nesting (a tuple per output, inside it one entry per input); an input the outputs do
not depend on gets zeros (or an error with ``strict=True``); without ``create_graph`` the
results are detached.  The Jacobian is taken one output element at a time (one backward
pass per row, ``vectorize`` is accepted and ignored); ``jvp``, ``hvp`` and ``hessian``
differentiate a gradient, so every operation ``func`` uses needs a recorded backward
(``create_graph=True``).
"""
from __future__ import annotations

from .gradients import grad as _grad

__all__ = ["vjp", "jvp", "vhp", "hvp", "jacobian", "hessian"]


def _as_tuple(value, arg_name: str, fn_name: str):
    from ..tensor import Tensor

    if isinstance(value, Tensor):
        return False, (value,)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                        f"tuple of Tensors but the value given has type {type(value)}.")
    value = tuple(value)
    for i, el in enumerate(value):
        if not isinstance(el, Tensor):
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or "
                            f"a tuple of Tensors but the value at index {i} has type "
                            f"{type(el)}.")
    return True, value


def _tuple_postprocess(res, to_unpack):
    """Undo :func:`_as_tuple` on the results (PyTorch's helper of the same name)."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs, create_graph: bool, need_graph: bool) -> tuple:
    """New tensors for the inputs, requiring grad: linked to the originals (a clone) with
    ``create_graph`` where they require grad, detached otherwise."""
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(inp.clone())
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(inputs, create_graph: bool):
    from ..tensor import Tensor

    if isinstance(inputs[0] if inputs else None, Tensor):
        return tuple(inp if create_graph or inp is None else inp.detach() for inp in inputs)
    return tuple(_grad_postprocess(inp, create_graph) for inp in inputs)


def _validate_v(v, other, is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but "
                               f"got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if tuple(el_v.shape) != tuple(el_other.shape):
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be "
                               f"{tuple(el_other.shape)} but got {tuple(el_v.shape)}.")


def _check_requires_grad(inputs, input_type: str, strict: bool) -> None:
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not inp.requires_grad:
            if input_type == "hessian":
                raise RuntimeError(f"The hessian of the user-provided function with respect "
                                   f"to input {i} is independent of the input. This is not "
                                   f"allowed in strict mode.")
            if input_type == "jacobian":
                raise RuntimeError(f"The jacobian of the user-provided function with "
                                   f"respect to input {i} is independent of the input. This "
                                   f"is not allowed in strict mode.")
            if input_type == "outputs":
                raise RuntimeError(f"Output {i} of the user-provided function does not "
                                   f"require gradients. The outputs must be computed in a "
                                   f"differentiable manner from the input when running in "
                                   f"strict mode.")
            raise RuntimeError(f"Output {i} of the user-provided function does not require "
                               f"gradients. This is not allowed in strict mode.")


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False,
                   retain_graph=None) -> tuple:
    """``grad`` over the outputs that require grad (None for every input if none does;
    None for an input a pass does not reach)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs)
             if out is not None and out.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _grad([out for out, _ in pairs], inputs, [g for _, g in pairs],
                 retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _fill_in_zeros(grads, refs, strict: bool, create_graph: bool, stage: str) -> tuple:
    res = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(f"The output of the user-provided function is "
                                       f"independent of input {i}. This is not allowed in "
                                       f"strict mode.")
                if stage == "back_trick":
                    raise RuntimeError(f"The gradient with respect to the input is "
                                       f"independent of entry {i} in the grad_outputs when "
                                       f"using the double backward trick to compute forward "
                                       f"mode gradients. This is not allowed in strict mode.")
                if stage == "double_back":
                    raise RuntimeError(f"The jacobian of the user-provided function is "
                                       f"independent of input {i}. This is not allowed in "
                                       f"strict mode.")
                raise RuntimeError(f"The hessian of the user-provided function is "
                                   f"independent of entry {i} in the grad_outputs when using "
                                   f"the double backward trick to compute the hessian. This "
                                   f"is not allowed in strict mode.")
            g = ref.new_zeros(tuple(ref.shape))
        res.append(g)
    return tuple(res)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), vᵀ J)``: the vector-Jacobian product at ``inputs``."""
    from .grad_mode import enable_grad

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided "
                                              "function", "vjp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, outputs, is_outputs_tuple)
        else:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided "
                                   "function returns a single Tensor with a single element.")
        grad_res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        vjp_res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    vjp_res = _grad_postprocess(vjp_res, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(vjp_res, is_inputs_tuple))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product at ``inputs``, by the double
    backward trick (J v = d/du (uᵀ J) v for a dummy u)."""
    from .grad_mode import enable_grad

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", "jvp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, inputs, is_inputs_tuple)
        else:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a "
                                   "single element.")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided "
                                              "function", "jvp")
        _check_requires_grad(outputs, "outputs", strict=strict)
        grad_outputs = tuple(out.new_zeros(tuple(out.shape)).requires_grad_(True)
                             for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
        grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        jvp_res = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    jvp_res = _grad_postprocess(jvp_res, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(jvp_res, is_outputs_tuple))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output i and input j a tensor of shape
    ``outputs[i].shape + inputs[j].shape`` (nested as PyTorch nests it)."""
    from ..creation import stack
    from .grad_mode import enable_grad

    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         'Hint: If your function has more outputs than inputs, "forward-mode" '
                         'tends to be more performant. Otherwise, prefer to use '
                         '"reverse-mode".')
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-"
                                  "reverse Hessian is only implemented for "
                                  "`vectorize=True`.")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided "
                                              "function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict=strict)
        jacobian_rows = []
        for i, out in enumerate(outputs):
            rows: list[list] = [[] for _ in inputs]
            flat_size = out.numel()
            for j in range(flat_size):
                if out.requires_grad:
                    onehot = out.new_zeros(flat_size)
                    onehot[j] = 1
                    vj = _grad((out,), inputs, (onehot.reshape(tuple(out.shape)),),
                               retain_graph=True, create_graph=create_graph,
                               allow_unused=True)
                else:
                    vj = (None,) * len(inputs)
                for el_idx, (vj_el, inp) in enumerate(zip(vj, inputs)):
                    if vj_el is None:
                        if strict and create_graph and not inp.requires_grad:
                            raise RuntimeError(f"The jacobian of the user-provided function "
                                               f"is independent of input {i}. This is not "
                                               "allowed in strict mode when create_graph="
                                               "True.")
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function "
                                               f"is independent of input {el_idx}. This is "
                                               f"not allowed in strict mode.")
                        vj_el = inp.new_zeros(tuple(inp.shape))
                    rows[el_idx].append(vj_el)
            jacobian_rows.append(tuple(
                (stack(rows[k]) if rows[k] else inp.new_zeros((0,) + tuple(inp.shape)))
                .reshape(tuple(out.shape) + tuple(inp.shape))
                for k, inp in enumerate(inputs)))
        jacobian_rows = _grad_postprocess(tuple(jacobian_rows), create_graph)
    return _tuple_postprocess(jacobian_rows, (is_outputs_tuple, is_inputs_tuple))


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar function: for inputs i and j a tensor of shape
    ``inputs[i].shape + inputs[j].shape``."""
    from ..tensor import Tensor

    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function",
                                        "hessian")
        _check_requires_grad(t_out, "outputs", strict=strict)
        if is_out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def _vhp(func, inputs, v, create_graph, strict, name):
    from .grad_mode import enable_grad

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", name)
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, inputs, is_inputs_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided "
                                              "function", name)
        _check_requires_grad(outputs, "outputs", strict=strict)
        if is_outputs_tuple or outputs[0].numel() != 1:
            raise RuntimeError(f"The function given to {name} should return a single "
                               f"Tensor with a single element.")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        grad_res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    res = _grad_postprocess(res, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(res, is_inputs_tuple))


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), vᵀ H)`` for a scalar function."""
    return _vhp(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a scalar function (H is symmetric for a twice
    continuously differentiable function, so this is ``vhp``)."""
    return _vhp(func, inputs, v, create_graph, strict, "hvp")
