// Log Analytics workspace and a workspace-based Application Insights component, both without local
// (key-based) authentication: telemetry is accepted only from Entra ID identities holding Monitoring
// Metrics Publisher on the component (the app's identity, see app-roles.bicep), so the
// instrumentation key in the connection string is not a credential.

param location string
param tags object
param workspaceName string
param appInsightsName string

@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

output appInsightsName string = appInsights.name
output workspaceName string = workspace.name
