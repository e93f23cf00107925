/*
 * pause: the process that holds a pod's namespaces on the local cluster's real node
 * (containerd's sandbox_image; see tools/images/pause.sh).
 *
 * It does nothing but wait in pause(2). SIGINT or SIGTERM end it with status 0, which is
 * how the runtime stops a pod sandbox. As PID 1 of its PID namespace it may inherit
 * orphaned processes (pods that share a process namespace), so it reaps every child that
 * exits. Built with `gcc -static`, so its image holds this one file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int signo)
{
    (void)signo;
    _exit(0);
}

static void reap(int signo)
{
    int saved_errno = errno;

    (void)signo;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = saved_errno;
}

static int on_signal(int signo, void (*handler)(int), int flags)
{
    struct sigaction action;

    memset(&action, 0, sizeof(action));
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    return sigaction(signo, &action, NULL);
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs("usage: pause (takes no arguments)\n", stderr);
        return 2;
    }
    /* PID 1 ignores signals it has no handler for, so the handlers are what make
     * SIGINT and SIGTERM work inside a PID namespace. */
    if (on_signal(SIGINT, stop, 0) != 0 || on_signal(SIGTERM, stop, 0) != 0 ||
        on_signal(SIGCHLD, reap, SA_NOCLDSTOP | SA_RESTART) != 0) {
        perror("pause: sigaction");
        return 1;
    }
    if (getpid() != 1) {
        fputs("pause: not running as PID 1; orphans will not be reaped here\n", stderr);
    }
    for (;;) {
        pause();
    }
}
