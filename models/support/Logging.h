#pragma once

#include <QString>

namespace atlas::support {

// spdlog set up once per process: stderr for warnings and worse (commands keep their one-line
// errors), and a rotating file in the user's state directory ($XDG_STATE_HOME/atlas-ops, or
// ~/.local/state/atlas-ops): 5 files of 2 MiB. The level comes from --log-level, else the
// setting "log/level", else "info" for the file. Messages that reach it pass the redactor.
class Logging final
{
public:
    static void setUp(const QString& level);
    static QString logDirectory();
    static QString logFile();
};

} // namespace atlas::support
