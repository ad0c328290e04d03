#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace atlas::inventory {

// One policy file found in an IntuneManagement export folder.
struct ExportFile
{
    QString policyType;   // the folder it is in, e.g. "SettingsCatalog"
    QString relativePath; // "SettingsCatalog/Win - OIB - ....json": the run's item id
    QString absolutePath;
};

// A file read and judged: either a policy, or a failure with a reason code.
struct ReadPolicy
{
    QString externalId;
    QString displayName;
    QJsonObject payload;
    QByteArray compactPayload; // the payload as compact JSON (UTF-8), as measured against the limit
    QString reasonCode;        // empty on success
    QString message;
    bool ok() const { return reasonCode.isEmpty(); }
};

// Reads IntuneManagement exports: one folder per policy type, one Graph JSON file per policy,
// encoded UTF-16LE/BE with BOM (the tool's default), UTF-8 with or without BOM, or BOM-less
// UTF-16 (recognised by its zero bytes); CRLF or LF.
class ExportReader final
{
public:
    static constexpr qint64 kMaxFileBytes = 8 * 1024 * 1024; // on disk (UTF-16 doubles the size)
    static constexpr int kMaxPayloadBytes = 4 * 1024 * 1024; // compact JSON, as stored
    static constexpr int kMaxDepth = 64;

    // The policy files of an export folder, sorted by path. Files and folders that are symbolic
    // links are followed only while they stay inside the folder. Returns false with *error when
    // the folder itself cannot be read. `ignored` counts the files that take no part: at the
    // root (IntuneManagement's MigrationTable.json), not JSON (.DS_Store, readme.txt), or deeper.
    static bool scan(const QString& folder, QList<ExportFile>* files, QString* error, int* ignored = nullptr);

    // Decodes a file's bytes to text; false when the bytes are not valid in any supported encoding.
    static bool decode(const QByteArray& bytes, QString* text);
    // Nesting depth of a JSON text (brackets outside strings).
    static int nestingDepth(const QString& text);
    // Reads and judges one file: payload_unreadable, payload_too_large, payload_too_deep,
    // missing_id, or a policy.
    static ReadPolicy read(const ExportFile& file);
    static ReadPolicy parse(const QByteArray& bytes);
};

} // namespace atlas::inventory
