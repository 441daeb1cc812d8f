"""Rank 1 fails (argv[1]: "raise" or "exit") while the others wait in a collective:
the whole job must end within seconds, with rank 1's traceback."""
import sys

from worker_common import ag, dist, start

rank, n = start()
dist.all_reduce(ag.ones(2))
if rank == 1:
    if sys.argv[1] == "raise":
        raise ValueError("rank 1 fails on purpose")
    sys.exit(3)
dist.all_reduce(ag.ones(2))  # never completes: rank 1 is gone
dist.barrier()
