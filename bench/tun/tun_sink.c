/* tun_sink.c — bench-tun-sink: synack as the server of the device
 * benchmark, behind a TUN device (drivers/tun) driven by drivers/loop.
 *
 *   bench-tun-sink DEV ADDR PORT [--offload] [--busy-poll=US]
 *
 * Attaches to the TUN interface DEV (the script configured its kernel
 * side), gives the stack address ADDR, accepts one connection on PORT,
 * reads and discards until EOF, closes, lets the close finish and exits.
 * --offload opens the device with IFF_VNET_HDR, checksum offload and TSO
 * (the kernel hands up ~64 KiB super-packets); --busy-poll=US makes the
 * loop poll for up to US microseconds before it sleeps (loop_config.
 * busy_poll_us). Stack settings: window scale 7, 4 MiB buffers, defaults
 * otherwise. Gives up after 60 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "loop/loop.h"
#include "synack.h"
#include "tun/tun.h"

static struct {
    synack_stack *s;
    int listener, conn, done;
    unsigned long long bytes;
} st = { NULL, -1, -1, 0, 0 };

static uint8_t rbuf[1u << 20];

static void drain(void)
{
    for (;;) {
        long n = synack_recv(st.s, st.conn, rbuf, sizeof rbuf);
        if (n > 0) {
            st.bytes += (unsigned long long)n;
            continue;
        }
        if (n == 0 || (n < 0 && n != SYNACK_EAGAIN)) {
            if (n < 0)
                fprintf(stderr, "bench-tun-sink: recv: %s\n", synack_strerror((int)n));
            synack_close(st.s, st.conn);
            st.conn = -1;
            st.done = 1;
        }
        return;
    }
}

static void on_ready(void *ctx, const synack_ready_event *ev)
{
    (void)ctx;
    if (ev->handle == st.listener && st.conn < 0 && !st.done) {
        int h = synack_accept(st.s, st.listener, NULL);
        if (h >= 0)
            st.conn = h;
    }
    if (st.conn >= 0)
        drain();
}

int main(int argc, char **argv)
{
    int offload = 0;
    long busy = 0;
    int bad = argc < 4;
    for (int i = 4; i < argc && !bad; i++) {
        char *end;
        if (strcmp(argv[i], "--offload") == 0)
            offload = 1;
        else if (strncmp(argv[i], "--busy-poll=", 12) == 0)
            bad = (busy = strtol(argv[i] + 12, &end, 10)) < 0 || busy > 1000000 || *end ||
                  end == argv[i] + 12;
        else
            bad = 1;
    }
    if (bad) {
        fprintf(stderr, "usage: bench-tun-sink DEV ADDR PORT [--offload] [--busy-poll=US]\n");
        return 2;
    }
    struct in_addr ia;
    if (inet_pton(AF_INET, argv[2], &ia) != 1) {
        fprintf(stderr, "bench-tun-sink: bad address %s\n", argv[2]);
        return 2;
    }
    tun_dev dev;
    char err[256];
    if (tun_open(&dev, argv[1], offload ? TUN_OFFLOAD : 0, err, sizeof err) < 0) {
        fprintf(stderr, "bench-tun-sink: %s\n", err);
        return 1;
    }
    loop_config lc;
    memset(&lc, 0, sizeof lc);
    synack_config_default(&lc.stack);
    lc.stack.addr = ntohl(ia.s_addr);
    lc.stack.wscale = 7;
    lc.stack.sndbuf = 4u << 20;
    lc.stack.rcvbuf = 4u << 20;
    lc.dev = &dev;
    lc.busy_poll_us = (uint32_t)busy;
    lc.on_ready = on_ready;
    loop *lp;
    int r = loop_new(&lc, &lp);
    if (r != 0) {
        fprintf(stderr, "bench-tun-sink: loop: %s\n", synack_strerror(r));
        return 1;
    }
    st.s = loop_stack(lp);
    st.listener = synack_socket(st.s);
    if (synack_bind(st.s, st.listener, 0, (uint16_t)atoi(argv[3])) != 0 ||
        synack_listen(st.s, st.listener, 4) != 0) {
        fprintf(stderr, "bench-tun-sink: cannot listen on %s\n", argv[3]);
        return 1;
    }
    /* Ready for the client: the script waits for this line. */
    printf("ready\n");
    fflush(stdout);
    synack_time deadline = loop_clock() + SYNACK_SEC(60), linger = 0;
    while (loop_clock() < deadline) {
        if (loop_run_once(lp, 100) != 0) {
            perror("bench-tun-sink: device");
            return 1;
        }
        if (st.done && !linger)
            linger = loop_clock() + SYNACK_MSEC(300);   /* let the close finish */
        if (linger && loop_clock() >= linger)
            break;
    }
    printf("%llu\n", st.bytes);
    loop_free(lp);
    tun_close(&dev);
    return st.done ? 0 : 1;
}
