/*
 * fuzz_scenario.c -- libFuzzer harness for the scenario loader: the input
 * is a scenario file's text (io_scenario_load_opts with opts.text; YAML
 * parsing, aliases, includes of catalog entries and presets, binding and
 * validation; sim/io/).
 *
 * It is loaded as if it were configs/examples/fuzz.yaml, with the bundled
 * catalog (configs/), so relative trace paths resolve as the examples'
 * do; traces are not read by the loader (fuzz_trace_*.c cover them).
 * Each variant the text defines is loaded too.  Checked: the status is
 * one the contract allows, a failure leaves no scenario and says why, a
 * success reports no error.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hetsim/io.h"
#include "hetsim/scenario.h"
#include "hetsim/util.h"

static void load(const char *text, const char *variant)
{
    io_scenario_opts o;
    sc_scenario *sc = NULL;
    hs_diag *d = hs_diag_new();
    char *path = hs_strdup(fz_path("configs/examples/fuzz.yaml"));
    char *cat = hs_strdup(fz_path("configs"));
    int rc;

    memset(&o, 0, sizeof o);
    o.text = text;
    o.catalog_dir = cat;
    o.variant = variant;
    rc = io_scenario_load_opts(path, &o, &sc, d);
    HS_ASSERT(rc == HS_OK || rc == HS_EINPUT || rc == HS_EIO);
    if (rc == HS_OK) {
        HS_ASSERT(sc != NULL);
    } else {
        HS_ASSERT(sc == NULL);
        HS_ASSERT(hs_diag_count(d) > 0);
    }
    sc_scenario_free(sc);
    hs_diag_free(d);
    free(path);
    free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_cstr(data, size);
    char **names = NULL;
    size_t n = 0;
    hs_diag *d = hs_diag_new();

    load(text, NULL);
    if (io_scenario_variant_names("fuzz.yaml", text, &names, &n, d) == HS_OK)
        for (size_t i = 0; i < n && i < 4; i++)
            load(text, names[i]);
    io_names_free(names, n);
    hs_diag_free(d);
    free(text);
    return 0;
}
