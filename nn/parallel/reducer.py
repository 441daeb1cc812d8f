"""DDP's gradient averaging: parameters grouped in flat buckets that start their
non-blocking allreduce from the gradient hooks, while backward goes on.

Each parameter's post-accumulate-grad hook copies its gradient into its bucket's
slot (pack); when every slot of a bucket is filled the bucket's allreduce starts,
buckets always in the same order on every rank (MPI matches collectives by order).
MPICH moves a non-blocking collective only inside MPI calls, so every hook also
tests the oldest request still running. When the last gradient is in, the
requests are waited for and each gradient becomes the bucket's sum over ranks
divided by the world size (unpack and average in one pass).
"""
import numpy as np

import autograd_lite as ag
import autograd_lite.distributed as dist
from autograd_lite.extend import mark_dirty

FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES
DEFAULT_BUCKET_CAP_MB = 25


def bucket_assignment(tensors, limits):
    """Indices of `tensors` grouped into buckets as PyTorch's DDP does: one dtype per
    bucket, in the given order; a bucket closes once it holds at least its byte limit
    (a dtype's first bucket `limits[0]`, its next `limits[1]`, the last limit after
    that); buckets are ordered by their first index."""
    done = []
    open_buckets = {}  # dtype -> [indices, bytes, how many buckets of it closed]
    for i, t in enumerate(tensors):
        entry = open_buckets.setdefault(t.dtype, [[], 0, 0])
        entry[0].append(i)
        entry[1] += t.numel() * t.element_size()
        if entry[1] >= limits[min(entry[2], len(limits) - 1)]:
            done.append(entry[0])
            open_buckets[t.dtype] = [[], 0, entry[2] + 1]
    done.extend(entry[0] for entry in open_buckets.values() if entry[0])
    done.sort(key=lambda indices: indices[0])
    return done


class Bucket:
    """A flat buffer for some parameters' gradients (one dtype) and its allreduce."""

    def __init__(self, params):
        self.params = params
        sizes = [p.numel() for p in params]
        self.buffer = np.zeros(sum(sizes), params[0].dtype)
        self.tensor = ag.from_numpy(self.buffer)
        offsets = np.cumsum([0] + sizes)
        self.views = [self.buffer[a:b].reshape(p.shape) for a, b, p in zip(offsets, offsets[1:], params)]
        self.pending = len(params)
        self.work = None


class Reducer:
    """Averages the gradients of `params` over all ranks during each backward that
    follows `prepare_for_backward()`."""

    def __init__(self, params, names, bucket_limits, find_unused_parameters=False,
                 gradient_as_bucket_view=False):
        self.params = params
        self.names = names
        self.world_size = dist.get_world_size()
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        order = params[::-1]  # gradients arrive roughly in reverse order of use
        self.buckets = [Bucket([order[i] for i in indices])
                        for indices in bucket_assignment(order, bucket_limits)]
        self.slots = {}  # id(param) -> (bucket, its slot, position in params)
        position = {id(p): i for i, p in enumerate(params)}
        for bucket in self.buckets:
            for p, view in zip(bucket.params, bucket.views):
                self.slots[id(p)] = (bucket, view, position[id(p)])
        self.expect_hooks = False  # armed by prepare_for_backward
        self.in_progress = False  # a hook has fired since the last prepare
        self.ready = [False] * len(params)
        self.unused = ()
        self.next_launch = 0
        self.oldest_running = 0
        self.hook_handles = [p.register_post_accumulate_grad_hook(self.grad_ready) for p in params]

    # ---- one iteration ---------------------------------------------------------------
    def prepare_for_backward(self, unused=()):
        """Arm the hooks for the next backward; `unused` parameters (found by
        find_unused_parameters) count as ready with no gradient."""
        self.check_finished()
        for bucket in self.buckets:
            bucket.pending = len(bucket.params)
            bucket.work = None
        self.ready = [False] * len(self.params)
        self.unused = tuple(unused)
        self.next_launch = 0
        self.oldest_running = 0
        self.expect_hooks = True
        self.in_progress = False

    def disarm(self):
        """The next backward keeps its gradients local (no_sync, or no grad mode)."""
        self.check_finished()
        self.expect_hooks = False

    def grad_ready(self, param):
        """The post-accumulate-grad hook of every parameter."""
        if not self.expect_hooks:
            return
        if not self.in_progress:
            self.in_progress = True
            for p in self.unused:
                self.mark_ready(p)
        self.mark_ready(param)

    def mark_ready(self, param):
        bucket, view, i = self.slots[id(param)]
        if self.ready[i]:
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self.names[i]!r} got its gradient twice "
                f"in one iteration (Expected to mark a variable ready only once): a second "
                f"backward through the same forward, or a parameter used outside the DDP "
                f"module's forward; call the DDP module once per backward"
            )
        self.ready[i] = True
        grad = param.grad
        if grad is None:
            view.fill(0)
        else:
            array = grad.detach().numpy()
            if array is not view:
                np.copyto(view, array)
        bucket.pending -= 1
        if bucket.pending == 0:
            self.launch_filled_buckets()
        self.make_progress()
        if self.next_launch == len(self.buckets):
            self.finalize()

    def launch_filled_buckets(self):
        """Start the allreduce of every filled bucket, in bucket order."""
        while self.next_launch < len(self.buckets) and self.buckets[self.next_launch].pending == 0:
            bucket = self.buckets[self.next_launch]
            bucket.work = dist.all_reduce(bucket.tensor, op=dist.ReduceOp.SUM, async_op=True)
            self.next_launch += 1

    def make_progress(self):
        """Let MPI move the running allreduces (it does only inside MPI calls)."""
        while self.oldest_running < self.next_launch:
            if not self.buckets[self.oldest_running].work.is_completed():
                return
            self.oldest_running += 1

    def finalize(self):
        """Wait for every bucket, then write the averaged gradients back."""
        for bucket in self.buckets:
            bucket.work.wait()
        used = self.globally_used() if self.find_unused_parameters else None
        scale = 1.0 / self.world_size
        for bucket in self.buckets:
            if self.gradient_as_bucket_view:
                np.multiply(bucket.buffer, scale, out=bucket.buffer, casting="unsafe")
            for p, view in zip(bucket.params, bucket.views):
                if used is not None and p.grad is None and not used[self.slots[id(p)][2]]:
                    continue  # no rank used it: its grad stays None, as PyTorch's
                self.write_grad(p, view, scale)
        self.expect_hooks = False
        self.in_progress = False

    def write_grad(self, param, view, scale):
        grad = param.grad
        if self.gradient_as_bucket_view:
            if grad is None or grad.detach().numpy() is not view:
                param.grad = ag.from_numpy(view)
            else:
                mark_dirty(grad)
            return
        array = None if grad is None else grad.detach().numpy()
        if (array is None or not array.flags.writeable or array.shape != view.shape
                or array.dtype != view.dtype):
            param.grad = ag.from_numpy(np.multiply(view, scale, dtype=view.dtype))
        else:
            np.multiply(view, scale, out=array, casting="unsafe")
            mark_dirty(grad)

    def globally_used(self):
        """Which parameters some rank used this iteration (find_unused_parameters)."""
        unused = {id(p) for p in self.unused}
        used = ag.tensor([id(p) not in unused for p in self.params], dtype=ag.int32)
        dist.all_reduce(used, op=dist.ReduceOp.MAX)
        return used.numpy().astype(bool)

    def check_finished(self):
        """The previous backward must have averaged every gradient: a parameter whose
        hook never ran (not used for the loss) leaves the reduction open."""
        if not self.in_progress:
            return
        missing = [n for n, ready in zip(self.names, self.ready) if not ready]
        raise RuntimeError(
            f"DistributedDataParallel: expected to have finished reduction in the prior "
            f"iteration before starting a new one, but on rank {dist.get_rank()} these "
            f"parameters got no gradient: {', '.join(missing)}. Your module has parameters "
            f"that were not used in producing the loss: pass find_unused_parameters=True to "
            f"DistributedDataParallel (and make sure every output of forward takes part in "
            f"the loss)"
        )

    def remove_hooks(self):
        for handle in self.hook_handles:
            handle.remove()
        self.hook_handles = []
