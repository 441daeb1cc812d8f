"""DDP's gradient averaging: parameters grouped in flat buckets that start their
non-blocking allreduce from the gradient hooks, while backward goes on.

Each parameter's post-accumulate-grad hook puts its gradient into its bucket's slot;
when every slot of a bucket is filled the bucket's allreduce (a sum) starts, buckets
always in the same order on every rank (MPI matches collectives by order). MPICH
moves a non-blocking collective only inside MPI calls, so every hook also tests the
oldest request still running. The average costs no pass of its own:

- a gradient an op wrote straight into its slot (a gradient destination: Linear's
  weight gradient is one GEMM into the slot, when the parameter has no `.grad`, as
  after `zero_grad()`) is not copied: it is divided in place, while in cache, before
  its allreduce (as a copied one is, so every rank treats the slot alike);
- a gradient backward just made (version 0: nothing accumulated into it) is
  divided by the world size while it is copied into its slot (PyTorch's `mul_out`
  into the bucket view) and `.grad` becomes a view of the slot: one copy, no copy
  back;
- a `.grad` that already is its slot (a view handed out before, accumulated in
  place after `zero_grad(set_to_none=False)`) is not copied at all; its slot is
  divided when the allreduce is done, while MPI's result is still in cache;
- a `.grad` tensor the user had before backward (accumulated in place) keeps its
  identity and gets the average copied in, as PyTorch's default, unless
  `gradient_as_bucket_view=True` (then it becomes the view).

Buffers are reused from step to step. A buffer whose views were handed out is
written again only if nothing but the parameters' current `.grad` holds its memory
(reference counts, as the engine's AccumulateGrad decides to steal a gradient):
gradients a user kept from an earlier step, or slices of them, never change under
them; then the bucket takes a new buffer.

With one rank the average is the gradient itself: nothing is packed or moved, and
the hooks (plain gradient hooks, which backward runs without scheduling
post-accumulate work) only keep count, to raise the same unused-parameter error.
"""
import weakref
from sys import getrefcount

import numpy as np

import autograd_lite as ag
import autograd_lite.distributed as dist
from autograd_lite.extend import clear_grad_destination, mark_dirty, set_grad_destination

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
        self.work = None
        self.reset()

    def reset(self):
        """Before a backward: no slot filled yet."""
        self.pending = len(self.params)
        self.checked = False  # this iteration's first hook decided which buffer to fill
        self.in_place = []  # slots that were the .grad itself: divided after the allreduce
        self.given = set()  # slots handed to ops as gradient destinations this backward
        self.copy_back = [None] * len(self.params)  # .grad tensors that keep their identity

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
        self.own_references = self.references()

    def destination(self, k):
        """Slot k, for an op to write its parameter's gradient into (the buffer is
        first replaced if someone outside holds its memory)."""
        def provide():
            if not self.checked:
                self.checked = True
                if not self.writable():
                    self.new_buffer()
            self.given.add(k)
            return self.views[k]

        return provide

    def references(self):
        """Reference counts of the buffer (an array viewing it counts one) and of each
        slot's view (a tensor on it counts one)."""
        return getrefcount(self.buffer), [getrefcount(view) for view in self.views]

    def writable(self):
        """True if no one outside DDP holds this buffer's memory but the parameters'
        current .grad views (which this backward accumulates into anyway)."""
        if not self.handed_out:
            return True
        buffer_refs, view_refs = self.references()
        if buffer_refs != self.own_references[0]:
            return False  # a slice or reshape of a gradient, an array of it
        for p, view, refs, own in zip(self.params, self.views, view_refs, self.own_references[1]):
            if refs != own and not (refs == own + 1 and p.grad is not None and p.grad._data is view):
                return False  # an old .grad (or a tensor sharing its array) is still held
        return True

    def start(self):
        self.work = dist.all_reduce(self.tensor, op=dist.ReduceOp.SUM, async_op=True)

    def finish(self, scale):
        """Wait for the allreduce, then divide the slots that were not divided when packed."""
        self.work.wait()
        self.work = None
        if len(self.in_place) == len(self.params):
            np.multiply(self.buffer, scale, out=self.buffer)
        else:
            for k in self.in_place:
                np.multiply(self.views[k], scale, out=self.views[k])


class Reducer:
    """Averages the gradients of `params` over all ranks during each backward that
    follows `prepare_for_backward()`."""

    def __init__(self, params, names, bucket_limits, find_unused_parameters=False,
                 gradient_as_bucket_view=False):
        self.params = params
        self.names = names
        self.world_size = dist.get_world_size()
        self.scale = 1.0 / self.world_size
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        order = params[::-1]  # gradients arrive roughly in reverse order of use
        self.buckets = [Bucket([order[i] for i in indices])
                        for indices in bucket_assignment(order, bucket_limits)]
        self.slots = {}  # id(param) -> (bucket, index in the bucket, position in params)
        self.destinations = []  # (param, provider of its slot)
        position = {id(p): i for i, p in enumerate(params)}
        for bucket in self.buckets:
            for k, p in enumerate(bucket.params):
                self.slots[id(p)] = (bucket, k, position[id(p)])
                self.destinations.append((p, bucket.destination(k)))
        self.expect_hooks = False  # armed by prepare_for_backward
        self.in_progress = False  # a hook has fired since the last prepare
        self.ready = [False] * len(params)
        self.n_ready = 0
        self.unused = ()
        self.unused_ids = set()
        self.next_launch = 0
        self.oldest_running = 0
        if self.world_size > 1:
            self.hook_handles = [p.register_post_accumulate_grad_hook(_weak_hook(self))
                                 for p in params]
        elif find_unused_parameters:
            self.hook_handles = []  # one rank, no error to raise: nothing to do
        else:
            self.hook_handles = [p.register_hook(_counting_hook(self, i)) for i, p in enumerate(params)]
        weakref.finalize(self, _remove_hooks, list(self.hook_handles), list(params))

    # ---- one iteration ---------------------------------------------------------------
    def prepare_for_backward(self, unused=()):
        """Arm the hooks for the next backward; `unused` parameters (found by
        find_unused_parameters) count as ready with no gradient."""
        if self.in_progress:
            self.check_finished()
        if self.world_size > 1:
            for bucket in self.buckets:
                bucket.reset()
            for p, provide in self.destinations:
                set_grad_destination(p, provide)
            self.unused = tuple(unused)
            self.unused_ids = {id(p) for p in self.unused}
            self.next_launch = 0
            self.oldest_running = 0
        self.ready = [False] * len(self.params)
        self.n_ready = 0
        self.expect_hooks = bool(self.hook_handles)

    def disarm(self):
        """The next backward keeps its gradients local (no_sync, or no grad mode)."""
        if self.in_progress:
            self.check_finished()
        self.expect_hooks = False
        self.clear_destinations()

    def clear_destinations(self):
        for p, _ in self.destinations:
            clear_grad_destination(p)

    def arrived(self, i):
        """One rank: the gradient hook of parameter `i` (counting is all there is)."""
        if not self.expect_hooks:
            return
        self.in_progress = True
        if not self.ready[i]:  # a tensor hook also fires for autograd.grad: no double-count error
            self.ready[i] = True
            self.n_ready += 1
            if self.n_ready == len(self.params):
                self.expect_hooks = self.in_progress = False

    def grad_ready(self, param):
        """Several ranks: the post-accumulate-grad hook of every parameter."""
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
        if not bucket.checked:
            bucket.checked = True
            if not bucket.writable():
                bucket.new_buffer()  # views of the old one are still held by someone
        view = bucket.views[k]
        grad = param.grad
        if grad is None:
            view.fill(0)  # unused here, maybe used on another rank
        elif grad._data is view and k in bucket.given:
            # an op wrote it there this backward: divided now, in cache, as a copy would be
            # (every rank divides each slot at the same point, whatever wrote it)
            np.multiply(view, self.scale, out=view)
        elif grad._data is view:
            bucket.in_place.append(k)
        else:
            if not self.gradient_as_bucket_view and (grad._version or id(param) in self.unused_ids):
                bucket.copy_back[k] = grad  # a .grad the user had: it keeps its identity
            np.multiply(grad._data, self.scale, out=view, casting="unsafe")
        bucket.pending -= 1
        if bucket.pending == 0:
            self.launch_filled_buckets()
        self.make_progress()
        if self.next_launch == len(self.buckets):
            self.finalize()

    def launch_filled_buckets(self):
        """Start the allreduce of every filled bucket, in bucket order."""
        while self.next_launch < len(self.buckets) and self.buckets[self.next_launch].pending == 0:
            self.buckets[self.next_launch].start()
            self.next_launch += 1

    def make_progress(self):
        """Let MPI move the running allreduces (it does only inside MPI calls)."""
        while self.oldest_running < self.next_launch:
            bucket = self.buckets[self.oldest_running]
            if not bucket.work.is_completed():
                return
            bucket.finish(self.scale)  # done: divide now, while the result is in cache
            self.oldest_running += 1

    def finalize(self):
        """Wait for every bucket, then point each .grad at its averaged slot."""
        for bucket in self.buckets[self.oldest_running:]:
            bucket.finish(self.scale)
        used = self.globally_used() if self.find_unused_parameters else None
        for bucket in self.buckets:
            handed_out = False
            for p, view, keep in zip(bucket.params, bucket.views, bucket.copy_back):
                grad = p.grad
                if grad is not None and grad._data is view:
                    mark_dirty(grad)  # MPI wrote the average into it
                    handed_out = True  # (an op may have written it there: it is a .grad now)
                elif keep is not None and keep is grad:
                    np.copyto(grad._data, view)
                    mark_dirty(grad)
                elif grad is not None or used is None or used[self.slots[id(p)][2]]:
                    p.grad = ag.from_numpy(view)
                    handed_out = True
                # else: no rank used it: its grad stays None, as PyTorch's
            if handed_out:
                bucket.handed_out = True
            bucket.copy_back = None  # the user's tensors are not kept until the next backward
        self.clear_destinations()  # those no op used
        self.expect_hooks = False
        self.in_progress = False

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
        _remove_hooks(self.hook_handles, self.params)
        self.hook_handles = []


def _weak_hook(reducer):
    """A post-accumulate-grad hook that holds the reducer weakly, so a DDP wrapper
    that is dropped takes its hooks with it (weakref.finalize removes them)."""
    ref = weakref.ref(reducer)

    def hook(param):
        alive = ref()
        if alive is not None:
            alive.grad_ready(param)

    return hook


def _counting_hook(reducer, i):
    """One rank's gradient hook for parameter `i` (holds the reducer weakly)."""
    ref = weakref.ref(reducer)

    def hook(grad):
        alive = ref()
        if alive is not None and alive.expect_hooks:
            alive.arrived(i)

    return hook


def _remove_hooks(handles, params):
    for handle in handles:
        handle.remove()
    for p in params:
        clear_grad_destination(p)
