"""`Summary` protocol buffers for each kind of data, built from the `tensorboard`
package's own protos and plugin metadata, laid out as PyTorch's SummaryWriter lays
them out (same tags, value fields and plugin data), so TensorBoard shows both alike."""
import io
import numbers

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.hparams.api_pb2 import DataType, Experiment, HParamInfo, MetricInfo, MetricName, Status
from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo
from tensorboard.plugins.text import metadata as text_metadata
from google.protobuf import struct_pb2

from autograd_lite import Tensor, bfloat16

__all__ = ["default_bins", "figure_to_image", "histogram", "hparams", "image", "make_np", "scalar", "text"]


def make_np(x, what="value"):
    """A Tensor, array, Python number or list as a NumPy array (numbers as shape (1,),
    as PyTorch's writer treats them)."""
    if isinstance(x, Tensor):
        return x.detach().numpy()
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (numbers.Number, np.generic)):
        return np.array([x])
    if isinstance(x, (str, bytes)):
        raise TypeError(f"SummaryWriter: expected a number, a Tensor or an array as the {what}, got "
                        f"the string {x!r}")
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"SummaryWriter: expected a number, a Tensor or an array as the {what}, got "
                        f"{type(x).__name__}") from e


def _numeric(arr, what):
    if arr.dtype == bfloat16:  # its NumPy kind is "V"; exact in float32
        return arr.astype(np.float32)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"SummaryWriter: the {what} must be numeric, got dtype {arr.dtype}")
    return arr


# ---- scalars ----------------------------------------------------------------------------
def scalar(tag, value, new_style=False, double_precision=False):
    """One number: `simple_value`, or with new_style a float (or double) tensor with
    the scalars plugin's metadata."""
    arr = _numeric(make_np(value, "scalar value"), "scalar value").squeeze()
    if arr.ndim != 0:
        raise AssertionError(f"add_scalar({tag!r}): the value must hold one element, got shape "
                             f"{tuple(make_np(value).shape)} ({arr.size} elements)")
    number = float(arr)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=number)])
    if double_precision:
        proto = TensorProto(double_val=[number], dtype="DT_DOUBLE")
    else:
        proto = TensorProto(float_val=[number], dtype="DT_FLOAT")
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=meta)])


# ---- histograms -------------------------------------------------------------------------------
def default_bins():
    """TensorFlow's bucket edges: +-1e-12 growing by 10% a step up to 1e20, and 0.
    Built by repeated multiplication, as PyTorch builds them, so the edges are equal
    to the last bit."""
    edge, positive = 1e-12, []
    while edge < 1e20:
        positive.append(edge)
        edge *= 1.1
    return [-e for e in reversed(positive)] + [0] + positive


def histogram(tag, values, bins, max_bins=None):
    """The histogram of `values` (any shape) with NumPy's `bins`, trimmed to the
    buckets between the first and the last non-empty one; TensorBoard stores right
    edges, so the bucket left of the first non-empty one is kept (empty) for its left
    edge."""
    values = _numeric(make_np(values, "histogram values"), "histogram values").astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError(f"add_histogram({tag!r}): the input has no element.")
    counts, edges = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        counts, edges = _merge_bins(counts, edges, int(max_bins))
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:
        raise ValueError(f"add_histogram({tag!r}): no value falls inside the bins (values from "
                         f"{values.min()} to {values.max()}, bins from {edges[0]} to {edges[-1]})")
    first, last = int(nonzero[0]), int(nonzero[-1])
    kept = counts[first - 1: last + 1] if first > 0 else np.concatenate([[0], counts[: last + 1]])
    limits = edges[first: last + 2]
    proto = HistogramProto(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                           sum_squares=values.dot(values), bucket_limit=limits.tolist(),
                           bucket=kept.tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=proto)])


def _merge_bins(counts, edges, max_bins):
    """Sum runs of len(counts) // max_bins neighbouring bins (the last run padded)."""
    group = len(counts) // max_bins
    pad = (-len(counts)) % group
    counts = np.concatenate([counts, np.zeros(pad, counts.dtype)]).reshape(-1, group).sum(axis=1)
    new_edges = np.empty(len(counts) + 1, edges.dtype)
    new_edges[:-1] = edges[:-1:group]
    new_edges[-1] = edges[-1]
    return counts, new_edges


# ---- images ----------------------------------------------------------------------------------
def image(tag, img, dataformats="NCHW"):
    """An image (or a grid of a batch) as a PNG; float pixels in [0, 1] are scaled by
    255 (and truncated), uint8 pixels are taken as they are, both clipped to 0..255."""
    hwc = to_hwc(make_np(img, "image"), dataformats, tag)
    scale = 1 if hwc.dtype == np.uint8 else 255
    pixels = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    return Summary(value=[Summary.Value(tag=tag, image=_png(pixels))])


def to_hwc(arr, dataformats, tag="image"):
    """Lay out `arr` as (H, W, C) with C in {2, 3, 4} from the letters of `dataformats`
    (N, C, H, W): a batch becomes a grid of up to 8 columns, grey becomes RGB."""
    fmt = str(dataformats).upper()
    if sorted(set(fmt)) != sorted(fmt) or not set(fmt) <= set("NCHW") or not {"H", "W"} <= set(fmt):
        raise AssertionError(f"add_image({tag!r}): dataformats must be made of distinct letters among "
                             f"N, C, H, W and include H and W (e.g. 'CHW', 'HWC', 'HW', 'NCHW'), got "
                             f"{dataformats!r}")
    if arr.ndim != len(fmt):
        raise AssertionError(f"add_image({tag!r}): the image has shape {tuple(arr.shape)} ({arr.ndim} "
                             f"dimensions) but dataformats {dataformats!r} has {len(fmt)} letters")
    _numeric(arr, "image")
    if len(fmt) == 4:
        return _grid(arr.transpose([fmt.index(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        if "C" not in fmt:
            raise AssertionError(f"add_image({tag!r}): a 3-D image needs C in dataformats, got {dataformats!r}")
        hwc = arr.transpose([fmt.index(c) for c in "HWC"])
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc] * 3, axis=2)
        if not 2 <= hwc.shape[2] <= 4:  # grey+alpha, RGB or RGBA
            raise AssertionError(f"add_image({tag!r}): an image has 1 to 4 channels, got "
                                 f"{hwc.shape[2]} (shape {tuple(arr.shape)}, dataformats {dataformats!r})")
        return hwc
    hw = arr.transpose([fmt.index(c) for c in "HW"])
    return np.stack([hw] * 3, axis=2)


def _grid(nchw, ncols=8):
    """(N, C, H, W) images side by side, up to `ncols` a row -> (3, rows*H, cols*W)."""
    if nchw.shape[1] == 1:
        nchw = np.concatenate([nchw] * 3, axis=1)
    if nchw.shape[1] != 3:
        raise AssertionError(f"add_images: a batch of images needs 1 or 3 channels, got shape "
                             f"{tuple(nchw.shape)} in NCHW order")
    n, _, h, w = nchw.shape
    cols = min(n, ncols)
    rows = -(-n // cols) if n else 0
    canvas = np.zeros((3, h * rows, w * cols), dtype=nchw.dtype)
    for i in range(n):
        r, c = divmod(i, cols)
        canvas[:, r * h:(r + 1) * h, c * w:(c + 1) * w] = nchw[i]
    return canvas


def _png(pixels):
    """Summary.Image of an (H, W, C) uint8 array, encoded by Pillow."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("SummaryWriter.add_image needs Pillow to encode PNG images: "
                          "pip install pillow (or pip install -e '.[tensorboard]')") from e
    height, width, channels = pixels.shape
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return Summary.Image(height=height, width=width, colorspace=channels,
                         encoded_image_string=buffer.getvalue())


def figure_to_image(figures, close=True):
    """Render a matplotlib figure to a (3, H, W) uint8 array, or a list of figures to
    (N, 3, H, W); `close` closes them afterwards."""
    try:
        import matplotlib.pyplot as plt
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError as e:
        raise ImportError("SummaryWriter.add_figure needs matplotlib: pip install matplotlib") from e

    def render(figure):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        width, height = figure.canvas.get_width_height()
        rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(height, width, 4)
        if close:
            plt.close(figure)
        return np.ascontiguousarray(rgba[:, :, :3].transpose(2, 0, 1))

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


# ---- text ---------------------------------------------------------------------------------------
def text(tag, text_string):
    """A string for the text plugin (Markdown), under `tag + '/text_summary'`."""
    if not isinstance(text_string, str):
        raise TypeError(f"add_text({tag!r}): text_string must be a str, got {type(text_string).__name__}")
    proto = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf_8")],
                        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    meta = text_metadata.create_summary_metadata(display_name="", description="")
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=proto)])


# ---- hyperparameters --------------------------------------------------------------------------
def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three summaries: the experiment (hyperparameter and metric
    names), the session start (the values) and the session end (success)."""
    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError(f"add_hparams: hparam_dict and metric_dict must be dicts, got "
                        f"{type(hparam_dict).__name__} and {type(metric_dict).__name__}")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError(f"add_hparams: hparam_domain_discrete must be a dict, got {type(domains).__name__}")
    for name, choices in domains.items():
        if name not in hparam_dict or not isinstance(choices, list) or \
                not all(isinstance(c, type(hparam_dict[name])) for c in choices):
            raise TypeError(f"add_hparams: hparam_domain_discrete[{name!r}] must be a list of values of "
                            f"the same type as hparam_dict[{name!r}]")
    start = SessionStartInfo()
    infos = []
    for name, value in hparam_dict.items():
        if value is None:
            continue
        field, kind, value = _hparam_value(name, value)
        setattr(start.hparams[name], field, value)
        domain = None
        if name in domains:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: c}) for c in domains[name]])
        infos.append(HParamInfo(name=name, type=DataType.Value(kind), domain_discrete=domain))
    experiment = Experiment(hparam_infos=infos, metric_infos=[MetricInfo(name=MetricName(tag=k))
                                                              for k in metric_dict])
    end = SessionEndInfo(status=Status.Value("STATUS_SUCCESS"))
    return (_hparams_summary(hparams_metadata.EXPERIMENT_TAG, HParamsPluginData(experiment=experiment)),
            _hparams_summary(hparams_metadata.SESSION_START_INFO_TAG, HParamsPluginData(session_start_info=start)),
            _hparams_summary(hparams_metadata.SESSION_END_INFO_TAG, HParamsPluginData(session_end_info=end)))


def _hparam_value(name, value):
    """(protobuf Value field, hparams DataType, value). Booleans are numbers here, as
    in PyTorch's writer (bool is an int)."""
    if isinstance(value, (numbers.Real, np.bool_)):
        return "number_value", "DATA_TYPE_FLOAT64", float(value)
    if isinstance(value, str):
        return "string_value", "DATA_TYPE_STRING", value
    if isinstance(value, Tensor):
        return "number_value", "DATA_TYPE_FLOAT64", float(value.detach().numpy().reshape(-1)[0])
    raise ValueError(f"add_hparams: the value of {name!r} must be an int, float, str, bool or Tensor, "
                     f"got {type(value).__name__}")


def _hparams_summary(tag, plugin_data):
    return Summary(value=[Summary.Value(tag=tag, metadata=hparams_metadata.create_summary_metadata(plugin_data))])
