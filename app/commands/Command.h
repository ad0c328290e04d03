#pragma once

#include "Commands.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QStringList>

#include <memory>
#include <vector>

namespace atlas::app::commands {

// What one command is given: the parsed command line and the words after the command's own.
struct Invocation
{
    const QCommandLineParser& parser;
    const Options& options;
    QStringList arguments; // "DIR", "ID": what follows e.g. {"runs", "show"}

    bool isSet(const QCommandLineOption& option) const { return parser.isSet(option); }
    QString value(const QCommandLineOption& option) const { return parser.value(option); }
    bool json() const { return parser.isSet(options.json); }
};

// Prints "atlas-ops: MESSAGE" on stderr, on one line; returns exit status 1.
int fail(const QString& message);

// One command of the command line: its words, how --help shows it, what it takes, and how it
// runs. Every command is registered once in CommandRegistry; help, dispatch and the check of
// the options all read that list.
class Command
{
public:
    virtual ~Command() = default;

    const QStringList& words() const { return m_spec.words; }
    QString name() const { return m_spec.words.join(QLatin1Char(' ')); }
    // As --help shows it: "run drift --tenant UUID --baseline ID [--wait] [--json]".
    const QString& synopsis() const { return m_spec.synopsis; }
    // What it does, in a few words (may be empty: the synopsis says it).
    const QString& help() const { return m_spec.help; }
    // The words it takes after its own ("DIR", "ID"); a command with none takes no more words.
    const QStringList& arguments() const { return m_spec.arguments; }
    // "usage: atlas-ops ...": the synopsis without the --json every command takes.
    QString usage() const;

    // The options it takes besides the ones every command takes (options.common()).
    virtual QList<QCommandLineOption> takes(const Options& options) const;
    // Reads and checks what it was given, then does its work; the exit status.
    virtual int run(const Invocation& in) const = 0;

protected:
    struct Spec
    {
        QStringList words;
        QString synopsis;
        QString help;
        QStringList arguments = {};
    };
    explicit Command(Spec spec)
        : m_spec(std::move(spec))
    { }

private:
    Spec m_spec;
};

// A command in two steps: parse() reads and checks the command line into a Parsed (refusing in
// one line, exit status 1, before anything is done), execute() does the work.
template <typename Parsed> class ParsedCommand : public Command
{
public:
    int run(const Invocation& in) const final
    {
        Parsed parsed{};
        QString error;
        if (!parse(in, &parsed, &error))
            return fail(error);
        return execute(in, parsed);
    }

protected:
    using Command::Command;
    virtual bool parse(const Invocation& in, Parsed* parsed, QString* error) const = 0;
    virtual int execute(const Invocation& in, const Parsed& parsed) const = 0;
};

class CommandRegistry final
{
public:
    // Every command, in the order --help lists them.
    static const std::vector<std::unique_ptr<const Command>>& all();
    // The command these positional words name (its words, and more only if it takes arguments);
    // nullptr when none does.
    static const Command* find(const QStringList& words);
    // Whether some command begins with this word.
    static bool isFirstWord(const QString& word);
};

} // namespace atlas::app::commands
