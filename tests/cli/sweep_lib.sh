# sweep_lib.sh -- sourced by t_sweep.sh, t_search.sh and t_mpi.sh:
# sweep_rows DB prints every row of every table of a results file keyed
# by its run's point (seed and sorted sweep_points) instead of its
# run_id, in (point, rowid) order, REALs with every digit (.mode quote),
# leaving out the runs columns that describe the process (run_id,
# started_at, wall_s, writer_host, writer_pid).  Two files with the same
# points give the same text when their result rows are identical.
sweep_rows() {
    key="WITH k AS (SELECT r.run_id, r.seed || '|' || coalesce((SELECT
        group_concat(path || '=' || value, ';') FROM (SELECT path, value
        FROM sweep_points s WHERE s.run_id = r.run_id ORDER BY path)), '')
        AS point FROM runs r)"
    for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type =
            'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
        if [ "$t" = runs ]; then
            cols="name, variant, scenario_path, scenario_yaml, seed,
                  version, sim_s, events, status, message"
        else
            cols=$(sqlite3 "$1" "SELECT group_concat('t.' || name, ', ')
                FROM pragma_table_info('$t') WHERE name != 'run_id'")
        fi
        sqlite3 -cmd ".mode quote" "$1" "$key SELECT '$t', k.point, $cols
            FROM $t t JOIN k USING (run_id) ORDER BY k.point, t.rowid"
    done
}
