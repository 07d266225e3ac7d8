/* Linked into the ThreadSanitizer build of kiln-edge only (make tsan).
 * Debian's libuv closes descriptors with syscall(SYS_close, fd), which TSan does
 * not intercept: it never sees a worker's socket closed, and when the main
 * thread's next open() (a reload reading the release) gets the same number, it
 * reports a race on that descriptor between the worker's accept4/epoll_ctl and
 * the main thread's open/fstat/close. This syscall() takes precedence over
 * libc's for libuv too (the executable comes first in symbol lookup) and sends
 * SYS_close through close(), which TSan intercepts; every other call goes on to
 * libc's syscall() unchanged. */
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

long
syscall(long nr, ...)
{
    static long (*next)(long, ...);
    long a[6];
    va_list ap;

    va_start(ap, nr);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (nr == SYS_close)
        return close((int)a[0]);
    if (!next)
        *(void **)&next = dlsym(RTLD_NEXT, "syscall");
    return next(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
