#pragma once

#include <QDateTime>
#include <QStringList>
#include <QVariant>

class QHBoxLayout;
class QLabel;
class QTableView;
class QTableWidget;
class QWidget;

namespace atlas::views {

// How the pages' lists look: whole rows selected, alternating rows, no row numbers, the last
// column stretched, one line per row.
void configureListView(QTableView* view);
// A read-only, row-selecting table with the given column headers, as every list page uses.
QTableWidget* makeListTable(const QStringList& headers, QWidget* parent);
// Replaces the rows; `keys` (one per row, may be empty) are stored in column 0's UserRole.
void fillTable(QTableWidget* table, const QList<QStringList>& rows, const QVariantList& keys = {});
// The key of the current row (invalid when none).
QVariant currentKey(const QTableWidget* table);
// Selects the row whose key equals `key`; false if there is none.
bool selectKey(QTableWidget* table, const QVariant& key);
QString shortTime(const QDateTime& t);
// "1 policy", "3 policies".
QString counted(qsizetype n, const QString& one, const QString& many);
// A page's heading: a large bold title over a quiet subtitle, in a row the caller adds its
// buttons to.
QHBoxLayout* makePageHeader(QLabel* title, QLabel* subtitle);

} // namespace atlas::views
