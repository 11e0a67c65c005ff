"""Thread limits shared by the peer benchmarks (peers.py, train_step.py).

Import it before numpy or any peer: it sets the BLAS/OpenMP thread counts
to THREADS (unless already set), confines the process (and the workers it
starts, which inherit both) to THREADS CPUs, since XLA sizes its pool from
the affinity mask, and with `--openblas-auto` on the command line drops the
environment's OpenBLAS kernel family, so weft's runtime names it from the
CPU's features.
"""
import os
import sys

THREADS = 2

if "--openblas-auto" in sys.argv:
    for _v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(_v, None)
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, str(THREADS))
try:
    _cpus = sorted(os.sched_getaffinity(0))
    if len(_cpus) > THREADS:
        os.sched_setaffinity(0, _cpus[:THREADS])
except (AttributeError, OSError):
    pass
