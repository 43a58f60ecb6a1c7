/*
 * io_log_replay.c -- a run log (io_log.c, which describes the format)
 * applied to a results store: io_store_replay() in store.h.  Apart from
 * the writer so that no file calls back into io_store.c's caller.
 */
#include "io_log_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    FILE *f;
    bool bad;
    char **texts; /* the strings of the record being read */
    size_t n_texts, cap_texts;
    int64_t *from, *to; /* log run id -> store run id */
    size_t n_map, cap_map;
} reader;

static void get(reader *r, void *p, size_t n)
{
    if (n > 0 && fread(p, 1, n, r->f) != n)
        r->bad = true;
}

static char *get_text(reader *r)
{
    uint32_t n = 0;
    char *s;

    get(r, &n, sizeof n);
    if (r->bad || n == UINT32_MAX)
        return NULL;
    s = hs_calloc((size_t)n + 1, 1);
    get(r, s, n);
    hs_grow((void **)&r->texts, &r->cap_texts, r->n_texts + 1,
            sizeof *r->texts);
    r->texts[r->n_texts++] = s;
    return s;
}

static void free_texts(reader *r)
{
    for (size_t i = 0; i < r->n_texts; i++)
        free(r->texts[i]);
    r->n_texts = 0;
}

/* Read a row of table 't' into 'row' (t->size bytes). */
static void get_row(reader *r, const rec_table *t, void *row)
{
    char *base = row;

    for (size_t c = 0; c < t->n_cols && !r->bad; c++) {
        const rec_col *col = &t->cols[c];

        if (io_log_is_text(col->type)) {
            const char *s = get_text(r);

            memcpy(base + col->offset, &s, sizeof s);
        } else {
            get(r, base + col->offset, col->size);
        }
    }
}

static int64_t mapped(const reader *r, int64_t id)
{
    for (size_t i = r->n_map; i-- > 0;)
        if (r->from[i] == id)
            return r->to[i];
    return -1;
}

static void map(reader *r, int64_t from, int64_t to)
{
    size_t cap = r->cap_map;

    hs_grow((void **)&r->from, &r->cap_map, r->n_map + 1, sizeof *r->from);
    hs_grow((void **)&r->to, &cap, r->n_map + 1, sizeof *r->to);
    r->from[r->n_map] = from;
    r->to[r->n_map++] = to;
}

/* Replay one record of tag 'tag'. */
static int replay_one(io_store *s, reader *r, char tag, int64_t *last,
                      hs_diag *d)
{
    int64_t id = 0;
    int rc = HS_OK;

    if (tag == 'R') {
        uint8_t t = 0;
        const rec_table *tab;
        void *row;

        get(r, &t, 1);
        get(r, &id, sizeof id);
        if (r->bad || t == REC_T_runs || t >= REC_N_TABLES ||
            mapped(r, id) < 0)
            return HS_EINPUT;
        tab = rec_table_get((rec_table_id)t);
        row = hs_calloc(1, tab->size);
        get_row(r, tab, row);
        if (!r->bad)
            rc = io_store_add(s, mapped(r, id), (rec_table_id)t, row, d);
        free(row);
    } else if (tag == 'B') {
        rec_run_row info;
        int64_t to = -1;

        memset(&info, 0, sizeof info);
        get(r, &id, sizeof id);
        get_row(r, rec_table_get(REC_T_runs), &info);
        if (!r->bad)
            rc = io_store_begin_run(s, &info, &to, d);
        if (rc == HS_OK && !r->bad) {
            map(r, id, to);
            *last = to;
        }
    } else if (tag == 'E') {
        uint8_t st = 0;
        double wall = 0, sim = 0;
        uint64_t events = 0;
        const char *msg;

        get(r, &id, sizeof id);
        get(r, &st, 1);
        msg = get_text(r);
        get(r, &wall, sizeof wall);
        get(r, &sim, sizeof sim);
        get(r, &events, sizeof events);
        if (r->bad || mapped(r, id) < 0 || st > IO_RUN_INTERRUPTED)
            return HS_EINPUT;
        rc = io_store_end_run_msg(s, mapped(r, id), (io_run_status)st, msg,
                                  wall, sim, events, d);
    } else {
        return HS_EINPUT;
    }
    return r->bad ? HS_EINPUT : rc;
}

int io_store_replay(io_store *s, const char *path, int64_t *last_run,
                    hs_diag *d)
{
    reader r;
    hs_loc at = {path, 0, 0};
    int rc = HS_OK, ch;

    memset(&r, 0, sizeof r);
    *last_run = -1;
    r.f = fopen(path, "rb");
    if (r.f == NULL) {
        hs_diag_error(d, at, "cannot read the run log");
        return HS_EIO;
    }
    while (rc == HS_OK && (ch = fgetc(r.f)) != EOF) {
        rc = replay_one(s, &r, (char)ch, last_run, d);
        free_texts(&r);
    }
    if (rc == HS_EINPUT)
        hs_diag_error(d, at, "a run log cut short or not a run log");
    fclose(r.f);
    free(r.texts);
    free(r.from);
    free(r.to);
    return rc;
}
