#pragma once

#include <QString>

namespace atlas::runs {

// Removes secrets from text before it is stored or shown: bearer/basic authorization values,
// JWTs, PEM blocks, credentials in URLs and password=/client_secret=-style pairs. The patterns
// are the same as in the database's atlas.redact(); the tests run both on one table of cases.
class Redactor final
{
public:
    static QString redact(const QString& text);
    // Redacted, control characters folded to spaces, capped at kMaxMessageLength characters.
    static QString sanitizeMessage(const QString& text);
    static bool isReasonCode(const QString& code);

    static constexpr int kMaxMessageLength = 300;
};

} // namespace atlas::runs
