/*
 * srv_emit.c -- the cluster's way out: rows and metrics to the sink's
 * callbacks (any may be NULL), and the first failure of a run, which
 * stops the engine.  A sink callback that fails stops the run with
 * HS_EIO.
 */
#include "serve_int.h"

void srv_fail(srv_sim *s, int status, const char *what)
{
    if (s->status == HS_OK) {
        s->status = status;
        if (what != NULL)
            hs_diag_error(s->diag, (hs_loc){NULL, 0, 0}, "%s", what);
    }
    eng_stop(s->eng);
}

/* A callback's result: nonzero is a sink failure. */
static void check(srv_sim *s, int rc)
{
    if (rc != 0)
        srv_fail(s, HS_EIO, NULL);
}

void srv_emit_request(srv_sim *s, const srv_request_rec *rec)
{
    if (s->sink.request != NULL)
        check(s, s->sink.request(s->sink.ctx, rec));
}

void srv_emit_step(srv_sim *s, const srv_step_rec *rec)
{
    if (s->sink.step != NULL)
        check(s, s->sink.step(s->sink.ctx, rec));
}

void srv_emit_instance(srv_sim *s, const srv_instance_rec *rec)
{
    if (s->sink.instance != NULL)
        check(s, s->sink.instance(s->sink.ctx, rec));
}

void srv_emit_sample(srv_sim *s, const srv_sample_rec *rec)
{
    if (s->sink.sample != NULL)
        check(s, s->sink.sample(s->sink.ctx, rec));
}

void srv_emit_transfer(srv_sim *s, const srv_transfer_rec *rec)
{
    if (s->sink.transfer != NULL)
        check(s, s->sink.transfer(s->sink.ctx, rec));
}

void srv_emit_session(srv_sim *s, const srv_session_rec *rec)
{
    if (s->sink.session != NULL)
        check(s, s->sink.session(s->sink.ctx, rec));
}

void srv_emit_metric(srv_sim *s, const char *scope, rec_metric_id id, double v)
{
    if (s->sink.metric != NULL)
        check(s, s->sink.metric(s->sink.ctx, scope, rec_metric_name(id), v));
}
