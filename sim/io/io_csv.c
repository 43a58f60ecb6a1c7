/*
 * io_csv.c -- a whole comma-separated table in memory: a header row of
 * column names, then rows of cells, for the measured kernel tables that
 * 'hetsim calibrate' reads (plain CSV without quoting, as in
 * shared/data/aiconfigurator and vidur).  A row whose cell count differs
 * from the header's, or a number that does not parse, is a located
 * error (file:line:col).
 */
#include "io_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct io_csv {
    char *path;
    char *text;    /* the file, cells NUL-terminated in place */
    size_t n_cols; /* header cells */
    char **cells;  /* n_rows + 1 rows of n_cols cells (row 0: header) */
    size_t *line;  /* file line of each row */
    size_t n_rows; /* data rows */
};

/* Split 'text' in place into rows of cells; returns the row count
 * (header included) or 0 with an error in 'e'. */
static size_t split(io_errs *e, io_csv *c)
{
    size_t cap = 0, rows = 0, lineno = 0;
    char *p = c->text;

    while (*p != '\0') {
        char *end = strchr(p, '\n'), *cell = p;
        size_t k = 0;

        lineno++;
        if (end != NULL)
            *end = '\0';
        if (end != NULL && end > p && end[-1] == '\r')
            end[-1] = '\0';
        if (*p == '\0') { /* blank line */
            p = end != NULL ? end + 1 : p;
            continue;
        }
        if (rows == 0) {
            c->n_cols = 1;
            for (char *q = p; *q != '\0'; q++)
                c->n_cols += *q == ',';
        }
        if ((rows + 1) * c->n_cols > cap) {
            cap = 2 * (rows + 1) * c->n_cols + 64;
            c->cells = hs_realloc(c->cells, cap * sizeof(char *));
            c->line =
                hs_realloc(c->line, (cap / c->n_cols + 1) * sizeof(size_t));
        }
        for (;;) {
            char *comma = strchr(cell, ',');

            if (k < c->n_cols)
                c->cells[rows * c->n_cols + k] = cell;
            k++;
            if (comma == NULL)
                break;
            *comma = '\0';
            cell = comma + 1;
        }
        if (k != c->n_cols) {
            hs_loc at = {c->path, (unsigned)lineno, 1};

            io_error(e, at, "expected %zu cells (as the header), found %zu",
                     c->n_cols, k);
            return 0;
        }
        c->line[rows++] = lineno;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return rows;
}

int io_csv_load(const char *path, io_csv **out, hs_diag *d)
{
    io_errs e = {0};
    hs_loc none = {NULL, 0, 0};
    io_csv *c = hs_calloc(1, sizeof *c);
    size_t len, rows = 0;

    *out = NULL;
    c->path = hs_strdup(path);
    if (io_read_file(&e, path, none, &c->text, &len) == HS_OK) {
        rows = split(&e, c);
        if (rows == 0 && e.n == 0) {
            hs_loc whole = {path, 0, 0};

            io_error(&e, whole, "empty file (expected a header row)");
        }
    }
    if (e.n > 0) {
        int code = c->text == NULL ? HS_EIO : HS_EINPUT;

        io_errs_flush(&e, d);
        io_csv_free(c);
        return code;
    }
    c->n_rows = rows - 1;
    *out = c;
    return HS_OK;
}

void io_csv_free(io_csv *c)
{
    if (c == NULL)
        return;
    free(c->path);
    free(c->text);
    free(c->cells);
    free(c->line);
    free(c);
}

size_t io_csv_rows(const io_csv *c)
{
    return c->n_rows;
}

int io_csv_col(const io_csv *c, const char *name)
{
    for (size_t k = 0; k < c->n_cols; k++)
        if (strcmp(c->cells[k], name) == 0)
            return (int)k;
    return -1;
}

int io_csv_need(const io_csv *c, const char *name, hs_diag *d)
{
    int k = io_csv_col(c, name);

    if (k < 0) {
        io_errs e = {0};
        hs_loc at = {c->path, 1, 1};

        io_error(&e, at, "no column '%s' in the header", name);
        io_errs_flush(&e, d);
    }
    return k;
}

const char *io_csv_cell(const io_csv *c, size_t row, int col)
{
    return c->cells[(row + 1) * c->n_cols + (size_t)col];
}

int io_csv_num(const io_csv *c, size_t row, int col, double *v, hs_diag *d)
{
    const char *s = io_csv_cell(c, row, col);
    char *end;

    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(*v)) {
        io_errs e = {0};
        hs_loc at = {c->path, (unsigned)c->line[row + 1], 1};

        io_key_error(&e, at, c->cells[col],
                     "expected a finite number, found '%s'", s);
        io_errs_flush(&e, d);
        return HS_EINPUT;
    }
    return HS_OK;
}
