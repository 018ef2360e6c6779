// One Key Vault secret, written through Azure Resource Manager (control plane: the deployer needs
// no data-plane role). The value is a secure parameter: it is not kept in the deployment history
// and never appears in an output or an app setting; app settings reference the secret by URI.

param keyVaultName string
param secretName string

@secure()
param secretValue string

param contentType string = 'text/plain'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: secretName
  properties: {
    value: secretValue
    contentType: contentType
  }
}

output name string = secret.name
