/**
 * components/azure/fluxPolicy.ts: the custom DeployIfNotExists definition that gives every Arc
 * cluster of the fleet the Flux extension and then, in the same deployment, the `fleet-gitops`
 * Flux configuration (SDK-free JSON; ArcGovernance.test.ts plans its definition and assignment).
 *
 * Each test names the Azure rule or built-in definition it follows; the mocks cannot enforce
 * them.
 */
import * as fs from "fs";
import * as path from "path";
import {
    FLUX_CONFIGURATION,
    FLUX_POLICY_PARAMETERS,
    FLUX_POLICY_RULE,
    KUBERNETES_CONFIGURATION_API_VERSION,
} from "../../../components/azure/fluxPolicy";
import { PROJECT_DIR } from "../../harness";
import { ARM_TYPE, parametersRead, type PolicyParameters, withoutDefault } from "./fixtures";

describe("the custom Flux definition (fluxPolicy)", () => {
    const rule = FLUX_POLICY_RULE;
    const { details } = rule.then;
    const { parameters, template } = details.deployment.properties;
    const [extension, configuration] = template.resources;

    it("acts on every connected cluster once provisioned, checking what the built-in Flux configuration policy checks", () => {
        // Azure/azure-policy built-in-policies/policyDefinitions/Kubernetes/
        // Deploy-GitOps-Flux2-to-Kubernetes-cluster-no-secrets_DINE.json (83ea2fd1...): scope,
        // namespace, URL, repository timeout and sync interval, branch, and not Failed.
        expect(rule.if).toEqual({
            field: "type",
            equals: "Microsoft.Kubernetes/connectedClusters",
        });
        expect(rule.then.effect).toBe("DeployIfNotExists");
        expect(details.type).toBe("Microsoft.KubernetesConfiguration/fluxConfigurations");
        expect(details.evaluationDelay).toBe("AfterProvisioning");
        const f = (p: string) => `Microsoft.KubernetesConfiguration/fluxConfigurations/${p}`;
        expect(details.existenceCondition.allOf).toEqual([
            { field: f("scope"), equals: "cluster" },
            { field: f("namespace"), equals: "flux-system" },
            { field: f("gitRepository.url"), equals: "[parameters('repositoryUrl')]" },
            {
                field: f("gitRepository.timeoutInSeconds"),
                equals: "[parameters('repositoryTimeout')]",
            },
            {
                field: f("gitRepository.syncIntervalInSeconds"),
                equals: "[parameters('repositorySyncInterval')]",
            },
            {
                field: f("gitRepository.repositoryRef.branch"),
                equals: "[parameters('repositoryRefBranch')]",
            },
            { field: f("provisioningState"), notEquals: "Failed" },
        ]);
    });

    it("deploys the Flux extension as the built-in does, so an existing one is updated in place", () => {
        // Deploy-GitOps-Flux2-Extension-to-Kubernetes-cluster_DINE.json (f9175d5f...): name
        // "flux" (also `az k8s-configuration flux create`'s), a system identity, microsoft.flux
        // on the Stable train with minor auto-upgrades; no release scope or version, which an
        // update of an existing extension may not change.
        expect(extension).toEqual({
            type: "Microsoft.KubernetesConfiguration/extensions",
            apiVersion: "2023-05-01",
            name: "flux",
            scope: "[concat('Microsoft.Kubernetes/connectedClusters/', parameters('clusterName'))]",
            identity: { type: "SystemAssigned" },
            properties: {
                extensionType: "microsoft.flux",
                autoUpgradeMinorVersion: true,
                releaseTrain: "Stable",
            },
        });
    });

    it("deploys the Flux configuration only after the extension, in the same deployment", () => {
        expect(configuration).toMatchObject({
            type: "Microsoft.KubernetesConfiguration/fluxConfigurations",
            apiVersion: "2023-05-01",
            name: "fleet-gitops",
            scope: extension.scope,
        });
        // ARM orders by dependsOn: the id it names is the extension's (type, name, cluster).
        expect(configuration.dependsOn).toEqual([
            "[extensionResourceId(resourceId('Microsoft.Kubernetes/connectedClusters', parameters('clusterName')), 'Microsoft.KubernetesConfiguration/extensions', 'flux')]",
        ]);
        expect(configuration.dependsOn[0]).toContain(`'${extension.type}', '${extension.name}'`);
        expect(configuration.properties).toEqual({
            scope: "cluster",
            namespace: "flux-system",
            sourceKind: "GitRepository",
            suspend: false,
            gitRepository: {
                url: "[parameters('repositoryUrl')]",
                timeoutInSeconds: "[parameters('repositoryTimeout')]",
                syncIntervalInSeconds: "[parameters('repositorySyncInterval')]",
                repositoryRef: { branch: "[parameters('repositoryRefBranch')]" },
            },
            kustomizations: {
                cluster: {
                    path: "[parameters('kustomizationPath')]",
                    timeoutInSeconds: "[parameters('kustomizationTimeout')]",
                    syncIntervalInSeconds: "[parameters('kustomizationSyncInterval')]",
                    retryIntervalInSeconds: "[parameters('kustomizationRetryInterval')]",
                    prune: "[parameters('kustomizationPrune')]",
                    force: false,
                },
            },
        });
        expect(template.resources).toHaveLength(2);
    });

    it("passes every definition parameter to the template, typed alike, and reads only declared ones", () => {
        const declared = FLUX_POLICY_PARAMETERS as unknown as PolicyParameters;
        expect(Object.keys(parameters).sort()).toEqual(
            ["clusterName", ...Object.keys(declared)].sort(),
        );
        for (const [p, spec] of Object.entries(declared)) {
            expect(parameters[p as keyof typeof parameters]).toEqual({
                value: `[parameters('${p}')]`,
            });
            expect(template.parameters[p as keyof typeof template.parameters]).toEqual({
                type: ARM_TYPE[spec.type],
            });
        }
        for (const p of parametersRead(template.resources)) {
            expect(Object.keys(template.parameters)).toContain(p);
        }
        for (const p of parametersRead([details.existenceCondition, parameters])) {
            expect(Object.keys(declared)).toContain(p);
        }
    });

    it("keeps the definition updatable while assigned: no parameter without a default may be added", () => {
        // Azure: a parameter added to an assigned definition must have a defaultValue, and none
        // may be removed (definition-structure-parameters, "Adding or removing parameters").
        // Stacks are already assigned: a new parameter needs a default here.
        expect(withoutDefault(FLUX_POLICY_PARAMETERS as unknown as PolicyParameters)).toEqual([
            "kustomizationPath",
            "repositoryRefBranch",
            "repositoryUrl",
        ]);
    });

    it("keeps the intervals and timeouts the built-in Flux configuration policy used", () => {
        // Deploy-GitOps-Flux2-to-Kubernetes-cluster-no-secrets_DINE.json: sync every 300 s,
        // time out after 600 s, retry after 600 s, prune what the repository no longer holds.
        const defaults = Object.fromEntries(
            Object.entries(FLUX_POLICY_PARAMETERS as unknown as PolicyParameters)
                .filter(([, spec]) => "defaultValue" in spec)
                .map(([p, spec]) => [p, spec.defaultValue]),
        );
        expect(defaults).toEqual({
            repositorySyncInterval: 300,
            repositoryTimeout: 600,
            kustomizationSyncInterval: 300,
            kustomizationTimeout: 600,
            kustomizationRetryInterval: 600,
            kustomizationPrune: true,
        });
    });

    it("deploys the API version the azure-native SDK in use resolves both resources to", () => {
        // What the program itself would deploy (`kubernetesconfiguration.Extension` and
        // `.FluxConfiguration`): an SDK upgrade that moves them shows here.
        expect(KUBERNETES_CONFIGURATION_API_VERSION).toBe("2023-05-01");
        for (const file of ["extension.d.ts", "fluxConfiguration.d.ts"]) {
            const doc = fs.readFileSync(
                path.join(
                    PROJECT_DIR,
                    "node_modules/@pulumi/azure-native/kubernetesconfiguration",
                    file,
                ),
                "utf8",
            );
            expect(doc).toContain(
                `Uses Azure REST API version ${KUBERNETES_CONFIGURATION_API_VERSION}.`,
            );
        }
        for (const resource of template.resources) {
            expect(resource.apiVersion).toBe(KUBERNETES_CONFIGURATION_API_VERSION);
        }
    });

    it("names the extension and configuration as the fleet always did", () => {
        expect(FLUX_CONFIGURATION).toEqual({
            extensionName: "flux",
            name: "fleet-gitops",
            namespace: "flux-system",
            scope: "cluster",
            kustomizationName: "cluster",
        });
    });
});
