#pragma once

#include "hub/RunLoader.h"
#include "hub/RunRow.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTimer;
class QTableWidget;
class QStackedWidget;

namespace atlas::views {

// Everything about the selected run: status, counts and progress, timings, initiator,
// idempotency key, the sanitized failures, the item identifiers, and a link to the producer's
// result. Shows; never acts on the run.
class RunDetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunDetailPane)
public:
    explicit RunDetailPane(QWidget* parent = nullptr);

    void showDetail(const hub::RunDetail& detail);
    void showNothing();
    qint64 runId() const { return m_runId; }
    QTableWidget* failuresTable() const { return m_failures; }
    QTableWidget* itemList() const { return m_items; }
    // A page of the shown run's items (the answer to itemsWanted); `more`: after those shown.
    void showItems(const hub::RunLoader::Items& items, bool more);
    QLabel* statusLabel() const { return m_status; }

Q_SIGNALS:
    // "drift/<run id>" or "backup_set/<set id>": where the producer's result is.
    void resultLinkActivated(const QString& link);
    // The pane's close button: the hub hides it (and clears the selection).
    void closeRequested();
    // The pane wants run `runId`'s items matching `search` after position `after`.
    void itemsWanted(qint64 runId, const QString& search, qint64 after);

private:
    QStackedWidget* m_stack;
    QLabel* m_title;
    QLabel* m_status;
    QProgressBar* m_progress;
    QLabel* m_counts;
    QLabel* m_initiator;
    QLabel* m_created;
    QLabel* m_started;
    QLabel* m_finished;
    QLabel* m_duration;
    QLabel* m_heartbeat;
    QLineEdit* m_key;
    QLabel* m_scope;
    QLabel* m_what;
    QLabel* m_stored;
    QWidget* m_technical;
    QLabel* m_summary;
    QLabel* m_result;
    QLabel* m_failuresTitle;
    QTableWidget* m_failures;
    QLabel* m_itemsTitle;
    QTableWidget* m_items;
    QLineEdit* m_itemSearch;
    QPushButton* m_moreItems;
    QTimer* m_itemSearchDelay;
    qint64 m_itemsOf = 0;
    qint64 m_itemsAfter = 0;
    int m_itemCount = 0;
    qint64 m_runId = 0;
};

} // namespace atlas::views
