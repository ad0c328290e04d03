#pragma once

#include <QColor>
#include <QList>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace atlas::views {

// Two versions of a policy side by side (baseline | inventory), lines aligned, changed lines
// tinted, scrolling together.
class PayloadDiffView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PayloadDiffView)
public:
    explicit PayloadDiffView(QWidget* parent = nullptr);

    void showPair(const QString& leftTitle, const QString& left, const QString& rightTitle, const QString& right);
    void showMessage(const QString& text);
    QString leftText() const;
    QString rightText() const;
    int changedLines() const { return m_changed; }
    // The tint of line `line` of one side (invalid: not tinted).
    QColor lineColor(bool left, int line) const;

protected:
    void changeEvent(QEvent* event) override;

private:
    enum class LineKind
    {
        Same,
        Changed,
        Ignored, // differs, but only in a volatile field
        Removed,
        Added
    };
    struct Tints
    {
        QColor changed, removed, added, blank;
    };
    Tints tints() const;
    void paintLines();
    void updateLegend();

    QLabel* m_leftTitle;
    QLabel* m_rightTitle;
    QPlainTextEdit* m_left;
    QPlainTextEdit* m_right;
    QLabel* m_legend;
    QList<LineKind> m_kinds; // one per shown line
    int m_changed = 0;
};

} // namespace atlas::views
