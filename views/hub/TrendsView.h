#pragma once

#include "hub/Insights.h"

#include <QWidget>

class QChart;
class QChartView;

namespace atlas::views {

// Runs per day by bucket (stacked bars in the buckets' colours) and duration percentiles per
// operation (p50, p90, p99), for the hub's current filter; both computed in SQL. Follows the
// appearance: re-themed when the palette changes.
class TrendsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrendsView)
public:
    explicit TrendsView(QWidget* parent = nullptr);
    void setDays(const QList<hub::Insights::Day>& days);
    void setDurations(const QList<hub::Insights::Durations>& durations);

    QChart* dayChart() const;
    QChart* durationChart() const;
    int days() const { return m_days; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyTheme();

    QChartView* m_dayView;
    QChartView* m_durationView;
    int m_days = 0;
};

} // namespace atlas::views
