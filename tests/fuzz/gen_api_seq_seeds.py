#!/usr/bin/env python3
"""Write the seed corpus of the api_seq fuzzer (corpus/api_seq/), deterministically.

Each seed starts by registering the four entity identities (op 0 = RtmRegisterEntity,
then the slot and opaque bytes), adds next hops and routes so that the store is not
empty, then continues with bytes from a fixed-seed generator, which api_seq.c decodes
into calls of every kind. Op numbers are indices into ops[] in api_seq.c; a change of
that table only changes which calls these bytes mean, not whether they are valid.

    python3 gen_api_seq_seeds.py [OUTDIR]
"""
import os
import random
import sys

OP_REGISTER, OP_ADD_NH, OP_ADD_ROUTE = 0, 3, 7
N_OPS = 34

def prologue(rng):
    b = bytearray()
    for slot in range(4):
        b += bytes([OP_REGISTER, slot, rng.randrange(2)])
    for _ in range(6):  # next hops: caller (valid pick), key, mode 1, flags
        b += bytes([OP_ADD_NH, 0, rng.randrange(256), rng.randrange(4), 1, 0, rng.randrange(4)])
    return b

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "api_seq")
    os.makedirs(out, exist_ok=True)
    for i in range(24):
        rng = random.Random(1000 + i)
        b = prologue(rng) if i % 4 else bytearray()
        length = [64, 256, 1024, 2048][i % 4]
        # Bias the op bytes toward the op i focuses on, so every op leads some seed.
        focus = i % N_OPS
        while len(b) < length:
            if rng.randrange(3) == 0:
                b.append(focus)
            b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12)))
        with open(os.path.join(out, "seed-%02d" % i), "wb") as f:
            f.write(bytes(b[:length]))

if __name__ == "__main__":
    main()
