#include "ExportReader.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStringDecoder>

namespace atlas::inventory {

namespace {
bool inside(const QString& canonicalRoot, const QString& path)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    return !canonical.isEmpty() && (canonical == canonicalRoot || canonical.startsWith(canonicalRoot + QLatin1Char('/')));
}

bool decodeWith(QStringConverter::Encoding encoding, QByteArrayView bytes, QString* text)
{
    QStringDecoder decoder(encoding, QStringConverter::Flag::Stateless);
    *text = decoder.decode(bytes);
    return !decoder.hasError();
}
} // namespace

bool ExportReader::scan(const QString& folder, QList<ExportFile>* files, QString* error, int* ignored)
{
    const QFileInfo rootInfo(folder);
    if (!rootInfo.isDir() || !rootInfo.isReadable()) {
        *error = QStringLiteral("not a readable folder: %1").arg(folder);
        return false;
    }
    const QString root = rootInfo.canonicalFilePath();
    const QDir rootDir(root);
    files->clear();
    int skipped = rootDir.entryList(QDir::Files | QDir::Hidden).size(); // files at the root
    for (const QFileInfo& typeDir : rootDir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (!inside(root, typeDir.absoluteFilePath()))
            continue; // a link leading out of the export
        const QDir dir(typeDir.absoluteFilePath());
        for (const QFileInfo& file : dir.entryInfoList(QDir::Files | QDir::Hidden, QDir::Name)) {
            if (file.isHidden() || file.suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) != 0 ||
                !inside(root, file.absoluteFilePath())) {
                ++skipped;
                continue;
            }
            files->append({typeDir.fileName(), typeDir.fileName() + QLatin1Char('/') + file.fileName(), file.absoluteFilePath()});
        }
    }
    if (ignored)
        *ignored = skipped;
    std::sort(files->begin(), files->end(),
              [](const ExportFile& a, const ExportFile& b) { return a.relativePath < b.relativePath; });
    return true;
}

bool ExportReader::decode(const QByteArray& bytes, QString* text)
{
    const QByteArrayView view(bytes);
    if (view.startsWith("\xEF\xBB\xBF"))
        return decodeWith(QStringConverter::Utf8, view.sliced(3), text);
    if (view.startsWith("\xFF\xFE"))
        return decodeWith(QStringConverter::Utf16LE, view.sliced(2), text);
    if (view.startsWith("\xFE\xFF"))
        return decodeWith(QStringConverter::Utf16BE, view.sliced(2), text);
    // No BOM: JSON starts with ASCII, so UTF-16 shows a zero byte in the first two.
    if (bytes.size() >= 2 && bytes.size() % 2 == 0) {
        if (bytes[0] != 0 && bytes[1] == 0)
            return decodeWith(QStringConverter::Utf16LE, view, text);
        if (bytes[0] == 0 && bytes[1] != 0)
            return decodeWith(QStringConverter::Utf16BE, view, text);
    }
    return decodeWith(QStringConverter::Utf8, view, text);
}

int ExportReader::nestingDepth(const QString& text)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    bool escaped = false;
    for (const QChar c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == QLatin1Char('\\'))
                escaped = true;
            else if (c == QLatin1Char('"'))
                inString = false;
            continue;
        }
        if (c == QLatin1Char('"'))
            inString = true;
        else if (c == QLatin1Char('{') || c == QLatin1Char('['))
            deepest = std::max(deepest, ++depth);
        else if (c == QLatin1Char('}') || c == QLatin1Char(']'))
            --depth;
    }
    return deepest;
}

ReadPolicy ExportReader::parse(const QByteArray& bytes)
{
    ReadPolicy out;
    QString text;
    if (!decode(bytes, &text)) {
        out.reasonCode = QStringLiteral("payload_unreadable");
        out.message = QStringLiteral("The file is not valid UTF-8 or UTF-16 text.");
        return out;
    }
    if (nestingDepth(text) > kMaxDepth) {
        out.reasonCode = QStringLiteral("payload_too_deep");
        out.message = QStringLiteral("JSON nested deeper than %1 levels.").arg(kMaxDepth);
        return out;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        out.reasonCode = QStringLiteral("payload_unreadable");
        out.message = parseError.error != QJsonParseError::NoError
            ? QStringLiteral("Invalid JSON at offset %1: %2.").arg(parseError.offset).arg(parseError.errorString())
            : QStringLiteral("The file holds JSON but not an object.");
        return out;
    }
    const QJsonObject payload = doc.object();
    out.compactPayload = doc.toJson(QJsonDocument::Compact);
    if (out.compactPayload.size() > kMaxPayloadBytes) {
        out.compactPayload.clear();
        out.reasonCode = QStringLiteral("payload_too_large");
        out.message = QStringLiteral("Payload exceeds %1 bytes.").arg(kMaxPayloadBytes);
        return out;
    }
    const QJsonValue id = payload.value(QLatin1String("id"));
    if (!id.isString() || id.toString().trimmed().isEmpty() || id.toString().size() > 200) {
        out.reasonCode = QStringLiteral("missing_id");
        out.message = QStringLiteral("The policy has no \"id\".");
        return out;
    }
    out.externalId = id.toString();
    out.displayName = payload.value(QLatin1String("displayName")).toString();
    if (out.displayName.isEmpty())
        out.displayName = payload.value(QLatin1String("name")).toString();
    out.payload = payload;
    return out;
}

ReadPolicy ExportReader::read(const ExportFile& file)
{
    QFile f(file.absolutePath);
    if (f.size() > kMaxFileBytes) {
        ReadPolicy out;
        out.reasonCode = QStringLiteral("payload_too_large");
        out.message = QStringLiteral("File of %1 bytes exceeds %2 bytes.").arg(f.size()).arg(kMaxFileBytes);
        return out;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        ReadPolicy out;
        out.reasonCode = QStringLiteral("payload_unreadable");
        out.message = QStringLiteral("The file cannot be opened: %1.").arg(f.errorString());
        return out;
    }
    return parse(f.readAll());
}

} // namespace atlas::inventory
