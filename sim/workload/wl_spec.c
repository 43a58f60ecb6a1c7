/*
 * wl_spec.c -- lifetime of the workload specs that io/ fills.
 */
#include "hetsim/workload.h"

#include <stdlib.h>

static void dist_fini(wl_dist_spec *d)
{
    free(d->path);
    free(d->format);
    d->path = NULL;
    d->format = NULL;
}

void wl_source_spec_fini(wl_source_spec *s)
{
    if (s == NULL)
        return;
    free(s->name);
    free(s->trace.path);
    free(s->agent.preset);
    dist_fini(&s->synthetic.prompt);
    dist_fini(&s->synthetic.output);
    s->name = NULL;
    s->trace.path = NULL;
    s->agent.preset = NULL;
}
