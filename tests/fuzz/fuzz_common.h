/*
 * fuzz_common.h -- what the libFuzzer harnesses of tests/fuzz/ share: the
 * repository root they read the catalogs and base scenario from, and a
 * scratch file the trace harnesses write each input to (the readers take
 * a path, as a run gives them).
 *
 * Harnesses are built by 'make fuzz' (clang, -fsanitize=fuzzer,address,
 * undefined) and run from the repository root; HS_FUZZ_ROOT overrides it.
 * Each harness returns 0 whatever the input: a finding is a crash, a
 * sanitizer report, a leak, a timeout, or a broken invariant reported
 * through HS_ASSERT (abort).
 */
#ifndef HETSIM_FUZZ_COMMON_H
#define HETSIM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The repository root: $HS_FUZZ_ROOT, or "." (make fuzz runs there). */
const char *fz_root(void);

/* "ROOT/rel" in a static buffer (overwritten by the next call). */
const char *fz_path(const char *rel);

/* A copy of data[0..size) with a NUL after it (free it). */
char *fz_cstr(const uint8_t *data, size_t size);

/* Write data[0..size) to this process's scratch file (created once under
 * $TMPDIR, else /dev/shm, else /tmp; removed at exit) and return its path. */
const char *fz_scratch(const uint8_t *data, size_t size);

#endif /* HETSIM_FUZZ_COMMON_H */
