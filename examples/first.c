/* first.c — a first program with synack: two stacks in one process,
 * joined by a queue in memory, on a clock we move ourselves. The client
 * says hello, the server answers, both close. Only libsynack is used.
 *
 *   cc first.c $(pkg-config --cflags --libs synack) -o first && ./first */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack.h>

/* The "network": datagrams waiting for delivery, oldest first. */
struct datagram { struct datagram *next; synack_stack *to; size_t len; uint8_t bytes[]; };
static struct datagram *head, **tail = &head;

/* Each stack's transmit callback: queue the datagram for the other one. */
static void transmit(void *peer, const uint8_t *pkt, size_t len)
{
    struct datagram *d = malloc(sizeof *d + len);
    if (!d)
        abort();
    d->next = NULL;
    d->to = peer;
    d->len = len;
    memcpy(d->bytes, pkt, len);
    *tail = d;
    tail = &d->next;
}

static synack_time now;

/* Delivers everything queued; when idle, jumps the clock to the next
 * timer (retransmissions, delayed ACKs) — until there is nothing left
 * to do within a second. */
static void run(synack_stack *a, synack_stack *b)
{
    for (;;) {
        while (head) {
            struct datagram *d = head;
            head = d->next;
            if (!head)
                tail = &head;
            synack_input(d->to, d->bytes, d->len, now);
            free(d);
        }
        synack_time next = synack_next_deadline(a);
        if (synack_next_deadline(b) < next)
            next = synack_next_deadline(b);
        if (next > now + SYNACK_SEC(1))
            return;
        now = next;
        synack_advance(a, now);
        synack_advance(b, now);
    }
}

static void transmit_indirect(void *slot, const uint8_t *pkt, size_t len)
{
    transmit(*(synack_stack **)slot, pkt, len);
}

int main(void)
{
    const uint32_t client_addr = 0xC6120001, server_addr = 0xC6120002; /* 198.18.0.1, .2 */
    static synack_stack *client_peer, *server_peer;
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.tx = transmit_indirect;

    synack_stack *client, *server;
    cfg.addr = client_addr;
    cfg.tx_ctx = &client_peer;
    if (synack_stack_new(&cfg, &client) != 0)
        return 1;
    cfg.addr = server_addr;
    cfg.tx_ctx = &server_peer;
    if (synack_stack_new(&cfg, &server) != 0)
        return 1;
    client_peer = server;
    server_peer = client;

    /* Server: listen on port 7. */
    int l = synack_socket(server);
    synack_bind(server, l, 0, 7);
    synack_listen(server, l, 16);

    /* Client: connect (nonblocking: the SYN leaves now). */
    int c = synack_socket(client);
    int r = synack_connect(client, c, server_addr, 7);
    printf("connect: %s\n", synack_strerror(r));
    run(client, server);
    printf("client state: %s\n", synack_state_name(synack_get_state(client, c)));

    synack_endpoint peer;
    int s = synack_accept(server, l, &peer);
    printf("server accepted a connection from port %u\n", peer.port);

    synack_send(client, c, "hello", 5);
    run(client, server);
    char buf[64];
    long n = synack_recv(server, s, buf, sizeof buf);
    printf("server got %ld bytes: %.*s\n", n, (int)n, buf);
    synack_send(server, s, "hello to you", 12);
    synack_close(server, s);        /* FIN follows the data */
    run(client, server);
    n = synack_recv(client, c, buf, sizeof buf);
    printf("client got %ld bytes: %.*s\n", n, (int)n, buf);
    printf("then end of stream: %ld\n", synack_recv(client, c, buf, sizeof buf));
    synack_close(client, c);
    run(client, server);

    synack_stats st;
    synack_stats_get(server, &st);
    /* The server closed first, so its end waits in TIME-WAIT (2*MSL). */
    printf("server: %llu segments in, %llu out, %llu connection in TIME-WAIT\n",
           (unsigned long long)st.tcp_in, (unsigned long long)st.tcp_out,
           (unsigned long long)st.conns_live);
    synack_close(server, l);
    synack_stack_free(client);
    synack_stack_free(server);
    return 0;
}
