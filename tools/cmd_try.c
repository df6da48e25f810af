/* cmd_try.c — `synack try`: the one-command try-out. It creates a network
 * namespace, a TUN device inside it (kernel side 198.18.0.1/24, synack
 * 198.18.0.2), runs `synack serve` on it, and starts a shell (or the
 * given command) inside the namespace so that curl, nc, ping and friends
 * talk to synack. When the shell or command ends, or on Ctrl-C / SIGTERM
 * / SIGHUP, it stops the server and deletes the namespace, which takes
 * the device with it.
 *
 * Signals reach us through the loop's signalfd (cmd_net.c), so every way
 * out runs the same teardown. Only a SIGKILL can leave the namespace
 * behind; `ip netns del synack-try` removes it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd_net.h"

typedef struct try_ctx {
    const char *netns;
    char kernel_cidr[32];
    char **cmd;                 /* command to run, or NULL */
    int interactive;            /* start a shell */
    pid_t child;
    int child_status;
} try_ctx;

/* Runs a program and waits for it; returns its exit status or -1. */
static int run_prog(char *const argv[], int quiet)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        net_env_child_sigmask();
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int started(void *ctx, net_env *e)
{
    try_ctx *t = ctx;
    char *dev = e->dev.name;
    char *addr[] = { "ip", "addr", "add", t->kernel_cidr, "dev", dev, NULL };
    char *up[] = { "ip", "link", "set", dev, "up", NULL };
    char *lo[] = { "ip", "link", "set", "lo", "up", NULL };
    if (run_prog(addr, 0) != 0 || run_prog(up, 0) != 0 || run_prog(lo, 0) != 0) {
        fprintf(stderr, "synack try: cannot configure %s in namespace %s\n", dev, t->netns);
        return -1;
    }
    char me[24];
    net_ep_str(e->opts.addr, 0, me);
    me[strlen(me) - 2] = 0;     /* drop ":0" */
    fprintf(stderr,
            "\nsynack is up at %s behind %s in network namespace '%s' (kernel side %s).\n"
            "From a shell in the namespace (this one, or: sudo ip netns exec %s bash):\n"
            "    curl http://%s/                   # a page served by synack\n"
            "    curl -o /dev/null http://%s/bytes/100000000\n"
            "    echo hello | nc -N %s 7           # echo service\n"
            "    ping -c 3 %s\n"
            "Leave the shell (exit or Ctrl-D), or press Ctrl-C, to tear everything down.\n\n",
            me, dev, t->netns, t->kernel_cidr, t->netns, me, me, me, me);
    if (!t->cmd && !t->interactive)
        return 0;
    t->child = fork();
    if (t->child < 0) {
        fprintf(stderr, "synack try: fork: %s\n", strerror(errno));
        return -1;
    }
    if (t->child == 0) {
        net_env_child_sigmask();
        setenv("SYNACK_TRY", t->netns, 1);
        if (t->cmd) {
            execvp(t->cmd[0], t->cmd);
            fprintf(stderr, "synack try: cannot run %s: %s\n", t->cmd[0], strerror(errno));
            _exit(127);
        }
        const char *sh = getenv("SHELL");
        if (!sh || !*sh)
            sh = "/bin/sh";
        execl(sh, sh, "-i", (char *)NULL);
        fprintf(stderr, "synack try: cannot run %s: %s\n", sh, strerror(errno));
        _exit(127);
    }
    return 0;
}

static int done(void *ctx, net_env *e)
{
    try_ctx *t = ctx;
    if (t->child <= 0 || !e->child_exited)
        return 0;
    e->child_exited = 0;
    int st;
    pid_t r = waitpid(t->child, &st, WNOHANG);
    if (r != t->child)
        return 0;
    t->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    t->child = 0;
    return 1;
}

static void usage(FILE *out)
{
    fputs("usage: synack try [--netns NAME] [serve options] [-- COMMAND [ARGS...]]\n"
          "Creates network namespace NAME (default synack-try) with a TUN device, kernel side\n"
          "198.18.0.1/24, runs `synack serve` at 198.18.0.2 on it and starts COMMAND inside the\n"
          "namespace (default: an interactive shell when stdin is a terminal, else nothing:\n"
          "serve until Ctrl-C). Everything is deleted when it ends. Needs root.\n"
          "See `synack serve --help` for the serve options.\n",
          out);
}

static int run(int argc, char **argv)
{
    try_ctx t;
    memset(&t, 0, sizeof t);
    t.netns = "synack-try";
    uint32_t addr = NET_DEFAULT_ADDR;
    /* Serve's arguments: ours are taken out, the rest passed on. */
    char **sargv = calloc((size_t)argc + 1, sizeof *sargv);
    if (!sargv)
        return 1;
    int sargc = 0;
    sargv[sargc++] = argv[0];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            if (i + 1 < argc)
                t.cmd = argv + i + 1;
            break;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            free(sargv);
            return 0;
        }
        if (strcmp(argv[i], "--netns") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0] || strchr(argv[i + 1], '/')) {
                fprintf(stderr, "synack try: --netns needs a name\n");
                free(sargv);
                return 2;
            }
            t.netns = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc)
            net_parse_addr(argv[i + 1], &addr);
        sargv[sargc++] = argv[i];
    }
    /* The kernel side takes .1 of synack's /24 (.2 if synack is .1). */
    uint32_t k = (addr & 0xFFFFFF00u) | ((addr & 255) == 1 ? 2 : 1);
    snprintf(t.kernel_cidr, sizeof t.kernel_cidr, "%u.%u.%u.%u/24", k >> 24, (k >> 16) & 255,
             (k >> 8) & 255, k & 255);
    t.interactive = !t.cmd && isatty(0);
    if (geteuid() != 0) {
        fprintf(stderr, "synack try: needs root (network namespaces and TUN devices): "
                        "run it with sudo\n");
        free(sargv);
        return 1;
    }
    char *add[] = { "ip", "netns", "add", (char *)t.netns, NULL };
    int r = run_prog(add, 0);
    if (r != 0) {
        fprintf(stderr, "synack try: 'ip netns add %s' failed%s\n", t.netns,
                r == 127 ? " (is iproute2 installed?)"
                         : " (left over from an earlier run? 'ip netns del' it)");
        free(sargv);
        return 1;
    }
    char path[256];
    snprintf(path, sizeof path, "/run/netns/%s", t.netns);
    int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 1;
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
        fprintf(stderr, "synack try: cannot enter namespace %s: %s\n", t.netns, strerror(errno));
    } else {
        serve_ctl ctl = { started, done, &t };
        rc = serve_run(sargc, sargv, "synack try", &ctl);
        if (t.child > 0) {
            /* We are stopping first (signal): end the command too. */
            kill(t.child, SIGTERM);
            waitpid(t.child, NULL, 0);
        } else if (rc == 0 && (t.cmd || t.interactive)) {
            rc = t.child_status;
        }
    }
    if (fd >= 0)
        close(fd);
    if (home >= 0) {
        setns(home, CLONE_NEWNET);     /* leave before deleting it */
        close(home);
    }
    char *del[] = { "ip", "netns", "del", (char *)t.netns, NULL };
    if (run_prog(del, 0) != 0)
        fprintf(stderr, "synack try: could not delete namespace %s: 'ip netns del %s'\n",
                t.netns, t.netns);
    else
        fprintf(stderr, "synack try: namespace %s deleted\n", t.netns);
    free(sargv);
    return rc;
}

const synack_command cmd_try = {
    .name = "try",
    .summary = "one-command try-out: namespace + TUN + synack serve + a shell (root)",
    .run = run,
    .usage = usage,
};
