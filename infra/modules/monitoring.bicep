// Log Analytics workspace and a workspace-based Application Insights component, the workspace without local
// (key-based) authentication. In Azure commercial the component too: telemetry is accepted only from Entra ID
// identities holding Monitoring Metrics Publisher on it (the app's identity, see app-roles.bicep), so the
// instrumentation key in the connection string is not a credential. Learn lists "be in the public cloud" among the
// prerequisites of Entra-authenticated ingestion (Microsoft Entra authentication for Application Insights), so in
// Azure Government and Azure China the component keeps key-based ingestion rather than drop every telemetry item.

param location string
param tags object
param workspaceName string
param appInsightsName string

@description('Accept telemetry only from Entra ID identities (Azure commercial); false keeps key-based ingestion.')
param entraIngestionOnly bool = true

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
    DisableLocalAuth: entraIngestionOnly
  }
}

output appInsightsName string = appInsights.name
output workspaceName string = workspace.name
