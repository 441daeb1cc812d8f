"""DDP's gradient averaging: parameters grouped in flat buckets that start their
non-blocking allreduce from the gradient hooks, while backward goes on.

Each parameter's post-accumulate-grad hook copies its gradient into its bucket's
slot (pack); when every slot of a bucket is filled the bucket's allreduce (a sum)
starts, buckets always in the same order on every rank (MPI
matches collectives by order). MPICH moves a non-blocking collective only inside
MPI calls, so every hook also tests the oldest request still running. When the
last gradient is in, each bucket is waited for and divided by the world size in
place (while MPI's result is still in cache), and each `.grad` shows its slot:

- a gradient backward just made becomes a view of its slot (no copy back);
- a `.grad` tensor that existed before backward (accumulation, `zero_grad(
  set_to_none=False)`) keeps its identity and gets the values copied in, as
  PyTorch's default, unless `gradient_as_bucket_view=True` (then it becomes the view);
- a `.grad` that already is its slot (a view handed out before, accumulated in
  place) costs nothing to pack.

A buffer whose views were handed out is written again only while every
parameter's `.grad` still is its view; otherwise the bucket takes a new buffer, so
gradients a user kept from an earlier step never change under them. With one
rank the average is the gradient itself: the hooks only keep count.
"""
import weakref

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
        self.sizes = [p.numel() for p in params]
        self.new_buffer()
        self.pending = len(params)
        self.work = None
        self.checked = False  # this iteration's first hook decided which buffer to fill
        self.grads_before = [None] * len(params)  # the .grad tensors when forward ran

    def new_buffer(self):
        # drop the old buffer first: if no view of it is left, malloc hands the same
        # block back (no page faults); views a user kept keep the old one alive
        self.buffer = self.tensor = self.views = None
        self.buffer = np.empty(sum(self.sizes), self.params[0].dtype)  # every slot is packed before use
        self.tensor = ag.from_numpy(self.buffer)
        offsets = np.cumsum([0] + self.sizes)
        self.views = [self.buffer[a:b].reshape(p.shape)
                      for a, b, p in zip(offsets, offsets[1:], self.params)]
        self.handed_out = False  # some .grad is (or was) a view of this buffer

    def grads_are_views(self):
        return all(p.grad is not None and p.grad.detach().numpy() is v
                   for p, v in zip(self.params, self.views))


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
        self.slots = {}  # id(param) -> (bucket, index in the bucket, position in params)
        position = {id(p): i for i, p in enumerate(params)}
        for bucket in self.buckets:
            for k, p in enumerate(bucket.params):
                self.slots[id(p)] = (bucket, k, position[id(p)])
        self.expect_hooks = False  # armed by prepare_for_backward
        self.in_progress = False  # a hook has fired since the last prepare
        self.ready = [False] * len(params)
        self.n_ready = 0
        self.unused = ()
        self.next_launch = 0
        self.oldest_running = 0
        self.hook_handles = [p.register_post_accumulate_grad_hook(_weak_hook(self)) for p in params]
        weakref.finalize(self, _remove_hooks, list(self.hook_handles))

    # ---- one iteration ---------------------------------------------------------------
    def prepare_for_backward(self, unused=()):
        """Arm the hooks for the next backward; `unused` parameters (found by
        find_unused_parameters) count as ready with no gradient."""
        self.check_finished()
        for bucket in self.buckets if self.world_size > 1 else ():  # one rank moves nothing
            bucket.pending = len(bucket.params)
            bucket.work = None
            bucket.checked = False
            bucket.grads_before = [p.grad for p in bucket.params]
        self.ready = [False] * len(self.params)
        self.n_ready = 0
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
        bucket, k, i = self.slots[id(param)]
        if self.ready[i]:
            raise RuntimeError(
                f"DistributedDataParallel: parameter {self.names[i]!r} got its gradient twice "
                f"in one iteration (Expected to mark a variable ready only once): a second "
                f"backward through the same forward, or a parameter used outside the DDP "
                f"module's forward; call the DDP module once per backward"
            )
        self.ready[i] = True
        self.n_ready += 1
        if self.world_size == 1:  # the average of one gradient is itself: nothing to move
            if self.n_ready == len(self.params):
                self.expect_hooks = self.in_progress = False
            return
        if not bucket.checked:
            bucket.checked = True
            if bucket.handed_out and not bucket.grads_are_views():
                bucket.new_buffer()  # views of the old one may still be held by the user
        self.pack(param.grad, bucket.views[k])
        bucket.pending -= 1
        if bucket.pending == 0:
            self.launch_filled_buckets()
        self.make_progress()
        if self.next_launch == len(self.buckets):
            self.finalize()

    @staticmethod
    def pack(grad, view):
        """Copy the gradient into its slot (nothing to do when it already is the slot)."""
        if grad is None:
            view.fill(0)
            return
        array = grad.detach().numpy()
        if array is not view:
            np.copyto(view, array)

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
        """Wait for every bucket, then point each .grad at its averaged slot."""
        scale = 1.0 / self.world_size
        for bucket in self.buckets:
            bucket.work.wait()
            if self.world_size > 1:  # the average, while MPI's result is still in cache
                np.multiply(bucket.buffer, scale, out=bucket.buffer, casting="unsafe")
        used = self.globally_used() if self.find_unused_parameters else None
        for bucket in self.buckets:
            for p, view, before in zip(bucket.params, bucket.views, bucket.grads_before):
                if used is not None and p.grad is None and not used[self.slots[id(p)][2]]:
                    continue  # no rank used it: its grad stays None, as PyTorch's
                self.write_grad(bucket, p, view, before)
            bucket.grads_before = [None] * len(bucket.params)
        self.expect_hooks = False
        self.in_progress = False

    def write_grad(self, bucket, param, view, before):
        grad = param.grad
        if grad is not None and grad.detach().numpy() is view:
            mark_dirty(grad)
        elif grad is not None and grad is before and not self.gradient_as_bucket_view:
            np.copyto(grad.detach().numpy(), view)  # a .grad the user already had: same tensor
            mark_dirty(grad)
        else:
            param.grad = ag.from_numpy(view)
            bucket.handed_out = True

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
        _remove_hooks(self.hook_handles)
        self.hook_handles = []


def _weak_hook(reducer):
    """A hook that holds the reducer weakly, so a DDP wrapper that is dropped takes its
    hooks with it (weakref.finalize removes them)."""
    ref = weakref.ref(reducer)

    def hook(param):
        alive = ref()
        if alive is not None:
            alive.grad_ready(param)

    return hook


def _remove_hooks(handles):
    for handle in handles:
        handle.remove()
