"""What the launcher gives each rank: torchrun's variables and the thread settings."""
import os

from worker_common import dist, report, start

rank, n = start()
report({v: os.environ.get(v) for v in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                                        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                        "NUMBA_NUM_THREADS")} | {"rank": dist.get_rank()})
