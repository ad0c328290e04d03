#include "TrendsView.h"

#include "StatusStyle.h"
#include "Theme.h"
#include "runs/RunStatus.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QMap>
#include <QStackedBarSeries>
#include <QValueAxis>

#include <cmath>

namespace atlas::views {

namespace {
QChartView* makeView(const QString& title, QWidget* parent)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(160);
    return view;
}

void clear(QChart* chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}
} // namespace

TrendsView::TrendsView(QWidget* parent)
    : QWidget(parent)
    , m_dayView(makeView(QStringLiteral("Runs per day, by status"), this))
    , m_durationView(makeView(QStringLiteral("Seconds per operation"), this))
{
    setObjectName(QStringLiteral("trendsView"));
    dayChart()->legend()->hide(); // the bucket list beside it is the legend
    for (QChart* chart : {dayChart(), durationChart()}) {
        QFont title = chart->titleFont();
        title.setPointSizeF(title.pointSizeF() * 0.9);
        chart->setTitleFont(title);
    }
    auto* h = new QHBoxLayout(this);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(m_dayView, 1);
    h->addWidget(m_durationView, 1); // its labels are operations' names: as wide as the days
    applyTheme();
}

QChart* TrendsView::dayChart() const
{
    return m_dayView->chart();
}
QChart* TrendsView::durationChart() const
{
    return m_durationView->chart();
}

void TrendsView::setDays(const QList<hub::Insights::Day>& days)
{
    QChart* chart = dayChart();
    clear(chart);
    QMap<QDate, QHash<runs::Bucket, qint64>> byDay;
    for (const auto& d : days)
        byDay[d.day][d.bucket] += d.runs;
    m_days = int(byDay.size());
    auto* series = new QStackedBarSeries;
    qint64 peak = 0;
    for (const runs::Bucket bucket : runs::allBuckets()) {
        auto* set = new QBarSet(runs::bucketLabel(bucket));
        set->setColor(StatusStyle::color(bucket));
        set->setBorderColor(StatusStyle::color(bucket));
        for (auto it = byDay.cbegin(); it != byDay.cend(); ++it)
            *set << double(it->value(bucket));
        series->append(set);
    }
    QStringList categories;
    for (auto it = byDay.cbegin(); it != byDay.cend(); ++it) {
        categories << it.key().toString(QStringLiteral("MM-dd"));
        qint64 total = 0;
        for (qint64 n : *it)
            total += n;
        peak = std::max(peak, total);
    }
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis;
    x->append(categories);
    auto* y = new QValueAxis;
    y->setRange(0, std::max<qint64>(peak, 1));
    y->setLabelFormat(QStringLiteral("%d"));
    y->applyNiceNumbers();
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    applyTheme();
}

void TrendsView::setDurations(const QList<hub::Insights::Durations>& durations)
{
    QChart* chart = durationChart();
    clear(chart);
    auto* series = new QHorizontalBarSeries;
    QStringList categories;
    auto* p50 = new QBarSet(QStringLiteral("p50"));
    auto* p90 = new QBarSet(QStringLiteral("p90"));
    auto* p99 = new QBarSet(QStringLiteral("p99"));
    double peak = 0;
    for (const auto& d : durations) {
        categories << runs::operationLabel(d.resource, d.action);
        *p50 << d.p50;
        *p90 << d.p90;
        *p99 << d.p99;
        peak = std::max(peak, d.p99);
    }
    series->append({p50, p90, p99});
    chart->addSeries(series);
    auto* y = new QBarCategoryAxis;
    y->append(categories);
    // Two intervals of a round whole number of seconds (1, 2, 5, 10, 20, ...), so the three
    // labels are distinct whole numbers, not "0 1 1" from rounding halves.
    constexpr double kMantissas[] = {1, 2, 5};
    double step = 1;
    for (int k = 1; step * 2 < peak; ++k)
        step = kMantissas[k % 3] * std::pow(10.0, k / 3);
    auto* x = new QValueAxis;
    x->setRange(0, step * 2);
    x->setLabelFormat(QStringLiteral("%.0f"));
    x->setTickCount(3);
    chart->addAxis(y, Qt::AlignLeft);
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    series->attachAxis(y);
    applyTheme();
}

// The charts' own colours follow the palette (light or dark); the bars keep the bucket colours.
void TrendsView::applyTheme()
{
    const QPalette pal = palette();
    for (QChart* chart : {dayChart(), durationChart()}) {
        chart->setBackgroundBrush(pal.color(QPalette::Base));
        chart->setTitleBrush(pal.color(QPalette::Text));
        chart->legend()->setLabelColor(pal.color(QPalette::Text));
        for (QAbstractAxis* axis : chart->axes()) {
            axis->setLabelsColor(pal.color(QPalette::Text));
            axis->setGridLineColor(pal.color(QPalette::Mid));
            axis->setLinePenColor(pal.color(QPalette::Mid));
        }
    }
}

void TrendsView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
}

} // namespace atlas::views
