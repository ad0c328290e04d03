#pragma once

#include <QList>
#include <QStringList>

namespace atlas::drift {

// A side-by-side line diff of two texts (pretty-printed JSON payloads in the findings viewer):
// rows in order, each with the left line, the right line, or both. Longest common subsequence
// over lines; a removed run next to an added run is paired up as "changed" rows so both
// versions of a line sit side by side.
struct DiffRow
{
    enum class Kind
    {
        Same,
        Changed,
        Removed, // only on the left
        Added    // only on the right
    };
    Kind kind = Kind::Same;
    int left = -1; // line index, -1 for none
    int right = -1;
};

class LineDiff final
{
public:
    // Texts longer than maxLines on either side are compared with a cheaper prefix/suffix
    // match only (the viewer stays responsive for any payload).
    static QList<DiffRow> compare(const QStringList& left, const QStringList& right, int maxLines = 4000);
};

} // namespace atlas::drift
