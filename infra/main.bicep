// m365-connector: everything the function app needs, in any Azure cloud (Azure commercial, Azure
// Government incl. DoD regions, Azure China / 21Vianet). Deploy with `azd up`, or with
//   az deployment group create -g <rg> -f infra/main.bicep -p <parameters>
// (see docs/DEPLOY.md). Structure follows the Azure-Samples Java Functions azd templates: main.bicep
// wires modules; every resource lives in infra/modules.
//
// What gets created (names use a token derived from subscription, resource group and environment):
//   - one user-assigned managed identity for the app (id-…) with exactly: Storage Blob Data Owner,
//     Storage Queue Data Contributor, Storage Table Data Contributor (storage account), Key Vault
//     Secrets User (vault) and Monitoring Metrics Publisher (Application Insights)
//   - a storage account without shared keys (host storage, deployment package, the app's tables and
//     queues), a Key Vault with RBAC, soft delete and purge protection, Log Analytics + Application
//     Insights without local auth, the plan and the Linux Java 17 function app
//   - the token encryption key, created once by a deployment script and never overwritten
//   - the Microsoft 365 client secrets (and the webhook secret) as Key Vault secrets, referenced from
//     app settings with @Microsoft.KeyVault(SecretUri=...); clouds in m365FederatedClouds need none (the
//     app's managed identity is the registration's federated credential)
// No secret value is ever an app setting value or an output.

targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd environment name); used for tags and to derive unique resource names.')
param environmentName string

@minLength(1)
@description('Region for all resources. It must be in the cloud you are signed in to (az cloud set / azd config set cloud.name).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string = resourceGroup().location

@description('''Hosting plan of the function app.
FlexConsumption (default): Linux, scales to zero, identity-based deployment storage, deployable with azd deploy. It is NOT available in
every cloud and region: not offered in Azure Government (including DoD) or Azure China, and not in every Azure commercial region
(check with az functionapp list-flexconsumption-locations in the cloud you are signed in to). There, use ElasticPremium (always-warm
instances, VNet-ready, recommended for production in Azure Government and Azure China) or Consumption (Linux Consumption: scales to
zero, retiring on 30 September 2028, gets no new features). Both run from a package blob that infra/scripts/deploy-package.sh uploads
(azd deploy does not work for them, see docs/DEPLOY.md).''')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
  'Consumption'
])
param hostingPlan string = 'FlexConsumption'

@description('Elastic Premium SKU (EP1, EP2, EP3); used only when hostingPlan is ElasticPremium.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param elasticPremiumSku string = 'EP1'

@description('Flex Consumption: always-ready instances of the HTTP trigger group, so the notification receiver and the API answer warm (billed while ready); 0: none.')
@minValue(0)
param flexAlwaysReadyHttp int = 0

@description('Optional explicit function app name (globally unique host name). Default: func-<token>.')
@maxLength(32)
param functionAppName string = ''

@description('Storage redundancy of the app\'s storage account (tokens live here). Standard_LRS, or Standard_ZRS where the region has zones.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSku string = 'Standard_LRS'

@description('Object id of the person or pipeline running the deployment. With ElasticPremium or Consumption it gets Storage Blob Data Contributor on the app-package container only, to upload the code package. Leave empty to skip.')
param deployerPrincipalId string = ''

// ---------------------------------------------------------------------------------------------
// Microsoft 365 clouds the users connect from (independent of the Azure cloud hosting the app)
// ---------------------------------------------------------------------------------------------

@description('Microsoft 365 clouds users may connect from (M365_CLOUDS). GCC uses global. Each listed cloud needs its app registration: client id, and a client secret (or a certificate, see m365CertificateClouds).')
@allowed([
  'global'
  'usgov'
  'usgovdod'
  'china'
])
param m365Clouds array = [
  'global'
]

@description('Clouds whose app registration authenticates with a certificate instead of a secret: import the PFX into the vault as the certificate m365-<cloud>-client-certificate (az keyvault certificate import); M365_<CLOUD>_CLIENT_CERTIFICATE then references it.')
@allowed([
  'global'
  'usgov'
  'usgovdod'
  'china'
])
param m365CertificateClouds array = []

@description('''Clouds whose app registration trusts this app's user-assigned managed identity as a federated identity credential:
no client secret or certificate at all. Only where the registration is in the same Azure cloud as this deployment: global in Azure
commercial, usgov and usgovdod in Azure Government, china in Azure China (the app refuses other combinations at start, naming the
setting). After deploying, add the federated credential to each such registration: one az ad app federated-credential create per cloud
with the output appIdentityPrincipalId as subject (docs/DEPLOY.md, step 4).''')
@allowed([
  'global'
  'usgov'
  'usgovdod'
  'china'
])
param m365FederatedClouds array = []

@description('Application (client) id of the app registration in the global cloud (entra.microsoft.com).')
param m365GlobalClientId string = ''
@secure()
@description('Client secret of the global app registration. Written to Key Vault as m365-global-client-secret when not empty; empty keeps the secret already in the vault.')
param m365GlobalClientSecret string = ''
@description('Default tenant for sign-in in the global cloud: organizations, common, a tenant id or a domain.')
param m365GlobalTenant string = 'organizations'
@description('Tenant id the global app registration lives in, for its credential check (an app-only token request there). Empty: this deployment\'s tenant when the cloud uses the managed identity, else no check.')
param m365GlobalHomeTenant string = ''

@description('Application (client) id of the app registration in GCC High (entra.microsoft.us).')
param m365UsgovClientId string = ''
@secure()
@description('Client secret of the GCC High app registration (Key Vault secret m365-usgov-client-secret).')
param m365UsgovClientSecret string = ''
@description('Default tenant for sign-in in GCC High.')
param m365UsgovTenant string = 'organizations'
@description('Tenant id the GCC High app registration lives in, for its credential check (an app-only token request there). Empty: this deployment\'s tenant when the cloud uses the managed identity, else no check.')
param m365UsgovHomeTenant string = ''

@description('Application (client) id of the app registration for DoD (entra.microsoft.us; may be the same as usgov).')
param m365UsgovdodClientId string = ''
@secure()
@description('Client secret of the DoD app registration (Key Vault secret m365-usgovdod-client-secret).')
param m365UsgovdodClientSecret string = ''
@description('Default tenant for sign-in in DoD.')
param m365UsgovdodTenant string = 'organizations'
@description('Tenant id the DoD app registration lives in, for its credential check (an app-only token request there). Empty: this deployment\'s tenant when the cloud uses the managed identity, else no check.')
param m365UsgovdodHomeTenant string = ''

@description('Application (client) id of the app registration in Microsoft 365 operated by 21Vianet (entra.microsoftonline.cn).')
param m365ChinaClientId string = ''
@secure()
@description('Client secret of the 21Vianet app registration (Key Vault secret m365-china-client-secret).')
param m365ChinaClientSecret string = ''
@description('Default tenant for sign-in in 21Vianet.')
param m365ChinaTenant string = 'organizations'
@description('Tenant id the 21Vianet app registration lives in, for its credential check (an app-only token request there). Empty: this deployment\'s tenant when the cloud uses the managed identity, else no check.')
param m365ChinaHomeTenant string = ''

// ---------------------------------------------------------------------------------------------
// Application settings
// ---------------------------------------------------------------------------------------------

@description('Return URLs the browser may be sent back to after sign-in (exact match, https).')
param allowedReturnUrls array = []

@description('Optional https URL receiving Standard Webhooks events (status changes, app credential warnings). Empty: no webhook.')
param notifyWebhookUrl string = ''

@secure()
@description('Standard Webhooks signing secret of the webhook (whsec_ + base64 of 24-64 random bytes); written to Key Vault as notify-webhook-signing-secret when not empty.')
param notifyWebhookSigningSecret string = ''

@description('NCRONTAB schedule (UTC, six fields) of the token refresh sweep.')
param refreshSchedule string = '0 */5 * * * *'

@description('Days between refreshes of an unused connection.')
@minValue(1)
@maxValue(60)
param refreshKeepAliveDays int = 7

@description('Minutes between checks of each cloud\'s app credential.')
@minValue(5)
@maxValue(1440)
param appCredentialCheckMinutes int = 15

@description('Days before a client secret or certificate expires when warnings (health, log, webhook) start; inside 7 days they escalate.')
@minValue(8)
@maxValue(365)
param appCredentialWarnDays int = 30

@description('Optional HTTP proxy (http://host:port) for all outbound calls.')
param outboundProxy string = ''

@description('Connect and read timeout of outbound calls, in seconds.')
@minValue(1)
@maxValue(120)
param outboundTimeoutSeconds int = 30

@description('Seconds a synced inbox or calendar waits after Graph\'s first notification before it reads the changes (one run covers a burst).')
@minValue(6)
@maxValue(300)
param syncDebounceSeconds int = 10

@description('Name of the Key Vault secret holding the token encryption key.')
param tokenKeySecretName string = 'token-encryption-key'

@description('Create the token encryption key with a deployment script when it does not exist yet. Set false where deployment scripts cannot run (no Azure Container Instances in the region, or a policy denies storage accounts with shared key access) and create the key once by hand (docs/DEPLOY.md).')
param createTokenKey bool = true

@description('Region where the key-creation deployment script runs (needs Azure Container Instances). Defaults to location.')
param tokenKeyScriptLocation string = location

@description('''Extra JVM options for the Java worker, written by the template into the app setting the plan honours: JAVA_OPTS on
ElasticPremium, languageWorkers__java__arguments on Consumption and FlexConsumption (see modules/functionapp.bicep). Set it here, not
by hand: the template replaces all app settings on every deployment. Default empty on every plan, on purpose: the Functions Java
worker already starts the JVM with -XX:+TieredCompilation -XX:TieredStopAtLevel=1 (azure-functions-java-worker worker.config.json),
which is the option BENCHMARKS.md recommends for cold starts (first send 1.18 s instead of 1.70 s, at 1,560 instead of 2,135 warm
actions/s). On Consumption and FlexConsumption any non-empty value makes the host start a new JVM instead of the pre-warmed
placeholder one, i.e. costs cold-start time. On ElasticPremium, where instances stay warm, -XX:TieredStopAtLevel=4 re-enables the
C2 compiler: more warm throughput, slower first request on each new instance (docs/DEPLOY.md, JVM options).''')
param jvmOptions string = ''

// ---------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'm365-connector'
}

// environment().name is the Azure cloud this deployment runs in; the app calls it HOSTING_CLOUD.
// Azure Government DoD regions are part of AzureUSGovernment. Any other cloud fails here on purpose.
var hostingClouds = {
  AzureCloud: 'global'
  AzureUSGovernment: 'usgov'
  AzureChinaCloud: 'china'
}
var hostingCloud = hostingClouds[environment().name]

// Tables and queues the app uses (io.m365connector.app.Tables.defaults(), MaintenanceFunctions, SyncFunctions).
// The code would create a missing one on first use (its roles allow it); made here so that nothing waits on that.
var tableNames = [
  'connections'
  'refreshdue'
  'loginsessions'
  'idempotency'
  'appcredentials'
  'connectionowners'
  'syncstate'
  'syncitems'
  'changes'
  'syncdue'
  'subscriptions'
]
var queueNames = [
  'refresh-requests'
  'refresh-requests-poison'
  'status-notifications'
  'status-notifications-poison'
  'sync-requests'
  'sync-requests-poison'
]
var packageContainerName = 'app-package'
// The key-creation script's own identity (modules/token-key.bicep).
var keyInitIdentityName = 'id-keyinit-${resourceToken}'

var globalOn = contains(m365Clouds, 'global')
var globalCert = contains(m365CertificateClouds, 'global')
var globalFederated = contains(m365FederatedClouds, 'global')
var globalSecret = globalOn && !globalCert && !globalFederated
var usgovOn = contains(m365Clouds, 'usgov')
var usgovCert = contains(m365CertificateClouds, 'usgov')
var usgovFederated = contains(m365FederatedClouds, 'usgov')
var usgovSecret = usgovOn && !usgovCert && !usgovFederated
var usgovdodOn = contains(m365Clouds, 'usgovdod')
var usgovdodCert = contains(m365CertificateClouds, 'usgovdod')
var usgovdodFederated = contains(m365FederatedClouds, 'usgovdod')
var usgovdodSecret = usgovdodOn && !usgovdodCert && !usgovdodFederated
var chinaOn = contains(m365Clouds, 'china')
var chinaCert = contains(m365CertificateClouds, 'china')
var chinaFederated = contains(m365FederatedClouds, 'china')
var chinaSecret = chinaOn && !chinaCert && !chinaFederated

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    workspaceName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    entraIngestionOnly: environment().name == 'AzureCloud'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: storageSku
    tableNames: tableNames
    queueNames: queueNames
    packageContainerName: packageContainerName
    // Flex Consumption uploads through the platform with the app's identity; the other plans run the
    // package from this container and the deployer uploads it.
    deployerPrincipalId: hostingPlan == 'FlexConsumption' ? '' : deployerPrincipalId
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
  }
}

// The app identity's roles, and nothing else.
module appRoles 'modules/app-roles.bicep' = {
  name: 'app-roles'
  params: {
    principalId: appIdentity.properties.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: vault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

// Token encryption key: created on the first deployment only, never overwritten (see the module).
// Its identity (id-keyinit-…) and that identity's Key Vault Secrets Officer role stay after the script ran:
// the script runs again on every deployment with createTokenKey=true and needs them then; an incremental
// deployment cannot delete them afterwards. docs/DEPLOY.md (The token encryption key) says how to remove both
// once the key exists, with createTokenKey=false from then on.
module tokenKey 'modules/token-key.bicep' = if (createTokenKey) {
  name: 'token-key'
  params: {
    location: tokenKeyScriptLocation
    tags: tags
    keyVaultName: vault.outputs.name
    secretName: tokenKeySecretName
    scriptIdentityName: keyInitIdentityName
  }
}

// Client secrets of the app registrations and the webhook secret: written only when a value is
// given, so a later deployment without the value keeps the secret already in the vault. A Key Vault
// reference given as the value (the app setting's form, set into azd by mistake) is never written as the secret.
module globalClientSecret 'modules/keyvault-secret.bicep' = if (globalSecret && !empty(m365GlobalClientSecret) && !startsWith(m365GlobalClientSecret, '@Microsoft.KeyVault(')) {
  name: 'secret-m365-global'
  params: {
    keyVaultName: vault.outputs.name
    secretName: 'm365-global-client-secret'
    secretValue: m365GlobalClientSecret
  }
}

module usgovClientSecret 'modules/keyvault-secret.bicep' = if (usgovSecret && !empty(m365UsgovClientSecret) && !startsWith(m365UsgovClientSecret, '@Microsoft.KeyVault(')) {
  name: 'secret-m365-usgov'
  params: {
    keyVaultName: vault.outputs.name
    secretName: 'm365-usgov-client-secret'
    secretValue: m365UsgovClientSecret
  }
}

module usgovdodClientSecret 'modules/keyvault-secret.bicep' = if (usgovdodSecret && !empty(m365UsgovdodClientSecret) && !startsWith(m365UsgovdodClientSecret, '@Microsoft.KeyVault(')) {
  name: 'secret-m365-usgovdod'
  params: {
    keyVaultName: vault.outputs.name
    secretName: 'm365-usgovdod-client-secret'
    secretValue: m365UsgovdodClientSecret
  }
}

module chinaClientSecret 'modules/keyvault-secret.bicep' = if (chinaSecret && !empty(m365ChinaClientSecret) && !startsWith(m365ChinaClientSecret, '@Microsoft.KeyVault(')) {
  name: 'secret-m365-china'
  params: {
    keyVaultName: vault.outputs.name
    secretName: 'm365-china-client-secret'
    secretValue: m365ChinaClientSecret
  }
}

module webhookSecret 'modules/keyvault-secret.bicep' = if (!empty(notifyWebhookUrl) && !empty(notifyWebhookSigningSecret) && !startsWith(notifyWebhookSigningSecret, '@Microsoft.KeyVault(')) {
  name: 'secret-notify-webhook'
  params: {
    keyVaultName: vault.outputs.name
    secretName: 'notify-webhook-signing-secret'
    secretValue: notifyWebhookSigningSecret
  }
}

var keyVaultUri = vault.outputs.uri // https://<name>.<cloud's vault suffix>/ (with the trailing slash)

// Every setting of io.m365connector.platform.Setting except the storage and host ones, which
// modules/functionapp.bicep adds (it knows the storage endpoints and the app's host name). Secret
// settings are Key Vault references or empty, never values: InfrastructureTest checks it.
var appSettings = {
  HOSTING_CLOUD: hostingCloud
  AZURE_CLIENT_ID: appIdentity.properties.clientId
  M365_CLOUDS: join(m365Clouds, ',')
  M365_GLOBAL_CLIENT_ID: globalOn ? m365GlobalClientId : ''
  M365_GLOBAL_CLIENT_SECRET: globalSecret ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-global-client-secret/)' : ''
  M365_GLOBAL_CLIENT_SECRET_KEY_VAULT_URL: globalSecret ? '${keyVaultUri}secrets/m365-global-client-secret' : ''
  M365_GLOBAL_CLIENT_SECRET_EXPIRES: ''
  M365_GLOBAL_CLIENT_CERTIFICATE: globalOn && globalCert ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-global-client-certificate/)' : ''
  M365_GLOBAL_CLIENT_CERTIFICATE_PASSWORD: ''
  M365_GLOBAL_TENANT: m365GlobalTenant
  M365_GLOBAL_MANAGED_IDENTITY_CLIENT_ID: globalOn && globalFederated ? appIdentity.properties.clientId : ''
  M365_GLOBAL_HOME_TENANT: !globalOn ? '' : !empty(m365GlobalHomeTenant) ? m365GlobalHomeTenant : globalFederated ? tenant().tenantId : ''
  M365_USGOV_CLIENT_ID: usgovOn ? m365UsgovClientId : ''
  M365_USGOV_CLIENT_SECRET: usgovSecret ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-usgov-client-secret/)' : ''
  M365_USGOV_CLIENT_SECRET_KEY_VAULT_URL: usgovSecret ? '${keyVaultUri}secrets/m365-usgov-client-secret' : ''
  M365_USGOV_CLIENT_SECRET_EXPIRES: ''
  M365_USGOV_CLIENT_CERTIFICATE: usgovOn && usgovCert ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-usgov-client-certificate/)' : ''
  M365_USGOV_CLIENT_CERTIFICATE_PASSWORD: ''
  M365_USGOV_TENANT: m365UsgovTenant
  M365_USGOV_MANAGED_IDENTITY_CLIENT_ID: usgovOn && usgovFederated ? appIdentity.properties.clientId : ''
  M365_USGOV_HOME_TENANT: !usgovOn ? '' : !empty(m365UsgovHomeTenant) ? m365UsgovHomeTenant : usgovFederated ? tenant().tenantId : ''
  M365_USGOVDOD_CLIENT_ID: usgovdodOn ? m365UsgovdodClientId : ''
  M365_USGOVDOD_CLIENT_SECRET: usgovdodSecret ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-usgovdod-client-secret/)' : ''
  M365_USGOVDOD_CLIENT_SECRET_KEY_VAULT_URL: usgovdodSecret ? '${keyVaultUri}secrets/m365-usgovdod-client-secret' : ''
  M365_USGOVDOD_CLIENT_SECRET_EXPIRES: ''
  M365_USGOVDOD_CLIENT_CERTIFICATE: usgovdodOn && usgovdodCert ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-usgovdod-client-certificate/)' : ''
  M365_USGOVDOD_CLIENT_CERTIFICATE_PASSWORD: ''
  M365_USGOVDOD_TENANT: m365UsgovdodTenant
  M365_USGOVDOD_MANAGED_IDENTITY_CLIENT_ID: usgovdodOn && usgovdodFederated ? appIdentity.properties.clientId : ''
  M365_USGOVDOD_HOME_TENANT: !usgovdodOn ? '' : !empty(m365UsgovdodHomeTenant) ? m365UsgovdodHomeTenant : usgovdodFederated ? tenant().tenantId : ''
  M365_CHINA_CLIENT_ID: chinaOn ? m365ChinaClientId : ''
  M365_CHINA_CLIENT_SECRET: chinaSecret ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-china-client-secret/)' : ''
  M365_CHINA_CLIENT_SECRET_KEY_VAULT_URL: chinaSecret ? '${keyVaultUri}secrets/m365-china-client-secret' : ''
  M365_CHINA_CLIENT_SECRET_EXPIRES: ''
  M365_CHINA_CLIENT_CERTIFICATE: chinaOn && chinaCert ? '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/m365-china-client-certificate/)' : ''
  M365_CHINA_CLIENT_CERTIFICATE_PASSWORD: ''
  M365_CHINA_TENANT: m365ChinaTenant
  M365_CHINA_MANAGED_IDENTITY_CLIENT_ID: chinaOn && chinaFederated ? appIdentity.properties.clientId : ''
  M365_CHINA_HOME_TENANT: !chinaOn ? '' : !empty(m365ChinaHomeTenant) ? m365ChinaHomeTenant : chinaFederated ? tenant().tenantId : ''
  ALLOWED_RETURN_URLS: join(allowedReturnUrls, ',')
  TOKEN_KEY_VAULT_URL: keyVaultUri
  TOKEN_KEY_SECRET_NAME: tokenKeySecretName
  // The local key is for local runs against Azurite only; in Azure the key comes from Key Vault.
  LOCAL_TOKEN_KEY: ''
  ALLOW_LOCAL_KEY_IN_AZURE: 'false'
  REFRESH_SCHEDULE: refreshSchedule
  REFRESH_KEEPALIVE_DAYS: string(refreshKeepAliveDays)
  NOTIFY_WEBHOOK_URL: notifyWebhookUrl
  NOTIFY_WEBHOOK_SIGNING_SECRET: empty(notifyWebhookUrl) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/notify-webhook-signing-secret/)'
  APP_CREDENTIAL_CHECK_MINUTES: string(appCredentialCheckMinutes)
  APP_CREDENTIAL_WARN_DAYS: string(appCredentialWarnDays)
  OUTBOUND_PROXY: outboundProxy
  OUTBOUND_TIMEOUT_SECONDS: string(outboundTimeoutSeconds)
  SYNC_DEBOUNCE_SECONDS: string(syncDebounceSeconds)
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: !empty(functionAppName) ? functionAppName : 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    hostingPlan: hostingPlan
    elasticPremiumSku: elasticPremiumSku
    flexAlwaysReadyHttp: flexAlwaysReadyHttp
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageAccountName: storage.outputs.name
    packageContainerName: packageContainerName
    appInsightsName: monitoring.outputs.appInsightsName
    appSettings: appSettings
    jvmOptions: jvmOptions
  }
  // Create the app (and write its settings, which restarts it and resolves the Key Vault references) only
  // after its identity may use storage, the vault and Application Insights, and after every secret it
  // references and the token key exist. The references are resolved when the settings are written; one that
  // fails then stays unresolved until the next restart or reference refresh (Learn:
  // app-service-key-vault-references#understand-rotation). Modules whose condition is false are dropped from
  // this list by Resource Manager (Learn: resource-dependency#dependson). Role assignments can still take a
  // few minutes to apply after ARM reports them created: docs/DEPLOY.md step 4 refreshes the references.
  dependsOn: [
    appRoles
    tokenKey
    globalClientSecret
    usgovClientSecret
    usgovdodClientSecret
    chinaClientSecret
    webhookSecret
  ]
}

// Outputs (azd stores them in the environment). No secret is ever an output.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output HOSTING_CLOUD string = hostingCloud
output hostingPlanName string = hostingPlan
output functionAppName string = functionApp.outputs.name
output defaultHostName string = functionApp.outputs.defaultHostName
// Register this as the Web redirect URI of every app registration (each Microsoft 365 cloud's Entra admin center).
output callbackUrl string = 'https://${functionApp.outputs.defaultHostName}/api/auth/callback'
output keyVaultName string = vault.outputs.name
// Subject of the federated identity credential that each registration in m365FederatedClouds must trust (docs/DEPLOY.md, step 4).
output appIdentityPrincipalId string = appIdentity.properties.principalId
output storageAccountName string = storage.outputs.name
output packageContainerName string = packageContainerName
// The key-creation script's identity (kept after the script ran; docs/DEPLOY.md says how to remove it).
output keyInitIdentityName string = createTokenKey ? keyInitIdentityName : ''
