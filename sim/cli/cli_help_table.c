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

static const cli_opt list_opts[] = {
    {"--from", NULL, "FILE",
     "with models: read a HuggingFace config.json instead of the catalog "
     "(repeatable)"},
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
    {"--precision", NULL, "P",
     "a precision shorthand as in a scenario: fp8 (W8A8), int8, int4 "
     "(W4A16), nvfp4, mxfp4, bf16, fp16 (the options below override it)"},
    {"--weights", NULL, "FMT",
     "weight format: fp32, bf16, fp16, fp8, int8, int4, fp4, nvfp4, mxfp4 "
     "(default bf16)"},
    {"--kv", NULL, "FMT", "KV-cache format (default bf16)"},
    {"--act", NULL, "FMT",
     "GEMM input format (default bf16; the residual stream stays bf16 "
     "when it is 8-bit)"},
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
    {"--html", NULL, NULL,
     "write one self-contained HTML page (tables, plots as inline SVG, the "
     "SQL behind each table) instead of printing (one DB)"},
    {"-o", NULL, "FILE", "with --html: the page (default report.html)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt plot_opts[] = {
    {"--run", NULL, "ID|NAME[/VARIANT]",
     "plot this run (repeatable; default: every run, timeline the latest)"},
    {"-o", NULL, "FILE", "the picture: .png, .svg or .pdf (default KIND.png)"},
    {"--script", NULL, "DIR",
     "write the gnuplot script (plot.gp) and its data files to DIR "
     "instead of drawing"},
    {"--x", NULL, "PATH|METRIC",
     "sweep: the swept parameter (sweep_points.path); pareto: the x metric "
     "(default ttft_p99_s)"},
    {"--y", NULL, "METRIC",
     "sweep: the metric (default ttft_p99_s); pareto: the y metric "
     "(default tokens_per_usd)"},
    {"--by", NULL, "PATH", "sweep: one line per value of this parameter"},
    {"--instance", NULL, "NAME",
     "timeline: draw this instance (repeatable, at most 8; default: every "
     "instance, or with more than 8 one line per group, aggregated)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt trace_opts[] = {
    {"--run", NULL, "ID|NAME[/VARIANT]",
     "the run (default: the latest run of the file)"},
    {"-o", NULL, "FILE", "write to FILE (default trace.json; - for stdout)"},
    {"--from", NULL, "T", "only what ends at or after T simulated seconds"},
    {"--to", NULL, "T", "only what starts at or before T simulated seconds"},
    {"--max-events", NULL, "N", "stop after N events (the file stays valid)"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt sweep_opts[] = {
    {"-o", NULL, "DB",
     "results database (default: results/NAME.db, NAME the sweep file's)"},
    {"-j", NULL, "N",
     "run points in N worker processes, this one the only writer "
     "(default: the number of processors)"},
    {"--shard", NULL, "I/N",
     "run only share I of N (points I-1, I-1+N, ...), for batch jobs; "
     "then hetsim merge"},
    {"--resume", NULL, NULL, "skip the points DB already holds as done runs"},
    {"--quiet", "-q", NULL, "print no progress line and no summary"},
    {NULL, NULL, NULL, NULL},
};

static const cli_opt search_opts[] = {
    {"-o", NULL, "DB",
     "results database of the simulated candidates (default: "
     "results/NAME.db, NAME the search file's)"},
    {"-j", NULL, "N",
     "simulate candidates in N worker processes (default: the number of "
     "processors)"},
    {"--format", NULL, "F", "table, csv or json (default table)"},
    {"--rate-max", NULL, NULL,
     "find each candidate's highest rate within the SLO (bisection over "
     "the file's rate_max) and rank by goodput per dollar"},
    {"--quiet", "-q", NULL, "print no progress line"},
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
    {"plot", "DB KIND", "draw runs of a results database with gnuplot",
     "KIND is oicf (operational intensity against capacity footprint over "
     "memory, with the ridge point and memory line dividing the "
     "bandwidth-, compute- and capacity-bound regions), roofline "
     "(attained FLOP/s per device against OI under each device's roof), "
     "cdf (TTFT, TPOT and E2E CDFs, runs side by side, SLO lines), "
     "timeline (per instance busy fraction, KV occupancy and queue length, "
     "per link throughput, over simulated time; one run), sweep (a metric "
     "against a sweep_points parameter, one line per --by value; without "
     "--x across the runs, e.g. variants) or pareto (two metrics of every "
     "run and their Pareto front).  gnuplot (Debian gnuplot-nox) draws it, "
     "or $HETSIM_GNUPLOT.  A missing file, a file that is not a results "
     "database, an unknown run, kind or metric: exit 2, nothing written.  "
     "See docs/plots.md.",
     plot_opts, false},
    {"trace", "DB",
     "a run as Chrome trace-event JSON (Perfetto, chrome://tracing)",
     "A process per instance with its steps as slices (batch, tokens, OI, "
     "bound as args), a process per link with its transfers, requests as "
     "async slices (queued, prefill, transfer, decode), counters for KV "
     "use, queue length and busy fraction.  Rows are streamed: memory "
     "does not grow with the run.  See docs/plots.md.",
     trace_opts, false},
    {"sweep", "SWEEP.yaml",
     "run every point of a sweep file into one database",
     "A sweep file names a scenario and values for dotted PATHs (as --set "
     "takes them): grid (every combination), zip (lists advanced "
     "together) and seeds, crossed.  Every point is checked before "
     "anything runs (a bad value is reported where the sweep file wrote "
     "it, exit 2).  Each point is one run; its PATHs and values are its "
     "sweep_points rows, shown by 'hetsim report' as rows (table) or "
     "columns (csv, json).  Across machines: mpirun -np N hetsim-mpi "
     "sweep SWEEP.yaml -o DB (docs/sweep.md).",
     sweep_opts, false},
    {"merge", "OUT.db SHARD.db...", "copy the runs of results files into one",
     "Every run of each SHARD is added to OUT under a new run id, with all "
     "its rows; a done run of a sweep point OUT already holds (same "
     "scenario, seed and parameters) is kept too and reported as a "
     "duplicate.  Every SHARD is checked before OUT is written (exit 2).",
     no_opts, false},
    {"search", "SEARCH.yaml",
     "the cheapest configuration of a space that meets an SLO",
     "Orders the candidates of the search file's space by the objective "
     "(cost, energy or devices), decides those that provably cannot fit "
     "(capacity footprint) or meet the SLO or carry the load (a roofline "
     "lower bound) without simulating them, simulates the rest in order, "
     "and stops when no remaining candidate can beat the best found.  "
     "Prints one row per candidate: feasible ones first, in objective "
     "order (docs/search.md).",
     search_opts, false},
    {"list", "models|hardware|links|presets", "print one catalog as a table",
     "The catalog is $HETSIM_CATALOG, else configs/ beside the binary, "
     "else the installed copy.  'list models --from FILE' reads "
     "HuggingFace config.json files instead and prints their rows the same "
     "way, with a warning for each feature the cost model does not "
     "represent (docs/catalogs.md).",
     list_opts, false},
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
