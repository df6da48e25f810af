/* tcp_sink.c — bench-tcp-sink: the kernel's own TCP as the server of the
 * device benchmark (run in a network namespace behind veth).
 *
 *   bench-tcp-sink PORT
 *
 * Accepts one connection, reads and discards until EOF, closes, exits. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-tcp-sink PORT\n");
        return 2;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(argv[1]));
    int one = 1;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 1) != 0) {
        fprintf(stderr, "bench-tcp-sink: listen on %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int fd = accept(l, NULL, NULL);
    if (fd < 0) {
        fprintf(stderr, "bench-tcp-sink: accept: %s\n", strerror(errno));
        return 1;
    }
    static char buf[256 * 1024];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0)
            break;
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "bench-tcp-sink: recv: %s\n", strerror(errno));
            return 1;
        }
    }
    close(fd);
    close(l);
    return 0;
}
