import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, read, RequireCmekConfig, requireCmekSchema, UNKNOWN } from "../types";

/** azure-native:containerregistry:Registry and its API-versioned tokens. */
const CONTAINER_REGISTRY = /^azure-native:containerregistry(\/v[0-9a-z]+)?:Registry$/;

export const azureContainerRegistryCmek: ResourceValidationPolicy = {
    name: "azure-container-registry-cmek",
    description:
        "When the stack requires customer-managed encryption keys (requireCmek), Azure container registries must encrypt their content with a Key Vault key (encryption.status enabled with keyVaultProperties.keyIdentifier) instead of Microsoft-managed encryption.",
    enforcementLevel: "advisory",
    configSchema: requireCmekSchema(
        "Whether a registry without a customer-managed Key Vault key is a violation.",
    ),
    validateResource: (args, reportViolation) => {
        if (!CONTAINER_REGISTRY.test(args.type)) return;
        if (args.getConfig<RequireCmekConfig>().requireCmek !== true) return;
        const status = read(args.props, "encryption.status");
        const enabled =
            status === UNKNOWN ||
            (typeof status === "string" && status.toLowerCase() === "enabled");
        if (enabled && isSet(read(args.props, "encryption.keyVaultProperties.keyIdentifier"))) {
            return;
        }
        const state = enabled
            ? "enables encryption without encryption.keyVaultProperties.keyIdentifier"
            : "does not enable customer-managed encryption";
        reportViolation(
            `Container registry '${args.name}' ${state}, so its content is encrypted with a Microsoft-managed key while requireCmek is set: set encryption to { status: "enabled", keyVaultProperties: { keyIdentifier: <Key Vault key URI>, identity: <client id of a user-assigned identity with access to the key> } } with that identity in identity.userAssignedIdentities, on the Premium SKU (customer-managed keys can only be set when the registry is created).`,
        );
    },
};
