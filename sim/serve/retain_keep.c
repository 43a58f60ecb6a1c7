/*
 * retain_keep.c -- the "keep" KV retention policy: a session's context
 * stays in the instance's prefix cache between its calls (evicted least
 * recently used under memory pressure, or after the idle timeout), so
 * the next call finds it.
 */
#include "srv_host.h"

const srv_retain_ops srv_retain_keep = {"keep", true, false, NULL};
