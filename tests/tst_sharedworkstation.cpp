// On a workstation shared with other accounts: nobody else reads what the embedded cluster keeps,
// not even while a first start writes it, and nobody else takes part in the single-instance
// hand-over, neither by squatting the console's socket nor by connecting to it.
//
// The attacks come from a throwaway unprivileged account (atlas_intruder, made with useradd when
// missing), so this needs root (as in CI); elsewhere it skips. The same executable plays the
// other accounts' programs (--read-loop, --first-start, --squat), started under their uid.
#include "db/Connection.h"
#include "db/EmbeddedCluster.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QLocalSocket>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using atlas::db::Connection;
using atlas::db::EmbeddedCluster;

namespace {

void say(const std::string& line)
{
    const std::string text = line + '\n';
    for (size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
        if (n <= 0)
            return;
        done += size_t(n);
    }
}

bool stdinClosed(int timeoutMs)
{
    struct pollfd in {STDIN_FILENO, POLLIN, 0};
    return ::poll(&in, 1, timeoutMs) > 0;
}

// --read-loop CANARY DIR... : until stdin closes, opens every file it can find under the
// directories (listing what it may) and the names the cluster uses in each; prints each path it
// could open once. The canary (readable by all) shows that the loop runs and looks.
int readLoop(int argc, char** argv)
{
    static const char* const names[] = {"superuser.secret",  "superuser.secret.new", "initdb.pw",
                                        "initdb.pw.new",     "logins.json",          "logins.json.new",
                                        "postgresql.log",    "data/postgresql.auto.conf", "data/pg_hba.conf",
                                        "data/postmaster.opts", "run/.s.PGSQL.5432.lock"};
    std::set<std::string> reported;
    const auto tryOpen = [&](const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return;
        struct stat st {};
        char byte;
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::read(fd, &byte, 1) >= 0 && reported.insert(path).second)
            say(path);
        ::close(fd);
    };
    std::function<void(const std::string&)> walk = [&](const std::string& dir) {
        DIR* d = ::opendir(dir.c_str());
        if (!d)
            return;
        while (const struct dirent* entry = ::readdir(d)) {
            const std::string name = entry->d_name;
            if (name == "." || name == "..")
                continue;
            const std::string path = dir + '/' + name;
            struct stat st {};
            if (::lstat(path.c_str(), &st) != 0)
                continue;
            if (S_ISDIR(st.st_mode))
                walk(path);
            else if (S_ISREG(st.st_mode))
                tryOpen(path);
        }
        ::closedir(d);
    };
    long rounds = 0;
    while (!stdinClosed(0)) {
        tryOpen(argv[0]);
        for (int i = 1; i < argc; ++i) {
            walk(argv[i]);
            for (const char* name : names)
                tryOpen(std::string(argv[i]) + '/' + name);
        }
        ++rounds;
    }
    say("rounds " + std::to_string(rounds));
    return 0;
}

// --first-start ROOT : an unprivileged user's console creating its cluster, with a umask that
// would leave anything created without an explicit mode open to everybody.
int firstStart(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    ::umask(0);
    EmbeddedCluster cluster(QString::fromLocal8Bit(argv[2]));
    QString error;
    if (!cluster.start(&error) || !cluster.rememberLogin(QStringLiteral("someone"), EmbeddedCluster::newPassword())) {
        std::fprintf(stderr, "first start failed: %s\n", qPrintable(error));
        return 1;
    }
    cluster.stop(&error);
    return 0;
}

// --squat PATH : listens on PATH, answers "ok" to anything and reports what it was handed.
int squat(const char* path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path, sizeof address.sun_path - 1);
    ::unlink(path);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 8) != 0) {
        say(std::string("cannot squat: ") + std::strerror(errno));
        return 1;
    }
    ::chmod(path, 0777);
    say("squatting");
    for (;;) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {fd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 || fds[0].revents)
            return 0;
        const int peer = ::accept(fd, nullptr, nullptr);
        if (peer < 0)
            continue;
        say("connection");
        struct pollfd in {peer, POLLIN, 0};
        char buffer[4096];
        if (::poll(&in, 1, 3000) > 0) {
            const ssize_t n = ::read(peer, buffer, sizeof buffer);
            if (n > 0)
                say("handed: " + std::string(buffer, size_t(n)));
        }
        (void)!::write(peer, "ok\n", 3);
        ::close(peer);
    }
}

struct Account
{
    QString name;
    uid_t uid = 0;
    gid_t gid = 0;
};

std::optional<Account> account(const QString& name)
{
    if (const struct passwd* pw = getpwnam(name.toLocal8Bit().constData()))
        return Account{name, pw->pw_uid, pw->pw_gid};
    return std::nullopt;
}

mode_t modeOf(const QString& path)
{
    struct stat st {};
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? (st.st_mode & 07777) : mode_t(-1);
}

bool makeDir(const QString& path, mode_t mode, const std::optional<Account>& owner = std::nullopt)
{
    const QByteArray p = QFile::encodeName(path);
    return ::mkdir(p.constData(), mode) == 0 && ::chmod(p.constData(), mode) == 0 &&
           (!owner || ::chown(p.constData(), owner->uid, owner->gid) == 0);
}

// A program of this test or the console, run as `as` (or as root), its output collected.
class Child
{
public:
    Child(const QString& program, const QStringList& args, const std::optional<Account>& as,
          const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.setProcessEnvironment(env);
        if (as) {
            const uid_t uid = as->uid;
            const gid_t gid = as->gid;
            m_process.setChildProcessModifier([uid, gid] {
                if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
                    ::_exit(126);
            });
        }
        m_process.start(program, args);
    }
    ~Child()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    QProcess& process() { return m_process; }
    bool running() const { return m_process.state() == QProcess::Running; }
    // Waits for output matching `pattern`; the match (empty when it did not come).
    QRegularExpressionMatch waitFor(const QString& pattern, int timeoutMs)
    {
        const QRegularExpression re(pattern);
        const QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            m_out += m_process.readAll();
            const QRegularExpressionMatch match = re.match(QString::fromUtf8(m_out));
            if (match.hasMatch() || deadline.hasExpired())
                return match;
            if (m_process.state() == QProcess::NotRunning && !m_process.waitForReadyRead(0))
                return re.match(QString::fromUtf8(m_out));
            m_process.waitForReadyRead(100);
        }
    }
    // Closes its stdin (the signal to stop) and collects the rest of its output.
    QString finish(int timeoutMs = 30000)
    {
        m_process.closeWriteChannel();
        m_process.waitForFinished(timeoutMs);
        m_out += m_process.readAll();
        return QString::fromUtf8(m_out);
    }
    QString output()
    {
        m_out += m_process.readAll();
        return QString::fromUtf8(m_out);
    }

private:
    QProcess m_process;
    QByteArray m_out;
};

} // namespace

class TestSharedWorkstation : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp{QStringLiteral("/tmp/atlas-shared-XXXXXX")};
    std::optional<Account> m_intruder;
    std::optional<Account> m_owner; // an unprivileged user who runs a console of their own
    QString m_self;                 // this executable and the console, where every account can run them
    QString m_console;

    // The environment of a console of `home`'s: its own settings, log and cache; its runtime
    // directory; a database choice that fails at once (so the console stays on its message
    // box, listening); no libpq variables.
    QProcessEnvironment consoleEnvironment(const QString& home, const QString& runtime, const QString& dataDir) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString& name : env.keys()) {
            if (name.startsWith(QLatin1String("PG")) || name.startsWith(QLatin1String("XDG_")))
                env.remove(name);
        }
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_STATE_HOME"), home + QStringLiteral("/state"));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/share"));
        if (!runtime.isEmpty())
            env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
        env.insert(QStringLiteral("ATLAS_DATA_DIR"), dataDir);
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return env;
    }
    std::unique_ptr<Child> console(const QProcessEnvironment& env, const std::optional<Account>& as = std::nullopt,
                                   const QStringList& args = {})
    {
        return std::make_unique<Child>(m_console, QStringList{QStringLiteral("--log-level"), QStringLiteral("info")} + args,
                                       as, env);
    }
    static QString listeningOn() { return QStringLiteral("single instance: listening on (\\S+)"); }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("needs root: the attacks come from another account, made for the purpose");
        QVERIFY(m_tmp.isValid());
        QVERIFY(QFile::setPermissions(m_tmp.path(), QFile::permissions(m_tmp.path()) | QFileDevice::ExeOther |
                                                        QFileDevice::ReadOther | QFileDevice::ExeGroup | QFileDevice::ReadGroup));
        m_intruder = account(QStringLiteral("atlas_intruder"));
        if (!m_intruder) {
            QProcess useradd;
            useradd.start(QStringLiteral("useradd"), {QStringLiteral("--system"), QStringLiteral("--no-create-home"),
                                                      QStringLiteral("--shell"), QStringLiteral("/usr/sbin/nologin"),
                                                      QStringLiteral("atlas_intruder")});
            QVERIFY2(useradd.waitForFinished(30000) && useradd.exitCode() == 0, useradd.readAllStandardError().constData());
            m_intruder = account(QStringLiteral("atlas_intruder"));
        }
        QVERIFY(m_intruder && m_intruder->uid != 0);
        const QString runAs = qEnvironmentVariable("ATLAS_PG_RUN_AS", QStringLiteral("postgres"));
        m_owner = account(runAs);
        QVERIFY2(m_owner && m_owner->uid != 0 && m_owner->uid != m_intruder->uid, qPrintable(runAs));
        // Copies every account can run, wherever the build lives.
        QVERIFY(makeDir(m_tmp.filePath(QStringLiteral("bin")), 0755));
        m_self = m_tmp.filePath(QStringLiteral("bin/tst_sharedworkstation"));
        m_console = m_tmp.filePath(QStringLiteral("bin/atlas-ops"));
        QVERIFY(QFile::copy(QCoreApplication::applicationFilePath(), m_self));
        QVERIFY2(QFile::copy(qEnvironmentVariable("ATLAS_BINARY"), m_console), "ATLAS_BINARY names the atlas-ops binary");
        for (const QString& program : {m_self, m_console})
            QVERIFY(::chmod(QFile::encodeName(program).constData(), 0755) == 0);
    }

    // A first start (as root: the cluster's files belong to the server's account; and as an
    // unprivileged user) while another account tries to open every file it can see or guess, in
    // a tight loop: it never opens one, and what stays is 0600 in a closed directory.
    void firstStartLeavesNothingReadableToOthers()
    {
        const QString arena = m_tmp.filePath(QStringLiteral("secrets"));
        QVERIFY(makeDir(arena, 0755));
        const QString canary = arena + QStringLiteral("/canary");
        QFile visible(canary);
        QVERIFY(visible.open(QIODevice::WriteOnly) && visible.write("anyone may read this") > 0);
        visible.close();
        QVERIFY(::chmod(QFile::encodeName(canary).constData(), 0644) == 0);
        QVERIFY(makeDir(arena + QStringLiteral("/as-root"), 0755));
        const QString rootCluster = arena + QStringLiteral("/as-root/cluster");
        QVERIFY(makeDir(arena + QStringLiteral("/owner"), 0755, m_owner));
        const QString ownerCluster = arena + QStringLiteral("/owner/share/atlas-ops/cluster");

        Child reader(m_self, {QStringLiteral("--read-loop"), canary, arena, rootCluster, ownerCluster}, m_intruder);
        QVERIFY2(reader.waitFor(QRegularExpression::escape(canary), 20000).hasMatch(),
                 qPrintable(QStringLiteral("the reading loop did not run: ") + reader.output()));

        {
            const mode_t previous = ::umask(0);
            EmbeddedCluster cluster(rootCluster, 5432);
            QString error;
            const bool started = cluster.start(&error);
            const bool remembered = started && cluster.rememberLogin(QStringLiteral("someone"), EmbeddedCluster::newPassword());
            ::umask(previous);
            QVERIFY2(started, qPrintable(error));
            QVERIFY(remembered);
            Connection su(cluster.superuserSpec(QStringLiteral("postgres")), QStringLiteral("su"));
            QVERIFY2(su.open(), qPrintable(su.lastError().message));
            QCOMPARE(su.scalar(QStringLiteral("SELECT current_setting('log_file_mode')")).toString(), QStringLiteral("0600"));
            QVERIFY2(cluster.stop(&error), qPrintable(error));
        }
        Child owner(m_self, {QStringLiteral("--first-start"), ownerCluster}, m_owner);
        QVERIFY(owner.process().waitForFinished(180000));
        QVERIFY2(owner.process().exitCode() == 0, qPrintable(owner.output()));

        QStringList opened = reader.finish().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(!opened.isEmpty() && opened.last().startsWith(QLatin1String("rounds ")), qPrintable(opened.join(u'\n')));
        QVERIFY(opened.takeLast().mid(7).toLong() > 0);
        opened.removeAll(canary);
        QVERIFY2(opened.isEmpty(), qPrintable(QStringLiteral("another account opened: ") + opened.join(QStringLiteral(", "))));

        // What stays: the directories closed (as root, only passable), every file in them 0600.
        QCOMPARE(modeOf(rootCluster), mode_t(0711));
        QCOMPARE(modeOf(ownerCluster), mode_t(0700));
        for (const QString& root : {rootCluster, ownerCluster}) {
            QCOMPARE(modeOf(root + QStringLiteral("/run")), mode_t(0700));
            QCOMPARE(modeOf(root + QStringLiteral("/data")), mode_t(0700));
            const QStringList files = QDir(root).entryList(QDir::Files | QDir::Hidden);
            for (const char* expected : {"superuser.secret", "logins.json", "postgresql.log"})
                QVERIFY2(files.contains(QLatin1String(expected)), expected);
            for (const QString& file : files)
                QVERIFY2(modeOf(root + QLatin1Char('/') + file) == 0600, qPrintable(file));
        }
        // The directories made on the way for the unprivileged user are theirs alone.
        for (const char* made : {"/owner/share", "/owner/share/atlas-ops"})
            QCOMPARE(modeOf(arena + QLatin1String(made)), mode_t(0700));
    }

    // A directory another account made (or may change) is no place for the cluster's secrets.
    void clusterRefusesADirectoryOthersControl()
    {
        const QString arena = m_tmp.filePath(QStringLiteral("squatted-cluster"));
        QVERIFY(makeDir(arena, 0755));
        QVERIFY(makeDir(arena + QStringLiteral("/shared"), 01777));
        QVERIFY(makeDir(arena + QStringLiteral("/shared/cluster"), 0777, m_intruder)); // made first, by them
        QVERIFY(makeDir(arena + QStringLiteral("/open"), 0777));                       // anyone may replace entries
        for (const QString& root : QStringList{arena + QStringLiteral("/shared/cluster"), arena + QStringLiteral("/open/cluster")}) {
            EmbeddedCluster cluster(root, 5432);
            QString error;
            QVERIFY2(!cluster.start(&error), qPrintable(root));
            QVERIFY2(error.contains(QLatin1String("another user")) || error.contains(QLatin1String("other users")), qPrintable(error));
            QVERIFY(!QFile::exists(root + QStringLiteral("/superuser.secret")));
        }
    }

    // Two consoles on different embedded clusters are two consoles: the second does not hand
    // its "activate" to the first and exit; a third on the first's cluster does.
    void consolesOnDifferentDataDirsAreApart()
    {
        const QString arena = m_tmp.filePath(QStringLiteral("keys"));
        QVERIFY(makeDir(arena, 0700));
        QVERIFY(makeDir(arena + QStringLiteral("/runtime"), 0700));
        const QString runtime = arena + QStringLiteral("/runtime");
        // Each stays on its "cannot open its database" box once past the hand-over.
        const QString settled = QStringLiteral("(?m)^atlas-ops: ");
        auto first = console(consoleEnvironment(arena, runtime, QStringLiteral("/dev/null/cluster-a")));
        QVERIFY2(first->waitFor(settled, 20000).hasMatch(), qPrintable(first->output()));
        auto second = console(consoleEnvironment(arena, runtime, QStringLiteral("/dev/null/cluster-b")));
        QVERIFY2(second->waitFor(settled, 20000).hasMatch(), qPrintable(second->output()));
        QVERIFY2(second->running() && !second->output().contains(QLatin1String("handed")), qPrintable(second->output()));
        const QRegularExpressionMatch a = first->waitFor(listeningOn(), 1000);
        const QRegularExpressionMatch b = second->waitFor(listeningOn(), 1000);
        QVERIFY2(a.hasMatch() && b.hasMatch(), qPrintable(first->output() + second->output()));
        QVERIFY(a.captured(1) != b.captured(1));
        auto third = console(consoleEnvironment(arena, runtime, QStringLiteral("/dev/null/cluster-a")));
        QVERIFY(third->process().waitForFinished(20000));
        QCOMPARE(third->process().exitCode(), 0);
        QVERIFY2(third->output().contains(QLatin1String("handed 'activate' to the running console")), qPrintable(third->output()));
    }

    // Another account squats the socket's name: a runtime directory of theirs, or (in the
    // console's own directory) a socket file that looks like the console's but is theirs behind
    // it. The console hands them nothing, says why and opens as a console of its own.
    void squattedSocketGetsNothing()
    {
        const QString arena = m_tmp.filePath(QStringLiteral("squat"));
        QVERIFY(makeDir(arena, 0755));
        const QString runtime = arena + QStringLiteral("/runtime");
        QVERIFY(makeDir(runtime, 0700));
        const QString home = arena + QStringLiteral("/home");
        QVERIFY(makeDir(home, 0700));
        const QString dataDir = QStringLiteral("/dev/null/cluster");
        QString name;
        {
            auto learn = console(consoleEnvironment(home, runtime, dataDir));
            const QRegularExpressionMatch m = learn->waitFor(listeningOn(), 20000);
            QVERIFY2(m.hasMatch(), qPrintable(learn->output()));
            name = QFileInfo(m.captured(1)).fileName();
            QCOMPARE(QFileInfo(m.captured(1)).absolutePath(), runtime);
        }
        // 1. $XDG_RUNTIME_DIR (and $TMPDIR) point to the other account's directory.
        const QString theirs = arena + QStringLiteral("/theirs");
        QVERIFY(makeDir(theirs, 0777, m_intruder));
        {
            Child squatter(m_self, {QStringLiteral("--squat"), theirs + QLatin1Char('/') + name}, m_intruder);
            QVERIFY2(squatter.waitFor(QStringLiteral("squatting"), 10000).hasMatch(), qPrintable(squatter.output()));
            QProcessEnvironment env = consoleEnvironment(home, theirs, dataDir);
            env.insert(QStringLiteral("TMPDIR"), theirs);
            auto victim = console(env, std::nullopt, {QStringLiteral("atlas-ops://run/42")});
            QVERIFY2(victim->waitFor(QStringLiteral("belongs to another user.*runs on its own"), 20000).hasMatch(),
                     qPrintable(victim->output()));
            QTest::qWait(3000); // longer than a hand-over may take
            QVERIFY2(victim->running(), qPrintable(victim->output()));
            QVERIFY(!victim->output().contains(QLatin1String("handed")));
            QVERIFY2(!squatter.finish().contains(QLatin1String("connection")), qPrintable(squatter.output()));
        }
        // 2. In the console's own directory, a socket file owned as the console's, listened on by
        // the other account (only the peer's credentials tell).
        const QString stage = arena + QStringLiteral("/stage");
        QVERIFY(makeDir(stage, 0777, m_intruder));
        {
            Child squatter(m_self, {QStringLiteral("--squat"), stage + QLatin1Char('/') + name}, m_intruder);
            QVERIFY2(squatter.waitFor(QStringLiteral("squatting"), 10000).hasMatch(), qPrintable(squatter.output()));
            const QByteArray planted = QFile::encodeName(runtime + QLatin1Char('/') + name);
            QVERIFY(::rename(QFile::encodeName(stage + QLatin1Char('/') + name).constData(), planted.constData()) == 0);
            QVERIFY(::lchown(planted.constData(), 0, 0) == 0);
            auto victim = console(consoleEnvironment(home, runtime, dataDir), std::nullopt, {QStringLiteral("atlas-ops://run/42")});
            QVERIFY2(victim->waitFor(QStringLiteral("not this user's \\(uid %1\\).*runs on its own").arg(m_intruder->uid), 20000).hasMatch(),
                     qPrintable(victim->output()));
            QTest::qWait(3000);
            QVERIFY2(victim->running(), qPrintable(victim->output()));
            QVERIFY(!victim->output().contains(QLatin1String("handed")));
            const QString seen = squatter.finish();
            QVERIFY2(!seen.contains(QLatin1String("handed:")), qPrintable(seen));
        }
    }

    // A console of another account's, reached by a peer that is not that account (root here:
    // the only one who can reach its socket at all): the connection is closed unread, and the
    // console's own user still hands over.
    void consoleRefusesPeersOfAnotherUid()
    {
        const QString home = m_tmp.filePath(QStringLiteral("intruder-home"));
        QVERIFY(makeDir(home, 0700, m_intruder));
        const QString runtime = home + QStringLiteral("/runtime");
        QVERIFY(makeDir(runtime, 0700, m_intruder));
        const QProcessEnvironment env = consoleEnvironment(home, runtime, QStringLiteral("/dev/null/cluster"));
        auto theirs = console(env, m_intruder);
        const QRegularExpressionMatch m = theirs->waitFor(listeningOn(), 20000);
        QVERIFY2(m.hasMatch(), qPrintable(theirs->output()));

        QLocalSocket peer;
        peer.connectToServer(m.captured(1));
        QVERIFY2(peer.waitForConnected(5000), qPrintable(peer.errorString()));
        peer.write("atlas-ops://run/42\n");
        peer.waitForBytesWritten(2000);
        QVERIFY(!peer.waitForReadyRead(3000) || !peer.readAll().contains("ok"));
        QVERIFY2(theirs->waitFor(QStringLiteral("refused a connection from uid 0"), 10000).hasMatch(), qPrintable(theirs->output()));

        auto again = console(env, m_intruder);
        QVERIFY(again->process().waitForFinished(20000));
        QVERIFY2(again->output().contains(QLatin1String("handed 'activate' to the running console")), qPrintable(again->output()));
    }
};

int main(int argc, char** argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "--read-loop") == 0)
        return readLoop(argc - 2, argv + 2);
    if (argc == 3 && std::strcmp(argv[1], "--first-start") == 0)
        return firstStart(argc, argv);
    if (argc == 3 && std::strcmp(argv[1], "--squat") == 0)
        return squat(argv[2]);
    QCoreApplication app(argc, argv);
    TestSharedWorkstation test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_sharedworkstation.moc"
