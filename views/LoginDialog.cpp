#include "LoginDialog.h"

#include "db/Keyring.h"
#include "db/Worker.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

namespace atlas::views {

namespace {
const QString kEmbeddedProfile = QStringLiteral("This computer");
} // namespace

LoginDialog::LoginDialog(QWidget* parent)
    : QDialog(parent)
    , m_profiles(new QComboBox(this))
    , m_name(new QLineEdit(this))
    , m_embedded(new QRadioButton(QStringLiteral("This computer — a private database, with demo tenants"), this))
    , m_server(new QRadioButton(QStringLiteral("A PostgreSQL server"), this))
    , m_serverBox(new QGroupBox(this))
    , m_host(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_database(new QLineEdit(QStringLiteral("atlas"), this))
    , m_user(new QLineEdit(qEnvironmentVariable("USER"), this))
    , m_sslmode(new QComboBox(this))
    , m_service(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_remember(new QComboBox(this))
    , m_problem(new QLabel(this))
    , m_connect(new QPushButton(QStringLiteral("Connect"), this))
{
    setObjectName(QStringLiteral("loginDialog"));
    setWindowTitle(QStringLiteral("Connect — Atlas Ops"));
    m_profiles->setObjectName(QStringLiteral("profiles"));
    m_profiles->addItem(QStringLiteral("New connection…"));
    for (const db::ConnectionProfile& p : db::ProfileStore::all())
        m_profiles->addItem(p.name);
    m_name->setPlaceholderText(QStringLiteral("e.g. Production"));
    m_host->setObjectName(QStringLiteral("host"));
    m_host->setPlaceholderText(QStringLiteral("db.example.com, or a socket directory"));
    m_port->setRange(1, 65535);
    m_port->setValue(5432);
    m_sslmode->addItems({QStringLiteral("prefer"), QStringLiteral("require"), QStringLiteral("verify-ca"),
                         QStringLiteral("verify-full"), QStringLiteral("disable")});
    m_sslmode->setToolTip(QStringLiteral("verify-full checks the server's certificate and name: use it across networks"));
    m_service->setPlaceholderText(QStringLiteral("optional: a name from pg_service.conf instead of host and port"));
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_remember->addItem(QStringLiteral("Don't remember it"), int(db::ConnectionProfile::PasswordStore::None));
    m_remember->addItem(QStringLiteral("Remember in the desktop keyring"), int(db::ConnectionProfile::PasswordStore::Keyring));
    m_remember->addItem(QStringLiteral("Remember in ~/.pgpass (also for psql)"),
                        int(db::ConnectionProfile::PasswordStore::PgPass));
    m_problem->setObjectName(QStringLiteral("loginProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette warn = m_problem->palette();
    warn.setColor(QPalette::WindowText, QColor(0xc6, 0x28, 0x28));
    m_problem->setPalette(warn);
    m_problem->hide();

    auto* server = new QFormLayout(m_serverBox);
    server->addRow(QStringLiteral("Host"), m_host);
    server->addRow(QStringLiteral("Port"), m_port);
    server->addRow(QStringLiteral("Database"), m_database);
    server->addRow(QStringLiteral("Login"), m_user);
    server->addRow(QStringLiteral("TLS (sslmode)"), m_sslmode);
    server->addRow(QStringLiteral("Service"), m_service);
    server->addRow(QStringLiteral("Password"), m_password);
    server->addRow(QString(), m_remember);

    auto* top = new QFormLayout;
    top->addRow(QStringLiteral("Saved"), m_profiles);
    top->addRow(QStringLiteral("Name"), m_name);
    auto* buttons = new QDialogButtonBox(this);
    m_connect->setDefault(true);
    buttons->addButton(m_connect, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto* v = new QVBoxLayout(this);
    v->addLayout(top);
    v->addWidget(m_embedded);
    v->addWidget(m_server);
    v->addWidget(m_serverBox);
    v->addWidget(m_problem);
    v->addWidget(buttons);
    m_server->setChecked(true);
    m_host->setFocus();

    connect(m_embedded, &QRadioButton::toggled, this, &LoginDialog::updateEnabled);
    connect(m_profiles, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index > 0)
            setProfile(db::ProfileStore::find(m_profiles->itemText(index)));
    });
    connect(m_connect, &QPushButton::clicked, this, &LoginDialog::tryConnect);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateEnabled();
}

void LoginDialog::setProfile(const db::ConnectionProfile& p)
{
    m_name->setText(p.name);
    m_embedded->setChecked(p.embedded);
    m_server->setChecked(!p.embedded);
    m_host->setText(p.host);
    m_port->setValue(p.port > 0 ? p.port : 5432);
    m_database->setText(p.database);
    m_user->setText(p.user);
    m_sslmode->setCurrentText(p.sslmode.isEmpty() ? QStringLiteral("prefer") : p.sslmode);
    m_service->setText(p.service);
    m_remember->setCurrentIndex(m_remember->findData(int(p.passwordStore)));
    m_password->clear();
    (p.embedded ? static_cast<QWidget*>(m_connect) : p.host.isEmpty() && p.service.isEmpty() ? m_host : m_password)->setFocus();
    const int index = m_profiles->findText(p.name);
    if (index > 0) {
        m_profiles->blockSignals(true);
        m_profiles->setCurrentIndex(index);
        m_profiles->blockSignals(false);
    }
    updateEnabled();
}

db::ConnectionProfile LoginDialog::profile() const
{
    db::ConnectionProfile p;
    p.embedded = m_embedded->isChecked();
    p.name = m_name->text().trimmed();
    if (p.name.isEmpty())
        p.name = p.embedded ? kEmbeddedProfile
                            : QStringLiteral("%1@%2").arg(m_user->text().trimmed(),
                                                          m_host->text().trimmed().isEmpty() ? m_service->text().trimmed()
                                                                                             : m_host->text().trimmed());
    if (!p.embedded) {
        p.host = m_host->text().trimmed();
        p.port = m_port->value();
        p.database = m_database->text().trimmed();
        p.user = m_user->text().trimmed();
        p.sslmode = m_sslmode->currentText() == QLatin1String("prefer") ? QString() : m_sslmode->currentText();
        p.service = m_service->text().trimmed();
        p.passwordStore = db::ConnectionProfile::PasswordStore(m_remember->currentData().toInt());
    }
    return p;
}

void LoginDialog::showProblem(const QString& message, const QString& detail)
{
    m_problem->setText(message);
    m_problem->setToolTip(detail);
    m_problem->setVisible(!message.isEmpty());
}

QString LoginDialog::problem() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

void LoginDialog::updateEnabled()
{
    m_serverBox->setEnabled(m_server->isChecked() && !m_busy);
    m_connect->setEnabled(!m_busy);
    m_connect->setText(m_busy ? QStringLiteral("Connecting…") : QStringLiteral("Connect"));
}

void LoginDialog::tryConnect()
{
    const db::ConnectionProfile p = profile();
    if (p.embedded) {
        db::ProfileStore::save(p);
        db::ProfileStore::setLastUsed(p.name);
        m_probe = {};
        m_probe.result = db::ConnectionProbe::Result::Ok;
        accept();
        return;
    }
    m_busy = true;
    updateEnabled();
    showProblem({});
    if (!m_password->text().isEmpty()) {
        probe(p.spec(m_password->text()));
        return;
    }
    p.rememberedPassword(this, [this, p](const QString& password) { probe(p.spec(password)); });
}

void LoginDialog::probe(const db::ConnectionSpec& spec)
{
    db::Worker::spawn<db::ConnectionProbe>(
        this, [spec] { return db::ConnectionProbe::run(spec); },
        [this, spec](const db::ConnectionProbe& probe) { finishConnect(probe, spec); });
}

void LoginDialog::finishConnect(const db::ConnectionProbe& probe, const db::ConnectionSpec& spec)
{
    m_busy = false;
    updateEnabled();
    m_probe = probe;
    if (!probe.usable()) {
        Q_EMIT probed(false);
        showProblem(probe.message, probe.detail);
        if (probe.result == db::ConnectionProbe::Result::BadPassword ||
            probe.result == db::ConnectionProbe::Result::PasswordNeeded) {
            m_password->selectAll();
            m_password->setFocus();
        }
        return;
    }
    const db::ConnectionProfile p = profile();
    if (!m_password->text().isEmpty() && p.passwordStore == db::ConnectionProfile::PasswordStore::Keyring) {
        // Remembered before the dialog closes: whoever opens the profile next finds it there.
        m_busy = true;
        updateEnabled();
        db::Keyring::write(p.keyringKey(), m_password->text(), this, [this, spec](const db::Keyring::Answer& answer) {
            m_busy = false;
            updateEnabled();
            if (!answer.ok)
                spdlog::warn("cannot remember the password: {}", answer.error.toStdString());
            finishAccept(spec);
        });
        return;
    }
    QString error;
    if (!m_password->text().isEmpty() && p.passwordStore == db::ConnectionProfile::PasswordStore::PgPass &&
        !db::PgPass::store(spec, m_password->text(), &error))
        spdlog::warn("cannot remember the password: {}", error.toStdString());
    finishAccept(spec);
}

void LoginDialog::finishAccept(const db::ConnectionSpec& spec)
{
    const db::ConnectionProfile p = profile();
    db::ProfileStore::save(p);
    db::ProfileStore::setLastUsed(p.name);
    m_spec = spec;
    Q_EMIT probed(true); // the password is where it was to be remembered
    accept();
}

} // namespace atlas::views
