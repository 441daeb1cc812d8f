"""Launch a training script on N processes through MPI (as `torchrun` does for PyTorch):

    python -m autograd_lite.distributed.run --nproc 4 train.py --epochs 10
    python -m autograd_lite.distributed.run --nproc 8 --hostfile hosts train.py
    python -m autograd_lite.distributed.run --nproc 2 -m my_package.train

It runs `mpiexec -n N` (the environment's own, next to this Python, else the one on
PATH) with one Numba/BLAS thread per process unless `--threads` or the thread
variables say otherwise. Each process gets RANK, WORLD_SIZE, LOCAL_RANK and
LOCAL_WORLD_SIZE, as under torchrun. A process that raises, or exits with a
non-zero status, prints its traceback and aborts the whole job: nothing is left
waiting in a collective.
"""
import argparse
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

from .process_group import INSTALL_HINT, abort_job, is_mpi_available, mpi

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
_WORKER_FLAG = "--as-worker"
# (variable the launcher sets, where MPICH's and Open MPI's launchers put it)
_RANK_VARIABLES = (
    ("RANK", ("PMI_RANK", "OMPI_COMM_WORLD_RANK")),
    ("WORLD_SIZE", ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")),
    ("LOCAL_RANK", ("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK")),
    ("LOCAL_WORLD_SIZE", ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE")),
)


def find_mpiexec(explicit=None):
    """The mpiexec to use: `explicit`, else the one installed beside this Python (the
    mpich wheel's), else the first on PATH."""
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.exists():
        return str(beside)
    found = shutil.which("mpiexec")
    if found:
        return found
    raise SystemExit(f"autograd_lite.distributed.run: no mpiexec found; {INSTALL_HINT}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m autograd_lite.distributed.run",
        description="Run a training script on several processes through MPI.")
    parser.add_argument("-n", "--nproc", type=int, default=1,
                        help="number of processes in all (default 1)")
    parser.add_argument("--hostfile", help="MPI host file: one machine per line (MPICH: "
                        "'host:slots'), for a job across machines")
    parser.add_argument("--threads", type=int, default=None,
                        help="Numba/BLAS threads per process (default: 1, or the "
                        "OMP_NUM_THREADS etc. already set)")
    parser.add_argument("--mpiexec", help="the mpiexec to run (default: the environment's)")
    parser.add_argument("--mpiexec-args", default="",
                        help="extra arguments for mpiexec, as one string")
    parser.add_argument("-m", "--module", action="store_true",
                        help="run the target as a module (python -m)")
    parser.add_argument("target", help="the script (or module with -m) to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    args = parser.parse_args(argv)
    if args.nproc < 1:
        parser.error(f"--nproc must be at least 1, got {args.nproc}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    return args


def launch_command(args):
    """The mpiexec command line and environment for `args`."""
    command = [find_mpiexec(args.mpiexec), "-n", str(args.nproc)]
    if args.hostfile:
        command += ["-hostfile", args.hostfile]
    command += args.mpiexec_args.split()
    command += [sys.executable, "-m", "autograd_lite.distributed.run", _WORKER_FLAG]
    command += (["-m"] if args.module else []) + [args.target] + args.args
    env = dict(os.environ)
    for var in THREAD_VARIABLES:
        if args.threads is not None:
            env[var] = str(args.threads)
        elif not env.get(var):
            env[var] = "1"
    return command, env


def run_worker(argv):
    """Inside mpiexec: torchrun's variables, then the target as __main__; an uncaught
    exception or a non-zero exit aborts every rank."""
    as_module = argv[:1] == ["-m"]
    if as_module:
        argv = argv[1:]
    target, args = argv[0], argv[1:]
    for var, sources in _RANK_VARIABLES:
        value = next((os.environ[s] for s in sources if os.environ.get(s)), None)
        if value is not None:
            os.environ.setdefault(var, value)
    sys.argv = [target] + args
    mpi()  # MPI starts before the script, so a rank that fails early can still abort the others
    try:
        if as_module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, str(Path(target).resolve().parent))
            runpy.run_path(target, run_name="__main__")
    except SystemExit as e:
        if e.code in (None, 0):
            raise
        sys.stderr.write(f"[rank {os.environ.get('RANK', '?')}] exited with status {e.code}\n")
        abort_job(None, None, None)
    except BaseException as e:  # noqa: BLE001 - any failure must end the whole job
        abort_job(type(e), e, e.__traceback__)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [_WORKER_FLAG]:
        run_worker(argv[1:])
        return 0
    args = parse_args(argv)
    if not is_mpi_available():
        raise SystemExit(f"autograd_lite.distributed.run: mpi4py is not installed; {INSTALL_HINT}")
    command, env = launch_command(args)
    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
