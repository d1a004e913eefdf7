/**
 * components/azure/keyVaultKey.ts: a Key Vault key as the customer-managed key of an Azure
 * Container Registry, read and checked once for the stack config (appImage.azureEncryption) and
 * the AppImage component.
 *
 * The rules, with their sources:
 * - A key's URI is `https://{vault}.vault.azure.net/keys/{name}[/{version}]`: vault names 3-24
 *   and key names 1-127 characters of 0-9, a-z, A-Z and -, a version 32 characters; without the
 *   version it is the key's base identifier (MicrosoftDocs/azure-docs
 *   articles/key-vault/general/about-keys-secrets-certificates.md, "Object identifiers"), which
 *   ACR follows to new key versions ("Automatically update the key version", MicrosoftDocs/
 *   azure-management-docs articles/container-registry/tutorial-customer-managed-keys.md).
 *   Sovereign clouds use another DNS suffix (vault.azure.cn, vault.usgovcloudapi.net).
 * - Customer-managed keys are a Premium feature of ACR ("This feature is available in the
 *   Premium service tier", the same tutorial); the SDK's `registry.encryption.keyVaultProperties
 *   .keyIdentifier` is the "Key vault uri to access the encryption key".
 * - The registry's identity needs Key Vault Crypto Service Encryption User on the vault that
 *   holds the key (built-in-roles/security.md, e147488a-...), so the vault id given must be that
 *   vault's.
 */
import {
    acrEncryptionProblems,
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    parseKeyVaultId,
    parseKeyVaultKeyUri,
    roleDefinitionIdIn,
} from "../../../components/azure/keyVaultKey";
import { roleAssignmentName } from "../../../components/azure/roleAssignmentName";
import { RG, SUB } from "./fixtures";

const KEY = "https://fleet-keys.vault.azure.net/keys/acr";
const VERSION = "0123456789abcdef0123456789ABCDEF";
const vault = (name: string) =>
    `/subscriptions/${SUB}/resourceGroups/keys/providers/Microsoft.KeyVault/vaults/${name}`;
const NAMES = {
    encryption: "encryption",
    sku: "sku",
    keyIdentifier: "encryption.keyIdentifier",
    keyVaultId: "encryption.keyVaultId",
} as const;

describe("the role the registry's identity needs on the vault", () => {
    it("is Key Vault Crypto Service Encryption User, under the subscription", () => {
        expect(KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER).toBe(
            "e147488a-f6f5-4113-8e2d-b22465e65bf6",
        );
        expect(roleDefinitionIdIn(SUB, KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER)).toBe(
            `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6`,
        );
        // The role as a bare GUID and as an id under the subscription is one grant, one name.
        expect(
            roleAssignmentName(
                RG,
                roleDefinitionIdIn(SUB, KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER),
                SUB,
            ),
        ).toBe(roleAssignmentName(RG, KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, SUB));
    });
});

describe("parseKeyVaultKeyUri", () => {
    it("reads a versionless key URI (rotated automatically) and a versioned one", () => {
        expect(parseKeyVaultKeyUri(KEY)).toEqual({
            vaultName: "fleet-keys",
            keyName: "acr",
            version: undefined,
        });
        expect(parseKeyVaultKeyUri(`${KEY}/${VERSION}`)).toEqual({
            vaultName: "fleet-keys",
            keyName: "acr",
            version: VERSION,
        });
    });

    it("takes the sovereign clouds' vault domains", () => {
        for (const domain of ["vault.azure.cn", "vault.usgovcloudapi.net"]) {
            expect(parseKeyVaultKeyUri(`https://fleet-keys.${domain}/keys/acr`)).toEqual({
                vaultName: "fleet-keys",
                keyName: "acr",
                version: undefined,
            });
        }
    });

    it("takes vault names of 3 to 24 characters and key names of 1 to 127", () => {
        for (const ok of [
            `https://abc.vault.azure.net/keys/k`,
            `https://${"v".repeat(24)}.vault.azure.net/keys/${"k".repeat(127)}`,
        ]) {
            expect(parseKeyVaultKeyUri(ok)).toBeDefined();
        }
        for (const bad of [
            `https://ab.vault.azure.net/keys/k`,
            `https://${"v".repeat(25)}.vault.azure.net/keys/k`,
            `https://fleet-keys.vault.azure.net/keys/${"k".repeat(128)}`,
        ]) {
            expect(parseKeyVaultKeyUri(bad)).toBeUndefined();
        }
    });

    it("refuses anything but a key URI", () => {
        for (const bad of [
            "http://fleet-keys.vault.azure.net/keys/acr",
            "https://fleet-keys.vault.azure.net/secrets/acr",
            "https://fleet-keys.vault.azure.net/keys/acr/short",
            `https://fleet-keys.vault.azure.net/keys/acr/${VERSION}0`,
            "https://fleet-keys.vault.azure.net/keys/acr_key",
            `${KEY}/`,
            "fleet-keys/acr",
        ]) {
            expect(parseKeyVaultKeyUri(bad)).toBeUndefined();
        }
    });
});

describe("parseKeyVaultId", () => {
    it("reads a vault's ARM id whatever its case (ARM ids compare without case)", () => {
        expect(parseKeyVaultId(vault("fleet-keys"))).toEqual({
            subscriptionId: SUB,
            resourceGroupName: "keys",
            vaultName: "fleet-keys",
        });
        expect(parseKeyVaultId(vault("fleet-keys").toLowerCase())?.vaultName).toBe("fleet-keys");
    });

    it("refuses ids of anything but a vault", () => {
        for (const bad of [
            `${vault("fleet-keys")}/keys/acr`,
            `/subscriptions/${SUB}/resourceGroups/keys/providers/Microsoft.KeyVault/managedHSMs/fleet-keys`,
            `/subscriptions/${SUB}/resourceGroups/keys`,
            "fleet-keys",
        ]) {
            expect(parseKeyVaultId(bad)).toBeUndefined();
        }
    });
});

describe("acrEncryptionProblems", () => {
    it("accepts a Premium registry with a key of the vault given", () => {
        expect(
            acrEncryptionProblems(
                { sku: "Premium", keyIdentifier: KEY, keyVaultId: vault("fleet-keys") },
                NAMES,
            ),
        ).toEqual([]);
        // Vault names compare without case, as Azure's DNS names do.
        expect(
            acrEncryptionProblems(
                {
                    sku: "Premium",
                    keyIdentifier: `${KEY}/${VERSION}`,
                    keyVaultId: vault("Fleet-Keys"),
                },
                NAMES,
            ),
        ).toEqual([]);
    });

    it("asks for the Premium tier, saying when the Standard tier is the default", () => {
        const setting = { keyIdentifier: KEY, keyVaultId: vault("fleet-keys") };
        expect(acrEncryptionProblems(setting, NAMES)).toEqual([
            {
                field: "sku",
                message:
                    "is 'Standard' (the default), but encryption needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set sku to Premium, or remove encryption",
            },
        ]);
        expect(acrEncryptionProblems({ ...setting, sku: "Basic" }, NAMES)).toEqual([
            {
                field: "sku",
                message:
                    "is 'Basic', but encryption needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set sku to Premium, or remove encryption",
            },
        ]);
    });

    it("names a malformed key URI and vault id with the forms Azure takes", () => {
        expect(
            acrEncryptionProblems(
                { sku: "Premium", keyIdentifier: "fleet-keys/acr", keyVaultId: "fleet-keys" },
                NAMES,
            ),
        ).toEqual([
            {
                field: "keyIdentifier",
                message:
                    "'fleet-keys/acr' is not a Key Vault key URI: use https://<vault>.vault.azure.net/keys/<name> (versionless, rotated automatically) or .../keys/<name>/<version>",
            },
            {
                field: "keyVaultId",
                message:
                    "'fleet-keys' is not a Key Vault's ARM id: use /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault> (az keyvault show --query id)",
            },
        ]);
    });

    it("refuses a vault that does not hold the key: the grant would go to the wrong vault", () => {
        expect(
            acrEncryptionProblems(
                { sku: "Premium", keyIdentifier: KEY, keyVaultId: vault("other-keys") },
                NAMES,
            ),
        ).toEqual([
            {
                field: "keyVaultId",
                message:
                    "is vault 'other-keys', but encryption.keyIdentifier is a key of vault 'fleet-keys': give the id of the vault that holds the key, which is where its identity is granted",
            },
        ]);
    });

    it("leaves values not known yet (outputs) to Azure, but still asks for Premium", () => {
        const unknown = { apply: () => undefined };
        expect(
            acrEncryptionProblems(
                { sku: "Premium", keyIdentifier: unknown, keyVaultId: unknown },
                NAMES,
            ),
        ).toEqual([]);
        expect(
            acrEncryptionProblems({ keyIdentifier: unknown, keyVaultId: unknown }, NAMES).map(
                (p) => p.field,
            ),
        ).toEqual(["sku"]);
    });
});
