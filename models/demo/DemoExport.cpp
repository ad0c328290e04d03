#include "DemoExport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringEncoder>

namespace atlas::demo {

namespace {
QJsonObject choice(int index, const QString& definition, const QString& value)
{
    return QJsonObject{{QStringLiteral("id"), QString::number(index)},
                       {QStringLiteral("settingInstance"),
                        QJsonObject{{QStringLiteral("@odata.type"),
                                     QStringLiteral("#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance")},
                                    {QStringLiteral("settingDefinitionId"), definition},
                                    {QStringLiteral("settingInstanceTemplateReference"), QJsonValue::Null},
                                    {QStringLiteral("choiceSettingValue"),
                                     QJsonObject{{QStringLiteral("settingValueTemplateReference"), QJsonValue::Null},
                                                 {QStringLiteral("value"), QString(definition + QLatin1Char('_') + value)},
                                                 {QStringLiteral("children"), QJsonArray()}}}}}};
}

QJsonObject settingsCatalog(const QString& id, const QString& name, const QString& description,
                            const QList<QPair<QString, QString>>& settings, const QString& modified)
{
    QJsonArray list;
    for (int i = 0; i < settings.size(); ++i)
        list.append(choice(i, settings[i].first, settings[i].second));
    return QJsonObject{
        {QStringLiteral("@odata.context"),
         QStringLiteral("https://graph.microsoft.com/beta/$metadata#deviceManagement/"
                        "configurationPolicies(assignments(),settings())/$entity")},
        {QStringLiteral("@odata.type"), QStringLiteral("#microsoft.graph.deviceManagementConfigurationPolicy")},
        {QStringLiteral("createdDateTime"), QStringLiteral("2025-03-14T09:12:44.1200000Z")},
        {QStringLiteral("lastModifiedDateTime"), modified},
        {QStringLiteral("creationSource"), QJsonValue::Null},
        {QStringLiteral("description"), description},
        {QStringLiteral("name"), name},
        {QStringLiteral("platforms"), QStringLiteral("windows10")},
        {QStringLiteral("roleScopeTagIds"), QJsonArray{QStringLiteral("0")}},
        {QStringLiteral("settingCount"), int(settings.size())},
        {QStringLiteral("technologies"), QStringLiteral("mdm")},
        {QStringLiteral("id"), id},
        {QStringLiteral("templateReference"),
         QJsonObject{{QStringLiteral("templateId"), QString()}, {QStringLiteral("templateFamily"), QStringLiteral("none")}}},
        {QStringLiteral("assignments"), QJsonArray()},
        {QStringLiteral("settings"), list},
    };
}

QJsonObject compliance(const QString& id, const QString& name, int minLength, bool bitlocker, const QString& modified)
{
    return QJsonObject{
        {QStringLiteral("@odata.type"), QStringLiteral("#microsoft.graph.windows10CompliancePolicy")},
        {QStringLiteral("id"), id},
        {QStringLiteral("displayName"), name},
        {QStringLiteral("description"), QStringLiteral("Device compliance for corporate Windows devices")},
        {QStringLiteral("createdDateTime"), QStringLiteral("2025-02-01T08:00:00Z")},
        {QStringLiteral("lastModifiedDateTime"), modified},
        {QStringLiteral("version"), 3},
        {QStringLiteral("passwordRequired"), true},
        {QStringLiteral("passwordMinimumLength"), minLength},
        {QStringLiteral("passwordRequiredType"), QStringLiteral("alphanumeric")},
        {QStringLiteral("bitLockerEnabled"), bitlocker},
        {QStringLiteral("secureBootEnabled"), true},
        {QStringLiteral("codeIntegrityEnabled"), true},
        {QStringLiteral("osMinimumVersion"), QStringLiteral("10.0.19045")},
        {QStringLiteral("scheduledActionsForRule"),
         QJsonArray{QJsonObject{{QStringLiteral("ruleName"), QStringLiteral("PasswordRequired")}}}},
    };
}

QJsonObject updateRing(const QString& id, const QString& name, int qualityDeferral, int featureDeferral, const QString& modified)
{
    return QJsonObject{
        {QStringLiteral("@odata.type"), QStringLiteral("#microsoft.graph.windowsUpdateForBusinessConfiguration")},
        {QStringLiteral("id"), id},
        {QStringLiteral("displayName"), name},
        {QStringLiteral("lastModifiedDateTime"), modified},
        {QStringLiteral("version"), 7},
        {QStringLiteral("qualityUpdatesDeferralPeriodInDays"), qualityDeferral},
        {QStringLiteral("featureUpdatesDeferralPeriodInDays"), featureDeferral},
        {QStringLiteral("automaticUpdateMode"), QStringLiteral("autoInstallAtMaintenanceTime")},
        {QStringLiteral("businessReadyUpdatesOnly"), QStringLiteral("userDefined")},
        {QStringLiteral("driversExcluded"), false},
    };
}

bool writeJson(const QString& path, const QJsonObject& policy, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    QString text = QString::fromUtf8(QJsonDocument(policy).toJson(QJsonDocument::Indented));
    text.replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
    QStringEncoder encoder(QStringConverter::Utf16LE, QStringConverter::Flag::WriteBom);
    f.write(encoder.encode(text));
    return true;
}
} // namespace

bool DemoExport::write(const QString& folder, int release, QString* error)
{
    const bool two = release >= 2;
    const QString m1 = QStringLiteral("2025-09-02T10:00:00Z"), m2 = QStringLiteral("2025-11-18T16:45:00Z");
    const QList<QPair<QString, QJsonObject>> policies = {
        {QStringLiteral("CompliancePolicies/Win - Compliance - Device Health.json"),
         compliance(QStringLiteral("c6a1f7e2-3b54-4a0e-9a57-1d2e3f4a5b60"), QStringLiteral("Win - Compliance - Device Health"),
                    two ? 14 : 12, true, two ? m2 : m1)},
        {QStringLiteral("CompliancePolicies/Win - Compliance - Password.json"),
         compliance(QStringLiteral("0b8e4c1d-7f2a-4d9b-8c3e-5a6b7c8d9e01"), QStringLiteral("Win - Compliance - Password"), 12,
                    false, m1)},
        {QStringLiteral("SettingsCatalog/Win - SC - Defender Antivirus - Configuration.json"),
         settingsCatalog(
             QStringLiteral("3f2e1d0c-9b8a-4765-8432-10fedcba9876"),
             QStringLiteral("Win - SC - Defender Antivirus - Configuration"),
             QStringLiteral("Real-time protection, cloud-delivered protection and PUA blocking"),
             {{QStringLiteral("device_vendor_msft_policy_config_defender_allowrealtimemonitoring"), QStringLiteral("1")},
              {QStringLiteral("device_vendor_msft_policy_config_defender_allowcloudprotection"), QStringLiteral("1")},
              {QStringLiteral("device_vendor_msft_policy_config_defender_cloudblocklevel"),
               two ? QStringLiteral("4") : QStringLiteral("2")},
              {QStringLiteral("device_vendor_msft_policy_config_defender_puaprotection"), QStringLiteral("1")}},
             two ? m2 : m1)},
        {QStringLiteral("SettingsCatalog/Win - SC - BitLocker - OS Disk.json"),
         settingsCatalog(
             QStringLiteral("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"), QStringLiteral("Win - SC - BitLocker - OS Disk"),
             QStringLiteral("XTS-AES 256 with TPM startup"),
             {{QStringLiteral("device_vendor_msft_bitlocker_requiredeviceencryption"), QStringLiteral("1")},
              {QStringLiteral("device_vendor_msft_bitlocker_encryptionmethodbydrivetype"), QStringLiteral("1")},
              {QStringLiteral("device_vendor_msft_bitlocker_systemdrivesrequirestartupauthentication"), QStringLiteral("1")}},
             m1)},
        {QStringLiteral("SettingsCatalog/Win - SC - Microsoft Edge - Security.json"),
         settingsCatalog(
             QStringLiteral("9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4"), QStringLiteral("Win - SC - Microsoft Edge - Security"),
             QStringLiteral("SmartScreen, site isolation and download restrictions"),
             two ? QList<QPair<QString,
                               QString>>{{QStringLiteral("device_vendor_msft_policy_config_microsoft_edge_smartscreenenabled"),
                                          QStringLiteral("1")},
                                         {QStringLiteral("device_vendor_msft_policy_config_microsoft_edge_sitepersiteprocess"),
                                          QStringLiteral("1")},
                                         {QStringLiteral("device_vendor_msft_policy_config_microsoft_edge_downloadrestrictions"),
                                          QStringLiteral("1")},
                                         {QStringLiteral(
                                              "device_vendor_msft_policy_config_microsoft_edge_typosquattingcheckerenabled"),
                                          QStringLiteral("1")}}
                 : QList<QPair<QString, QString>>{{QStringLiteral(
                                                       "device_vendor_msft_policy_config_microsoft_edge_sitepersiteprocess"),
                                                   QStringLiteral("1")},
                                                  {QStringLiteral(
                                                       "device_vendor_msft_policy_config_microsoft_edge_smartscreenenabled"),
                                                   QStringLiteral("1")},
                                                  {QStringLiteral(
                                                       "device_vendor_msft_policy_config_microsoft_edge_downloadrestrictions"),
                                                   QStringLiteral("1")}},
             two ? m2 : m1)},
        {QStringLiteral("SettingsCatalog/Win - SC - Windows LAPS.json"),
         settingsCatalog(QStringLiteral("2c3d4e5f-6a7b-4c8d-9e0f-a1b2c3d4e5f6"), QStringLiteral("Win - SC - Windows LAPS"),
                         QStringLiteral("Back up the local administrator password to Entra ID"),
                         {{QStringLiteral("device_vendor_msft_laps_policies_backupdirectory"), QStringLiteral("1")},
                          {QStringLiteral("device_vendor_msft_laps_policies_passwordagedays"), QStringLiteral("30")}},
                         m1)},
        {QStringLiteral("UpdatePolicies/Win - WUfB - Ring 1 - Pilot.json"),
         updateRing(QStringLiteral("7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8"), QStringLiteral("Win - WUfB - Ring 1 - Pilot"), 0, 0,
                    m1)},
        {QStringLiteral("UpdatePolicies/Win - WUfB - Ring 2 - Production.json"),
         updateRing(QStringLiteral("8e7d6c5b-4a39-4827-b6c5-d4e3f2a1b0c9"), QStringLiteral("Win - WUfB - Ring 2 - Production"),
                    two ? 7 : 5, 30, two ? m2 : m1)},
    };
    for (const auto& [path, policy] : policies) {
        const QString full = folder + QLatin1Char('/') + path;
        if (!QDir().mkpath(QFileInfo(full).absolutePath()) || !writeJson(full, policy, error))
            return false;
    }
    // Release 1 still has the legacy firewall policy; release 2 replaced it with Windows Sandbox.
    if (!two) {
        return writeJson(
            folder + QStringLiteral("/SettingsCatalog/Win - SC - Firewall - Legacy.json"),
            settingsCatalog(
                QStringLiteral("4b5c6d7e-8f90-41a2-b3c4-d5e6f7a8b9c0"), QStringLiteral("Win - SC - Firewall - Legacy"),
                QStringLiteral("Retired in release 2"),
                {{QStringLiteral("vendor_msft_firewall_mdmstore_domainprofile_enablefirewall"), QStringLiteral("true")}}, m1),
            error);
    }
    return writeJson(
        folder + QStringLiteral("/SettingsCatalog/Win - SC - Windows Sandbox.json"),
        settingsCatalog(
            QStringLiteral("6f7a8b9c-0d1e-42f3-a4b5-c6d7e8f9a0b1"), QStringLiteral("Win - SC - Windows Sandbox"),
            QStringLiteral("Sandbox without networking or clipboard"),
            {{QStringLiteral("device_vendor_msft_policy_config_windowssandbox_allownetworking"), QStringLiteral("0")},
             {QStringLiteral("device_vendor_msft_policy_config_windowssandbox_allowclipboardredirection"), QStringLiteral("0")}},
            m2),
        error);
}

} // namespace atlas::demo
