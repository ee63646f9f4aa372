/* A slower disk for the `replicas` bench: every fsync and fdatasync of the
 * processes it is preloaded into waits SLOW_FSYNC_US microseconds first
 * (PostgreSQL's WAL flushes among them), as on a network disk or with a
 * synchronous standby. Built and used by hand (BENCHMARKS.md, "PostgreSQL
 * replicas"):
 *
 *   gcc -shared -fPIC -O2 -o /tmp/slow_fsync.so cli/benches/replicas/slow_fsync.c -ldl
 *   LD_PRELOAD=/tmp/slow_fsync.so SLOW_FSYNC_US=4000 \
 *     cargo bench -p standin-cli --bench replicas -- --rows "PostgreSQL, 2 replicas, 1 tenant"
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static void wait_first(void) {
    const char *us = getenv("SLOW_FSYNC_US");
    if (us) usleep((useconds_t)atoi(us));
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_first();
    return real(fd);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_first();
    return real(fd);
}
