/*
 * retain_offload.c -- the "offload" KV retention policy: when a call
 * ends, the session's context leaves device memory for the instance's
 * share of the memory pool (the offload KV pool policy, which this
 * policy selects), and the session's next call fetches it back.
 */
#include "srv_host.h"

static void call_ended(srv_inst *in, const srv_req *r, hs_time now)
{
    if (srv_host_caching(in))
        srv_kv_offload_context(in, r, now);
}

const srv_retain_ops srv_retain_offload = {"offload", true, true, call_ended};
