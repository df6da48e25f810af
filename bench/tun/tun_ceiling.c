/* tun_ceiling.c — bench-tun-ceiling: how fast one thread can take
 * MTU-sized packets out of a plain TUN device (one read per datagram), the
 * ceiling for anything receiving bulk data over plain TUN.
 *
 *   bench-tun-ceiling DEV MS      (run in the namespace bench/tun.sh made)
 *
 * Creates DEV, waits until the script configured its kernel side
 * (198.18.2.1/24, prints "ready" first), then a thread floods 1472-byte
 * UDP datagrams at 198.18.2.2 (routed out through DEV) while the main
 * thread reads and counts for MS milliseconds. Prints the rate of TCP
 * payload that many 1500-byte packets would carry (1460 bytes each), in
 * Gbit/s, so it compares directly with TCP goodput. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tun/tun.h"

static atomic_int stop;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *flood(void *arg)
{
    (void)arg;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(9);
    inet_pton(AF_INET, "198.18.2.2", &sa.sin_addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("bench-tun-ceiling: udp socket");
        exit(1);
    }
    static char payload[1472];
    while (!atomic_load(&stop))
        if (send(fd, payload, sizeof payload, 0) < 0 && errno != ENOBUFS && errno != EAGAIN)
            break;
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench-tun-ceiling DEV MS\n");
        return 2;
    }
    tun_dev dev;
    char err[256];
    if (tun_open(&dev, argv[1], 0, err, sizeof err) < 0) {
        fprintf(stderr, "bench-tun-ceiling: %s\n", err);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin))     /* the script configured DEV */
        return 1;
    pthread_t th;
    if (pthread_create(&th, NULL, flood, NULL) != 0)
        return 1;
    static uint8_t buf[TUN_MAX_PACKET];
    unsigned long long pkts = 0;
    double t0 = now_s(), stop_at = t0 + atof(argv[2]) / 1000.0, t = t0;
    unsigned spins = 0;
    while (t < stop_at) {
        unsigned fl;
        long n = tun_read(&dev, buf, sizeof buf, &fl);
        if (n < 0) {
            perror("bench-tun-ceiling: read");
            return 1;
        }
        if (n >= 1500)
            pkts++;
        if (n == 0 || ++spins % 256 == 0)
            t = now_s();
    }
    atomic_store(&stop, 1);
    pthread_join(th, NULL);
    tun_close(&dev);
    printf("%.4f\n", (double)pkts * 1460.0 * 8.0 / (t - t0) / 1e9);
    return 0;
}
