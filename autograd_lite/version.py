"""`torch.version` for programs run under the torch alias (`autograd_lite.as_torch`):
the PyTorch release whose API autograd_lite follows, so version checks such as
`version.parse(torch.__version__) >= version.parse("2.0")` take their current branch,
and no CUDA, ROCm or XPU build."""
from . import __version__ as _package_version

torch_api = "2.13.0"  # the PyTorch release whose API and behaviour autograd_lite follows
# torch's form ("2.13.0+cpu"), with this package and its version as the local label
__version__ = f"{torch_api}+autograd_lite.{_package_version}"
cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = ""
