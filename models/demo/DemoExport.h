#pragma once

#include <QString>

namespace atlas::demo {

// Writes a small IntuneManagement-style export of realistic, made-up policies (Graph JSON,
// UTF-16LE with BOM and CRLF, one folder per policy type). Release 1 and release 2 differ the way
// real baselines do: settings changed, a policy added, one retired.
class DemoExport final
{
public:
    static bool write(const QString& folder, int release, QString* error);
};

} // namespace atlas::demo
