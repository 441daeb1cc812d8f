"""`SummaryWriter`: PyTorch's class for logging to TensorBoard, on the `tensorboard`
package's own event-file writer (a background thread writes the records)."""
import os
import socket
import time
from datetime import datetime

from tensorboard.compat.proto.event_pb2 import Event, SessionLog, TaggedRunMetadata
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary
from .graph import graph

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """Writes `Event` protos to one event file in `log_dir` (created if needed)."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        """The folder the event file is written to."""
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        """Stamp `event` with the wall time (now unless given) and the step, and queue it."""
        event.wall_time = time.time() if walltime is None else float(walltime)
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary_proto, global_step=None, walltime=None):
        """Queue a `Summary` proto at `global_step`."""
        self.add_event(Event(summary=summary_proto), global_step, walltime)

    def add_graph(self, graph_profile, walltime=None):
        """A (GraphDef, RunMetadata) pair: the graph, then its run metadata as 'step1'."""
        graph_def, run_metadata = graph_profile
        self.add_event(Event(graph_def=graph_def.SerializeToString()), None, walltime)
        tagged = TaggedRunMetadata(tag="step1", run_metadata=run_metadata.SerializeToString())
        self.add_event(Event(tagged_run_metadata=tagged), None, walltime)

    def flush(self):
        """Write the queued events to disk."""
        self.event_writer.flush()

    def close(self):
        """Flush and close the event file."""
        self.event_writer.close()


class SummaryWriter:
    """Writes scalars, histograms, images, figures, text, hyperparameters and the
    model's graph to event files in `log_dir` for TensorBoard, with PyTorch's names,
    arguments and defaults:

        with SummaryWriter("runs/exp1") as writer:
            writer.add_scalar("Loss/train", loss.item(), epoch)

    log_dir: default `runs/<Mon>DD_HH-MM-SS_<hostname><comment>`, a new folder each run.
    purge_step: on resuming at step T, hide the events at steps >= T of the crashed run.
    max_queue, flush_secs: write after this many pending events or this many seconds.
    filename_suffix: appended to the event files' names.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", stamp + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None  # made now, and again after close()
        self._get_file_writer()
        self.default_bins = summary.default_bins()  # bins="tensorflow"

    def _get_file_writer(self):
        """The writer of log_dir itself; a new event file after close()."""
        if self.file_writer is None or self.all_writers is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:  # TensorBoard hides later steps of earlier runs
                self.file_writer.add_event(Event(step=self.purge_step, file_version="brain.Event:2"))
                self.file_writer.add_event(Event(step=self.purge_step,
                                                 session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory the event files go to."""
        return self.log_dir

    def _write(self, summary_proto, global_step, walltime):
        self._get_file_writer().add_summary(summary_proto, global_step, walltime)

    # ---- scalars ---------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One number (a Python number or a one-element Tensor/array) under `tag`."""
        _check_tag(tag, "add_scalar")
        self._write(summary.scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several numbers on one chart: each key gets its own run directory
        `<log_dir>/<main_tag>_<key>` (slashes in main_tag become '_'), holding the
        value under `main_tag`, as PyTorch writes them."""
        _check_tag(main_tag, "add_scalars")
        if not isinstance(tag_scalar_dict, dict):
            raise TypeError(f"add_scalars({main_tag!r}): tag_scalar_dict must be a dict, got "
                            f"{type(tag_scalar_dict).__name__}")
        walltime = time.time() if walltime is None else walltime
        root = self._get_file_writer().get_logdir()
        for key, value in tag_scalar_dict.items():
            run_dir = root + "/" + main_tag.replace("/", "_") + "_" + str(key)
            writer = self.all_writers.get(run_dir)
            if writer is None:
                writer = FileWriter(run_dir, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[run_dir] = writer
            writer.add_summary(summary.scalar(main_tag, value), global_step, walltime)

    # ---- distributions ---------------------------------------------------------------------
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """The histogram of `values` (any shape). bins: 'tensorflow' (TensorFlow's
        exponential buckets, the default) or anything `numpy.histogram` takes."""
        _check_tag(tag, "add_histogram")
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._write(summary.histogram(tag, values, bins, max_bins=max_bins), global_step, walltime)

    # ---- images ----------------------------------------------------------------------------
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """An image: float values in [0, 1] or uint8 in [0, 255]; dataformats 'CHW'
        (default), 'HWC', 'HW', ... with 1 to 4 channels. Needs Pillow."""
        _check_tag(tag, "add_image")
        self._write(summary.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images shown as one grid (8 a row); dataformats 'NCHW' (default) or 'NHWC'."""
        _check_tag(tag, "add_images")
        self._write(summary.image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them, as a grid) rendered to an image;
        `close` closes the figure afterwards. Needs matplotlib."""
        _check_tag(tag, "add_figure")
        batch = isinstance(figure, list)
        self.add_image(tag, summary.figure_to_image(figure, close), global_step, walltime,
                       dataformats="NCHW" if batch else "CHW")

    # ---- text and hyperparameters ----------------------------------------------------------
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """A string (Markdown) under `tag + '/text_summary'`."""
        _check_tag(tag, "add_text")
        self._write(summary.text(tag, text_string), global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """One run of a hyperparameter comparison: its own run directory
        `<log_dir>/<run_name>` (default: the current time) holds the hyperparameters
        (bool, int, float, str or one-element Tensor; None is skipped) and each
        metric as a scalar. Metric tags should not clash with add_scalar's tags."""
        parts = summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        run_dir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=run_dir) as run_writer:
            for part in parts:
                run_writer.file_writer.add_summary(part, global_step)
            for tag, value in metric_dict.items():
                run_writer.add_scalar(tag, value, global_step)

    # ---- the model's graph -----------------------------------------------------------------
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The graph of `model(*input_to_model)` (a Tensor or a tuple/list of them) for
        the Graphs tab: one node per op, grouped by module (`Net/Linear[fc1]/...`),
        with output shapes. The model runs once in eval mode; its `.grad`s are not
        touched. `use_strict_trace` is accepted for PyTorch's signature (there is no
        tracer here: the recorded graph is read as it is)."""
        self._get_file_writer().add_graph(graph(model, input_to_model, verbose))

    # ---- lifetime --------------------------------------------------------------------------
    def flush(self):
        """Write everything pending to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        """Flush and close every event file; a later add_* call opens a new one."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()


def _check_tag(tag, method):
    if not isinstance(tag, str):
        raise TypeError(f"{method}: tag must be a str, got {type(tag).__name__} ({tag!r})")
