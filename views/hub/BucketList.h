#pragma once

#include "hub/RunRow.h"

#include <QListWidget>

namespace atlas::views {

// "All" and the five status buckets, each with its live count; selecting one filters the hub.
class BucketList final : public QListWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BucketList)
public:
    explicit BucketList(QWidget* parent = nullptr);
    void setCounts(const hub::BucketCounts& counts);
    void setBucket(std::optional<runs::Bucket> bucket); // without emitting; nullopt: all runs
    std::optional<runs::Bucket> bucket() const;

Q_SIGNALS:
    void bucketChosen(std::optional<atlas::runs::Bucket> bucket);

private:
    bool m_updating = false;
};

} // namespace atlas::views
