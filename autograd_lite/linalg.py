"""autograd_lite.linalg, as torch.linalg: norms, inverses, determinants, solves and
decompositions of (batches of) matrices, through NumPy's LAPACK, all differentiable
(twice, where the decomposition is). Singular vectors and eigenvectors are unique up
to sign, and LAPACK builds differ in the signs they pick."""
from .ops.linalg import matmul
from .ops.linalg_decomp import cholesky, eigh, eigvalsh, pinv, qr, svd, svdvals
from .ops.linalg_funcs import (householder_product, lstsq, matrix_exp, multi_dot, tensorinv,
                               tensorsolve, vander)
from .ops.linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .ops.linalg_lu import (cholesky_ex, inv_ex, lu, lu_factor, lu_factor_ex, lu_solve,
                            solve_ex)
from .ops.linalg_norms import matrix_norm, norm, vector_norm
from .ops.linalg_solve import LinAlgError, det, inv, matrix_power, slogdet, solve
from .ops.products import linalg_cross as cross
from .ops.products import vecdot
from .ops.triangular import linalg_diagonal as diagonal

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "diagonal", "eigh",
           "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor", "ldl_factor_ex",
           "ldl_solve", "lstsq", "lu", "lu_factor",
           "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
           "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "svd", "svdvals",
           "tensorinv", "tensorsolve", "vander", "vecdot", "vector_norm"]
