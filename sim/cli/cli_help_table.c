/*
 * cli_help_table.c -- the table of hetsim's commands and options
 * (cli_help.h): the single place a command's synopsis, options and their
 * one-line help are written.  The parsers accept exactly these options;
 * --help, 'hetsim help', the man page (docs/hetsim.1) print them.
 */
#include "cli_help.h"

#include <string.h>

static const cli_opt run_opts[] = {
    {"-o", NULL, "DB",
     "results database (default: the scenario's output.db, else "
     "results/NAME.db)"},
    {"--seed", NULL, "N", "random seed, replacing the scenario's seed"},
    {"--set", NULL, "PATH=VALUE",
     "override one scenario key, e.g. --set cluster.instances=8 "
     "(repeatable)"},
    {"--variant", NULL, "NAME",
     "run only this variant (default: the base, then every variant)"},
    {"--quiet", "-q", NULL, "print no progress line and no summary tables"},
    {"--no-fast-forward", NULL, NULL,
     "simulate every decode step one by one (slower; same results)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt calibrate_opts[] = {
    {"--data", NULL, "DIR",
     "the measured tables (default ../shared/data: aiconfigurator/, "
     "vidur/)"},
    {"--device", NULL, "NAME",
     "calibrate one device: h100-sxm, h200 or b200 (default: all)"},
    {"--out", NULL, "DIR",
     "write DIR/NAME.yaml (default: the catalog's calibration/)"},
    {"--residuals", NULL, "FILE",
     "append every fitted row with its prediction to a CSV file"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt check_opts[] = {
    {"--set", NULL, "PATH=VALUE",
     "override one scenario key before checking (repeatable)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt oicf_opts[] = {
    {"--model", NULL, "M",
     "a models catalog name (hetsim list models) or a model file path"},
    {"--hardware", NULL, "H[,H...]",
     "hardware catalog names; several give a side-by-side table"},
    {"--phase", NULL, "P[,P...]", "prefill or decode (default decode)"},
    {"--prompt", NULL, "N[,N...]",
     "prefill chunk tokens per sequence (default 4096)"},
    {"--context", NULL, "N[,N...]",
     "cached tokens per sequence (default 4096 decode, 0 prefill)"},
    {"--batch", NULL, "B[,B...]", "sequences in the step (default 1)"},
    {"--tp", NULL, "N[,N...]",
     "tensor-parallel devices per instance (default 1)"},
    {"--weights", NULL, "FMT",
     "weight format: fp32, bf16, fp16, fp8, int8, int4, fp4 (default "
     "bf16)"},
    {"--kv", NULL, "FMT", "KV-cache format (default bf16)"},
    {"--act", NULL, "FMT", "activation format (default bf16)"},
    {"--full-attention", NULL, NULL,
     "count every score pair, not the causal half"},
    {"--beyond-context", NULL, NULL,
     "allow points past the model's max_context (refused otherwise)"},
    {"--label", NULL, "TEXT", "label every point (a column in the output)"},
    {"--ops", NULL, NULL, "print each point's per-operator breakdown"},
    {"--format", NULL, "F", "table, csv or json (default table)"},
    {"--db", NULL, "DB", "also append the points to this results database"},
    {"--scenario", NULL, "FILE",
     "take the points from a file (configs/examples/paper-oicf.yaml) "
     "instead of --model and --hardware"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt report_opts[] = {
    {"--run", NULL, "ID|NAME[/VARIANT]",
     "show this run: a run_id, or the latest run of a scenario (variant); "
     "repeatable; after a DB it selects in that DB, before every DB in "
     "each"},
    {"--format", NULL, "F", "table, csv or json (default table)"},
    {"--allow-incomplete", NULL, NULL,
     "exit 0 even when a run shown is not done (default: exit status 3)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt no_opts[] = {
    {NULL, NULL, NULL, NULL},
};

static const cli_doc docs[] = {
    {"run", "SCENARIO.yaml", "simulate a scenario into a SQLite database",
     "Runs the base scenario, then each of its variants, each its own run "
     "in one database, and prints a summary table per run.  Every run is "
     "checked before the database is opened.  While a run goes, stderr "
     "shows the simulated time, the requests done and an estimated time "
     "left: a line kept up to date on a terminal, a line every few "
     "seconds otherwise.  SIGINT stops the run after its current event "
     "and records it as interrupted.",
     run_opts, false},
    {"check", "SCENARIO.yaml",
     "validate a scenario and its variants without running them",
     "Runs the validation 'run' does before its first simulated event: "
     "the scenario and each variant, the simulation built (a model that "
     "leaves no room for KV fails here), every trace read once.  Prints "
     "ok, or every problem as file:line:col: error: ... (exit 2).",
     check_opts, false},
    {"oicf", "",
     "operational intensity and capacity footprint of analytic points",
     "Evaluates one point per combination of the list options (a uniform "
     "batch of prefills or decodes) with the cost model: FLOPs, bytes, "
     "OI against the ridge point, capacity footprint against the memory, "
     "step time and bound, and why it is bound (OI against the ridge the "
     "device's efficiencies give).  A context beyond the model's "
     "max_context is refused (exit 2) unless --beyond-context.",
     oicf_opts, false},
    {"report", "DB...", "the runs of results databases side by side",
     "Shows every run of each database (oicf invocations excepted), or "
     "the runs --run names, one column per run, from the runs table, the "
     "run-scope metrics and the per-pool, per-link and per-memory-pool "
     "metrics; with several databases each run is named by its file.  "
     "Every database is read before anything is printed: an unknown run "
     "or a missing file prints nothing (exit 2).  A run that is not done "
     "(running, failed, interrupted) gets a note under the table, and "
     "the exit status is 3 unless --allow-incomplete.",
     report_opts, false},
    {"list", "models|hardware|links|presets", "print one catalog as a table",
     "The catalog is $HETSIM_CATALOG, else configs/ beside the binary, "
     "else the installed copy.",
     no_opts, false},
    {"calibrate", "",
     "fit per-device kernel efficiency curves to measured kernel tables",
     "For each device with measured kernel tables (H100: GEMM, attention, "
     "MoE, elementwise and all-reduce; H200 and B200: attention, the rest "
     "borrowed from H100), fits each operator class's efficiency curve "
     "with GSL's nonlinear least squares on four fifths of the rows, "
     "prints the |error| on those and on the fifth held out, and writes "
     "the calibration file a hardware entry names with 'calibration:' "
     "(docs/calibration.md).  A malformed table is reported at its "
     "file:line (exit 2).",
     calibrate_opts, false},
    {"help", "[COMMAND]", "the commands, or one command's options",
     "The same as 'hetsim COMMAND --help'.", no_opts, false},
    {"schema-doc", "", "print the generated part of docs/schema.md",
     "Used by make schema-doc.", no_opts, true},
    {"man", "", "print the man page (roff)",
     "Used by make man to write docs/hetsim.1.", no_opts, true},
};

const cli_doc *cli_docs(size_t *n)
{
    *n = sizeof docs / sizeof docs[0];
    return docs;
}

const cli_doc *cli_doc_find(const char *name)
{
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (strcmp(docs[i].name, name) == 0)
            return &docs[i];
    return NULL;
}
