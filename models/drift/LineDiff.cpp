#include "LineDiff.h"

#include <vector>

namespace atlas::drift {

namespace {
// Appends removed/added runs, pairing as many as possible as changed rows.
void flush(QList<DiffRow>& out, QList<int>& removed, QList<int>& added)
{
    const qsizetype paired = std::min(removed.size(), added.size());
    for (qsizetype i = 0; i < paired; ++i)
        out.append({DiffRow::Kind::Changed, removed[i], added[i]});
    for (qsizetype i = paired; i < removed.size(); ++i)
        out.append({DiffRow::Kind::Removed, removed[i], -1});
    for (qsizetype i = paired; i < added.size(); ++i)
        out.append({DiffRow::Kind::Added, -1, added[i]});
    removed.clear();
    added.clear();
}
} // namespace

QList<DiffRow> LineDiff::compare(const QStringList& left, const QStringList& right, int maxLines)
{
    QList<DiffRow> out;
    // Common prefix and suffix first: payloads usually differ in a few places.
    qsizetype head = 0;
    while (head < left.size() && head < right.size() && left[head] == right[head])
        ++head;
    qsizetype tail = 0;
    while (tail < left.size() - head && tail < right.size() - head &&
           left[left.size() - 1 - tail] == right[right.size() - 1 - tail])
        ++tail;
    for (qsizetype i = 0; i < head; ++i)
        out.append({DiffRow::Kind::Same, int(i), int(i)});

    const qsizetype n = left.size() - head - tail;
    const qsizetype m = right.size() - head - tail;
    QList<int> removed;
    QList<int> added;
    if (n > maxLines || m > maxLines) {
        for (qsizetype i = 0; i < n; ++i)
            removed.append(int(head + i));
        for (qsizetype j = 0; j < m; ++j)
            added.append(int(head + j));
        flush(out, removed, added);
    } else {
        // lcs[i][j]: length of the longest common subsequence of left[i..] and right[j..].
        std::vector<std::vector<int>> lcs(size_t(n + 1), std::vector<int>(size_t(m + 1), 0));
        for (qsizetype i = n - 1; i >= 0; --i)
            for (qsizetype j = m - 1; j >= 0; --j)
                lcs[size_t(i)][size_t(j)] = left[head + i] == right[head + j]
                    ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                    : std::max(lcs[size_t(i + 1)][size_t(j)], lcs[size_t(i)][size_t(j + 1)]);
        qsizetype i = 0;
        qsizetype j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && left[head + i] == right[head + j]) {
                flush(out, removed, added);
                out.append({DiffRow::Kind::Same, int(head + i), int(head + j)});
                ++i;
                ++j;
            } else if (j < m && (i == n || lcs[size_t(i)][size_t(j + 1)] >= lcs[size_t(i + 1)][size_t(j)])) {
                added.append(int(head + j++));
            } else {
                removed.append(int(head + i++));
            }
        }
        flush(out, removed, added);
    }
    for (qsizetype k = 0; k < tail; ++k)
        out.append({DiffRow::Kind::Same, int(left.size() - tail + k), int(right.size() - tail + k)});
    return out;
}

} // namespace atlas::drift
