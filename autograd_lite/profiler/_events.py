"""What a profile holds: timed events (`FunctionEvent`), lists of them (`EventList`),
their averages by name (`FunctionEventAvg`), PyTorch's table of them and the Chrome
trace. Times are microseconds (floats), as PyTorch's."""
import json

_COLUMN = 12  # the width of every column but the name, as PyTorch's table


class FunctionEvent:
    """One timed range: an op's forward, a backward node, an optimizer step or a
    `record_function` range. `cpu_time_total` is its length, `self_cpu_time_total` that
    less the ranges opened inside it on the same thread (`cpu_children`)."""

    def __init__(self, id, name, thread, start_us, input_shapes=None, stack=None, cpu_parent=None):
        self.id = id
        self.name = name
        self.trace_name = name  # the name in a Chrome trace (ProfilerStep#3 for the row ProfilerStep*)
        self.thread = thread
        self.start_us = start_us
        self.end_us = start_us
        self._closed = False
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.cpu_parent = cpu_parent
        self.cpu_children = []
        self.count = 1
        self.device_type = "CPU"
        self.device_time_total = 0.0
        self.self_device_time_total = 0.0

    @property
    def key(self):
        """The name rows are grouped by (the event's name)."""
        return self.name

    @property
    def time_range(self):
        """(start, end) in microseconds."""
        return (self.start_us, self.end_us)

    @property
    def cpu_time_total(self):
        """The range's length, in microseconds."""
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self):
        """The length less its children's, in microseconds."""
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_time(self):
        """The length (of this one call), in microseconds."""
        return self.cpu_time_total

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} thread={self.thread} "
                f"cpu_time_total={_format_time(self.cpu_time_total)} "
                f"self_cpu_time_total={_format_time(self.self_cpu_time_total)} "
                f"input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """The events of one key summed: `count`, `cpu_time_total`, `self_cpu_time_total`,
    `cpu_time` (the mean per call) and `self_cpu_time` (the mean self time)."""

    def __init__(self, key, input_shapes="", stack=None):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.input_shapes = input_shapes
        self.stack = stack if stack is not None else []
        self.cpu_parent = None
        self.device_time_total = 0.0
        self.self_device_time_total = 0.0

    def add(self, event):
        """Sum `event` (a FunctionEvent or FunctionEventAvg) into this one."""
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        return self

    @property
    def cpu_time(self):
        """The mean length of a call, in microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time(self):
        """The mean self time of a call, in microseconds."""
        return self.self_cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} count={self.count} "
                f"self_cpu_time_total={_format_time(self.self_cpu_time_total)} "
                f"cpu_time_total={_format_time(self.cpu_time_total)} input_shapes={self.input_shapes}>")


class EventList(list):
    """A list of events (FunctionEvent, or FunctionEventAvg from `key_averages`) with
    PyTorch's `table`, `key_averages`, `total_average`, `export_chrome_trace` and
    `self_cpu_time_total`."""

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0):
        """One FunctionEventAvg per name (and per input shapes / innermost `group_by_stack_n`
        stack frames when asked), in order of first appearance."""
        groups = {}
        for ev in self:
            key = [ev.key]
            if group_by_input_shapes:
                key.append(str(ev.input_shapes))
            if group_by_stack_n > 0:
                key += ev.stack[:group_by_stack_n]
            key = tuple(key)
            avg = groups.get(key)
            if avg is None:
                avg = groups[key] = FunctionEventAvg(
                    ev.key, ev.input_shapes if group_by_input_shapes else "",
                    ev.stack[:group_by_stack_n] if group_by_stack_n > 0 else [])
            avg.add(ev)
        return EventList(groups.values())

    def total_average(self):
        """All events summed into one FunctionEventAvg (key "Total")."""
        total = FunctionEventAvg("Total")
        for ev in self:
            total.add(ev)
        return total

    @property
    def self_cpu_time_total(self):
        """The sum of the events' self times, in microseconds."""
        return sum(ev.self_cpu_time_total for ev in self)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        """PyTorch's table: the columns Name, Self CPU %, Self CPU, CPU total %, CPU total,
        CPU time avg and "# of Calls" (Input Shapes when the events have them, Source Location with stacks),
        sorted by the attribute `sort_by` (descending; "self_cpu_time_total",
        "cpu_time_total", "count", ... ; "cuda"/"device" names sort as zeros),
        `row_limit` rows (a negative limit shows all), and a last line "Self CPU time total"."""
        return _build_table(self, sort_by, row_limit, max_src_column_width, max_name_column_width,
                            max_shapes_column_width, header, top_level_events_only, time_unit)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON, complete "X" events in microseconds,
        one track per thread): open it in chrome://tracing or Perfetto."""
        trace = {"traceEvents": [_chrome_event(ev) for ev in self if isinstance(ev, FunctionEvent)],
                 "displayTimeUnit": "ms"}
        with open(path, "w") as f:
            json.dump(trace, f)


def _chrome_event(ev):
    return {"ph": "X", "cat": "cpu_op", "name": ev.trace_name, "pid": 0, "tid": ev.thread,
            "ts": ev.start_us, "dur": ev.cpu_time_total,
            "args": {"Input Dims": ev.input_shapes, "Sequence number": ev.id}}


def _format_time(time_us):
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _in_unit(time_us, unit):
    if unit is None:
        return _format_time(time_us)
    scale = {"s": 1e6, "ms": 1e3, "us": 1.0}.get(unit)
    if scale is None:
        raise ValueError(f"table: time_unit must be 's', 'ms' or 'us', got {unit!r}")
    return f"{time_us / scale:.3f}{unit}"


def _share(time_us, total_us):
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


def _sort_value(ev, sort_by):
    name = sort_by.replace("cuda", "device").replace("xpu", "device")
    if not hasattr(ev, name):
        raise AttributeError(f"table: cannot sort by {sort_by!r}: the events have no such attribute "
                             "(use self_cpu_time_total, cpu_time_total, cpu_time, count, ...)")
    return getattr(ev, name)


def _build_table(events, sort_by, row_limit, max_src_column_width, max_name_column_width,
                 max_shapes_column_width, header, top_level_events_only, time_unit):
    if len(events) == 0:
        return ""
    events = list(events)
    if sort_by is not None:
        events.sort(key=lambda ev: _sort_value(ev, sort_by), reverse=True)
    has_shapes = any(ev.input_shapes for ev in events)
    has_stack = any(ev.stack for ev in events)
    name_width = max(len(ev.key) for ev in events) + 4
    if max_name_column_width is not None:
        name_width = min(name_width, max_name_column_width)
    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
    widths = [name_width] + [_COLUMN] * (len(headers) - 1)
    if has_shapes:
        headers.append("Input Shapes")
        widths.append(min(max(len(str(ev.input_shapes)) for ev in events) + 4, max_shapes_column_width))
    if has_stack:
        headers.append("Source Location")
        widths.append(min(max(len(s) for ev in events for s in ev.stack) + 4, max_src_column_width))
    row = "".join("{:>" + str(w) + "}  " for w in widths)
    sep = "".join("-" * w + "  " for w in widths)
    total_self = sum(ev.self_cpu_time_total for ev in events)
    lines = []
    if header is not None:
        lines += ["=" * len(sep), header]
    if top_level_events_only:
        lines += ["=" * len(sep), "This report only display top-level ops statistics"]
    lines += [sep, row.format(*headers), sep]
    shown = 0
    for ev in events:
        if row_limit is not None and 0 <= row_limit <= shown:
            break
        if top_level_events_only and ev.cpu_parent is not None:
            continue
        shown += 1
        name = ev.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        values = [name, _share(ev.self_cpu_time_total, total_self), _in_unit(ev.self_cpu_time_total, time_unit),
                  _share(ev.cpu_time_total, total_self), _in_unit(ev.cpu_time_total, time_unit),
                  _in_unit(ev.cpu_time, time_unit), ev.count]
        if has_shapes:
            values.append(str(ev.input_shapes)[:widths[7]])
        if has_stack:
            values.append(ev.stack[0][-widths[-1]:] if ev.stack else "")
        lines.append(row.format(*values))
    lines += [sep, f"Self CPU time total: {_in_unit(total_self, time_unit)}"]
    return "\n".join(lines) + "\n"
