/* /init of the Linux comparison guest (bench/linux-guest): statically linked, the only process.
 * Prints "MAIN <CLOCK_BOOTTIME ns>" on entry, then either the micro-benchmarks as "BENCH name value unit"
 * lines (the same names as bench/kernel) or, with argument "idle", sleeps so the host can sample QEMU's
 * CPU. Powers the guest off at the end so QEMU exits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *s, int n, const char *unit)
{
    qsort(s, n, sizeof *s, cmp_double);
    int i50 = n / 2, i99 = (int)(0.99 * n);
    if (i99 >= n) i99 = n - 1;
    printf("BENCH %s_p50 %.1f %s\nBENCH %s_p99 %.1f %s\nBENCH %s_max %.1f %s\n",
           name, s[i50], unit, name, s[i99], unit, name, s[n - 1], unit);
    fflush(stdout);
}

/* A thread sleeps until an absolute deadline 1 ms ahead; latency = wake-up time - deadline. */
static void timer_wakeup(void)
{
    enum { N = 500 };
    static double s[N];
    for (int i = 0; i < N; i++) {
        int64_t deadline = now_ns(CLOCK_MONOTONIC) + 1000000;
        struct timespec d = { deadline / 1000000000, deadline % 1000000000 };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) != 0) {}
        s[i] = (now_ns(CLOCK_MONOTONIC) - deadline) / 1000.0;
    }
    report("timer_wakeup_latency", s, N, "us");
}

/* Two threads on one CPU yielding to each other: one sched_yield = one switch (as bench/kernel). */
static atomic_int stop;
static atomic_long yields_other;
static void *yielder(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) { sched_yield(); atomic_fetch_add(&yields_other, 1); }
    return NULL;
}

static void thread_switch(void)
{
    enum { ROUNDS = 20000 };
    pthread_t t;
    atomic_store(&stop, 0);
    pthread_create(&t, NULL, yielder, NULL);
    usleep(5000);
    long other0 = atomic_load(&yields_other);
    int64_t start = now_ns(CLOCK_MONOTONIC);
    for (int i = 0; i < ROUNDS; i++) sched_yield();
    int64_t ns = now_ns(CLOCK_MONOTONIC) - start;
    long other = atomic_load(&yields_other) - other0;
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    /* Each yield that found the other thread runnable switched to it: ours plus its own yields. */
    printf("BENCH thread_switch %.0f ns\n", (double)ns / (ROUNDS + other));
    fflush(stdout);
}

/* Blocking hand-off over a futex word, each way a wake + switch (the Monitor.Wait/Pulse equivalent). */
static atomic_int turn;
static long futex(atomic_int *w, int op, int v) { return syscall(SYS_futex, w, op, v, NULL, NULL, 0); }
static void wait_turn(int want)
{
    int v;
    while ((v = atomic_load(&turn)) != want) futex(&turn, FUTEX_WAIT_PRIVATE, v);
}
static void give_turn(int to) { atomic_store(&turn, to); futex(&turn, FUTEX_WAKE_PRIVATE, 1); }

enum { HANDOFFS = 5000 };
static void *ponger(void *arg)
{
    (void)arg;
    for (int i = 0; i < HANDOFFS; i++) { wait_turn(1); give_turn(0); }
    return NULL;
}

static void futex_handoff(void)
{
    pthread_t t;
    atomic_store(&turn, 0);
    pthread_create(&t, NULL, ponger, NULL);
    int64_t start = now_ns(CLOCK_MONOTONIC);
    for (int i = 0; i < HANDOFFS; i++) { give_turn(1); wait_turn(0); }
    int64_t ns = now_ns(CLOCK_MONOTONIC) - start;
    pthread_join(t, NULL);
    printf("BENCH monitor_handoff %.0f ns\n", (double)ns / (2.0 * HANDOFFS));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int64_t boot = now_ns(CLOCK_BOOTTIME);
    /* The initramfs carries /dev/console; devtmpfs is a fallback should it be missing. */
    if (access("/dev/console", W_OK) != 0) {
        mkdir("/dev", 0755);
        mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
        int fd = open("/dev/console", O_RDWR);
        if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); }
    }
    printf("MAIN %lld ns after kernel start\n", (long long)boot);
    fflush(stdout);

    const char *mode = argc > 1 ? argv[argc - 1] : "bench";
    if (strcmp(mode, "idle") == 0) {
        int seconds = 20;
        printf("IDLE-START %d s\n", seconds);
        fflush(stdout);
        sleep(seconds);
    } else if (strcmp(mode, "boot") != 0) {
        timer_wakeup();
        thread_switch();
        futex_handoff();
    }
    printf("DONE\n");
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    for (;;) pause();
}
