#pragma once

#include "db/ConnectionProbe.h"
#include "db/Profiles.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace atlas::views {

// Where to connect: this computer's private database, or a PostgreSQL server (host, port,
// database, user, sslmode, or a libpq service name) with a password that is remembered in the
// desktop's keyring or ~/.pgpass — never in the settings. "Connect" tries it off the GUI thread
// and, when it fails, says what failed in words (no server, wrong password, not an Atlas Ops
// login, schema too old) instead of closing.
class LoginDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginDialog)
public:
    explicit LoginDialog(QWidget* parent = nullptr);

    void setProfile(const db::ConnectionProfile& profile);
    void showProblem(const QString& message, const QString& detail = {});
    // After accept(): what was chosen, and the spec to connect with (password included).
    db::ConnectionProfile profile() const;
    db::ConnectionSpec spec() const { return m_spec; }
    const db::ConnectionProbe& probe() const { return m_probe; }
    QString problem() const;

    QRadioButton* serverChoice() const { return m_server; }
    QRadioButton* embeddedChoice() const { return m_embedded; }
    QLineEdit* hostField() const { return m_host; }
    QSpinBox* portField() const { return m_port; }
    QLineEdit* databaseField() const { return m_database; }
    QLineEdit* userField() const { return m_user; }
    QLineEdit* passwordField() const { return m_password; }
    QComboBox* sslModeField() const { return m_sslmode; }
    QComboBox* rememberField() const { return m_remember; }
    QPushButton* connectButton() const { return m_connect; }

Q_SIGNALS:
    // A connection was tried: unusable (the dialog says why and stays), or usable (the password
    // remembered where chosen, the dialog accepted).
    void probed(bool usable);

private:
    void tryConnect();
    void probe(const db::ConnectionSpec& spec);
    void finishConnect(const db::ConnectionProbe& probe, const db::ConnectionSpec& spec);
    void finishAccept(const db::ConnectionSpec& spec);
    void updateEnabled();

    QComboBox* m_profiles;
    QLineEdit* m_name;
    QRadioButton* m_embedded;
    QRadioButton* m_server;
    QGroupBox* m_serverBox;
    QLineEdit* m_host;
    QSpinBox* m_port;
    QLineEdit* m_database;
    QLineEdit* m_user;
    QComboBox* m_sslmode;
    QLineEdit* m_service;
    QLineEdit* m_password;
    QComboBox* m_remember;
    QLabel* m_problem;
    QPushButton* m_connect;
    db::ConnectionSpec m_spec;
    db::ConnectionProbe m_probe;
    bool m_busy = false;
};

} // namespace atlas::views
