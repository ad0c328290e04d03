#pragma once

#include "ProducerPage.h"
#include "catalog/Catalog.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace atlas::views {

class PayloadDiffView;

// Drift: the tenant's baselines (capture one from the current inventory), "Generate drift"
// against the selected baseline, the drift runs, and a findings viewer for any of them with
// the two payload versions of a policy side by side.
class DriftPage final : public ProducerPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DriftPage)
public:
    DriftPage(PageContext context, QWidget* parent = nullptr);

    void reload() override;
    // Shows the findings of drift run `runId` (from the hub's result link, or a run list click).
    void showResult(qint64 runId) override;
    qint64 shownRun() const { return m_run; }
    void captureBaseline(const QString& name);
    void generateDrift();

    QPushButton* captureButton() const { return m_capture; }
    QPushButton* generateButton() const { return m_generate; }
    QTableWidget* baselineTable() const { return m_baselines; }
    QTableWidget* runTable() const { return m_runs; }
    QTableWidget* findingsTable() const { return m_findingsTable; }
    PayloadDiffView* diffView() const { return m_diff; }

Q_SIGNALS:
    void listsLoaded();
    void findingsLoaded(qint64 runId);
    void payloadsShown(const QString& externalId);

private:
    void layOut();
    void connectControls();
    void loadFindings(qint64 runId);
    void showFindings();
    void findingSelected();
    void updateGenerate();

    QPushButton* m_capture;
    QPushButton* m_generate;
    QTableWidget* m_baselines;
    QTableWidget* m_runs;
    QLabel* m_findingsTitle;
    QLineEdit* m_findingsSearch;
    QTableWidget* m_findingsTable;
    PayloadDiffView* m_diff;
    QList<catalog::Baseline> m_baselineRows;
    QList<catalog::DriftRun> m_runRows;
    QList<catalog::Finding> m_findings;
    qint64 m_run = 0;
    quint64 m_generation = 0;
};

} // namespace atlas::views
