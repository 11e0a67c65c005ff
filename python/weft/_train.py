"""Gradients and training: `weft.grad`, `weft.value_and_grad` and
`weft.compile_train`.

The traced function is differentiated by the compiler (`weft-autodiff`, a
pass over weft IR built from each op's gradient rule); a training step also
gets its optimizer update compiled in (`weft-optimizer`), so a step is one
call of the loaded model, which keeps the parameters and the optimizer
state as persistent buffers, updated in place.
"""
import numpy as np

from ._compile import Compiled, _input_names, _spec, trace_function
from ._tensor import Tensor, Trace
from .optim import Optimizer

__all__ = ["TrainStep", "compile_train", "grad", "value_and_grad"]


def _argnums(argnums, count, who):
    single = isinstance(argnums, (int, np.integer))
    if not single and not isinstance(argnums, (tuple, list)):
        raise TypeError(f"weft.{who}: argnums must be integers (an int or "
                        f"a tuple of ints), got {argnums!r}")
    nums = (argnums,) if single else tuple(argnums)
    if not nums:
        raise ValueError(f"weft.{who}: argnums is empty")
    out = []
    for a in nums:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"weft.{who}: argnums must be integers, got "
                            f"{a!r}")
        if not -count <= a < count:
            raise ValueError(f"weft.{who}: argnums {a} is out of range for a "
                             f"function of {count} arguments")
        out.append(int(a) % count)
    if len(set(out)) != len(out):
        raise ValueError(f"weft.{who}: argnums {nums} repeats an argument")
    return tuple(out), single


def _check_loss(loss, who):
    if not isinstance(loss, Tensor):
        raise TypeError(f"weft.{who}: the function must return a weft Tensor "
                        f"(the loss), got {type(loss).__name__}")
    if loss.dtype not in ("float32", "float16", "bfloat16", "float64") or \
            int(np.prod(loss.shape)) != 1:
        raise TypeError(f"weft.{who}: the loss must be a float tensor of one "
                        f"element, got {loss.dtype}{list(loss.shape)}")


class _Differentiated:
    """The compiled gradient of `fn` per input signature."""

    def __init__(self, fn, argnums, has_aux, with_value, who, options):
        self._fn, self._argnums, self._has_aux = fn, argnums, has_aux
        self._with_value, self._who, self._options = with_value, who, options
        self._cache = {}
        self.__wrapped__ = fn
        self.__name__ = getattr(fn, "__name__", who)

    def _compile(self, arrays):
        nums, single = _argnums(self._argnums, len(arrays), self._who)
        for i in nums:
            dtype, _ = _spec(arrays[i])
            if not dtype.startswith(("float", "bfloat")):
                name = _input_names(self._fn, len(arrays))[i]
                raise TypeError(f"weft.{self._who}: argument {i} ('{name}') "
                                f"is {dtype}: only float arguments have "
                                f"gradients (integer ids and labels are not "
                                f"differentiable)")
        count = []

        def traced(*args):
            out = self._fn(*args)
            if self._has_aux:
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise TypeError(f"weft.{self._who}: with has_aux=True the "
                                    f"function must return (loss, aux)")
                loss, aux = out
                aux = list(aux) if isinstance(aux, (tuple, list)) else [aux]
                out = [loss] + aux
            results = list(out) if isinstance(out, (tuple, list)) else [out]
            _check_loss(results[0], self._who)
            count.append(len(results))
            return tuple(results)

        traced.__signature__ = _signature_of(self._fn)
        traced.__name__ = self.__name__
        trace = trace_function(traced, arrays)
        attrs = {"weft.autodiff": "array<i64: " +
                 ", ".join(str(i) for i in nums) + ">"}
        try:
            compiled = Compiled(traced, arrays, _graph_attrs=attrs,
                                _trace=trace, **self._options)
        except RuntimeError as e:
            raise RuntimeError(f"weft.{self._who}: {e}") from None
        return compiled, count[0], single

    def __call__(self, *arrays):
        key = tuple(_spec(a) for a in arrays)
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = self._compile(arrays)
        compiled, results, single = entry
        out = compiled(*arrays)
        out = out if isinstance(out, tuple) else (out,)
        grads = out[results:]
        grads = grads[0] if single else tuple(grads)
        if not self._with_value:
            return grads
        value = out[0]
        if self._has_aux:
            aux = out[1:results]
            value = (value, aux[0] if len(aux) == 1 else tuple(aux))
        return value, grads


def _signature_of(fn):
    import inspect
    target = fn.forward if hasattr(fn, "forward") else fn
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):
        return None


def grad(fn, argnums=0, has_aux=False, **options):
    """The gradient of `fn` (which returns a one-element float loss, or
    `(loss, aux)` with has_aux) with respect to its positional arguments
    `argnums` (an int, or a tuple giving a tuple of gradients). The result
    is a function of numpy arrays, compiled per input signature; options
    are `weft.compile`'s. With has_aux it returns `(grads, aux)`."""
    g = _Differentiated(fn, argnums, has_aux, has_aux, "grad", options)
    if not has_aux:
        return g

    def with_aux(*arrays):
        (_, aux), grads = g(*arrays)
        return grads, aux
    with_aux.__wrapped__ = fn
    return with_aux


def value_and_grad(fn, argnums=0, has_aux=False, **options):
    """Like `grad`, returning `(value, grads)`: the loss (or `(loss, aux)`
    with has_aux) and the gradients, from one compiled call."""
    return _Differentiated(fn, argnums, has_aux, True, "value_and_grad",
                           options)


class TrainStep:
    """A compiled training step: `loss = step(*inputs, *targets)` runs the
    forward pass, the backward pass and the optimizer update in one call.
    The parameters and the optimizer state live in the loaded model and are
    updated in place; `state_dict()` reads the parameters back."""

    def __init__(self, model, loss_fn, optimizer, example_inputs,
                 num_targets, precision, batch_axis, options):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"weft.compile_train: optimizer must be a "
                            f"weft.optim optimizer (SGD, AdamW), got "
                            f"{type(optimizer).__name__}")
        if not hasattr(model, "named_parameters"):
            raise TypeError("weft.compile_train: model must be a weft.nn."
                            "Module (its parameters are what is trained)")
        if precision not in ("float32", "bfloat16"):
            raise ValueError(f"weft.compile_train: precision must be "
                             f"'float32' or 'bfloat16', got {precision!r}")
        example_inputs = tuple(example_inputs)
        if not 0 <= num_targets <= len(example_inputs):
            raise ValueError(f"weft.compile_train: num_targets={num_targets} "
                             f"but {len(example_inputs)} example inputs")
        self.optimizer = optimizer
        self._params = list(model.named_parameters())
        if not self._params:
            raise ValueError("weft.compile_train: the model has no "
                             "parameters to train")
        for name, p in self._params:
            p.name = name
        n_in = len(example_inputs) - num_targets

        if batch_axis is not None and "mesh" not in options:
            raise TypeError("weft.compile_train: batch_axis needs mesh=")
        if batch_axis is not None and batch_axis not in options["mesh"].axes:
            raise ValueError(f"weft.compile_train: batch_axis {batch_axis!r} "
                             f"is not an axis of the mesh "
                             f"{tuple(options['mesh'].axes)}")

        if batch_axis is not None:
            mesh = options["mesh"]
            parts = mesh.shape[list(mesh.axes).index(batch_axis)]
            for i, a in enumerate(example_inputs):
                shape = np.shape(a)
                if not shape or shape[0] % parts:
                    raise ValueError(
                        f"weft.compile_train: batch_axis={batch_axis!r} "
                        f"splits dim 0 of every input over {parts} devices, "
                        f"but input {i} has shape {list(shape)}")

        def step(*args):
            if batch_axis is not None:
                from ._sharding import shard
                args = [shard(a, (batch_axis,) + (None,) * (len(a.shape) - 1))
                        for a in args]
            if precision != "float32":
                Trace.current().compute_dtype = precision
                args = [a.astype(precision) if a.dtype == "float32" else a
                        for a in args]
            out = model(*args[:n_in])
            loss = loss_fn(out, *args[n_in:])
            _check_loss(loss, "compile_train")
            return loss.astype("float32") if loss.dtype != "float32" else loss

        names = _input_names(model, n_in)
        names += [f"target{i}" if num_targets > 1 else "target"
                  for i in range(num_targets)]
        import inspect
        step.__signature__ = inspect.Signature(
            [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY)
             for n in names])
        step.__name__ = "train_step"
        trace = trace_function(step, example_inputs)
        try:
            self._compiled = Compiled(
                step, example_inputs, _trace=trace,
                _graph_attrs={"weft.optimizer": optimizer.attribute()},
                **options)
        except RuntimeError as e:
            raise RuntimeError(f"weft.compile_train: {e}") from None
        self._exe = self._compiled._exe
        self._names = [name for name, _ in self._params]

    @property
    def input_specs(self):
        """[(name, dtype, shape)] of the inputs and targets of a step."""
        return self._compiled.input_specs

    def __call__(self, *arrays):
        """Runs one step; returns the loss before the update (a 0-d array)."""
        return self._compiled(*arrays)

    def state_dict(self):
        """The trained parameters (name -> numpy array) as they are now."""
        return {name: self._exe.state(name) for name in self._names}

    def optimizer_state(self):
        """The optimizer's state (momentum or Adam moments per parameter,
        the step count, the learning rate) as numpy arrays."""
        own = set(self._names)
        return {name: self._exe.state(name)
                for name, _, _ in self._exe.state_specs() if name not in own}

    def load_state_dict(self, state):
        """Replaces parameters (e.g. from a model's state_dict())."""
        unknown = sorted(set(state) - set(self._names))
        if unknown:
            raise KeyError(f"weft: no parameter named {unknown[0]!r} (have: "
                           f"{', '.join(self._names)})")
        for name, value in state.items():
            self._exe.set_state(name, np.asarray(value, order="C"))

    @property
    def lr(self):
        """The learning rate used by the next step; assign to change it
        (a schedule needs no recompilation)."""
        return float(self._exe.state("optimizer.lr"))

    @lr.setter
    def lr(self, value):
        from .optim import _number
        lr = _number(type(self.optimizer).__name__, "lr", value)
        self._exe.set_state("optimizer.lr", np.asarray(lr, np.float32))

    def copy_to(self, model):
        """Writes the trained parameters into `model`'s Parameters."""
        own = dict(model.named_parameters())
        state = self.state_dict()
        missing = sorted(set(state) - set(own))
        if missing:
            raise KeyError(f"weft: the model has no parameter {missing[0]!r}")
        for name, value in state.items():
            own[name].data = value
        # This step already holds these values: no re-binding at its next
        # call (another step compiled from the same model re-binds, as any
        # compiled model does when its Parameters' arrays are replaced).
        self._compiled._mark_parameters_bound()

    def mlir(self, stage="weft"):
        """The step as text at `stage` (see Compiled.mlir)."""
        return self._compiled.mlir(stage)

    def save(self, path):
        """Writes the artifact: `weft-run --steps N` trains with it."""
        self._compiled.save(path)


def compile_train(model, loss_fn, optimizer, example_inputs, *,
                  num_targets=1, precision="float32", batch_axis=None,
                  **options):
    """Compiles one training step of `model` (a weft.nn.Module):
    `loss = loss_fn(model(*inputs), *targets)`, its gradients with respect
    to every parameter, and the update of `optimizer` (weft.optim.SGD or
    AdamW). `example_inputs` are the inputs then the `num_targets` targets
    of one step. precision="bfloat16" computes in bf16 with f32 master
    weights (and f32 optimizer state). Options are weft.compile's (e.g.
    mesh=weft.Mesh(...): the sharding search then sees the backward pass and
    the update). batch_axis="dp" splits dim 0 of every input and target
    over that mesh axis: data parallelism, with the gradients all-reduced
    where the search puts them. Returns a TrainStep."""
    return TrainStep(model, loss_fn, optimizer, example_inputs, num_targets,
                     precision, batch_axis, options)
