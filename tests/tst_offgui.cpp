// Work leaves the GUI thread one way: posted to a worker that owns its connection, the answer
// handed back in the receiver's thread, or dropped when the receiver is gone; and nothing in the
// product runs an event loop nested in another.
#include "Fixture.h"
#include "HeldLock.h"
#include "db/DbWorker.h"

#include <QDirIterator>
#include <QRegularExpression>
#include <QtTest>

class TestOffGui : public QObject
{
    Q_OBJECT
    atlas::test::Fixture m_fx;

    static constexpr int kLock = 471101;

private Q_SLOTS:
    void initTestCase()
    {
        ATLAS_SET_UP(m_fx);
    }

    void anAnswerToADestroyedReceiverIsDropped()
    {
        atlas::test::HeldLock lock(m_fx.cluster, kLock);
        QVERIFY(lock.held());
        atlas::db::DbWorker worker(m_fx.cluster.loginSpec(QStringLiteral("readonly_a")), QStringLiteral("reads"));

        // A task that waits for the lock, for a receiver destroyed while it waits.
        auto* receiver = new QObject;
        receiver->setObjectName(QStringLiteral("gone"));
        QString heard;
        worker.post<QString>(
            receiver,
            [](atlas::db::Connection& conn) {
                atlas::test::HeldLock::waitIn(conn, kLock);
                return QStringLiteral("answer");
            },
            [&heard, receiver](const QString& answer) { heard = receiver->objectName() + QLatin1Char(' ') + answer; });
        QVERIFY(lock.waitedFor(10000));
        delete receiver;
        QVERIFY(lock.release());

        // Answers come in order: once the next one is here, the first has been dealt with.
        QObject alive;
        QString next;
        worker.post<QString>(&alive, [](atlas::db::Connection&) { return QStringLiteral("next"); },
                             [&next](const QString& answer) { next = answer; });
        QTRY_COMPARE_WITH_TIMEOUT(next, QStringLiteral("next"), 10000);
        QCOMPARE(heard, QString());
    }

    void anAnswerComesInTheReceiversThread()
    {
        atlas::db::DbWorker worker(m_fx.cluster.loginSpec(QStringLiteral("readonly_a")), QStringLiteral("reads"));
        QObject receiver;
        QThread* workThread = nullptr;
        QThread* answerThread = nullptr;
        worker.post<QThread*>(&receiver, [](atlas::db::Connection&) { return QThread::currentThread(); },
                              [&](QThread* t) {
                                  workThread = t;
                                  answerThread = QThread::currentThread();
                              });
        QTRY_VERIFY_WITH_TIMEOUT(answerThread, 10000);
        QCOMPARE(answerThread, QThread::currentThread());
        QVERIFY(workThread != QThread::currentThread());
    }

    void nothingInTheProductNestsAnEventLoop()
    {
        const QString root = qEnvironmentVariable("ATLAS_SOURCE_DIR");
        if (root.isEmpty())
            QSKIP("ATLAS_SOURCE_DIR not set (run through ctest)");
        static const QRegularExpression nested(QStringLiteral("\\bQEventLoop\\b"));
        QStringList found;
        int files = 0;
        for (const char* dir : {"app", "models", "views"}) {
            QDirIterator it(root + QLatin1Char('/') + QLatin1String(dir), {QStringLiteral("*.cpp"), QStringLiteral("*.h")},
                            QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile file(it.next());
                QVERIFY(file.open(QIODevice::ReadOnly));
                ++files;
                int line = 0;
                for (const QByteArray& text : file.readAll().split('\n')) {
                    ++line;
                    if (nested.match(QString::fromUtf8(text)).hasMatch())
                        found << QStringLiteral("%1:%2").arg(file.fileName()).arg(line);
                }
            }
        }
        QVERIFY2(files > 50, qPrintable(QStringLiteral("only %1 source files under %2").arg(files).arg(root)));
        QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestOffGui)
#include "tst_offgui.moc"
