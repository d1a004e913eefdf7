/**
 * Key Vault keys as customer-managed keys (SDK-free: config, components and tests can all import
 * it): the two ids a grant and an encryption setting need, read and checked.
 *
 * - A key's URI (its "object identifier") is
 *   `https://{keyvault-name}.vault.azure.net/{object-type}/{object-name}/{object-version}`: the
 *   vault name 3-24 characters of 0-9, a-z, A-Z and -, the key name 1-127 of the same, the
 *   version a system-generated 32-character string; without the version it is the key's "base
 *   identifier" (MicrosoftDocs/azure-docs articles/key-vault/general/about-keys-secrets-certificates.md,
 *   "Object identifiers"). Sovereign clouds use another DNS suffix than `vault.azure.net`.
 * - The vault's ARM id, the scope of an Azure RBAC grant, is
 *   `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.KeyVault/vaults/{name}`.
 */

/**
 * The built-in role "Key Vault Crypto Service Encryption User": read key metadata, wrap and unwrap
 * (data actions `Microsoft.KeyVault/vaults/keys/read`, `.../wrap/action`, `.../unwrap/action`).
 * "Only works for key vaults that use the 'Azure role-based access control' permission model"
 * (MicrosoftDocs/azure-docs @03e5750a articles/role-based-access-control/built-in-roles/security.md).
 */
export const KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

/** A Key Vault key URI, versioned or not. */
const KEY_URI =
    /^https:\/\/([0-9a-zA-Z-]{3,24})\.vault\.[a-z0-9.-]+\/keys\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-zA-Z]{32}))?$/;

/** The ARM id of a Key Vault (ARM ids compare case-insensitively). */
const VAULT_ID =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([0-9a-zA-Z-]{3,24})$/i;

export interface KeyVaultKeyUri {
    readonly vaultName: string;
    readonly keyName: string;
    /** The pinned version; undefined for a versionless (base) identifier. */
    readonly version?: string;
}

/** Reads a Key Vault key URI; undefined when `uri` is not one. */
export function parseKeyVaultKeyUri(uri: string): KeyVaultKeyUri | undefined {
    const m = KEY_URI.exec(uri);
    return m ? { vaultName: m[1], keyName: m[2], version: m[3] } : undefined;
}

export interface KeyVaultId {
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly vaultName: string;
}

/** Reads a Key Vault's ARM id; undefined when `id` is not one. */
export function parseKeyVaultId(id: string): KeyVaultId | undefined {
    const m = VAULT_ID.exec(id);
    return m ? { subscriptionId: m[1], resourceGroupName: m[2], vaultName: m[3] } : undefined;
}

/** The subscription-scoped id of a built-in role, as role assignments take it. */
export function roleDefinitionIdIn(subscriptionId: string, roleId: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

/** The fields of a registry's customer-managed key setting the rules below judge. */
export type AcrEncryptionField = "sku" | "keyIdentifier" | "keyVaultId";

/**
 * The rules of a customer-managed key on an Azure Container Registry, written once for the stack
 * config (config/app.ts) and the AppImage component: the Premium tier ("This feature is available in
 * the Premium service tier", MicrosoftDocs/azure-management-docs
 * articles/container-registry/tutorial-customer-managed-keys.md), a Key Vault key URI, a vault's
 * ARM id, and the key in that vault (the grant goes on the vault). Each problem names the field
 * it concerns; `names` are the caller's words for the fields (config keys or argument paths).
 * Values not known yet (outputs, anything not a string) are left to Azure.
 */
export function acrEncryptionProblems(
    setting: {
        readonly sku?: unknown;
        readonly keyIdentifier?: unknown;
        readonly keyVaultId?: unknown;
    },
    names: Readonly<Record<AcrEncryptionField | "encryption", string>>,
): { readonly field: AcrEncryptionField; readonly message: string }[] {
    const problems: { field: AcrEncryptionField; message: string }[] = [];
    const sku = setting.sku ?? "Standard";
    if (sku !== "Premium") {
        problems.push({
            field: "sku",
            message: `is '${String(sku)}'${setting.sku === undefined ? " (the default)" : ""}, but ${names.encryption} needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set ${names.sku} to Premium, or remove ${names.encryption}`,
        });
    }
    const { keyIdentifier, keyVaultId } = setting;
    const key = typeof keyIdentifier === "string" ? parseKeyVaultKeyUri(keyIdentifier) : undefined;
    if (typeof keyIdentifier === "string" && !key) {
        problems.push({
            field: "keyIdentifier",
            message: `'${keyIdentifier}' is not a Key Vault key URI: use https://<vault>.vault.azure.net/keys/<name> (versionless, rotated automatically) or .../keys/<name>/<version>`,
        });
    }
    const vault = typeof keyVaultId === "string" ? parseKeyVaultId(keyVaultId) : undefined;
    if (typeof keyVaultId === "string" && !vault) {
        problems.push({
            field: "keyVaultId",
            message: `'${keyVaultId}' is not a Key Vault's ARM id: use /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault> (az keyvault show --query id)`,
        });
    }
    if (key && vault && key.vaultName.toLowerCase() !== vault.vaultName.toLowerCase()) {
        problems.push({
            field: "keyVaultId",
            message: `is vault '${vault.vaultName}', but ${names.keyIdentifier} is a key of vault '${key.vaultName}': give the id of the vault that holds the key, which is where its identity is granted`,
        });
    }
    return problems;
}
