"""The differentiable ops, one module per family; all re-exported at `ag.`."""
from .arithmetic import (add, div, divide, floor_divide, mul, multiply, neg, negative, pow,
                         remainder, rsub, square, sub, subtract, true_divide)
from .compare import (allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, eq, equal, ge,
                      greater, greater_equal, gt, isclose, isfinite, isinf, isnan, le, less,
                      less_equal, logical_and, logical_not, logical_or, logical_xor, lt, ne,
                      nonzero, not_equal)
from .creation import (arange, as_tensor, clone, empty, empty_like, eye, from_numpy, full,
                       full_like, linspace, logspace, normal, ones, ones_like, rand, rand_like,
                       randint, randint_like, randn, randn_like, randperm, tensor, zeros,
                       zeros_like)
from .elementwise import (abs, absolute, ceil, clamp, clamp_max, clamp_min, clip, cos, exp, expm1,
                          floor, lerp, log, log1p, log2, log10, maximum, minimum, reciprocal, relu,
                          round, rsqrt, sigmoid, sign, sin, sqrt, tan, tanh, trunc, where)
from .index import (gather, index_add, index_put, index_select, masked_fill, masked_select,
                    scatter, scatter_add, take_along_dim)
from .linalg import bmm, dot, einsum, ger, inner, matmul, mm, outer, vdot
from .reduce import (all, amax, amin, any, argmax, argmin, count_nonzero, cumprod, cumsum,
                     logsumexp, max, mean, min, norm, prod, std, std_mean, sum, var, var_mean)
from .shape import (broadcast_shapes, broadcast_tensors, broadcast_to, cat, chunk, concat,
                    concatenate, contiguous, expand, expand_as, flatten, flip, fliplr, flipud,
                    hstack, movedim, moveaxis, narrow, permute, repeat, reshape, roll, split,
                    squeeze, stack, swapaxes, swapdims, t, tile, transpose, unbind,
                    unflatten, unsqueeze, view_as, vstack)
from .softmaxes import log_softmax, softmax
