/** Key rotation policies, each with a compliant fixture and one failing variant per rule. */
import { secretValue, UNKNOWN_STRING } from "../../plan/analyzer";
import { groupOf } from "../../policy/policies";
import { messages, resource, usePack } from "./harness";

const pack = usePack();

describe("aws-kms-key-rotation", () => {
    const policy = "aws-kms-key-rotation";
    // As AsgFleet creates it.
    const key = (props: Record<string, unknown>) =>
        resource("aws:kms/key:Key", "fleet-key", {
            description: "fleet: EBS root volumes and alert topic of the Auto Scaling fleet",
            deletionWindowInDays: 30,
            ...props,
        });
    const off = (state: string) =>
        `KMS key 'fleet-key' ${state}, so its key material is never rotated: set enableKeyRotation to true (AWS KMS then rotates it every 365 days, or every rotationPeriodInDays from 90 to 2560).`;
    const badPeriod = `KMS key 'fleet-key' sets rotationPeriodInDays outside the whole numbers of days from 90 to 2560 that AWS KMS accepts, so its rotation cannot be enabled: set rotationPeriodInDays to a whole number from 90 to 2560, or remove it to rotate every 365 days.`;

    it("passes a key with rotation on, with any rotation period AWS accepts", async () => {
        expect(await messages(pack(), policy, key({ enableKeyRotation: true }))).toEqual([]);
        for (const rotationPeriodInDays of [90, 180, 365, 2560]) {
            expect(
                await messages(
                    pack(),
                    policy,
                    key({ enableKeyRotation: true, rotationPeriodInDays }),
                ),
            ).toEqual([]);
        }
        expect(
            await messages(
                pack(),
                policy,
                key({
                    enableKeyRotation: true,
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    keyUsage: "ENCRYPT_DECRYPT",
                    multiRegion: true,
                }),
            ),
        ).toEqual([]);
    });

    it("passes values only known after deployment, and secrets", async () => {
        expect(await messages(pack(), policy, key({ enableKeyRotation: UNKNOWN_STRING }))).toEqual(
            [],
        );
        expect(
            await messages(
                pack(),
                policy,
                key({ enableKeyRotation: true, rotationPeriodInDays: UNKNOWN_STRING }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                policy,
                key({
                    enableKeyRotation: secretValue(true),
                    rotationPeriodInDays: secretValue(90),
                }),
            ),
        ).toEqual([]);
    });

    it("skips keys AWS cannot rotate automatically: asymmetric, HMAC, custom key stores", async () => {
        for (const props of [
            { customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY" },
            { customerMasterKeySpec: "RSA_4096", keyUsage: "ENCRYPT_DECRYPT" },
            { customerMasterKeySpec: "ECC_NIST_P256" },
            { customerMasterKeySpec: "HMAC_384", keyUsage: "GENERATE_VERIFY_MAC" },
            { customerMasterKeySpec: "ML_DSA_65", keyUsage: "SIGN_VERIFY" },
            { keyUsage: "SIGN_VERIFY" },
            { customKeyStoreId: "cks-1234567890abcdef0" },
            { customKeyStoreId: "cks-1234567890abcdef0", xksKeyId: "fleet-external-key" },
            // Not known yet: may be one of the above.
            { customerMasterKeySpec: UNKNOWN_STRING },
            { keyUsage: UNKNOWN_STRING },
            { customKeyStoreId: UNKNOWN_STRING },
        ]) {
            expect(await messages(pack(), policy, key(props))).toEqual([]);
            expect(
                await messages(pack(), policy, key({ ...props, enableKeyRotation: false })),
            ).toEqual([]);
        }
    });

    it("ignores other KMS resources (external keys with imported material, replicas, aliases)", async () => {
        for (const type of [
            "aws:kms/externalKey:ExternalKey",
            "aws:kms/replicaKey:ReplicaKey",
            "aws:kms/alias:Alias",
        ]) {
            expect(await messages(pack(), policy, resource(type, "fleet-key", {}))).toEqual([]);
        }
    });

    it("flags a symmetric encryption key without rotation", async () => {
        expect(await messages(pack(), policy, key({}))).toEqual([
            off("does not set enableKeyRotation"),
        ]);
        expect(await messages(pack(), policy, key({ enableKeyRotation: false }))).toEqual([
            off("sets enableKeyRotation to false"),
        ]);
        expect(
            await messages(
                pack(),
                policy,
                key({
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    keyUsage: "ENCRYPT_DECRYPT",
                    multiRegion: true,
                }),
            ),
        ).toEqual([off("does not set enableKeyRotation")]);
    });

    it("flags a rotation period without rotation on: it does not turn rotation on", async () => {
        expect(await messages(pack(), policy, key({ rotationPeriodInDays: 90 }))).toEqual([
            off("does not set enableKeyRotation"),
        ]);
    });

    it("flags a rotation period AWS refuses", async () => {
        for (const rotationPeriodInDays of [30, 89, 2561, 180.5]) {
            expect(
                await messages(
                    pack(),
                    policy,
                    key({ enableKeyRotation: true, rotationPeriodInDays }),
                ),
            ).toEqual([badPeriod]);
        }
        // A secret is read like any value, and never quoted.
        expect(
            await messages(
                pack(),
                policy,
                key({ enableKeyRotation: true, rotationPeriodInDays: secretValue(30) }),
            ),
        ).toEqual([badPeriod]);
    });
});

describe("gcp-kms-crypto-key-rotation", () => {
    const policy = "gcp-kms-crypto-key-rotation";
    const RING = "projects/fleet-prod/locations/us-central1/keyRings/fleet";
    // As GkeCluster creates it.
    const cryptoKey = (props: Record<string, unknown>) =>
        resource("gcp:kms/cryptoKey:CryptoKey", "gke-us-secrets", { keyRing: RING, ...props });
    const missing = `Cloud KMS key 'gke-us-secrets' has no rotationPeriod, so its key material is never rotated: set rotationPeriod, in seconds followed by "s", to at most "7776000s" (90 days).`;
    const malformed = `Cloud KMS key 'gke-us-secrets' sets a rotationPeriod that is not a number of seconds of at least one day followed by "s", which Cloud KMS rejects: set rotationPeriod to between "86400s" (one day) and "7776000s" (90 days).`;
    const tooLong = `Cloud KMS key 'gke-us-secrets' sets a rotationPeriod longer than 90 days, so each key version encrypts new data for longer than the fleet allows: set rotationPeriod to at most "7776000s" (90 days).`;

    it("passes an ENCRYPT_DECRYPT key rotated at least every 90 days", async () => {
        for (const rotationPeriod of ["7776000s", "86400s", "2592000.5s", "7775999.999999999s"]) {
            expect(
                await messages(
                    pack(),
                    policy,
                    cryptoKey({ purpose: "ENCRYPT_DECRYPT", rotationPeriod }),
                ),
            ).toEqual([]);
        }
        // purpose defaults to ENCRYPT_DECRYPT; HSM keys rotate like software keys.
        expect(
            await messages(
                pack(),
                policy,
                cryptoKey({
                    rotationPeriod: "7776000s",
                    versionTemplate: {
                        algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION",
                        protectionLevel: "HSM",
                    },
                }),
            ),
        ).toEqual([]);
    });

    it("passes values only known after deployment, and secrets", async () => {
        expect(
            await messages(pack(), policy, cryptoKey({ rotationPeriod: UNKNOWN_STRING })),
        ).toEqual([]);
        expect(
            await messages(pack(), policy, cryptoKey({ rotationPeriod: secretValue("7776000s") })),
        ).toEqual([]);
    });

    it("skips keys Cloud KMS cannot rotate automatically: other purposes, import-only and Cloud EKM keys", async () => {
        for (const props of [
            { purpose: "ASYMMETRIC_SIGN" },
            { purpose: "ASYMMETRIC_DECRYPT" },
            { purpose: "MAC" },
            { purpose: "RAW_ENCRYPT_DECRYPT" },
            { importOnly: true, skipInitialVersionCreation: true },
            {
                versionTemplate: {
                    algorithm: "EXTERNAL_SYMMETRIC_ENCRYPTION",
                    protectionLevel: "EXTERNAL",
                },
            },
            {
                versionTemplate: {
                    algorithm: "EXTERNAL_SYMMETRIC_ENCRYPTION",
                    protectionLevel: "EXTERNAL_VPC",
                },
                cryptoKeyBackend: "projects/fleet-prod/locations/us-central1/ekmConnections/ekm",
                skipInitialVersionCreation: true,
            },
            // Not known yet: may be one of the above.
            { purpose: UNKNOWN_STRING },
            { importOnly: UNKNOWN_STRING },
            { versionTemplate: UNKNOWN_STRING },
        ]) {
            expect(await messages(pack(), policy, cryptoKey(props))).toEqual([]);
        }
    });

    it("flags an ENCRYPT_DECRYPT key without a rotation period", async () => {
        expect(await messages(pack(), policy, cryptoKey({}))).toEqual([missing]);
        expect(
            await messages(
                pack(),
                policy,
                cryptoKey({ purpose: "ENCRYPT_DECRYPT", rotationPeriod: "" }),
            ),
        ).toEqual([missing]);
        expect(
            await messages(
                pack(),
                policy,
                cryptoKey({ importOnly: false, versionTemplate: { protectionLevel: "SOFTWARE" } }),
            ),
        ).toEqual([missing]);
    });

    it("flags a rotation period longer than 90 days (CIS GCP 1.10)", async () => {
        for (const rotationPeriod of ["7776000.000000001s", "7776001s", "31536000s"]) {
            expect(await messages(pack(), policy, cryptoKey({ rotationPeriod }))).toEqual([
                tooLong,
            ]);
        }
        // A secret is read like any value, and never quoted.
        expect(
            await messages(pack(), policy, cryptoKey({ rotationPeriod: secretValue("31536000s") })),
        ).toEqual([tooLong]);
    });

    it("flags a rotation period Cloud KMS rejects", async () => {
        for (const rotationPeriod of ["90d", "2160h", "7776000", "86399s", "1.0000000001s", "s"]) {
            expect(await messages(pack(), policy, cryptoKey({ rotationPeriod }))).toEqual([
                malformed,
            ]);
        }
    });

    describe("with maxRotationPeriodDays: 365", () => {
        // Configure replaces the whole config: set it for this block only, then restore the default.
        beforeAll(async () => {
            await pack().configure({
                "gcp-kms-crypto-key-rotation": {
                    enforcementLevel: "mandatory",
                    maxRotationPeriodDays: 365,
                },
            });
        });
        afterAll(async () => {
            await pack().configure({});
        });

        it("passes a yearly rotation and flags a longer one with the configured limit", async () => {
            expect(
                await messages(pack(), policy, cryptoKey({ rotationPeriod: "31536000s" })),
            ).toEqual([]);
            expect(
                await messages(pack(), policy, cryptoKey({ rotationPeriod: "31536001s" })),
            ).toEqual([
                `Cloud KMS key 'gke-us-secrets' sets a rotationPeriod longer than 365 days, so each key version encrypts new data for longer than the fleet allows: set rotationPeriod to at most "31536000s" (365 days).`,
            ]);
        });
    });
});

describe("key rotation policies", () => {
    it("ship as mandatory encryption policies", async () => {
        const info = await pack().info();
        const levels = Object.fromEntries(
            info.policies
                .filter((p) => p.name.endsWith("-rotation"))
                .map((p) => [p.name, p.enforcementLevel]),
        );
        expect(levels).toEqual({
            "aws-kms-key-rotation": "mandatory",
            "gcp-kms-crypto-key-rotation": "mandatory",
        });
        expect(groupOf("aws-kms-key-rotation")).toBe("encryption");
        expect(groupOf("gcp-kms-crypto-key-rotation")).toBe("encryption");
    });
});
