/* A target for uprobe and USDT tests: calls getpid() and lt_add() N times and fires the USDT probe
 * linuxtrace:tick (with a semaphore, so only while a probe is on it) with three typed arguments.
 * Prints the number of rounds in which the semaphore was up: "sem=3". */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

unsigned short linuxtrace_tick_semaphore __attribute__((unused)) __attribute__((section(".probes")));

__attribute__((noinline)) int lt_add(int a, int b)
{
    __asm__ volatile("" ::: "memory");
    return a + b;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3, up = 0;
    for (int i = 1; i <= n; i++) {
        pid_t pid = getpid();
        int sum = lt_add(i, 100 * i);
        long neg = -1000L * i;
        unsigned sem = linuxtrace_tick_semaphore;
        (void)pid;
        if (sem) { /* only while a probe is on it: the kernel raises the semaphore (ref_ctr_offset) */
            STAP_PROBE3(linuxtrace, tick, i, neg, sum);
            up++;
        }
    }
    if (up) printf("sem=%d\n", up);
    return 0;
}
