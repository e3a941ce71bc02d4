/*
 * fuzz_target.h - the one entry point every fuzz target defines.
 *
 * Each target is linked twice: with libFuzzer (-fsanitize=fuzzer, which
 * supplies main) when the build has RTM_FUZZ=ON, and with replay.c, a plain
 * main that feeds it every file of a corpus so that CTest runs the corpus in
 * every build (sanitizers included) without a fuzzing engine.
 *
 * A target returns 0 and aborts (abort()) on any finding that the sanitizers
 * would not catch by themselves: a broken invariant, a disagreement with a
 * reference model.
 */
#ifndef RTM_FUZZ_TARGET_H
#define RTM_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
