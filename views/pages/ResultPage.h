#pragma once

#include "db/ConnectionSpec.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace atlas::views {

// A read-only table of a producer's result, loaded off the GUI thread: the findings of a drift
// run, or the policies in a backup set. What the hub's "result" link opens.
class ResultPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultPage)
public:
    enum class Kind
    {
        DriftFindings,
        BackupSetItems
    };
    ResultPage(Kind kind, db::ConnectionSpec spec, QWidget* parent = nullptr);

    // Shows the result of drift run `id`, or the items of backup set `id`.
    void showResult(qint64 id);
    QTableWidget* table() const { return m_table; }
    qint64 shownId() const { return m_id; }

Q_SIGNALS:
    void loaded(qint64 id);

private:
    Kind m_kind;
    db::ConnectionSpec m_spec;
    QLabel* m_title;
    QLabel* m_hint;
    QTableWidget* m_table;
    qint64 m_id = 0;
};

} // namespace atlas::views
