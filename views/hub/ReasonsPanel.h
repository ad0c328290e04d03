#pragma once

#include "hub/Insights.h"

#include <QTableWidget>

namespace atlas::views {

// Why runs failed, over the hub's current filter: runs and failed items per reason code, most
// first. Clicking a reason filters the hub by it; clicking it again clears that.
class ReasonsPanel final : public QTableWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReasonsPanel)
public:
    explicit ReasonsPanel(QWidget* parent = nullptr);
    void setReasons(const QList<hub::Insights::Reason>& reasons);
    void setChosen(const QString& reasonCode); // without emitting
    QString chosen() const { return m_chosen; }

Q_SIGNALS:
    void reasonChosen(const QString& reasonCode); // empty: none

private:
    QString m_chosen;
    bool m_updating = false;
};

} // namespace atlas::views
