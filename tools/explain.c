/* explain.c — the explanations printed under the diagrams, in English
 * and Chinese. Each text describes what the scenario's diagram actually
 * shows (the tests check the diagrams), names states as RFC 9293 does,
 * and cites the RFC section behind each rule. The Chinese texts also
 * correct the seed article's "SYN-SEND"/"SYN-REVD" and its missing
 * FIN-WAIT-2. */
#include "explain.h"

#include <string.h>

#include "text_wrap.h"

typedef struct scenario_text {
    const char *scenario;
    const char *en, *zh;
} scenario_text;

static const scenario_text texts[] = {
{"handshake",
 "The client opens actively: connect() sends a SYN carrying its initial sequence number "
 "(ISN) and moves the client from CLOSED to SYN-SENT. A SYN carries no data but uses one "
 "sequence number. The server, in LISTEN, answers with SYN+ACK: its own ISN, and "
 "ack = client ISN + 1; it is now in SYN-RECEIVED. The client acknowledges the server's "
 "ISN (ack = server ISN + 1) and is ESTABLISHED; the server becomes ESTABLISHED when this "
 "third segment arrives. Every segment after the first SYN has the ACK flag set "
 "(RFC 9293 section 3.5).\n"
 "The numbers are relative to each end's ISN, as in Wireshark; --absolute shows them raw. "
 "RFC 9293 names the states SYN-SENT and SYN-RECEIVED (many tutorials write \"SYN-SEND\" "
 "or \"SYN-RCVD\").",
 "客户端主动打开：connect() 发送 SYN 报文段，携带客户端的初始序号（ISN），客户端从 CLOSED "
 "进入 SYN-SENT。SYN 不携带数据，但消耗一个序号。处于 LISTEN 的服务器回复 SYN+ACK：带上自己的 "
 "ISN，确认号 ack = 客户端 ISN + 1，服务器进入 SYN-RECEIVED。客户端确认服务器的 ISN（ack = "
 "服务器 ISN + 1），进入 ESTABLISHED；服务器收到这第三个报文段后也进入 ESTABLISHED。第一个 SYN "
 "之后的所有报文段都置 ACK 标志（RFC 9293 第 3.5 节）。\n"
 "图中的 seq/ack 是相对各自 ISN 的相对序号（与 Wireshark 相同），加 --absolute 显示原始数值。"
 "关于状态名：原文写作“SYN-SEND”和“SYN-REVD”，RFC 9293 的正式名称是 SYN-SENT 和 "
 "SYN-RECEIVED。"},
{"close",
 "The client calls shutdown(): it has nothing more to send. Its FIN (seq = u, the number "
 "after its last byte) takes it from ESTABLISHED to FIN-WAIT-1. The server acknowledges "
 "(ack = u + 1) and enters CLOSE-WAIT; when that ACK arrives the client is in FIN-WAIT-2, "
 "a state many explanations skip: its own direction is closed, but it still receives. "
 "This is a half-close (RFC 9293 section 3.6): the server, in CLOSE-WAIT, still sends "
 "\"bye\", and the client acknowledges it. When the server closes too, its FIN (seq = w) "
 "takes it to LAST-ACK; the client acknowledges it (ack = w + 1) and enters TIME-WAIT, "
 "and the server is CLOSED as soon as that ACK arrives. The client stays in TIME-WAIT "
 "for 2*MSL (60 s here, as on Linux) before it is CLOSED; the lost-final-ack scenario "
 "shows why.",
 "客户端调用 shutdown()：它已没有数据要发送。它的 FIN（seq = u，即它最后一个字节的序号加 1）"
 "使它从 ESTABLISHED 进入 FIN-WAIT-1。服务器回复确认（ack = u + 1），进入 CLOSE-WAIT；客户端"
 "收到这个 ACK 后进入 FIN-WAIT-2——原文略过了这个状态：客户端这一方向已经关闭，但仍然可以接收"
 "数据。这就是半关闭（RFC 9293 第 3.6 节）：处于 CLOSE-WAIT 的服务器仍然发送了“bye”，客户端"
 "照常确认。服务器也关闭时发送 FIN（seq = w），进入 LAST-ACK；客户端确认（ack = w + 1）后进入 "
 "TIME-WAIT，服务器收到这个 ACK 即进入 CLOSED。客户端在 TIME-WAIT 中等待 2*MSL（这里与 Linux "
 "相同，为 60 秒）后才进入 CLOSED，原因见 lost-final-ack 场景。"},
{"lost-syn",
 "The client's SYN is lost in the network and nothing comes back. When the retransmission "
 "timer fires - after 1 second, the initial RTO of RFC 6298 section 2.1 - the client sends "
 "the same SYN again, with the same sequence number. This time it arrives and the handshake "
 "completes as usual. Had the retransmission been lost too, the client would wait twice as "
 "long each time (exponential backoff) and give up after its configured number of SYN "
 "retries, reporting a timeout to the application.",
 "客户端的 SYN 在网络中丢失，没有任何回应。重传计时器到期后（初始 RTO 为 1 秒，RFC 6298 "
 "第 2.1 节），客户端以相同的序号重发同一个 SYN。这一次 SYN 到达，握手照常完成。如果重传的 SYN "
 "也丢失，客户端每次把等待时间加倍（指数退避），重试到配置的次数后放弃，并向应用报告超时。"},
{"old-duplicate-syn",
 "Why not two segments? The client's new SYN is delayed in the network, and a SYN from an "
 "earlier attempt of the same client - its sequence number 1000 lower, shown as -1000 - "
 "reaches the server first. The server cannot tell it is stale: it answers with SYN+ACK, "
 "acknowledging the old number, and enters SYN-RECEIVED. With a two-way handshake the "
 "server would now consider the connection open and wait for data that never comes. But "
 "the client, in SYN-SENT, receives an acknowledgment of a SYN it did not send (ack is not "
 "its ISN + 1), so it answers with a RST whose seq is that ack (RFC 9293 section 3.10.7.3), "
 "and the server drops the half-open connection and returns to LISTEN (section 3.10.7.4). "
 "Then the client's real SYN arrives and the handshake completes. The third segment is the "
 "client's chance to confirm or refuse what the server accepted.",
 "为什么两次握手不够？客户端新发的 SYN 在网络中被延迟，而同一客户端早先一次连接尝试的 SYN"
 "（序号小 1000，图中显示为 -1000）先到达了服务器。服务器无法判断它已过期：回复 SYN+ACK，确认"
 "那个旧序号，并进入 SYN-RECEIVED。如果只有两次握手，服务器此时就认为连接已建立，白白等待永远"
 "不会到来的数据。但处于 SYN-SENT 的客户端收到的是对一个它并未发送的 SYN 的确认（ack 不等于它的 "
 "ISN + 1），于是回复 RST，其 seq 等于那个 ack（RFC 9293 第 3.10.7.3 节）；服务器丢弃这个半开"
 "连接，回到 LISTEN（第 3.10.7.4 节）。随后客户端真正的 SYN 到达，握手正常完成。第三个报文段"
 "让客户端有机会确认或拒绝服务器接受的连接。原文说客户端“不置一词”，服务器等到超时才离开；按 "
 "RFC 9293，客户端会立即回复 RST。客户端真的毫无回应时的情形见 syn-rcvd-timeout 场景。"},
{"lost-final-ack",
 "Why TIME-WAIT? Both ends close. The client's last ACK - the one acknowledging the "
 "server's FIN - is lost. The server, in LAST-ACK, hears nothing and retransmits its FIN "
 "when its retransmission timer fires. The client is still in TIME-WAIT, so it still knows "
 "this connection: it acknowledges the FIN again and restarts its 2*MSL timer (RFC 9293 "
 "section 3.10.7.4), and the server, receiving that ACK, is CLOSED. Had the client gone "
 "straight to CLOSED, the retransmitted FIN would have found no connection and been "
 "answered with a RST, and the server would see an error instead of a clean close. "
 "Waiting 2*MSL also lets any old segment of this connection die out in the network "
 "before the same addresses and ports can carry a new one.",
 "为什么需要 TIME-WAIT？双方都关闭连接，客户端的最后一个 ACK（确认服务器 FIN 的那个）丢失了。"
 "处于 LAST-ACK 的服务器收不到确认，重传计时器到期后重传 FIN。客户端仍在 TIME-WAIT 中，仍然"
 "记得这个连接：它再次确认这个 FIN，并重新开始 2*MSL 计时（RFC 9293 第 3.10.7.4 节）；服务器"
 "收到这个 ACK 后进入 CLOSED。如果客户端直接进入 CLOSED，重传的 FIN 将找不到连接，只会得到一个 "
 "RST，服务器看到的是错误而不是正常关闭。等待 2*MSL 还能让这个连接的旧报文段在网络中消失，之后"
 "相同的地址和端口才能用于新的连接。"},
{"syn-rcvd-timeout",
 "The third segment never comes: after its SYN, everything the client sends is lost, as if "
 "its link had failed. The server sits in SYN-RECEIVED and retransmits its SYN+ACK each "
 "time its timer fires, waiting twice as long each time: 1, 2, 4 and 8 seconds. The "
 "client, already ESTABLISHED, finds each retransmission below the sequence number it "
 "expects, drops it and acknowledges again (RFC 9293 section 3.10.7.4) - but those ACKs "
 "are lost too. After its last retry (3 in this demo; synack and Linux default to 5) the "
 "server gives up the half-open connection and only its listener remains, in LISTEN. The "
 "client still believes it is connected; it will learn otherwise, from a RST, when it "
 "next sends. This is the ending the seed article describes: the server waits for the "
 "third segment and finally leaves.",
 "第三个报文段始终没有到来：客户端发出 SYN 之后，它发送的一切都丢失了，就像它的链路断了一样。"
 "服务器停在 SYN-RECEIVED，每当计时器到期就重传 SYN+ACK，等待时间每次加倍：1、2、4、8 秒。"
 "已经进入 ESTABLISHED 的客户端发现每个重传报文段的序号都小于它期望的序号，于是丢弃它并再次确认"
 "（RFC 9293 第 3.10.7.4 节）——但这些 ACK 也都丢失了。最后一次重试之后（本演示为 3 次，synack "
 "和 Linux 默认 5 次），服务器放弃这个半开连接，只剩下监听套接字，仍处于 LISTEN。客户端仍以为"
 "连接存在，直到下次发送数据、收到 RST 时才会知道。这正是原文描述的结局：服务器等不到第三次握手，"
 "最终离开。"},
{"simultaneous-open",
 "Both ends call connect() at the same moment, each to the other's address and port, so "
 "each sends a SYN and receives the other's SYN while in SYN-SENT. Each then enters "
 "SYN-RECEIVED and sends a SYN+ACK (RFC 9293 section 3.10.7.3). There is no server here: "
 "both opens are active. The SYN+ACK each end receives repeats a SYN it already has, but "
 "its ACK acknowledges its own SYN: the old SYN is set aside and the ACK taken, and each "
 "end is ESTABLISHED, as RFC 9293's Figure 7 shows. Four segments instead of three, and "
 "no server: why TCP has no notion of client and server, only of active and passive opens.",
 "双方在同一时刻调用 connect()，各自连接对方的地址和端口，于是各自发送 SYN，并在 SYN-SENT 状态下"
 "收到对方的 SYN。随后双方都进入 SYN-RECEIVED 并发送 SYN+ACK（RFC 9293 第 3.10.7.3 节）。这里"
 "没有服务器：两端都是主动打开。每一端收到的 SYN+ACK 中的 SYN 是已经收到过的，但其中的 ACK "
 "确认了自己的 SYN：重复的 SYN 被忽略，ACK 被接受，双方都进入 ESTABLISHED，正如 RFC 9293 图 7 "
 "所示。共四个报文段而非三个，也没有服务器：TCP 只区分主动打开与被动打开。"},
{"simultaneous-close",
 "Both ends call close() at the same moment: each sends a FIN from ESTABLISHED and enters "
 "FIN-WAIT-1. Each receives the other's FIN before the ACK of its own, so instead of "
 "FIN-WAIT-2 it enters CLOSING and acknowledges the FIN (RFC 9293 section 3.10.7.4). When "
 "the ACK of its own FIN arrives it enters TIME-WAIT. This time both ends wait 2*MSL; in a "
 "normal close only the end that closed first does.",
 "双方在同一时刻调用 close()：各自在 ESTABLISHED 状态发送 FIN，进入 FIN-WAIT-1。各自在收到对自己 "
 "FIN 的确认之前先收到了对方的 FIN，于是不进入 FIN-WAIT-2，而是进入 CLOSING 并确认对方的 FIN"
 "（RFC 9293 第 3.10.7.4 节）。收到对自己 FIN 的 ACK 后进入 TIME-WAIT。这一次两端都要等待 "
 "2*MSL；正常关闭时只有先关闭的一端需要等待。"},
{"reset",
 "A reset (RST) ends a connection at once. First diagram: the client connects to port 81, "
 "where nothing listens. The server's TCP finds no socket and answers the SYN with RST+ACK, "
 "ack = client ISN + 1 (RFC 9293 section 3.10.7.1); the client, in SYN-SENT, accepts it "
 "because it acknowledges its SYN, and connect() fails with \"connection refused\". Second "
 "diagram: an established client sets SO_LINGER to 0 and closes. Instead of a FIN it sends "
 "a RST with its next sequence number (section 3.10.5) and discards everything; no "
 "TIME-WAIT follows. The server's connection is closed at once and its application gets "
 "\"connection reset by peer\".",
 "复位报文（RST）立即终止连接。第一张图：客户端连接服务器上没有任何进程监听的 81 端口。服务器的 "
 "TCP 找不到套接字，用 RST+ACK 回答这个 SYN，ack = 客户端 ISN + 1（RFC 9293 第 3.10.7.1 节）；"
 "处于 SYN-SENT 的客户端因为这个 RST 确认了自己的 SYN 而接受它，connect() 以“连接被拒绝”失败。"
 "第二张图：已建立连接的客户端把 SO_LINGER 设为 0 后关闭，它不发送 FIN，而是发送一个 seq 为"
 "下一个序号的 RST（第 3.10.5 节）并丢弃所有数据，也没有 TIME-WAIT。服务器的连接立即关闭，"
 "应用收到“连接被对方重置”。"},
};

static const char TRACE_EN[] =
    "How to read this diagram: each arrow is one TCP segment, drawn from the end that sent "
    "it, with tcpdump's flag letters: [S] SYN, [S.] SYN+ACK, [.] ACK, [P.] data with PSH, "
    "[F.] FIN, [R] RST. seq and ack are relative to each end's ISN (its SYN; --absolute for "
    "raw numbers), len is the payload, win the window (scaled when both SYNs offered window "
    "scaling). The states beside each lifeline are inferred from the segments seen, following "
    "RFC 9293: sending a SYN -> SYN-SENT, a SYN+ACK -> SYN-RECEIVED, the handshake's ACKs -> "
    "ESTABLISHED, a FIN -> FIN-WAIT-1, CLOSE-WAIT, LAST-ACK or CLOSING, the ACK of a FIN -> "
    "FIN-WAIT-2, TIME-WAIT or CLOSED, a RST -> CLOSED. A capture shows when segments passed "
    "the capture point, not when each end processed them, and the end of TIME-WAIT never "
    "appears on the wire. Marks: retransmission (sequence range already sent), out-of-order "
    "(not the next expected sequence number), dup ACK, zero window, bad checksum (often "
    "checksum offload on the capturing host; the segment is still drawn).";

static const char TRACE_ZH[] =
    "如何阅读此图：每个箭头是一个 TCP 报文段，从发送它的一端画出，标志用 tcpdump 的字母：[S] SYN，"
    "[S.] SYN+ACK，[.] ACK，[P.] 带 PSH 的数据，[F.] FIN，[R] RST。seq 和 ack 是相对各端 ISN（其 "
    "SYN 的序号）的相对值（--absolute 显示原始数值），len 是载荷长度，win 是窗口（双方 SYN 都带窗口"
    "扩大选项时已按比例换算）。生命线旁的状态按 RFC 9293 从看到的报文段推断：发送 SYN -> SYN-SENT，"
    "发送 SYN+ACK -> SYN-RECEIVED，握手的 ACK -> ESTABLISHED，FIN -> FIN-WAIT-1、CLOSE-WAIT、"
    "LAST-ACK 或 CLOSING，对 FIN 的 ACK -> FIN-WAIT-2、TIME-WAIT 或 CLOSED，RST -> CLOSED。抓包"
    "记录的是报文段经过抓包点的时间，而不是两端处理它的时间；TIME-WAIT 何时结束也不会出现在线路上。"
    "标注：retransmission（重传：序号范围已发送过），out-of-order（乱序：不是期望的下一个序号），"
    "dup ACK（重复确认），zero window（零窗口），bad checksum（校验和错误，常因抓包主机的校验和卸载；"
    "该报文段仍然画出）。";

int explain_lang_parse(const char *s, explain_lang *out)
{
    if (strcmp(s, "en") == 0) {
        *out = EXPLAIN_EN;
        return 0;
    }
    if (strcmp(s, "zh") == 0 || strcmp(s, "zh-CN") == 0 || strcmp(s, "cn") == 0) {
        *out = EXPLAIN_ZH;
        return 0;
    }
    return -1;
}

const char *explain_scenario(const char *scenario, explain_lang lang)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(texts[i].scenario, scenario) == 0)
            return lang == EXPLAIN_ZH ? texts[i].zh : texts[i].en;
    return NULL;
}

const char *explain_trace(explain_lang lang)
{
    return lang == EXPLAIN_ZH ? TRACE_ZH : TRACE_EN;
}

static void print_line(void *ctx, const char *line, size_t len)
{
    FILE *out = ctx;
    fwrite(line, 1, len, out);
    fputc('\n', out);
}

void explain_print(FILE *out, const char *text)
{
    tw_wrap(text, 78, print_line, out);
}
