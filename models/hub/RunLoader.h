#pragma once

#include "RunFilter.h"
#include "RunRow.h"
#include "db/ConnectionSpec.h"

#include <QObject>

#include <map>
#include <memory>

class QSqlQuery;

namespace atlas::db {
class Connection;
}

namespace atlas::hub {

// Reads runs for the hub on its own connection, in the thread it lives in (never the GUI
// thread). Every request carries the caller's generation; results come back with it so the
// caller can drop what a newer request has made stale.
class RunLoader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunLoader)
public:
    explicit RunLoader(db::ConnectionSpec spec, QObject* parent = nullptr);
    ~RunLoader() override;

    static constexpr int kPageSize = 250;

    // All of these run in the loader's thread; call them through QMetaObject::invokeMethod.
    void loadPage(quint64 generation, const atlas::hub::RunFilter& filter, const QString& afterCreated, qint64 afterId,
                  int limit);
    void loadRuns(quint64 generation, const atlas::hub::RunFilter& filter, const QList<qint64>& ids);
    void loadCounts(quint64 generation, const atlas::hub::RunFilter& filter);
    void loadDetail(qint64 id);
    // Writes every run the filter matches as CSV (header + rows), newest first.
    void exportCsv(const atlas::hub::RunFilter& filter, const QString& path);

Q_SIGNALS:
    void pageLoaded(quint64 generation, const QList<atlas::hub::RunRow>& rows, bool atEnd, const QString& error);
    void runsLoaded(quint64 generation, const QList<atlas::hub::RunRow>& matching, const QList<qint64>& notMatching);
    void countsLoaded(quint64 generation, const atlas::hub::BucketCounts& counts);
    void detailLoaded(const atlas::hub::RunDetail& detail);
    void exported(const QString& path, int rows, const QString& error);

private:
    db::Connection* connection(QString* error);

    // Prepared once per SQL shape (filters give a handful of shapes), then only executed.
    QSqlQuery* prepared(const QString& sql);
    void dropConnection();

    db::ConnectionSpec m_spec;
    std::unique_ptr<db::Connection> m_conn;
    std::map<QString, std::unique_ptr<QSqlQuery>> m_prepared;
};

} // namespace atlas::hub

Q_DECLARE_METATYPE(atlas::hub::RunFilter)
