"""Writes damaged copies of a weft artifact next to `prefix`, following the
layout in docs/ArtifactFormat.md (an independent reader of the format)."""
import struct
import sys

import numpy as np

src, prefix = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())


def fnv1a(b):
    h = 1469598103934665603
    for c in b:
        h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def write(name, b):
    open(f"{prefix}.{name}", "wb").write(bytes(b))


magic, version, nsec, size, tsum = struct.unpack_from("<8sIIQQ", data, 0)
assert magic == b"WEFTART\0" and size == len(data)
table = [list(struct.unpack_from("<IIQQQ", data, 32 + 32 * i)) for i in range(nsec)]

write("empty", b"")
write("truncated", data[: len(data) // 2])
bad = bytearray(data); bad[0:4] = b"ELF\x7f"; write("magic", bad)
bad = bytearray(data); struct.pack_into("<I", bad, 8, 99); write("version", bad)
meta = next(t for t in table if t[0] == 1)
bad = bytearray(data); bad[meta[2] + 5] ^= 0xFF; write("checksum", bad)

# A forged artifact with valid checksums whose first buffer lies past the
# end of the arena: only the bounds checks can catch it.
m = meta[2]
pos = m
(nk,) = struct.unpack_from("<I", data, pos); pos += 4
for _ in range(nk):
    (n,) = struct.unpack_from("<I", data, pos); pos += 4 + n + 4
pos += 4  # entry count
(n,) = struct.unpack_from("<I", data, pos); pos += 4 + n
(arena,) = struct.unpack_from("<Q", data, pos); pos += 16  # arena, bound
pos += 4  # buffer count
bad = bytearray(data)
struct.pack_into("<Q", bad, pos, arena + 64)
meta[4] = fnv1a(bad[meta[2]: meta[2] + meta[3]])
for i, t in enumerate(table):
    struct.pack_into("<IIQQQ", bad, 32 + 32 * i, *t)
struct.pack_into("<Q", bad, 24, fnv1a(bad[32: 32 + 32 * nsec]))
write("offset", bad)

rng = np.random.default_rng(0)
np.save(f"{prefix}.good.npy", rng.standard_normal((4, 8)).astype(np.float32))
np.save(f"{prefix}.shape.npy", np.zeros((4, 7), np.float32))
np.save(f"{prefix}.dtype.npy", np.zeros((4, 8), np.int32))
np.save(f"{prefix}.f64.npy", np.zeros((4, 8), np.float64))
np.save(f"{prefix}.fortran.npy", np.asfortranarray(np.zeros((4, 8), np.float32)))
open(f"{prefix}.notnpy.npy", "wb").write(b"definitely not numpy")
