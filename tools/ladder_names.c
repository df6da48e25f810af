/* ladder_names.c — the words a ladder diagram prints for timers and TCP
 * flags. States and drop reasons use the library's own names
 * (synack_state_name: RFC 9293 spellings; synack_drop_name). Timer texts
 * say what happened ("RTO fired") and fit the 12-column state margin of
 * the text diagram. */
#include "ladder_model.h"

#include <string.h>

const char *ladder_timer_label(int timer)
{
    switch (timer) {
    case SYNACK_TIMER_RETRANSMIT: return "RTO fired";
    case SYNACK_TIMER_TIME_WAIT:  return "2MSL expired";
    case SYNACK_TIMER_DELACK:     return "delayed ACK";
    case SYNACK_TIMER_PERSIST:    return "persist";
    case SYNACK_TIMER_KEEPALIVE:  return "keepalive";
    case SYNACK_TIMER_LINGER:     return "linger";
    case SYNACK_TIMER_FIN_WAIT_2: return "FW2 timeout";
    default:                      return "timer";
    }
}

const char *ladder_flags_str(uint8_t flags, char buf[12])
{
    /* tcpdump's order, so "[S.]" and "[FP.]" look the way people know. */
    static const struct { uint8_t bit; char c; } order[] = {
        {SYNACK_TCP_FIN, 'F'}, {SYNACK_TCP_SYN, 'S'}, {SYNACK_TCP_RST, 'R'},
        {SYNACK_TCP_PSH, 'P'}, {SYNACK_TCP_ACK, '.'}, {SYNACK_TCP_URG, 'U'},
        {SYNACK_TCP_ECE, 'E'}, {SYNACK_TCP_CWR, 'W'},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (flags & order[i].bit)
            buf[n++] = order[i].c;
    buf[n] = '\0';
    if (n == 0)
        strcpy(buf, "none");
    return buf;
}
