// Creates the token encryption key (32 random bytes, base64) in Key Vault if, and only if, the
// secret does not exist yet. It is never overwritten: every token in the connections table is
// encrypted under it, and replacing it would make them unreadable. (Rotation is a deliberate,
// separate step: add a new version, see docs/DEPLOY.md; the app keeps reading older versions.)
//
// ARM cannot express "create only if absent" (a secrets resource would write a new value on every
// deployment), so a deployment script (Azure CLI) checks with `az keyvault secret show` and runs
// `az keyvault secret set` only when the answer is SecretNotFound. Any other answer (forbidden while
// the role assignment propagates, a disabled or soft-deleted secret, a vault error) never leads to a
// write: the script retries, then fails the deployment with the reason. The key is generated inside
// the script's container, passed only to `az keyvault secret set`, and never printed or returned as
// an output.
//
// Identity: a separate user-assigned identity (not the app's) with Key Vault Secrets Officer on this
// vault only. Reading whether the secret exists and writing it needs both get and set on secrets;
// no built-in role gives set without get, and the app's identity must stay read-only (Secrets User).
// The identity is attached to nothing but this script's container, which is deleted when the script
// ends (cleanupPreference), as is the deploymentScripts resource after retentionInterval. The identity
// and its role assignment are NOT deleted: the script runs again on every deployment (forceUpdateTag)
// and needs them then, and an incremental deployment never deletes resources. Anyone who can attach a
// user-assigned identity in this resource group (Managed Identity Operator, Contributor) could use it
// to write or delete the vault's secrets (purge protection keeps deleted ones recoverable). To remove
// both once the key exists, deploy with createTokenKey=false from then on and delete them
// (docs/DEPLOY.md, The token encryption key).
//
// Storage for the script: a deployment script needs a storage account with an Azure Files share,
// which Azure Container Instances can mount only with the account key. The app's account keeps
// allowSharedKeyAccess false, so it is NOT used (no storageAccountSettings). Instead the
// deployment-script service creates its own temporary storage account and container instance
// (names ending in "azscripts") and deletes both when the script ends (cleanupPreference: Always).
// That account holds only the script text and its log; the key never touches it. Where an Azure
// Policy denies storage accounts with shared key access, or Azure Container Instances is not offered
// in the region (some Azure China and Azure Government regions), set the main template's
// createTokenKey=false (or tokenKeyScriptLocation to a region with ACI) and create the key once by
// hand (docs/DEPLOY.md); the deployer then needs no storage or ACI permissions.

param location string
param tags object
param keyVaultName string
param secretName string
param scriptIdentityName string

// The deployment-scripts service accepts only versions on its own list, which lags the Azure CLI releases
// and is cumulative (2.0.77 upward; it rejected 2.66.0 in January 2025, Azure/azure-cli#30724, and 2.42.0
// in November 2022, MicrosoftDocs/azure-docs#101628). 2.59.0 is below that edge and widely used in public
// templates. An unsupported value fails preflight ("The script language version ... is not supported"),
// so `az deployment group validate` (docs/DEPLOY.md) catches it before anything is created.
@description('Azure CLI image of the script (a version on the deployment-scripts supported list; an unsupported one fails preflight validation with the list of supported versions).')
param azCliVersion string = '2.59.0'

@description('Runs the (idempotent) check on every deployment.')
param forceUpdateTag string = utcNow()

var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource scriptIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: scriptIdentityName
  location: location
  tags: tags
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, scriptIdentity.id, keyVaultSecretsOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: scriptIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource createKey 'Microsoft.Resources/deploymentScripts@2023-08-01' = {
  name: 'create-token-key-${uniqueString(vault.id, secretName)}'
  location: location
  tags: tags
  kind: 'AzureCLI'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${scriptIdentity.id}': {}
    }
  }
  properties: {
    azCliVersion: azCliVersion
    forceUpdateTag: forceUpdateTag
    timeout: 'PT20M'
    retentionInterval: 'PT1H'
    cleanupPreference: 'Always'
    environmentVariables: [
      {
        name: 'VAULT_NAME'
        value: keyVaultName
      }
      {
        name: 'SECRET_NAME'
        value: secretName
      }
    ]
    scriptContent: '''
#!/bin/bash
# Create the token encryption key only if it does not exist. Never overwrite it; never print it.
set -eu
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
  if err=$(az keyvault secret show --vault-name "$VAULT_NAME" --name "$SECRET_NAME" --query id --output tsv 2>&1 >/dev/null); then
    echo "Secret $SECRET_NAME already exists in $VAULT_NAME: left unchanged."
    exit 0
  fi
  case "$err" in
    *SecretNotFound*)
      key="$(openssl rand -base64 32 2>/dev/null || head -c 32 /dev/urandom | base64)"
      az keyvault secret set --vault-name "$VAULT_NAME" --name "$SECRET_NAME" --value "$key" --output none
      unset key
      echo "Secret $SECRET_NAME created in $VAULT_NAME."
      exit 0
      ;;
  esac
  echo "Attempt $attempt: cannot tell whether $SECRET_NAME exists yet (role assignment still propagating?): $(printf '%s' "$err" | tr '\n' ' ' | cut -c1-300)"
  sleep 20
done
echo "Gave up: could not read $SECRET_NAME in $VAULT_NAME with the script identity; nothing was written." >&2
exit 1
'''
  }
  dependsOn: [
    secretsOfficer
  ]
}

output scriptIdentityPrincipalId string = scriptIdentity.properties.principalId
