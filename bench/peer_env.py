"""What the peer benchmarks (peers.py, train_step.py) share: the thread
limits, and the CPU accounting of a run.

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


def cpu_seconds(pids):
    """(CPU seconds used by the whole machine, by `pids` and this process)"""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        v = [int(t) for t in f.readline().split()[1:]]
    # user, nice, system; irq, softirq, steal
    busy = (sum(v[:3]) + sum(v[5:8])) / tick
    own = sum(os.times()[:2])
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                st = f.read().rsplit(")", 1)[1].split()
            own += (int(st[11]) + int(st[12])) / tick
        except OSError:
            pass
    return busy, own
