/* demo_env.c — network, stacks and observation set-up for the demo
 * scenarios, and the run/wait/inject helpers they share. */
#include "demo_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wire/wire.h"

int demo_fail(demo_env *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->out->error, sizeof e->out->error, fmt, ap);
    va_end(ap);
    return -1;
}

ladder_model *demo_model(demo_env *e)
{
    return &e->out->model[e->out->count - 1];
}

static void start_model(demo_env *e, const char *title, uint16_t cport, uint16_t sport,
                        int cstate, int sstate)
{
    ladder_model *m = &e->out->model[e->out->count++];
    ladder_model_init(m, title);
    ladder_set_end(m, LADDER_LEFT, "client", DEMO_CLIENT_ADDR, cport, cstate);
    ladder_set_end(m, LADDER_RIGHT, "server", DEMO_SERVER_ADDR, sport, sstate);
    m->t0 = e->net ? sim_now(e->net) : 0;
    e->b.m = m;
}

int demo_env_open(demo_env *e, const demo_opts *o, demo_run *out, demo_tweak_fn tweak,
                  const char *title, uint16_t server_port, int client_state,
                  int server_state)
{
    memset(e, 0, sizeof *e);
    e->out = out;
    ladder_builder_init(&e->b, NULL);
    start_model(e, title, DEMO_CLIENT_PORT, server_port, client_state, server_state);
    e->net = sim_new(o->seed);
    if (!e->net)
        return demo_fail(e, "out of memory creating the network");
    sim_set_observer(e->net, ladder_builder_packet, &e->b);
    if (o->pcap_path) {
        int rc = sim_capture(e->net, o->pcap_path);
        if (rc < 0)
            return demo_fail(e, "cannot write %s: %s", o->pcap_path, strerror(-rc));
    }
    static const uint32_t addr[2] = {DEMO_CLIENT_ADDR, DEMO_SERVER_ADDR};
    for (int side = 0; side < 2; side++) {
        synack_config cfg;
        synack_config_default(&cfg);
        cfg.addr = addr[side];
        cfg.seed = o->seed * 2 + (uint64_t)side + 1;
        cfg.observer = ladder_builder_observer;
        cfg.observer_ctx = &e->b.tap[side];
        /* The stories are about states and sequence numbers: the stacks
         * offer only MSS, so every label fits on its arrow, and a 65535
         * byte buffer is the largest window without scaling. */
        cfg.timestamps = 0;
        cfg.sack = 0;
        cfg.wscale = -1;
        cfg.rcvbuf = cfg.sndbuf = 65535;
        if (tweak)
            tweak(&cfg, side);
        int id = sim_add_stack(e->net, &cfg, &e->st[side]);
        if (id < 0)
            return demo_fail(e, "cannot create the %s stack: %s", side ? "server" : "client",
                             synack_strerror(id));
        e->node[side] = id;
    }
    return 0;
}

int demo_env_next_model(demo_env *e, const char *title, uint16_t client_port,
                        uint16_t server_port, int client_state, int server_state)
{
    if (e->out->count == DEMO_MAX_MODELS)
        return demo_fail(e, "too many diagrams in one scenario");
    start_model(e, title, client_port, server_port, client_state, server_state);
    return 0;
}

void demo_env_close(demo_env *e)
{
    sim_free(e->net);
    e->net = NULL;
}

int demo_run_for(demo_env *e, synack_time dt)
{
    if (sim_run_for(e->net, dt) < 0)
        return demo_fail(e, "the simulator stalled at %.3f s",
                         (double)sim_now(e->net) / 1e9);
    return 0;
}

int demo_run_until(demo_env *e, demo_cond_fn cond, int arg, synack_time limit)
{
    synack_time end = sim_now(e->net) + limit;
    for (;;) {
        if (cond(e, arg))
            return 1;
        synack_time next = sim_next_event(e->net);
        if (next == SYNACK_TIME_NEVER || next > end) {
            if (sim_run_until(e->net, end) < 0)
                return -1;
            return cond(e, arg);
        }
        if (sim_step(e->net) < 0)
            return -1;
    }
}

static int eof_on(demo_env *e, int side, int h)
{
    char buf[512];
    long n;
    while ((n = synack_recv(e->st[side], h, buf, sizeof buf)) > 0)
        ;
    return n == 0;
}

int demo_server_eof(demo_env *e, int h) { return eof_on(e, DEMO_SERVER, h); }
int demo_client_eof(demo_env *e, int h) { return eof_on(e, DEMO_CLIENT, h); }

int demo_inject_to_server(demo_env *e, const synack_segment *seg, unsigned marks)
{
    uint8_t pkt[WIRE_IPV4_HDR_LEN + WIRE_TCP_HDR_LEN + WIRE_TCP_MAX_OPTS];
    if (seg->len != 0 || wire_tcp_hdr_len(seg) > WIRE_TCP_HDR_LEN + WIRE_TCP_MAX_OPTS)
        return demo_fail(e, "injected segments carry no data");
    size_t hl = wire_tcp_emit(pkt + WIRE_IPV4_HDR_LEN, seg);
    wire_ipv4_emit(pkt, seg->saddr, seg->daddr, WIRE_PROTO_TCP, 64, 0, hl);
    e->b.inject_marks = marks;
    if (sim_inject(e->net, e->node[DEMO_SERVER], pkt, WIRE_IPV4_HDR_LEN + hl) < 0)
        return demo_fail(e, "could not inject a segment");
    return 0;
}

int demo_socket(demo_env *e, int side, uint16_t port)
{
    synack_stack *s = e->st[side];
    int h = synack_socket(s);
    if (h < 0)
        return demo_fail(e, "socket: %s", synack_strerror(h));
    int rc = synack_bind(s, h, 0, port);
    if (rc < 0)
        return demo_fail(e, "bind port %u: %s", (unsigned)port, synack_strerror(rc));
    return h;
}
