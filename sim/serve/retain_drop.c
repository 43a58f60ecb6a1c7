/*
 * retain_drop.c -- the "drop" KV retention policy: a session's KV is
 * freed when each call ends, so every call prefills its whole context
 * again.
 */
#include "srv_host.h"

const srv_retain_ops srv_retain_drop = {"drop", false, false, NULL};
