/* A program whose user stack the kernel can walk (built with -O0 -fno-omit-frame-pointer: a frame in every function):
 * main -> lt_outer -> lt_middle -> lt_inner, which makes the getppid system call itself (so that the stack's first
 * frame is lt_inner, not libc), as many times as its first argument says; then it sleeps a little, so that its maps
 * can still be read. */
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

static inline __attribute__((always_inline)) long lt_getppid(void)
{
#if defined(__x86_64__)
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_getppid) : "rcx", "r11", "memory");
    return r;
#else
    return syscall(SYS_getppid);
#endif
}

__attribute__((noinline)) void lt_inner(int n) { for (int i = 0; i < n; i++) lt_getppid(); __asm__ volatile(""); }
__attribute__((noinline)) void lt_middle(int n) { lt_inner(n); __asm__ volatile(""); }
__attribute__((noinline)) void lt_outer(int n) { lt_middle(n); __asm__ volatile(""); }

int main(int argc, char **argv)
{
    lt_outer(argc > 1 ? atoi(argv[1]) : 10);
    usleep(argc > 2 ? atoi(argv[2]) * 1000 : 600 * 1000);
    return 0;
}
