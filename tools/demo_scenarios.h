/* demo_scenarios.h — the stories `synack demo` tells, each played on the
 * simulated network (virtual clock, seeded, no root, no real network) by
 * two synack stacks: a client at 198.18.0.1 and a server at 198.18.0.2.
 *
 * A scenario drives the socket API and the simulator's faults and
 * returns one or more ladder models of what happened. The same functions
 * back the tests (tests/cli/ladder_scenarios_test.c), which assert the
 * exact segments and states every diagram shows. */
#ifndef SYNACK_DEMO_SCENARIOS_H
#define SYNACK_DEMO_SCENARIOS_H

#include <stddef.h>
#include <stdint.h>

#include "ladder_model.h"

#define DEMO_CLIENT_ADDR 0xC6120001u    /* 198.18.0.1 */
#define DEMO_SERVER_ADDR 0xC6120002u    /* 198.18.0.2 */
#define DEMO_CLIENT_PORT 40000
#define DEMO_SERVER_PORT 80
#define DEMO_MAX_MODELS  2

typedef struct demo_opts {
    uint64_t seed;              /* seeds both stacks and the network */
    const char *pcap_path;      /* capture of the whole run, or NULL */
} demo_opts;

typedef struct demo_run {
    ladder_model model[DEMO_MAX_MODELS];
    size_t count;               /* diagrams produced */
    char error[200];            /* why the story did not go as told */
} demo_run;

typedef struct demo_scenario {
    const char *name;
    const char *summary;        /* one line, for --list */
    int (*run)(const demo_opts *o, demo_run *out);
} demo_scenario;

/* The scenarios in the order --list shows them. */
const demo_scenario *demo_scenarios(size_t *count);

/* The scenario called name, or NULL. */
const demo_scenario *demo_find(const char *name);

/* Plays a scenario: returns 0, or -1 with out->error set (the models
 * then hold what happened so far). Free out with demo_run_free. */
int demo_play(const demo_scenario *sc, const demo_opts *o, demo_run *out);
void demo_run_free(demo_run *r);

#endif
