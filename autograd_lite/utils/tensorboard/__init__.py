"""Logging to TensorBoard as `torch.utils.tensorboard`: `SummaryWriter` with
PyTorch's methods (add_scalar, add_scalars, add_histogram, add_image(s), add_figure,
add_text, add_hparams, add_graph). Needs the `tensorboard` package:
`pip install -e ".[tensorboard]"`."""
try:
    import tensorboard  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "autograd_lite.utils.tensorboard needs the tensorboard package: pip install tensorboard "
        "(or pip install -e '.[tensorboard]')"
    ) from e

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["FileWriter", "SummaryWriter"]
