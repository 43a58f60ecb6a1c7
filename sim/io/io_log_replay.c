/*
 * io_log_replay.c -- a run log (io_log.c, which describes the format)
 * applied to a results store: io_store_replay() in store.h.  Apart from
 * the writer so that no file calls back into io_store.c's caller.
 */
#include "io_log_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The log is read whole into memory and parsed from there: one read
 * instead of a stdio call per field.  The texts of the record being
 * replayed are copied, NUL-terminated, into 'texts', which is as large
 * as the log (a text's length prefix is longer than its terminator, so
 * the texts of any record fit), and emptied after each record. */
typedef struct reader {
    const char *buf;
    size_t len, pos;
    bool bad;
    char *texts;
    size_t texts_used;
    void *row;          /* the row being replayed: the largest table's size */
    int64_t *from, *to; /* log run id -> store run id */
    size_t n_map, cap_map;
} reader;

static void get(reader *r, void *p, size_t n)
{
    if (r->bad || n > r->len - r->pos) {
        r->bad = true;
        return;
    }
    memcpy(p, r->buf + r->pos, n);
    r->pos += n;
}

static char *get_text(reader *r)
{
    uint32_t n = 0;
    char *s;

    get(r, &n, sizeof n);
    if (r->bad || n == UINT32_MAX)
        return NULL;
    if (n > r->len - r->pos) {
        r->bad = true;
        return NULL;
    }
    s = r->texts + r->texts_used;
    get(r, s, n);
    s[n] = '\0';
    r->texts_used += (size_t)n + 1;
    return s;
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
        row = r->row;
        memset(row, 0, tab->size);
        get_row(r, tab, row);
        if (!r->bad)
            rc = io_store_add(s, mapped(r, id), (rec_table_id)t, row, d);
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

/* The whole file at 'path' in a new buffer, its size in *len; NULL when
 * it cannot be read. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = hs_malloc((size_t)n + 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static size_t largest_row(void)
{
    size_t m = 0;

    for (size_t t = 0; t < REC_N_TABLES; t++)
        if (rec_table_get((rec_table_id)t)->size > m)
            m = rec_table_get((rec_table_id)t)->size;
    return m;
}

int io_store_replay(io_store *s, const char *path, int64_t *last_run,
                    hs_diag *d)
{
    reader r;
    hs_loc at = {path, 0, 0};
    int rc = HS_OK;
    char *buf;

    memset(&r, 0, sizeof r);
    *last_run = -1;
    buf = read_all(path, &r.len);
    if (buf == NULL) {
        hs_diag_error(d, at, "cannot read the run log");
        return HS_EIO;
    }
    r.buf = buf;
    r.texts = hs_malloc(r.len + 1);
    r.row = hs_malloc(largest_row());
    while (rc == HS_OK && r.pos < r.len) {
        char tag = r.buf[r.pos++];

        rc = replay_one(s, &r, tag, last_run, d);
        r.texts_used = 0;
    }
    if (rc == HS_EINPUT)
        hs_diag_error(d, at, "a run log cut short or not a run log");
    free(buf);
    free(r.texts);
    free(r.row);
    free(r.from);
    free(r.to);
    return rc;
}
