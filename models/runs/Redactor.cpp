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

// The names whose value is a secret in `name=value`, `name: value` and URL-encoded pairs.
#define ATLAS_SECRET_NAMES                                                                                                       \
    "password|passwd|pwd|client_secret|secret_access_key|secretaccesskey|secret|access_token|"                                   \
    "refresh_token|id_token|token|api_key|apikey|api-key|subscription-key|functions-key|accountkey|"                             \
    "sharedaccesskey|sas|sig"

// Order matters and matches atlas.redact(), rule for rule: every pattern stays in the part of the
// syntax PCRE2 and PostgreSQL's regular expressions read alike (no look-behind, no \b, greedy only,
// alternatives that cannot both match at one place), so both give the same text.
constexpr Rule kRules[] = {
    // PEM blocks, encrypted ones with Proc-Type:/DEK-Info: headers too, and cut-off ones.
    {"-----BEGIN [A-Z0-9 ]+-----(?:[^-]|-[^-])*(-----END [A-Z0-9 ]+-----)?", "[REDACTED PEM]", false},
    // JWTs: base64url JSON header and payload ({" is eyJ; {\n, {\r, { " are ew../ey..).
    {"eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}(\\.[A-Za-z0-9_-]*)?"
     "|e[wy][A-Za-z0-9_-]{8,}\\.e[wy][A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*",
     "[REDACTED JWT]", false},
    // Authorization header values, with or without a scheme, in any case.
    {"(authorization[\"']?[[:space:]]*[:=][[:space:]]*[\"']?"
     "((basic|bearer|negotiate|ntlm|token)[[:space:]]+)?)[A-Za-z0-9._~+/=-]{8,}",
     "\\1[REDACTED]", true},
    {"(bearer)[[:space:]]+[A-Za-z0-9._~+/=-]{6,}", "\\1 [REDACTED]", true},
    // Not lower-case "basic": that is a word ("basic settings").
    {"(Basic|BASIC)[[:space:]]+[A-Za-z0-9+/]{6,}=*", "\\1 [REDACTED]", false},
    // user:password@ in URLs, up to the last @ of the URL: passwords may hold / and @, users may
    // be empty.
    {"([a-zA-Z][a-zA-Z0-9+.-]*://)[^[:space:]/:\"'<>]*:[^[:space:]\"'<>]*@", "\\1[REDACTED]@", false},
    // Connection strings: Password=/Pwd= up to the ; (spaces included) or a {...} value.
    {"((password|pwd)[[:space:]]*=[[:space:]]*)(\\{[^}]*\\}|[^;\"'\\r\\n{[:space:]][^;\"'\\r\\n]*(;))", "\\1[REDACTED]\\4", true},
    {"(;[[:space:]]*(password|pwd)[[:space:]]*=[[:space:]]*)[^;\"'\\r\\n{[:space:]][^;\"'\\r\\n]*", "\\1[REDACTED]", true},
    // Tokens known by their prefix: AWS access key ids, GitHub and Slack tokens.
    {"A(KIA|SIA)[0-9A-Z]{16}"
     "|gh[oprsu]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,}"
     "|(xox[abeoprs]|xapp)-[A-Za-z0-9-]{10,}",
     "[REDACTED]", false},
    {"(hooks\\.slack\\.com/(services|workflows|triggers)/)[A-Za-z0-9_/+-]+", "\\1[REDACTED]", true},
    // URL-encoded pairs (password%3D..., %22password%22%3A%22...%22): the value ends at %26 or %22.
    {"(" ATLAS_SECRET_NAMES ")((%22)?%3[AD](%22)?)"
     "([^[:space:]&%;,\"']|%([013-9A-F][0-9A-F]|2[013-57-9A-F]))+",
     "\\1\\2[REDACTED]", true},
    {"(" ATLAS_SECRET_NAMES ")(\"?[[:space:]]*[=:][[:space:]]*)(\"[^\"]*\"|'[^']*'|[^[:space:]&;,\"']+)", "\\1\\2[REDACTED]",
     true},
};
#undef ATLAS_SECRET_NAMES

const std::vector<std::pair<QRegularExpression, QString>>& compiledRules()
{
    static const auto rules = [] {
        std::vector<std::pair<QRegularExpression, QString>> out;
        for (const Rule& rule : kRules) {
            QRegularExpression::PatternOptions opts = QRegularExpression::NoPatternOption;
            if (rule.caseInsensitive)
                opts |= QRegularExpression::CaseInsensitiveOption;
            out.emplace_back(QRegularExpression(QString::fromLatin1(rule.pattern), opts), QString::fromLatin1(rule.replacement));
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
