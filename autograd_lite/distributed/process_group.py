"""The default process group: MPI's world, set up by `init_process_group` as in
`torch.distributed`. Ranks and the world size come from MPI (mpiexec starts the
processes); `env://` variables, when set, must agree with them.

mpi4py is imported only here and only when a group is made: importing
`autograd_lite.distributed` starts no MPI, so it works where MPI is not installed.
"""
import importlib.util
import os
import sys
import time
import traceback

from threadpoolctl import threadpool_limits

from ..threads import available_cores

INSTALL_HINT = (
    "install MPI for Python with `pip install mpi4py mpich` (or `pip install -e "
    "\".[distributed]\"` in a checkout); on a cluster, `pip install mpi4py` alone builds "
    "against the site's MPI"
)
_BACKENDS = ("mpi", "gloo", "cpu:mpi", "cpu:gloo")
ABORT_GRACE_SECONDS = 0.2  # for mpiexec to forward the traceback before MPI_Abort ends the job
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class _World:
    """The state of the default group (one per process)."""

    comm = None  # mpi4py's COMM_WORLD while a group is initialised
    MPI = None  # the mpi4py.MPI module, once imported
    backend = None
    excepthook = None  # the hook we replaced


_world = _World()


class _Group:
    """A process group handle; only the world group exists (`group.WORLD`)."""

    def __repr__(self):
        return "<ProcessGroup WORLD (MPI)>"

    def rank(self):
        return get_rank()

    def size(self):
        return get_world_size()


class group:  # noqa: N801 - torch.distributed.group
    """The process groups: `group.WORLD` is the only one (every rank)."""

    WORLD = _Group()


class GroupMember:
    """`GroupMember.WORLD` (the world group) and `NON_GROUP_MEMBER`, as PyTorch's."""

    WORLD = group.WORLD
    NON_GROUP_MEMBER = -100


def is_available():
    """True: the API is always there; `is_mpi_available()` says if MPI is installed."""
    return True


def is_mpi_available():
    """True if mpi4py is installed (found without importing it: importing
    mpi4py.MPI starts MPI)."""
    return _world.MPI is not None or importlib.util.find_spec("mpi4py") is not None


def is_gloo_available():
    """False: every backend runs on MPI (`init_process_group("gloo")` is accepted and uses it)."""
    return False


def is_nccl_available():
    """False: NCCL needs GPUs."""
    return False


def is_torchelastic_launched():
    """False: the launcher is MPI's (`python -m autograd_lite.distributed.run`), not torchrun."""
    return False


def _import_mpi():
    if _world.MPI is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError(
                f"autograd_lite.distributed needs MPI, which is not installed ({e}): "
                + INSTALL_HINT
            ) from None
        _world.MPI = MPI
    return _world.MPI


def mpi():
    """The mpi4py.MPI module (initialising MPI), with an install hint if it is missing."""
    return _import_mpi()


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join MPI's world as the default group. `backend` "mpi" (or "gloo", carried over
    MPI too, so CPU scripts port unchanged). Rank and world size are MPI's; `rank=`,
    `world_size=` and the RANK / WORLD_SIZE / LOCAL_RANK variables, when given, are
    checked against them."""
    if _world.comm is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = "mpi" if backend is None else str(backend).lower()
    if name == "nccl" or "cuda" in name:
        raise RuntimeError(
            f"init_process_group: backend {backend!r} needs GPUs, which autograd_lite does "
            f"not have; use backend='mpi'"
        )
    if name not in _BACKENDS:
        raise ValueError(
            f"init_process_group: unknown backend {backend!r}; autograd_lite runs on MPI "
            f"(backend='mpi'; 'gloo' is accepted and also uses MPI)"
        )
    if init_method not in (None, "env://") and not str(init_method).startswith(("tcp://", "file://")):
        raise ValueError(f"init_process_group: unsupported init_method {init_method!r}")
    MPI = _import_mpi()
    comm = MPI.COMM_WORLD
    _check_membership(comm, world_size, rank)
    _world.comm = comm
    _world.backend = "mpi"
    local = comm.Split_type(MPI.COMM_TYPE_SHARED)
    local_rank, local_size = local.Get_rank(), local.Get_size()
    local.Free()
    for var, value in (("RANK", comm.Get_rank()), ("WORLD_SIZE", comm.Get_size()),
                       ("LOCAL_RANK", local_rank), ("LOCAL_WORLD_SIZE", local_size)):
        os.environ.setdefault(var, str(value))
    _share_cores(local_size)
    _install_abort_on_error()


def _check_membership(comm, world_size, rank):
    """MPI decides ranks; anything else that claims to know them must agree."""
    size, me = comm.Get_size(), comm.Get_rank()
    claims = [("world_size=", world_size, size), ("rank=", rank, me)]
    for var, actual in (("WORLD_SIZE", size), ("RANK", me)):
        value = os.environ.get(var)
        if value not in (None, ""):
            claims.append((f"the environment variable {var}=", int(value), actual))
    for what, claimed, actual in claims:
        if claimed is not None and int(claimed) != -1 and int(claimed) != actual:
            raise ValueError(
                f"init_process_group: {what}{claimed} disagrees with MPI, which started this "
                f"process as rank {me} of {size}; with MPI the launcher decides ranks (launch "
                f"with `mpiexec -n N python script.py` or `python -m "
                f"autograd_lite.distributed.run --nproc N script.py`)"
            )


def _share_cores(local_size):
    """Several ranks on one machine: unless the thread variables say otherwise, NumPy's
    BLAS gets an equal share of the cores (the launcher sets one thread per process)."""
    if local_size <= 1 or any(os.environ.get(v) for v in _THREAD_VARS):
        return
    threadpool_limits(limits=max(1, available_cores() // local_size), user_api="blas")


def _install_abort_on_error():
    """An uncaught exception on one rank prints its traceback and aborts every rank
    (MPI_Abort), instead of leaving the others waiting in a collective forever."""
    if _world.excepthook is None:
        _world.excepthook = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def _abort_on_uncaught(exc_type, exc, tb):
    if _world.comm is None or _world.comm.Get_size() == 1:
        (_world.excepthook or sys.__excepthook__)(exc_type, exc, tb)
        return
    abort_job(exc_type, exc, tb)


def abort_job(exc_type, exc, tb, comm=None):
    """Print the traceback, each line marked with this process's rank, and end every
    rank of the job (MPI_Abort); the launcher's workers and the excepthook use it."""
    comm = comm or _world.comm or _import_mpi().COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    if exc is not None:
        lines = "".join(traceback.format_exception(exc_type, exc, tb)).splitlines(True)
        sys.stderr.write("".join(f"[rank {rank}] {line}" for line in lines))
    sys.stderr.write(f"[rank {rank}] aborting all {size} ranks (MPI_Abort)\n")
    sys.stderr.flush()
    sys.stdout.flush()
    # mpiexec forwards a rank's output from a pipe; an abort at once could end the job
    # before it read the traceback (seen once in CI: an empty stderr), so give it a moment
    time.sleep(ABORT_GRACE_SECONDS)
    comm.Abort(1)


def is_initialized():
    """True after `init_process_group` (until `destroy_process_group`)."""
    return _world.comm is not None


def destroy_process_group(group=None):
    """Leave the default group (MPI itself stays up until the process exits, so a
    later `init_process_group` works)."""
    if _world.comm is None:
        raise ValueError("destroy_process_group: the default process group is not initialized")
    check_group(group, "destroy_process_group")
    _world.comm = None
    _world.backend = None
    if _world.excepthook is not None and sys.excepthook is _abort_on_uncaught:
        sys.excepthook = _world.excepthook
    _world.excepthook = None


def world_comm(op="this operation"):
    """COMM_WORLD of the initialised default group (ValueError as PyTorch otherwise)."""
    if _world.comm is None:
        raise ValueError(
            f"{op}: Default process group has not been initialized, please make sure to "
            f"call init_process_group."
        )
    return _world.comm


def check_group(group, op):
    """Only the world group exists: anything else is a clear error."""
    if group is not None and not isinstance(group, _Group):
        raise ValueError(
            f"{op}: only the default group (group=None or group.WORLD) exists; "
            f"new_group is not supported, got {group!r}"
        )



def get_rank(group=None):
    """This process's rank in the world group. Raises ValueError before
    `init_process_group`, or for a group other than the world."""
    check_group(group, "get_rank")
    return world_comm("get_rank").Get_rank()


def get_world_size(group=None):
    """The number of processes. Raises ValueError before `init_process_group`, or for a
    group other than the world."""
    check_group(group, "get_world_size")
    return world_comm("get_world_size").Get_size()


def get_backend(group=None):
    """The backend name given to `init_process_group` (it runs on MPI whatever the name).
    Raises ValueError before `init_process_group`."""
    check_group(group, "get_backend")
    world_comm("get_backend")
    return _world.backend
