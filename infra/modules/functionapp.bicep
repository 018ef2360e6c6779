// The plan and the Linux Java 17 function app, with every app setting the code reads.
//
// hostingPlan decides the resources:
//   FlexConsumption  plan FC1; the site has functionAppConfig: runtime java 17, deployment storage =
//                    the app-package blob container reached with the app's identity. Flex does not
//                    accept FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE.
//                    Not offered in Azure Government or Azure China (nor every commercial region).
//   ElasticPremium   plan EP1-3 (elastic); siteConfig.linuxFxVersion 'Java|17'.
//   Consumption      plan Y1 (Dynamic, Linux); siteConfig.linuxFxVersion 'Java|17'.
//
// Site configuration is chosen per plan (siteConfigByPlan). Flex Consumption rejects a set of
// siteConfig properties outright with ARM error 51021 ("The following site configuration properties
// (Site.SiteConfig.FtpsState, ...) for Flex Consumption sites is invalid. Please remove or rename
// them"), on newer regional stamps even when the value is null (microsoft/azure-pipelines-tasks#21032,
// Azure/azure-cli#31414, Azure/terraform-azurerm-avm-res-web-site#283 and #345 for LinuxFxVersion), so
// those keys are not sent at all on Flex: FtpsState, LinuxFxVersion, Use32BitWorkerProcess,
// NetFrameworkVersion, PreWarmedInstanceCount, FunctionsRuntimeScaleMonitoringEnabled, AlwaysOn.
// Flex keeps only what Microsoft's own tooling sets on Flex apps (minTlsVersion, http20Enabled:
// az functionapp flex-migration copies exactly these; the Flex quickstart template
// function-app-flex-managed-identities sets no siteConfig). FTP stays off on every plan through the
// basicPublishingCredentialsPolicies below. alwaysOn is sent on no plan: it exists only on Dedicated
// (App Service) plans (Learn: dedicated-plan#always-on), and false is the default anyway.
// Elastic Premium and Consumption would keep the code on an Azure Files share reached with the
// account key (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING). Azure Files has no identity-based option
// there and the storage account has shared keys disabled, so the app is created without Azure Files
// and runs from a package blob fetched with the app's identity (WEBSITE_RUN_FROM_PACKAGE = blob URL,
// WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID = the identity). Deploying = uploading that blob and
// restarting (docs/DEPLOY.md); portal editing and file-system log streaming are not available.
//
// Host storage is identity-based: __credential = managedidentity, __clientId = the user-assigned
// identity, and the blob, queue and table service URIs (built with the cloud's storage suffix,
// environment().suffixes.storage: core.windows.net, core.usgovcloudapi.net, core.chinacloudapi.cn).
// AzureWebJobsStorage__accountName is written in Azure commercial only (globalCloudHostSettings): the
// Storage queue extension builds its queue client from __accountName FIRST, as
// https://<name>.queue.core.windows.net, and ignores __queueServiceUri when both are set
// (Azure/azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.Clients Shared/StorageClientProvider.cs
// TryGetServiceUri; Azure/azure-webjobs-sdk#3132, hashicorp/terraform-provider-azurerm#32062), and
// Learn documents __accountName as valid only outside sovereign clouds. So in Azure Government and
// Azure China the host, the queue triggers and the app (platform/SettingsReader.java, which refuses
// __accountName there) all use the service URIs.
//
// Two names of io.m365connector.platform.Setting are deliberately not app settings here
// (InfrastructureTest accepts exactly these two, and only with this explanation):
//   not-an-app-setting: AzureWebJobsStorage  A connection string means an account key, and shared keys are disabled. The host and the app use the identity-based AzureWebJobsStorage__* settings instead (the app reads those when AzureWebJobsStorage is not set); an empty value could make the host look for a connection string.
//   not-an-app-setting: WEBSITE_INSTANCE_ID  App Service sets it on each instance; the app uses it to know it runs in Azure (and then refuses LOCAL_TOKEN_KEY). An app setting would override the platform's value.

param name string
param planName string
param location string
param tags object

@allowed([
  'FlexConsumption'
  'ElasticPremium'
  'Consumption'
])
param hostingPlan string

param elasticPremiumSku string = 'EP1'

@description('Resource id of the app\'s user-assigned managed identity.')
param identityId string

@description('Client id of the app\'s user-assigned managed identity.')
param identityClientId string

param storageAccountName string
param packageContainerName string
param appInsightsName string

@description('App settings from main.bicep (Key Vault references for secrets, never values).')
param appSettings object

@description('azd service name (azure.yaml) this app is deployed as.')
param serviceName string = 'api'

@description('Flex Consumption: instance memory (MB) and maximum instances.')
param flexInstanceMemoryMB int = 2048
param flexMaximumInstanceCount int = 100

@description('Flex Consumption: always-ready instances of the HTTP trigger group (0: none). Written at every deployment, so a value set only with the CLI would be removed by the next one.')
@minValue(0)
param flexAlwaysReadyHttp int = 0

@description('Elastic Premium: maximum number of instances.')
param elasticMaximumWorkerCount int = 20

@description('Extra JVM options (main.bicep jvmOptions). Written to the app setting the plan honours (jvmOptionsSettingByPlan); nothing is written when empty.')
param jvmOptions string = ''

var isFlex = hostingPlan == 'FlexConsumption'
var packageBlobName = 'm365-connector.zip'

// See the header: nothing Flex rejects is sent on Flex; the classic plans keep the Linux stack and FTPS off.
var siteConfigByPlan = {
  FlexConsumption: {
    minTlsVersion: '1.2'
    http20Enabled: true
  }
  ElasticPremium: {
    linuxFxVersion: 'Java|17'
    minTlsVersion: '1.2'
    scmMinTlsVersion: '1.2'
    ftpsState: 'Disabled'
    http20Enabled: true
  }
  Consumption: {
    linuxFxVersion: 'Java|17'
    minTlsVersion: '1.2'
    scmMinTlsVersion: '1.2'
    ftpsState: 'Disabled'
    http20Enabled: true
  }
}

// The app setting through which each plan passes extra options to the Java worker's JVM
// (Learn: functions-reference-java#customize-jvm; Azure/azure-functions-host
// WebHostRpcWorkerChannelManager.UsePlaceholderChannel and RpcWorkerConfigFactory.AddArgumentsFromAppSettings):
//   ElasticPremium   JAVA_OPTS, expanded into the worker command line (azure-functions-java-worker
//                    worker.config.json "%JAVA_OPTS%").
//   Consumption      languageWorkers__java__arguments: instances start from a placeholder JVM launched
//                    before the app's settings are known, so JAVA_OPTS would not reach it; when this
//                    setting is present the host discards the placeholder worker and starts a new JVM
//                    with the arguments, which costs cold-start time.
//   FlexConsumption  languageWorkers__java__arguments as well: Learn documents no Flex-specific setting;
//                    this host-level setting is appended to the worker arguments on every plan and also
//                    forces a fresh JVM when an instance was specialised from a placeholder, whereas
//                    JAVA_OPTS would silently miss a pre-started JVM.
var jvmOptionsSettingByPlan = {
  FlexConsumption: 'languageWorkers__java__arguments'
  ElasticPremium: 'JAVA_OPTS'
  Consumption: 'languageWorkers__java__arguments'
}
var jvmOptionSetting = empty(jvmOptions) ? {} : {
  '${jvmOptionsSettingByPlan[hostingPlan]}': jvmOptions
}

var planSkus = {
  FlexConsumption: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  ElasticPremium: {
    name: elasticPremiumSku
    tier: 'ElasticPremium'
    family: 'EP'
  }
  Consumption: {
    name: 'Y1'
    tier: 'Dynamic'
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  tags: tags
  kind: hostingPlan == 'ElasticPremium' ? 'elastic' : 'functionapp'
  sku: planSkus[hostingPlan]
  properties: union({
    reserved: true // Linux
  }, hostingPlan == 'ElasticPremium' ? {
    maximumElasticWorkerCount: elasticMaximumWorkerCount
  } : {})
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: union({
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    // Key Vault references (@Microsoft.KeyVault(...)) are resolved with the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: siteConfigByPlan[hostingPlan]
  }, isFlex ? {
    // Only Flex Consumption sites get functionAppConfig; the other plans do not receive the key at all.
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${packageContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: flexInstanceMemoryMB
        maximumInstanceCount: flexMaximumInstanceCount
        alwaysReady: flexAlwaysReadyHttp > 0 ? [
          {
            name: 'http'
            instanceCount: flexAlwaysReadyHttp
          }
        ] : []
      }
      runtime: {
        name: 'java'
        version: '17'
      }
    }
  } : {})
}

// Basic-auth publishing (FTP, SCM user/password) off: deployments authenticate with Entra ID.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

var isGlobalCloud = environment().name == 'AzureCloud'

var hostSettings = {
  // Identity-based host storage (also the connection "AzureWebJobsStorage" of the queue triggers), by
  // service URI in every cloud; see the header for why __accountName is added in Azure commercial only.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: 'https://${storage.name}.blob.${environment().suffixes.storage}'
  AzureWebJobsStorage__queueServiceUri: 'https://${storage.name}.queue.${environment().suffixes.storage}'
  AzureWebJobsStorage__tableServiceUri: 'https://${storage.name}.table.${environment().suffixes.storage}'
  // Application Insights with Entra ID authentication in Azure commercial (the component has local auth disabled there);
  // key-based in Azure Government and Azure China (monitoring.bicep says why).
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: environment().name == 'AzureCloud' ? 'ClientId=${identityClientId};Authorization=AAD' : ''
  // The external base URL; the redirect URI registered in Entra ID is this + /api/auth/callback.
  PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'
}

// Azure commercial only: in Azure Government and Azure China the queue extension would build
// *.queue.core.windows.net from the name (header), and the app refuses the name there.
var globalCloudHostSettings = {
  AzureWebJobsStorage__accountName: storage.name
}

// Not accepted on Flex Consumption (its runtime is functionAppConfig.runtime).
var classicPlanSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'java'
  WEBSITE_RUN_FROM_PACKAGE: '${storage.properties.primaryEndpoints.blob}${packageContainerName}/${packageBlobName}'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identityId
}

resource settings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'appsettings'
  // The template owns the whole set: this resource REPLACES every app setting on each deployment, so a
  // setting added by hand (portal, az functionapp config appsettings set) disappears at the next
  // provision. Anything the app needs is a template parameter (jvmOptions for JVM options).
  properties: union(appSettings, hostSettings, isGlobalCloud ? globalCloudHostSettings : {}, isFlex ? {} : classicPlanSettings, jvmOptionSetting)
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
output packageBlobName string = packageBlobName
