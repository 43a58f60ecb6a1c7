/*
 * srv_queue.c -- intrusive FIFO queues of requests (an instance's waiting
 * queue, a decode instance's hand-offs waiting for blocks, the requests
 * whose KV is on the wire) and removal from ordered arrays.  O(1) each,
 * but srv_list_remove (O(n)).
 */
#include "srv_inst.h"

#include <string.h>

void srv_queue_push_back(srv_queue *q, srv_req *r)
{
    r->next = NULL;
    r->prev = q->tail;
    if (q->tail != NULL)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->n++;
}

void srv_queue_push_front(srv_queue *q, srv_req *r)
{
    r->prev = NULL;
    r->next = q->head;
    if (q->head != NULL)
        q->head->prev = r;
    else
        q->tail = r;
    q->head = r;
    q->n++;
}

void srv_queue_remove(srv_queue *q, srv_req *r)
{
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        q->head = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    else
        q->tail = r->prev;
    r->next = r->prev = NULL;
    q->n--;
}

srv_req *srv_queue_pop(srv_queue *q)
{
    srv_req *r = q->head;

    srv_queue_remove(q, r);
    return r;
}

void srv_list_remove(srv_req **v, int64_t *n, const srv_req *r)
{
    int64_t i = *n;

    while (i-- > 0)
        if (v[i] == r)
            break;
    HS_ASSERT(i >= 0);
    memmove(&v[i], &v[i + 1], (size_t)(*n - i - 1) * sizeof *v);
    (*n)--;
}
