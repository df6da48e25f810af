/* fault_internal.h — what the files of the fault layer share: the
 * corruption step (fault_corrupt.c), which needs the checksum rules of
 * the datagram it damages, and the direction's generator. */
#ifndef SYNACK_FAULT_INTERNAL_H
#define SYNACK_FAULT_INTERNAL_H

#include "fault/fault.h"
#include "sim/sim_rng.h"

/* A corrupted copy of pkt (malloc'ed; NULL if out of memory): its
 * checksums made complete where offloads had left them partial or
 * unchecked (*info and *in_flags are updated to match), then one bit
 * flipped, drawn from rng (see fault.h for which bits may be chosen).
 * info is the outgoing datagram's offload description (NULL: none). */
uint8_t *fault_corrupt_copy(sim_rng *rng, fault_dir dir, const uint8_t *pkt, size_t len,
                            synack_tx_info *info, unsigned *in_flags);

#endif
