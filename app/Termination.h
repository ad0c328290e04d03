#pragma once

#include <atomic>

namespace atlas::app::termination {

// SIGINT, SIGTERM and SIGHUP (Ctrl+C in a terminal, a session or the machine shutting down,
// `systemctl stop`): the first asks this process to stop what it executes and end, the way a
// person stopping it would (the runs end aborted/cancelled at once, with what they recorded,
// not two minutes later by the reaper as a crashed process's runs do); a second one ends the
// process at once. Call install() once, early, on the main thread.
void install();

// Set by the first signal; a run worker's stop flag in the command line.
const std::atomic_bool& requested();
// The first signal's number (0 before any).
int signalNumber();
// Readable (a byte per signal) from the first signal on: for a QSocketNotifier in the console.
int wakeDescriptor();

} // namespace atlas::app::termination
