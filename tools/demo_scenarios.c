/* demo_scenarios.c — the stories of `synack demo` (issue 3): the
 * three-way handshake and the four-way close of the seed article, and the
 * two questions it asks — why not two segments (old duplicate SYN) and
 * why TIME-WAIT (lost final ACK) — plus the loss, timeout, simultaneous
 * and reset cases. Each one drives real sockets on two synack stacks over
 * the simulated network; nothing in a diagram is scripted except the
 * application calls and the faults. */
#include "demo_scenarios.h"

#include <stdio.h>
#include <string.h>

#include "demo_env.h"

#define LIMIT SYNACK_SEC(600)   /* no story needs more virtual time */

/* Listener on the server's port 80 and an established connection from
 * the client's port 40000; *cli and *srv get the two handles. */
static int establish(demo_env *e, int *cli, int *srv)
{
    int l = demo_socket(e, DEMO_SERVER, DEMO_SERVER_PORT);
    if (l < 0)
        return -1;
    int rc = synack_listen(e->st[DEMO_SERVER], l, 8);
    if (rc < 0)
        return demo_fail(e, "listen: %s", synack_strerror(rc));
    *cli = demo_socket(e, DEMO_CLIENT, DEMO_CLIENT_PORT);
    if (*cli < 0)
        return -1;
    rc = synack_connect(e->st[DEMO_CLIENT], *cli, DEMO_SERVER_ADDR, DEMO_SERVER_PORT);
    if (rc != SYNACK_EINPROGRESS)
        return demo_fail(e, "connect: %s", synack_strerror(rc));
    if (demo_run_for(e, SYNACK_MSEC(50)) < 0)
        return -1;
    *srv = synack_accept(e->st[DEMO_SERVER], l, NULL);
    if (*srv < 0)
        return demo_fail(e, "the handshake did not complete (accept: %s)",
                         synack_strerror(*srv));
    return 0;
}

/* A demo environment with the connection already ESTABLISHED: the
 * opening every scenario about what follows the handshake shares. */
static int open_established(demo_env *e, const demo_opts *o, demo_run *out, const char *title,
                            int *cli, int *srv)
{
    int rc = demo_env_open(e, o, out, NULL, title, DEMO_SERVER_PORT, SYNACK_CLOSED,
                           SYNACK_LISTEN);
    return rc == 0 ? establish(e, cli, srv) : rc;
}

static int expect_state(demo_env *e, int side, int h, int want)
{
    int st = synack_get_state(e->st[side], h);
    if (st != want)
        return demo_fail(e, "the %s is in %s, expected %s", side ? "server" : "client",
                         synack_state_name(st), synack_state_name(want));
    return 0;
}

/* The states the diagram ends with must be the ones the story promises. */
static int expect_final(demo_env *e, int client_state, int server_state)
{
    ladder_model *m = demo_model(e);
    if (ladder_final_state(m, LADDER_LEFT) != client_state ||
        ladder_final_state(m, LADDER_RIGHT) != server_state)
        return demo_fail(e, "the diagram ends with client %s and server %s, expected %s and %s",
                         synack_state_name(ladder_final_state(m, LADDER_LEFT)),
                         synack_state_name(ladder_final_state(m, LADDER_RIGHT)),
                         synack_state_name(client_state), synack_state_name(server_state));
    return 0;
}

/* ----------------------------------------------------------- handshake */

static int handshake(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int cli, srv;
    int rc = open_established(&e, o, out, "handshake: the three-way handshake", &cli, &srv);
    if (rc == 0)
        rc = expect_final(&e, SYNACK_ESTABLISHED, SYNACK_ESTABLISHED);
    demo_env_close(&e);
    return rc;
}

/* --------------------------------------------------------------- close */

static int four_way_close(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int cli, srv;
    int rc = open_established(&e, o, out, "close: the four-way close, with a half-close",
                              &cli, &srv);
    if (rc < 0)
        goto done;
    synack_stack *c = e.st[DEMO_CLIENT], *s = e.st[DEMO_SERVER];
    ladder_restart(demo_model(&e), sim_now(e.net));
    ladder_add_note(demo_model(&e), sim_now(e.net),
                    "client app: shutdown() - nothing more to send");
    if ((rc = synack_shutdown(c, cli)) < 0) {
        rc = demo_fail(&e, "shutdown: %s", synack_strerror(rc));
        goto done;
    }
    if (demo_run_until(&e, demo_server_eof, srv, LIMIT) != 1) {
        rc = demo_fail(&e, "the server never saw the client's FIN");
        goto done;
    }
    if ((rc = expect_state(&e, DEMO_SERVER, srv, SYNACK_CLOSE_WAIT)) < 0)
        goto done;
    /* Half-close: the server may still send after the client's FIN. */
    ladder_add_note(demo_model(&e), sim_now(e.net),
                    "server app: reads end of stream, still sends \"bye\"");
    if (synack_send(s, srv, "bye\n", 4) != 4) {
        rc = demo_fail(&e, "the server could not send in CLOSE-WAIT");
        goto done;
    }
    if ((rc = demo_run_for(&e, SYNACK_MSEC(100))) < 0)
        goto done;
    char buf[16];
    if (synack_recv(c, cli, buf, sizeof buf) != 4 || memcmp(buf, "bye\n", 4) != 0) {
        rc = demo_fail(&e, "the client did not receive the server's data");
        goto done;
    }
    ladder_add_note(demo_model(&e), sim_now(e.net), "server app: close()");
    if ((rc = synack_close(s, srv)) < 0) {
        rc = demo_fail(&e, "close: %s", synack_strerror(rc));
        goto done;
    }
    if (demo_run_until(&e, demo_client_eof, cli, LIMIT) != 1) {
        rc = demo_fail(&e, "the client never saw the server's FIN");
        goto done;
    }
    synack_close(c, cli);
    if ((rc = demo_run_for(&e, LIMIT)) == 0)
        rc = expect_final(&e, SYNACK_CLOSED, SYNACK_CLOSED);
done:
    demo_env_close(&e);
    return rc;
}

/* ------------------------------------------------------------ lost-syn */

static int lost_syn(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int cli, srv;
    static sim_tcp_flags bare_syn = {SYNACK_TCP_SYN, SYNACK_TCP_SYN | SYNACK_TCP_ACK};
    int rc = demo_env_open(&e, o, out, NULL, "lost-syn: the SYN is lost and sent again",
                           DEMO_SERVER_PORT, SYNACK_CLOSED, SYNACK_LISTEN);
    if (rc == 0 && sim_drop_nth(e.net, e.node[DEMO_CLIENT], e.node[DEMO_SERVER],
                                sim_match_tcp_flags, &bare_syn, 1) < 0)
        rc = demo_fail(&e, "could not arm the drop");
    if (rc == 0) {
        /* establish() waits 50 ms; the retransmission comes after the
         * initial RTO of 1 s (RFC 6298 2.1), so wait for it first. */
        int l = demo_socket(&e, DEMO_SERVER, DEMO_SERVER_PORT);
        cli = l < 0 ? -1 : demo_socket(&e, DEMO_CLIENT, DEMO_CLIENT_PORT);
        if (l < 0 || cli < 0)
            rc = -1;
        else if (synack_listen(e.st[DEMO_SERVER], l, 8) < 0 ||
                 synack_connect(e.st[DEMO_CLIENT], cli, DEMO_SERVER_ADDR,
                                DEMO_SERVER_PORT) != SYNACK_EINPROGRESS)
            rc = demo_fail(&e, "listen/connect failed");
        else if ((rc = demo_run_for(&e, SYNACK_MSEC(1100))) == 0 &&
                 (srv = synack_accept(e.st[DEMO_SERVER], l, NULL)) < 0)
            rc = demo_fail(&e, "no connection after the retransmitted SYN");
    }
    if (rc == 0)
        rc = expect_final(&e, SYNACK_ESTABLISHED, SYNACK_ESTABLISHED);
    demo_env_close(&e);
    return rc;
}

/* --------------------------------------------------- old-duplicate-syn */

static int old_duplicate_syn(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int rc = demo_env_open(&e, o, out, NULL,
                           "old-duplicate-syn: why two segments are not enough",
                           DEMO_SERVER_PORT, SYNACK_CLOSED, SYNACK_LISTEN);
    if (rc < 0)
        goto done;
    int l = demo_socket(&e, DEMO_SERVER, DEMO_SERVER_PORT);
    int cli = l < 0 ? -1 : demo_socket(&e, DEMO_CLIENT, DEMO_CLIENT_PORT);
    if (l < 0 || cli < 0 || synack_listen(e.st[DEMO_SERVER], l, 8) < 0) {
        rc = l < 0 || cli < 0 ? -1 : demo_fail(&e, "listen failed");
        goto done;
    }
    /* The network holds the client's new SYN back for 10 ms ... */
    sim_link slow, normal;
    sim_get_link(e.net, e.node[DEMO_CLIENT], e.node[DEMO_SERVER], &normal);
    slow = normal;
    slow.delay = SYNACK_MSEC(10);
    sim_set_link(e.net, e.node[DEMO_CLIENT], e.node[DEMO_SERVER], &slow);
    ladder_model *m = demo_model(&e);
    ladder_add_note(m, sim_now(e.net), "the network delays the client's new SYN by 10 ms");
    if (synack_connect(e.st[DEMO_CLIENT], cli, DEMO_SERVER_ADDR, DEMO_SERVER_PORT) !=
        SYNACK_EINPROGRESS) {
        rc = demo_fail(&e, "connect failed");
        goto done;
    }
    sim_set_link(e.net, e.node[DEMO_CLIENT], e.node[DEMO_SERVER], &normal);
    if (m->nrows == 0 || m->rows[m->nrows - 1].kind != LADDER_ROW_SEGMENT) {
        rc = demo_fail(&e, "connect sent no SYN");
        goto done;
    }
    /* ... while a SYN from an earlier attempt of the same client, long
     * delayed in the network, reaches the server first. */
    synack_segment old = m->rows[m->nrows - 1].seg;
    old.seq -= 1000;
    ladder_add_note(m, sim_now(e.net), "a stale SYN from an earlier attempt arrives first");
    if ((rc = demo_inject_to_server(&e, &old, LADDER_MARK_OLD_DUP)) < 0)
        goto done;
    if ((rc = demo_run_for(&e, SYNACK_MSEC(50))) < 0)
        goto done;
    if (synack_accept(e.st[DEMO_SERVER], l, NULL) < 0) {
        rc = demo_fail(&e, "the real connection was not accepted");
        goto done;
    }
    rc = expect_final(&e, SYNACK_ESTABLISHED, SYNACK_ESTABLISHED);
done:
    demo_env_close(&e);
    return rc;
}

/* ------------------------------------------------------ lost-final-ack */

static int server_line_closed(demo_env *e, int unused)
{
    (void)unused;
    return ladder_final_state(demo_model(e), LADDER_RIGHT) == SYNACK_CLOSED;
}

static int lost_final_ack(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int cli, srv;
    static sim_tcp_flags pure_ack = {SYNACK_TCP_ACK, 0xff};
    int rc = open_established(&e, o, out, "lost-final-ack: why TIME-WAIT lasts 2*MSL", &cli, &srv);
    if (rc < 0)
        goto done;
    ladder_restart(demo_model(&e), sim_now(e.net));
    /* The client sends no pure ACK in this close but the last one. */
    if (sim_drop_nth(e.net, e.node[DEMO_CLIENT], e.node[DEMO_SERVER], sim_match_tcp_flags,
                     &pure_ack, 1) < 0) {
        rc = demo_fail(&e, "could not arm the drop");
        goto done;
    }
    ladder_add_note(demo_model(&e), sim_now(e.net), "client app: close()");
    synack_close(e.st[DEMO_CLIENT], cli);
    if (demo_run_until(&e, demo_server_eof, srv, LIMIT) != 1) {
        rc = demo_fail(&e, "the server never saw the client's FIN");
        goto done;
    }
    ladder_add_note(demo_model(&e), sim_now(e.net), "server app: close()");
    synack_close(e.st[DEMO_SERVER], srv);
    if (demo_run_until(&e, server_line_closed, 0, LIMIT) != 1) {
        rc = demo_fail(&e, "the server never finished its close");
        goto done;
    }
    ladder_add_note(demo_model(&e), sim_now(e.net),
                    "the client, in TIME-WAIT, answered the retransmitted FIN and "
                    "restarted its 2*MSL timer");
    if ((rc = demo_run_for(&e, LIMIT)) == 0)
        rc = expect_final(&e, SYNACK_CLOSED, SYNACK_CLOSED);
done:
    demo_env_close(&e);
    return rc;
}

/* ---------------------------------------------------- syn-rcvd-timeout */

static void few_synack_retries(synack_config *cfg, int side)
{
    if (side == DEMO_SERVER)
        cfg->synack_retries = 3;    /* keeps the diagram short: 1+2+4+8 s */
}

static int syn_rcvd_timeout(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int rc = demo_env_open(&e, o, out, few_synack_retries,
                           "syn-rcvd-timeout: the third segment never comes",
                           DEMO_SERVER_PORT, SYNACK_CLOSED, SYNACK_LISTEN);
    if (rc < 0)
        goto done;
    int l = demo_socket(&e, DEMO_SERVER, DEMO_SERVER_PORT);
    int cli = l < 0 ? -1 : demo_socket(&e, DEMO_CLIENT, DEMO_CLIENT_PORT);
    if (l < 0 || cli < 0 || synack_listen(e.st[DEMO_SERVER], l, 8) < 0 ||
        synack_connect(e.st[DEMO_CLIENT], cli, DEMO_SERVER_ADDR, DEMO_SERVER_PORT) !=
            SYNACK_EINPROGRESS) {
        rc = l < 0 || cli < 0 ? -1 : demo_fail(&e, "listen/connect failed");
        goto done;
    }
    /* The SYN is on its way; from now on nothing from the client gets
     * through (its link failed). */
    sim_link dead;
    sim_get_link(e.net, e.node[DEMO_CLIENT], e.node[DEMO_SERVER], &dead);
    dead.loss = 1.0;
    sim_set_link(e.net, e.node[DEMO_CLIENT], e.node[DEMO_SERVER], &dead);
    ladder_add_note(demo_model(&e), sim_now(e.net),
                    "from now on the client's link loses everything it sends");
    if ((rc = demo_run_for(&e, SYNACK_SEC(30))) < 0)
        goto done;
    if (synack_accept(e.st[DEMO_SERVER], l, NULL) >= 0) {
        rc = demo_fail(&e, "the server accepted a connection it never completed");
        goto done;
    }
    rc = expect_final(&e, SYNACK_ESTABLISHED, SYNACK_LISTEN);
done:
    demo_env_close(&e);
    return rc;
}

/* --------------------------------------------------- simultaneous-open */

static int simultaneous_open(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int rc = demo_env_open(&e, o, out, NULL,
                           "simultaneous-open: both ends connect at once",
                           DEMO_SERVER_PORT, SYNACK_CLOSED, SYNACK_CLOSED);
    if (rc < 0)
        goto done;
    int cli = demo_socket(&e, DEMO_CLIENT, DEMO_CLIENT_PORT);
    int srv = cli < 0 ? -1 : demo_socket(&e, DEMO_SERVER, DEMO_SERVER_PORT);
    if (cli < 0 || srv < 0) {
        rc = -1;
        goto done;
    }
    if (synack_connect(e.st[DEMO_CLIENT], cli, DEMO_SERVER_ADDR, DEMO_SERVER_PORT) !=
            SYNACK_EINPROGRESS ||
        synack_connect(e.st[DEMO_SERVER], srv, DEMO_CLIENT_ADDR, DEMO_CLIENT_PORT) !=
            SYNACK_EINPROGRESS) {
        rc = demo_fail(&e, "connect failed");
        goto done;
    }
    if ((rc = demo_run_for(&e, SYNACK_MSEC(50))) < 0)
        goto done;
    if ((rc = expect_state(&e, DEMO_CLIENT, cli, SYNACK_ESTABLISHED)) == 0 &&
        (rc = expect_state(&e, DEMO_SERVER, srv, SYNACK_ESTABLISHED)) == 0)
        rc = expect_final(&e, SYNACK_ESTABLISHED, SYNACK_ESTABLISHED);
done:
    demo_env_close(&e);
    return rc;
}

/* -------------------------------------------------- simultaneous-close */

static int simultaneous_close(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int cli, srv;
    int rc = open_established(&e, o, out, "simultaneous-close: both ends close at once",
                              &cli, &srv);
    if (rc < 0)
        goto done;
    ladder_restart(demo_model(&e), sim_now(e.net));
    ladder_add_note(demo_model(&e), sim_now(e.net), "both apps: close()");
    synack_close(e.st[DEMO_CLIENT], cli);
    synack_close(e.st[DEMO_SERVER], srv);
    if ((rc = demo_run_for(&e, LIMIT)) == 0)
        rc = expect_final(&e, SYNACK_CLOSED, SYNACK_CLOSED);
done:
    demo_env_close(&e);
    return rc;
}

/* --------------------------------------------------------------- reset */

static int reset(const demo_opts *o, demo_run *out)
{
    demo_env e;
    int rc = demo_env_open(&e, o, out, NULL, "reset (1/2): connecting to a closed port",
                           DEMO_SERVER_PORT + 1, SYNACK_CLOSED, SYNACK_CLOSED);
    if (rc < 0)
        goto done;
    int cli = demo_socket(&e, DEMO_CLIENT, DEMO_CLIENT_PORT);
    if (cli < 0) {
        rc = -1;
        goto done;
    }
    ladder_add_note(demo_model(&e), 0, "nothing listens on the server's port 81");
    if (synack_connect(e.st[DEMO_CLIENT], cli, DEMO_SERVER_ADDR, DEMO_SERVER_PORT + 1) !=
        SYNACK_EINPROGRESS) {
        rc = demo_fail(&e, "connect failed");
        goto done;
    }
    if ((rc = demo_run_for(&e, SYNACK_MSEC(50))) < 0)
        goto done;
    int err = synack_get_error(e.st[DEMO_CLIENT], cli);
    if (err != SYNACK_ECONNREFUSED) {
        rc = demo_fail(&e, "connect to a closed port gave \"%s\", expected refused",
                       synack_strerror(err));
        goto done;
    }
    synack_close(e.st[DEMO_CLIENT], cli);
    if ((rc = expect_final(&e, SYNACK_CLOSED, SYNACK_CLOSED)) < 0)
        goto done;

    /* Part two: an established connection aborted with SO_LINGER 0. */
    rc = demo_env_next_model(&e, "reset (2/2): an abortive close (SO_LINGER 0)",
                             DEMO_CLIENT_PORT, DEMO_SERVER_PORT, SYNACK_CLOSED,
                             SYNACK_LISTEN);
    int srv;
    if (rc == 0)
        rc = establish(&e, &cli, &srv);
    if (rc < 0)
        goto done;
    ladder_restart(demo_model(&e), sim_now(e.net));
    ladder_add_note(demo_model(&e), sim_now(e.net),
                    "client app: SO_LINGER 0, then close(): abort");
    if (synack_setopt(e.st[DEMO_CLIENT], cli, SYNACK_SO_LINGER, 0) < 0) {
        rc = demo_fail(&e, "setopt SO_LINGER failed");
        goto done;
    }
    synack_close(e.st[DEMO_CLIENT], cli);
    if ((rc = demo_run_for(&e, SYNACK_MSEC(50))) < 0)
        goto done;
    err = synack_get_error(e.st[DEMO_SERVER], srv);
    if (err != SYNACK_ECONNRESET) {
        rc = demo_fail(&e, "the server saw \"%s\", expected a reset", synack_strerror(err));
        goto done;
    }
    rc = expect_final(&e, SYNACK_CLOSED, SYNACK_CLOSED);
done:
    demo_env_close(&e);
    return rc;
}

/* ------------------------------------------------------------ registry */

static const demo_scenario scenarios[] = {
    {"handshake", "the three-way handshake", handshake},
    {"close", "the four-way close, with a half-close in CLOSE-WAIT", four_way_close},
    {"lost-syn", "the SYN is lost and retransmitted after the RTO", lost_syn},
    {"old-duplicate-syn", "a stale SYN reaches the server: why not two segments",
     old_duplicate_syn},
    {"lost-final-ack", "the last ACK is lost: why TIME-WAIT lasts 2*MSL", lost_final_ack},
    {"syn-rcvd-timeout", "the third segment never comes: the server gives up",
     syn_rcvd_timeout},
    {"simultaneous-open", "both ends send a SYN at the same time", simultaneous_open},
    {"simultaneous-close", "both ends send a FIN at the same time", simultaneous_close},
    {"reset", "a connection refused, and an abortive close", reset},
};

const demo_scenario *demo_scenarios(size_t *count)
{
    *count = sizeof scenarios / sizeof scenarios[0];
    return scenarios;
}

const demo_scenario *demo_find(const char *name)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    return NULL;
}

int demo_play(const demo_scenario *sc, const demo_opts *o, demo_run *out)
{
    memset(out, 0, sizeof *out);
    int rc = sc->run(o, out);
    for (size_t i = 0; i < out->count; i++)
        if (out->model[i].oom && rc == 0) {
            snprintf(out->error, sizeof out->error, "out of memory recording the diagram");
            rc = -1;
        }
    if (rc < 0 && !out->error[0])
        snprintf(out->error, sizeof out->error, "scenario %s failed", sc->name);
    return rc;
}

void demo_run_free(demo_run *r)
{
    for (size_t i = 0; i < r->count; i++)
        ladder_model_free(&r->model[i]);
    r->count = 0;
}
