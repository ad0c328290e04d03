#pragma once

#include <QString>

namespace atlas::runs {

// Removes secrets from text before it is stored or shown: authorization values, JWTs, PEM blocks
// (encrypted ones too), credentials in URLs, connection-string passwords, AWS/GitHub/Slack tokens,
// Slack webhooks, password=/client_secret=/AccountKey=/X-API-Key:-style pairs, plain and
// URL-encoded. The patterns are the same as in the database's atlas.redact(); the tests run both
// on one table of cases.
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
