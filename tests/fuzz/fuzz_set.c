/*
 * fuzz_set.c -- libFuzzer harness for command-line overrides
 * ('--set PATH=VALUE', sim/io/io_set.c): each line of the input (at most
 * eight) is one override, applied in order to the bundled example
 * configs/examples/quickstart.yaml, then the scenario is bound and
 * validated as 'hetsim check' loads it.  Checked as in fuzz_scenario.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hetsim/io.h"
#include "hetsim/scenario.h"
#include "hetsim/util.h"

#define MAX_OVR 8

/* Split 'text' in place at newlines into at most MAX_OVR overrides. */
static size_t split_lines(char *text, io_override *ovr)
{
    size_t n = 0;
    char *p = text;

    while (n < MAX_OVR) {
        char *nl = strchr(p, '\n');

        ovr[n++].arg = p;
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_cstr(data, size);
    char *path = hs_strdup(fz_path("configs/examples/quickstart.yaml"));
    char *cat = hs_strdup(fz_path("configs"));
    io_override ovr[MAX_OVR];
    io_scenario_opts o;
    sc_scenario *sc = NULL;
    hs_diag *d = hs_diag_new();
    int rc;

    memset(&o, 0, sizeof o);
    o.ovr = ovr;
    o.n_ovr = split_lines(text, ovr);
    o.catalog_dir = cat;
    rc = io_scenario_load_opts(path, &o, &sc, d);
    HS_ASSERT(rc == HS_OK || rc == HS_EINPUT || rc == HS_EIO);
    HS_ASSERT((rc == HS_OK) == (sc != NULL));
    HS_ASSERT(rc == HS_OK || hs_diag_count(d) > 0);
    sc_scenario_free(sc);
    hs_diag_free(d);
    free(path);
    free(cat);
    free(text);
    return 0;
}
