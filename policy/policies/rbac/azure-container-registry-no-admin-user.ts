import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read } from "../types";

/** Registry (azure-native containerregistry/registry.js), in the default and every versioned module. */
const REGISTRY_TYPE = /^azure-native:containerregistry(?:\/v[0-9a-z]+)?:Registry$/;

/**
 * Both properties are false when unset: the azure-native SDK sends `adminUserEnabled ?? false`
 * and `anonymousPullEnabled ?? false` (containerregistry/registry.js), so only an explicit true
 * turns them on. A value computed from another resource is checked once it is known.
 */
export const azureContainerRegistryNoAdminUser: ResourceValidationPolicy = {
    name: "azure-container-registry-no-admin-user",
    description:
        "Azure Container Registries (azure-native containerregistry Registry) must not set adminUserEnabled or anonymousPullEnabled to true: the admin user is one shared username with two passwords that can push and pull every repository outside Microsoft Entra ID, and anonymous pull lets anyone who can reach the registry pull every image without credentials. Both are accepted false or unset (false is the default).",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!REGISTRY_TYPE.test(args.type)) return;
        if (read(args.props, "adminUserEnabled") === true) {
            reportViolation(
                `Container registry '${args.name}' sets adminUserEnabled to true, which turns on the registry's admin user: one shared username with two passwords that can push and pull every repository, whose use Microsoft Entra ID cannot scope or tie to a person: set adminUserEnabled to false (or remove it; false is the default) and grant each identity the AcrPull or AcrPush role on the registry instead (a repository-scoped token for clients outside Entra ID).`,
            );
        }
        if (read(args.props, "anonymousPullEnabled") === true) {
            reportViolation(
                `Container registry '${args.name}' sets anonymousPullEnabled to true, so anyone who can reach the registry can pull every image in it without credentials: set anonymousPullEnabled to false (or remove it; false is the default) and grant the identities that pull the AcrPull role on the registry (a repository-scoped token for clients outside Entra ID).`,
            );
        }
    },
};
