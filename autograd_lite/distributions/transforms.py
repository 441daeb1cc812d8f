"""Invertible transforms, as `torch.distributions.transforms`: elementwise ones
(exp, affine, power, sigmoid, tanh, softplus, abs, a distribution's cdf), the vector
ones (softmax and stick-breaking onto the simplex, independent, reshape, cat, stack,
lower-Cholesky, positive-definite) and their composition, each with the log-determinant
of its Jacobian where it has one."""
from ._transform_base import ComposeTransform, Transform, identity_transform
from ._transforms_elementwise import (AbsTransform, AffineTransform, CumulativeDistributionTransform,
                                      ExpTransform, PowerTransform, SigmoidTransform,
                                      SoftplusTransform, TanhTransform)
from ._transforms_vector import (CatTransform, IndependentTransform, LowerCholeskyTransform,
                                 PositiveDefiniteTransform, ReshapeTransform, SoftmaxTransform,
                                 StackTransform, StickBreakingTransform)

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform",
           "LowerCholeskyTransform", "PositiveDefiniteTransform", "PowerTransform",
           "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform",
           "StackTransform", "StickBreakingTransform", "TanhTransform", "Transform",
           "identity_transform"]
