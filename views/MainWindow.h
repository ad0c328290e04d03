#pragma once

#include "db/ConnectionSpec.h"

#include <QMainWindow>

class QComboBox;
class QLabel;
class QStackedWidget;

namespace atlas::views {

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(const db::ConnectionSpec& spec, QWidget* parent = nullptr);
    ~MainWindow() override;

private:
    void loadTenants();

    db::ConnectionSpec m_spec;
    QComboBox* m_tenants = nullptr;
    QLabel* m_connection = nullptr;
    QStackedWidget* m_pages = nullptr;
};

} // namespace atlas::views
