/* demo_env.h — the stage every demo scenario plays on: a simulated
 * network with a client stack and a server stack, both observed into a
 * ladder model, plus the few helpers the stories need (wait for a
 * condition on the virtual clock, inject a hand-made segment). */
#ifndef SYNACK_DEMO_ENV_H
#define SYNACK_DEMO_ENV_H

#include "demo_scenarios.h"
#include "ladder_build.h"
#include "sim/sim.h"

#define DEMO_CLIENT 0
#define DEMO_SERVER 1

typedef struct demo_env {
    sim_net *net;
    synack_stack *st[2];        /* client, server */
    int node[2];
    ladder_builder b;
    demo_run *out;
} demo_env;

/* Adjusts a stack's configuration before it is created (may be NULL). */
typedef void (*demo_tweak_fn)(synack_config *cfg, int side);

/* Builds the network and the two stacks, and starts the first diagram
 * (title, ends, initial states). Returns 0 or -1 with out->error set. */
int demo_env_open(demo_env *e, const demo_opts *o, demo_run *out, demo_tweak_fn tweak,
                  const char *title, uint16_t server_port, int client_state,
                  int server_state);

/* Starts the next diagram of the same run (same network and stacks). */
int demo_env_next_model(demo_env *e, const char *title, uint16_t client_port,
                        uint16_t server_port, int client_state, int server_state);

void demo_env_close(demo_env *e);

/* Sets out->error (printf-style) and returns -1. */
int demo_fail(demo_env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs the network for dt of virtual time. Returns 0 or -1 (error set). */
int demo_run_for(demo_env *e, synack_time dt);

/* Steps the network until cond(e, arg) holds, at most `limit` of virtual
 * time. Returns 1 if it holds, 0 on timeout, -1 on a simulator error. */
typedef int (*demo_cond_fn)(demo_env *e, int arg);
int demo_run_until(demo_env *e, demo_cond_fn cond, int arg, synack_time limit);

/* Conditions for demo_run_until: the server / client handle arg has
 * reached end of stream (recv returned 0; data read meanwhile is
 * discarded). */
int demo_server_eof(demo_env *e, int h);
int demo_client_eof(demo_env *e, int h);

/* Hands the server a TCP segment built from seg (addresses and ports
 * included) as if it came from the client now; the row gets `marks`. */
int demo_inject_to_server(demo_env *e, const synack_segment *seg, unsigned marks);

/* The current diagram. */
ladder_model *demo_model(demo_env *e);

/* Creates a socket on side, binds it to port (0: ephemeral). Returns the
 * handle or -1 (error set). */
int demo_socket(demo_env *e, int side, uint16_t port);

#endif
