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


class Meta:
    """Walks the meta section (format version 2) far enough to find the
    first program's arenas and buffers."""

    def __init__(self, data, pos):
        self.data, self.pos = data, pos

    def u32(self):
        (v,) = struct.unpack_from("<I", self.data, self.pos)
        self.pos += 4
        return v

    def skip(self, n):
        self.pos += n

    def str(self):
        self.skip(self.u32())


def first_program(data, meta_offset):
    m = Meta(data, meta_offset)
    for _ in range(m.u32()):  # targets: kind, arch, features
        m.skip(4); m.str()
        for _ in range(m.u32()):
            m.str()
    m.skip(8 * m.u32())  # devices: kind, target
    for _ in range(m.u32()):  # kernels: symbol, kind, args
        m.str(); m.skip(4); m.skip(12 * m.u32())
    for _ in range(m.u32()):  # weights: name, offset, size, splat bytes
        m.str(); m.skip(20)
    m.skip(4)  # entry count
    m.str()  # entry name
    m.skip(4)  # program count
    m.skip(4 + 8)  # device, lower bound
    arenas = []
    for _ in range(m.u32()):  # kind, flags, size, alignment
        arenas.append(m.pos)
        m.skip(24)
    buffers = []
    for _ in range(m.u32()):  # arena, offset, size, weight
        buffers.append(m.pos)
        m.skip(24)
    return arenas, buffers


def forge(name, edit):
    """A copy with `edit` applied to the meta bytes and every checksum
    recomputed: only the loader's validation can catch it."""
    bad = bytearray(data)
    edit(bad)
    t = list(meta)
    t[4] = fnv1a(bad[t[2]: t[2] + t[3]])
    for i, entry in enumerate(table):
        struct.pack_into("<IIQQQ", bad, 32 + 32 * i, *(t if entry is meta else entry))
    struct.pack_into("<Q", bad, 24, fnv1a(bad[32: 32 + 32 * nsec]))
    write(name, bad)


arenas, buffers = first_program(data, meta[2])
(arena_size,) = struct.unpack_from("<Q", data, arenas[0] + 8)


def past_arena(bad):
    # The first buffer starts past the end of its arena.
    struct.pack_into("<Q", bad, buffers[0] + 4, arena_size + 64)


def undersized(bad):
    # The relu's output buffer shrinks to 64 bytes while the kernel still
    # writes 128: the loader compares every launch with the kernel's
    # recorded argument sizes.
    struct.pack_into("<Q", bad, buffers[1] + 12, 64)


def unknown_feature(bad):
    # The target record's first feature renamed to one no runtime can check.
    pos = meta[2] + 4 + 4  # target count, target kind
    (n,) = struct.unpack_from("<I", bad, pos)
    pos += 4 + n  # arch
    (count,) = struct.unpack_from("<I", bad, pos)
    assert count > 0, "the test artifact is built for a CPU with features"
    (n,) = struct.unpack_from("<I", bad, pos + 4)
    bad[pos + 8: pos + 8 + n] = b"z" * n


forge("offset", past_arena)
forge("feature", unknown_feature)
forge("undersized", undersized)

rng = np.random.default_rng(0)
np.save(f"{prefix}.good.npy", rng.standard_normal((4, 8)).astype(np.float32))
np.save(f"{prefix}.shape.npy", np.zeros((4, 7), np.float32))
np.save(f"{prefix}.dtype.npy", np.zeros((4, 8), np.int32))
np.save(f"{prefix}.f64.npy", np.zeros((4, 8), np.float64))
np.save(f"{prefix}.u16.npy", np.zeros((4, 8), np.uint16))
np.save(f"{prefix}.fortran.npy", np.asfortranarray(np.zeros((4, 8), np.float32)))
open(f"{prefix}.notnpy.npy", "wb").write(b"definitely not numpy")
