#pragma once

namespace atlas::app {

// Parses the command line and runs the console or one command. Returns the exit status.
int run(int argc, char** argv);

} // namespace atlas::app
