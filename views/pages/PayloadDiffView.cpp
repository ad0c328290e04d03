#include "PayloadDiffView.h"

#include "StatusStyle.h"
#include "drift/DriftDiff.h"
#include "drift/LineDiff.h"

#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTextBlock>

namespace atlas::views {

namespace {
QPlainTextEdit* makePane(QWidget* parent)
{
    auto* pane = new QPlainTextEdit(parent);
    pane->setReadOnly(true);
    pane->setLineWrapMode(QPlainTextEdit::NoWrap);
    pane->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    pane->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return pane;
}

// A line of pretty-printed JSON that holds a field drift ignores (lastModifiedDateTime, ...):
// top-level keys sit at an indentation of four spaces.
bool isIgnoredLine(const QString& line)
{
    static const QRegularExpression key(QStringLiteral("^(\\s*)\"([^\"]+)\":"));
    const QRegularExpressionMatch m = key.match(line);
    return m.hasMatch() && drift::DriftDiff::isVolatileKey(m.captured(2), m.captured(1).size() == 4);
}

QColor tint(const QPalette& palette, const QColor& accent)
{
    return StatusStyle::blend(palette.color(QPalette::Base), accent, 0.28);
}

void paint(QPlainTextEdit* pane, const QList<QColor>& colors)
{
    QList<QTextEdit::ExtraSelection> selections;
    QTextBlock block = pane->document()->firstBlock();
    for (const QColor& color : colors) {
        if (!block.isValid())
            break;
        if (color.isValid()) {
            QTextEdit::ExtraSelection s;
            s.cursor = QTextCursor(block);
            s.format.setBackground(color);
            s.format.setProperty(QTextFormat::FullWidthSelection, true);
            selections.append(s);
        }
        block = block.next();
    }
    pane->setExtraSelections(selections);
}
} // namespace

PayloadDiffView::PayloadDiffView(QWidget* parent)
    : QWidget(parent)
    , m_leftTitle(new QLabel(this))
    , m_rightTitle(new QLabel(this))
    , m_left(makePane(this))
    , m_right(makePane(this))
    , m_legend(new QLabel(this))
{
    setObjectName(QStringLiteral("payloadDiff"));
    for (QLabel* title : {m_leftTitle, m_rightTitle})
        title->setWordWrap(true);
    m_left->setObjectName(QStringLiteral("baselinePayload"));
    m_right->setObjectName(QStringLiteral("currentPayload"));
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(m_leftTitle, 0, 0);
    grid->addWidget(m_rightTitle, 0, 1);
    grid->addWidget(m_left, 1, 0);
    grid->addWidget(m_right, 1, 1);
    m_legend->setForegroundRole(QPalette::PlaceholderText);
    m_legend->setWordWrap(true);
    grid->addWidget(m_legend, 2, 0, 1, 2);
    updateLegend();
    // The two sides scroll as one.
    connect(m_left->verticalScrollBar(), &QScrollBar::valueChanged, m_right->verticalScrollBar(), &QScrollBar::setValue);
    connect(m_right->verticalScrollBar(), &QScrollBar::valueChanged, m_left->verticalScrollBar(), &QScrollBar::setValue);
    connect(m_left->horizontalScrollBar(), &QScrollBar::valueChanged, m_right->horizontalScrollBar(), &QScrollBar::setValue);
    connect(m_right->horizontalScrollBar(), &QScrollBar::valueChanged, m_left->horizontalScrollBar(), &QScrollBar::setValue);
    showMessage(QStringLiteral("Select a finding to compare its two versions."));
}

void PayloadDiffView::showPair(const QString& leftTitle, const QString& left, const QString& rightTitle, const QString& right)
{
    m_leftTitle->setText(leftTitle);
    m_rightTitle->setText(rightTitle);
    const QStringList a = left.isEmpty() ? QStringList() : left.split(QLatin1Char('\n'));
    const QStringList b = right.isEmpty() ? QStringList() : right.split(QLatin1Char('\n'));
    const QList<drift::DiffRow> rows = drift::LineDiff::compare(a, b);
    QStringList leftLines;
    QStringList rightLines;
    m_kinds.clear();
    m_changed = 0;
    for (const drift::DiffRow& row : rows) {
        leftLines << (row.left >= 0 ? a[row.left] : QString());
        rightLines << (row.right >= 0 ? b[row.right] : QString());
        LineKind kind = LineKind::Same;
        switch (row.kind) {
        case drift::DiffRow::Kind::Same:
            break;
        case drift::DiffRow::Kind::Changed:
            // Differs, but drift does not count it when both sides are volatile fields.
            kind = isIgnoredLine(a[row.left]) && isIgnoredLine(b[row.right]) ? LineKind::Ignored : LineKind::Changed;
            break;
        case drift::DiffRow::Kind::Removed:
            kind = LineKind::Removed;
            break;
        case drift::DiffRow::Kind::Added:
            kind = LineKind::Added;
            break;
        }
        m_changed += kind != LineKind::Same && kind != LineKind::Ignored;
        m_kinds << kind;
    }
    m_left->setPlainText(leftLines.join(QLatin1Char('\n')));
    m_right->setPlainText(rightLines.join(QLatin1Char('\n')));
    paintLines();
    // Open at the first difference.
    for (int i = 0; i < rows.size(); ++i) {
        if (rows[i].kind != drift::DiffRow::Kind::Same) {
            const QTextBlock block = m_left->document()->findBlockByNumber(std::max(0, i - 3));
            m_left->setTextCursor(QTextCursor(block));
            m_left->ensureCursorVisible();
            m_left->verticalScrollBar()->setValue(std::max(0, i - 3));
            break;
        }
    }
}

PayloadDiffView::Tints PayloadDiffView::tints() const
{
    return {tint(palette(), QColor(0xe0, 0xa0, 0x00)), tint(palette(), QColor(0xd3, 0x2f, 0x2f)),
            tint(palette(), QColor(0x38, 0x8e, 0x3c)), palette().color(QPalette::AlternateBase)};
}

// The tints come from the palette in use: recomputed whenever it changes.
void PayloadDiffView::paintLines()
{
    const Tints t = tints();
    QList<QColor> leftColors;
    QList<QColor> rightColors;
    for (const LineKind kind : std::as_const(m_kinds)) {
        switch (kind) {
        case LineKind::Same:
            leftColors << QColor();
            rightColors << QColor();
            break;
        case LineKind::Ignored:
            leftColors << t.blank;
            rightColors << t.blank;
            break;
        case LineKind::Changed:
            leftColors << t.changed;
            rightColors << t.changed;
            break;
        case LineKind::Removed:
            leftColors << t.removed;
            rightColors << t.blank;
            break;
        case LineKind::Added:
            leftColors << t.blank;
            rightColors << t.added;
            break;
        }
    }
    paint(m_left, leftColors);
    paint(m_right, rightColors);
}

void PayloadDiffView::updateLegend()
{
    const Tints t = tints();
    m_legend->setText(QStringLiteral("<span style='background:%1'>&nbsp;changed&nbsp;</span> &nbsp;"
                                     "<span style='background:%2'>&nbsp;only in the baseline&nbsp;</span> &nbsp;"
                                     "<span style='background:%3'>&nbsp;only in the inventory&nbsp;</span> &nbsp;"
                                     "<span style='background:%4'>&nbsp;differs, ignored by drift (volatile field)&nbsp;</span>")
                          .arg(t.changed.name(), t.removed.name(), t.added.name(), t.blank.name()));
}

QColor PayloadDiffView::lineColor(bool left, int line) const
{
    const QPlainTextEdit* pane = left ? m_left : m_right;
    for (const QTextEdit::ExtraSelection& s : pane->extraSelections()) {
        if (s.cursor.blockNumber() == line)
            return s.format.background().color();
    }
    return {};
}

void PayloadDiffView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        updateLegend();
        paintLines();
    }
}

void PayloadDiffView::showMessage(const QString& text)
{
    m_leftTitle->setText(text);
    m_rightTitle->clear();
    m_left->clear();
    m_right->clear();
    m_left->setExtraSelections({});
    m_right->setExtraSelections({});
    m_kinds.clear();
    m_changed = 0;
}

QString PayloadDiffView::leftText() const
{
    return m_left->toPlainText();
}

QString PayloadDiffView::rightText() const
{
    return m_right->toPlainText();
}

} // namespace atlas::views
