// Key Vault for the token encryption key, the app registrations' client secrets (or certificates)
// and the webhook secret. Access is by Azure RBAC only (no access policies): the app's identity has
// Key Vault Secrets User (read), the key-creation script's identity Key Vault Secrets Officer.
// Soft delete and purge protection are on: a deleted key or vault can be recovered for 90 days and
// nobody can purge it earlier. Losing the token key would make every stored connection unreadable.
//
// The vault name is reserved for the retention period after deletion: to redeploy after deleting
// the resource group, recover the vault (az keyvault recover) or use another environment name.

param name string
param location string
param tags object

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    // App Service resolves Key Vault references and the app reads the key over the public endpoint.
    // To restrict it, add private endpoints and VNet integration (Elastic Premium / Flex Consumption).
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

output name string = vault.name
output id string = vault.id
// https://<name>.vault.azure.net/ | .vault.usgovcloudapi.net/ | .vault.azure.cn/ (with the trailing slash)
output uri string = vault.properties.vaultUri
