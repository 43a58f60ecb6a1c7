#!/bin/sh
# t_plot.sh -- 'hetsim plot DB KIND': every kind drawn by gnuplot to PNG
# (1280x800), SVG and PDF from runs of tests/data/run/tiny.yaml (and a
# split run with a KV link, and 'hetsim oicf --db' points); titles naming
# model, hardware and run; --script DIR (plot.gp and its data, which
# gnuplot draws by itself); the sweep kind from a sweep_points table
# (one line per --by value) and across runs without it; the timeline's
# busy fraction adding up to instances.busy_s; a timeline of 12 and of 11
# instances (a line per group, the SQL aggregate of its rows) and
# --instance (those lines, at most 8, an unknown one exit 2); and the errors (missing
# or foreign file, unknown run, kind or metric, bad -o, gnuplot missing:
# exit 2 or 1, nothing written).  Needs gnuplot (scripts/install-deps.sh).
set -u
: "${HETSIM:?HETSIM must name the hetsim binary}"
. tests/cli/lib.sh
db=$tmp/r.db

command -v gnuplot >/dev/null 2>&1 ||
    die "gnuplot is not installed (scripts/install-deps.sh installs gnuplot-nox)"

expect 0 "$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet
expect 0 "$HETSIM" run tests/data/run/tiny.yaml -o "$db" --quiet \
    --set cluster.instances.0.count=2
expect 0 "$HETSIM" run tests/data/run/split.yaml -o "$db" --quiet
expect 0 "$HETSIM" oicf --model llama-3-8b --hardware h100-sxm,mi300x \
    --batch 1,16,256 --context 1024,8000 --db "$db"

# ---- every kind, PNG at 1280x800 ------------------------------------------
png_size() { # width and height from the IHDR chunk
    od -An -tu1 -j16 -N8 "$1" |
        awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }'
}
for k in oicf roofline cdf timeline sweep pareto; do
    expect 0 "$HETSIM" plot "$db" "$k" -o "$tmp/$k.png"
    grep -q "^wrote $tmp/$k.png\$" "$tmp/out" || die "$k: no 'wrote' line"
    [ "$(od -An -c -N4 "$tmp/$k.png" | tr -d ' ')" = '211PNG' ] ||
        die "$k: not a PNG"
    [ "$(png_size "$tmp/$k.png")" = 1280x800 ] ||
        die "$k: size $(png_size "$tmp/$k.png")"
    [ "$(wc -c <"$tmp/$k.png")" -gt 20000 ] || die "$k: a near-empty PNG"
done
ls "$tmp" | grep -q 'tmp[0-9]' && die "a temporary file was left behind"
# the default name is KIND.png in the working directory
(cd "$tmp" && "$HETSIM" plot r.db cdf >/dev/null 2>&1) || die "default -o"
[ -s "$tmp/cdf.png" ] || die "no cdf.png by default"

# ---- SVG and PDF ------------------------------------------------------------
expect 0 "$HETSIM" plot "$db" roofline -o "$tmp/r.svg"
grep -q '<svg' "$tmp/r.svg" || die "not an SVG"
expect 0 "$HETSIM" plot "$db" oicf -o "$tmp/r.pdf"
[ "$(head -c 4 "$tmp/r.pdf")" = '%PDF' ] || die "not a PDF"

# ---- --script DIR: the script and its data, drawn by gnuplot alone ----------
expect 0 "$HETSIM" plot "$db" oicf --run 1 --run 4 -o o.png --script "$tmp/s"
[ -s "$tmp/s/plot.gp" ] || die "no plot.gp"
ls "$tmp/s"/*.dat >/dev/null 2>&1 || die "no data files"
grep -q "pts_0_prefill.dat" "$tmp/s/plot.gp" || die "data not named"
[ ! -e "$tmp/s/o.png" ] || die "--script drew the plot"
(cd "$tmp/s" && gnuplot plot.gp) || die "gnuplot plot.gp failed"
[ -s "$tmp/s/o.png" ] || die "plot.gp did not write o.png"
# titles name the model, the hardware and the runs; axes have units
grep -q 'OI–CF plane: llama-3-8b on 1× h100; llama-3-8b on h100-sxm,mi300x\\nruns 1 tiny, 4 oicf' \
    "$tmp/s/plot.gp" || die "oicf title: $(grep 'set title' "$tmp/s/plot.gp")"
grep -q "set xlabel 'operational intensity (FLOP/byte, log scale)'" \
    "$tmp/s/plot.gp" || die "oicf x label"
grep -q "set ylabel 'capacity footprint / instance memory (fraction)'" \
    "$tmp/s/plot.gp" || die "oicf y label"
grep -q 'h100, h100-sxm ridge 295 FLOP/byte' "$tmp/s/plot.gp" ||
    die "h100 ridge (one line for the run's h100 and the points' h100-sxm)"
grep -q 'mi300x ridge' "$tmp/s/plot.gp" || die "mi300x ridge (oicf points)"
expect 0 "$HETSIM" plot "$db" timeline --run split --script "$tmp/t"
grep -q 'Timeline: llama-3-8b on 2× h100 + 2× small\\nrun 3 split' \
    "$tmp/t/plot.gp" || die "timeline title"
[ -s "$tmp/t/link_0.dat" ] || die "timeline: no link series"
grep -q "link utilisation" "$tmp/t/plot.gp" || die "timeline: no link panel"
# the link line, averaged over the run, is the link's utilisation metric
cap=$(sed -n "s/.*'link_0.dat' using 1:(\$2 \/ \([0-9.e+]*\)).*/\1/p" "$tmp/t/plot.gp")
util=$(sqlite3 "$db" "SELECT value FROM metrics WHERE run_id = 3 AND
      name = 'utilisation' AND scope = 'fabric'")
sim=$(sqlite3 "$db" "SELECT sim_s FROM runs WHERE run_id = 3")
bucket=$(sed -n "s/.*each \([0-9.e+]*\) s, .*/\1/p" "$tmp/t/plot.gp")
awk -F'\t' -v cap="$cap" -v u="$util" -v sim="$sim" -v b="$bucket" \
    '{ s += $2 * b } END { m = s / cap / sim; d = m - u
       exit !(d < 0.01 * u && d > -0.01 * u) }' "$tmp/t/link_0.dat" ||
    die "link utilisation line (capacity $cap) against the metric $util"
# the KV occupancy never exceeds the capacity, busy fractions within [0, 1]
awk -F'\t' '$2 > 1 || $2 < 0 || $3 > 1 { exit 1 }' "$tmp/t"/ts_*.dat ||
    die "timeline values out of range"

# ---- timeline of many instances: a line per group, or --instance ----------
db12=$tmp/many.db
expect 0 "$HETSIM" run tests/data/run/tiny.yaml -o "$db12" --quiet \
    --set cluster.instances.0.count=12
expect 0 "$HETSIM" run tests/data/run/split.yaml -o "$db12" --quiet \
    --set cluster.prefill.count=5 --set cluster.decode.count=6
expect 0 "$HETSIM" plot "$db12" timeline --run 1 --script "$tmp/m"
grep -q '(12 instances, a line per group: mean busy, total KV, total queue)' \
    "$tmp/m/plot.gp" || die "12 instances: the title does not say so"
[ -s "$tmp/m/ts_0.dat" ] && [ ! -e "$tmp/m/ts_1.dat" ] ||
    die "12 instances of one group: not one line"
grep -q '"mono (12)"' "$tmp/m/plot.gp" || die "12 instances: the group's key"
# the group's line is the SQL aggregate of its instances' rows, sample by
# sample: mean busy fraction, total KV over total capacity, total queue
sqlite3 -separator '	' "$db12" "SELECT t_s, avg(busy_frac),
    sum(kv_used_bytes) / nullif(sum(kv_capacity_bytes), 0), sum(queue_len)
    FROM timeseries WHERE run_id = 1 GROUP BY t_s ORDER BY t_s" >"$tmp/m/want"
[ "$(wc -l <"$tmp/m/want")" -gt 2 ] || die "12 instances: too few samples"
cmp -s "$tmp/m/want" "$tmp/m/ts_0.dat" ||
    die "12 instances: the line is not the aggregate: $(diff "$tmp/m/want" "$tmp/m/ts_0.dat" | head -3)"
expect 0 "$HETSIM" plot "$db12" timeline --run 2 --script "$tmp/m2"
grep -q '"prefill (5)"' "$tmp/m2/plot.gp" && grep -q '"decode (6)"' \
    "$tmp/m2/plot.gp" || die "split, 11 instances: not a line per pool"
expect 0 "$HETSIM" plot "$db12" timeline --run 1 --instance mono.3 \
    --instance mono.11 --script "$tmp/m3"
grep -q '(2 of 12 instances)' "$tmp/m3/plot.gp" || die "--instance: title"
grep -q '"mono.11"' "$tmp/m3/plot.gp" || die "--instance: key"
sqlite3 -separator '	' "$db12" "SELECT t_s, busy_frac, kv_used_bytes * 1.0 /
    kv_capacity_bytes, queue_len FROM timeseries WHERE run_id = 1 AND
    instance = 'mono.11' ORDER BY t_s" >"$tmp/m3/want"
cmp -s "$tmp/m3/want" "$tmp/m3/ts_1.dat" || die "--instance mono.11: its rows"
expect 0 "$HETSIM" plot "$db12" timeline --run 1 --instance mono.0 \
    -o "$tmp/m.png"
expect 2 "$HETSIM" plot "$db12" timeline --run 1 --instance mono.12 \
    -o "$tmp/e.png"
grep -q "run 1 tiny has no instance 'mono.12'" "$tmp/err" ||
    die "unknown --instance message"
expect 2 "$HETSIM" plot "$db12" timeline --run 1 --instance mono.0 \
    --instance mono.1 --instance mono.2 --instance mono.3 --instance mono.4 \
    --instance mono.5 --instance mono.6 --instance mono.7 --instance mono.8 \
    -o "$tmp/e.png"
grep -q -- '--instance: at most 8 instances, 9 given' "$tmp/err" ||
    die "nine --instance message"

# ---- busy_frac, weighted by the gap to the previous row, is busy_s ----------
bad=$(sqlite3 "$db" "SELECT count(*) FROM (SELECT t.run_id, t.instance,
      sum(t.busy_frac * (t.t_s - coalesce(t.prev, 0))) AS b, i.busy_s
      FROM (SELECT *, lag(t_s) OVER (PARTITION BY run_id, instance
            ORDER BY t_s) AS prev FROM timeseries) t
      JOIN instances i USING (run_id, instance) GROUP BY 1, 2)
      WHERE abs(b - busy_s) > 1e-6 * (1 + busy_s)")
[ "$bad" = 0 ] || die "busy_frac does not add up to busy_s ($bad instances)"

# ---- sweep: across runs, then from sweep_points rows ------------------------
expect 0 "$HETSIM" plot "$db" sweep --y throughput_tok_s --script "$tmp/w"
[ "$(wc -l <"$tmp/w/sweep.dat")" -eq 3 ] || die "sweep across runs: rows"
grep -q 'xtic(3)' "$tmp/w/plot.gp" || die "sweep: runs not named"
cp "$db" "$tmp/sw.db"
sqlite3 "$tmp/sw.db" "INSERT INTO sweep_points (run_id, path, value) VALUES (1, 'rate', '20'),
    (1, 'tp', '1'), (2, 'rate', '40/s'), (2, 'tp', '1'), (3, 'rate', '20'),
    (3, 'tp', '2')"
expect 0 "$HETSIM" plot "$tmp/sw.db" sweep --x rate --by tp --y e2e_p99_s \
    --script "$tmp/w2"
[ "$(wc -l <"$tmp/w2/sweep_0.dat")" -eq 2 ] || die "sweep tp=1: 2 points"
[ "$(wc -l <"$tmp/w2/sweep_1.dat")" -eq 1 ] || die "sweep tp=2: 1 point"
grep -q '"tp = 1"' "$tmp/w2/plot.gp" || die "sweep: --by not named"
grep -q '^set xlabel "rate (/s)"' "$tmp/w2/plot.gp" || die "sweep: x unit"
grep -q '^40	' "$tmp/w2/sweep_0.dat" || die "sweep: 40/s read as 40"
expect 0 "$HETSIM" plot "$tmp/sw.db" sweep --x rate --by tp -o "$tmp/w2.png"
expect 0 "$HETSIM" plot "$db" pareto --x e2e_p99_s --y throughput_tok_s \
    --script "$tmp/p"
grep -q 'higher is better' "$tmp/p/plot.gp" || die "pareto direction"

# ---- errors: exit 2 (1 without gnuplot), nothing written -------------------
expect 2 "$HETSIM" plot "$tmp/none.db" cdf -o "$tmp/e.png"
grep -q 'none.db: error: no such file' "$tmp/err" || die "missing file"
echo "not a database" >"$tmp/text.db"
expect 2 "$HETSIM" plot "$tmp/text.db" cdf -o "$tmp/e.png"
sqlite3 "$tmp/foreign.db" "CREATE TABLE t (x)"
expect 2 "$HETSIM" plot "$tmp/foreign.db" cdf -o "$tmp/e.png"
grep -q 'not a hetsim results database' "$tmp/err" || die "foreign file"
expect 2 "$HETSIM" plot "$db" cdf --run 99 -o "$tmp/e.png"
grep -q "no run '99'" "$tmp/err" || die "unknown run message"
expect 2 "$HETSIM" plot "$db" histogram -o "$tmp/e.png"
grep -q "unknown plot kind 'histogram' (expected one of oicf, roofline" \
    "$tmp/err" || die "unknown kind message"
expect 2 "$HETSIM" plot "$db" cdf -o "$tmp/e.gif"
expect 2 "$HETSIM" plot "$db" sweep --y nothing -o "$tmp/e.png"
grep -q "unknown metric 'nothing'" "$tmp/err" || die "unknown metric"
expect 2 "$HETSIM" plot "$db" sweep --x rate -o "$tmp/e.png"
grep -q 'no sweep points' "$tmp/err" || die "no sweep points"
expect 2 "$HETSIM" plot "$db"
HETSIM_GNUPLOT=/nonexistent/gnuplot expect 1 "$HETSIM" plot "$db" cdf \
    -o "$tmp/e.png"
grep -q 'not found: install gnuplot' "$tmp/err" || die "gnuplot missing"
[ ! -e "$tmp/e.png" ] || die "a failed plot left e.png"
ls "$tmp" | grep -q 'tmp[0-9]' && die "a failed plot left a temporary file"
exit 0
