/*
 * cli_rows.c -- the one printer of rows of text cells that commands
 * share (cli.h): an aligned table, csv (RFC 4180 quoting) or json (an
 * array of objects, strings escaped, chosen columns as numbers), and the
 * csv and json escaping of one string, which 'hetsim report' uses for
 * its own layouts too (cli_table.c).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void cli_csv_text(const char *s, FILE *out)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void cli_json_text(const char *s, FILE *out)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* The widths of the table's columns: the longest of the head and cells
 * ('-' for a missing one). */
static size_t *widths(const cli_rows *t)
{
    size_t *w = calloc(t->nc + 1, sizeof *w);

    HS_ASSERT(w != NULL);
    for (size_t c = 0; c < t->nc; c++) {
        w[c] = strlen(t->head[c]);
        for (size_t r = 0; r < t->nr; r++) {
            const char *x = t->cells[r * t->nc + c];
            size_t len = x != NULL ? strlen(x) : 1;

            w[c] = len > w[c] ? len : w[c];
        }
    }
    return w;
}

/* One table line: the cells left-aligned in their widths, two spaces
 * apart, the last one unpadded. */
static void table_line(const cli_rows *t, const char *const *v,
                       const size_t *w, FILE *out)
{
    for (size_t c = 0; c < t->nc; c++)
        fprintf(out, "%s%-*s", c > 0 ? "  " : "",
                c + 1 < t->nc ? (int)w[c] : 0, v[c] != NULL ? v[c] : "-");
    fputc('\n', out);
}

static void print_table(const cli_rows *t, FILE *out)
{
    size_t *w = widths(t);

    table_line(t, t->head, w, out);
    for (size_t r = 0; r < t->nr; r++)
        table_line(t, (const char *const *)&t->cells[r * t->nc], w, out);
    free(w);
}

static void print_csv(const cli_rows *t, FILE *out)
{
    for (size_t r = 0; r <= t->nr; r++) {
        const char *const *v =
            r == 0 ? t->head : (const char *const *)&t->cells[(r - 1) * t->nc];

        for (size_t c = 0; c < t->nc; c++) {
            fputs(c > 0 ? "," : "", out);
            cli_csv_text(v[c], out);
        }
        fputc('\n', out);
    }
}

static void print_json(const cli_rows *t, FILE *out)
{
    fputs("[\n", out);
    for (size_t r = 0; r < t->nr; r++) {
        fputs("  {", out);
        for (size_t c = 0; c < t->nc; c++) {
            const char *x = t->cells[r * t->nc + c];

            fputs(c > 0 ? ", " : "", out);
            cli_json_text(t->head[c], out);
            fputs(": ", out);
            if (x != NULL && t->number != NULL && t->number[c])
                fputs(x, out);
            else
                cli_json_text(x, out);
        }
        fputs(r + 1 < t->nr ? "},\n" : "}\n", out);
    }
    fputs("]\n", out);
}

void cli_rows_print(const cli_rows *t, const char *format, FILE *out)
{
    if (strcmp(format, "csv") == 0)
        print_csv(t, out);
    else if (strcmp(format, "json") == 0)
        print_json(t, out);
    else
        print_table(t, out);
}
