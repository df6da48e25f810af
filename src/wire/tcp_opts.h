/* tcp_opts.h — internal: the TCP option emitter shared by tcp.c and the
 * option codec (tcp_opts.c). Not part of wire.h because nothing outside
 * the wire codecs writes options on its own. */
#ifndef SYNACK_WIRE_TCP_OPTS_H
#define SYNACK_WIRE_TCP_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

/* Writes o in the fixed layout documented at wire_tcp_opts_len (SACK
 * blocks beyond what fits in 40 bytes are left off from the end) and
 * returns the byte count, always equal to wire_tcp_opts_len(o). buf must
 * have room for WIRE_TCP_MAX_OPTS bytes. */
size_t wire_tcp_opts_emit(uint8_t *buf, const synack_tcp_opts *o);

/* The option walk behind wire_tcp_opts_parse, which first tries the
 * common layouts by their exact bytes. Same contract; exposed so a test
 * can check that both give the same result for every input. */
int wire_tcp_opts_parse_general(const uint8_t *opts, size_t len, synack_tcp_opts *out);

#endif
