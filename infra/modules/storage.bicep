// The app's storage account: Functions host storage (keys, timer locks, queue triggers), the code
// package, and the app's own tables and queues. Shared keys are disabled: every client (the host,
// the app, the platform fetching the package, the deployer) authenticates with Entra ID. There is
// no connection string with an account key anywhere.

param name string
param location string
param tags object

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param skuName string = 'Standard_LRS'

@description('Tables the app reads and writes (io.m365connector.app.Tables.defaults()).')
param tableNames array

@description('Queues the app and its triggers use (MaintenanceFunctions), including the poison queues.')
param queueNames array

@description('Blob container holding the code package (Flex Consumption deployment storage, or the WEBSITE_RUN_FROM_PACKAGE blob).')
param packageContainerName string

@description('Object id that may upload the code package (Storage Blob Data Contributor on the package container only). Empty: none.')
param deployerPrincipalId string = ''

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-01-01' = {
  parent: blobService
  name: packageContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-01-01' = [for tableName in tableNames: {
  parent: tableService
  name: tableName
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-01-01' = [for queueName in queueNames: {
  parent: queueService
  name: queueName
}]

// Lets the deployer upload the code package (ElasticPremium / Consumption); scoped to that container.
resource deployerPackageWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(packageContainer.id, deployerPrincipalId, storageBlobDataContributorRoleId)
  scope: packageContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: deployerPrincipalId
  }
}

output name string = storage.name
output id string = storage.id
// https://<name>.blob.<environment().suffixes.storage>/ in every cloud
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
