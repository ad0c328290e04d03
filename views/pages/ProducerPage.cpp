#include "ProducerPage.h"

#include "StatusStyle.h"
#include "Tables.h"

#include "db/Connection.h"
#include "runs/RunApi.h"
#include "runs/RunRequests.h"
#include "support/TimeText.h"

#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSqlQuery>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace atlas::views {

namespace {
bool s_confirmStarts = true;

QString runLink(qint64 id)
{
    return QStringLiteral("<a href=\"atlas-ops://run/%1\">View run</a>").arg(id);
}
} // namespace

StartBanner::StartBanner(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("startBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_text->setObjectName(QStringLiteral("startBannerText"));
    m_text->setTextFormat(Qt::RichText);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard | Qt::TextSelectableByMouse);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(QStringLiteral("Dismiss"));
    auto* h = new QHBoxLayout(this);
    h->setContentsMargins(10, 6, 6, 6);
    h->addWidget(m_icon);
    h->addWidget(m_text, 1);
    h->addWidget(m_close);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    connect(m_text, &QLabel::linkActivated, this,
            [this](const QString& link) { Q_EMIT runLinkActivated(link.section(QLatin1Char('/'), -1).toLongLong()); });
    hide();
}

void StartBanner::showMessage(Tone tone, const QString& html)
{
    m_tone = tone;
    // Tinted from the palette's own colours, so it reads in light and dark themes alike.
    const QColor accent = tone == Tone::Info ? QColor(0x2e, 0x7d, 0x32)
        : tone == Tone::Warning              ? QColor(0xb2, 0x6a, 0x00)
                                             : QColor(0xc6, 0x28, 0x28);
    QPalette p = palette();
    const QColor base = parentWidget() ? parentWidget()->palette().color(QPalette::Window) : p.color(QPalette::Window);
    p.setColor(QPalette::Window, StatusStyle::blend(base, accent, 0.15));
    setPalette(p);
    const QStyle::StandardPixmap icon = tone == Tone::Info ? QStyle::SP_MessageBoxInformation
        : tone == Tone::Warning                            ? QStyle::SP_MessageBoxWarning
                                                           : QStyle::SP_MessageBoxCritical;
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(20, 20));
    m_text->setText(html);
    show();
}

void StartBanner::showOutcome(const runs::StartOutcome& outcome)
{
    if (!outcome.runId) {
        showMessage(Tone::Error,
                    QStringLiteral("%1 could not start: %2").arg(outcome.label.toHtmlEscaped(), outcome.error.toHtmlEscaped()));
    } else if (outcome.reused) {
        showMessage(Tone::Warning,
                    QStringLiteral("An identical %1 is already running as run #%2 — nothing new was "
                                   "started. %3")
                        .arg(outcome.label.toLower().toHtmlEscaped())
                        .arg(outcome.runId)
                        .arg(runLink(outcome.runId)));
    } else {
        showMessage(Tone::Info,
                    QStringLiteral("%1 started as run #%2. %3")
                        .arg(outcome.label.toHtmlEscaped())
                        .arg(outcome.runId)
                        .arg(runLink(outcome.runId)));
    }
}

QString StartBanner::text() const
{
    return m_text->text();
}

ProducerPage::ProducerPage(const QString& objectName, const QString& title, PageContext context, QWidget* parent)
    : QWidget(parent)
    , m_context(context)
    , m_title(new QLabel(title, this))
    , m_subtitle(new QLabel(this))
    , m_actions(new QHBoxLayout)
    , m_banner(new StartBanner(this))
    , m_body(new QVBoxLayout)
{
    setObjectName(objectName);
    QHBoxLayout* top = makePageHeader(m_title, m_subtitle);
    m_actions->setSpacing(6);
    top->addLayout(m_actions);
    auto* v = new QVBoxLayout(this);
    v->addLayout(top);
    v->addWidget(m_banner);
    v->addLayout(m_body, 1);
    connect(m_banner, &StartBanner::runLinkActivated, this, &ProducerPage::runLinkActivated);
}

void ProducerPage::setConfirmStarts(bool confirm)
{
    s_confirmStarts = confirm;
}

bool ProducerPage::confirmsStarts()
{
    return s_confirmStarts;
}

void ProducerPage::setTenant(const QUuid& tenant, const QString& tenantName, const QString& role)
{
    const bool tenantSwitched = tenant != m_tenant;
    m_tenant = tenant;
    m_tenantName = tenantName;
    m_role = role;
    updateStartControls();
    if (tenantSwitched) {
        m_banner->hide();
        if (tenant.isNull())
            m_banner->showMessage(StartBanner::Tone::Info,
                                  QStringLiteral("Operations shows all your tenants. Choose one tenant in the switcher "
                                                 "to work on it here."));
        refreshSoon();
    }
}

void ProducerPage::setWritable(bool writable)
{
    m_writable = writable;
    updateStartControls();
}

void ProducerPage::updateStartControls()
{
    // Readonly (or a database this build must not write to) gets no start controls at all, not
    // disabled ones.
    for (QWidget* control : std::as_const(m_startControls))
        control->setVisible(canStart());
    if (m_cancelControl)
        m_cancelControl->setVisible(canCancel());
}

bool ProducerPage::canCancel() const
{
    return m_writable && !m_tenant.isNull() && (m_role == QLatin1String("owner") || m_role == QLatin1String("manager"));
}

void ProducerPage::addCancelControl(const QString& resource, const QString& action)
{
    m_cancelResource = resource;
    m_cancelAction = action;
    auto* button = new QPushButton(QStringLiteral("Cancel run…"), this);
    button->setObjectName(QStringLiteral("cancelRunButton"));
    button->setToolTip(QStringLiteral("End an active run of this tenant (owners and managers)"));
    connect(button, &QPushButton::clicked, this, &ProducerPage::chooseRunToCancel);
    m_cancelControl = button;
    m_actions->addWidget(button);
    button->setVisible(canCancel());
}

void ProducerPage::chooseRunToCancel()
{
    const QString tenant = m_tenant.toString(QUuid::WithoutBraces);
    const QString resource = m_cancelResource;
    const QString action = m_cancelAction;
    // One line per active run, "id\tdescription", or "!error".
    m_context.starter->call(
        [tenant, resource, action](db::Connection& conn) -> QString {
            QSqlQuery q(conn.database());
            if (!conn.exec(q,
                           QStringLiteral("SELECT id, initiator, status_bucket, processed_items, total_items, created_at "
                                          "FROM atlas.operation_runs WHERE tenant_id = ?::uuid AND resource = ? "
                                          "AND action = ? AND status IN ('pending', 'running') "
                                          "ORDER BY created_at DESC, id DESC LIMIT 200"),
                           {tenant, resource, action}))
                return QStringLiteral("!") + runs::RunQueries::explain(conn.lastError());
            QStringList lines;
            while (q.next())
                lines << QStringLiteral("%1\tRun #%1 — %2, %3, %4 of %5 items, by %6")
                             .arg(q.value(0).toLongLong())
                             .arg(runs::bucketLabel(runs::bucketFromKey(q.value(2).toString())).toLower())
                             .arg(support::TimeText::dateTime(q.value(5).toDateTime()))
                             .arg(q.value(3).toInt())
                             .arg(q.value(4).toInt())
                             .arg(q.value(1).toString());
            return lines.join(QLatin1Char('\n'));
        },
        [this](const QString& answer) {
            if (answer.startsWith(QLatin1Char('!'))) {
                m_banner->showMessage(StartBanner::Tone::Error,
                                      QStringLiteral("Cannot list active runs: %1").arg(answer.mid(1).toHtmlEscaped()));
                return;
            }
            if (answer.isEmpty()) {
                QMessageBox::information(this, QStringLiteral("Cancel run"),
                                         QStringLiteral("No run of this kind is active in %1.").arg(m_tenantName));
                return;
            }
            QStringList labels;
            QList<qint64> ids;
            for (const QString& line : answer.split(QLatin1Char('\n'))) {
                ids << line.section(QLatin1Char('\t'), 0, 0).toLongLong();
                labels << line.section(QLatin1Char('\t'), 1);
            }
            bool ok = false;
            const QString chosen =
                QInputDialog::getItem(this, QStringLiteral("Cancel run"), QStringLiteral("Active runs in %1:").arg(m_tenantName),
                                      labels, 0, false, &ok);
            if (ok && labels.contains(chosen))
                cancelRun(ids.at(labels.indexOf(chosen)));
        },
        this);
}

void ProducerPage::cancelRun(qint64 runId)
{
    if (s_confirmStarts &&
        QMessageBox::question(this, QStringLiteral("Cancel run"),
                              QStringLiteral("End run #%1 now? Items it has recorded stay recorded; the rest are not "
                                             "processed.")
                                  .arg(runId),
                              QMessageBox::Yes | QMessageBox::No, QMessageBox::No) != QMessageBox::Yes)
        return;
    m_context.starter->call(
        [runId](db::Connection& conn) -> QString {
            db::DbError error;
            const auto status = runs::RunApi(conn).cancel(runId, &error);
            if (status)
                return *status;
            return QStringLiteral("!") +
                (error.sqlState == QLatin1String("42501")
                     ? QStringLiteral("only owners and managers of the run's tenant may cancel it")
                     : runs::RunQueries::explain(error));
        },
        [this, runId](const QString& answer) {
            const QString link = runLink(runId);
            if (answer.startsWith(QLatin1Char('!')))
                m_banner->showMessage(
                    StartBanner::Tone::Error,
                    QStringLiteral("Run #%1 was not cancelled: %2").arg(runId).arg(answer.mid(1).toHtmlEscaped()));
            else if (answer == QLatin1String("aborted"))
                m_banner->showMessage(StartBanner::Tone::Info, QStringLiteral("Run #%1 cancelled — %2").arg(runId).arg(link));
            else
                m_banner->showMessage(
                    StartBanner::Tone::Warning,
                    QStringLiteral("Run #%1 had already ended (%2) — %3").arg(runId).arg(answer.toHtmlEscaped(), link));
            refreshSoon();
        },
        this);
}

bool ProducerPage::canStart() const
{
    return m_writable && !m_tenant.isNull() &&
        (m_role == QLatin1String("owner") || m_role == QLatin1String("manager") || m_role == QLatin1String("operator"));
}

void ProducerPage::refreshSoon()
{
    if (isVisible() && !m_tenant.isNull()) {
        m_stale = false;
        reload();
    } else {
        m_stale = true;
    }
}

void ProducerPage::setSubtitle(const QString& text)
{
    m_subtitle->setText(text);
}

void ProducerPage::addStartControl(QWidget* control)
{
    m_startControls.append(control);
    m_actions->addWidget(control);
    control->setVisible(canStart());
}

void ProducerPage::startRun(const QString& label, const QString& question, runs::RunStarter::Build build)
{
    if (s_confirmStarts && !question.isEmpty() &&
        QMessageBox::question(this, label, question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes) !=
            QMessageBox::Yes)
        return;
    m_banner->showMessage(StartBanner::Tone::Info, QStringLiteral("Starting %1…").arg(label.toLower().toHtmlEscaped()));
    m_context.starter->start(label, std::move(build), this, [this](const runs::StartOutcome& outcome) {
        m_banner->showOutcome(outcome);
        Q_EMIT startAnswered(outcome);
    });
}

void ProducerPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale && !m_tenant.isNull()) {
        m_stale = false;
        reload();
    }
}

} // namespace atlas::views
