/*
 * cli_schema.c -- 'hetsim schema-doc' (not listed in the usage): print
 * the part of docs/schema.md generated from the result schema of
 * records.h.  'make schema-doc' splices it into the page, and
 * tests/cli/t_schema.sh fails when the page and the tables disagree.
 */
#include "cli.h"

#include <stdlib.h>

#include "hetsim/records.h"

int cli_schema_doc(int argc, char **argv)
{
    char *md;

    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: hetsim schema-doc\n");
        return CLI_USAGE;
    }
    md = rec_doc_markdown();
    fputs(md, stdout);
    free(md);
    return CLI_OK;
}
