"""`DistributedDataParallel`: data-parallel training over MPI ranks, as PyTorch's.

Each rank runs the whole module on its share of the batch; gradients are averaged
across ranks during backward (see reducer.py), so every rank takes the same
optimizer step and the replicas stay equal.
"""
import contextlib
import warnings

import numpy as np

import autograd_lite as ag
import autograd_lite.distributed as dist
from autograd_lite.extend import is_grad_enabled, mark_dirty, no_grad

from ..module import Module
from .reducer import DEFAULT_BUCKET_CAP_MB, FIRST_BUCKET_BYTES, Reducer

_MB = 1024 * 1024


class DistributedDataParallel(Module):
    """Wraps `module` for data-parallel training (CPU, one process per rank).

    On construction rank 0's parameters and buffers are copied to every rank. Each
    forward first broadcasts rank 0's buffers (`broadcast_buffers`, as PyTorch);
    backward averages the gradients across ranks in buckets of `bucket_cap_mb` MiB
    (a 1 MiB first bucket by default) whose allreduce overlaps the rest of
    backward. `no_sync()` keeps gradients local for accumulation. Parameters that
    may get no gradient need `find_unused_parameters=True`. The state_dict keys are
    the module's with a `module.` prefix, as PyTorch's.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=None,
                 init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False,
                 bucket_cap_mb_list=None, batched_grad_copy=False, forward_sync_buffers=None):
        super().__init__()
        _check_supported(device_ids, output_device, process_group, mixed_precision, device_mesh,
                         delay_all_reduce_named_params, param_to_hook_all_reduce, bucket_cap_mb_list)
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got {type(module).__name__}")
        dist.get_world_size()  # a clear error if init_process_group was not called
        ignored = set(getattr(module, "_ddp_params_and_buffers_to_ignore", ()))
        named = [(n, p) for n, p in module.named_parameters() if n not in ignored]
        trained = [(n, p) for n, p in named if p.requires_grad]
        if not trained:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any "
                "parameter that requires a gradient."
            )
        self.module = module
        self.dim = dim
        self.device_ids = None
        self.output_device = None
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.forward_sync_buffers, init_sync_buffers = _buffer_sync_flags(broadcast_buffers,
                                                                          forward_sync_buffers)
        self.parameters_to_ignore = ignored
        self.bucket_bytes_cap = int((DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb) * _MB)
        first = FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        limits = [first, self.bucket_bytes_cap] if first < self.bucket_bytes_cap else [self.bucket_bytes_cap]
        if init_sync:
            _verify_same_parameters(named)
            states = [p for _, p in named]
            if init_sync_buffers:
                states += [b for _, b in self._module_buffers()]
            _broadcast_coalesced(states)
        self.reducer = Reducer([p for _, p in trained], [n for n, _ in trained], limits,
                               find_unused_parameters, gradient_as_bucket_view)

    @property
    def broadcast_buffers(self):
        """Whether each forward first broadcasts rank 0's buffers (e.g. batch norm's running
        statistics) to every rank; settable."""
        return self.forward_sync_buffers

    @broadcast_buffers.setter
    def broadcast_buffers(self, value):
        self.forward_sync_buffers = value

    @property
    def bucket_cap_mb(self):
        """The gradient bucket size in MiB: parameters' gradients are averaged in buckets of
        about this size, each as soon as all of its gradients are ready."""
        return self.bucket_bytes_cap // _MB

    def _module_buffers(self):
        return [(n, b) for n, b in self.module.named_buffers() if n not in self.parameters_to_ignore]

    def forward(self, *inputs, **kwargs):
        """Run the wrapped module and arm the gradient averaging for the next backward
        (unless under `no_sync()` or `no_grad`).

        Raises RuntimeError when the previous backward did not finish the reduction (for
        example a parameter that got no gradient without `find_unused_parameters=True`)."""
        self.reducer.check_finished()
        if self.forward_sync_buffers and self.require_forward_param_sync and self.reducer.world_size > 1:
            buffers = [b for _, b in self._module_buffers()]
            if buffers:
                _broadcast_coalesced(buffers)
        output = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            unused = _unused_parameters(output, self.reducer.params) if self.find_unused_parameters else ()
            self.reducer.prepare_for_backward(unused)
        else:
            self.reducer.disarm()
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Backward passes of forwards run inside this context keep their gradients
        local (they accumulate in .grad); the first forward/backward after it
        averages the accumulated gradients."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @staticmethod
    def _set_params_and_buffers_to_ignore_for_model(module, params_and_buffers_to_ignore):
        """Leave these parameters and buffers (state_dict names) out of DDP's syncing."""
        module._ddp_params_and_buffers_to_ignore = list(params_and_buffers_to_ignore)

    def extra_repr(self):
        return ""


def _check_supported(device_ids, output_device, process_group, mixed_precision, device_mesh,
                     delay_all_reduce_named_params, param_to_hook_all_reduce, bucket_cap_mb_list):
    if device_ids or output_device is not None:
        raise ValueError(
            f"DistributedDataParallel: device_ids={device_ids!r} / output_device="
            f"{output_device!r} name GPUs; autograd_lite runs on the CPU, so leave them None"
        )
    if process_group is not None and not isinstance(process_group, type(dist.group.WORLD)):
        raise ValueError("DistributedDataParallel: only the default process group is supported")
    for name, value in (("mixed_precision", mixed_precision), ("device_mesh", device_mesh),
                        ("delay_all_reduce_named_params", delay_all_reduce_named_params),
                        ("param_to_hook_all_reduce", param_to_hook_all_reduce),
                        ("bucket_cap_mb_list", bucket_cap_mb_list)):
        if value is not None:
            raise NotImplementedError(f"DistributedDataParallel: {name} is not supported")


def _buffer_sync_flags(broadcast_buffers, forward_sync_buffers):
    """(sync buffers before each forward, sync them on construction), as PyTorch 2.13
    resolves its deprecated `broadcast_buffers` and `forward_sync_buffers`."""
    if broadcast_buffers is not None:
        warnings.warn(
            "`broadcast_buffers` is deprecated. Use `forward_sync_buffers` instead. "
            "IMPORTANT: unlike `broadcast_buffers=False`, `forward_sync_buffers=False` still "
            "syncs buffers at init." if forward_sync_buffers is None else
            "Both `broadcast_buffers` and `forward_sync_buffers` were specified. "
            "`broadcast_buffers` is deprecated and its value is ignored.",
            FutureWarning, stacklevel=3,
        )
    if forward_sync_buffers is not None:
        return bool(forward_sync_buffers), True
    effective = True if broadcast_buffers is None else bool(broadcast_buffers)
    return effective, effective


def _verify_same_parameters(named):
    """Every rank must wrap the same model: compare names, shapes and dtypes."""
    mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in named]
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, mine)
    for rank, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            diff = next(((a, b) for a, b in zip(everyone[0], theirs) if a != b),
                        (f"{len(everyone[0])} parameters", f"{len(theirs)} parameters"))
            raise RuntimeError(
                f"DistributedDataParallel: rank {rank}'s module differs from rank 0's: "
                f"rank 0 has {diff[0]}, rank {rank} has {diff[1]}; every rank must build the "
                f"same model"
            )


def _broadcast_coalesced(tensors, src=0):
    """Copy rank `src`'s values into `tensors` on every rank: one broadcast per dtype
    of a flat buffer holding them all."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t.dtype, []).append(t)
    me = dist.get_rank()
    with no_grad():
        for dtype, group in by_dtype.items():
            flat = np.empty(sum(t.numel() for t in group), dtype)
            offsets = np.cumsum([0] + [t.numel() for t in group])
            if me == src:
                for t, a, b in zip(group, offsets, offsets[1:]):
                    flat[a:b] = t.detach().numpy().reshape(-1)
            dist.broadcast(ag.from_numpy(flat), src=src)
            if me != src:
                for t, a, b in zip(group, offsets, offsets[1:]):
                    np.copyto(t.detach().numpy(), flat[a:b].reshape(t.shape))
                    mark_dirty(t)


def _output_tensors(output):
    """The tensors in a forward's output (nested tuples, lists, dicts)."""
    stack, found = [output], []
    while stack:
        item = stack.pop()
        if isinstance(item, ag.Tensor):
            found.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found


def _unused_parameters(output, params):
    """Parameters no output's graph reaches (find_unused_parameters=True)."""
    reached = set()
    seen = set()
    stack = []
    for t in _output_tensors(output):
        if t.grad_fn is None:
            reached.add(id(t))
        elif t.grad_fn not in seen:
            seen.add(t.grad_fn)
            stack.append(t.grad_fn)
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if edge is None:
                continue
            child = edge[0]
            if isinstance(child, ag.Tensor):
                reached.add(id(child))
            elif child not in seen:
                seen.add(child)
                stack.append(child)
    return [p for p in params if id(p) not in reached]
