/*
 * fuzz_common.c -- helpers shared by the harnesses (fuzz_common.h).
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hetsim/util.h"

const char *fz_root(void)
{
    const char *r = getenv("HS_FUZZ_ROOT");

    return r != NULL && *r != '\0' ? r : ".";
}

const char *fz_path(const char *rel)
{
    static char buf[4096];

    snprintf(buf, sizeof buf, "%s/%s", fz_root(), rel);
    return buf;
}

char *fz_cstr(const uint8_t *data, size_t size)
{
    char *s = hs_malloc(size + 1);

    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static char scratch_path[4096];

static void scratch_remove(void)
{
    if (scratch_path[0] != '\0')
        unlink(scratch_path);
}

const char *fz_scratch(const uint8_t *data, size_t size)
{
    FILE *fp;

    if (scratch_path[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        int fd;

        /* A file on disk costs a write to the disk per input (thirty
         * times slower on a busy machine): memory when there is some. */
        if (tmp == NULL || *tmp == '\0')
            tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(scratch_path, sizeof scratch_path, "%s/hetsim-fuzz-XXXXXX",
                 tmp);
        fd = mkstemp(scratch_path);
        HS_ASSERT(fd >= 0);
        close(fd);
        atexit(scratch_remove);
    }
    fp = fopen(scratch_path, "wb");
    HS_ASSERT(fp != NULL);
    HS_ASSERT(size == 0 || fwrite(data, 1, size, fp) == size);
    HS_ASSERT(fclose(fp) == 0);
    return scratch_path;
}
