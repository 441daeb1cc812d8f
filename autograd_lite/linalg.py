"""autograd_lite.linalg, as torch.linalg: norms, inverses, determinants, solves and
decompositions of (batches of) matrices, through NumPy's LAPACK, all differentiable
(twice, where the decomposition is). Singular vectors and eigenvectors are unique up
to sign, and LAPACK builds differ in the signs they pick."""
from .ops.linalg import matmul
from .ops.linalg_decomp import cholesky, eigh, eigvalsh, pinv, qr, svd, svdvals
from .ops.linalg_norms import matrix_norm, norm, vector_norm
from .ops.linalg_solve import LinAlgError, det, inv, matrix_power, slogdet, solve
from .ops.products import linalg_cross as cross
from .ops.products import vecdot
from .ops.triangular import linalg_diagonal as diagonal

__all__ = ["LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv",
           "matmul", "matrix_norm", "matrix_power", "norm", "pinv", "qr", "slogdet", "solve",
           "svd", "svdvals", "vecdot", "vector_norm"]
