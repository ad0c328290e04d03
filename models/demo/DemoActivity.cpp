#include "DemoActivity.h"

#include "db/Connection.h"
#include "db/EmbeddedCluster.h"
#include "db/Worker.h"
#include "runs/RunApi.h"

#include <QJsonObject>
#include <QTimer>
#include <QUuid>

#include <spdlog/spdlog.h>

namespace atlas::demo {

namespace {
constexpr int kItemsPerTick = 2;
constexpr int kItems = 24;       // per add-policies run
constexpr int kQueuedTicks = 12; // how long a drift run stays queued before it runs

// One demo login's connection and the run it is working on.
struct Runner
{
    std::unique_ptr<db::Connection> conn;
    qint64 run = 0;
    QUuid lease;
    QStringList items;
    int done = 0;
    int waited = 0; // ticks a queued run has waited
};

QStringList itemsOf(int cycle, int count)
{
    QStringList ids;
    for (int i = 0; i < count; ++i)
        ids << QStringLiteral("demo-%1-%2").arg(cycle).arg(i + 1, 2, 10, QLatin1Char('0'));
    return ids;
}
} // namespace

struct DemoActivity::State
{
    Runner manager;   // adds policies to a backup set, item by item
    Runner operator_; // queues a drift run, then runs it
    QUuid tenant;
    qint64 backupSet = 0;
    qint64 baseline = 0;
    int cycle = 0;
    bool ready = false;
};

DemoActivity::DemoActivity(std::shared_ptr<db::EmbeddedCluster> cluster, const QString& database, int tickMs, QObject* parent)
    : QObject(parent)
    , m_cluster(std::move(cluster))
    , m_database(database)
    , m_state(std::make_shared<State>())
    , m_worker(new db::Worker(QStringLiteral("demo"), this))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(tickMs);
    connect(m_timer, &QTimer::timeout, this, &DemoActivity::tick);
}

// The console closes: its demo runs end as stopped on purpose (aborted/cancelled), not left for
// the reaper to call lost; the queued one goes the same way through the manager's cancel.
DemoActivity::~DemoActivity()
{
    m_timer->stop();
    const std::shared_ptr<State> s = m_state;
    m_worker->run([s] {
        db::DbError error;
        if (s->manager.conn && s->manager.run)
            runs::RunApi(*s->manager.conn)
                .abort(s->manager.run, s->manager.lease, QStringLiteral("cancelled"),
                       QStringLiteral("The console showing the demo closed."), &error);
        if (s->manager.conn && s->operator_.run)
            runs::RunApi(*s->manager.conn).cancel(s->operator_.run, &error);
    });
    delete m_worker; // runs what was posted, then stops
}

void DemoActivity::start()
{
    m_timer->start();
    tick();
}

void DemoActivity::tick()
{
    const std::shared_ptr<State> s = m_state;
    const std::shared_ptr<db::EmbeddedCluster> cluster = m_cluster;
    const QString database = m_database;
    m_worker->post<int>(
        this,
        [s, cluster, database] {
            const auto open = [&](Runner& r, const QString& login) {
                if (!r.conn || !r.conn->isOpen()) {
                    r.conn = std::make_unique<db::Connection>(cluster->loginSpec(database, login, cluster->loginPassword(login)),
                                                              QStringLiteral("demo-") + login);
                    r.conn->open();
                }
                return r.conn->isOpen();
            };
            if (!open(s->manager, QStringLiteral("demo_manager")) || !open(s->operator_, QStringLiteral("demo_operator")))
                return 0;
            db::DbError error;
            if (!s->ready) {
                // The demo tenant, and the backup set and baseline its history made.
                db::Connection& c = *s->manager.conn;
                s->tenant = QUuid::fromString(c.scalar(QStringLiteral("SELECT tenant_id FROM atlas.my_tenants "
                                                                      "WHERE tenant_name = 'Contoso (demo)'"))
                                                  .toString());
                const QString t = s->tenant.toString(QUuid::WithoutBraces);
                s->backupSet =
                    c.scalar(QStringLiteral("SELECT max(backup_set_id) FROM atlas.backup_sets WHERE tenant_id = ?::uuid"), {t})
                        .toLongLong();
                s->baseline =
                    c.scalar(QStringLiteral("SELECT max(baseline_id) FROM atlas.baselines WHERE tenant_id = ?::uuid"), {t})
                        .toLongLong();
                s->cycle = int(QDateTime::currentSecsSinceEpoch() % 100000); // a new start never reuses an old run
                s->ready = !s->tenant.isNull() && s->backupSet > 0 && s->baseline > 0;
                if (!s->ready)
                    return 0;
            }
            // Running: a few policies per tick, every seventh one fails; done, the next starts.
            Runner& m = s->manager;
            runs::RunApi manager(*m.conn);
            if (!m.run) {
                m.items = itemsOf(++s->cycle, kItems);
                const auto started = manager.start(s->tenant, QStringLiteral("backup_set"), QStringLiteral("add_policies"),
                                                   QJsonObject{{QStringLiteral("backup_set_id"), s->backupSet}}, m.items, &error);
                const auto lease = started ? manager.claim(started->runId, &error) : std::nullopt;
                if (!lease || lease->isNull())
                    return 0;
                m.run = started->runId;
                m.lease = *lease;
                m.done = 0;
            } else {
                QList<runs::ItemResult> results;
                for (int i = 0; i < kItemsPerTick && m.done < m.items.size(); ++i, ++m.done)
                    results << (m.done % 7 == 6 ? runs::ItemResult::failed(m.items[m.done], QStringLiteral("policy_not_found"),
                                                                           QStringLiteral("No current policy with this id."))
                                                : runs::ItemResult::succeeded(m.items[m.done]));
                const bool ok = manager.record(m.run, m.lease, results, &error);
                if (ok && m.done >= m.items.size())
                    manager.finish(m.run, m.lease, {}, {}, &error);
                if (!ok || m.done >= m.items.size())
                    m.run = 0;
            }
            // Queued: a drift run waits a while, then runs at once; another queues behind it.
            Runner& o = s->operator_;
            runs::RunApi op(*o.conn);
            if (!o.run) {
                o.items = itemsOf(s->cycle, 6);
                const auto started = op.start(s->tenant, QStringLiteral("drift"), QStringLiteral("generate"),
                                              QJsonObject{{QStringLiteral("baseline_id"), s->baseline}}, o.items, &error);
                o.run = started ? started->runId : 0;
                o.waited = 0;
            } else if (++o.waited >= kQueuedTicks) {
                const auto lease = op.claim(o.run, &error);
                if (lease && !lease->isNull()) {
                    QList<runs::ItemResult> all;
                    for (const QString& id : o.items)
                        all << runs::ItemResult::succeeded(id);
                    op.record(o.run, *lease, all, &error);
                    op.setSummary(o.run, *lease, QJsonObject{{QStringLiteral("headline"), QStringLiteral("No drift")}}, &error);
                    op.finish(o.run, *lease, {}, {}, &error);
                }
                o.run = 0;
            }
            if (m.run)
                manager.heartbeat(m.run, m.lease, &error);
            if (error.isError())
                spdlog::debug("demo activity: {}", error.message.toStdString());
            return 1;
        },
        [this](int) {
            ++m_ticks;
            Q_EMIT ticked();
        });
}

} // namespace atlas::demo
