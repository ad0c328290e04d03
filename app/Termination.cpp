#include "Termination.h"

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace atlas::app::termination {

namespace {
std::atomic_bool s_requested{false};
std::atomic_int s_signal{0};
std::atomic_int s_count{0};
int s_pipe[2] = {-1, -1};

// Only async-signal-safe calls in here: atomics, write(2), _exit(2).
void onSignal(int signal)
{
    if (s_count.fetch_add(1) > 0)
        ::_exit(128 + signal); // asked twice: no more waiting
    s_signal.store(signal);
    s_requested.store(true);
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(s_pipe[1], &byte, 1);
}
} // namespace

void install()
{
    static_assert(std::atomic_bool::is_always_lock_free && std::atomic_int::is_always_lock_free);
    if (s_pipe[0] >= 0)
        return;
    if (::pipe2(s_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return; // then the default action stays: the process ends, its runs are reaped
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signal : {SIGINT, SIGTERM, SIGHUP})
        ::sigaction(signal, &action, nullptr);
}

const std::atomic_bool& requested()
{
    return s_requested;
}

int signalNumber()
{
    return s_signal.load();
}

int wakeDescriptor()
{
    return s_pipe[0];
}

} // namespace atlas::app::termination
