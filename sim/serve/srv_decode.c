/*
 * srv_decode.c -- the lazy decode state of an instance (srv_inst.h, I5):
 * derived KV lengths and output counts, the residue counts of block
 * crossings, and the min-heap of finish iterations ordered by
 * (finish_it, admit_seq), so that requests finishing in the same
 * iteration retire in admission order.
 */
#include "srv_inst.h"

int64_t srv_decode_kv(const srv_inst *in, const srv_req *r)
{
    return r->kv0 + (in->dec_it - r->dec_it0);
}

int64_t srv_decode_gen(const srv_inst *in, const srv_req *r)
{
    return r->gen0 + (in->dec_it - r->dec_it0);
}

static int64_t residue(const srv_inst *in, int64_t x)
{
    int64_t m = x % in->block_size;

    return m < 0 ? m + in->block_size : m;
}

/* Requests whose KV length is a multiple of the block cross a boundary
 * at the next iteration. */
int64_t srv_decode_crossing(const srv_inst *in)
{
    return residue(in, -in->dec_it);
}

static bool heap_before(const srv_req *a, const srv_req *b)
{
    if (a->finish_it != b->finish_it)
        return a->finish_it < b->finish_it;
    return a->admit_seq < b->admit_seq;
}

static void heap_set(srv_inst *in, int64_t i, srv_req *r)
{
    in->heap[i] = r;
    r->heap_idx = i;
}

static void heap_up(srv_inst *in, int64_t i)
{
    srv_req *r = in->heap[i];

    while (i > 0 && heap_before(r, in->heap[(i - 1) / 2])) {
        heap_set(in, i, in->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(in, i, r);
}

static void heap_down(srv_inst *in, int64_t i)
{
    srv_req *r = in->heap[i];

    for (;;) {
        int64_t c = 2 * i + 1;

        if (c >= in->n_heap)
            break;
        if (c + 1 < in->n_heap && heap_before(in->heap[c + 1], in->heap[c]))
            c++;
        if (!heap_before(in->heap[c], r))
            break;
        heap_set(in, i, in->heap[c]);
        i = c;
    }
    heap_set(in, i, r);
}

static void heap_remove(srv_inst *in, srv_req *r)
{
    int64_t i = r->heap_idx;
    srv_req *last = in->heap[--in->n_heap];

    if (last != r) {
        heap_set(in, i, last);
        heap_up(in, i);
        heap_down(in, last->heap_idx);
    }
    r->heap_idx = -1;
}

void srv_decode_enter(srv_inst *in, srv_req *r)
{
    r->dec_it0 = in->dec_it;
    r->kv0 = r->kv_tokens;
    r->gen0 = r->generated;
    r->finish_it = r->dec_it0 + (r->output - r->gen0);
    in->n_dec++;
    in->dec_kv_base += r->kv0 - r->dec_it0;
    in->cross[residue(in, r->kv0 - r->dec_it0)]++;
    heap_set(in, in->n_heap++, r);
    heap_up(in, in->n_heap - 1);
}

void srv_decode_leave(srv_inst *in, srv_req *r)
{
    r->kv_tokens = srv_decode_kv(in, r);
    r->generated = srv_decode_gen(in, r);
    r->blocks = srv_blocks_for(in, r->kv_tokens) - r->pinned_blk;
    in->n_dec--;
    in->dec_kv_base -= r->kv0 - r->dec_it0;
    in->cross[residue(in, r->kv0 - r->dec_it0)]--;
    heap_remove(in, r);
}

srv_req *srv_decode_finished(const srv_inst *in)
{
    if (in->n_heap > 0 && in->heap[0]->finish_it <= in->dec_it)
        return in->heap[0];
    return NULL;
}

void srv_decode_add(const srv_inst *in, cost_batch *b)
{
    b->decode_seqs += in->n_dec;
    b->decode_context += in->dec_kv_base + in->n_dec * in->dec_it;
    b->logits_tokens += in->n_dec;
}
