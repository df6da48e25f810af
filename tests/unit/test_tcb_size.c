/* test_tcb_size.c — what an idle connection costs (issue #6, memory
 * target): an ESTABLISHED connection that has sent nothing holds its TCB
 * and nothing else (buffers, the SACK tables and the tcb_ext extension
 * are allocated only once data flows or an option needs them: see
 * test_tcb_ext.c), so sizeof(tcb) is the per-connection figure that
 * bench-b2b reports as synack.mem.est_client. The target is at most 256
 * bytes (lwIP's is 304); a field added to the core TCB that breaks it
 * belongs in tcb_ext unless every idle connection needs it. */
#include "check.h"

#include "tcp/tcb.h"

TEST(idle_connection_record_is_at_most_256_bytes)
{
    CHECK(sizeof(tcb) <= 256);
}

TEST_MAIN()
