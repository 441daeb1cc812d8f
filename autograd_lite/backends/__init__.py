"""`ag.backends`: PyTorch's backend switches (`cudnn`, `cuda.matmul`, `mps`), kept as
settable flags so programs that set them run; and the global numeric settings
`set_float32_matmul_precision` and `use_deterministic_algorithms`.

None of them changes a result here: autograd_lite computes on the CPU with NumPy's
BLAS, which multiplies float32 in full IEEE precision (there is no TF32 or bf16 pass
to allow), and PyTorch's deterministic mode forbids kernels that accumulate with
atomic adds, which autograd_lite's Numba CPU kernels never do."""
from . import cuda, cudnn, mps  # noqa: F401  (the submodules are the API)
from .flags import (are_deterministic_algorithms_enabled, get_float32_matmul_precision,  # noqa: F401
                    is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision,
                    use_deterministic_algorithms)
