#include "Command.h"

#include "RunCommands.h"
#include "RunsCommands.h"
#include "SetupCommands.h"

namespace atlas::app::commands {

// The one list of commands. A new command is a class (Command, or ParsedCommand/RunCommand for
// the usual steps) added here; --help, the man page test and dispatch follow from it.
const std::vector<std::unique_ptr<const Command>>& CommandRegistry::all()
{
    static const std::vector<std::unique_ptr<const Command>> commands = [] {
        std::vector<std::unique_ptr<const Command>> list;
        list.push_back(std::make_unique<Migrate>());
        list.push_back(std::make_unique<Tenants>());
        list.push_back(std::make_unique<InventoryImport>());
        list.push_back(std::make_unique<BaselineCapture>());
        list.push_back(std::make_unique<BackupSetCreate>());
        list.push_back(std::make_unique<BackupSetExport>());
        list.push_back(std::make_unique<RunDrift>());
        list.push_back(std::make_unique<RunAddPolicies>());
        list.push_back(std::make_unique<RunsList>());
        list.push_back(std::make_unique<RunsShow>());
        list.push_back(std::make_unique<RunsCancel>());
        list.push_back(std::make_unique<RunsPrune>());
        return list;
    }();
    return commands;
}

const Command* CommandRegistry::find(const QStringList& words)
{
    for (const auto& command : all()) {
        const qsizetype n = command->words().size();
        const bool exact = words.size() == n;
        if (words.mid(0, n) == command->words() && (exact || !command->arguments().isEmpty()))
            return command.get();
    }
    return nullptr;
}

bool CommandRegistry::isFirstWord(const QString& word)
{
    for (const auto& command : all()) {
        if (command->words().constFirst() == word)
            return true;
    }
    return false;
}

} // namespace atlas::app::commands
