#include "Logging.h"

#include "runs/Redactor.h"

#include <QDir>
#include <QSettings>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace atlas::support {

namespace {
// Passes every message through the redactor before the real sink sees it.
template <typename Mutex> class RedactingSink final : public spdlog::sinks::base_sink<Mutex>
{
public:
    explicit RedactingSink(std::shared_ptr<spdlog::sinks::sink> inner)
        : m_inner(std::move(inner))
    { }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        const QString text = QString::fromUtf8(msg.payload.data(), qsizetype(msg.payload.size()));
        const QByteArray clean = runs::Redactor::redact(text).toUtf8();
        spdlog::details::log_msg copy(msg);
        copy.payload = spdlog::string_view_t(clean.constData(), size_t(clean.size()));
        m_inner->log(copy);
    }
    void flush_() override { m_inner->flush(); }

private:
    std::shared_ptr<spdlog::sinks::sink> m_inner;
};
} // namespace

QString Logging::logDirectory()
{
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/state");
    return base + QStringLiteral("/atlas-ops");
}

QString Logging::logFile()
{
    return logDirectory() + QStringLiteral("/atlas-ops.log");
}

void Logging::setUp(const QString& level)
{
    QString wanted = level;
    if (wanted.isEmpty())
        wanted = QSettings().value(QStringLiteral("log/level")).toString();
    const auto fileLevel = spdlog::level::from_str(wanted.isEmpty() ? "info" : wanted.toStdString());

    // spdlog asks the outer sink whether to log: the levels go on the redacting wrappers.
    auto console = std::make_shared<RedactingSink<std::mutex>>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    console->set_level(level.isEmpty() ? spdlog::level::warn : fileLevel);
    std::vector<spdlog::sink_ptr> sinks{console};
    if (QDir().mkpath(logDirectory())) {
        try {
            auto file = std::make_shared<RedactingSink<std::mutex>>(
                std::make_shared<spdlog::sinks::rotating_file_sink_mt>(logFile().toStdString(), 2 * 1024 * 1024, 5));
            file->set_level(fileLevel);
            sinks.push_back(file);
        } catch (const spdlog::spdlog_ex&) {
            // Not writable: logging goes to stderr only.
        }
    }
    auto logger = std::make_shared<spdlog::logger>("atlas", sinks.begin(), sinks.end());
    logger->set_level(std::min(fileLevel, level.isEmpty() ? spdlog::level::warn : fileLevel));
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e [%t] %^%l%$ %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

} // namespace atlas::support
