"""`ag.backends.cuda`: CUDA is never built here. `matmul.allow_tf32` is tied to
`ag.get_float32_matmul_precision()` as in PyTorch ('high' <-> True); the other flags are
plain settable attributes. None changes a result (see `ag.backends`)."""
from . import flags


class _MatmulFlags:
    """`ag.backends.cuda.matmul`: the float32/float16/bfloat16 matmul switches."""

    def __init__(self):
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self):
        return flags.get_float32_matmul_precision() != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value):
        flags.set_float32_matmul_precision("high" if value else "highest")

    def __repr__(self):
        return (f"<autograd_lite.backends.cuda.matmul allow_tf32={self.allow_tf32} "
                f"(CUDA is not available; these flags change nothing)>")


matmul = _MatmulFlags()


def is_built():
    return False


def is_flash_attention_available():
    return False
