#!/usr/bin/env bash
# Deploys the built app to an ElasticPremium or Consumption function app created by infra/main.bicep.
#
# Those plans run the code from a package blob read with the app's managed identity
# (WEBSITE_RUN_FROM_PACKAGE = the blob URL, WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID): the storage
# account has shared keys disabled, so there is no Azure Files content share, and zip deploy (azd deploy,
# func azure functionapp publish, az functionapp deployment source config-zip) refuses an app whose
# WEBSITE_RUN_FROM_PACKAGE is a URL. Deploying = upload the blob, restart, sync the triggers
# (Learn: storage-considerations#create-an-app-without-azure-files and
# run-functions-from-deployment-package#use-website_run_from_package--url).
#
# Usage, after `mvn package`, from anywhere in the repository:
#   infra/scripts/deploy-package.sh <resource-group> <functionAppName> <storageAccountName>
# With azd:
#   infra/scripts/deploy-package.sh "$(azd env get-value AZURE_RESOURCE_GROUP)" \
#     "$(azd env get-value functionAppName)" "$(azd env get-value storageAccountName)"
#
# Needs: az (signed in to the app's cloud: az cloud set / az login), and Storage Blob Data Contributor on
# the app-package container (main.bicep deployerPrincipalId grants exactly that). Every endpoint comes from
# the cloud az is set to, so the same command works in Azure commercial, Azure Government and Azure China.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  sed -n '12,17p' "$0" >&2
  exit 2
fi
resource_group="$1"
app="$2"
storage_account="$3"

# Must match infra/main.bicep (packageContainerName) and infra/modules/functionapp.bicep (packageBlobName).
container="app-package"
blob="m365-connector.zip"

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
app_dir="$repo_root/target/azure-functions/m365-connector"
if [ ! -f "$app_dir/host.json" ]; then
  echo "No build output in $app_dir: run 'mvn package' first." >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
package="$work/$blob"
if command -v zip >/dev/null 2>&1; then
  (cd "$app_dir" && zip -qr "$package" .)
else
  jar --create --no-manifest --file "$package" -C "$app_dir" .
fi

echo "Uploading $blob to $storage_account/$container ..."
az storage blob upload --auth-mode login --account-name "$storage_account" --container-name "$container" \
  --name "$blob" --file "$package" --overwrite --output none

echo "Restarting $app and syncing its triggers ..."
az functionapp restart --resource-group "$resource_group" --name "$app" --output none
app_id="$(az functionapp show --resource-group "$resource_group" --name "$app" --query id --output tsv)"
# az rest prefixes a resource id with the Resource Manager endpoint of the current cloud.
az rest --method post --url "${app_id}/syncfunctiontriggers?api-version=2022-03-01" --output none

echo "Deployed. Check: curl -s https://$(az functionapp show --resource-group "$resource_group" --name "$app" --query defaultHostName --output tsv)/api/health"
