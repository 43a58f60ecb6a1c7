/*
 * io_param.c -- binding a mapping through a parameter table (io_int.h):
 * each io_param names a key, the type of value it holds and where it goes
 * in the bound struct, so a section of plain values is data plus one call
 * instead of one reader call per key.  Values are read by the typed
 * readers of io_value.c, so messages are theirs.
 */
#include "io_int.h"

#include <stdint.h>
#include <string.h>

/* The field of 'p' in the struct at 'base'. */
static void *field(const io_param *p, void *base)
{
    return (char *)base + p->offset;
}

/* An enum field is stored like an int (IO_ENUM_OFFSET checks its size). */
static void set_enum(const io_param *p, void *base, int v)
{
    memcpy(field(p, base), &v, sizeof v);
}

/* Read the value node 'n' of parameter 'p'. */
static void bind_one(io_errs *e, const io_param *p, const io_node *n,
                     void *base, bool complete)
{
    int v = 0;

    switch (p->type) {
    case IO_P_INT:
        io_int(e, n, p->imin, p->imax, field(p, base));
        break;
    case IO_P_INT32:
        io_int32(e, n, (int)p->imin, (int)p->imax, field(p, base));
        break;
    case IO_P_BOOL:
        io_bool(e, n, field(p, base));
        break;
    case IO_P_NUMBER:
        io_number(e, n, p->min, p->max, field(p, base));
        break;
    case IO_P_QUANTITY:
        io_quantity(e, n, p->unit, p->positive, field(p, base));
        break;
    case IO_P_STRING:
        io_string(e, n, field(p, base));
        break;
    case IO_P_NAME:
        io_name(e, n, field(p, base), p->len);
        break;
    case IO_P_ENUM:
        if (io_enum(e, n, p->names, p->n_names, &v) == HS_OK)
            set_enum(p, base, v);
        break;
    case IO_P_MAP:
        p->bind(e, n, field(p, base), complete);
        break;
    }
}

int io_bind_params(io_errs *e, const io_node *map, const io_param *params,
                   void *base, bool complete)
{
    size_t before = e->n;

    for (const io_param *p = params; p->key != NULL; p++) {
        const io_node *n = io_member(e, map, p->key, p->required && complete);

        if (n != NULL)
            bind_one(e, p, n, base, complete);
    }
    return e->n > before ? HS_EINPUT : HS_OK;
}

void io_params_default(const io_param *params, void *base)
{
    for (const io_param *p = params; p->key != NULL; p++) {
        void *f = field(p, base);

        if (!p->has_def)
            continue;
        switch (p->type) {
        case IO_P_INT:
            *(int64_t *)f = (int64_t)p->def;
            break;
        case IO_P_INT32:
            *(int *)f = (int)p->def;
            break;
        case IO_P_BOOL:
            *(bool *)f = p->def != 0;
            break;
        case IO_P_NUMBER:
        case IO_P_QUANTITY:
            *(double *)f = p->def;
            break;
        case IO_P_ENUM:
            set_enum(p, base, (int)p->def);
            break;
        case IO_P_STRING:
        case IO_P_NAME:
        case IO_P_MAP:
            HS_UNREACHABLE("io_params_default: no default for this type");
        }
    }
}
