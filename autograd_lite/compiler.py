"""torch.compile and torch.compiler's common names. autograd_lite has no compiler: it
runs eagerly, so `compile` checks PyTorch's arguments and returns the model or function
unchanged (same results, no speed-up), and the queries programs make around compiled
code (`is_compiling`, `disable`) answer as PyTorch's do outside a compiled region."""
__all__ = ["compile", "disable", "is_compiling", "is_dynamo_compiling", "list_backends",
           "reset"]

# backends torch._dynamo knows (torch.compile(backend=...) rejects other names)
BACKENDS = ("inductor", "eager", "aot_eager", "aot_eager_decomp_partition", "cudagraphs",
            "onnxrt", "openxla", "tvm", "tensorrt", "torch_tensorrt", "ipex")
MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def check_arguments(backend, mode, options):
    """Refuse what torch.compile refuses: an unknown backend name or mode, and mode
    with options."""
    if backend is not None and not callable(backend) and backend not in BACKENDS:
        raise RuntimeError(f"compile: Invalid backend: {backend!r}; known backends: "
                           f"{', '.join(BACKENDS)} (or a callable)")
    if mode is not None and options is not None:
        raise RuntimeError("compile: Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in MODES:
        raise RuntimeError(f"compile: Unrecognized mode={mode}, should be one of: "
                           f"{', '.join(MODES)}")
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"compile: options must be a dict, got {type(options).__name__}")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, name=None, disable=False, recompile_limit=None,
            isolate_recompiles=False, shapes_spec=None):
    """torch.compile, without a compiler: returns `model` (a Module or any callable)
    itself, which runs eagerly: the same results, no speed-up. PyTorch's arguments are
    accepted and checked as PyTorch checks them (an unknown backend name or mode, or both
    mode and options, raise RuntimeError; the options' keys are not checked). With no
    model it returns a decorator, as `@torch.compile(...)`."""
    check_arguments(backend, mode, options)
    if model is None:
        def decorate(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, name=name, disable=disable)
        return decorate
    if not callable(model):
        raise TypeError(f"compile: A callable function is expected, but {type(model)} is "
                        f"provided.")
    return model


def disable(fn=None, recursive=True, *, reason=None):
    """torch.compiler.disable: code is never compiled here, so `fn` itself (or, without
    one, a decorator returning its function)."""
    if fn is None:
        return lambda f: f
    return fn


def is_compiling():
    """False: nothing is ever traced by a compiler."""
    return False


def is_dynamo_compiling():
    """False: nothing is ever traced by a compiler."""
    return False


def list_backends(exclude_tags=("debug", "experimental")):
    """The backend names `compile` accepts (all of them run eagerly here)."""
    return sorted(BACKENDS)


def reset():
    """torch.compiler.reset: there are no compiled caches to clear."""
