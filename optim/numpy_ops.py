"""Pieces of the NumPy reference updates (the path for arrays a fused kernel can't
take), each in PyTorch's order of operations."""
import numpy as np


def l2_gradient(p, g, weight_decay, maximize):
    """For the NumPy reference paths: the gradient the update sees, `-g` for maximize
    plus `weight_decay * p` (a new array, or `g` itself when neither applies)."""
    if weight_decay != 0:
        gw = np.multiply(p, p.dtype.type(weight_decay), out=np.empty_like(p))  # an array even if 0-d
        if maximize:
            np.subtract(gw, g, out=gw)
        else:
            np.add(gw, g, out=gw)
        return gw
    return np.negative(g, out=np.empty_like(g)) if maximize else g


def lerp_numpy(m, g, w, scratch=None):
    """m = lerp(m, g, w) in place, in torch.lerp's two-sided form: m + w (g - m) for
    |w| < 0.5, else g - (g - m)(1 - w)."""
    t = np.subtract(g, m, out=np.empty_like(m) if scratch is None else scratch)
    if abs(w) < 0.5:
        np.multiply(t, w, out=t)
        np.add(m, t, out=m)
    else:
        np.multiply(t, w.dtype.type(1) - w, out=t)
        np.subtract(g, t, out=m)
