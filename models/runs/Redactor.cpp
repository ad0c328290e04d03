#include "Redactor.h"

#include <QRegularExpression>

#include <utility>
#include <vector>

namespace atlas::runs {

namespace {
struct Rule
{
    const char* pattern;
    const char* replacement;
    bool caseInsensitive;
};

// Order matters and matches atlas.redact(): PEM, JWT, bearer, basic, URL credentials, pairs.
constexpr Rule kRules[] = {
    {"-----BEGIN [A-Z0-9 ]+-----[^-]*(-----END [A-Z0-9 ]+-----)?", "[REDACTED PEM]", false},
    {"eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}(\\.[A-Za-z0-9_-]*)?", "[REDACTED JWT]", false},
    {"(bearer)[[:space:]]+[A-Za-z0-9._~+/=-]{6,}", "\\1 [REDACTED]", true},
    {"(Basic)[[:space:]]+[A-Za-z0-9+/]{6,}=*", "\\1 [REDACTED]", false},
    {"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/[:space:]:@]+:[^/[:space:]@]+@", "\\1[REDACTED]@", false},
    {"(password|passwd|pwd|client_secret|secret|access_token|refresh_token|id_token|token|api_key|apikey|sas|sig)"
     "(\"?[[:space:]]*[=:][[:space:]]*)(\"[^\"]*\"|'[^']*'|[^[:space:]&;,\"']+)",
     "\\1\\2[REDACTED]", true},
};

const std::vector<std::pair<QRegularExpression, QString>>& compiledRules()
{
    static const auto rules = [] {
        std::vector<std::pair<QRegularExpression, QString>> out;
        for (const Rule& rule : kRules) {
            QRegularExpression::PatternOptions opts = QRegularExpression::NoPatternOption;
            if (rule.caseInsensitive)
                opts |= QRegularExpression::CaseInsensitiveOption;
            out.emplace_back(QRegularExpression(QString::fromLatin1(rule.pattern), opts),
                             QString::fromLatin1(rule.replacement));
        }
        return out;
    }();
    return rules;
}
} // namespace

QString Redactor::redact(const QString& text)
{
    QString out = text;
    for (const auto& [re, replacement] : compiledRules())
        out.replace(re, replacement);
    return out;
}

QString Redactor::sanitizeMessage(const QString& text)
{
    static const QRegularExpression controls(QStringLiteral("[[:cntrl:]]+"));
    QString out = redact(text);
    out.replace(controls, QStringLiteral(" "));
    return out.left(kMaxMessageLength);
}

bool Redactor::isReasonCode(const QString& code)
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_]{0,63}$"));
    return re.match(code).hasMatch();
}

} // namespace atlas::runs
