/* tcp_send.c — bench-tcp-send: the kernel-side client used against every
 * server of the device benchmark (synack behind TUN, the kernel behind
 * veth), so both are measured by the same program.
 *
 *   bench-tcp-send ADDR PORT MS
 *
 * Connects over the kernel's TCP, writes a 256 KiB buffer repeatedly for
 * MS milliseconds, shuts down its write side and waits for the server to
 * read everything and close (recv returns 0). Goodput is bytes written
 * divided by the time from connect to that EOF, so every byte counted was
 * delivered to the server application. Prints "gbps bytes seconds". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (256u * 1024u)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench-tcp-send ADDR PORT MS\n");
        return 2;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "bench-tcp-send: bad address %s\n", argv[1]);
        return 2;
    }
    double ms = atof(argv[3]);
    static char buf[BUF];
    for (unsigned i = 0; i < BUF; i++)
        buf[i] = (char)(i * 131u + 17u);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "bench-tcp-send: connect %s:%s: %s\n", argv[1], argv[2], strerror(errno));
        return 1;
    }
    double t0 = now_s(), stop = t0 + ms / 1000.0;
    unsigned long long bytes = 0;
    while (now_s() < stop) {
        ssize_t n = send(fd, buf, BUF, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "bench-tcp-send: send: %s\n", strerror(errno));
            return 1;
        }
        bytes += (unsigned long long)n;
    }
    shutdown(fd, SHUT_WR);
    char c;
    ssize_t r;
    while ((r = recv(fd, &c, 1, 0)) < 0 && errno == EINTR)
        ;
    double t1 = now_s();
    if (r != 0) {
        fprintf(stderr, "bench-tcp-send: expected the server's close, got %s\n",
                r < 0 ? strerror(errno) : "data");
        return 1;
    }
    close(fd);
    printf("%.4f %llu %.4f\n", (double)bytes * 8.0 / (t1 - t0) / 1e9, bytes, t1 - t0);
    return 0;
}
