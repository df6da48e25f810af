/* test_tcb_ext.c — the TCB extension (src/tcp/tcb.h, tcb_ext) is made only
 * when needed: an idle ESTABLISHED connection, either end, has none; one
 * that sent or received data, or was given a socket option that lives
 * there, has one. Without memory for it, the calls that need it answer
 * SYNACK_ENOBUFS / SYNACK_ENOMEM and change nothing, and the connection
 * goes on working once memory returns. */
#include "test_cm_util.h"

#include <stdlib.h>

#include "stack_impl.h"

/* An allocator that can refuse blocks the size of the extension (no other
 * block in these runs has that size: the TCB is larger, ring buffers
 * start at 2048 bytes, the heap array at 64 pointers). */
typedef struct ext_alloc {
    int refuse_ext;
    unsigned ext_made;      /* extension-sized blocks handed out */
    long live;
} ext_alloc;

static void *x_alloc(void *ctx, size_t n)
{
    ext_alloc *a = ctx;
    if (n == sizeof(tcb_ext)) {
        if (a->refuse_ext)
            return NULL;
        a->ext_made++;
    }
    void *p = malloc(n ? n : 1);
    if (p)
        a->live++;
    return p;
}

static void x_free(void *ctx, void *p)
{
    ext_alloc *a = ctx;
    if (p)
        a->live--;
    free(p);
}

static harness *x_new(ext_alloc *a)
{
    synack_config c;
    cm_config(&c);
    c.alloc = x_alloc;
    c.free = x_free;
    c.alloc_ctx = a;
    return h_new(&c);
}

static tcb *tcb_of(harness *h, int handle)
{
    return h_stack(h)->socks[handle].tcb;
}

TEST(extension_is_not_a_block_size_anything_else_uses)
{
    CHECK(sizeof(tcb_ext) != sizeof(tcb));
    CHECK(sizeof(tcb_ext) < 2048);
}

/* Both ends of an idle connection: the TCB alone, for as long as it
 * stays idle. */
TEST(idle_connections_have_no_extension)
{
    ext_alloc a = { 0, 0, 0 };
    harness *h = x_new(&a);
    uint32_t isn;
    int c = cm_client(h, &isn);
    h->local_port = 81;
    int l = cm_listen(h, 4);
    int sv = cm_accept(h, l, &isn);
    h_advance(h, SYNACK_SEC(600));
    h_expect_nothing(h);
    CHECK(tcb_of(h, c)->ext == NULL);
    CHECK(tcb_of(h, sv)->ext == NULL);
    CHECK_EQ(a.ext_made, 0);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_get_state(h_stack(h), sv), SYNACK_ESTABLISHED);
    h_free(h);
    CHECK_EQ(a.live, 0);
}

TEST(sending_data_makes_the_extension)
{
    ext_alloc a = { 0, 0, 0 };
    harness *h = x_new(&a);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_send(h_stack(h), c, "hello", 5), 5);
    h_expect(h, "P. %u:%u(5) ack 5001 win 65535", isn + 1, isn + 6);
    CHECK(tcb_of(h, c)->ext != NULL);
    CHECK_EQ(a.ext_made, 1);
    h_free(h);
    CHECK_EQ(a.live, 0);        /* freed with the TCB */
}

TEST(receiving_data_makes_the_extension)
{
    ext_alloc a = { 0, 0, 0 };
    harness *h = x_new(&a);
    uint32_t isn;
    int sv = cm_server(h, &isn);
    CHECK(tcb_of(h, sv)->ext == NULL);
    CHECK_EQ(h_inject(h, "P. %u:%u(4) ack %u", CM_PEER_ISN + 1, CM_PEER_ISN + 5, isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack %u win 65531", isn + 1, isn + 1, CM_PEER_ISN + 5);
    CHECK(tcb_of(h, sv)->ext != NULL);
    CHECK_EQ(a.ext_made, 1);
    h_free(h);
    CHECK_EQ(a.live, 0);
}

/* tcp_user_send: no memory for the extension is the answer a send buffer
 * that cannot grow gives; nothing is queued or sent, and the same call
 * succeeds once memory is back. */
TEST(send_without_memory_for_the_extension_is_enobufs)
{
    ext_alloc a = { 1, 0, 0 };
    harness *h = x_new(&a);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_send(h_stack(h), c, "hello", 5), SYNACK_ENOBUFS);
    h_expect_nothing(h);
    CHECK(tcb_of(h, c)->ext == NULL);
    a.refuse_ext = 0;
    CHECK_EQ(synack_send(h_stack(h), c, "hello", 5), 5);
    h_expect(h, "P. %u:%u(5) ack 5001 win 65535", isn + 1, isn + 6);
    h_free(h);
    CHECK_EQ(a.live, 0);
}

/* Received data with no memory for the extension (where the delayed-ACK
 * state lives) is acknowledged at once instead: nothing is lost. */
TEST(receive_without_memory_for_the_extension_acks_at_once)
{
    ext_alloc a = { 1, 0, 0 };
    synack_config cfg;
    cm_config(&cfg);
    cfg.delack = SYNACK_MSEC(40);
    cfg.alloc = x_alloc;
    cfg.free = x_free;
    cfg.alloc_ctx = &a;
    harness *h = h_new(&cfg);
    uint32_t isn;
    int sv = cm_server(h, &isn);
    CHECK_EQ(h_inject(h, "P. %u:%u(4) ack %u", CM_PEER_ISN + 1, CM_PEER_ISN + 5, isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack %u win 65531", isn + 1, isn + 1, CM_PEER_ISN + 5);
    uint8_t buf[8], want[4];
    CHECK_EQ(synack_recv(h_stack(h), sv, buf, sizeof buf), 4);
    h_pattern_fill(CM_PEER_ISN + 1, want, 4);
    CHECK_MEM(buf, want, 4);
    CHECK(tcb_of(h, sv)->ext == NULL);
    /* With memory, the same arrival waits for the delayed-ACK timer. */
    a.refuse_ext = 0;
    CHECK_EQ(h_inject(h, "P. %u:%u(4) ack %u", CM_PEER_ISN + 5, CM_PEER_ISN + 9, isn + 1), 0);
    h_expect_nothing(h);
    CHECK_U64(synack_next_deadline(h_stack(h)), h_now(h) + SYNACK_MSEC(40));
    h_free(h);
    CHECK_EQ(a.live, 0);
}

/* Options whose state lives in the extension make it when set on a
 * connection; without memory the call fails and the option is unchanged. */
TEST(options_in_the_extension_report_enomem)
{
    ext_alloc a = { 1, 0, 0 };
    harness *h = x_new(&a);
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    int v = -2;
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_KEEPALIVE, 1), SYNACK_ENOMEM);
    CHECK_EQ(synack_getopt(s, c, SYNACK_SO_KEEPALIVE, &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_LINGER, 5), SYNACK_ENOMEM);
    CHECK_EQ(synack_getopt(s, c, SYNACK_SO_LINGER, &v), 0);
    CHECK_EQ(v, -1);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPIDLE, 10), SYNACK_ENOMEM);
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_KEEPIDLE, &v), 0);
    CHECK_EQ(v, 7200);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    /* Switching keepalive off needs nothing. */
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_KEEPALIVE, 0), 0);
    CHECK(tcb_of(h, c)->ext == NULL);
    a.refuse_ext = 0;
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPIDLE, 10), 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_KEEPALIVE, 1), 0);
    CHECK(tcb_of(h, c)->ext != NULL);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(10));
    h_free(h);
    CHECK_EQ(a.live, 0);
}

/* A socket with such an option set before connect makes the extension
 * with the TCB; without memory, connect fails cleanly. */
TEST(connect_with_options_without_memory_is_enomem)
{
    ext_alloc a = { 1, 0, 0 };
    harness *h = x_new(&a);
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_LINGER, 3), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, 40000), SYNACK_ENOMEM);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
    CHECK_EQ(a.live, 0);
}

TEST_MAIN()
