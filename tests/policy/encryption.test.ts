/** Encryption policies, each with a compliant fixture and one failing variant per rule. */
import { UNKNOWN_STRING } from "../../plan/analyzer";
import { messages, resource, usePack } from "./harness";

const pack = usePack();

const KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0f6c9b7e-1111-2222-3333-444455556666";
const GCP_KEY = "projects/fleet-prod/locations/us-central1/keyRings/fleet/cryptoKeys/gke-secrets";

describe("aws-launch-template-ebs-encrypted", () => {
    const policy = "aws-launch-template-ebs-encrypted";
    const template = (ebs: Record<string, unknown>, extra: Record<string, unknown>[] = []) =>
        resource("aws:ec2/launchTemplate:LaunchTemplate", "app-lt", {
            imageId: "ami-0123456789abcdef0",
            instanceType: "t3.medium",
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    ebs: { volumeType: "gp3", volumeSize: 30, kmsKeyId: KMS_KEY_ARN, ...ebs },
                },
                ...extra,
            ],
        });

    it('passes encrypted volumes ("true" as the program sets it, or true), and ignores instance store mappings', async () => {
        expect(await messages(pack(), policy, template({ encrypted: "true" }))).toEqual([]);
        expect(
            await messages(
                pack(),
                policy,
                template({ encrypted: true }, [
                    { deviceName: "/dev/sdb", virtualName: "ephemeral0" },
                ]),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                policy,
                resource("aws:ec2/launchTemplate:LaunchTemplate", "bare-lt", {
                    imageId: "ami-0123456789abcdef0",
                }),
            ),
        ).toEqual([]);
    });

    it("flags every EBS volume that is not encrypted", async () => {
        expect(
            await messages(
                pack(),
                policy,
                template({ encrypted: "false" }, [
                    { deviceName: "/dev/sdf", ebs: { volumeType: "gp3", volumeSize: 100 } },
                ]),
            ),
        ).toEqual([
            `Launch template 'app-lt' declares block device mapping 0 (/dev/xvda) with an EBS volume that has encrypted "false", so the volume can be written unencrypted: set blockDeviceMappings[0].ebs.encrypted to "true" and kmsKeyId to a customer-managed KMS key.`,
            `Launch template 'app-lt' declares block device mapping 1 (/dev/sdf) with an EBS volume that does not set encrypted, so the volume can be written unencrypted: set blockDeviceMappings[1].ebs.encrypted to "true" and kmsKeyId to a customer-managed KMS key.`,
        ]);
    });
});

describe("aws-launch-template-ebs-encrypted with snapshots", () => {
    const policy = "aws-launch-template-ebs-encrypted";
    const template = (ebs: Record<string, unknown>) =>
        resource("aws:ec2/launchTemplate:LaunchTemplate", "data-lt", {
            imageId: "ami-0123456789abcdef0",
            blockDeviceMappings: [{ deviceName: "/dev/sdf", ebs }],
        });

    it("passes a volume restored from a snapshot with encrypted set, and encrypted computed from another resource", async () => {
        expect(
            await messages(
                pack(),
                policy,
                template({ snapshotId: "snap-0123456789abcdef0", encrypted: "true" }),
            ),
        ).toEqual([]);
        expect(await messages(pack(), policy, template({ encrypted: UNKNOWN_STRING }))).toEqual([]);
    });

    it("flags a volume restored from a snapshot without encrypted, since the snapshot may be unencrypted", async () => {
        expect(
            await messages(pack(), policy, template({ snapshotId: "snap-0123456789abcdef0" })),
        ).toEqual([
            `Launch template 'data-lt' declares block device mapping 0 (/dev/sdf) with an EBS volume that does not set encrypted, so the volume can be written unencrypted unless its snapshot is encrypted, which the template cannot show: set blockDeviceMappings[0].ebs.encrypted to "true" and kmsKeyId to a customer-managed KMS key.`,
        ]);
    });
});

describe("aws-ecr-kms", () => {
    const policy = "aws-ecr-kms";
    const repository = (props: Record<string, unknown>) =>
        resource("aws:ecr/repository:Repository", "app", {
            name: "fleet/app",
            imageTagMutability: "IMMUTABLE",
            ...props,
        });

    it("passes a repository encrypted with KMS", async () => {
        expect(
            await messages(
                pack(),
                policy,
                repository({
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KMS_KEY_ARN }],
                }),
            ),
        ).toEqual([]);
    });

    it("flags a repository on AES256", async () => {
        expect(
            await messages(
                pack(),
                policy,
                repository({ encryptionConfigurations: [{ encryptionType: "AES256" }] }),
            ),
        ).toEqual([
            `ECR repository 'app' uses encryption type 'AES256', not KMS: set encryptionConfigurations to [{ encryptionType: "KMS", kmsKey: <customer-managed KMS key ARN> }] (this replaces the repository).`,
        ]);
    });

    it("flags a repository left on the default encryption", async () => {
        expect(await messages(pack(), policy, repository({}))).toEqual([
            `ECR repository 'app' uses the default AES256 encryption, not KMS: set encryptionConfigurations to [{ encryptionType: "KMS", kmsKey: <customer-managed KMS key ARN> }] (this replaces the repository).`,
        ]);
    });
});

describe("aws-sns-kms", () => {
    const policy = "aws-sns-kms";
    const topic = (props: Record<string, unknown>) =>
        resource("aws:sns/topic:Topic", "fleet-alerts", { ...props });

    it("passes a topic with a KMS key, also one only known after deployment", async () => {
        expect(await messages(pack(), policy, topic({ kmsMasterKeyId: KMS_KEY_ARN }))).toEqual([]);
        expect(await messages(pack(), policy, topic({ kmsMasterKeyId: UNKNOWN_STRING }))).toEqual(
            [],
        );
    });

    it("flags a topic without a KMS key", async () => {
        expect(await messages(pack(), policy, topic({}))).toEqual([
            `SNS topic 'fleet-alerts' has no kmsMasterKeyId, so its messages are stored unencrypted: set kmsMasterKeyId to a customer-managed KMS key ARN (whose key policy lets the publishing services use it), or to "alias/aws/sns" at least.`,
        ]);
    });
});

describe("gcp-gke-secrets-encryption", () => {
    const policy = "gcp-gke-secrets-encryption";
    const cluster = (props: Record<string, unknown>) =>
        resource("gcp:container/cluster:Cluster", "gke-us", {
            project: "fleet-prod",
            location: "us-central1",
            ...props,
        });

    it("passes a cluster encrypting Secrets with a KMS key, also one created in the same stack", async () => {
        expect(
            await messages(
                pack(),
                policy,
                cluster({ databaseEncryption: { state: "ENCRYPTED", keyName: GCP_KEY } }),
            ),
        ).toEqual([]);
        // GkeCluster creates the key itself: during a preview its id is not known yet.
        expect(
            await messages(
                pack(),
                policy,
                cluster({ databaseEncryption: { state: "ENCRYPTED", keyName: UNKNOWN_STRING } }),
            ),
        ).toEqual([]);
    });

    it("flags a cluster without application-layer Secrets encryption", async () => {
        expect(await messages(pack(), policy, cluster({}))).toEqual([
            `GKE cluster 'gke-us' does not set databaseEncryption, so Kubernetes Secrets are not encrypted at the application layer: set databaseEncryption to { state: "ENCRYPTED", keyName: <Cloud KMS key id> } and grant the GKE service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.`,
        ]);
        expect(
            await messages(pack(), policy, cluster({ databaseEncryption: { state: "DECRYPTED" } })),
        ).toEqual([
            `GKE cluster 'gke-us' has databaseEncryption.state 'DECRYPTED', so Kubernetes Secrets are not encrypted at the application layer: set databaseEncryption to { state: "ENCRYPTED", keyName: <Cloud KMS key id> } and grant the GKE service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.`,
        ]);
    });

    it("flags ENCRYPTED without a key", async () => {
        expect(
            await messages(
                pack(),
                policy,
                cluster({ databaseEncryption: { state: "ENCRYPTED", keyName: "" } }),
            ),
        ).toEqual([
            `GKE cluster 'gke-us' sets databaseEncryption.state to ENCRYPTED without a keyName, so no Cloud KMS key encrypts its Secrets: set databaseEncryption.keyName to the key's id (projects/<p>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>).`,
        ]);
    });
});

const artifactRepository = (props: Record<string, unknown>) =>
    resource("gcp:artifactregistry/repository:Repository", "app", {
        project: "fleet-prod",
        location: "us-central1",
        repositoryId: "fleet",
        format: "DOCKER",
        ...props,
    });
const containerRegistry = (props: Record<string, unknown>) =>
    resource("azure-native:containerregistry:Registry", "app", {
        registryName: "fleetapp",
        resourceGroupName: "fleet",
        sku: { name: "Premium" },
        ...props,
    });
const KEY_URI = "https://fleet-kv.vault.azure.net/keys/acr/0123456789abcdef0123456789abcdef";
const cmekEncryption = {
    status: "enabled",
    keyVaultProperties: {
        keyIdentifier: KEY_URI,
        identity: "00000000-0000-0000-0000-000000000001",
    },
};

describe("registry CMEK with requireCmek unset (the default)", () => {
    it("leaves registries on provider-managed keys alone", async () => {
        expect(
            await messages(pack(), "gcp-artifact-registry-cmek", artifactRepository({})),
        ).toEqual([]);
        expect(
            await messages(pack(), "azure-container-registry-cmek", containerRegistry({})),
        ).toEqual([]);
    });

    it("ships both policies as advisory", async () => {
        const info = await pack().info();
        const levels = Object.fromEntries(
            info.policies
                .filter((p) => p.name.endsWith("-cmek"))
                .map((p) => [p.name, p.enforcementLevel]),
        );
        expect(levels).toEqual({
            "gcp-artifact-registry-cmek": "advisory",
            "azure-container-registry-cmek": "advisory",
        });
    });
});

describe("registry CMEK with requireCmek: true", () => {
    // Configure replaces the whole config: set it for this block only, then restore the default.
    beforeAll(async () => {
        await pack().configure({
            "gcp-artifact-registry-cmek": { enforcementLevel: "mandatory", requireCmek: true },
            "azure-container-registry-cmek": { enforcementLevel: "mandatory", requireCmek: true },
        });
    });
    afterAll(async () => {
        await pack().configure({});
    });

    describe("gcp-artifact-registry-cmek", () => {
        const policy = "gcp-artifact-registry-cmek";

        it("passes a repository with a Cloud KMS key", async () => {
            expect(
                await messages(pack(), policy, artifactRepository({ kmsKeyName: GCP_KEY })),
            ).toEqual([]);
        });

        it("flags a repository without a Cloud KMS key", async () => {
            expect(await messages(pack(), policy, artifactRepository({}))).toEqual([
                `Artifact Registry repository 'app' has no kmsKeyName, so it is encrypted with a Google-managed key while requireCmek is set: set kmsKeyName to a Cloud KMS key in the repository's location and grant the Artifact Registry service agent roles/cloudkms.cryptoKeyEncrypterDecrypter on it (this replaces the repository).`,
            ]);
        });
    });

    describe("azure-container-registry-cmek", () => {
        const policy = "azure-container-registry-cmek";
        const fix = `so its content is encrypted with a Microsoft-managed key while requireCmek is set: set encryption to { status: "enabled", keyVaultProperties: { keyIdentifier: <Key Vault key URI>, identity: <client id of a user-assigned identity with access to the key> } } with that identity in identity.userAssignedIdentities, on the Premium SKU (customer-managed keys can only be set when the registry is created).`;

        it("passes a registry encrypted with a Key Vault key, also under an API-versioned token", async () => {
            expect(
                await messages(pack(), policy, containerRegistry({ encryption: cmekEncryption })),
            ).toEqual([]);
            expect(
                await messages(
                    pack(),
                    policy,
                    resource("azure-native:containerregistry/v20250401:Registry", "app", {
                        encryption: cmekEncryption,
                    }),
                ),
            ).toEqual([]);
        });

        it("flags a registry without customer-managed encryption", async () => {
            expect(await messages(pack(), policy, containerRegistry({}))).toEqual([
                `Container registry 'app' does not enable customer-managed encryption, ${fix}`,
            ]);
            expect(
                await messages(
                    pack(),
                    policy,
                    containerRegistry({ encryption: { ...cmekEncryption, status: "disabled" } }),
                ),
            ).toEqual([
                `Container registry 'app' does not enable customer-managed encryption, ${fix}`,
            ]);
        });

        it("flags encryption enabled without a key identifier", async () => {
            expect(
                await messages(
                    pack(),
                    policy,
                    containerRegistry({
                        encryption: { status: "enabled", keyVaultProperties: {} },
                    }),
                ),
            ).toEqual([
                `Container registry 'app' enables encryption without encryption.keyVaultProperties.keyIdentifier, ${fix}`,
            ]);
        });
    });
});
