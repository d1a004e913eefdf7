/**
 * The app image: one build pushed to every enabled cloud's registry (ECR, Artifact Registry,
 * ACR), each registry hardened and created by the program, credentials from each cloud's SDK,
 * refs by digest flowing to the fleet; and the errors for bad arguments. The committed stacks'
 * plans show it as the program wires it; one AppImage planned alone shows each argument's effect.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read deep into untyped provider inputs and Kubernetes objects */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as pulumiSdk from "@pulumi/pulumi";
import { ACR_TOKEN_USER } from "../../../components/app/acrLogin";
import { SBOM_GENERATOR } from "../../../components/app/attestations";
import type * as AppImageModule from "../../../components/app/AppImage";
import type { AppImageArgs, AppImageRegistries } from "../../../components/app/AppImage";
import { KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER } from "../../../components/azure/keyVaultKey";
import { azureContainerRegistryCmek } from "../../../policy/policies/encryption/azure-container-registry-cmek";
import type { PlanResult } from "../../../plan/run";
import { created, ofType, one, planComponents, planStack, workerModule } from "../../harness";

/** The component's module as the plans load it: its tags and checks, called directly. */
const {
    acrEncryptionArgProblems,
    contentTag,
    pushByDigestExport,
    releaseTag,
    resolvePlatforms,
    validateAppImageArgs,
} = workerModule<typeof AppImageModule>("components/app/AppImage");
/** The plans' @pulumi/pulumi, whose Outputs the component's checks see. */
const pulumi = workerModule<typeof pulumiSdk>("@pulumi/pulumi");

const DIGEST_REF = /@sha256:[0-9a-f]{64}$/;

describe("AppImage in the committed stacks", () => {
    let dev: PlanResult;
    let prod: PlanResult;
    beforeAll(async () => {
        dev = await planStack("dev");
        prod = await planStack("prod");
    }, 120_000);

    const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/multicloud-app";
    const GAR = "europe-west1-docker.pkg.dev/multicloud-dev-000000/multicloud-app/app";
    const ACR = /^multiclouddevapp[0-9a-f]{8}\.azurecr\.io\/multicloud-app$/;

    it("builds once, the runtime stage, for the stack's platforms, never during preview", () => {
        expect(dev.errors).toEqual([]);
        expect(prod.errors).toEqual([]);
        const images = ofType(dev, "docker-build:index:Image");
        expect(images).toHaveLength(1);
        const image = images[0].inputs as Record<string, any>;
        expect(image).toMatchObject({
            platforms: ["linux/amd64"],
            target: "runtime",
            buildOnPreview: false,
            context: { location: "app" },
            dockerfile: { location: "app/Dockerfile" },
        });
        // No base image of its own: the Dockerfile's digest-pinned one.
        expect(image.buildArgs).not.toHaveProperty("PYTHON_IMAGE");
    });

    // Rule: docker-build has no attestation argument and turns buildx's default provenance off
    // (pulumi-docker-build provider/internal/client.go); BuildKit reads attestation requests
    // from `build-arg:BUILDKIT_ATTEST_<TYPE>` as from `attest:<type>` (moby/buildkit
    // frontend/attestations/parse.go, read by control/control.go for the SBOM generator and the
    // provenance), so these build arguments are what makes the registries hold both.
    it("asks BuildKit for an SBOM by the digest-pinned Syft scanner and full provenance", () => {
        for (const plan of [dev, prod]) {
            const image = one(plan, "docker-build:index:Image", "app").inputs as Record<
                string,
                any
            >;
            expect(image.buildArgs).toMatchObject({
                BUILDKIT_ATTEST_SBOM: `generator=${SBOM_GENERATOR}`,
                BUILDKIT_ATTEST_PROVENANCE: "mode=max",
            });
        }
        expect(SBOM_GENERATOR).toMatch(
            /^docker\/buildkit-syft-scanner:[\d.]+@sha256:[0-9a-f]{64}$/,
        );
    });

    // Rule: ECR refuses a second push of an immutable tag even with the same digest
    // (aws/containers-roadmap#2179 and #2380, "ImageTagAlreadyExistsException"), and builds are not
    // bit-reproducible, so a retried build must never push a tag. A push by digest meets no tag
    // rule (OCI distribution-spec, "push manifest by digest"); BuildKit refuses a tagged name with
    // push-by-digest ("can't push tagged ref %s by digest", moby/buildkit util/push/push.go).
    it("pushes the one build to ECR, ACR and Artifact Registry by digest only, no tag", () => {
        const image = one(dev, "docker-build:index:Image", "app").inputs as Record<string, any>;
        expect(image.push).toBe(false);
        expect(image.tags ?? []).toEqual([]);
        expect(image.exports).toHaveLength(1);
        const raw = String(image.exports[0].raw);
        const m = /^type=registry,"name=([^"]+)",push-by-digest=true$/.exec(raw);
        expect(m).not.toBeNull();
        const names = m![1].split(",");
        expect(names).toHaveLength(3);
        expect(names[0]).toBe(ECR);
        expect(names[1]).toMatch(ACR);
        expect(names[2]).toBe(GAR);
        // Names without tag or digest: BuildKit would refuse them by digest.
        for (const n of names) expect(n).not.toMatch(/[:@][^/]*$/);
    });

    // Rule: each registry is tagged by its own resource, so a retry after a failed tagging redoes
    // only that registry, with the same digest and tag; the tag names the digest, so a new build
    // (new digest) is a new tag and never a second push of an existing immutable tag.
    it("tags the digest in each registry by its own Index, under a tag that names the digest", () => {
        const built = (dev.outputs.app as any).built as { tag: string; digest: string };
        expect(built.tag).toMatch(/^src-[0-9a-f]{12}-[0-9a-f]{12}$/);
        expect(built.tag).toBe(releaseTag(built.tag.slice(0, 16), built.digest));
        const indexes = ofType(dev, "docker-build:index:Index");
        expect(indexes.map((i) => i.name).sort()).toEqual(["app-aws", "app-azure", "app-gcp"]);
        for (const index of indexes) {
            const inputs = index.inputs as { sources: string[]; tag: string; push: boolean };
            const repo = inputs.tag.slice(0, inputs.tag.lastIndexOf(":"));
            // The source is the pushed digest in the SAME repository: no cross-registry copy.
            expect(inputs.sources).toEqual([`${repo}@${built.digest}`]);
            expect(inputs.tag).toBe(`${repo}:${built.tag}`);
            expect(inputs.push).toBe(true);
            expect(index.dependencies).toContain(one(dev, "docker-build:index:Image", "app").urn);
        }
        const repos = indexes.map((i) => String(i.inputs.tag).split(":")[0]);
        expect(repos).toEqual(expect.arrayContaining([expect.stringMatching(/azurecr\.io/)]));
        expect(JSON.stringify(indexes.map((i) => i.inputs.tag))).not.toContain(":latest");
    });

    it("logs in to each registry with a short-lived credential from the cloud's SDK, as a secret", () => {
        const image = one(dev, "docker-build:index:Image", "app");
        const registries = image.inputs.registries as { address: string; username: string }[];
        expect(registries.map((r) => [r.address, r.username])).toEqual([
            ["123456789012.dkr.ecr.us-east-1.amazonaws.com", "AWS"],
            [expect.stringMatching(/\.azurecr\.io$/), ACR_TOKEN_USER],
            ["europe-west1-docker.pkg.dev", "oauth2accesstoken"],
        ]);
        // The passwords are secret, so the SDK sends the whole list as one secret value.
        expect(image.secretPaths).toContain("registries");
        for (const index of ofType(dev, "docker-build:index:Index")) {
            expect(index.secretPaths).toContain("registry");
        }
        const tokens = dev.invokes.map((i) => i.token);
        expect(tokens).toEqual(
            expect.arrayContaining([
                "aws:ecr/getAuthorizationToken:getAuthorizationToken",
                "gcp:organizations/getClientConfig:getClientConfig",
                "azure-native:authorization:getClientToken",
            ]),
        );
        // The ECR token is asked for the registry of the repository the program created.
        const ecrLogin = dev.invokes.find(
            (i) => i.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken",
        )!;
        expect(ecrLogin.inputs.registryId).toBe("123456789012");
    });

    it("keeps the build cache in ECR under the one mutable tag", () => {
        const image = one(dev, "docker-build:index:Image", "app").inputs as Record<string, any>;
        const cache = `${ECR}:buildcache`;
        expect(image.cacheFrom).toEqual([{ registry: { ref: cache } }]);
        expect(image.cacheTo).toEqual([
            { registry: { ref: cache, mode: "max", imageManifest: true, ociMediaTypes: true } },
        ]);
    });

    it("creates ECR with scan on push, immutable tags (cache excepted) and KMS encryption", () => {
        const repo = one(dev, "aws:ecr/repository:Repository", "app").inputs;
        expect(repo).toMatchObject({
            name: "multicloud-app",
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: "buildcache", filterType: "WILDCARD" }],
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS" }],
        });
        // Release tags start with src-, which the lifecycle's keep-50 rule selects.
        const policy = JSON.parse(
            String(
                one(dev, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "app-lifecycle").inputs.policy,
            ),
        );
        const built = (dev.outputs.app as any).built as { tag: string };
        const prefixes = policy.rules[1].selection.tagPrefixList as string[];
        expect(prefixes.some((p) => built.tag.startsWith(p))).toBe(true);
    });

    it("creates Artifact Registry in Docker format with immutable tags, and CMEK when the stack asks", () => {
        const devRepo = one(dev, "gcp:artifactregistry/repository:Repository", "app").inputs;
        expect(devRepo).toMatchObject({
            format: "DOCKER",
            repositoryId: "multicloud-app",
            location: "europe-west1",
            dockerConfig: { immutableTags: true },
        });
        expect(devRepo.kmsKeyName).toBeUndefined();
        const prodRepo = one(prod, "gcp:artifactregistry/repository:Repository", "app");
        const key =
            "projects/multicloud-prod-000000/locations/europe-west1/keyRings/registry/cryptoKeys/images";
        expect(prodRepo.inputs.kmsKeyName).toBe(key);
        // The service agent is created (a new project may not have it yet), then granted the key.
        const agent = one(
            prod,
            "gcp:projects/serviceIdentity:ServiceIdentity",
            "app-registry-agent",
        );
        expect(agent.inputs).toMatchObject({
            project: "multicloud-prod-000000",
            service: "artifactregistry.googleapis.com",
        });
        const grant = one(prod, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "app-cmek");
        expect(grant.inputs).toMatchObject({
            cryptoKeyId: key,
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: expect.stringMatching(
                /^serviceAccount:service-\d+@gcp-sa-artifactregistry\.iam\.gserviceaccount\.com$/,
            ),
        });
        expect(grant.dependencies).toContain(agent.urn);
        // The key is granted before the repository uses it.
        expect(prodRepo.dependencies).toContain(grant.urn);
    });

    it("creates ACR with the admin user and anonymous pull off", () => {
        const acr = one(dev, "azure-native:containerregistry:Registry", "app").inputs;
        expect(acr).toMatchObject({
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            sku: { name: "Standard" },
            resourceGroupName: "multicloud-dev",
        });
        expect(String(acr.registryName)).toMatch(/^[a-z0-9]{5,50}$/);
    });

    it("hands the fleet the image by digest, once each registry has tagged it", () => {
        const refs = (dev.outputs.app as any).built.refs as Record<string, string>;
        const digest = (dev.outputs.app as any).built.digest as string;
        for (const ref of Object.values(refs)) {
            expect(ref).toMatch(DIGEST_REF);
            expect(ref.endsWith(`@${digest}`)).toBe(true);
        }
        const template = one(dev, "aws:ec2/launchTemplate:LaunchTemplate", "app-lt");
        const userData = Buffer.from(String(template.inputs.userData), "base64").toString();
        expect(userData).toContain(`docker pull ${refs.aws}`);
        expect(template.dependencies).toContain(
            one(dev, "docker-build:index:Index", "app-aws").urn,
        );
        const deployment = one(dev, "kubernetes:apps/v1:Deployment", "dev-gke-app-deployment-app");
        expect((deployment.inputs as any).spec.template.spec.containers[0].image).toBe(refs.gcp);
        expect(deployment.dependencies).toContain(
            one(dev, "docker-build:index:Index", "app-gcp").urn,
        );
    });
});

/** One AppImage (ECR only) on its own providers, planned directly under the mocks. */
function planAppImage(patch: Partial<AppImageArgs>): Promise<PlanResult> {
    return planComponents((req) => {
        const aws = req<typeof import("@pulumi/aws")>("@pulumi/aws");
        const dockerBuild = req<typeof import("@pulumi/docker-build")>("@pulumi/docker-build");
        const { AppImage } =
            req<typeof import("../../../components/app/AppImage")>("components/app/AppImage");
        new AppImage(
            "img",
            { registries: { aws: {} }, repository: "img", ...patch },
            {
                providers: [
                    new aws.Provider("aws", { region: "us-east-1" }),
                    new dockerBuild.Provider("docker-build", {}),
                ],
            },
        );
    });
}

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
const VAULT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/keys/providers/Microsoft.KeyVault/vaults/fleet-keys`;
const KEY = "https://fleet-keys.vault.azure.net/keys/acr";
const KEY_VERSION = "0123456789abcdef0123456789abcdef";

/** One AppImage (ACR only) on its own providers, planned directly under the mocks. */
function planAcrImage(
    azure: Partial<NonNullable<AppImageRegistries["azure"]>>,
): Promise<PlanResult> {
    return planComponents((req) => {
        const azureNative = req<typeof import("@pulumi/azure-native")>("@pulumi/azure-native");
        const dockerBuild = req<typeof import("@pulumi/docker-build")>("@pulumi/docker-build");
        const { AppImage } =
            req<typeof import("../../../components/app/AppImage")>("components/app/AppImage");
        new AppImage(
            "img",
            {
                repository: "img",
                registries: {
                    azure: {
                        resourceGroupName: "images",
                        location: "westeurope",
                        tenantId: "00000000-0000-0000-0000-000000000000",
                        ...azure,
                    },
                },
            },
            {
                providers: [
                    new azureNative.Provider("azure-native", {
                        subscriptionId: SUBSCRIPTION,
                        location: "westeurope",
                    }),
                    new dockerBuild.Provider("docker-build", {}),
                ],
            },
        );
    });
}

// Rules (Azure docs, MicrosoftDocs/azure-management-docs articles/container-registry/):
// customer-managed keys are a Premium feature, set "only while creating a registry" and never
// disabled, through a user-assigned identity (tutorial-customer-managed-keys.md); the registry
// carries `encryption: { status: "enabled", keyVaultProperties: { keyIdentifier, identity:
// <the identity's clientId> } }` with the identity in `identity.userAssignedIdentities`, and the
// identity holds "Key Vault Crypto Service Encryption User" on the vault
// (tutorial-enable-customer-managed-keys.md; Azure/azure-cli acr/custom.py _configure_cmk). Azure
// checks the key when it creates the registry ("Failed to access KeyId ... Verify that identity
// ... has 'Get, Wrap Key, Unwrap Key' permission", MicrosoftDocs/azure-docs#61015).
describe("AppImage: ACR with a customer-managed key", () => {
    let plain: PlanResult;
    let cmek: PlanResult;
    beforeAll(async () => {
        plain = await planAcrImage({});
        cmek = await planAcrImage({
            sku: "Premium",
            encryption: { keyIdentifier: KEY, keyVaultId: VAULT_ID },
        });
    }, 120_000);

    it("creates a user-assigned identity for the registry, a child of the component", () => {
        expect(cmek.errors).toEqual([]);
        const component = one(cmek, "multicloud:app:AppImage", "img");
        const identity = one(
            cmek,
            "azure-native:managedidentity:UserAssignedIdentity",
            "img-acr-identity",
        );
        expect(identity.parent).toBe(component.urn);
        expect(identity.inputs).toMatchObject({
            resourceGroupName: "images",
            location: "westeurope",
        });
        // Without a key, none of it.
        expect(plain.errors).toEqual([]);
        expect(ofType(plain, "azure-native:managedidentity:UserAssignedIdentity")).toEqual([]);
        expect(ofType(plain, "azure-native:authorization:RoleAssignment")).toEqual([]);
    });

    it("grants the identity Key Vault Crypto Service Encryption User on the vault, as a service principal, under a deterministic name", () => {
        const identity = one(
            cmek,
            "azure-native:managedidentity:UserAssignedIdentity",
            "img-acr-identity",
        );
        const grant = one(cmek, "azure-native:authorization:RoleAssignment", "img-acr-cmek");
        expect(grant.parent).toBe(one(cmek, "multicloud:app:AppImage", "img").urn);
        expect(grant.inputs).toMatchObject({
            scope: VAULT_ID,
            roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6`,
            principalType: "ServicePrincipal",
        });
        expect(KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER).toBe(
            "e147488a-f6f5-4113-8e2d-b22465e65bf6",
        );
        // The principal is the identity's, and so is the name (scope, role, principal): it is
        // known once the identity exists, so a preview shows it as computed from the identity.
        expect(grant.propertyDependencies.principalId).toEqual([identity.urn]);
        expect(grant.propertyDependencies.roleAssignmentName).toEqual([identity.urn]);
        // Another vault creates the new grant before the old one goes: azure-native would delete
        // first (explicit name), leaving the registry without its key for a while
        // (tutorial-rotate-revoke-customer-managed-keys.md: revoking blocks all registry data).
        expect(grant.deleteBeforeReplace).toBe(false);
    });

    it("creates the registry Premium, with the identity attached and the key enabled, after the grant", () => {
        const identity = one(
            cmek,
            "azure-native:managedidentity:UserAssignedIdentity",
            "img-acr-identity",
        );
        const grant = one(cmek, "azure-native:authorization:RoleAssignment", "img-acr-cmek");
        const registry = one(cmek, "azure-native:containerregistry:Registry", "img");
        const inputs = registry.inputs as Record<string, any>;
        expect(inputs.sku).toEqual({ name: "Premium" });
        expect(inputs.identity.type).toBe("UserAssigned");
        // Keyed by the identity's resource id (the mocks report `<name>-id`).
        expect(inputs.identity.userAssignedIdentities).toEqual({ "img-acr-identity-id": {} });
        expect(inputs.encryption.status).toBe("enabled");
        expect(inputs.encryption.keyVaultProperties.keyIdentifier).toBe(KEY);
        // The identity by its client id, and in the registry's identities by its resource id.
        expect(registry.propertyDependencies.encryption).toEqual([identity.urn]);
        expect(registry.propertyDependencies.identity).toEqual([identity.urn]);
        // Azure checks the key at creation: the grant comes first.
        expect(registry.dependencies).toContain(grant.urn);
        // Never delete-first (azure-native's default for an explicit name, provider.go Diff):
        // the first create may fail while Key Vault applies the grant (up to 10 minutes,
        // key-vault/general/rbac-guide.md), and the old registry must survive that. A new
        // identity replaces the registry: Azure changes no key on an existing registry.
        expect(registry.deleteBeforeReplace).toBe(false);
        expect(registry.replaceOnChanges).toContain("identity");
        expect(inputs).toMatchObject({ adminUserEnabled: false, anonymousPullEnabled: false });
        // What the pack's policy asks when requireCmek is true: no violation.
        const violations: string[] = [];
        const validate = azureContainerRegistryCmek.validateResource as (
            args: unknown,
            report: (message: string) => void,
        ) => void;
        validate(
            {
                type: registry.type,
                name: registry.name,
                urn: registry.urn,
                props: inputs,
                getConfig: () => ({ requireCmek: true }),
            },
            (m) => violations.push(m),
        );
        expect(violations).toEqual([]);
        validate(
            {
                type: registry.type,
                name: "plain",
                urn: registry.urn,
                props: one(plain, "azure-native:containerregistry:Registry", "img").inputs,
                getConfig: () => ({ requireCmek: true }),
            },
            (m) => violations.push(m),
        );
        expect(violations).toHaveLength(1);
    });

    // Rule: Azure sets the key only at creation and never removes it, but azure-native would send
    // a changed `encryption` as an in-place update (no x-ms-mutability on it, listed in
    // RegistryPropertiesUpdateParameters: Azure/azure-rest-api-specs @0084bebc containerregistry
    // 2023-01-01-preview; no ContainerRegistry entry in pulumi-azure-native @1b7112af
    // provider/pkg/gen/replacement.go forceNewMap). So the default name changes with the key:
    // registryName is a path parameter, and a new name is a new registry the build pushes to.
    it("names the registry differently with a key, so turning it on is a new registry the image is pushed to", () => {
        const name = (plan: PlanResult) =>
            String(one(plan, "azure-native:containerregistry:Registry", "img").inputs.registryName);
        expect(name(plain)).toMatch(/^multiclouddevimg[0-9a-f]{8}$/);
        expect(name(cmek)).toMatch(/^multiclouddevimg[0-9a-f]{8}$/);
        expect(name(cmek)).not.toBe(name(plain));
        const exported = (plan: PlanResult) =>
            String((one(plan, "docker-build:index:Image", "img").inputs as any).exports[0].raw);
        expect(exported(cmek)).toContain(`${name(cmek)}.azurecr.io/img`);
        expect(exported(plain)).toContain(`${name(plain)}.azurecr.io/img`);
    });

    it("names bad encryption arguments before any resource", async () => {
        const plan = await planAcrImage({
            encryption: { keyIdentifier: "fleet-keys/acr", keyVaultId: VAULT_ID },
        });
        expect(created(plan).filter((r) => !r.type.startsWith("pulumi:providers:"))).toEqual([]);
        expect(plan.errors.join("\n")).toContain(
            "registries.azure.sku is 'Standard' (the default), but registries.azure.encryption needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set registries.azure.sku to Premium, or remove registries.azure.encryption",
        );
        expect(plan.errors.join("\n")).toContain(
            "registries.azure.encryption.keyIdentifier 'fleet-keys/acr' is not a Key Vault key URI",
        );
    }, 60_000);
});

describe("acrEncryptionArgProblems", () => {
    const base = { resourceGroupName: "images", location: "westeurope", tenantId: "t" };

    it("accepts a Premium registry with a versionless or versioned key of the granted vault", () => {
        expect(acrEncryptionArgProblems(undefined)).toEqual([]);
        expect(acrEncryptionArgProblems(base)).toEqual([]);
        for (const keyIdentifier of [KEY, `${KEY}/${KEY_VERSION}`]) {
            expect(
                acrEncryptionArgProblems({
                    ...base,
                    sku: "Premium",
                    encryption: { keyIdentifier, keyVaultId: VAULT_ID },
                }),
            ).toEqual([]);
        }
    });

    it("names each problem: the tier, the key URI, the vault id, a key of another vault", () => {
        expect(
            acrEncryptionArgProblems({
                ...base,
                sku: "Basic",
                encryption: {
                    keyIdentifier: "https://fleet-keys.vault.azure.net/secrets/acr",
                    keyVaultId: "fleet-keys",
                },
            }),
        ).toEqual([
            "registries.azure.sku is 'Basic', but registries.azure.encryption needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set registries.azure.sku to Premium, or remove registries.azure.encryption",
            "registries.azure.encryption.keyIdentifier 'https://fleet-keys.vault.azure.net/secrets/acr' is not a Key Vault key URI: use https://<vault>.vault.azure.net/keys/<name> (versionless, rotated automatically) or .../keys/<name>/<version>",
            "registries.azure.encryption.keyVaultId 'fleet-keys' is not a Key Vault's ARM id: use /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.KeyVault/vaults/<vault> (az keyvault show --query id)",
        ]);
        expect(
            acrEncryptionArgProblems({
                ...base,
                sku: "Premium",
                encryption: {
                    keyIdentifier: "https://other-keys.vault.azure.net/keys/acr",
                    keyVaultId: VAULT_ID,
                },
            }),
        ).toEqual([
            "registries.azure.encryption.keyVaultId is vault 'fleet-keys', but registries.azure.encryption.keyIdentifier is a key of vault 'other-keys': give the id of the vault that holds the key, which is where its identity is granted",
        ]);
    });

    it("leaves values known only at deployment to Azure, but still needs Premium", () => {
        expect(
            acrEncryptionArgProblems({
                ...base,
                sku: "Premium",
                encryption: {
                    keyIdentifier: pulumi.output(KEY),
                    keyVaultId: pulumi.output(VAULT_ID),
                },
            }),
        ).toEqual([]);
    });

    it("is part of validateAppImageArgs", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "context-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        expect(
            validateAppImageArgs(
                {
                    context: dir,
                    registries: {
                        azure: {
                            ...base,
                            encryption: { keyIdentifier: KEY, keyVaultId: VAULT_ID },
                        },
                    },
                },
                ["azure-native", "docker-build"],
                "app",
            ),
        ).toEqual([
            "registries.azure.sku is 'Standard' (the default), but registries.azure.encryption needs the Premium tier (Azure Container Registry takes customer-managed keys on Premium only): set registries.azure.sku to Premium, or remove registries.azure.encryption",
        ]);
    });
});

// The Key Vault key URI and vault id rules AppImage reads: tests/components/azure/keyVaultKey.test.ts.

describe("AppImage platforms", () => {
    // Rule: one image for every architecture the stack runs: docker-build's `platforms` builds one
    // multi-platform image (an image index) in one build (@pulumi/docker-build Image.platforms,
    // "Set target platform(s) for the build").
    it("builds one image for every platform given, on the builder given", async () => {
        const plan = await planAppImage({
            platforms: ["linux/amd64", "linux/arm64"],
            builder: "multiarch",
        });
        expect(plan.errors).toEqual([]);
        const image = one(plan, "docker-build:index:Image", "img").inputs as Record<string, any>;
        expect(image.platforms).toEqual(["linux/amd64", "linux/arm64"]);
        expect(image.builder).toEqual({ name: "multiarch" });
        expect(ofType(plan, "docker-build:index:Index").map((i) => i.name)).toEqual(["img-aws"]);
        // Always an index, so that the Index's tag names the very digest deployed: a single plain
        // manifest would be wrapped in a new index by `imagetools create` (--prefer-index).
        expect(image.buildArgs).toMatchObject({ BUILDKIT_MULTI_PLATFORM: "1" });
    }, 60_000);

    it("names bad platforms before any resource", async () => {
        const plan = await planAppImage({
            platforms: ["linux/arm64", "linux/arm64"],
        });
        // Only the test's own providers: the component registered nothing.
        expect(created(plan).filter((r) => !r.type.startsWith("pulumi:providers:"))).toEqual([]);
        expect(plan.errors.join("\n")).toContain(
            "platforms[1] repeats 'linux/arm64': list each platform once",
        );
    }, 60_000);

    it("asks for no attestation when both are off", async () => {
        const off = await planAppImage({ sbom: false, provenance: "off" });
        expect(off.errors).toEqual([]);
        const image = one(off, "docker-build:index:Image", "img").inputs as Record<string, any>;
        expect(Object.keys(image.buildArgs)).toEqual(["BUILDKIT_MULTI_PLATFORM"]);
        // min provenance without build arguments: attestations.test.ts.
    }, 60_000);

    // Rule: provenance mode=max keeps every build-arg value in the attestation; mode=min drops
    // build args and labels (moby/buildkit solver/llbsolver/provenance.go, scrubMinRequest).
    it("refuses max provenance with a secret build argument, and attestation build arguments of one's own", () => {
        const secret = { TOKEN: pulumi.secret("s3cr3t") };
        const args = (extra: Partial<AppImageArgs>): AppImageArgs => ({
            context: "app",
            registries: { aws: {} },
            ...extra,
        });
        expect(
            validateAppImageArgs(args({ buildArgs: secret }), ["aws", "docker-build"], "img"),
        ).toEqual([
            "provenance 'max' would record the value of the secret build argument TOKEN in the image's provenance, readable by anyone who can pull it: pass secrets as build secrets, or set provenance to min",
        ]);
        expect(
            validateAppImageArgs(
                args({ buildArgs: secret, provenance: "min" }),
                ["aws", "docker-build"],
                "img",
            ),
        ).toEqual([]);
        expect(
            validateAppImageArgs(
                args({ buildArgs: { BUILDKIT_ATTEST_SBOM: "generator=evil/scanner" } }),
                ["aws", "docker-build"],
                "img",
            ),
        ).toEqual([
            "buildArgs.BUILDKIT_ATTEST_SBOM asks BuildKit for an attestation directly: remove it, and set sbom or provenance instead",
        ]);
    });

    it("builds the default platform when none is given", () => {
        expect(resolvePlatforms({})).toEqual(["linux/amd64"]);
        expect(resolvePlatforms({ platforms: ["linux/arm64", "linux/amd64"] })).toEqual([
            "linux/arm64",
            "linux/amd64",
        ]);
    });
});

describe("retry convergence: tags name digests, builds push by digest", () => {
    const d1 = `sha256:${"a1".repeat(32)}`;
    const d2 = `sha256:${"b2".repeat(32)}`;

    it("gives one digest one tag, and two digests two tags, for the same sources", () => {
        expect(releaseTag("src-0123456789ab", d1)).toBe("src-0123456789ab-a1a1a1a1a1a1");
        expect(releaseTag("src-0123456789ab", d1)).toBe(releaseTag("src-0123456789ab", d1));
        expect(releaseTag("src-0123456789ab", d2)).not.toBe(releaseTag("src-0123456789ab", d1));
        expect(() => releaseTag("src-0123456789ab", "")).toThrow("is not a sha256 image digest");
    });

    it("renders one exporter for every repository, refusing names with a tag or digest", () => {
        expect(pushByDigestExport(["r.example/a/b", "h:5000/c"])).toBe(
            'type=registry,"name=r.example/a/b,h:5000/c",push-by-digest=true',
        );
        expect(() => pushByDigestExport(["r.example/a:v1"])).toThrow(
            "'r.example/a:v1' is not a repository name without tag or digest",
        );
        expect(() => pushByDigestExport([`r.example/a@${d1}`])).toThrow();
    });

    /**
     * A registry as ECR behaves with immutable tags: a push by digest always succeeds; a push of a
     * tag that exists fails, even with the same digest (aws/containers-roadmap#2179).
     */
    class ImmutableRegistry {
        readonly tags = new Map<string, string>();
        readonly digests = new Set<string>();
        pushByDigest(digest: string) {
            this.digests.add(digest);
        }
        tag(tag: string, digest: string) {
            if (!this.digests.has(digest)) throw new Error("manifest unknown");
            if (this.tags.has(tag)) throw new Error(`tag invalid: ${tag} already exists`);
            this.tags.set(tag, digest);
        }
    }

    it("converges when a build is retried after a failed push, and when one tagging is retried", () => {
        const registries = { aws: new ImmutableRegistry(), azure: new ImmutableRegistry() };
        const state = new Map<string, string>(); // Pulumi state: resource -> digest or tag
        // `pulumi up` as AppImage wires it: the build, then one tagging resource per registry.
        const up = (digest: string, failing: Set<string>) => {
            if (!state.has("image")) {
                registries.aws.pushByDigest(digest);
                if (failing.has("push-azure")) throw new Error("push to ACR failed");
                registries.azure.pushByDigest(digest);
                state.set("image", digest);
            }
            const built = state.get("image")!;
            const tag = releaseTag("src-0123456789ab", built);
            for (const [cloud, registry] of Object.entries(registries)) {
                if (state.get(`index-${cloud}`) === tag) continue;
                if (failing.has(`tag-${cloud}`)) throw new Error(`tagging ${cloud} failed`);
                registry.tag(tag, built);
                state.set(`index-${cloud}`, tag);
            }
        };
        // The build pushed to ECR, then ACR failed; the retry rebuilds with another digest.
        expect(() => up(d1, new Set(["push-azure"]))).toThrow("push to ACR failed");
        // ECR tagged, ACR tagging failed; the retry only tags ACR.
        expect(() => up(d2, new Set(["tag-azure"]))).toThrow("tagging azure failed");
        expect(() => up(d2, new Set())).not.toThrow();
        const tag = releaseTag("src-0123456789ab", d2);
        expect(registries.aws.tags.get(tag)).toBe(d2);
        expect(registries.azure.tags.get(tag)).toBe(d2);
        // Pushing the tag itself in the build (the former design) would have failed on retry.
        const former = new ImmutableRegistry();
        former.pushByDigest(d1);
        former.tag("src-0123456789ab", d1);
        former.pushByDigest(d2);
        expect(() => former.tag("src-0123456789ab", d2)).toThrow("already exists");
    });
});

describe("AppImage with fewer registries, or none", () => {
    it("pushes only where the stack says", async () => {
        const plan = await planStack("dev", { "appImage.registries": ["aws"] });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, "aws:ecr/repository:Repository")).toHaveLength(1);
        expect(ofType(plan, "gcp:artifactregistry/repository:Repository")).toEqual([]);
        expect(ofType(plan, "azure-native:containerregistry:Registry")).toEqual([]);
        // GKE then runs the released image.
        const deployment = one(plan, "kubernetes:apps/v1:Deployment", "dev-gke-app-deployment-app");
        expect((deployment.inputs as any).spec.template.spec.containers[0].image).toMatch(
            /multicloud-app@sha256:0{64}$/,
        );
    }, 60_000);

    it("builds nothing when appImage.build is false: the released image runs everywhere", async () => {
        const plan = await planStack("dev", { "appImage.build": false });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, "docker-build:index:Image")).toEqual([]);
        expect(ofType(plan, "pulumi:providers:docker-build")).toEqual([]);
        expect((plan.outputs.app as any).built).toBeNull();
        const template = one(plan, "aws:ec2/launchTemplate:LaunchTemplate", "app-lt").inputs;
        expect(Buffer.from(String(template.userData), "base64").toString()).toContain(
            `@sha256:${"0".repeat(64)}`,
        );
    }, 60_000);
});

// The config's refusals of the same (a registry of a cloud switched off, a context without a
// Dockerfile) are parser tests: tests/config/app.test.ts.
describe("AppImage bad input", () => {
    it("names every bad component argument", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "context-"));
        expect(
            validateAppImageArgs(
                {
                    context: dir,
                    registries: { gcp: { project: "p", location: "us" } },
                    repository: "App",
                },
                ["aws"],
                "app",
            ),
        ).toEqual([
            `context '${dir}' has no Dockerfile: add it, or set dockerfile to its path relative to the context`,
            "registries.gcp is set but no gcp provider was passed (the cloud is switched off): pass one in opts.providers, or remove registries.gcp",
            "no docker-build provider was passed: pass one in opts.providers",
            "repository 'App' must be lowercase letters, digits, '.', '_' or '-' (up to 63), starting and ending with a letter or digit",
        ]);
        expect(
            validateAppImageArgs({ context: dir, registries: {} }, ["docker-build"], "app"),
        ).toContain("registries is empty: name at least one of aws, gcp, azure");
    });
});

describe("contentTag", () => {
    it("is stable for the same sources and changes with any file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tag-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        fs.mkdirSync(path.join(dir, "src"));
        fs.writeFileSync(path.join(dir, "src", "a.py"), "print(1)\n");
        const first = contentTag(dir);
        expect(contentTag(dir)).toBe(first);
        fs.writeFileSync(path.join(dir, "src", "a.py"), "print(2)\n");
        expect(contentTag(dir)).not.toBe(first);
        expect(contentTag(dir, { target: "other" })).not.toBe(contentTag(dir));
    });

    it("hashes what .dockerignore lets into the build, and the Dockerfile always", () => {
        // As app/.dockerignore: everything out but the sources. A cache a test run leaves in
        // the context must not change the tag: a fresh clone of the commit would get another.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tag-"));
        fs.writeFileSync(path.join(dir, ".dockerignore"), "*\n!run.py\n");
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        fs.writeFileSync(path.join(dir, "run.py"), "print(1)\n");
        const first = contentTag(dir);
        fs.mkdirSync(path.join(dir, "__pycache__"));
        fs.writeFileSync(path.join(dir, "__pycache__", "run.cpython-311.pyc"), "cache");
        fs.writeFileSync(path.join(dir, "test_run.py"), "def test(): pass\n");
        expect(contentTag(dir)).toBe(first);
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch AS app\n");
        const newDockerfile = contentTag(dir);
        expect(newDockerfile).not.toBe(first);
        fs.writeFileSync(path.join(dir, "run.py"), "print(2)\n");
        expect(contentTag(dir)).not.toBe(newDockerfile);
    });
});
