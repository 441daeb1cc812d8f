"""Every public function of `autograd_lite` and every public Tensor method is an op
declared in the op table (and so covered by the generic tests), or is listed here as
not an op, with the reason."""
import inspect

import autograd_lite as ag
from autograd_lite.ops.table import ENTRIES

# Functions that compute no tensor from tensors: state, settings and queries.
NOT_OPS = {
    # random state
    "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
    # settings
    "get_default_dtype", "set_default_dtype", "get_default_device", "set_default_device",
    "get_num_threads", "set_num_threads", "set_grad_enabled", "is_grad_enabled",
    # torch.compile: no compiler, the model itself (autograd_lite/compiler.py)
    "compile",
    "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "is_inference_mode_enabled",
    "get_float32_matmul_precision", "set_float32_matmul_precision",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_printoptions", "get_printoptions",
    # dtype arithmetic and queries (no tensor out)
    "result_type", "promote_types", "can_cast", "is_tensor", "is_floating_point", "numel",
}

# Tensor members that are no ops: attributes, queries, conversions out of the library,
# autograd entry points and the device stubs.
NOT_OP_METHODS = {
    "data", "grad", "grad_fn", "requires_grad", "is_leaf", "retains_grad", "output_nr",
    "shape", "dtype", "device", "layout", "ndim", "T", "mT", "H", "mH",  # T/mT/H/mH: transpose views, tests/test_tensor.py
    "size", "dim", "ndimension", "numel", "nelement", "element_size", "is_contiguous",
    "stride", "nbytes", "itemsize", "data_ptr", "is_complex", "is_signed",  # tensor_info.py
    "is_floating_point", "is_cpu", "is_cuda", "is_xpu", "is_mps", "is_meta", "is_sparse",
    "is_quantized", "is_mkldnn", "is_pinned", "get_device",
    "item", "tolist", "numpy", "type",
    "backward", "register_hook", "register_post_accumulate_grad_hook", "retain_grad",
    "requires_grad_", "detach", "detach_",
    "cpu", "cuda", "xpu", "pin_memory",
    "storage_offset", "dim_order",  # ops/strided.py; tests/ops/test_strided.py
    "apply_", "map_", "share_memory_", "is_shared",  # tensor_python.py; tests/test_tensor_python.py
}


def _declared():
    functions, methods = set(), set()
    for e in ENTRIES:
        if e.namespace == "autograd_lite":
            functions.update(e.public_names)
        methods.update(e.methods)
        if e.inplace:
            methods.add(e.inplace)
            methods.update(e.inplace_aliases)
    return functions, methods


def test_every_public_function_is_declared():
    functions, _ = _declared()
    public = {n for n in dir(ag) if not n.startswith("_")
              and callable(getattr(ag, n)) and inspect.isroutine(getattr(ag, n))}
    undeclared = sorted(public - functions - NOT_OPS)
    assert undeclared == [], f"public functions with no op-table entry: {undeclared}"
    assert not (NOT_OPS & functions), "listed as not an op but declared"


def test_every_public_tensor_method_is_declared():
    _, methods = _declared()
    public = {n for n in dir(ag.Tensor) if not n.startswith("_")}
    undeclared = sorted(public - methods - NOT_OP_METHODS)
    assert undeclared == [], f"Tensor methods with no op-table entry: {undeclared}"
    assert not (NOT_OP_METHODS & methods), "listed as not an op but declared"


def test_every_export_is_the_entrys_function():
    for e in ENTRIES:
        if e.namespace == "autograd_lite":
            for name in e.public_names:
                assert getattr(ag, name) is e.fn, name
