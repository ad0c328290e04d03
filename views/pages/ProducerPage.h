#pragma once

#include "runs/RunStarter.h"

#include <QFrame>
#include <QUuid>
#include <QWidget>

class QHBoxLayout;
class QLabel;
class QToolButton;
class QVBoxLayout;

namespace atlas::db {
class DbWorker;
}

namespace atlas::views {

// The line under a page's title that answers a start: "started as run #42 — View run",
// "already running as run #41 — View run", or why it could not start.
class StartBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartBanner)
public:
    enum class Tone
    {
        Info,
        Warning,
        Error
    };
    explicit StartBanner(QWidget* parent = nullptr);
    void showMessage(Tone tone, const QString& html);
    void showOutcome(const runs::StartOutcome& outcome);
    QString text() const;
    Tone tone() const { return m_tone; }

Q_SIGNALS:
    void runLinkActivated(qint64 runId);

private:
    QLabel* m_icon;
    QLabel* m_text;
    QToolButton* m_close;
    Tone m_tone = Tone::Info;
};

// What the producer pages share: the read connection, the starter, and who is looking.
struct PageContext
{
    db::DbWorker* reads = nullptr;
    runs::RunStarter* starter = nullptr;
};

// Base of the pages that start runs (Inventory, Drift, Backup sets): a title, start controls
// that exist only for roles that may start runs (Readonly sees none at all), a start banner.
class ProducerPage : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProducerPage)
public:
    ProducerPage(const QString& objectName, const QString& title, PageContext context, QWidget* parent = nullptr);

    void setTenant(const QUuid& tenant, const QString& tenantName, const QString& role);
    QUuid tenant() const { return m_tenant; }
    QString tenantName() const { return m_tenantName; }
    bool canStart() const;
    // Owners and managers may end any active run of their tenant.
    bool canCancel() const;
    // Ends run `runId` aborted/cancelled (after asking, unless confirmations are off) and says
    // so in the banner. The worker holding its lease stops at its next write.
    void cancelRun(qint64 runId);
    // False when this console must not write to the database (its schema is newer than this
    // build): start controls go away as for a readonly role.
    void setWritable(bool writable);
    StartBanner* banner() const { return m_banner; }
    // Asks before starting (default); tests and scripted use can turn it off.
    static void setConfirmStarts(bool confirm);
    static bool confirmsStarts();
    // Re-reads what the page lists.
    virtual void reload() = 0;
    // Opens what a run produced (a producer's result link names this page and an id).
    virtual void showResult(qint64 id) { Q_UNUSED(id); }
    // Re-reads now when shown, else the next time the page is shown.
    void refreshSoon();

Q_SIGNALS:
    void runLinkActivated(qint64 runId);
    void startAnswered(const atlas::runs::StartOutcome& outcome);

protected:
    void setSubtitle(const QString& text);
    void addStartControl(QWidget* control);
    // A "Cancel run…" control for owners and managers: picks one of the tenant's active runs of
    // this operation and cancels it.
    void addCancelControl(const QString& resource, const QString& action);
    QVBoxLayout* body() const { return m_body; }
    db::DbWorker* reads() const { return m_context.reads; }
    runs::RunStarter* starter() const { return m_context.starter; }
    // Confirms (unless `question` is empty: the caller's dialog was the confirmation), starts,
    // and shows the answer in the banner.
    void startRun(const QString& label, const QString& question, runs::RunStarter::Build build);
    void showEvent(QShowEvent* event) override;

private:
    void updateStartControls();
    void chooseRunToCancel();

    PageContext m_context;
    QUuid m_tenant;
    QString m_tenantName;
    QString m_role;
    QLabel* m_title;
    QLabel* m_subtitle;
    QHBoxLayout* m_actions;
    StartBanner* m_banner;
    QVBoxLayout* m_body;
    QList<QWidget*> m_startControls;
    QWidget* m_cancelControl = nullptr;
    QString m_cancelResource;
    QString m_cancelAction;
    bool m_stale = true;
    bool m_writable = true;
};

} // namespace atlas::views
