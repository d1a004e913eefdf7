/**
 * The template values of the committed stacks (`Pulumi.yaml`, `Pulumi.dev.yaml`,
 * `Pulumi.prod.yaml`), in one catalogue: how to recognise each, and where to get the real value.
 * `pulumi up` with any of them left fails (a certificate, subscription or secret that does not
 * exist, or cannot be decrypted) or, worse, deploys into ids that belong to someone else.
 *
 * The offline plan warns about every one it finds (plan/render.ts); the README's checklist
 * (README.md#checklist-every-placeholder-in-the-committed-stacks) is tested against what
 * `findPlaceholders` finds in the committed stacks (tests/docs.test.ts). No Pulumi SDK here:
 * `findPlaceholders` is a pure function of the config, which `loadStackSettings` reads as written.
 */
import { isRecord, isSecretPlaceholder, isSecure, type StackSettings } from "./stack-files";

/** One kind of placeholder, and where the real value comes from. */
export interface PlaceholderEntry {
    /** A stable id (`acm-certificate-arn`): the plan's `--json` names it. */
    readonly id: string;
    /** What the placeholder looks like, in words. */
    readonly pattern: string;
    /** Finds the placeholder inside a value: a plain value's text, or a `secure:` ciphertext. */
    readonly value: RegExp;
    /** The entry is for `secure:` values (matched on the ciphertext); otherwise for plain ones. */
    readonly secure?: boolean;
    /**
     * The keys the entry is for, written as docs/config.md writes them: `[]` for any item of a
     * list of objects (`gcp.clusters[].masterAuthorizedNetworks[].cidrBlock`), the list's own
     * key for the items of a list of values (`aws.alerts.emails`). Absent: any key.
     */
    readonly keys?: readonly string[];
    /**
     * One line: where to get the real value. `<key>` stands for the key's path as
     * `pulumi config set --path` takes it (the plan fills it in: see `whereToGet`).
     */
    readonly where: string;
}

/** A placeholder found in a stack's config. */
export interface PlaceholderFinding {
    /** The full key path, list items by their `name` where they have one: `multicloud:edge.sites[store-0042].kubeconfig`. */
    readonly key: string;
    /** The path `pulumi config set --path` takes (positions, project namespace left out): `edge.sites[0].kubeconfig`. */
    readonly path: string;
    /**
     * The key as docs/config.md writes it: `edge.sites[].kubeconfig` for a key of a list's items,
     * `aws.alerts.emails` for an item of a list of values.
     */
    readonly schemaKey: string;
    /**
     * The value, shortened around the placeholder; `[secret]` for a secure value and for any
     * value of a top-level key that holds one (Pulumi then holds the whole key as a secret).
     */
    readonly value: string;
    /** Held as a secret: a secure value, or a value under a top-level key that holds one. */
    readonly secret: boolean;
    /** The first catalogue entry that matched (key-specific entries come first). */
    readonly entry: PlaceholderEntry;
    /** `entry.where` with `<key>` filled in. */
    readonly where: string;
}

// ---- What the placeholders look like ---------------------------------------------------------

/** An image digest of zeros. */
const ZERO_DIGEST = /sha256:0{64}(?![0-9a-f])/i;
/** A UUID of one repeated hex digit: 00000000-0000-0000-0000-000000000000, 1111..., 2222... */
const ONE_DIGIT_UUID = /(?<![0-9a-f-])([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}(?![0-9a-f-])/i;
/** AWS's documentation account id, and the template's prod account (its digits reversed). */
const AWS_ACCOUNT = /(?<!\d)(?:123456789012|210987654321)(?!\d)/;
/** A Google Cloud project id ending in -000000. */
const GCP_PROJECT = /(?<![a-z0-9-])[a-z][a-z0-9-]{0,22}-000000(?![a-z0-9-])/;
/** RFC 2606 second-level domains, and their subdomains and mail addresses. */
const EXAMPLE_DOMAIN = /(?<![a-z0-9-])example\.(?:com|net|org)(?![a-z0-9-])/i;
/** The GitHub organization of the template's URLs. */
const EXAMPLE_ORG = /(?<![a-z0-9-])example-org(?![a-z0-9-])/i;
/** RFC 5737 documentation ranges: TEST-NET-1, -2 and -3. */
const DOCUMENTATION_CIDR =
    /(?<![\d.])(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}(?:\/\d{1,2})?(?![\d.])/;
/** The ciphertext the committed stacks carry where a secret goes. */
const PLACEHOLDER_CIPHERTEXT = /^v1:placeholder-ciphertext-/;
/** The template's Azure Container Registry. */
const TEMPLATE_REGISTRY = /(?<![a-z0-9-])multicloudfleet\.azurecr\.io(?![a-z0-9-])/i;
/** The template's Key Vault, by host name or in a resource id. */
const TEMPLATE_VAULT =
    /(?<![a-z0-9-])multicloud-prod-keys\.vault\.azure\.net|\/vaults\/multicloud-prod-keys(?![a-z0-9-])/i;

/** Either pattern. */
function either(...patterns: RegExp[]): RegExp {
    return new RegExp(patterns.map((p) => `(?:${p.source})`).join("|"), "i");
}

// The backreference of ONE_DIGIT_UUID must stay group 1 inside `either`: put it first.
const UUID_OR_ACCOUNT = new RegExp(
    `${ONE_DIGIT_UUID.source}|${AWS_ACCOUNT.source}`,
    ONE_DIGIT_UUID.flags,
);
const UUID_OR_VAULT = new RegExp(
    `${ONE_DIGIT_UUID.source}|${TEMPLATE_VAULT.source}`,
    ONE_DIGIT_UUID.flags,
);

/**
 * Every kind of placeholder, in the order they are tried: the entries for given keys first, then
 * the ones for any key. A value is reported once, by the first entry that matches it.
 */
export const PLACEHOLDERS: readonly PlaceholderEntry[] = [
    // ---- For given keys ----
    {
        id: "app-image",
        pattern: "the template's released image, multicloudfleet.azurecr.io/...@sha256:000...0",
        value: either(ZERO_DIGEST, TEMPLATE_REGISTRY),
        keys: ["app.image"],
        where: "your released image by digest (<registry>/multicloud-app@sha256:<digest>: `docker buildx imagetools inspect <registry>/multicloud-app:<tag>`): edit it in Pulumi.yaml's multicloud:app (a stack-level `pulumi config set` replaces that whole object), then `npm run gitops`",
    },
    {
        id: "ingress-host",
        pattern: "a host under example.com (RFC 2606)",
        value: EXAMPLE_DOMAIN,
        keys: ["app.ingress.host"],
        where: "the DNS name your users reach the app at, in a domain you control: edit it in Pulumi.yaml's multicloud:app (a stack-level `pulumi config set` replaces that whole object)",
    },
    {
        id: "acm-certificate-arn",
        pattern:
            "an ACM certificate ARN with account 123456789012 or 210987654321 and an all-one-digit certificate id",
        value: UUID_OR_ACCOUNT,
        keys: ["aws.loadBalancer.certificateArn"],
        where: "the ARN of an ACM certificate for your ingress host in the stack's region: `aws acm list-certificates --region <region> --includes keyTypes=RSA_2048,EC_prime256v1,EC_secp384r1` (without --includes it lists RSA_1024 and RSA_2048 certificates only)",
    },
    {
        id: "aws-account-id",
        pattern: "AWS account 123456789012 (AWS's documentation example) or 210987654321",
        value: AWS_ACCOUNT,
        keys: ["aws.allowedAccountIds"],
        where: 'your AWS account id, quoted in the stack file (- "012345678901": a leading zero counts): `aws sts get-caller-identity --query Account --output text`',
    },
    {
        id: "alert-email",
        pattern: "an address at example.com (RFC 2606)",
        value: EXAMPLE_DOMAIN,
        keys: ["aws.alerts.emails"],
        where: "the address of your on-call list (each address confirms its SNS subscription by mail)",
    },
    {
        id: "azure-subscription-id",
        pattern: "an all-one-digit UUID (00000000-0000-...)",
        value: ONE_DIGIT_UUID,
        keys: ["azure.subscriptionId"],
        where: "the subscription to deploy into: `az account show --query id -o tsv`",
    },
    {
        id: "azure-tenant-id",
        pattern: "an all-one-digit UUID (22222222-2222-...)",
        value: ONE_DIGIT_UUID,
        keys: ["azure.tenantId"],
        where: "your Entra ID tenant: `az account show --query tenantId -o tsv`",
    },
    {
        id: "entra-group-object-id",
        pattern: "an all-one-digit UUID (33333333-3333-...)",
        value: ONE_DIGIT_UUID,
        keys: [
            "azure.adminGroupObjectIds",
            "azure.viewerGroupObjectIds",
            "dashboard.adminGroupObjectIds",
            "dashboard.viewerGroupObjectIds",
        ],
        where: "the object id of your Entra ID group: `az ad group show --group <name> --query id -o tsv`",
    },
    {
        id: "deployer-object-id",
        pattern: "an all-one-digit UUID (55555555-5555-...)",
        value: ONE_DIGIT_UUID,
        keys: ["dashboard.deployerObjectId"],
        where: "the object id of the identity that runs Pulumi for this stack: `az ad sp show --id <appId> --query id -o tsv` (a service principal), or `az ad signed-in-user show --query id -o tsv` (you, with dashboard.deployerPrincipalType set to User: Azure refuses a role assignment whose principal type does not match)",
    },
    {
        id: "key-vault-id",
        pattern:
            "a Key Vault resource id in subscription 11111111-... or of vault multicloud-prod-keys",
        value: UUID_OR_VAULT,
        keys: ["appImage.azureEncryption.keyVaultId"],
        where: "your Key Vault's resource id: `az keyvault show --name <vault> --query id -o tsv`",
    },
    {
        id: "gcp-project",
        pattern: "a project id ending in -000000",
        value: GCP_PROJECT,
        keys: ["gcp.project"],
        where: "your Google Cloud project id: `gcloud projects list`",
    },
    {
        id: "gcp-kms-key",
        pattern: "a Cloud KMS key in a project ending in -000000",
        value: GCP_PROJECT,
        keys: ["appImage.gcpKmsKeyName", "gcp.clusters[].databaseEncryptionKey"],
        where: "your Cloud KMS key's name: `gcloud kms keys list --keyring <ring> --location <region> --project <project> --format 'value(name)'`",
    },
    {
        id: "gke-rbac-group-domain",
        pattern: "example.com (RFC 2606)",
        value: EXAMPLE_DOMAIN,
        keys: ["gcp.rbacGroupDomain"],
        where: "your Google Workspace or Cloud Identity domain, the one holding the gke-security-groups@<domain> group: `gcloud organizations list`",
    },
    {
        id: "authorized-networks",
        pattern: "an RFC 5737 documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24)",
        value: DOCUMENTATION_CIDR,
        keys: ["gcp.clusters[].masterAuthorizedNetworks[].cidrBlock"],
        where: "your office or VPN egress CIDRs, where kubectl reaches the control plane from (this machine's address: `curl -s https://checkip.amazonaws.com`)",
    },
    {
        id: "sample-edge-site",
        pattern: "the template's sample sites, store-0042 and factory-eu-1",
        value: /^(?:store-0042|factory-eu-1)$/,
        keys: ["edge.sites[].name"],
        where: "your own sites (name, region, distribution, labels, kubeconfig: docs/edge.md), or none: `pulumi config rm --path edge.sites`",
    },
    {
        id: "secret-kubeconfig",
        pattern: "secure: v1:placeholder-ciphertext-... (no secrets provider can decrypt it)",
        value: PLACEHOLDER_CIPHERTEXT,
        secure: true,
        keys: ["edge.sites[].kubeconfig", "gcp.attachedClusters[].kubeconfig"],
        where: "the cluster's kubeconfig, as a secret of your stack: `pulumi config set --secret --path '<key>' \"$(cat kubeconfig)\"`",
    },
    {
        id: "secret-registry-password",
        pattern: "secure: v1:placeholder-ciphertext-... (no secrets provider can decrypt it)",
        value: PLACEHOLDER_CIPHERTEXT,
        secure: true,
        keys: ["registryPullCredential.password"],
        where: "an ACR token's password (`az acr scope-map create -r <registry> -n app-pull --repository multicloud-app content/read`, then `az acr token create -r <registry> -n app-pull --scope-map app-pull` prints password1), as a secret: `pulumi config set --secret --path registryPullCredential.password <password1>`",
    },
    {
        id: "secret-database-url",
        pattern: "secure: v1:placeholder-ciphertext-... (no secrets provider can decrypt it)",
        value: PLACEHOLDER_CIPHERTEXT,
        secure: true,
        keys: ["databaseUrl"],
        where: "your PostgreSQL URL, requiring TLS, as a secret: `pulumi config set --secret databaseUrl 'postgresql://<user>:<password>@<host>:5432/<db>?sslmode=verify-full'`",
    },
    // ---- For any key ----
    {
        id: "secret",
        pattern: "secure: v1:placeholder-ciphertext-... (no secrets provider can decrypt it)",
        value: PLACEHOLDER_CIPHERTEXT,
        secure: true,
        where: "the real value, as a secret of your stack: `pulumi config set --secret --path '<key>' <value>`",
    },
    {
        id: "image-digest",
        pattern: "an image digest of zeros, sha256:000...0",
        value: ZERO_DIGEST,
        where: "the digest of an image you pushed: `docker buildx imagetools inspect <image>:<tag>`",
    },
    {
        id: "container-registry",
        pattern: "the template's registry, multicloudfleet.azurecr.io",
        value: TEMPLATE_REGISTRY,
        where: "your Azure Container Registry's login server: `az acr show --name <registry> --query loginServer -o tsv`",
    },
    {
        id: "key-vault-key",
        pattern: "the template's Key Vault, multicloud-prod-keys.vault.azure.net",
        value: TEMPLATE_VAULT,
        where: "your Key Vault key's id without its version: `az keyvault key show --vault-name <vault> --name <key name> --query key.kid -o tsv` (drop the last path segment)",
    },
    {
        id: "aws-account",
        pattern: "AWS account 123456789012 or 210987654321 inside a value (an ARN)",
        value: AWS_ACCOUNT,
        where: "the same value in your AWS account: `aws sts get-caller-identity --query Account --output text`",
    },
    {
        id: "azure-id",
        pattern: "an all-one-digit UUID, alone or inside a resource id (/subscriptions/1111...)",
        value: ONE_DIGIT_UUID,
        where: "the id from your own Azure tenant and subscription: `az account show`",
    },
    {
        id: "gcp-project-in-value",
        pattern: "a project id ending in -000000 inside a value",
        value: GCP_PROJECT,
        where: "the same value in your Google Cloud project: `gcloud projects list`",
    },
    {
        id: "git-repository",
        pattern: "a URL in the example-org GitHub organization",
        value: EXAMPLE_ORG,
        where: "the https URL of your fork of this repository (`git remote get-url origin`): it holds the gitops/ tree the clusters sync",
    },
    {
        id: "documentation-cidr",
        pattern: "an RFC 5737 documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24)",
        value: DOCUMENTATION_CIDR,
        where: "a range of addresses of yours (documentation ranges are never routed)",
    },
    {
        id: "example-domain",
        pattern: "example.com, example.net or example.org (RFC 2606), or a name under them",
        value: EXAMPLE_DOMAIN,
        where: "a name in a domain you control",
    },
];

/** `entry.where` for a key: `<key>` becomes the path `pulumi config set --path` takes. */
export function whereToGet(entry: PlaceholderEntry, configPath: string): string {
    return entry.where.split("<key>").join(configPath);
}

/** How long a value may be before it is shortened around its placeholder. */
export const MAX_VALUE_LENGTH = 64;

/**
 * `text` cut to about `max` characters around the part `match` found, with `…` where it was cut;
 * a long match keeps its start and end.
 */
export function shortenAround(
    text: string,
    match: { index: number; length: number },
    max = MAX_VALUE_LENGTH,
): string {
    if (text.length <= max) return text;
    // Room for a whole UUID or account id; a longer match keeps its start and end.
    const keep = Math.min(match.length, max - 16);
    const found = text.slice(match.index, match.index + match.length);
    const core =
        found.length > keep
            ? `${found.slice(0, Math.ceil(keep / 2))}…${found.slice(found.length - Math.floor(keep / 2))}`
            : found;
    const room = Math.max(0, max - core.length);
    // Context before the placeholder first (it says what the value is), then after it.
    const remaining = text.length - match.index - match.length;
    let before = Math.min(match.index, Math.ceil((room * 2) / 3));
    const after = Math.min(remaining, room - before);
    before = Math.min(match.index, room - after);
    const head = text.slice(match.index - before, match.index);
    const tail = text.slice(match.index + match.length, match.index + match.length + after);
    return `${match.index - before > 0 ? "…" : ""}${head}${core}${tail}${
        match.index + match.length + after < text.length ? "…" : ""
    }`;
}

/** Whether a value is, or holds, a `secure:` value or the offline plan's text for one. */
function holdsSecret(value: unknown): boolean {
    if (isSecure(value)) return true;
    if (typeof value === "string") return isSecretPlaceholder(value);
    if (Array.isArray(value)) return value.some(holdsSecret);
    if (isRecord(value)) return Object.values(value).some(holdsSecret);
    return false;
}

/** A structured value the CLI hands a program as JSON text, parsed; anything else as it is. */
function structured(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
    try {
        const parsed: unknown = JSON.parse(value);
        return typeof parsed === "object" && parsed !== null ? parsed : value;
    } catch {
        return value;
    }
}

/** The first entry for `schemaKey` that finds a placeholder in `text`, and where. */
function firstMatch(
    text: string,
    schemaKey: string,
    secure: boolean,
): { entry: PlaceholderEntry; index: number; length: number } | undefined {
    for (const entry of PLACEHOLDERS) {
        if ((entry.secure ?? false) !== secure) continue;
        if (entry.keys && !entry.keys.includes(schemaKey)) continue;
        const m = entry.value.exec(text);
        if (m) return { entry, index: m.index, length: m[0].length };
    }
    return undefined;
}

/**
 * Every placeholder in a stack's config, in the order of the keys. `config` maps full keys
 * (`multicloud:aws`, `aws:region`) to their values as the stack files hold them: project-level
 * values and defaults under stack values (see `stackConfigAsWritten`), `secure:` values as
 * `{ secure: <ciphertext> }`. Structured values may also be given as JSON text, as in the
 * program's config; the offline plan's own placeholder text for a secret is never reported (it
 * does not say whether the ciphertext was a placeholder: give the files' values for that).
 */
export function findPlaceholders(
    config: Readonly<Record<string, unknown>>,
    project: string,
): PlaceholderFinding[] {
    const found: PlaceholderFinding[] = [];
    // Pulumi holds a whole top-level key as a secret when any value inside it is one: no value
    // under such a key is shown, though the stack file has it in plain text.
    let heldSecret = false;
    const visit = (value: unknown, key: string, configPath: string, schemaKey: string): void => {
        if (isSecure(value)) {
            const m = firstMatch(value.secure, schemaKey, true);
            if (m) {
                found.push({
                    key,
                    path: configPath,
                    schemaKey,
                    value: "[secret]",
                    secret: true,
                    entry: m.entry,
                    where: whereToGet(m.entry, configPath),
                });
            }
            return;
        }
        if (Array.isArray(value)) {
            value.forEach((item, i) => {
                const label = isRecord(item) && typeof item.name === "string" ? item.name : i;
                // docs/config.md names an item's keys `list[].key`, and a list of values by the
                // list's key alone.
                const itemKey = isRecord(item) && !isSecure(item) ? `${schemaKey}[]` : schemaKey;
                visit(item, `${key}[${label}]`, `${configPath}[${i}]`, itemKey);
            });
            return;
        }
        if (isRecord(value)) {
            for (const [k, v] of Object.entries(value)) {
                visit(v, `${key}.${k}`, `${configPath}.${k}`, `${schemaKey}.${k}`);
            }
            return;
        }
        if (!["string", "number", "bigint"].includes(typeof value)) return;
        const text = String(value);
        if (isSecretPlaceholder(text)) return;
        const m = firstMatch(text, schemaKey, false);
        if (!m) return;
        found.push({
            key,
            path: configPath,
            schemaKey,
            value: heldSecret ? "[secret]" : shortenAround(text, m),
            secret: heldSecret,
            entry: m.entry,
            where: whereToGet(m.entry, configPath),
        });
    };
    for (const [fullKey, value] of Object.entries(config)) {
        const [namespace, ...rest] = fullKey.split(":");
        // The project's own keys are set by their name alone; other namespaces keep theirs.
        const own = rest.length > 0 && namespace === project;
        const name = own ? rest.join(":") : fullKey;
        const parsed = structured(value);
        heldSecret = holdsSecret(parsed);
        visit(parsed, fullKey, name, name);
    }
    return found;
}

/** A stack's config as its files hold it, and which file each top-level key comes from. */
export interface ConfigAsWritten {
    /** Full key (`multicloud:aws`) -> value, `secure:` values as `{ secure: <ciphertext> }`. */
    readonly config: Readonly<Record<string, unknown>>;
    /** Full key -> the file that sets it: `Pulumi.yaml`, or the stack file. */
    readonly files: Readonly<Record<string, string>>;
}

/**
 * The values of `Pulumi.yaml`'s `config:` block (values and defaults) with the stack file's on
 * top, as written: the merge `loadStackSettings` (lib/stack-files.ts) makes, before it turns
 * secure values into the offline plan's placeholders.
 */
export function stackConfigAsWritten(settings: StackSettings): ConfigAsWritten {
    return { config: settings.written, files: settings.sources };
}
