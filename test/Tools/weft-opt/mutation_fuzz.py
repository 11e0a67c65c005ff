# RUN: %PYTHON %s --weft-opt weft-opt --corpus %S/../../Dialect --seed 1 --mutants 600
# RUN: %PYTHON %s --weft-opt weft-opt --corpus %S/../../Dialect/Dist --seed 2 --mutants 300 --passes "--dist-auto-shard --dist-partition --dist-specialize"
# RUN: %PYTHON %s --weft-opt weft-opt --corpus %S/../../Dialect/Weft --seed 3 --mutants 1000 --passes "--weft-autodiff --weft-optimizer --canonicalize"
#
# Robustness: weft-opt must answer any input, however malformed, with a
# diagnostic and exit code 0 or 1 -- never a crash, hang or assertion. This
# mutates every test input of the dialects (numbers replaced by edge values,
# tokens dropped or swapped, lines duplicated, files truncated) and runs the
# parser, verifier and canonicalizer on the mutants (or, with --passes, the
# given pass pipeline: the sharding passes on the dist tests, autodiff and
# the optimizer on the weft tests).
import argparse
import pathlib
import random
import re
import subprocess
import sys
import tempfile

EDGE_INTS = ["-1", "0", "1", "2", "3", "7", "64", "-9223372036854775808",
             "9223372036854775807", "4294967296", "1000000007"]
EDGE_TYPES = ["f32", "f64", "i1", "i8", "index", "bf16", "tensor<?xf32>",
              "tensor<0xf32>", "tensor<f32>", "memref<4xf32>", "i32", "none"]


def cases(corpus):
    for path in sorted(pathlib.Path(corpus).rglob("*.mlir")):
        for case in path.read_text().split("// -----"):
            # Drop expected-* annotations: they only matter to
            # -verify-diagnostics.
            case = "\n".join(l for l in case.splitlines()
                             if "expected-" not in l and ("RUN" + ":") not in l)
            if case.strip():
                yield case


def mutate(rng, text):
    kind = rng.randrange(6)
    if kind == 0:  # replace one integer
        nums = list(re.finditer(r"(?<![\w.#%@])-?\d+(?![\w.])", text))
        if nums:
            m = rng.choice(nums)
            return text[:m.start()] + rng.choice(EDGE_INTS) + text[m.end():]
    if kind == 1:  # replace one dimension or element type in a tensor type
        types = list(re.finditer(r"tensor<[^<>]*>", text))
        if types:
            m = rng.choice(types)
            return text[:m.start()] + rng.choice(EDGE_TYPES) + text[m.end():]
    if kind == 2:  # drop one token
        toks = list(re.finditer(r"\S+", text))
        if toks:
            m = rng.choice(toks)
            return text[:m.start()] + text[m.end():]
    if kind == 3:  # duplicate or drop a line
        lines = text.splitlines()
        if lines:
            i = rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines.insert(i, lines[i])
            else:
                del lines[i]
            return "\n".join(lines)
    if kind == 4:  # swap two tokens
        toks = list(re.finditer(r"[\w%@#.\-]+", text))
        if len(toks) > 1:
            a, b = sorted(rng.sample(toks, 2), key=lambda m: m.start())
            return (text[:a.start()] + b.group() + text[a.end():b.start()] +
                    a.group() + text[b.end():])
    # truncate
    return text[:rng.randrange(len(text) + 1)]


def run(weft_opt, text, extra):
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(text)
        f.flush()
        try:
            p = subprocess.run([weft_opt, f.name, "--split-input-file"] + extra,
                               capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "hang (60 s)"
    if p.returncode not in (0, 1):
        return f"exit code {p.returncode}\n{p.stderr[-2000:]}"
    for marker in ("Stack dump", "PLEASE submit a bug report", "Assertion"):
        if marker in p.stderr:
            return f"'{marker}' in output\n{p.stderr[-2000:]}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weft-opt", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mutants", type=int, default=600)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--passes", default="",
                    help="run these weft-opt flags on every mutant instead "
                         "of parse and canonicalize")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    corpus = list(cases(args.corpus))
    assert corpus, "empty corpus"
    mutants = []
    for _ in range(args.mutants):
        text = rng.choice(corpus)
        for _ in range(rng.randint(1, 3)):
            text = mutate(rng, text)
        mutants.append(text)

    failures = 0
    for start in range(0, len(mutants), args.batch):
        batch = mutants[start:start + args.batch]
        runs = [args.passes.split()] if args.passes else [[], ["--canonicalize"]]
        for extra in runs:
            if run(args.weft_opt, "\n// -----\n".join(batch), extra) is None:
                continue
            # Something in the batch broke weft-opt: find and show each one.
            for i, text in enumerate(batch):
                err = run(args.weft_opt, text, extra)
                if err:
                    failures += 1
                    print(f"mutant {start + i} ({' '.join(extra) or 'parse'}):"
                          f" {err}\n--- input ---\n{text}\n")
    print(f"{len(mutants)} mutants of {len(corpus)} cases, "
          f"{failures} crashed")
    # CHECK-style summary for lit logs; non-zero exit fails the test.
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
